"""The lesson 04-06 explorers and figures: they build, every control moves its figure in place,
every figure is titled and labelled, and the lesson notebooks keep only their checked outputs.

Callback times are measured and reported (``-rP`` or the junit properties), never asserted:
wall-clock time depends on the machine.
"""

from __future__ import annotations

import json
import math

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest

from explorers.contention import (
    contention_explorer,
    contention_figure,
    sim_vs_sqlite_figure,
    strategy_table,
    sweep_figure,
)
from explorers.incident import (
    contract_table,
    incident_explorer,
    latency_ecdf_figure,
    outcome_bars_figure,
    roster_table,
)
from explorers.live import Explorer
from explorers.orchestration_value import (
    compare_task,
    comparison_figure,
    monitoring_explorer,
    orchestration_value_explorer,
    verdict_figure,
    verdict_table,
)
from explorers.task_scenarios import TASKS, assumptions_table, monitoring_scenarios, task_scenarios
from simulator import (
    INCIDENT_DEFENSES,
    chained,
    compare_sqlite,
    compare_strategies,
    contention_sweep,
    defense_table,
    inject_fault,
    load_scenario,
    simulate,
)

EXPLORERS = {
    "contention": contention_explorer,
    "incident": incident_explorer,
    "orchestration_value": orchestration_value_explorer,
    "monitoring": monitoring_explorer,
}


def snapshot(fig: go.FigureWidget) -> str:
    """The figure's data and title as one comparable string."""
    return json.dumps([fig.to_plotly_json()["data"], fig.layout.title.text], sort_keys=True, default=str)


def other_value(control: widgets.Widget):
    """A valid value different from the control's current one."""
    if isinstance(control, widgets.Checkbox):
        return not control.value
    if isinstance(control, widgets.Dropdown):
        values = [v for _, v in control.options] if isinstance(control.options[0], tuple) else list(control.options)
        return next(v for v in values if v != control.value)
    return control.max if control.value != control.max else control.min


def assert_labelled(fig: go.Figure):
    """A title, both axis titles on every subplot (a shared axis may defer to its neighbour), a height."""
    layout = fig.layout.to_plotly_json()
    assert (layout.get("title") or {}).get("text"), "figure has no title"
    assert layout.get("height"), "figure has no explicit height"
    axes = {k: v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}
    assert "xaxis" in axes and "yaxis" in axes
    for name, axis in axes.items():
        titled = bool((axis.get("title") or {}).get("text"))
        shared = bool(axis.get("matches")) or axis.get("showticklabels") is False
        assert titled or shared, f"{name} has no title"
    assert axes["xaxis"]["title"]["text"] and axes["yaxis"]["title"]["text"]


def assert_svg_traces(fig: go.Figure):
    for trace in fig.data:
        assert trace.type in ("bar", "scatter"), f"{trace.type} is not an SVG bar or scatter trace"


@pytest.fixture(scope="module")
def built() -> dict[str, Explorer]:
    return {name: make() for name, make in EXPLORERS.items()}


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_is_a_vbox_with_its_figure_below_the_controls(built, name):
    box = built[name]
    assert isinstance(box, widgets.VBox)
    assert isinstance(box.figure, go.FigureWidget)
    assert box.figure in box.children, "the figure sits directly in the VBox, never inside an HBox"
    assert box.children.index(box.figure) == len(box.children) - 2, "figure, then its caption, come last"
    assert "What to notice" in box.children[-1].value
    assert box.sliders, "every explorer has at least one slider"
    assert set(box.sliders) <= set(box.controls)
    assert box.figures == [box.figure]
    assert_labelled(box.figure)
    assert_svg_traces(box.figure)


def _moves():
    cases = []
    for name, make in EXPLORERS.items():
        box = make()
        cases += [(name, control) for control in box.controls]
    return cases


@pytest.mark.parametrize("name,control", _moves())
def test_every_control_changes_the_figure_in_place(name, control, record_property):
    box = EXPLORERS[name]()  # a fresh explorer: every control is moved from its default
    fig = box.figure
    traces = list(fig.data)
    before = snapshot(fig)
    box.controls[control].value = other_value(box.controls[control])
    assert snapshot(fig) != before, f"moving {control} did not change the figure"
    assert box.figure is fig and all(a is b for a, b in zip(fig.data, traces)), "the figure was rebuilt, not updated"
    assert_labelled(fig)
    record_property(f"{name}.{control}_ms", round(box.last_update_ms, 1))
    print(f"{name}.{control}: {box.last_update_ms:.1f} ms")


def test_moving_back_returns_the_same_figure():
    box = contention_explorer()
    first = snapshot(box.figure)
    box.sliders["contention"].value = 0.9
    box.sliders["contention"].value = 0.5
    assert snapshot(box.figure) == first, "seeded runs: the same position draws the same bars"


def test_callback_times_are_measured(built):
    for name, box in built.items():
        for control in box.sliders.values():
            control.value = other_value(control)
        assert box.timings_ms and all(t > 0 for t in box.timings_ms), name
        print(
            f"{name}: {len(box.timings_ms)} callbacks, last {box.last_update_ms:.1f} ms, "
            f"max {max(box.timings_ms):.1f} ms"
        )


# --- the fixed figures ------------------------------------------------------------------------


def static_figures(tmp_path):
    degraded = inject_fault("orders_daily", "lineage", 0.80, 0.9)
    scenario = load_scenario("orders_daily")
    runs = {
        "hybrid": simulate(scenario, trials=500, seed=0),
        "chained": simulate(chained(scenario), trials=500, seed=0),
    }
    return {
        "contention": contention_figure(compare_strategies(seed=0)),
        "sweep": sweep_figure(contention_sweep(levels=(0.1, 0.5, 1.0))),
        "sqlite": sim_vs_sqlite_figure(compare_strategies(4, 5, 1.0, 0), compare_sqlite(tmp_path, 2, 5, 0.0005)),
        "defenses": outcome_bars_figure(defense_table(degraded, INCIDENT_DEFENSES, trials=500), "defenses"),
        "ecdf": latency_ecdf_figure(runs, "time to an answer"),
        "comparison": comparison_figure(compare_task("chain", trials=(500, 50)), "chain"),
        "verdict": verdict_figure(verdict_table()),
    }


def test_every_fixed_figure_is_titled_labelled_and_svg(tmp_path):
    for name, fig in static_figures(tmp_path).items():
        assert_labelled(fig)
        assert_svg_traces(fig)
        assert fig.data, name


# --- the parameter helpers --------------------------------------------------------------------


def test_inject_fault_changes_one_agent_only():
    base = load_scenario("orders_daily")
    degraded = inject_fault(base, "impact", reliability=0.7, silent_share=1.0)
    for before, after in zip(base.agents, degraded.agents):
        if after.name == "impact":
            assert (after.reliability, after.silent_share) == (0.7, 1.0)
        else:
            assert after == before
    assert degraded.pattern == base.pattern and degraded.defenses == base.defenses
    with pytest.raises(ValueError):
        inject_fault(base, "nobody")


def test_chained_keeps_the_agents_and_the_reliability_but_not_the_time():
    base = load_scenario("orders_daily")
    chain = chained(base)
    assert chain.pattern == "sequential" and chain.agents == base.agents
    hybrid, serial = simulate(base, trials=4000, seed=3).stats(), simulate(chain, trials=4000, seed=3).stats()
    assert abs(hybrid["success_rate"] - serial["success_rate"]) < 0.03
    assert hybrid["mean_latency"] < 0.75 * serial["mean_latency"]


def test_detection_moves_silent_to_detected_and_retries_then_repair():
    table = defense_table(inject_fault("orders_daily", "lineage", 0.80, 0.9), INCIDENT_DEFENSES, trials=4000, seed=0)
    none, validated = table.loc["no defenses"], table.loc["hand-off validation (catch 60%)"]
    assert validated.silent_failure < none.silent_failure / 3
    assert validated.correct == pytest.approx(none.correct, abs=1e-12), "detection alone repairs nothing"
    assert table.loc["validation + retries = 2"].correct > none.correct + 0.1
    assert table.loc["retries = 2 alone"].silent_failure >= none.silent_failure - 0.02
    assert list(table.index) == list(INCIDENT_DEFENSES)


def test_contract_table_rejects_the_countable_degradations():
    table = contract_table()
    assert (table.loc["right payload"] == "PASSES").all()
    assert table.loc["truncated_list", "impact"].startswith("rejected")
    assert table.loc["wrong_count", "lineage"].startswith("rejected")
    assert table.loc["wrong_value", "source"] == "PASSES", "a plausible wrong value is well formed"
    assert set(table.values.ravel()) <= {"PASSES", "n/a"} | {
        v for v in table.values.ravel() if v.startswith("rejected")
    }


def test_roster_and_strategy_tables():
    roster = roster_table()
    assert list(roster.index) == ["orchestrator", "lineage", "source", "impact", "synthesis"]
    assert strategy_table(compare_strategies(seed=0)).loc["blind overwrite", "lost_updates"] > 0


@pytest.mark.parametrize("task", [k for k in TASKS if k != "monitoring"])
def test_task_scenarios_follow_the_stated_assumptions(task):
    sides = task_scenarios(task, p=0.9, n=5)
    assert set(sides) == {"single agent", "multi-agent"}
    single, multi = sides["single agent"], sides["multi-agent"]
    assert len(single.agents) == 1 and single.pattern == "sequential"
    if task in ("chain", "parallel"):
        assert single.agents[0].reliability == pytest.approx(0.9**5)
        assert len(multi.workers if task == "parallel" else multi.agents) == 5
    if task == "judgment":
        assert multi.pattern == "hierarchical" and multi.hierarchy.max_subtasks == 5
    if task == "lookup":
        assert single.agents[0].tokens_per_call == 0 and multi.pattern == "hybrid"


def test_the_verdict_matches_the_modules_table():
    chain, parallel, judgment, lookup = (
        compare_task(k, trials=(6000, 600)) for k in ("chain", "parallel", "judgment", "lookup")
    )
    assert chain.loc["multi-agent", "mean_latency"] > chain.loc["single agent", "mean_latency"]
    assert abs(chain.loc["multi-agent", "success_rate"] - chain.loc["single agent", "success_rate"]) < 0.03
    assert parallel.loc["multi-agent", "mean_latency"] < 0.7 * parallel.loc["single agent", "mean_latency"]
    assert judgment.loc["multi-agent", "success_rate"] > judgment.loc["single agent", "success_rate"] + 0.05
    assert lookup.loc["single agent", "success_rate"] > 0.99 > lookup.loc["multi-agent", "success_rate"]


def test_rules_miss_exactly_the_events_that_need_judgment():
    table = compare_task("monitoring", trials=(1, 600), judgment_share=0.4)
    assert table.loc["rule-based check", "success_rate"] == pytest.approx(0.6, abs=0.07)
    assert table.loc["rule-based check", "mean_tokens"] == 0
    assert table.loc["rules + agents", "mean_tokens"] < table.loc["agent mesh", "mean_tokens"]
    only_thresholds = compare_task("monitoring", trials=(1, 300), judgment_share=0.0)
    assert only_thresholds.loc["rule-based check", "success_rate"] > only_thresholds.loc["agent mesh", "success_rate"]
    assert len(monitoring_scenarios(agents=6)["agent mesh"].agents) == 6


def test_assumptions_table_lists_every_assumption():
    table = assumptions_table()
    assert table["meaning"].str.len().min() > 10
    assert not any(isinstance(v, float) and math.isnan(v) for v in table["value"])


# --- the notebooks ----------------------------------------------------------------------------


def test_lesson_06_has_a_slider_driving_a_figure_widget(root):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(root / "notebooks" / "06_orders_daily_incident.ipynb", as_version=4)
    assert any("incident_explorer()" in c.source for c in nb.cells if c.cell_type == "code")
    box = incident_explorer()
    assert box.sliders and isinstance(box.figure, go.FigureWidget)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_bar_panels_hold_axes_that_fit_every_bar_and_small_moves_redraw_in_place(name, monkeypatch):
    """The lesson 04-06 explorers hold their bar panels' axes (explorers.panels.hold_bar_axes): after
    every move each bar ends inside its axis and a category axis holds exactly its categories
    top-down; and a slider nudged one step and back, as a learner fine-tunes, changes no axis once it
    has moved, so those moves are drawn in place, not replotted."""
    from explorers.redraw import axis_key
    from tests.helpers import another_value

    box = EXPLORERS[name]()
    sent = []
    for kind in ("update", "animate"):
        monkeypatch.setattr(go.FigureWidget, f"_send_{kind}_msg", lambda self, *a, _kind=kind, **k: sent.append(_kind))
    nudges = []
    for label, control in box.controls.items():
        start = control.value
        for move, value in enumerate((another_value(control), start) * 3):
            before = len(sent)
            control.value = value
            if isinstance(control, widgets.FloatSlider | widgets.IntSlider) and move > 0:
                nudges += sent[before:]  # after the first step the axes hold both values
            for trace in box.figure.data:
                value_axis = box.figure.layout[axis_key(trace.xaxis or "x")]
                category_axis = box.figure.layout[axis_key(trace.yaxis or "y")]
                assert value_axis.autorange in (None, False) and value_axis.range is not None, (label, trace.name)
                assert max(trace.x) <= value_axis.range[1], f"{label}: a bar of {trace.name} runs off its axis"
                assert list(category_axis.range) == [len(trace.y) - 0.5, -0.5], (label, trace.name)
    assert nudges and set(nudges) == {"animate"}, f"{name}: {nudges}"

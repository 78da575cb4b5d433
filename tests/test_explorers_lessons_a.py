"""The explorers of lessons 00-03 without a browser: they build, every control moves a figure's
data in place, every figure is titled with labelled axes, and callbacks are fast.

Callback times are printed (run with ``-s`` to see them) and recorded as test properties; they are
never asserted, because wall-clock time depends on the machine.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest

from explorers.correlation import correlation_explorer, correlation_table, pass_curves
from explorers.live import Explorer
from explorers.partial_failure import (
    defense_figure,
    propagation_explorer,
    retry_figure,
    silent_chain_explorer,
    where_caught_figure,
)
from explorers.patterns import (
    mesh_explorer,
    mesh_load_figure,
    pattern_explorer,
    pattern_latency_figure,
)
from explorers.reliability import (
    compound_table_figure,
    compound_table_text,
    first_slider_explorer,
    prefix_success,
    reliability_explorer,
    required_reliability_figure,
)
from explorers.spot_checks import claim_runs_figure, spot_check_explorer
from explorers.timeline import first_trial, timeline_figure, timeline_segments, topology, topology_figure
from simulator import (
    caught_shares,
    chain_reliability,
    compound_table,
    correlated_chain,
    correlated_retry_success,
    defense_table,
    degradation_table,
    inject_fault,
    load_scenario,
    mesh_load,
    pattern_latency,
    propagation_steps,
    retry_table,
    schema_chain,
    silent_run,
    simulate,
    where_caught_table,
)
from tests.helpers import another_value

#: Each explorer, and the control moves to make in order ("+step": one step along, or back at the end). Every move must change a figure's data.
#: Some moves set up context first: retries only matter once something catches failures.
MOVES = {
    "first_slider": (first_slider_explorer, [("agents", 5), ("agents", 1)]),
    "reliability": (
        reliability_explorer,
        [("reliability", "+step"), ("reliability", 0.97), ("agents", 8), ("target", 0.75)],
    ),
    "spot_check": (spot_check_explorer, [("reliability", "+step"), ("runs", "+step"), ("runs", 50)]),
    "correlation": (correlation_explorer, [("rho", "+step"), ("reliability", "+step"), ("rho", 0.0)]),
    "pattern": (
        pattern_explorer,
        [
            ("agents", "+step"),
            ("latency", "+step"),
            ("spread", "+step"),
            ("pattern", "fanout"),
            ("agents", 6),
            ("pattern", "hierarchical"),
            ("pattern", "mesh"),
            ("latency", 4.0),
            ("pattern", "hybrid"),
        ],
    ),
    "mesh": (
        mesh_explorer,
        [("agents", "+step"), ("arrival_rate", "+step"), ("latency", "+step"), ("arrival_rate", 3.0)],
    ),
    "propagation": (propagation_explorer, [("step", 1), ("step", 2), ("step", 4), ("step", 0)]),
    "silent_chain": (
        silent_chain_explorer,
        [
            ("catch_rate", "+step"),
            ("catch_rate", 0.6),
            ("retries", 2),
            ("baseline_catch_rate", 0.5),
            ("completeness", True),
            ("faulty", 4),
            ("faulty", 1),
        ],
    ),
}


def figure_data(explorer: Explorer) -> list:
    return [fig.to_plotly_json()["data"] for fig in explorer.figures]


def layout_of(explorer: Explorer) -> list:
    return [fig.to_plotly_json()["layout"] for fig in explorer.figures]


def assert_labelled(fig: go.Figure, where: str):
    layout = fig.layout
    assert layout.title.text, f"{where}: no title"
    assert layout.xaxis.title.text, f"{where}: no x-axis title"
    assert layout.yaxis.title.text, f"{where}: no y-axis title"
    assert layout.height, f"{where}: no explicit height"
    for trace in fig.data:
        assert trace.type not in ("scattergl", "heatmapgl", "pointcloud"), f"{where}: WebGL trace {trace.type}"


def contains_figure(widget) -> bool:
    if isinstance(widget, go.FigureWidget):
        return True
    return any(contains_figure(child) for child in getattr(widget, "children", ()))


def assert_no_figure_in_hbox(widget, where: str):
    for child in getattr(widget, "children", ()):
        if isinstance(child, widgets.HBox):
            assert not contains_figure(child), f"{where}: a FigureWidget sits inside an HBox"
        assert_no_figure_in_hbox(child, where)


@pytest.mark.parametrize("name", list(MOVES))
def test_explorer_builds_labelled_and_in_a_vbox(name):
    factory, _ = MOVES[name]
    explorer = factory()
    assert isinstance(explorer, widgets.VBox)
    assert explorer.figure is explorer.figures[0]
    assert explorer.sliders and set(explorer.sliders) <= set(explorer.controls)
    for i, fig in enumerate(explorer.figures):
        assert isinstance(fig, go.FigureWidget)
        assert fig in explorer.children, f"{name}: figure {i} is not a direct child of the VBox"
        assert_labelled(fig, f"{name} figure {i}")
    assert_no_figure_in_hbox(explorer, name)
    assert explorer.readout.value, f"{name}: the readout line is empty"


@pytest.mark.parametrize("name", list(MOVES))
def test_no_trace_reaches_the_browser_with_x_but_no_y(name):
    """A trace created with x and no y arrives in JupyterLab without its x (seen with plotly 7.1 and
    anywidget 0.11: the curve then plots against 0, 1, 2, ...). ``_widget_data`` is the figure as
    first sent to the browser; every x there needs its y."""
    explorer = MOVES[name][0]()
    for i, fig in enumerate(explorer.figures):
        for j, trace in enumerate(fig._widget_data):
            if trace.get("type") in ("scatter", "bar"):
                assert ("x" in trace) == ("y" in trace), f"{name} figure {i} trace {j} is sent with only one of x, y"


@pytest.mark.parametrize("name", list(MOVES))
def test_every_move_changes_figure_data_in_place(name, capsys, record_property):
    factory, moves = MOVES[name]
    explorer = factory()
    figures = list(explorer.figures)
    capsys.readouterr()
    timings = []
    for control_name, target in moves:
        control = explorer.controls[control_name]
        value = another_value(control) if target == "+step" else target
        assert value != control.value, f"{name}: move {control_name} to {target} does not change it"
        before = figure_data(explorer)
        started = time.perf_counter()
        control.value = value
        timings.append((control_name, (time.perf_counter() - started) * 1000, explorer.last_update_ms))
        assert figure_data(explorer) != before, f"{name}: moving {control_name} to {value!r} left the figures unchanged"
        assert explorer.figures == figures and all(a is b for a, b in zip(explorer.figures, figures)), "figure rebuilt"
        for i, fig in enumerate(explorer.figures):
            assert_labelled(fig, f"{name} figure {i} after {control_name}")
    assert capsys.readouterr().out == "", f"{name}: a callback printed"
    worst = max(t for _, t, _ in timings)
    record_property("callback_ms", {c: round(t, 1) for c, t, _ in timings})
    with capsys.disabled():
        print(
            f"\n{name}: callback ms per move: "
            + ", ".join(f"{c} {t:.1f}" for c, t, _ in timings)
            + f" (worst {worst:.1f})"
        )


def test_explorers_are_reusable_with_settings():
    demo = reliability_explorer(reliability=0.85, agents=5)
    assert "44.4%" in demo.readout.value
    assert demo.sliders["reliability"].value == pytest.approx(0.85)
    chain = silent_chain_explorer(faulty=1, catch_rate=1.0)
    assert chain.controls["faulty"].value == 1


# --- the numbers the explorers show ----------------------------------------------------------


def test_compound_table_text_carries_the_module_table():
    text = compound_table_text(compound_table(trials=2000, seed=0))
    rows = {line.split()[0]: [cell for cell in line.split()[1:]] for line in text.splitlines()[2:]}
    module = {"85%": (61, 44, 27), "90%": (73, 59, 43), "95%": (86, 77, 66), "97%": (91, 86, 78), "99%": (97, 95, 92)}
    for reliability, analytic in module.items():
        assert [rows[reliability][i] for i in (0, 2, 4)] == [f"{v}%" for v in analytic]


def test_prefix_success_matches_the_chain_model():
    from tests.helpers import assert_rate

    points = prefix_success(0.9, 8, trials=20_000, seed=1)
    for n, (rate, low, high) in enumerate(points, 1):
        assert_rate(rate, chain_reliability(0.9, n), 20_000, f"chain of {n}")
        assert low <= rate <= high


def test_pass_curves_match_the_shared_cause_models():
    from tests.helpers import assert_rate

    every, anyone = pass_curves(0.85, 0.6, 5, trials=20_000, seed=2)
    for k in range(1, 6):
        assert_rate(every[k - 1], correlated_chain(0.85, k, 0.6), 20_000, f"pass^{k}")
        assert_rate(anyone[k - 1], correlated_retry_success(0.85, k - 1, 0.6), 20_000, f"pass@{k}")
    table = correlation_table(trials=5000)
    assert (table["shared_pass_hat_k"] >= table["independent_pass_hat_k"] - 1e-12).all()


def test_timeline_shows_waiting_where_agents_wait():
    chain = simulate(pattern="sequential", agents=3, reliability=1.0, trials=1, seed=0, trace=True)
    segments = timeline_segments(chain, 0)
    work = dict(zip(segments["work_ok"]["y"], segments["work_ok"]["base"]))
    waits = dict(zip(segments["waiting"]["y"], zip(segments["waiting"]["base"], segments["waiting"]["x"])))
    assert "agent_1" not in waits
    for agent in ("agent_2", "agent_3"):
        start, length = waits[agent]
        assert start == 0 and start + length == pytest.approx(work[agent])
    fan = simulate(pattern="fanout", agents=3, reliability=1.0, trials=1, seed=0, trace=True)
    segs = timeline_segments(fan, 0)
    assert len(segs["fan_in"]["x"]) == 1 and len(segs["fan_in_wait"]["x"]) == 2  # two branches wait for the slowest


def test_topologies_have_the_right_hand_offs():
    nodes, edges = topology(simulate(pattern="sequential", agents=4, trials=1).scenario)
    assert len(nodes) == 4 and len(edges) == 3
    nodes, edges = topology(load_scenario("orders_daily"))
    assert {e[0] for e in edges if e[2] == "dispatch"} == {"orchestrator"}
    assert {e[1] for e in edges if e[2] == "fan-in"} == {"synthesis"}


def test_silent_run_logs_success_while_every_output_is_wrong():
    run, trial = silent_run(seed=4)
    steps = propagation_steps(run, trial)
    assert list(steps["returned"]) == ["wrong"] * 4
    assert list(steps["log"]) == ["success"] * 4
    assert run.trials.loc[trial, "outcome"] == "silent_failure"


def test_caught_shares_account_for_every_wrong_run():
    result = simulate(
        inject_fault(schema_chain(), "impact", others=1.0).with_defenses(catch_rate=0.5), trials=4000, seed=3
    )
    shares = caught_shares(result)
    wrong = result.trials["first_failure_mode"].eq("silent").mean()
    assert sum(shares) == pytest.approx(wrong)
    assert shares[0] == 0  # nothing can be caught before the faulty agent


def test_defenses_convert_silent_to_detected_and_retries_need_detection():
    chain = schema_chain()
    table = defense_table(chain, trials=5000, seed=0)
    assert table.loc["no defenses", "correct"] == pytest.approx(table.loc["all three", "correct"])
    assert table.loc["all three", "silent_failure"] < table.loc["no defenses", "silent_failure"] / 5
    retries = retry_table(chain, retries=(0, 3), catch_rates=(0.0,), trials=5000, seed=0)
    assert retries["silent_failure"].iloc[1] >= retries["silent_failure"].iloc[0] - 0.01
    kinds = degradation_table(simulate(chain.with_defenses(completeness=True), trials=5000, seed=0))
    assert kinds.loc["missing_field", "silent_failure"] == 0 and kinds.loc["wrong_value", "silent_failure"] > 0.5


def test_static_figures_are_titled_and_labelled():
    chain = schema_chain()
    figures = {}
    for pattern in ("sequential", "fanout", "hierarchical", "hybrid"):
        run = simulate(pattern=pattern, agents=3, reliability=0.95, trials=10, seed=1, trace=True)
        figures[f"timeline {pattern}"] = timeline_figure(run, first_trial(run))
        figures[f"topology {pattern}"] = topology_figure(run.scenario)
    mesh = simulate(pattern="mesh", agents=3, trials=30, seed=1, trace=True)
    figures["timeline mesh"] = timeline_figure(mesh, None, until=20.0)
    figures["topology mesh"] = topology_figure(mesh.scenario)
    figures["pattern latency"] = pattern_latency_figure(pattern_latency(agents=(1, 2), trials=50))
    figures["mesh load"] = mesh_load_figure(mesh_load(rates=(0.5, 2.0), events=60))
    figures["compound table"] = compound_table_figure(compound_table(trials=500))
    figures["required reliability"] = required_reliability_figure()
    figures["claim runs"] = claim_runs_figure()
    figures["defenses"] = defense_figure(defense_table(chain, trials=500))
    figures["retries"] = retry_figure(retry_table(chain, trials=500))
    validated = simulate(chain.with_defenses(catch_rate=0.6), trials=2000, seed=0)
    figures["where caught"] = where_caught_figure(validated)
    for name, fig in figures.items():
        assert_labelled(fig, name)
    assert list(where_caught_table(validated).columns)[-1] == "never (delivered)"

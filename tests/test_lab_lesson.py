"""Lesson 07 and its views (explorers/incident_lab.py): they draw what incident_lab's real runs give,
every figure is titled and labelled, the live explorer changes its figure in place, and the lesson
has the course's shape (builds on, outcomes, checked numbers, self-check, takeaways and links)."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from explorers.incident_lab import (
    bridge_figure,
    catch_table,
    defense_explorer,
    downstream_figure,
    handoff_table,
    lesson_warehouse,
    null_rate_figure,
    reliability_figure,
    trail_figure,
)
from explorers.panels import all_axis_titles
from incident_lab import FaultPlan, Investigation, open_warehouse, predicted, shadow_run
from tests.helpers import ROOT, assert_each_move_redraws_each_figure_once

LESSON = ROOT / "notebooks" / "07_incident_lab.ipynb"


@pytest.fixture(scope="module")
def warehouse():
    return lesson_warehouse(seed=0)


@pytest.fixture(scope="module")
def runs(warehouse):
    out = {}
    for label, pattern, plan in (
        ("healthy", "hybrid", {}),
        ("impact broken", "hybrid", {"impact": (0.0, 1.0)}),
        ("lineage broken, hybrid", "hybrid", {"lineage": (0.0, 1.0)}),
        ("lineage broken, chain", "sequential", {"lineage": (0.0, 1.0)}),
    ):
        with Investigation(warehouse, pattern=pattern, faults=FaultPlan(plan), seed=0) as inv:
            out[label] = inv.investigate("INC-001")
    return out


def titled_and_labelled(fig):
    assert fig.layout.title.text, "no title"
    titles = all_axis_titles(fig)
    assert titles and all(titles.values()), f"unlabelled axes: {titles}"


def test_lesson_warehouse_is_reused_and_a_broken_file_is_rebuilt(tmp_path, warehouse):
    assert lesson_warehouse(seed=0) == warehouse  # the second call reuses the file
    broken = tmp_path / "incident_lab-seed0.duckdb"
    broken.write_bytes(b"not a database")
    rebuilt = lesson_warehouse(seed=0, folder=tmp_path)
    con = open_warehouse(rebuilt)
    try:
        assert con.execute("SELECT count(*) FROM ops.alerts").fetchall() == [(12,)]
    finally:
        con.close()


def test_null_rate_figure_marks_the_change_and_plots_percent():
    daily = pd.DataFrame({"day": pd.date_range("2026-11-18", periods=4).date, "null_rate": [0.0, 0.0004, 0.037, 0.083]})
    change = pd.Timestamp("2026-11-20 14:05").to_pydatetime()
    fig = null_rate_figure(daily, change, "nulls per day")
    titled_and_labelled(fig)
    assert list(fig.data[0].y) == [0.0, 0.04, 3.7, 8.3]
    assert len(fig.layout.shapes) == 1 and "2026-11-20 14:05" in fig.layout.annotations[0].text
    assert not null_rate_figure(daily, None, "no change").layout.shapes


def test_downstream_figure_places_each_model_at_its_longest_route():
    edges = pd.DataFrame(
        [("root", "a"), ("root", "b"), ("a", "c"), ("c", "d"), ("b", "d"), ("elsewhere", "x")],
        columns=["parent", "child"],
    )
    fig = downstream_figure(edges, "root", "below root")
    titled_and_labelled(fig)
    nodes = fig.data[1]
    level = {text: x for text, x in zip(nodes.hovertext, nodes.x)}
    assert level == {"root": 0, "a": 1, "b": 1, "c": 2, "d": 3}  # d is read by b (level 1) and c (level 2)


def test_the_warehouses_graph_below_orders_daily(warehouse):
    con = open_warehouse(warehouse)
    try:
        edges = con.sql(
            "SELECT DISTINCT input AS parent, e.job_name AS child FROM lineage.run_events AS e, "
            "unnest(e.inputs) AS i(input) WHERE e.event_type = 'COMPLETE'"
        ).df()
    finally:
        con.close()
    nodes = downstream_figure(edges, "marts.orders_daily", "below orders_daily").data[1]
    assert len(nodes.x) == 14 and max(nodes.x) == 4  # the table and its 13 models, four levels deep


def test_handoff_table_follows_a_wrong_answer(runs):
    healthy = handoff_table(runs["healthy"])
    assert list(healthy.index) == ["orchestrator", "lineage", "source", "impact", "synthesizer"]
    assert set(healthy["verdict"]) == {"right"}
    assert healthy.loc["impact", "handed_over"] == "13 downstream models"
    impact = handoff_table(runs["impact broken"])
    assert impact.loc["impact", "verdict"] == "wrong" and impact.loc["impact", "handed_over"] == "4 downstream models"
    assert impact.loc["impact", "injected"] == "silent" and "completeness" in impact.loc["impact", "checks"]
    assert impact.loc["synthesizer", "verdict"] == "wrong" and impact.loc["lineage", "verdict"] == "right"
    chain, hybrid = handoff_table(runs["lineage broken, chain"]), handoff_table(runs["lineage broken, hybrid"])
    assert chain.loc["source", "verdict"] == "wrong" and "no change detected" in chain.loc["source", "handed_over"]
    assert hybrid.loc["source", "verdict"] == "right"


def test_trail_figure_colours_every_cell_by_its_verdict(runs):
    fig = trail_figure(runs, "trail")
    titled_and_labelled(fig)
    cells = {(x, y): trace.name for trace in fig.data for x, y in zip(trace.x, trace.y)}
    assert len(cells) == 5 * len(runs)
    assert cells[("impact", "impact broken")] == "wrong" and cells[("source", "lineage broken, chain")] == "wrong"
    assert cells[("source", "lineage broken, hybrid")] == "right"


def test_a_rejected_attempt_shows_as_rejected(warehouse):
    from incident_lab import DefenseSettings

    defenses = DefenseSettings(completeness=True, retries=0)
    with Investigation(warehouse, faults=FaultPlan({"impact": (0.0, 1.0)}), defenses=defenses, seed=0) as inv:
        record = inv.investigate("INC-001")
    table = handoff_table(record)
    assert table.loc["impact", "verdict"] == "rejected" and record.outcome == "detected_failure"
    assert table.loc["synthesizer", "verdict"] == "not run"


def test_defense_explorer_moves_its_figure_in_place(warehouse, record_property):
    box = defense_explorer(warehouse, runs=12, seed=0)
    fig = box.figure
    titled_and_labelled(fig)
    before = [list(t.x) for t in fig.data[:3]]
    assert before[1][1] > 0, "impact broken at P = 0.6 with no defenses leaves silent failures"
    box.controls["completeness"].value = True
    after = [list(t.x) for t in fig.data[:3]]
    assert box.figure is fig
    assert after[1][1] == 0 and after[2][1] > before[2][1], "the cross-check turns silent into detected"
    validation, completeness, _gate = fig.data[3].x
    assert completeness == 100.0, "the completeness check catches every short count"
    assert validation == 0.0, "validation catches none of them"
    box.controls["retries"].value = 2
    assert list(fig.data[0].x)[1] > after[0][1], "retries turn detected failures back into correct ones"
    box.controls["agent"].value = "source"
    assert "<b>source broken" in box.readout.value and list(fig.data[3].x)[1] == 0.0
    record_property("defense_explorer_update_ms", round(box.last_update_ms, 1))


def test_the_defense_explorer_says_why_a_check_has_no_rate_and_shows_p_and_s_as_percentages(warehouse):
    """The gate is measured only when it is on: off, its bar once read "nothing wrong seen" beside
    validation's "0/8". P and S read as percentages, like lesson 06's sliders."""
    box = defense_explorer(warehouse, runs=12, seed=0)
    checks = list(box.figure.data[3].y)
    labels = dict(zip(checks, box.figure.data[3].text))
    gate = next(label for label in checks if "human" in label)
    assert labels[gate] == "gate off: not measured"
    assert all(re.fullmatch(r"\d+/\d+", labels[c]) for c in checks if c != gate), labels
    box.controls["human_gate"].value = True
    gate_label = dict(zip(box.figure.data[3].y, box.figure.data[3].text))[gate]
    assert re.fullmatch(r"\d+/\d+", gate_label) or gate_label == "nothing wrong reached it", gate_label
    for name in ("reliability", "silent_share"):
        assert box.controls[name].readout_format.endswith("%"), name
    assert "P\u00a0=\u00a060%" in box.readout.value and "S\u00a0=\u00a0100%" in box.readout.value, box.readout.value
    title = box.figure.layout.title.text
    box.controls["reliability"].value = 0.3
    assert "P\u00a0=\u00a030%" in box.readout.value and box.figure.layout.title.text == title, "settings: readout"


def test_each_move_of_the_defense_explorer_redraws_its_figure_once(warehouse, monkeypatch):
    assert_each_move_redraws_each_figure_once(defense_explorer(warehouse, runs=6, seed=0), monkeypatch, "defense")


def test_with_no_defense_on_a_new_agent_runs_one_batch_of_real_investigations(warehouse, monkeypatch):
    """With every defense off, "your defenses" is the undefended batch: running it twice doubled the
    wait for each new agent or pattern."""
    import incident_lab

    batches = []
    real = incident_lab.shadow_run
    monkeypatch.setattr(incident_lab, "shadow_run", lambda *a, **k: batches.append(k["pattern"]) or real(*a, **k))
    box = defense_explorer(warehouse, runs=6, seed=5)
    batches.clear()
    box.controls["agent"].value = "source"
    assert len(batches) == 1
    base, yours = zip(*(trace.x for trace in box.figure.data[:3]))
    assert base == yours
    box.controls["validate"].value = True
    assert len(batches) == 2, "a defense switched on runs its own batch"


def test_shadow_and_bridge_views(warehouse):
    plan = {"impact": (0.8, 0.8)}
    report = shadow_run(warehouse, runs=36, seed=3, faults=FaultPlan(plan))
    fig = reliability_figure(report.agents(), {"impact": 0.8}, "reliability")
    titled_and_labelled(fig)
    impact = report.agent_rates("impact")
    index = list(fig.data[0].x).index("impact")
    assert fig.data[0].y[index] == pytest.approx(100 * impact["reliability"], abs=0.01)
    low, high = impact["reliability_ci"]
    assert fig.data[0].y[index] + fig.data[0].error_y.array[index] == pytest.approx(100 * high, abs=0.01)
    assert fig.data[0].y[index] - fig.data[0].error_y.arrayminus[index] == pytest.approx(100 * low, abs=0.01)
    bridge = bridge_figure(report.measured(), predicted(report, trials=20_000, seed=0), "bridge")
    titled_and_labelled(bridge)
    assert [t.name for t in bridge.data] == ["measured (real runs)", "predicted (simulator)"]
    assert sum(bridge.data[0].y) == pytest.approx(100, abs=0.01)
    table = catch_table(report)
    assert ("direct_children_only", "completeness cross-check") in table.index
    row = table.loc[("direct_children_only", "completeness cross-check")]
    assert row.caught == row.seen > 0


# ---- the lesson's shape --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lesson():
    return nbformat.read(LESSON, as_version=4)


def test_lesson_opens_with_what_it_builds_on_and_what_you_will_be_able_to_do(lesson):
    first = lesson.cells[0]
    assert first.cell_type == "markdown"
    assert "**Builds on:**" in first.source and "06_orders_daily_incident.ipynb" in first.source
    assert "You will be able to" in first.source


def test_lesson_closes_with_takeaways_and_real_links(lesson):
    last = lesson.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Key takeaways")
    links = dict(re.findall(r"\[([^\]]+)\]\(([^)]+)\)", last.source))
    targets = set(links.values())
    assert {"CONTENTS.md", "00_start_here.ipynb", "../exercises/06_completeness_sql.ipynb"} <= targets
    assert "Where next" in last.source and "Practise it:" in last.source
    for target in targets:
        assert (LESSON.parent / target).exists(), target


def test_lesson_is_thin_seeded_and_checked(lesson):
    code = [c.source for c in lesson.cells if c.cell_type == "code"]
    checked = [c for c in lesson.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert len(checked) >= 5
    for source in code:
        assert "def " not in source and "class " not in source, "logic belongs in incident_lab or explorers"
        if "shadow_run(" in source or "Investigation(" in source or "predicted(" in source:
            assert "seed=" in source, source[:80]
    text = "\n".join(code)
    assert "defense_explorer(" in text and "runs=200" in text
    assert "orchlab incident --runs 2000" in "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")

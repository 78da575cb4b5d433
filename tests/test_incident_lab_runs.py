"""The incident lab's runs: the clean cast is right on every incident in both patterns, each fault
kind does its own wrong thing and is judged afterwards, each real defense catches what it can,
checkpoints resume, retries retry, and the hybrid's investigators really run at the same time."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import pytest

from incident_lab import (
    WORKED_EXAMPLE,
    DefenseSettings,
    FaultPlan,
    Investigation,
    make_cast,
    shadow_run,
)
from incident_lab.agents import SCRIPTED
from simulator.contracts import NO_CHANGE
from tests.test_incident_lab_warehouse import below, graph, shared_warehouse

ALL_ON = dict(validate=True, completeness=True, retries=1, human_gate=True)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return shared_warehouse(tmp_path_factory)


@pytest.mark.parametrize("pattern", ["sequential", "hybrid"])
def test_the_clean_cast_is_right_on_every_incident(warehouse, pattern):
    with Investigation(warehouse, pattern, defenses=DefenseSettings(**ALL_ON)) as inv:
        for incident in inv.incidents:
            record = inv.investigate(incident)
            assert record.outcome == "correct", (incident.incident_id, record.attempts)
            truth = inv.truth[incident.incident_id]
            summary = record.summary
            assert summary.source_table == truth.source_table
            assert summary.affected_downstream_models == truth.downstream_count
            assert summary.last_api_change == (truth.change_at or NO_CHANGE)


def always_silent(role):
    return FaultPlan({role: (0.0, 1.0)})


@pytest.mark.parametrize("pattern", ["sequential", "hybrid"])
def test_each_silent_fault_does_its_own_wrong_thing(warehouse, pattern):
    children = None
    with Investigation(warehouse, pattern, faults=always_silent("lineage")) as inv:
        r = inv.investigate(WORKED_EXAMPLE)
        truth = inv.truth[WORKED_EXAMPLE]
        assert r.accepted["lineage"].source_table == truth.upstream_path[-2]
        assert (r.outcome, r.went_wrong_at) == ("silent_failure", "lineage")
    with Investigation(warehouse, pattern, faults=always_silent("source")) as inv:
        for incident in inv.incidents:
            r = inv.investigate(incident)
            assert r.accepted["source"].last_api_change == NO_CHANGE
            quiet = inv.truth[incident.incident_id].change_at is None
            assert r.outcome == ("correct" if quiet else "silent_failure"), incident.incident_id
    with Investigation(warehouse, pattern, faults=always_silent("impact")) as inv:
        children = graph(inv.con)
        r = inv.investigate(WORKED_EXAMPLE)
        direct = children["marts.orders_daily"]
        assert r.accepted["impact"].models == sorted(direct)
        assert len(direct) < len(below(children, "marts.orders_daily"))
        assert r.went_wrong_at == "impact"
    with Investigation(warehouse, pattern, faults=always_silent("orchestrator")) as inv:
        r = inv.investigate(WORKED_EXAMPLE)
        incident = inv.incident(WORKED_EXAMPLE)
        assert r.accepted["orchestrator"].since == incident.fired_at - timedelta(days=1)
        assert r.accepted["source"].last_api_change == NO_CHANGE
        assert (r.outcome, r.went_wrong_at) == ("silent_failure", "orchestrator")
    with Investigation(warehouse, pattern, faults=always_silent("synthesizer")) as inv:
        dropped = set()
        for i in range(12):
            r = inv.investigate(WORKED_EXAMPLE, i)
            held = set(vars(r.summary))
            dropped |= {"source_table", "last_api_change", "affected_downstream_models"} - held
            assert (r.outcome, r.went_wrong_at) == ("silent_failure", "synthesizer")
        assert len(dropped) >= 2


def test_loud_faults_raise_or_time_out_and_end_the_run_detected(warehouse):
    with Investigation(warehouse, "sequential", faults=FaultPlan({"lineage": (0.0, 0.0)})) as inv:
        errors = set()
        for i in range(8):
            r = inv.investigate(WORKED_EXAMPLE, i)
            assert (r.outcome, r.ended_at) == ("detected_failure", "lineage")
            errors.add(r.attempts[1].error.split(":")[0])
        assert errors == {"BinderException", "AgentTimeout"}


@pytest.mark.parametrize("pattern", ["sequential", "hybrid"])
def test_each_defense_catches_its_kinds_and_not_the_others(warehouse, pattern):
    validate = DefenseSettings(validate=True)
    complete = DefenseSettings(completeness=True)
    cases = [
        ("synthesizer", validate, "detected_failure"),
        ("lineage", validate, "silent_failure"),
        ("lineage", complete, "detected_failure"),
        ("impact", complete, "detected_failure"),
        ("orchestrator", complete, "detected_failure"),
        ("source", complete, "silent_failure"),
        ("source", validate, "silent_failure"),
    ]
    for role, defenses, outcome in cases:
        with Investigation(warehouse, pattern, faults=always_silent(role), defenses=defenses) as inv:
            r = inv.investigate(WORKED_EXAMPLE)
            assert r.outcome == outcome, (role, defenses, r.attempts)
            if outcome == "detected_failure":
                assert (r.ended_at, r.caught_at) == (role, role)


def test_the_simulated_human_gate_stops_wrong_summaries_at_its_stated_rate(warehouse):
    gate = DefenseSettings(human_gate=True, human_catch=1.0)
    with Investigation(warehouse, "hybrid", faults=always_silent("source"), defenses=gate) as inv:
        assert inv.gate.simulated
        r = inv.investigate(WORKED_EXAMPLE)
        assert (r.outcome, r.ended_at, r.caught_at, r.went_wrong_at) == (
            "detected_failure",
            "human_gate",
            "human_gate",
            "source",
        )
    report = shadow_run(
        warehouse,
        120,
        3,
        "hybrid",
        always_silent("source"),
        DefenseSettings(human_gate=True, human_catch=0.5),
        None,
        [WORKED_EXAMPLE],
    )
    caught = report.outcome_counts()["detected_failure"] / report.runs
    assert abs(caught - 0.5) < 4 * (0.25 / report.runs) ** 0.5  # binomial, 4 standard errors


def test_retries_turn_loud_failures_into_successes(warehouse):
    flaky = FaultPlan({"impact": (0.5, 0.0)})
    without = shadow_run(warehouse, 60, 2, "hybrid", flaky, DefenseSettings(retries=0))
    with_retries = shadow_run(warehouse, 60, 2, "hybrid", flaky, DefenseSettings(retries=3, backoff=0.0001))
    assert without.outcome_counts()["detected_failure"] > with_retries.outcome_counts()["detected_failure"]
    retried = [r for r in with_retries.records if any(a.attempt > 0 for a in r.attempts)]
    assert retried and all(r.attempts[-1].role in ("impact", "synthesizer") for r in retried)


def test_checkpoints_hold_every_accepted_handoff_and_resume_reruns_nothing(warehouse, tmp_path):
    store = tmp_path / "runs.sqlite"
    with Investigation(warehouse, "hybrid", defenses=DefenseSettings(checkpoints=store, **ALL_ON)) as inv:
        first = inv.investigate(WORKED_EXAMPLE, 7)
        rows = sqlite3.connect(store).execute("SELECT role FROM handoffs WHERE run_id = ?", (first.run_id,)).fetchall()
        assert {r[0] for r in rows} == {"orchestrator", "lineage", "source", "impact", "synthesizer"}
        again = inv.investigate(WORKED_EXAMPLE, 7, resume=first.run_id)
        assert set(again.restored) == {"orchestrator", "lineage", "source", "impact", "synthesizer"}
        assert again.attempts == [] and again.outcome == "correct"
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM handoffs WHERE role IN ('impact', 'synthesizer')")
    with Investigation(warehouse, "hybrid", defenses=DefenseSettings(checkpoints=store)) as inv:
        partial = inv.investigate(WORKED_EXAMPLE, 7, resume=first.run_id)
        assert [a.role for a in partial.attempts] == ["impact", "synthesizer"]
        assert partial.outcome == "correct"


def test_hybrid_investigators_run_at_the_same_time_on_their_own_cursors(warehouse):
    barrier = threading.Barrier(3, timeout=10)
    seen = {}

    def concurrent(role):
        def agent(task):
            seen[role] = (threading.get_ident(), id(task.cursor))
            barrier.wait()  # passes only when all three investigators are running at once
            return SCRIPTED[role](task)

        return agent

    cast = make_cast(**{role: concurrent(role) for role in ("lineage", "source", "impact")})
    with Investigation(warehouse, "hybrid", cast=cast) as inv:
        record = inv.investigate(WORKED_EXAMPLE)
    assert record.outcome == "correct"
    assert len({t for t, _ in seen.values()}) == 3 and len({c for _, c in seen.values()}) == 3
    assert threading.get_ident() not in {t for t, _ in seen.values()}


def test_same_seed_same_runs(warehouse):
    faults = FaultPlan.parse(["lineage=0.8:0.5", "impact=0.8:0.5", "source=0.8:0.5"])
    a = shadow_run(warehouse, 40, 9, "hybrid", faults, DefenseSettings(**ALL_ON))
    b = shadow_run(warehouse, 40, 9, "hybrid", faults, DefenseSettings(**ALL_ON))
    assert [(r.outcome, r.went_wrong_at, r.caught_at) for r in a.records] == [
        (r.outcome, r.went_wrong_at, r.caught_at) for r in b.records
    ]
    assert a.agents() == b.agents()


SPEED_FAULTS = ["orchestrator=0.95:0.5", "lineage=0.9:0.6", "source=0.9:0.7", "impact=0.9:0.6", "synthesizer=0.95:0.5"]


def _fingerprint(report) -> list[tuple]:
    """Everything judged about every run: outcome, where, and each attempt's fault, error, checks and verdict."""
    return [
        (
            r.run_id,
            r.outcome,
            r.went_wrong_at,
            r.caught_at,
            r.ended_at,
            tuple(
                (a.role, a.attempt, a.fault, a.error, a.rejected, a.right, a.input_right, repr(sorted(a.flags.items())))
                for a in r.attempts
            ),
            tuple((role, repr(out)) for role, out in r.accepted.items()),
        )
        for r in report.records
    ]


def test_worker_processes_give_the_same_report_as_one_process(warehouse, tmp_path):
    """Shadow mode split over two processes is the one-process report, run for run, checkpoints included.

    The outcome counts are pinned to what the cast measured before the speed work (seed 1, 240
    hybrid runs: 220 correct, 4 silent, 16 detected), so a faster harness cannot quietly change results.
    """
    faults = FaultPlan.parse(SPEED_FAULTS)
    reports = {}
    for workers in (1, 2):
        defenses = DefenseSettings(**ALL_ON, checkpoints=tmp_path / f"w{workers}.sqlite")
        reports[workers] = shadow_run(warehouse, 240, 1, "hybrid", faults, defenses, workers=workers)
    assert _fingerprint(reports[1]) == _fingerprint(reports[2])
    assert reports[1].catch_rates() == reports[2].catch_rates()
    assert reports[2].outcome_counts() == {"correct": 220, "silent_failure": 4, "detected_failure": 16}
    rows = {}
    for workers in (1, 2):
        with sqlite3.connect(tmp_path / f"w{workers}.sqlite") as con:
            rows[workers] = con.execute("SELECT * FROM handoffs ORDER BY run_id, role").fetchall()
    assert rows[1] == rows[2] and len(rows[1]) > 240 * 4


def test_a_missing_warehouse_is_named_before_any_worker_starts(tmp_path):
    from incident_lab import WarehouseError

    with pytest.raises(WarehouseError, match="no such file"):
        shadow_run(tmp_path / "missing.duckdb", 300, 0, "hybrid", workers=2)

"""Shared-state strategies: only blind overwrite loses updates, simulated and for real in SQLite."""

import sqlite3

import pytest

from simulator import throughput_share
from simulator.shared_state import STRATEGIES, compare_strategies, contention_sweep, run_shared_state
from simulator.sqlite_contention import compare_sqlite, replay_events


def test_simulated_strategies_lose_updates_only_under_blind_overwrite():
    table = compare_strategies(agents=5, updates=40, contention=0.6, seed=1).set_index("strategy")
    assert table.loc["blind_overwrite", "lost_updates"] > 0
    for strategy in ("optimistic_locking", "event_sourcing", "agent_scoped"):
        assert table.loc[strategy, "lost_updates"] == 0
        assert table.loc[strategy, "final_value"] == 200
    assert table.loc["optimistic_locking", "conflict_retries"] > 0
    assert table.loc["optimistic_locking", "mean_latency"] > table.loc["event_sourcing", "mean_latency"]


def test_contention_raises_losses_and_conflicts():
    sweep = contention_sweep(levels=(0.05, 0.5, 1.0), agents=4, updates=60, seed=2)
    lost = sweep[sweep.strategy == "blind_overwrite"]["lost_updates"].tolist()
    retries = sweep[sweep.strategy == "optimistic_locking"]["conflict_retries"].tolist()
    assert lost == sorted(lost) and lost[0] < lost[-1]
    assert retries[0] < min(retries[1:]) / 3  # overlap, and so conflicts, grow with contention


@pytest.mark.parametrize(
    "agents, contention, seed", [(2, 1.0, 0), (4, 0.05, 3), (4, 0.5, 0), (7, 0.3, 11), (10, 1.0, 5)]
)
def test_the_strategies_meet_the_same_draws_and_differ_only_by_what_conflicts_cost(agents, contention, seed):
    """Common random numbers: strategies that never redo work take exactly the conflict-free time;
    optimistic locking only adds retries to it, so no strategy beats the conflict-free run (a
    shared stream once let optimistic locking beat event sourcing, and event sourcing score 112 %)."""
    table = throughput_share(compare_strategies(agents, 40, contention, seed)).set_index("strategy")
    free = table["conflict_free_duration"]
    assert free.nunique() == 1
    for strategy in ("blind_overwrite", "event_sourcing", "agent_scoped"):
        assert table.loc[strategy, "duration"] == pytest.approx(free.iloc[0], rel=1e-12), strategy
    assert table.loc["optimistic_locking", "duration"] >= free.iloc[0]
    assert table.loc["event_sourcing", "throughput_share"] == pytest.approx(1.0, rel=1e-12)
    assert table.loc["agent_scoped", "throughput_share"] == pytest.approx(1.0, rel=1e-12)
    kept = table.loc["blind_overwrite", "final_value"] / table.loc["blind_overwrite", "expected_total"]
    assert table.loc["blind_overwrite", "throughput_share"] == pytest.approx(kept, rel=1e-12)
    assert table["throughput_share"].max() <= 1 + 1e-12
    assert table.loc["optimistic_locking", "throughput"] <= table.loc["event_sourcing", "throughput"]


def test_a_lone_agent_never_conflicts():
    for strategy in STRATEGIES:
        assert run_shared_state(strategy, agents=1, updates=30, contention=1.0, seed=0)["lost_updates"] == 0


def test_real_sqlite_loses_updates_only_under_blind_overwrite(tmp_path):
    table = compare_sqlite(tmp_path, writers=4, updates=25, hold=0.003).set_index("strategy")
    assert table.loc["blind_overwrite", "lost_updates"] > 0
    for strategy in ("optimistic_locking", "event_sourcing", "agent_scoped"):
        assert table.loc[strategy, "lost_updates"] == 0, strategy
        assert table.loc[strategy, "final_value"] == 100
    assert table.loc["optimistic_locking", "conflict_retries"] > 0
    with sqlite3.connect(tmp_path / "event_sourcing.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 100
    assert replay_events(tmp_path / "event_sourcing.sqlite") == 100


def test_bad_strategy_is_named():
    with pytest.raises(ValueError, match="strategy"):
        run_shared_state("last_writer_wins")

"""The vectorised engine is the SimPy model in distribution: outcomes, calls and latency agree."""

import numpy as np
import pytest

from simulator import Latency, load_scenario, simulate, uniform_scenario
from tests.helpers import assert_same_rate

CASES = {
    "chain": uniform_scenario("sequential", 5, 0.85),
    "chain_defended": uniform_scenario(
        "sequential",
        4,
        0.8,
        catch_rate=0.6,
        retries=2,
        backoff=0.5,
        completeness=True,
        completeness_rate=0.7,
        validation_latency=0.2,
    ),
    "chain_correlated_gate": uniform_scenario(
        "sequential", 3, 0.85, correlation=0.5, retries=1, catch_rate=0.5, human_gate=True, human_delay=30.0
    ),
    "fanout_quorum_replicas": uniform_scenario(
        "fanout",
        4,
        0.85,
        fan_in="quorum:3",
        catch_rate=0.4,
        retries=1,
        redundant=True,
        latency=Latency("exponential", 3.0),
    ),
    "fanout_any_replicas": uniform_scenario(
        "fanout", 3, 0.7, fan_in="any", redundant=True, latency=Latency("uniform", 2.0, 0.5)
    ),
    "hybrid_quorum_distinct": uniform_scenario(
        "hybrid", 3, 0.8, fan_in="quorum:2", completeness=True, completeness_rate=0.6
    ),
    "orders_daily": load_scenario("orders_daily").with_defenses(catch_rate=0.5, retries=1, false_reject_rate=0.02),
}
N_FAST, N_SIMPY = 40_000, 10_000


def ks_statistic(a, b):
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, "right") / a.size - np.searchsorted(b, grid, "right") / b.size))


@pytest.mark.parametrize("case", CASES)
def test_engines_agree_in_distribution(case):
    fast = simulate(CASES[case], trials=N_FAST, seed=1, engine="vectorised")
    slow = simulate(CASES[case], trials=N_SIMPY, seed=2, engine="simpy")
    f, s = fast.stats(), slow.stats()
    for rate in ("success_rate", "silent_failure_rate", "detected_failure_rate"):
        assert_same_rate(f[rate], s[rate], N_FAST, N_SIMPY, f"{case} {rate}")
    for column in ("calls", "retries"):
        sd = np.sqrt(fast.trials[column].var() / N_FAST + slow.trials[column].var() / N_SIMPY)
        assert abs(f[f"mean_{column}"] - s[f"mean_{column}"]) <= 4 * sd + 1e-9, column
    # two-sample Kolmogorov-Smirnov at alpha = 0.001: critical value 1.95 * sqrt((n+m)/(n*m))
    d = ks_statistic(fast.trials["latency"].to_numpy(), slow.trials["latency"].to_numpy())
    assert d < 1.95 * np.sqrt((N_FAST + N_SIMPY) / (N_FAST * N_SIMPY)), f"{case} latency KS {d:.4f}"
    # where failures start and where they end up agree too
    for column in ("first_failure_mode", "ended_at"):
        a = fast.trials[column].fillna("none").value_counts(normalize=True)
        b = slow.trials[column].fillna("none").value_counts(normalize=True)
        for key in set(a.index) | set(b.index):
            assert_same_rate(a.get(key, 0.0), b.get(key, 0.0), N_FAST, N_SIMPY, f"{case} {column}={key}")


def test_both_engines_produce_the_same_columns():
    fast = simulate(CASES["orders_daily"], trials=50, seed=0, engine="vectorised").trials
    slow = simulate(CASES["orders_daily"], trials=50, seed=0, engine="simpy").trials
    assert set(fast.columns) == set(slow.columns)

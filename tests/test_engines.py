"""The two engines are one model: random scenarios, held to each other and to the closed forms.

Hypothesis draws scenarios (pattern, agents, reliability, silent share, every defense with its
catch rate, correlation, fan-in rule, replicas, retries with backoff, latency shape) with
``derandomize=True``, so the same examples run every time; each run has a fixed seed. Rates
must agree within 4.5 standard errors (about 400 comparisons in all, so a false alarm is rare
even if a change of draw order reshuffles the numbers); latencies by a two-sample
Kolmogorov-Smirnov test at alpha = 0.0001.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import (
    Latency,
    correlated_chain,
    expected_outcomes,
    k_of_n,
    retry_success,
    simulate,
    uniform_scenario,
)
from tests.helpers import assert_rate, assert_same_rate

N_FAST, N_SIMPY = 40_000, 4_000
SIGMAS = 4.5
KS_CRITICAL = 2.23  # c(alpha) = sqrt(-ln(alpha / 2) / 2) at alpha = 0.0001
EXAMPLES = 20


@st.composite
def scenarios(draw):
    """A random sequential, fanout or hybrid scenario with any mix of defenses."""
    pattern = draw(st.sampled_from(["sequential", "fanout", "hybrid"]))
    agents = draw(st.integers(1, 4))
    options = dict(
        reliability=draw(st.sampled_from([0.6, 0.75, 0.85, 0.95, 1.0])),
        silent_share=draw(st.sampled_from([0.0, 0.3, 0.6, 1.0])),
        catch_rate=draw(st.sampled_from([0.0, 0.4, 0.9])),
        false_reject_rate=draw(st.sampled_from([0.0, 0.0, 0.1])),
        completeness=draw(st.booleans()),
        completeness_rate=draw(st.sampled_from([0.5, 1.0])),
        checkpoints=draw(st.booleans()),
        baseline_catch_rate=draw(st.sampled_from([0.0, 0.5])),
        human_gate=draw(st.booleans()),
        human_catch_rate=draw(st.sampled_from([0.5, 0.9])),
        human_delay=draw(st.sampled_from([0.0, 5.0])),
        retries=draw(st.integers(0, 2)),
        backoff=draw(st.sampled_from([0.0, 0.5])),
        validation_latency=draw(st.sampled_from([0.0, 0.2])),
        correlation=draw(st.sampled_from([0.0, 0.0, 0.5])),
        latency=Latency(draw(st.sampled_from(["lognormal", "exponential", "uniform", "fixed"])), 2.0, 0.5),
    )
    if pattern != "sequential":
        fan_in = draw(st.sampled_from(["all", "any"] + [f"quorum:{k}" for k in range(1, agents + 1)]))
        options.update(fan_in=fan_in, redundant=draw(st.booleans()))
    return uniform_scenario(pattern, agents, **options)


def ks_statistic(a, b):
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, "right") / a.size - np.searchsorted(b, grid, "right") / b.size))


def closed_form(scenario) -> tuple[dict | None, float | None]:
    """The outcome rates theory gives for ``scenario`` (or None), and its success rate alone (or None)."""
    d, width = scenario.defenses, len(scenario.agents)
    success = None
    if scenario.pattern == "sequential" and d.retries == 0 and d.false_reject_rate == 0:
        success = correlated_chain(scenario.agents[0].reliability, width, scenario.correlation)
    if scenario.correlation:
        return None, success
    if scenario.redundant and scenario.quorum < len(scenario.workers):
        if scenario.pattern == "fanout" and scenario.agents[0].silent_share == 0 and d.false_reject_rate == 0:
            q = retry_success(scenario.agents[0].reliability, d.retries)
            success = (
                k_of_n(q, scenario.quorum, len(scenario.workers)) * q
            )  # loud failures only: K of N, then synthesis
        return None, success
    return expected_outcomes(scenario), success


def shares(frame, column):
    return frame[column].astype(object).fillna("none").value_counts(normalize=True)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_engines_agree_with_each_other_and_with_theory(scenario):
    fast = simulate(scenario, trials=N_FAST, seed=1, engine="vectorised")
    slow = simulate(scenario, trials=N_SIMPY, seed=2, engine="simpy")
    f, s = fast.rates(), slow.rates()
    for outcome in f:
        assert_same_rate(f[outcome], s[outcome], N_FAST, N_SIMPY, f"engines: {outcome}", SIGMAS)
    for column in ("calls", "retries"):
        a, b = fast.trials[column], slow.trials[column]
        se = np.sqrt(a.var() / N_FAST + b.var() / N_SIMPY)
        assert abs(a.mean() - b.mean()) <= SIGMAS * se + 1e-9, f"mean {column}: {a.mean():.4f} vs {b.mean():.4f}"
    # where failures start, where they are caught and where runs end agree too
    for column in ("first_failure_agent", "first_failure_mode", "degradation", "caught_at", "ended_at"):
        a, b = shares(fast.trials, column), shares(slow.trials, column)
        for key in set(a.index) | set(b.index):
            assert_same_rate(a.get(key, 0.0), b.get(key, 0.0), N_FAST, N_SIMPY, f"{column}={key}", SIGMAS)
    # to the microsecond: the engines add the same durations in different orders (and the SimPy one
    # measures from a trial's start on a shared clock), so a fixed latency may differ in its last bits
    d = ks_statistic(fast.trials["latency"].round(6).to_numpy(), slow.trials["latency"].round(6).to_numpy())
    assert d < KS_CRITICAL * np.sqrt((N_FAST + N_SIMPY) / (N_FAST * N_SIMPY)), f"latency KS {d:.4f}"

    expected, success = closed_form(scenario)
    for result, n in ((fast, N_FAST), (slow, N_SIMPY)):
        if expected is not None:
            for outcome, rate in result.rates().items():
                assert_rate(rate, expected[outcome], n, f"{result.engine} {outcome} vs closed form", SIGMAS)
        if success is not None:
            assert_rate(result.success_rate, success, n, f"{result.engine} success vs closed form", SIGMAS)


def test_the_scenarios_drawn_cover_the_model():
    """The examples above reach every pattern, fan-in rule and defense (so the property means something)."""
    seen = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None)
    @given(scenario=scenarios())
    def collect(scenario):
        seen.append(scenario)

    collect()
    assert {s.pattern for s in seen} == {"sequential", "fanout", "hybrid"}
    assert {s.fan_in.split(":")[0] for s in seen if s.pattern != "sequential"} >= {"all", "any", "quorum"}
    assert any(s.redundant for s in seen) and any(s.correlation for s in seen)
    for switch in ("completeness", "checkpoints", "human_gate", "retries", "catch_rate", "false_reject_rate"):
        assert any(getattr(s.defenses, switch) for s in seen), switch
    assert sum(closed_form(s)[0] is not None for s in seen) >= EXAMPLES // 3


def test_both_engines_produce_the_same_columns():
    for pattern in ("sequential", "fanout", "hybrid"):
        scenario = uniform_scenario(pattern, 3, 0.8, catch_rate=0.5, retries=1)
        fast = simulate(scenario, trials=50, seed=0, engine="vectorised").trials
        slow = simulate(scenario, trials=50, seed=0, engine="simpy").trials
        assert list(fast.columns) == list(slow.columns)
        assert fast.dtypes["outcome"] == slow.dtypes["outcome"]

"""Invariants of the model for any parameters (hypothesis), on both engines."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import simulate

patterns = st.sampled_from(["sequential", "fanout", "hybrid"])
engines = st.sampled_from(["vectorised", "simpy"])
probability = st.floats(0.0, 1.0)
common = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(
    pattern=patterns,
    engine=engines,
    agents=st.integers(1, 4),
    reliability=probability,
    silent=probability,
    catch=probability,
    retries=st.integers(0, 2),
    correlation=probability,
    seed=st.integers(0, 10_000),
)
def test_bookkeeping_is_consistent(pattern, engine, agents, reliability, silent, catch, retries, correlation, seed):
    trials = simulate(
        pattern=pattern,
        agents=agents,
        reliability=reliability,
        silent_share=silent,
        catch_rate=catch,
        retries=retries,
        correlation=correlation,
        trials=200,
        seed=seed,
        engine=engine,
    ).trials
    assert trials["outcome"].notna().all()
    assert (trials["calls"] >= 1).all() and (trials["retries"] < trials["calls"]).all()
    detected = trials["outcome"] == "detected_failure"
    assert trials.loc[detected, "ended_at"].notna().all()
    assert trials.loc[~detected, "ended_at"].isna().all()
    silent_rows = trials[trials["outcome"] == "silent_failure"]
    assert silent_rows["first_failure_agent"].notna().all()  # something went wrong first (it may have been loud)
    assert (trials["latency"] >= 0).all()


@common
@given(
    pattern=patterns,
    engine=engines,
    agents=st.integers(1, 4),
    reliability=probability,
    silent=probability,
    seed=st.integers(0, 10_000),
)
def test_a_perfect_check_leaves_no_silent_failure(pattern, engine, agents, reliability, silent, seed):
    result = simulate(
        pattern=pattern,
        agents=agents,
        reliability=reliability,
        silent_share=silent,
        catch_rate=1.0,
        trials=200,
        seed=seed,
        engine=engine,
    )
    assert result.silent_failure_rate == 0


@common
@given(
    pattern=patterns, engine=engines, agents=st.integers(1, 4), retries=st.integers(0, 2), seed=st.integers(0, 10_000)
)
def test_perfect_agents_always_succeed_in_one_call_each(pattern, engine, agents, retries, seed):
    result = simulate(
        pattern=pattern,
        agents=agents,
        reliability=1.0,
        retries=retries,
        catch_rate=0.5,
        trials=100,
        seed=seed,
        engine=engine,
    )
    extra = {"sequential": 0, "fanout": 1, "hybrid": 2}[pattern]
    assert result.success_rate == 1.0
    assert (result.trials["calls"] == agents + extra).all()


@common
@given(
    pattern=patterns, engine=engines, reliability=probability, retries=st.integers(0, 3), seed=st.integers(0, 10_000)
)
def test_loud_failures_never_reach_the_output(pattern, engine, reliability, retries, seed):
    result = simulate(
        pattern=pattern,
        agents=3,
        reliability=reliability,
        silent_share=0.0,
        retries=retries,
        trials=200,
        seed=seed,
        engine=engine,
    )
    assert result.silent_failure_rate == 0

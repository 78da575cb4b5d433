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


@settings(max_examples=10, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), reliability=probability, silent=probability, width=st.integers(1, 5))
def test_each_rule_gives_the_same_answer_on_scalars_and_on_arrays(seed, reliability, silent, width):
    """The engines share rules.py: the SimPy engine calls it on scalars, the vectorised one on arrays."""
    import numpy as np

    from simulator import Defenses, rules

    gen = np.random.default_rng(seed)
    n = 64
    u, other, share, check = (gen.random(n) for _ in range(4))
    kind = gen.integers(-1, 4, n)
    new_kind = gen.integers(0, 4, n)
    present = gen.integers(0, width + 1, n)
    table = rules.rejection_table(Defenses(catch_rate=0.4, false_reject_rate=0.1, completeness=True))
    calls = {
        "common_cause": lambda i, a: rules.common_cause(a(u)[i], a(other)[i], a(share)[i], 0.5),
        "attempt": lambda i, a: rules.attempt(a(u)[i], a(share)[i], reliability, silent),
        "handed_on": lambda i, a: rules.handed_on(
            a(kind)[i], rules.attempt(a(u)[i], a(share)[i], reliability, silent), a(new_kind)[i]
        ),
        "starts_silent_failure": lambda i, a: rules.starts_silent_failure(a(kind)[i], a(kind)[i] % 3),
        "rejected": lambda i, a: rules.rejected(a(check)[i], a(kind)[i], a(table)),
        "fan_in": lambda i, a: rules.fan_in(a(present)[i], width, min(2, width), bool(seed % 2), bool(seed % 3)),
        "first_wrong": lambda i, a: rules.first_wrong(a(kind)[i], a(new_kind)[i] - 1),
        "synthesis_input": lambda i, a: rules.synthesis_input(a(kind)[i], a(present)[i] % 4),
        "gate_stops": lambda i, a: rules.gate_stops(a(kind)[i], a(check)[i], 0.7),
        "outcome_code": lambda i, a: rules.outcome_code(a(check)[i] < 0.3, a(kind)[i]),
    }
    as_array, as_scalars = np.asarray, lambda x: [v.item() for v in np.asarray(x)]
    everything = slice(None)
    for name, call in calls.items():
        vector = np.asarray(call(everything, as_array))
        one_by_one = [call(i, as_scalars) for i in range(n)]
        assert all(type(v) in (bool, int, float) for v in one_by_one), name
        assert vector.tolist() == [int(v) if isinstance(v, bool) else v for v in one_by_one], name

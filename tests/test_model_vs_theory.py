"""Every pattern and defense held to its closed form (fixed seeds, 4 standard errors).

Both engines are checked wherever both run the pattern.
"""

import pytest

from simulator import (
    Hierarchy,
    Latency,
    correlated_chain,
    correlated_retry_success,
    expected_outcomes,
    hierarchical_outcomes,
    k_of_n,
    load_scenario,
    simulate,
    uniform_scenario,
)
from tests.helpers import assert_rate

TRIALS = {"vectorised": 60_000, "simpy": 12_000}
ENGINES = list(TRIALS)


def check_against_theory(scenario, engine, seed, expected=None):
    expected = expected or expected_outcomes(scenario)
    result = simulate(scenario, trials=TRIALS[engine], seed=seed, engine=engine)
    for outcome, name in (
        ("correct", "success_rate"),
        ("silent_failure", "silent_failure_rate"),
        ("detected_failure", "detected_failure_rate"),
    ):
        assert_rate(result.stats()[name], expected[outcome], TRIALS[engine], f"{engine} {outcome}")
    return result


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("p,n", [(0.85, 5), (0.95, 3), (0.99, 8)])
def test_chain_success_is_p_to_the_n(engine, p, n):
    check_against_theory(
        uniform_scenario("sequential", n, p),
        engine,
        seed=n,
        expected={
            "correct": p**n,
            "silent_failure": expected_outcomes(uniform_scenario("sequential", n, p))["silent_failure"],
            "detected_failure": expected_outcomes(uniform_scenario("sequential", n, p))["detected_failure"],
        },
    )


DEFENCES = {
    "validation": dict(catch_rate=0.7),
    "validation_and_retries": dict(catch_rate=0.7, retries=2, backoff=1.0),
    "retries_only": dict(retries=2),
    "completeness": dict(completeness=True, completeness_rate=0.8),
    "checkpoints_vs_baseline": dict(checkpoints=True, baseline_catch_rate=0.5, checkpoint_latency=0.1),
    "human_gate": dict(human_gate=True, human_catch_rate=0.8, human_delay=60.0),
    "false_rejects": dict(catch_rate=0.9, false_reject_rate=0.05, retries=1),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("defence", DEFENCES)
def test_defences_in_a_chain(engine, defence):
    scenario = uniform_scenario("sequential", 4, 0.85, silent_share=0.6, **DEFENCES[defence])
    check_against_theory(scenario, engine, seed=11)


def test_retries_do_not_fix_silent_failures():
    """Retries only re-run what was detected: with no checks, the silent rate does not move."""
    plain = expected_outcomes(uniform_scenario("sequential", 5, 0.9, silent_share=1.0))
    retried = expected_outcomes(uniform_scenario("sequential", 5, 0.9, silent_share=1.0, retries=3))
    assert retried == pytest.approx(plain)
    result = simulate(
        pattern="sequential", agents=5, reliability=0.9, silent_share=1.0, retries=3, trials=50_000, seed=2
    )
    assert result.stats()["mean_retries"] == 0
    assert_rate(result.silent_failure_rate, plain["silent_failure"], 50_000)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("options", [dict(), dict(catch_rate=0.5, retries=1), dict(completeness=True, human_gate=True)])
def test_fanout_all_and_hybrid(engine, options):
    for pattern in ("fanout", "hybrid"):
        check_against_theory(uniform_scenario(pattern, 3, 0.9, **options), engine, seed=5)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("quorum", ["any", "quorum:2"])
def test_fan_in_quorum_is_k_of_n_when_failures_are_loud(engine, quorum):
    scenario = uniform_scenario("fanout", 3, 0.8, silent_share=0.0, fan_in=quorum, redundant=True)
    scenario = scenario.replace(agents=scenario.agents[:-1] + (scenario.agents[-1].__class__("synthesizer", 1.0),))
    k = scenario.quorum
    result = simulate(scenario, trials=TRIALS[engine], seed=9, engine=engine)
    assert_rate(result.success_rate, k_of_n(0.8, k, 3), TRIALS[engine], quorum)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("completeness", [False, True])
def test_distinct_subtasks_under_a_quorum(engine, completeness):
    """Synthesizing from fewer than all distinct subtasks is silently incomplete, unless the signal is checked."""
    scenario = uniform_scenario("hybrid", 3, 0.85, fan_in="quorum:2", completeness=completeness, retries=1)
    result = check_against_theory(scenario, engine, seed=8)
    partial = result.trials["branches_delivered"] == 2
    assert partial.any()
    expected = "detected_failure" if completeness else "silent_failure"
    assert (result.trials.loc[partial, "outcome"] == expected).mean() > (0.99 if completeness else 0.8)


@pytest.mark.parametrize("engine", ENGINES)
def test_orders_daily_matches_its_closed_form(engine):
    check_against_theory(load_scenario("orders_daily").with_defenses(catch_rate=0.6, retries=1), engine, seed=3)


@pytest.mark.parametrize("reroute", [True, False])
def test_hierarchical_matches_its_closed_form(reroute):
    scenario = uniform_scenario(
        "hierarchical",
        3,
        0.9,
        retries=1,
        hierarchy=Hierarchy(1, 3, routing_accuracy=0.8, reroute=reroute, step_budget=10_000),
    )
    check_against_theory(scenario, "simpy", seed=4, expected=hierarchical_outcomes(scenario))


def test_a_tight_step_budget_turns_reroutes_into_detected_failures():
    loose = uniform_scenario("hierarchical", 3, 0.8, silent_share=0.0, hierarchy=Hierarchy(3, 3, 0.9, True, 10_000))
    tight = loose.replace(hierarchy=Hierarchy(3, 3, 0.9, True, 3))
    r_loose, r_tight = simulate(loose, trials=5000, seed=1), simulate(tight, trials=5000, seed=1)
    assert r_tight.detected_failure_rate > r_loose.detected_failure_rate + 0.1
    assert (r_tight.trials["steps"].dropna() <= 3).all()
    assert set(r_tight.trials["ended_at"].dropna()) <= {"step_budget", "orchestrator"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_correlated_chain_matches_its_closed_form(engine, rho):
    scenario = uniform_scenario("sequential", 5, 0.85, correlation=rho)
    result = simulate(scenario, trials=TRIALS[engine], seed=21, engine=engine)
    assert_rate(result.success_rate, correlated_chain(0.85, 5, rho), TRIALS[engine], f"rho={rho}")


@pytest.mark.parametrize("engine", ENGINES)
def test_correlation_makes_retries_buy_less(engine):
    """With a shared cause a retry repeats the same bad draw more often than independence predicts."""
    base = dict(
        pattern="sequential",
        agents=1,
        reliability=0.8,
        silent_share=0.0,
        retries=2,
        trials=TRIALS[engine],
        engine=engine,
    )
    independent = simulate(correlation=0.0, seed=1, **base).success_rate
    shared = simulate(correlation=0.7, seed=1, **base).success_rate
    assert_rate(independent, 1 - 0.2**3, TRIALS[engine], "independent retries")
    assert_rate(shared, correlated_retry_success(0.8, 2, 0.7), TRIALS[engine], "correlated retries")
    assert shared < independent - 0.05


def test_simulated_table_reproduces_the_module_to_the_percent():
    from simulator import compound_table
    from tests.test_analytics import MODULE_TABLE

    table = compound_table(trials=100_000, seed=0)
    for row in table.itertuples():
        assert_rate(row.simulated, row.analytic, 100_000, f"{row.reliability} x {row.agents}")
        column = (3, 5, 8).index(row.agents)
        assert abs(100 * row.simulated - MODULE_TABLE[row.reliability][column]) < 1.0, row  # within the percent


def test_latency_of_a_fixed_chain_adds_up():
    scenario = uniform_scenario("sequential", 4, 1.0, latency=Latency("fixed", 2.5), validation_latency=0.5)
    result = simulate(scenario, trials=100, seed=0)
    assert result.trials["latency"].eq(4 * 3.0).all()

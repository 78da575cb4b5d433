"""Orchestration Lab's simulator: agents that fail loudly and silently, wired in coordination
patterns, with the structural defenses and shared state. One import line for a notebook::

    from simulator import simulate, compound_table, load_scenario
"""

from .analytics import (
    chain_reliability,
    correlated_chain,
    correlated_retry_success,
    expected_outcomes,
    hierarchical_outcomes,
    k_of_n,
    mmc_mean_sojourn,
    pass_at_k,
    pass_hat_k,
    pass_hat_k_estimate,
    required_reliability,
    retry_success,
    runs_needed,
    runs_to_claim,
    wilson_interval,
)
from .builders import SCHEMA_CHAIN, chained, inject_fault, schema_chain
from .checkpoints import read_checkpoints
from .contracts import CONTRACTS, INJECTIONS, check_handoff, degrade, example_handoffs
from .params import (
    DEGRADATIONS,
    OUTCOMES,
    PATTERNS,
    Agent,
    Defenses,
    Hierarchy,
    Latency,
    Mesh,
    ParameterError,
    Scenario,
    uniform_scenario,
)
from .results import SimulationResult
from .runner import build_scenario, compound_table, resume_trial, simulate, sweep
from .scenarios import ScenarioError, load_scenario, shipped_scenarios
from .shared_state import STRATEGIES, compare_strategies, contention_sweep, run_shared_state
from .sqlite_contention import compare_sqlite
from .sweeps import (
    DEFENSE_SETTINGS,
    INCIDENT_DEFENSES,
    THREE_DEFENSES,
    backlog_curve,
    caught_shares,
    defense_steps,
    defense_table,
    degradation_table,
    mesh_load,
    outcome_shares,
    pattern_latency,
    propagation_steps,
    retry_table,
    silent_run,
    throughput_share,
    where_caught_table,
)

__all__ = [
    # scenario builders and seeded sweeps the lessons print (simulator.builders, simulator.sweeps)
    "SCHEMA_CHAIN",
    "schema_chain",
    "inject_fault",
    "chained",
    "DEFENSE_SETTINGS",
    "THREE_DEFENSES",
    "INCIDENT_DEFENSES",
    "defense_steps",
    "defense_table",
    "retry_table",
    "outcome_shares",
    "where_caught_table",
    "caught_shares",
    "degradation_table",
    "silent_run",
    "propagation_steps",
    "pattern_latency",
    "mesh_load",
    "backlog_curve",
    "throughput_share",
    # running
    "simulate",
    "sweep",
    "compound_table",
    "resume_trial",
    "build_scenario",
    "SimulationResult",
    # describing a system
    "Scenario",
    "Agent",
    "Defenses",
    "Latency",
    "Mesh",
    "Hierarchy",
    "uniform_scenario",
    "load_scenario",
    "shipped_scenarios",
    "ParameterError",
    "ScenarioError",
    "PATTERNS",
    "OUTCOMES",
    "DEGRADATIONS",
    # theory
    "chain_reliability",
    "required_reliability",
    "k_of_n",
    "retry_success",
    "correlated_chain",
    "correlated_retry_success",
    "pass_at_k",
    "pass_hat_k",
    "pass_hat_k_estimate",
    "wilson_interval",
    "runs_needed",
    "runs_to_claim",
    "mmc_mean_sojourn",
    "expected_outcomes",
    "hierarchical_outcomes",
    # shared state
    "run_shared_state",
    "compare_strategies",
    "contention_sweep",
    "compare_sqlite",
    "STRATEGIES",
    # hand-offs and checkpoints
    "CONTRACTS",
    "INJECTIONS",
    "check_handoff",
    "degrade",
    "example_handoffs",
    "read_checkpoints",
]

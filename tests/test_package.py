"""The package's public face and its install files."""

import re
import tomllib

import yaml

import simulator

EXPECTED_API = {
    # simulator.builders and simulator.sweeps (moved out of explorers/)
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
    "simulate",
    "sweep",
    "compound_table",
    "resume_trial",
    "build_scenario",
    "SimulationResult",
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
    "CONTRACTS",
    "INJECTIONS",
    "check_handoff",
    "degrade",
    "example_handoffs",
    "read_checkpoints",
    "run_shared_state",
    "compare_strategies",
    "contention_sweep",
    "compare_sqlite",
    "STRATEGIES",
}


def test_public_namespace_is_curated():
    assert set(simulator.__all__) == EXPECTED_API
    assert len(simulator.__all__) == len(set(simulator.__all__))
    for name in simulator.__all__:
        assert getattr(simulator, name) is not None


def test_modules_stay_readable_in_one_sitting(root):
    for path in list((root / "simulator").rglob("*.py")) + list((root / "grader").rglob("*.py")):
        assert len(path.read_text().splitlines()) <= 400, f"{path} has grown past 400 lines: split it"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "conda-forge" in env["channels"]
    assert conda == wanted, f"only in pyproject: {wanted - conda}; only in environment.yml: {conda - wanted}"
    assert "-e ." in pip
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert "3.11" in py


def test_explorers_namespace_is_curated():
    import explorers

    assert len(explorers.__all__) == len(set(explorers.__all__))
    for name in explorers.__all__:
        assert getattr(explorers, name) is not None
    assert {n for n in explorers.__all__ if n.endswith("_explorer")} == {
        "first_slider_explorer",
        "pattern_explorer",
        "mesh_explorer",
        "reliability_explorer",
        "spot_check_explorer",
        "correlation_explorer",
        "propagation_explorer",
        "silent_chain_explorer",
        "contention_explorer",
        "orchestration_value_explorer",
        "monitoring_explorer",
        "incident_explorer",
    }


def test_grader_namespace_is_curated():
    import grader

    assert len(grader.__all__) == len(set(grader.__all__))
    for name in (
        "check",
        "check_button",
        "grade_file",
        "grade_batch",
        "Gradebook",
        "CriterionResult",
        "SubmissionResult",
    ):
        assert name in grader.__all__
    for name in grader.__all__:
        assert getattr(grader, name) is not None

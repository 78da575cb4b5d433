"""The orchlab command: its JSON contract and its one-line errors."""

import json
import math
import subprocess
import sys

import pytest

from orchlab.main import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "orchlab", *args], capture_output=True, text=True, timeout=120)


def test_simulate_json_contract(capsys):
    assert (
        main(
            [
                "simulate",
                "--pattern",
                "sequential",
                "--agents",
                "5",
                "--reliability",
                "0.85",
                "--trials",
                "20000",
                "--seed",
                "1",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    for key in ("trials", "success_rate", "silent_failure_rate", "detected_failure_rate", "mean_latency", "mean_calls"):
        assert key in out
    for key in ("success_rate", "silent_failure_rate", "detected_failure_rate"):
        low, high = out[f"{key}_ci"]
        assert low <= out[key] <= high
    assert out["trials"] == 20000 and abs(out["success_rate"] - 0.4437) < 0.015
    assert out["success_rate"] + out["silent_failure_rate"] + out["detected_failure_rate"] == pytest.approx(1.0)


def test_defaults_are_silent_half_no_catch_no_retries(capsys):
    main(["simulate", "--agents", "3", "--reliability", "0.8", "--trials", "50000", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert out["mean_retries"] == 0
    assert out["detected_failure_rate"] == pytest.approx(out["silent_failure_rate"] * 1.1, rel=0.2)


@pytest.mark.parametrize("pattern", ["sequential", "fanout", "hierarchical", "mesh", "hybrid"])
def test_every_pattern_runs_from_the_cli(capsys, pattern):
    assert main(["simulate", "--pattern", pattern, "--agents", "3", "--trials", "300", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["pattern"] == pattern


def test_scenario_and_table(capsys):
    assert main(["simulate", "--scenario", "orders_daily", "--format", "json", "--trials", "2000"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == "orders_daily"
    assert main(["table", "--format", "json", "--trials", "20000"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 15 and set(rows[0]) == {"reliability", "agents", "analytic", "simulated"}
    assert {(r["reliability"], r["agents"]) for r in rows} >= {(0.85, 5), (0.99, 8)}
    assert all(0 <= r["simulated"] <= 1 and abs(r["simulated"] - r["analytic"]) < 0.02 for r in rows)
    assert main(["table", "--format", "table", "--trials", "1000"]) == 0
    assert "5-agent chain" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,flag",
    [
        (["--reliability", "1.7"], "--reliability"),
        (["--agents", "0"], "--agents"),
        (["--trials", "-5"], "--trials"),
        (["--pattern", "star"], "--pattern"),
        (["--silent-share", "nan"], "--silent-share"),
        (["--catch-rate", "x"], "--catch-rate"),
        (["--retries", "99"], "--retries"),
        (["--pattern", "fanout", "--fan-in", "quorum:9"], "--fan-in"),
        (["--scenario", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, flag):
    proc = run("simulate", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_help_everywhere():
    for args in (["--help"], ["simulate", "--help"], ["table", "--help"], ["lab", "--help"]):
        proc = run(*args)
        assert proc.returncode == 0 and "usage:" in proc.stdout


def test_a_subcommand_whose_package_fails_to_import_says_so(monkeypatch, capsys):
    """A broken grader is a one-line error from ``orchlab grade``, not a vanished subcommand."""
    monkeypatch.setitem(sys.modules, "grader.batch", None)  # makes ``import grader.batch`` raise ImportError
    assert main(["grade", "nothing.ipynb"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("orchlab grade: error: cannot load what this command needs") and "\n" not in err


def test_the_simulator_imports_nothing_above_it():
    """Dependencies point one way: the simulator never loads the grader, the views or the shell."""
    import ast
    from pathlib import Path

    import simulator

    for path in Path(simulator.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] in {"grader", "explorers", "orchlab"}], path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "__import__", f"{path}: dynamic import"
            if isinstance(node, ast.Attribute):
                assert node.attr != "import_module", f"{path}: dynamic import"


def run_in_process(capsys, *args):
    """``orchlab ARGS`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse refusals
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args,expected",
    [
        # digits from other scripts are not numbers
        (["--agents", "𝟓"], "--agents: must be a whole number from 1 to 200 written in ASCII digits"),
        (["--reliability", "０.５"], "--reliability: must be a probability from 0 to 1 written in ASCII digits"),
        (["--trials", "٣٠٠"], "--trials"),
        (["--seed", "-1"], "--seed: must be a whole number of at least 0"),
        (["--trials", "9" * 5000], "--trials: must be a whole number from 1 to 5,000,000"),
        (["--reliability", "1e400"], "--reliability: must be a probability"),
        (["--pattern", "fanout", "--fan-in", "quorum:0"], "--fan-in: quorum:K needs K between 1 and 5"),
        (["--pattern", "fanout", "--fan-in", "most"], "--fan-in: must be all, any or quorum:K"),
        # an empty scenario, or one that is not a file
        (["--scenario", ""], "--scenario: give a shipped scenario name"),
        (["--scenario", "   "], "--scenario: give a shipped scenario name"),
        (["--scenario", "/dev/null"], "/dev/null: is not a regular file"),
        (["--scenario", "/"], "/: is a folder, not a scenario file"),
        (["--scenario", "orders_weekly"], "orders_weekly: no shipped scenario of that name"),
        # flags that would have no effect
        (["--fan-in", "any"], "--fan-in: applies to the fanout and hybrid patterns only, not to sequential"),
        (["--pattern", "hierarchical", "--fan-in", "all"], "--fan-in: applies to the fanout and hybrid"),
        (["--redundant"], "--redundant: applies to the fanout and hybrid patterns only"),
        (["--pattern", "mesh", "--redundant"], "--redundant"),
        (["--pattern", "mesh", "--human-gate"], "--human-gate: applies to the sequential, fanout, hierarchical"),
        (["--scenario", "orders_daily", "--agents", "3"], "--agents: comes from the scenario"),
        (["--scenario", "orders_daily", "--pattern", "fanout"], "--pattern: comes from the scenario"),
        # runs too big for memory are refused up front with the size they would need
        (
            ["--pattern", "fanout", "--agents", "200", "--trials", "5000000"],
            "--trials: 5,000,000 trials of this fanout",
        ),
        (["--pattern", "fanout", "--agents", "200", "--trials", "5000000", "--redundant"], "(replicas) need about"),
        (["--pattern", "hybrid", "--agents", "200", "--retries", "20", "--trials", "5000000"], "ask for at most"),
        (["--pattern", "hierarchical", "--trials", "5000000"], "GB of memory"),
    ],
)
def test_hostile_flags_get_exit_2_and_one_line(capsys, args, expected):
    code, out, err = run_in_process(capsys, "simulate", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("orchlab simulate: error: ")
    assert expected in err.replace("argument ", "")


def test_a_scenario_flag_that_applies_is_still_accepted(capsys):
    code, out, _ = run_in_process(
        capsys, "simulate", "--scenario", "orders_daily", "--redundant", "--fan-in", "any", "--trials", "500",
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["trials"] == 500


def test_the_slowest_allowed_agents_still_give_finite_json(tmp_path, capsys):
    """The longest durations a file may set add up to finite figures; JSON never holds NaN or Infinity."""
    path = tmp_path / "slow.yaml"
    path.write_text(
        "name: slow\npattern: sequential\ndefaults:\n  latency: {kind: lognormal, mean: 1000000, cv: 10}\n"
        "  tokens_per_call: 10000000\nagents: [{name: a, retries: 20}, {name: b}]\n"
        "defenses: {retries: 20, backoff: 1000000, validation_latency: 1000000, human_gate: true, "
        "human_delay: 1000000}\n",
        encoding="utf-8",
    )
    code, out, err = run_in_process(capsys, "simulate", "--scenario", str(path), "--trials", "2000", "--format", "json")
    assert code == 0, err

    def refuse(constant):
        raise AssertionError(f"JSON holds {constant}")

    stats = json.loads(out, parse_constant=refuse)
    assert all(math.isfinite(v) for v in stats.values() if isinstance(v, float))


def test_numpy_integers_are_seeds():
    import numpy as np

    from simulator import simulate

    numpy_seeded = simulate(pattern="sequential", agents=3, trials=500, seed=np.int64(7)).stats()
    assert numpy_seeded == simulate(pattern="sequential", agents=3, trials=500, seed=7).stats()
    assert numpy_seeded["seed"] == 7 and type(numpy_seeded["seed"]) is int


def test_help_states_the_documented_defaults():
    """README: silent share 0.5, catch rate 0, retries 0 (and reliability 0.9)."""
    from orchlab.main import build_parser

    text = " ".join(build_parser()[1]["simulate"].format_help().split())
    for phrase in (
        "per-agent reliability, 0 to 1 (default 0.9)",
        "share of failures that are silent, 0 to 1 (default 0.5)",
        "hand-off validation catch rate, 0 to 1 (default 0)",
        "retries after a detected failure, 0 to 20 (default 0)",
        "number of agents, 1 to 200 (default 5)",
        "trials, 1 to 5,000,000 (default 10,000)",
    ):
        assert phrase in text

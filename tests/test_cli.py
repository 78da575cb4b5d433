"""The orchlab command: its JSON contract and its one-line errors."""

import json
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

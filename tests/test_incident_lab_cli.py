"""``orchlab incident`` and ``orchlab warehouse`` on bad input: one line naming the input and what is
wrong, exit code 2, no traceback."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from orchlab.main import main
from tests.test_incident_lab_warehouse import shared_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return shared_warehouse(tmp_path_factory)


def one_line_error(capsys, argv, *needles):
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def test_warehouse_files_that_cannot_be_used(tmp_path, warehouse, capsys):
    base = ["incident", "--runs", "2"]
    one_line_error(capsys, [*base, "--warehouse", str(tmp_path / "nope" / "w.duckdb")], "--warehouse", "does not exist")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"\x00garbage" * 500)
    one_line_error(capsys, [*base, "--warehouse", str(junk)], str(junk), "not a readable DuckDB warehouse")
    old = tmp_path / "old.duckdb"
    shutil.copy(warehouse, old)
    rw = duckdb.connect(str(old))
    rw.execute("UPDATE meta.build SET value = 'incident_lab/0' WHERE key = 'format_version'")
    rw.close()
    one_line_error(capsys, [*base, "--warehouse", str(old)], str(old), "built by incident_lab/0")


@pytest.mark.parametrize(
    ("fault", "needles"),
    [
        ("auditor=0.9", ("--fault", "'auditor' is not an agent")),
        ("lineage=1.5", ("--fault", "P must be a probability")),
        ("lineage=0.9:-0.1", ("--fault", "S must be a probability")),
        ("lineage=0.9:2", ("--fault", "S must be a probability")),
        ("lineage=abc", ("--fault", "P must be a probability")),
        ("lineage", ("--fault", "AGENT=P")),
    ],
)
def test_bad_faults(warehouse, capsys, fault, needles):
    one_line_error(capsys, ["incident", "--runs", "2", "--warehouse", str(warehouse), "--fault", fault], *needles)


def test_malformed_user_agents(tmp_path, warehouse, capsys):
    module = tmp_path / "my_agents.py"
    module.write_text(
        "from incident_lab.agents import SCRIPTED\n"
        "def as_dict(task):\n    return {'affected_downstream_models': 1, 'models': ['x']}\n"
        "def broken(task):\n    raise ValueError('forgot the lineage table name')\n"
        "def fine(task):\n    return SCRIPTED['impact'](task)\n"
        "not_callable = 42\n"
    )
    base = ["incident", "--runs", "2", "--warehouse", str(warehouse), "--agent"]
    one_line_error(capsys, [*base, f"impact={module}:as_dict"], "--agent", "returned dict", "ImpactFinding")
    one_line_error(capsys, [*base, f"impact={module}:broken"], "--agent", "ValueError: forgot the lineage table")
    one_line_error(capsys, [*base, f"impact={module}:missing"], "--agent", "has no missing")
    one_line_error(capsys, [*base, f"impact={module}:not_callable"], "--agent", "not a callable")
    one_line_error(capsys, [*base, f"auditor={module}:fine"], "--agent", "'auditor' is not a role")
    one_line_error(capsys, [*base, "impact=no_such_module_here:fine"], "--agent", "cannot load")
    one_line_error(capsys, [*base, "impact"], "--agent", "ROLE=MODULE:FUNCTION")
    assert main([*base, f"impact={module}:fine", "--format", "json"]) == 0


def test_bad_numbers_and_a_good_build(tmp_path, capsys):
    one_line_error(capsys, ["incident", "--runs", "0"], "--runs")
    one_line_error(capsys, ["incident", "--retries", "99"], "--retries")
    one_line_error(capsys, ["incident", "--human-catch", "1.2"], "--human-catch")
    one_line_error(capsys, ["incident", "--pattern", "mesh"], "--pattern")
    one_line_error(capsys, ["warehouse", "build", str(tmp_path / "no" / "dir.duckdb")], "does not exist")
    assert main(["warehouse", "build", str(tmp_path / "w.duckdb"), "--seed", "4"]) == 0
    assert "12 incidents" in capsys.readouterr().out

"""``orchlab grade``: formats, exit codes, rubric packs."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from orchlab import grade as grade_command
from orchlab.main import main as orchlab
from tests.helpers import ROOT

SOLUTIONS = ROOT / "tests" / "grader_solutions"
DESIGN = next(SOLUTIONS.glob("*_orders_daily_design.ipynb"))
SUBMISSION_KEYS = {"submission", "exercise", "gradable", "score", "max_score", "criteria", "errors"}
CRITERION_KEYS = {"id", "passed", "points", "max_points", "feedback", "evidence", "confidence"}


def run(capsys, *argv):
    try:
        code = orchlab(["grade", *map(str, argv)])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_a_single_file_is_an_array_with_the_exact_shape(capsys):
    code, out, err = run(capsys, DESIGN, "--format", "json", "--no-progress")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 1
    (item,) = data
    assert set(item) == SUBMISSION_KEYS
    assert item["submission"] == str(DESIGN) and item["exercise"] == "orders_daily_design"
    assert item["gradable"] is True and item["score"] == item["max_score"] == 8 and item["errors"] == []
    for criterion in item["criteria"]:
        assert set(criterion) == CRITERION_KEYS
        assert isinstance(criterion["passed"], bool) and 0 <= criterion["confidence"] <= 1


def solutions_folder(tmp_path):
    """A folder of the solutions that grade without the sandbox (completeness_sql runs SQL in it:
    tests/test_sql_exercise.py grades that one)."""
    folder = tmp_path / "solutions"
    folder.mkdir(parents=True)
    for path in SOLUTIONS.glob("*.ipynb"):
        if "completeness_sql" not in path.name:
            shutil.copy(path, folder)
    return folder


def test_exercise_comes_from_metadata_and_a_folder_is_graded(capsys, tmp_path):
    code, out, _ = run(capsys, solutions_folder(tmp_path), "--format", "json", "--no-progress")
    assert code == 0
    data = json.loads(out)
    assert sorted(d["exercise"] for d in data) == sorted(
        [
            "pattern_selection",
            "reliability_math",
            "handoff_contracts",
            "state_sync",
            "orders_daily_design",
            "agents_or_rule",
            "drift_handoff_checks",
        ]
    )
    assert all(d["score"] == d["max_score"] for d in data)


def test_markdown_submission_needs_exercise_and_csv_and_table_formats(capsys, tmp_path):
    answer = tmp_path / "alice.md"
    answer.write_text(
        "I'd fan the three investigators out in parallel under an orchestrator, with fan-in at "
        "synthesis. Chained, 0.95^3 = 0.857.",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, answer, "--format", "json")
    assert code == 1 and "pass --exercise" in json.loads(out)[0]["errors"][0]
    code, out, _ = run(capsys, answer, "--exercise", "orders_daily_design", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["student"] == "alice" and rows[0]["pattern"] == "2.0" and rows[0]["handoff_fields"] == "0.0"
    code, out, _ = run(capsys, answer, "--exercise", "orders_daily_design", "--format", "table")
    assert code == 0 and "✓ pattern" in out and "✗ handoff_fields" in out


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["no/such/file.ipynb"], "no such file or folder"),
        ([str(DESIGN), "--exercise", "no_such_exercise"], "--exercise"),
        ([str(DESIGN), "--exercise", "../../etc/passwd"], "not an exercise id"),
        ([str(DESIGN), "--format", "xml"], "--format"),
        ([str(DESIGN), "--workers", "0"], "--workers"),
        ([str(DESIGN), "--rubrics", "no/such/dir"], "--rubrics"),
        ([str(DESIGN), "--export-csv", "out.csv"], "needs --gradebook"),
        ([str(DESIGN), "--gradebook", "no/such/dir/g.sqlite"], "--gradebook"),
        ([], "required"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("orchlab grade: error:") and fragment in err
    assert "Traceback" not in err and out == ""


def test_empty_folder_is_bad_input(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "no .ipynb, .md or .txt files" in err


def test_private_rubric_pack_is_used(capsys, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rubrics", pack)
    rubric = yaml.safe_load((pack / "orders_daily_design.yaml").read_text(encoding="utf-8"))
    rubric["criteria"][0]["points"] = 5
    rubric["criteria"][0]["feedback"]["pass"] = "Private pack says well done."
    (pack / "orders_daily_design.yaml").write_text(yaml.safe_dump(rubric), encoding="utf-8")
    code, out, _ = run(capsys, DESIGN, "--rubrics", pack, "--format", "json")
    (item,) = json.loads(out)
    assert code == 0 and item["max_score"] == 11
    assert item["criteria"][0]["feedback"] == "Private pack says well done."


def test_outputs_gradebook_reports_summary(capsys, tmp_path):
    book, export, reports, summary = (
        tmp_path / "g.sqlite",
        tmp_path / "lms.csv",
        tmp_path / "reports",
        tmp_path / "summary.html",
    )
    code, _, _ = run(
        capsys,
        solutions_folder(tmp_path),
        "--gradebook",
        book,
        "--export-csv",
        export,
        "--reports",
        reports,
        "--report-format",
        "html",
        "--summary",
        summary,
        "--format",
        "table",
    )
    assert code == 0
    solved = len(list(solutions_folder(tmp_path / "count").glob("*.ipynb")))  # one per exercise
    assert book.exists() and len(list(csv.DictReader(export.open(encoding="utf-8")))) == solved
    assert len(list(reports.glob("*.html"))) == solved
    assert "Which criteria fail most" in summary.read_text(encoding="utf-8")


def test_register_adds_grade_to_another_parser(capsys):
    parser = argparse.ArgumentParser(prog="orchlab")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("simulate")
    returned = grade_command.register(sub)
    assert returned.prog.endswith("grade")
    args = parser.parse_args(["grade", str(DESIGN), "--format", "json", "--workers", "1"])
    assert grade_command.run(args) == 0
    assert json.loads(capsys.readouterr().out)[0]["score"] == 8


def test_installed_command_with_workers_and_progress(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(30):
        shutil.copy(DESIGN, folder / f"student{i:02d}.ipynb")
    (folder / "broken.ipynb").write_text("{", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchlab",
            "grade",
            str(folder),
            "--format",
            "json",
            "--workers",
            "2",
            "--progress",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 31 and sum(d["gradable"] for d in data) == 30
    assert "31/31" in proc.stderr and "grading [" in proc.stderr

"""Batch grading: parallel workers, progress, the SQLite gradebook, CSV, reports and the class summary."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from grader import (
    Gradebook,
    class_summary,
    grade_answers,
    grade_batch,
    load_rubric,
    results_frame,
    summary_figure,
    write_reports,
)
from grader.results import SubmissionResult
from tests.helpers import ROOT

SOLUTIONS = ROOT / "tests" / "grader_solutions"
DEVSET = yaml.safe_load((ROOT / "tests" / "grader_devset" / "orders_daily_design.yaml").read_text(encoding="utf-8"))


def make_class(folder: Path, count: int = 48) -> list[Path]:
    """A class folder of Markdown design answers drawn from the dev set, plus one broken notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        item = DEVSET["items"][i % len(DEVSET["items"])]
        path = folder / f"student{i:03d}.md"
        path.write_text(item["text"], encoding="utf-8")
        paths.append(path)
    (folder / "student999.ipynb").write_text("not json", encoding="utf-8")
    return paths


def test_parallel_results_equal_serial_results_in_order(tmp_path):
    make_class(tmp_path / "class")
    serial = grade_batch([tmp_path / "class"], "orders_daily_design", workers=1)
    parallel = grade_batch([tmp_path / "class"], "orders_daily_design", workers=2)
    assert len(serial) == 49
    assert [r.to_dict() for r in serial] == [r.to_dict() for r in parallel]
    assert [Path(r.submission).name for r in parallel] == sorted(p.name for p in (tmp_path / "class").iterdir())
    assert not parallel[-1].gradable and "not valid notebook JSON" in parallel[-1].errors[0]


def test_progress_bar_goes_to_the_given_stream(tmp_path):
    make_class(tmp_path / "class", 5)
    stream = io.StringIO()
    grade_batch([tmp_path / "class"], "orders_daily_design", workers=1, progress=stream)
    text = stream.getvalue()
    assert "grading [" in text and "6/6" in text and text.endswith("\n")


def test_gradebook_is_wal_and_regrading_is_idempotent(tmp_path):
    make_class(tmp_path / "class", 10)
    path = tmp_path / "class.sqlite"
    with Gradebook(path) as book:
        first = grade_batch([tmp_path / "class"], "orders_daily_design", gradebook=book)
        rows_before = book.submissions()
        grade_batch([tmp_path / "class"], "orders_daily_design", gradebook=book)
        rows_after = book.submissions()
        criteria = book.criteria()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(rows_before) == len(rows_after) == 11
    strip = lambda rows: [{k: v for k, v in r.items() if k != "graded_at"} for r in rows]
    assert strip(rows_before) == strip(rows_after)
    assert len(criteria) == 4 * sum(r.gradable for r in first)
    broken = [r for r in rows_after if not r["gradable"]]
    assert len(broken) == 1 and broken[0]["score"] is None and "not valid notebook JSON" in broken[0]["errors"]


def test_each_submission_is_its_own_transaction(tmp_path):
    make_class(tmp_path / "class", 6)
    path = tmp_path / "class.sqlite"
    seen = []

    def stop_after_three(result):
        seen.append(result)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with Gradebook(path) as book, pytest.raises(KeyboardInterrupt):
        grade_batch([tmp_path / "class"], "orders_daily_design", gradebook=book, on_result=stop_after_three)
    with Gradebook(path) as book:
        assert len(book.submissions()) == 3  # the three finished submissions are safely stored


def _grade_into(args):
    folder, book = args
    with Gradebook(book) as gradebook:
        return len(grade_batch([folder], "orders_daily_design", gradebook=gradebook, workers=1))


def test_two_graders_at_once_lose_nothing(tmp_path):
    make_class(tmp_path / "a", 30)
    make_class(tmp_path / "b", 30)
    shutil.copytree(tmp_path / "a", tmp_path / "both", dirs_exist_ok=True)
    book = tmp_path / "shared.sqlite"
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        counts = pool.map(_grade_into, [(tmp_path / "a", book), (tmp_path / "b", book)])
    assert counts == [31, 31]
    with context.Pool(2) as pool:  # both grade the same folder at the same time: still one row per file
        pool.map(_grade_into, [(tmp_path / "both", book), (tmp_path / "both", book)])
    with Gradebook(book) as gradebook:
        rows = gradebook.submissions()
        assert len(rows) == 93
        assert len({r["submission"] for r in rows}) == 93
        assert len(gradebook.criteria()) == 4 * 90


def test_csv_export_for_an_lms(tmp_path):
    make_class(tmp_path / "class", 4)
    (tmp_path / "class" / "=HYPERLINK(1).md").write_text("fan out", encoding="utf-8")
    out = tmp_path / "lms.csv"
    with Gradebook(tmp_path / "g.sqlite") as book:
        grade_batch([tmp_path / "class"], "orders_daily_design", gradebook=book, partial=True)
        assert book.export_csv(out) == 6
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:8] == [
        "student",
        "exercise",
        "submission",
        "gradable",
        "score",
        "max_score",
        "needs_review",
        "errors",
    ]
    assert {"pattern", "reliability_math", "handoff_fields", "silent_failure"} <= set(rows[0])
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values()), "no formula-like cells"
    from grader.export import csv_safe

    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_safe("-1") == "'-1" and csv_safe(2.0) == 2.0


def test_reports_escape_learner_text(tmp_path):
    rubric = load_rubric("orders_daily_design")
    hostile = (
        "<script>alert(1)</script> I'd use parallel fan-out from an orchestrator with fan-in at "
        "synthesis | and | pipes."
    )
    result = grade_answers({"design": hostile}, rubric, submission="bob.md", student="bob")
    (md_path,) = write_reports([result], tmp_path / "md", "md")
    (html_path,) = write_reports([result], tmp_path / "html", "html")
    for path in (md_path, html_path):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and "&lt;script&gt;" in text
        assert "bob" in path.name and "Hint" in text
    from grader.reports import _md

    assert _md("a | b") == "a \\| b"
    ungradable = SubmissionResult.not_gradable("x.ipynb", "orders_daily_design", "answer 'design' is empty")
    (path,) = write_reports([ungradable], tmp_path / "bad", "md")
    assert "Not graded" in path.read_text(encoding="utf-8")


def test_class_summary_and_chart(tmp_path):
    make_class(tmp_path / "class", 20)
    results = grade_batch([tmp_path / "class"], "orders_daily_design")
    frame = class_summary(results)
    assert list(frame["criterion"])[:1] and frame["fail_rate"].is_monotonic_decreasing
    graded = [r for r in results if r.gradable]
    for row in frame.itertuples():
        assert row.failed == sum(not r.criterion(row.criterion).passed for r in graded)
        assert row.submissions == len(graded)
    figure = summary_figure(results)
    assert "Which criteria fail most" in figure.layout.title.text
    assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text == "Criterion"
    (bar,) = figure.data
    assert list(bar.y)[::-1] == list(frame["criterion"])  # worst criterion drawn on top


def test_results_as_a_dataframe():
    rubric = load_rubric("orders_daily_design")
    result = grade_answers({"design": DEVSET["items"][0]["text"]}, rubric, submission="a.md")
    frame = results_frame([result, SubmissionResult.not_gradable("b.md", "orders_daily_design", "empty")])
    assert len(frame) == 5
    assert {
        "submission",
        "criterion",
        "passed",
        "points",
        "max_points",
        "feedback",
        "evidence",
        "confidence",
        "needs_review",
    } <= set(frame.columns)
    assert frame.loc[frame.submission == "a.md", "points"].sum() == 8
    assert json.loads(json.dumps(result.to_dict()))["score"] == 8


def test_results_and_reports_do_not_import_each_other():
    """reports renders results without importing them at run time (only for type checking)."""
    import ast

    def runtime_imports(module: str) -> set[str]:
        tree = ast.parse((ROOT / "grader" / f"{module}.py").read_text(encoding="utf-8"))
        guarded = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        return {
            node.module.lstrip(".")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and id(node) not in guarded
        }

    assert "results" not in runtime_imports("reports")
    assert "reports" in runtime_imports("results")

"""The in-notebook check: check() and the ipywidgets button, no server extension involved."""

from __future__ import annotations

import json
import re
import shutil

import ipywidgets as widgets
import pytest

import grader.notebook as nbcheck
from grader import check, check_button
from grader.answers import PLACEHOLDER_MARK, clean, is_empty
from grader.safety import strip_html_comments
from tests.helpers import ROOT, missing_part


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Checks record progress; keep it in a temporary file, not the kit's own."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("ORCHLAB_PROGRESS", str(path))
    return path


SOLUTIONS = ROOT / "tests" / "grader_solutions"
EXERCISES = ROOT / "exercises"


def test_check_with_answers_grades_what_is_answered():
    result = check("reliability_math", answers={"five_at_85": "0.85**5", "chained_three": "85.7 %"})
    assert result.gradable
    assert result.criterion("five_at_85").passed and result.criterion("chained_three").passed
    assert result.criterion("eight_at_95").feedback == "Not answered yet."
    assert result.score == 2
    html = result._repr_html_()
    assert "✓" in html and "Not answered yet." in html and "Hint" in html


def test_check_reads_the_saved_notebook_found_in_the_working_folder(tmp_path, monkeypatch):
    shutil.copy(next(SOLUTIONS.glob("*_state_sync.ipynb")), tmp_path / "04_state_sync.ipynb")
    shutil.copy(next(EXERCISES.glob("*_reliability_math.ipynb")), tmp_path / "02_reliability_math.ipynb")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    result = check("state_sync")
    assert result.score == result.max_score == 6
    assert "04_state_sync.ipynb as saved at" in result.note and "Save the notebook" in result._repr_html_()
    blank = check("reliability_math")
    assert blank.gradable and blank.score == 0 and all(not c.answered for c in blank.criteria)


def test_check_prefers_the_kernels_own_notebook(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "mine.ipynb"
    target.parent.mkdir()
    shutil.copy(next(SOLUTIONS.glob("*_orders_daily_design.ipynb")), target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(target))
    assert check("orders_daily_design").score == 8


def test_check_without_a_saved_notebook_explains(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    result = check("orders_daily_design")
    assert not result.gradable and "Save the notebook" in result.errors[0]
    unknown = check("no_such_exercise", answers={"x": "1"})
    assert not unknown.gradable and "no rubric" in unknown.errors[0]


def test_button_runs_the_check(monkeypatch):
    calls = []

    def fake_check(exercise, path, rubrics=None, show_model_answer=False):
        calls.append(exercise)
        return check("reliability_math", answers={"five_at_85": "0.85**5"})

    box = check_button("reliability_math")
    assert isinstance(box, widgets.VBox)
    row, output = box.children
    button, reveal = row.children
    assert isinstance(button, widgets.Button) and isinstance(output, widgets.Output)
    assert button.description == "Check my answers" and reveal.description == "Show a model answer"
    assert reveal.layout.display == "none"  # hidden until the learner has checked once
    monkeypatch.setattr(nbcheck, "check", fake_check)
    button.click()
    assert calls == ["reliability_math"] and button.disabled is False
    assert reveal.layout.display is None


def test_feedback_html_escapes_learner_text():
    result = check(
        "orders_daily_design",
        answers={
            "design": "<img src=x onerror=alert(1)> I'd use parallel "
            "fan-out from an orchestrator with fan-in at synthesis."
        },
    )
    html = result._repr_html_()
    assert "<img" not in html and "&lt;img" in html


def test_a_check_before_saving_says_first_that_nothing_is_saved(tmp_path, monkeypatch, progress_file):
    shutil.copy(next(EXERCISES.glob("*_orders_daily_design.ipynb")), tmp_path / "05_orders_daily_design.ipynb")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    result = check("orders_daily_design")
    assert result.notice.startswith("Nothing is saved yet")
    html = result._repr_html_()
    assert html.index("Nothing is saved yet") < html.index("0 / 8")
    assert not progress_file.exists()  # an empty check is not progress


def answer_cells(path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if any(t.startswith("answer:") for t in c["metadata"].get("tags", []))]


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_answer_cell_shows_what_goes_there_before_the_learner_types(path):
    """A Markdown cell renders without its HTML comments: one holding only a comment is an empty strip."""
    assert answer_cells(path), f"{path.name} has no answer cell"
    for cell in answer_cells(path):
        source = "".join(cell["source"])
        shown = strip_html_comments(source) if cell["cell_type"] == "markdown" else source
        assert shown.strip(), f"{path.name}: answer cell {cell['metadata']['tags']} shows nothing: {source!r}"


@pytest.mark.parametrize(
    "path", sorted(p for p in EXERCISES.glob("*.ipynb") if PLACEHOLDER_MARK in p.read_text()), ids=lambda p: p.stem
)
def test_an_unchanged_placeholder_is_no_answer_and_text_typed_beside_it_is_one(path):
    (cell,) = [c for c in answer_cells(path) if PLACEHOLDER_MARK in "".join(c["source"])]
    placeholder = "".join(cell["source"])
    assert is_empty(placeholder, "prose")
    for typed in (
        placeholder + "\n\nI would use parallel fan-out.",
        placeholder + " I would use parallel fan-out.",
        f"{PLACEHOLDER_MARK} I would use parallel fan-out.",
    ):
        assert clean(typed, "prose") == "I would use parallel fan-out.", typed


def test_the_design_exercise_grades_its_unchanged_placeholder_as_unanswered():
    (design,) = answer_cells(next(EXERCISES.glob("*_design.ipynb")))
    placeholder = "".join(design["source"])
    result = check("orders_daily_design", answers={"design": placeholder})
    assert result.score == 0 and not any(c.answered for c in result.criteria)
    kept = check("orders_daily_design", answers={"design": placeholder + "\n\nI'd use parallel fan-out."})
    assert any(c.answered for c in kept.criteria)


def test_a_model_answer_appears_after_full_marks_or_on_request(tmp_path, monkeypatch, progress_file):
    shutil.copy(next(SOLUTIONS.glob("*_state_sync.ipynb")), tmp_path / "04_state_sync.ipynb")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    solved = check("state_sync")
    assert solved.score == solved.max_score and "event_sourcing" in solved.model_answer
    assert "A model answer to compare with" in solved._repr_html_()
    recorded = json.loads(progress_file.read_text(encoding="utf-8"))["exercises"]["state_sync"]
    assert recorded["passed"] and recorded["score"] == 6
    partly = check("reliability_math", answers={"five_at_85": "0.85**5"})
    assert partly.model_answer == "" and "model answer" not in partly._repr_html_()
    asked = check("reliability_math", answers={"five_at_85": "0.85**5"}, show_model_answer=True)
    assert "0.95**8" in asked.model_answer
    for exercise in RUBRIC_NAMES:
        assert nbcheck.model_answer(exercise), f"{exercise} offers a model answer it does not have"
        nb = next(EXERCISES.glob(f"*_{exercise}.ipynb")).read_text(encoding="utf-8")
        assert "model_answers" not in nb  # kept out of the notebook's source


RUBRIC_NAMES = sorted(p.stem for p in (ROOT / "rubrics").glob("*.yaml"))


@pytest.mark.parametrize(
    "exercise, answer, unwrap",
    [
        ("agents_or_rule", "decision", lambda text: text.split("\n", 2)[2]),
        ("drift_handoff_checks", "checks", lambda text: text.split("\n", 2)[2]),
        ("completeness_sql", "cross_check", lambda text: text.split("```sql\n")[1].split("```")[0]),
    ],
)
def test_a_written_model_answer_earns_the_full_marks_it_is_shown_beside(exercise, answer, unwrap):
    """Three exercises offered a model answer and showed nothing; the ones written since must pass their own rubric."""
    if exercise == "completeness_sql":
        from grader.checks.sql_query import sandbox_status

        ok, reason = sandbox_status()
        if not ok:
            missing_part(reason)
    result = check(exercise, answers={answer: unwrap(nbcheck.model_answer(exercise))})
    assert result.score == result.max_score, [(c.id, c.feedback) for c in result.criteria if not c.passed]


def test_a_broken_progress_store_never_breaks_the_check(tmp_path, monkeypatch):
    monkeypatch.setenv("ORCHLAB_PROGRESS", str(tmp_path))  # a folder: the write fails
    shutil.copy(next(SOLUTIONS.glob("*_state_sync.ipynb")), tmp_path / "04_state_sync.ipynb")
    result = check("state_sync", tmp_path / "04_state_sync.ipynb")
    assert result.score == 6


EXAMPLE_VALUE = re.compile(r"\d+(?:\.\d+)?(?:\s*%|\s*\*\*\s*\(?[\d./]+\)?)?")


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_example_in_an_answer_cell_is_a_right_answer(path):
    """Exercise 02's cells showed "a percentage (86 %)" under a question whose answer is 86 %."""
    cells = answer_cells(path)
    code = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
    exercise = re.search(r'check_button\("(\w+)"\)', code).group(1)
    examples = {m.group(0) for c in cells for m in EXAMPLE_VALUE.finditer("".join(c["source"]))}
    names = [t.split(":", 1)[1] for c in cells for t in c["metadata"]["tags"] if t.startswith("answer:")]
    for example in examples:
        result = check(exercise, answers=dict.fromkeys(names, example))
        assert result.score == 0, f"{path.name}: the example {example!r} earns points: {result.score}"

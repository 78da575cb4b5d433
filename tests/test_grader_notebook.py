"""The in-notebook check: check() and the ipywidgets button, no server extension involved."""

from __future__ import annotations

import shutil

import ipywidgets as widgets

import grader.notebook as nbcheck
from grader import check, check_button
from tests.helpers import ROOT

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

    def fake_check(exercise, path, rubrics=None):
        calls.append(exercise)
        return check("reliability_math", answers={"five_at_85": "0.85**5"})

    box = check_button("reliability_math")
    assert isinstance(box, widgets.VBox)
    button, output = box.children
    assert isinstance(button, widgets.Button) and isinstance(output, widgets.Output)
    assert button.description == "Check my answers"
    monkeypatch.setattr(nbcheck, "check", fake_check)
    button.click()
    assert calls == ["reliability_math"] and button.disabled is False


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

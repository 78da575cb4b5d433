"""Exercise notebooks, their solutions, and known-wrong answers that lose exactly what they should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from grader import grade_answers, grade_file, load_rubric
from grader.rubric import available_exercises
from tests.helpers import ROOT

EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "tests" / "grader_solutions"
DEVSET = ROOT / "tests" / "grader_devset"
IDS = ["pattern_selection", "reliability_math", "handoff_contracts", "state_sync", "orders_daily_design"]
SOLUTION_ANSWERS = yaml.safe_load((DEVSET / "solutions.yaml").read_text(encoding="utf-8"))
KNOWN_WRONG = yaml.safe_load((DEVSET / "known_wrong.yaml").read_text(encoding="utf-8"))


def notebook_path(folder: Path, exercise: str) -> Path:
    (path,) = folder.glob(f"[0-9][0-9]_{exercise}.ipynb")
    return path


def tagged(cell) -> list[str]:
    return [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("answer:")]


def test_every_exercise_has_a_rubric_and_a_numbered_notebook():
    assert set(IDS) <= set(available_exercises())
    names = sorted(p.name for p in EXERCISES.glob("*.ipynb"))
    # completeness_sql runs learner SQL in the sandbox; tests/test_sql_exercise.py covers it
    assert names == [f"{i:02d}_{e}.ipynb" for i, e in enumerate([*IDS, "completeness_sql"], start=1)]


@pytest.mark.parametrize("exercise", IDS)
def test_exercise_notebook_is_clean_and_declares_its_answers(exercise):
    nb = json.loads(notebook_path(EXERCISES, exercise).read_text(encoding="utf-8"))
    assert nb["metadata"]["orchlab"]["exercise"] == exercise
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    rubric = load_rubric(exercise)
    answer_cells = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, "outputs must be stripped"
            source = "".join(cell["source"])
            assert "def " not in source and "class " not in source and "lambda" not in source
            assert "grader." not in source.replace("from grader import", "")
        for tag in tagged(cell):
            assert cell["cell_type"] in ("raw", "markdown"), "answers are data, not code cells"
            answer_cells[tag.split(":", 1)[1]] = cell
    assert set(answer_cells) == set(rubric.answers)
    assert any("check_button" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("exercise", IDS)
def test_solution_notebook_matches_its_exercise_except_the_answers(exercise):
    blank = json.loads(notebook_path(EXERCISES, exercise).read_text(encoding="utf-8"))
    solved = json.loads(notebook_path(SOLUTIONS, exercise).read_text(encoding="utf-8"))
    assert blank["metadata"] == solved["metadata"]
    assert len(blank["cells"]) == len(solved["cells"])
    for a, b in zip(blank["cells"], solved["cells"]):
        if tagged(a):
            assert tagged(a) == tagged(b)
            name = tagged(a)[0].split(":", 1)[1]
            assert "".join(b["source"]).strip() == str(SOLUTION_ANSWERS[exercise][name]).strip()
        else:
            assert a == b


@pytest.mark.parametrize("exercise", IDS)
def test_solution_scores_full_marks(exercise):
    result = grade_file(notebook_path(SOLUTIONS, exercise))
    assert result.gradable, result.errors
    assert result.exercise == exercise
    assert result.score == result.max_score == load_rubric(exercise).max_score
    assert all(c.passed for c in result.criteria)


@pytest.mark.parametrize("exercise", IDS)
def test_blank_exercise_is_not_gradable_in_batch_but_checkable_in_the_notebook(exercise):
    path = notebook_path(EXERCISES, exercise)
    strict = grade_file(path)
    assert not strict.gradable and "empty" in strict.errors[0]
    partial = grade_file(path, partial=True)
    assert partial.gradable and partial.score == 0
    assert all(c.feedback == "Not answered yet." and not c.answered for c in partial.criteria)


CASES = [(exercise, case) for exercise, cases in KNOWN_WRONG.items() for case in cases]


@pytest.mark.parametrize("exercise,case", CASES, ids=[f"{e}-{c['name']}" for e, c in CASES])
def test_known_answers_lose_exactly_the_intended_criteria(exercise, case):
    rubric = load_rubric(exercise)
    answers = {k: str(v) for k, v in SOLUTION_ANSWERS[exercise].items()}
    answers.update({k: str(v) for k, v in case["answers"].items()})
    result = grade_answers(answers, rubric)
    assert result.gradable, result.errors
    lost = sorted(c.id for c in result.criteria if not c.passed)
    assert lost == sorted(case["loses"]), [(c.id, c.feedback) for c in result.criteria if not c.passed]
    assert result.score == rubric.max_score - sum(c.max_points for c in result.criteria if c.id in case["loses"])
    for c in result.criteria:
        assert c.feedback and (c.passed or c.hint), c.id


def test_known_wrong_cases_cover_every_exercise():
    assert set(KNOWN_WRONG) == set(IDS)
    for exercise, cases in KNOWN_WRONG.items():
        assert sum(1 for c in cases if c["loses"]) >= 3, exercise

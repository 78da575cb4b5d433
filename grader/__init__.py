"""Orchestration Lab's grader: rubric-driven and transparent; submitted code never runs in its process.

Answers are read as data. The one exercise that runs learner SQL does so only in the bubblewrap
sandbox (:mod:`grader.sandbox`), on a throwaway copy of a warehouse.

In a notebook::

    from grader import check, check_button
    check_button("reliability_math")          # a button that shows per-criterion feedback

For an instructor::

    from grader import grade_batch, Gradebook, summary_figure
    results = grade_batch(["submissions/"], "orders_daily_design", gradebook=Gradebook("class.sqlite"))
    summary_figure(results)

or ``orchlab grade --exercise orders_daily_design submissions/ --format json``.
"""

from .batch import discover, grade_batch
from .engine import grade_answers, grade_file
from .errors import NotGradable, RubricError
from .gradebook import Gradebook
from .notebook import check, check_button
from .reports import render_html, render_markdown, write_reports
from .results import CriterionResult, SubmissionResult, results_frame
from .rubric import Rubric, available_exercises, load_rubric
from .safety import UnsafeInput, evaluate_arithmetic, safe_yaml
from .sandbox import IsolatedResult, SandboxUnavailable, run_isolated, sandbox_available
from .summary import class_summary, summary_figure


def grade_text(text: str, exercise: str = "orders_daily_design", rubrics_dir=None) -> SubmissionResult:
    """Grade a free-text answer (the whole text is the exercise's one text answer)."""
    rubric = load_rubric(exercise, rubrics_dir)
    names = [n for n, spec in rubric.answers.items() if spec.kind == "text"]
    if len(rubric.answers) != 1 or not names:
        raise RubricError(f"{exercise} has more than one answer; use grade_answers")
    return grade_answers({names[0]: text}, rubric, partial=True)


__all__ = [
    # in the notebook
    "check",
    "check_button",
    # grading
    "grade_file",
    "grade_answers",
    "grade_text",
    "grade_batch",
    "discover",
    # results
    "CriterionResult",
    "SubmissionResult",
    "results_frame",
    # instructors
    "Gradebook",
    "write_reports",
    "render_markdown",
    "render_html",
    "class_summary",
    "summary_figure",
    # rubrics
    "Rubric",
    "load_rubric",
    "available_exercises",
    # safety and errors
    "evaluate_arithmetic",
    "safe_yaml",
    "UnsafeInput",
    "NotGradable",
    "RubricError",
    "run_isolated",
    "IsolatedResult",
    "sandbox_available",
    "SandboxUnavailable",
]

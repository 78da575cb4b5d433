"""Grading: a submission's answers against a rubric, criterion by criterion.

``grade_answers`` grades a dict of raw answers; ``grade_file`` reads a file first. Errors that
make a submission ungradable (unreadable file, missing or empty answer, another exercise's
notebook, a refused YAML bomb) become ``gradable: false`` with the reason, never a zero and
never an exception.
"""

from __future__ import annotations

from pathlib import Path

from .answers import clean, is_empty, parse_answer
from .checks import run_check
from .confidence import REVIEW_NOTE, needs_review
from .errors import NotGradable, RubricError
from .results import CriterionResult, SubmissionResult
from .rubric import Rubric, load_rubric
from .safety import UnsafeInput
from .submission import Submission, identity_review, load_submission, missing_answer_reason, student_id

MAX_ANSWER_CHARS = 50_000
NOT_ANSWERED = "Not answered yet."


def _result(criterion, *, passed: bool, feedback: str, evidence: str = "", confidence: float = 1.0, **extra):
    """The one place a :class:`CriterionResult` is built. A verdict flagged for review says so in
    words the learner can act on."""
    if needs_review(confidence) and REVIEW_NOTE not in feedback:
        feedback = f"{feedback} {REVIEW_NOTE}".strip()
    return CriterionResult(
        id=criterion.id,
        passed=passed,
        points=criterion.points if passed else 0.0,
        max_points=criterion.points,
        feedback=feedback,
        evidence=evidence[:600],
        confidence=float(confidence),
        hint="" if passed else criterion.hint,
        title=criterion.title,
        hidden=criterion.hidden,
        **extra,
    )


def _criterion_result(criterion, outcome) -> CriterionResult:
    feedback = criterion.feedback_for(outcome.reason, outcome.passed)
    if outcome.detail and not criterion.hidden:
        feedback = f"{feedback} {outcome.detail}"
    return _result(
        criterion,
        passed=outcome.passed,
        feedback=feedback,
        evidence=outcome.evidence,
        confidence=outcome.confidence,
    )


def grade_answers(
    answers: dict[str, str],
    rubric: Rubric,
    *,
    submission: str = "<answers>",
    partial: bool = False,
    student: str = "",
    sha256: str = "",
) -> SubmissionResult:
    """Grade raw answer texts (answer name -> text) against ``rubric``.

    ``partial=True`` (the in-notebook check) grades what is answered and marks the rest as not
    answered yet; ``partial=False`` (batch grading) makes a submission with an empty answer
    ungradable, so a blank is never silently scored as zero.
    """
    base = dict(student=student, sha256=sha256, rubric_sha=rubric.sha)
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    empty = []
    for name, spec in rubric.answers.items():
        raw = answers.get(name)
        if raw is None and partial:
            empty.append(name)
            continue
        if raw is None:
            return SubmissionResult.not_gradable(submission, rubric.exercise, f"answer '{name}' is missing", **base)
        if len(raw) > MAX_ANSWER_CHARS:
            return SubmissionResult.not_gradable(
                submission, rubric.exercise, f"answer '{name}' is longer than {MAX_ANSWER_CHARS} characters", **base
            )
        if is_empty(raw, spec.kind):
            empty.append(name)
            continue
        try:
            values[name] = parse_answer(clean(raw, spec.kind), spec.kind, name)
        except UnsafeInput as exc:
            return SubmissionResult.not_gradable(submission, rubric.exercise, f"answer '{name}' refused: {exc}", **base)
        except (ValueError, TypeError, RecursionError, ArithmeticError) as exc:
            problems[name] = str(exc) or type(exc).__name__
    if empty and not partial:
        names = ", ".join(f"'{n}'" for n in empty)
        return SubmissionResult.not_gradable(
            submission,
            rubric.exercise,
            f"answer {names} is empty" if len(empty) == 1 else f"answers {names} are empty",
            **base,
        )
    cache: dict = {}
    results = []
    for criterion in rubric.criteria:
        spec = rubric.answers[criterion.answer]
        if criterion.answer in empty:
            results.append(CriterionResult.unanswered(criterion, NOT_ANSWERED))
            continue
        if criterion.answer in problems:
            results.append(CriterionResult.unreadable(criterion, problems[criterion.answer]))
            continue
        try:
            outcome = run_check(criterion, values[criterion.answer], spec, rubric, cache)
        except NotGradable as exc:  # a check that refuses to run the answer at all (SQL that is not one query)
            return SubmissionResult.not_gradable(
                submission, rubric.exercise, f"answer '{criterion.answer}': {exc}", **base
            )
        except Exception as exc:  # a grader bug must not lose the submission: flag it for a person
            results.append(CriterionResult.check_failed(criterion, exc))
            continue
        results.append(_criterion_result(criterion, outcome))
    score = float(sum(r.points for r in results))
    return SubmissionResult(
        submission=submission,
        exercise=rubric.exercise,
        gradable=True,
        score=score,
        max_score=rubric.max_score,
        criteria=results,
        **base,
    )


def _resolve_exercise(submission: Submission, exercise: str | None) -> str:
    claimed = submission.exercise
    if exercise and claimed and claimed != exercise:
        raise NotGradable(f"this notebook is for exercise '{claimed}' (its metadata says so), not '{exercise}'")
    chosen = exercise or claimed
    if not chosen:
        what = "notebook metadata names no exercise" if submission.kind == "ipynb" else "a text file names no exercise"
        raise NotGradable(f"cannot tell which exercise this is: the {what}; pass --exercise")
    return chosen


def grade_submission(submission: Submission, rubric: Rubric, *, partial: bool = False) -> SubmissionResult:
    answers = dict(submission.answers)
    if submission.whole_text is not None:
        texts = [n for n, s in rubric.answers.items() if s.kind == "text"]
        if len(rubric.answers) == 1 and texts:
            answers = {texts[0]: submission.whole_text}
        else:
            markers = ", ".join(f"<!-- answer:{n} -->" for n in rubric.answers)
            raise NotGradable(f"this exercise has several answers; mark each one in the file ({markers})")
    for name in rubric.answers:
        if name not in answers:
            raise NotGradable(missing_answer_reason(name, submission, rubric.answers))
    return grade_answers(
        answers,
        rubric,
        submission=submission.path,
        partial=partial,
        student=submission.student,
        sha256=submission.sha256,
    )


def grade_file(
    path: str | Path, exercise: str | None = None, rubrics_dir: str | Path | None = None, *, partial: bool = False
) -> SubmissionResult:
    """Grade one file. Never raises for a bad submission: the result says why it is not gradable.

    A missing rubric for an exercise named with ``exercise`` raises :class:`RubricError` (the
    caller asked for something that does not exist); one named by the notebook itself makes
    only that submission ungradable.
    """
    path_text = str(path)
    if exercise:
        load_rubric(exercise, rubrics_dir)  # fail fast on a bad --exercise
    submission = None
    try:
        submission = load_submission(path)
        chosen = _resolve_exercise(submission, exercise)
        try:
            rubric = load_rubric(chosen, rubrics_dir)
        except RubricError as exc:
            raise NotGradable(f"the notebook names exercise '{chosen}', which cannot be graded here: {exc}") from None
        submission.student = student_id(Path(path), chosen)
        result = grade_submission(submission, rubric, partial=partial)
        result.review += identity_review(submission)
        return result
    except NotGradable as exc:
        extra = dict(student=submission.student, sha256=submission.sha256) if submission else {}
        claimed = submission.exercise if submission else None
        return SubmissionResult.not_gradable(path_text, exercise or claimed, str(exc), **extra)

"""What grading returns: a result per criterion and per submission, with points *and* messages.

``SubmissionResult.to_dict()`` is the JSON shape of ``orchlab grade --format json``;
``to_frame()`` is one row per criterion for pandas (pandas is imported only when asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .confidence import REVIEW_BELOW
from .reports import render_html_fragment
from .safety import printable, storable

UNREADABLE = "Could not read this answer"
CRITERION_KEYS = ("id", "passed", "points", "max_points", "feedback", "evidence", "confidence")
SUBMISSION_KEYS = ("submission", "exercise", "gradable", "score", "max_score", "criteria", "errors")


@dataclass
class CriterionResult:
    """One criterion: passed or not, the points, why (feedback), where (evidence), how sure."""

    id: str
    passed: bool
    points: float
    max_points: float
    feedback: str
    evidence: str = ""
    confidence: float = 1.0
    hint: str = ""
    title: str = ""
    hidden: bool = False
    answered: bool = True

    @property
    def needs_review(self) -> bool:
        """Low-confidence results go to a person before the grade is final."""
        return self.confidence < REVIEW_BELOW

    def __post_init__(self) -> None:
        for name in ("id", "feedback", "evidence", "hint", "title"):
            setattr(self, name, storable(getattr(self, name)))

    @classmethod
    def _no_credit(cls, criterion, feedback: str, **extra) -> CriterionResult:
        """A criterion that earns nothing before any check ran; the three cases below differ only in this."""
        return cls(
            id=criterion.id,
            passed=False,
            points=0.0,
            max_points=criterion.points,
            feedback=feedback,
            hint=criterion.hint,
            title=criterion.title,
            hidden=criterion.hidden,
            **extra,
        )

    @classmethod
    def unanswered(cls, criterion, feedback: str) -> CriterionResult:
        """The learner left the answer this criterion reads empty (or unchanged from its placeholder)."""
        return cls._no_credit(criterion, feedback, answered=False)

    @classmethod
    def unreadable(cls, criterion, reason: str) -> CriterionResult:
        """The answer is there but could not be read: no credit, and flagged for a person, never a silent zero."""
        feedback = f"{UNREADABLE}: {reason}. Fix it and check again; in a graded batch a person looks at it."
        return cls._no_credit(criterion, feedback, confidence=0.0)

    @classmethod
    def check_failed(cls, criterion, error: BaseException) -> CriterionResult:
        """The grader itself failed on this criterion: no credit yet, flagged for a person."""
        feedback = f"The grader could not check this ({type(error).__name__}); a person will look at it."
        return cls._no_credit(criterion, feedback, confidence=0.0)

    def to_dict(self) -> dict:
        out = {key: getattr(self, key) for key in CRITERION_KEYS}
        out["confidence"] = round(float(self.confidence), 3)
        return out


@dataclass
class SubmissionResult:
    """One submission: gradable or not (with the reason in ``errors``), its score and criteria."""

    submission: str
    exercise: str | None
    gradable: bool
    score: float = 0.0
    max_score: float = 0.0
    criteria: list[CriterionResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    student: str = ""
    sha256: str = ""
    rubric_sha: str = ""
    note: str = ""  # shown in the notebook (e.g. which saved file was read); not in JSON
    review: list[str] = field(default_factory=list)  # why a person should look (identity, collisions)
    notice: str = ""  # said first in the notebook (e.g. nothing is saved yet); not in JSON
    model_answer: str = ""  # shown in the notebook after full marks or on request; not in JSON

    def __post_init__(self) -> None:
        self.submission = storable(self.submission)
        self.exercise = storable(self.exercise) if self.exercise is not None else None
        self.student = storable(self.student)
        self.errors = [storable(e) for e in self.errors]

    @classmethod
    def not_gradable(cls, submission: str, exercise: str | None, reason: str, **extra) -> SubmissionResult:
        return cls(
            submission=submission, exercise=exercise, gradable=False, score=0.0, max_score=0.0, errors=[reason], **extra
        )

    @property
    def needs_review(self) -> bool:
        return bool(self.review) or any(c.needs_review for c in self.criteria)

    @property
    def unreadable(self) -> list[CriterionResult]:
        """Criteria whose answer could not be read (each flagged for review with its reason)."""
        return [c for c in self.criteria if c.feedback.startswith(UNREADABLE)]

    def criterion(self, criterion_id: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"no criterion {criterion_id!r} in this result")

    def to_dict(self) -> dict:
        return {
            "submission": self.submission,
            "exercise": self.exercise,
            "gradable": self.gradable,
            "score": self.score if self.gradable else None,
            "max_score": self.max_score if self.gradable else None,
            "criteria": [c.to_dict() for c in self.criteria],
            "errors": list(self.errors) + [f"review: {r}" for r in self.review],
        }

    def to_frame(self):
        """One row per criterion (an ungradable submission gives one row with its reason)."""
        import pandas as pd

        base = {
            "submission": self.submission,
            "student": self.student,
            "exercise": self.exercise,
            "gradable": self.gradable,
        }
        if not self.criteria:
            return pd.DataFrame(
                [
                    {
                        **base,
                        "criterion": None,
                        "passed": None,
                        "points": 0.0,
                        "max_points": 0.0,
                        "feedback": "; ".join(self.errors),
                        "evidence": "",
                        "confidence": None,
                        "needs_review": False,
                        "hidden": False,
                    }
                ]
            )
        rows = [
            {
                **base,
                "criterion": c.id,
                "passed": c.passed,
                "points": c.points,
                "max_points": c.max_points,
                "feedback": c.feedback,
                "evidence": c.evidence,
                "confidence": c.confidence,
                "needs_review": c.needs_review,
                "hidden": c.hidden,
            }
            for c in self.criteria
        ]
        return pd.DataFrame(rows)

    def summary_line(self) -> str:
        """One line for a terminal: every learner-supplied field has its control characters escaped."""
        where = printable(self.submission)
        if not self.gradable:
            return f"{where}: not gradable: {printable('; '.join(self.errors))}"
        flagged = sum(c.needs_review for c in self.criteria)
        review = f", {flagged} to review" if flagged else ""
        people = f" [review: {printable('; '.join(self.review))}]" if self.review else ""
        return f"{where}: {self.score:g}/{self.max_score:g}{review}{people}"

    def _repr_html_(self) -> str:
        return render_html_fragment(self)


def results_frame(results: list[SubmissionResult]):
    """All criteria of many submissions in one DataFrame (otter-grader style)."""
    import pandas as pd

    frames = [r.to_frame() for r in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

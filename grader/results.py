"""What grading returns: a result per criterion and per submission, with points *and* messages.

``SubmissionResult.to_dict()`` is the JSON shape of ``orchlab grade --format json``;
``to_frame()`` is one row per criterion for pandas (pandas is imported only when asked).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .confidence import REVIEW_BELOW

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

    @classmethod
    def not_gradable(cls, submission: str, exercise: str | None, reason: str, **extra) -> SubmissionResult:
        return cls(
            submission=submission, exercise=exercise, gradable=False, score=0.0, max_score=0.0, errors=[reason], **extra
        )

    @property
    def needs_review(self) -> bool:
        return any(c.needs_review for c in self.criteria)

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
            "errors": list(self.errors),
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
        if not self.gradable:
            return f"{self.submission}: not gradable: {'; '.join(self.errors)}"
        review = f", {sum(c.needs_review for c in self.criteria)} to review" if self.needs_review else ""
        return f"{self.submission}: {self.score:g}/{self.max_score:g}{review}"

    def _repr_html_(self) -> str:
        from .reports import render_html_fragment

        return render_html_fragment(self)


def results_frame(results: list[SubmissionResult]):
    """All criteria of many submissions in one DataFrame (otter-grader style)."""
    import pandas as pd

    frames = [r.to_frame() for r in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def escape(text: str) -> str:
    return html.escape(text or "", quote=True)

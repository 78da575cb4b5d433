"""How sure the grader is of a verdict, as named levels, and the one threshold for human review.

Every check returns one of these levels. A verdict below :data:`REVIEW_BELOW` is flagged
"to review": a person confirms it before the grade is final.
"""

from __future__ import annotations

from enum import Enum


class Confidence(float, Enum):
    """Named confidence levels (floats, so they sort and serialize as numbers)."""

    CERTAIN = 1.0  # a computed fact: a number in tolerance, an option, a simulation
    HIGH = 0.9  # several independent cues agree
    GOOD = 0.8  # one clear cue, nothing against it
    FAIR = 0.75  # one cue, a plausible other reading exists; still above review
    LOW = 0.6  # cues conflict or the reading is indirect: flagged
    VERY_LOW = 0.5  # the text defeats the reader (run-on, unreadable): flagged
    NONE = 0.0  # the grader failed; a person must look

    def __str__(self) -> str:
        return f"{self.value:g}"


REVIEW_BELOW = 0.7
"""Verdicts with a confidence under this go to a person before the grade is final."""

REVIEW_NOTE = (
    "To review: the grader is not sure of this verdict, so a person will confirm it before your "
    "grade is final. Your points may still change either way."
)
"""What a learner reads beside a verdict flagged for review."""


def needs_review(confidence: float) -> bool:
    return float(confidence) < REVIEW_BELOW


__all__ = ["Confidence", "REVIEW_BELOW", "REVIEW_NOTE", "needs_review"]

"""The one verdict type every check returns before the rubric's feedback is attached."""

from __future__ import annotations

from dataclasses import dataclass

from .confidence import Confidence


@dataclass
class Outcome:
    passed: bool
    confidence: float = Confidence.CERTAIN
    evidence: str = ""
    reason: str = "pass"  # "pass" or a failure reason the rubric may have feedback for
    detail: str = ""  # the engine's explanation; never shown for hidden criteria


__all__ = ["Outcome"]

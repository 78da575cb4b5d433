"""The outcome every check returns before feedback is attached."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    passed: bool
    confidence: float = 1.0
    evidence: str = ""
    reason: str = "pass"  # "pass" or a failure reason the rubric may have feedback for
    detail: str = ""  # the engine's explanation; never shown for hidden criteria

"""The check types a rubric criterion can use: choice, numeric, text and simulation.

Each check takes the parsed answer, the criterion's ``check`` settings and a per-submission
cache, and returns an :class:`Outcome`.
"""

from .base import Outcome
from .registry import run_check

__all__ = ["Outcome", "run_check"]

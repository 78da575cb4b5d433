"""The check types a rubric criterion can use: choice, numeric, text and simulation.

Each check's parameters are a typed spec (:mod:`grader.checks.specs`) built when the rubric
loads; :data:`CHECKS` maps a check type to the function that runs it, and every check
returns an :class:`~grader.outcome.Outcome`.
"""

from ..outcome import Outcome
from .registry import CHECKS, MODELS, run_check

__all__ = ["CHECKS", "MODELS", "Outcome", "run_check"]

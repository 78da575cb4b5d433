"""The outcome every check returns (defined once, in :mod:`grader.outcome`)."""

from ..outcome import Outcome

__all__ = ["Outcome"]

"""Errors with one-line messages: a submission that cannot be graded, a rubric that is wrong."""

from __future__ import annotations


class NotGradable(Exception):
    """This submission cannot be graded; the message is the reason shown to the learner."""


class RubricError(ValueError):
    """A rubric file is malformed; the message names the file and the field."""

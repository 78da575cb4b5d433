"""Errors with one-line messages: a submission that cannot be graded, a rubric that is wrong."""

from __future__ import annotations


class NotGradable(Exception):
    """This submission cannot be graded; the message is the reason shown to the learner."""


class RubricError(ValueError):
    """A rubric file is malformed; the message names the file, the line and the field.

    ``problems`` lists every problem found (one ``file:line: ...`` string each), so a tool can
    show them all, while the message stays one line.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]

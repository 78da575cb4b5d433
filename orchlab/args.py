"""What every subcommand shares: a parser whose errors are one line, and typed number flags.

Bad input on the command line is one line on stderr naming the flag and what it accepts, and
exit code 2; nothing here prints a usage dump or a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys

EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse whose error is one line and exit code 2, and which remembers its own flags."""

    def __init__(self, *args, **kwargs):
        self.flags: set[str] = set()  # set first: the base class adds --help during __init__
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.flags.update(action.option_strings)
        return action

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def fail(command: str, message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``orchlab COMMAND: error: MESSAGE`` on stderr and return ``code`` (2: bad input)."""
    print(f"orchlab {command}: error: {message}", file=sys.stderr)
    return code


def number(low: float, high: float = math.inf, *, low_open: bool = False, kind=float, what: str = "a number"):
    """An argparse ``type`` that accepts ``kind`` values in [low, high] (or (low, high] with ``low_open``)."""

    def parse(text: str):
        if not text.isascii():
            raise argparse.ArgumentTypeError(f"must be {what} written in ASCII digits (got {text!r})")
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what} (got {text!r})") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number (got {text!r})")
        if value < low or value > high or (low_open and value == low):
            bound = f"above {low}" if low_open else f"from {low}"
            upper = "" if math.isinf(high) else f" to {high}"
            raise argparse.ArgumentTypeError(f"must be {bound}{upper} (got {text})")
        return value

    return parse


def setting(spec):
    """An argparse ``type`` for a simulator parameter: ``spec`` (from ``simulator.settings``) reads the
    text, so the flag accepts exactly what the parameter's field does, in ASCII digits."""

    def parse(text: str):
        try:
            return spec.parse("", text) if hasattr(spec, "parse") else spec.check("", text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(getattr(exc, "reason", str(exc))) from None

    return parse


def scenario_source(text: str) -> str:
    """A ``--scenario`` value: a shipped scenario's name or a file path, never empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a shipped scenario name (such as orders_daily) or a YAML file path")
    return text


probability = number(0.0, 1.0, what="a probability from 0 to 1")


def whole(low: int, high: float = math.inf):
    """An argparse ``type`` for whole numbers from ``low`` to ``high``."""
    return number(low, high, kind=int, what="a whole number")

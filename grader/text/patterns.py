"""Checks on the patterns a rubric author writes: does a synonym compile, can it backtrack
catastrophically, and does a plain phrase contain regex syntax that would never match?"""

from __future__ import annotations

import re

try:  # Python >= 3.11
    from re import _constants as _sre_constants
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre_constants
    import sre_parse as _sre_parse

_REGEX_SYNTAX = re.compile(r"\\[bBdDwWsS]|\(\?|[\[\]()|^$+?{}\\]|\*(?=\S)")
_UNBOUNDED = 64  # a repeat allowing more than this many rounds counts as unbounded


def _repeats(items) -> list:
    """(min, max, subpattern) of every repeat in a parsed pattern, outermost first."""
    found = []
    for op, arg in items:
        if op in (
            _sre_constants.MAX_REPEAT,
            _sre_constants.MIN_REPEAT,
            getattr(_sre_constants, "POSSESSIVE_REPEAT", None),
        ):
            found.append((arg[0], arg[1], arg[2]))
            found.extend(_repeats(arg[2]))
        elif op is _sre_constants.SUBPATTERN:
            found.extend(_repeats(arg[-1]))
        elif op is _sre_constants.BRANCH:
            for branch in arg[1]:
                found.extend(_repeats(branch))
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            found.extend(_repeats(arg[1]))
    return found


def _nested_unbounded(items) -> bool:
    """True when a repeat that may run unboundedly contains another repeat of more than one round:
    ``(a+)+``, ``(\\w+\\s?)*`` - the shapes that backtrack exponentially on a near miss."""
    for _lo, hi, sub in _repeats(items):
        unbounded = hi > _UNBOUNDED or hi == _sre_constants.MAXREPEAT
        if unbounded and any(inner_hi > 1 for _l, inner_hi, _s in _repeats(sub)):
            return True
    return False


def synonym_problem(synonym: str) -> str | None:
    """What is wrong with one synonym, or None. ``re:`` synonyms are regexes, others phrases."""
    if not isinstance(synonym, str) or not synonym.strip():
        return "a synonym must be a non-empty text"
    if synonym.startswith("re:"):
        body = synonym[3:].strip()
        if not body:
            return "an empty regular expression"
        try:
            parsed = _sre_parse.parse(body)
            re.compile(body)
        except re.error as exc:
            return f"regular expression does not compile: {exc}"
        except (OverflowError, RecursionError):
            return "regular expression is too deep or too large"
        if _nested_unbounded(list(parsed)):
            return "regular expression can backtrack catastrophically (a repeated group holds a repeat); bound the outer repeat, e.g. {0,5}"
        if re.compile(body).search(""):
            return "regular expression matches empty text, so it matches everywhere"
        return None
    found = _REGEX_SYNTAX.search(synonym.strip().rstrip("*"))
    if found:
        return (
            f"looks like a regular expression ({found.group(0)!r}) but has no 're:' prefix, so it is "
            "matched as plain words and never matches; write 're:' before it"
        )
    return None


__all__ = ["synonym_problem"]

"""Choice and numeric checks."""

from __future__ import annotations

import math

from ..answers import normalize_key, read_choice
from .base import Outcome


def choice_check(value, check: dict, spec) -> Outcome:
    """The learner's option (directly, or ``check['key']`` of a mapping) against the expected one(s)."""
    if spec.kind == "mapping":
        key = normalize_key(check["key"])
        if key not in value:
            return Outcome(False, 1.0, "", "missing_key", f"No entry for '{check['key']}'.")
        raw = value[key]
    else:
        raw = value
    if raw is None or raw == "":
        return Outcome(False, 1.0, "", "unanswered", "No option given yet.")
    if isinstance(raw, (dict, list)):
        return Outcome(False, 1.0, str(raw), "unknown_option", "Give one option name.")
    chosen = read_choice(raw, spec.options)
    expected = check["expected"] if isinstance(check["expected"], list) else [check["expected"]]
    evidence = str(raw)
    if chosen is None:
        return Outcome(
            False, 1.0, evidence, "unknown_option", f"'{raw}' is not one of the options: {', '.join(spec.options)}."
        )
    return Outcome(chosen in expected, 1.0, evidence, "pass" if chosen in expected else "fail")


def numeric_check(value: float, check: dict, spec) -> Outcome:
    """A number within the rubric's absolute or relative tolerance; 86 reads as 86 % for a probability."""
    detail = ""
    if check.get("probability", True) and 1 < value <= 100:
        value = value / 100
        detail = f"Read as {value:.4g} (a percentage). "
    expected = check["expected_value"]
    ok = math.isclose(
        value, expected, rel_tol=float(check.get("rel_tol", 0.0)), abs_tol=float(check.get("abs_tol", 0.0))
    )
    if not ok and not detail:
        detail = f"Your value {value:.4g} is outside the accepted range."
    return Outcome(ok, 1.0, f"{value:.6g}", "pass" if ok else "fail", detail.strip())

"""Choice and numeric checks."""

from __future__ import annotations

import math
import re

from ..answers import normalize_key, read_choice
from ..outcome import Outcome


def _pick(spec) -> str:
    """'Pick one of: a, b, c, d.', with each option as the learner saw it (its first listed name)."""
    shown = [names[0] if names else key.replace("_", " ") for key, names in spec.options.items()]
    return f"Pick one of: {', '.join(shown)}."


def choice_check(value, check, spec) -> Outcome:
    """The learner's option (directly, or ``check.key`` of a mapping) against the expected one(s)."""
    if spec.kind == "mapping":
        key = normalize_key(check.key)
        if key not in value:
            return Outcome(False, 1.0, "", "missing_key", f"No entry for '{check.key}'.")
        raw = value[key]
    else:
        raw = value
    if raw is None or raw == "":
        return Outcome(False, 1.0, "", "unanswered", "No option given yet.")
    if isinstance(raw, (dict, list)):
        return Outcome(False, 1.0, str(raw), "unknown_option", "Give one option name.")
    chosen = read_choice(raw, spec.options)
    evidence = str(raw)
    if chosen is None:
        return Outcome(False, 1.0, evidence, "unknown_option", f"'{raw}' names no single option. {_pick(spec)}")
    return Outcome(chosen in check.expected, 1.0, evidence, "pass" if chosen in check.expected else "fail")


_TWO_PLACES = re.compile(r"^\s*0?\.\d{2}\s*$")


def numeric_check(value: float, check, spec) -> Outcome:
    """A number within the rubric's tolerance. For a probability, a plain number or one written with
    % above 1 reads as a percentage (86 -> 0.86); a whole percentage that rounds from the right value
    passes when ``whole_percent`` is on, and so does the same value written to two decimal places
    (0.86 where 86 % passes). An expression is never reinterpreted."""
    written = getattr(value, "written", str(value))
    expression = getattr(value, "expression", False)
    percent = getattr(value, "percent", False)
    value = float(value)
    expected = check.expected_value
    if check.probability and 1 < value <= 100 and not expression:
        value, percent = value / 100, True
    ok = math.isclose(value, expected, rel_tol=check.rel_tol, abs_tol=check.abs_tol)
    two_places = not expression and not percent and _TWO_PLACES.match(str(written)) is not None
    if not ok and (percent or two_places) and check.whole_percent and check.probability:
        # 86 %, or 0.86 written to the same two places: the value rounded as the course's tables round it
        ok = round(value * 100) == round(expected * 100) and abs(value * 100 - round(value * 100)) < 1e-9
    if ok:
        return Outcome(True, 1.0, f"{value:.6g}", "pass")
    if check.probability and value > 1:
        detail = f"{written} comes to {value:.4g}, and a probability lies between 0 and 1."
    elif percent and not str(written).strip().endswith("%") and "percent" not in str(written).lower():
        detail = f"{written} reads as {value * 100:.4g} %, outside the accepted range."
    else:
        detail = (
            f"{written} comes to {value:.4g}, outside the accepted range."
            if expression
            else (f"Your value {value:.4g} is outside the accepted range.")
        )
    return Outcome(False, 1.0, f"{value:.6g}", "fail", detail)

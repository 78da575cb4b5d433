"""Which function runs each check type and each simulation model: two mappings, no branches."""

from __future__ import annotations

from collections.abc import Callable

from ..outcome import Outcome
from ..text.analyzers import analyze, answer_sentences
from .basic import choice_check, numeric_check


def _text_check(criterion, value: str, spec, rubric, cache: dict) -> Outcome:
    key = ("sentences", criterion.answer)
    if key not in cache:
        cache[key] = answer_sentences(value, rubric.given)
    return analyze(value, rubric.concepts, criterion.check, rubric.given, sentences=cache[key])


def _handoff_contracts(criterion, value, spec, rubric, cache: dict) -> Outcome:
    from .handoffs import handoff_check

    return handoff_check(value, criterion.check, cache)


def _shared_state(criterion, value, spec, rubric, cache: dict) -> Outcome:
    from .shared_state import shared_state_check

    return shared_state_check(value, criterion.check, cache, spec.options)


def _sql_cross_check(criterion, value, spec, rubric, cache: dict) -> Outcome:
    from .sql_cross_check import sql_cross_check

    return sql_cross_check(value, criterion.check, cache)


CheckFunction = Callable[..., Outcome]

MODELS: dict[str, CheckFunction] = {
    "handoff_contracts": _handoff_contracts,
    "shared_state": _shared_state,
    "sql_cross_check": _sql_cross_check,
}


def _simulation_check(criterion, value, spec, rubric, cache: dict) -> Outcome:
    return MODELS[criterion.check.model](criterion, value, spec, rubric, cache)


CHECKS: dict[str, CheckFunction] = {
    "choice": lambda criterion, value, spec, rubric, cache: choice_check(value, criterion.check, spec),
    "numeric": lambda criterion, value, spec, rubric, cache: numeric_check(value, criterion.check, spec),
    "text": _text_check,
    "simulation": _simulation_check,
}


def run_check(criterion, value, spec, rubric, cache: dict) -> Outcome:
    """The outcome of one criterion's check on the learner's parsed answer."""
    return CHECKS[criterion.check.type](criterion, value, spec, rubric, cache)


__all__ = ["CHECKS", "MODELS", "run_check"]

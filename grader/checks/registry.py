"""Dispatch a criterion's check to its implementation."""

from __future__ import annotations

from ..text.analyzers import analyze, answer_sentences
from .base import Outcome
from .basic import choice_check, numeric_check


def _text_check(value: str, check: dict, rubric, cache: dict, answer: str) -> Outcome:
    key = ("sentences", answer)
    if key not in cache:
        cache[key] = answer_sentences(value, rubric.ignore_sentences)
    verdict = analyze(check["analyzer"], value, rubric.concepts, check, rubric.ignore_sentences, sentences=cache[key])
    return Outcome(verdict.passed, verdict.confidence, verdict.evidence, verdict.reason, verdict.detail)


def _simulation_check(value, check: dict, cache: dict, spec) -> Outcome:
    model = check["model"]
    if model == "handoff_contracts":
        from .handoffs import handoff_check

        return handoff_check(value, check, cache)
    if model == "shared_state":
        from .shared_state import shared_state_check

        return shared_state_check(value, check, cache, spec.options)
    if model == "sql_cross_check":
        from .sql_cross_check import sql_cross_check

        return sql_cross_check(value, check, cache)
    raise ValueError(f"unknown simulation model {model!r}")


def run_check(criterion, value, spec, rubric, cache: dict) -> Outcome:
    kind = criterion.check["type"]
    if kind == "choice":
        return choice_check(value, criterion.check, spec)
    if kind == "numeric":
        return numeric_check(value, criterion.check, spec)
    if kind == "text":
        return _text_check(value, criterion.check, rubric, cache, criterion.answer)
    if kind == "simulation":
        return _simulation_check(value, criterion.check, cache, spec)
    raise ValueError(f"unknown check type {kind!r}")

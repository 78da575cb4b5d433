"""Reliability figures in prose: is the chained figure right, and is the parallel side said?

A right figure is a power of the base (0.95^3, 0.95 x 0.95 x 0.95, "95 % cubed") whose stated
result matches to the precision written, or a bare number in a sentence about the chain that
equals a power of the base. A wrong result, additive reasoning ("3 x 5 % = 15 %") or a parallel
system credited with the base or better ("in parallel it stays at 95 %") counts against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .concepts import ConceptBook, Match, negated
from .normalize import Sentence
from .numbers import find_numbers, normalize_numbers, read_claims

_PER_AGENT = re.compile(r"\b(?:each|per|individual\w*|every|single|one|agent|agents|investigator|specialist)\b")
_SYSTEM_TALK = re.compile(
    r"\b(?:reliab\w*|succe\w*|probab\w*|odds|chance|system|overall|end[- ]to[- ]end|rises?|lifts?|improves?|boosts?|goes up|jumps?)\b"
)
_NEGATION_BEFORE = re.compile(r"\b(?:not|no|never|rather than|instead of|\w+n[’']t|without)\b")


@dataclass
class FigureReport:
    right: list[tuple[Sentence, str]] = field(default_factory=list)  # (sentence, what was right)
    right_bare: list[tuple[Sentence, str]] = field(default_factory=list)
    right_form_only: list[tuple[Sentence, str]] = field(default_factory=list)
    wrong: list[tuple[Sentence, str]] = field(default_factory=list)
    additive: list[tuple[Sentence, str]] = field(default_factory=list)
    misconception: list[tuple[Sentence, str]] = field(default_factory=list)


def _close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance + 1e-12


def read_figures(
    sentences: list[Sentence],
    base: float,
    exponents: tuple[int, int],
    bare_exponents: tuple[int, int],
    chain_context: list[Sentence],
    parallel_context: list[Sentence],
) -> FigureReport:
    report = FigureReport()
    chain_ids = {s.index for s in chain_context}
    parallel_ids = {s.index for s in parallel_context}
    lo, hi = exponents
    for sentence in sentences:
        text = normalize_numbers(sentence.text)
        claims = read_claims(text)
        right_here = False
        for claim in claims:
            words_before = " ".join(text[: claim.start].split()[-4:])
            if claim.kind == "additive":
                if not _NEGATION_BEFORE.search(words_before):
                    report.additive.append((sentence, claim.text))
                continue
            if claim.base is None or abs(claim.base - base) > 1e-9 or not (lo <= claim.exponent <= hi):
                continue
            target = base**claim.exponent
            if claim.result is None:
                report.right_form_only.append((sentence, claim.text))
                right_here = True
            elif _close(claim.result.value, target, claim.result.tolerance):
                report.right.append((sentence, f"{claim.text} = {claim.result.raw.strip()}"))
                right_here = True
            else:
                report.wrong.append(
                    (sentence, f"{claim.text} = {claim.result.raw.strip()} (that power comes to {target:.3f})")
                )
        numbers = find_numbers(text)
        if sentence.index in chain_ids and not right_here:
            for number in numbers:
                for n in range(bare_exponents[0], bare_exponents[1] + 1):
                    if 0.3 < number.value < base and _close(number.value, base**n, number.tolerance):
                        report.right_bare.append((sentence, number.raw.strip()))
                        right_here = True
                        break
        # every number is a claim: a right chained figure does not excuse a wrong parallel one beside it
        if sentence.index in parallel_ids and _SYSTEM_TALK.search(text):
            for number in numbers:
                operand = re.match(r"\s*[*×x·^]", text[number.end :]) or re.search(r"[*×x·^]\s*$", text[: number.start])
                if (number.percent or number.decimals) and base - 1e-9 <= number.value <= 1.0 and not operand:
                    before = " ".join(text[: number.start].split()[-5:])
                    after = " ".join(text[number.end :].split()[:2])
                    if not _PER_AGENT.search(before) and not _PER_AGENT.search(after):
                        report.misconception.append((sentence, number.raw.strip()))
                        break
    return report


def differences_said(
    book: ConceptBook, concepts: list[str], sentences: list[Sentence], parallel_context: list[Sentence], free: list[str]
) -> list[Match]:
    """Matches of the parallel-difference concepts in a sentence about parallel work (or right after one).

    Concepts listed in ``free`` (e.g. "finishes with the slowest branch") imply parallel work
    on their own and need no context.
    """
    context = {s.index for s in parallel_context} | {s.index + 1 for s in parallel_context}
    found = []
    for name in concepts:
        for sentence in sentences:
            for match in book[name].find(sentence):
                if negated(match):
                    continue
                if name in free or sentence.index in context:
                    found.append(match)
    return found

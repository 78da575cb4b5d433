"""Which option a text chooses: each mention of an option gets a stance from its sentence.

Stances: ``rejected`` (negated or turned down: "sequential handoff is the wrong choice"),
``strong`` (a choice cue or a sentence that opens with the design), ``neutral`` (a question,
a hypothetical, or the chained-versus-parallel comparison), ``weak`` (a plain statement).
An option scores +2 per strong sentence, +1 per weak one, -1 per rejection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import cues
from .concepts import ConceptBook, Match, negated
from .normalize import Sentence


@dataclass
class OptionScore:
    option: str
    score: int = 0
    strong: list[Sentence] = field(default_factory=list)
    weak: list[Sentence] = field(default_factory=list)
    rejected: list[Sentence] = field(default_factory=list)

    @property
    def best_sentence(self) -> Sentence | None:
        return (self.strong or self.weak or [None])[0]


def _rejected(match: Match) -> bool:
    if negated(match, cues.PATTERN_NEGATION, window=6):
        return True
    start, end = match.sentence.clause_of(match.start)
    clause = match.sentence.lower
    outside = clause[start : match.start] + " " + clause[match.end : end]
    return bool(cues.REJECTION.search(outside))


def stance(match: Match, opens_design: bool) -> str:
    """A mention's stance; explicit choice cues beat hedges, hedges beat a design-first opening."""
    sentence = match.sentence
    if _rejected(match):
        return "rejected"
    start, end = sentence.clause_of(match.start)
    clause = sentence.lower[start:end]
    if cues.CHOICE.search(clause) or cues.LABEL.search(sentence.lower):
        return "strong"
    if cues.CONDITIONAL.search(clause):
        return "neutral"
    if cues.CHOICE.search(sentence.lower):
        return "strong"
    if cues.CONDITIONAL.search(sentence.lower) or cues.MATH_TALK.search(sentence.lower):
        return "neutral"
    return "strong" if opens_design else "weak"


def score_options(options: dict[str, str], book: ConceptBook, sentences: list[Sentence]) -> dict[str, OptionScore]:
    """Score every option (option name -> concept name) over the sentences."""
    scores = {option: OptionScore(option) for option in options}
    for sentence in sentences:
        found: dict[str, list[Match]] = {}
        for option, concept in options.items():
            hits = book[concept].find(sentence)
            if hits:
                found[option] = hits
        if not found:
            continue
        first = min(m.start for hits in found.values() for m in hits)
        opens = len(sentence.lower[:first].split()) <= 2 or bool(cues.OPENER.search(sentence.lower))
        for option, hits in found.items():
            stances = {stance(m, opens) for m in hits}
            entry = scores[option]
            if "rejected" in stances and not ({"strong", "weak"} & stances):
                entry.score -= 1
                entry.rejected.append(sentence)
            elif "strong" in stances:
                entry.score += 2
                entry.strong.append(sentence)
            elif "weak" in stances:
                entry.score += 1
                entry.weak.append(sentence)
    return scores

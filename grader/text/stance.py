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
    if cues.HEARSAY.search(clause) or cues.HYPOTHETICAL_OPENING.search(sentence.lower):
        return "neutral"
    headline = sentence.index == 0 and len(sentence.lower[: match.start].split()) <= 2
    if headline and cues.HEADLINE_END.match(sentence.lower[match.end :]):
        return "strong"  # the answer opens with it: "Plain rule - ...", "Just a rule: ..."
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


def tied_to(
    book: ConceptBook, option: str, target: str, others: list[str], sentences: list[Sentence]
) -> list[Sentence]:
    """Sentences where a mention of ``option`` is tied to ``target`` rather than to one of the
    ``others``: the first target within eight words after it ("event sourcing for the log"), else
    the nearest one before it ("for the log, event sourcing")."""
    tied = []
    for sentence in sentences:
        targets = [(m, name) for name in [target, *others] for m in book[name].find(sentence)]
        if not targets:
            continue
        for mention in book[option].find(sentence):
            if negated(mention):
                continue
            after = [t for t in targets if t[0].start >= mention.end and _words_between(mention, t[0]) <= 8]
            nearest = min(after or targets, key=lambda t: _distance(mention, t[0]))  # "X for Y" reads forward
            if nearest[1] == target:
                tied.append(sentence)
                break
    return tied


def _words_between(a: Match, b: Match) -> int:
    return len(a.sentence.lower[a.end : b.start].split())


def _distance(a: Match, b: Match) -> int:
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0

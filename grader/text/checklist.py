"""Checklist items in prose: a concept, or a pair of concepts close together, asserted.

An item in a rubric is a concept name (``source_table_field``) or a proximity pair
(:class:`~grader.checks.specs.Near`). ``find_item`` returns the sentences that assert it: the
concept is present, not negated, and not only reported as someone else's view ("some would
say event sourcing ..."). ``find_negated`` returns the sentences that mention it only negated.
"""

from __future__ import annotations

from itertools import groupby

from ..specs import Near
from .concepts import ConceptBook, Match
from .normalize import Sentence


def describe(item) -> str:
    return item.describe() if isinstance(item, Near) else str(item)


def item_matches(book: ConceptBook, item, sentence: Sentence) -> list[Match]:
    """The asserted matches of ``item`` in one sentence (for a pair: the first concept's match)."""
    if isinstance(item, Near):
        return [a for a, _ in book.near(item.first, item.second, [sentence], window=item.window)]
    return book.matches(item, [sentence])


def _clause_ids(sentence: Sentence, matches: list[Match]) -> set[tuple[int, int]]:
    return {sentence.clause_of(m.start) for m in matches}


def find_item(book: ConceptBook, item, sentences: list[Sentence], *, same_clause_as=None) -> list[Sentence]:
    """Sentences that assert the item; with ``same_clause_as``, only where it shares a clause with
    an assertion of that other item."""
    out = []
    for sentence in sentences:
        hits = item_matches(book, item, sentence)
        if not hits:
            continue
        if same_clause_as is not None:
            anchors = _clause_ids(sentence, item_matches(book, same_clause_as, sentence))
            if not anchors & _clause_ids(sentence, hits):
                continue
        out.append(sentence)
    return out


def find_negated(book: ConceptBook, item, sentences: list[Sentence]) -> list[Sentence]:
    """Sentences where a plain-concept item appears only negated ("we won't add validation")."""
    if isinstance(item, Near):
        return []
    said = {s.index for s in find_item(book, item, sentences)}
    hits = book.matches(item, sentences, allow_negated=True)
    return _unique(m.sentence for m in hits if m.sentence.index not in said)


def in_scope(sentences: list[Sentence], scope: str) -> list[list[Sentence]]:
    """The groups of sentences an ``all_of`` must be met inside: the answer, each paragraph, each sentence."""
    if scope == "sentence":
        return [[s] for s in sentences]
    if scope == "paragraph":
        return [list(group) for _, group in groupby(sentences, key=lambda s: s.paragraph)]
    return [sentences]


def _unique(sentences) -> list[Sentence]:
    seen, out = set(), []
    for sentence in sentences:
        if sentence.index not in seen:
            seen.add(sentence.index)
            out.append(sentence)
    return out


__all__ = ["describe", "find_item", "find_negated", "in_scope", "item_matches"]

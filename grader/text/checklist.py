"""Checklist items in prose: a concept, or a pair of concepts close together, said un-negated.

An item in a rubric is either a concept name (``source_table_field``) or a proximity pair
(``{near: [count_word, downstream_thing], window: 6}``). ``find_item`` returns the sentences
that satisfy it.
"""

from __future__ import annotations

from typing import Any

from .concepts import ConceptBook
from .normalize import Sentence


def describe(item: Any) -> str:
    if isinstance(item, str):
        return item
    first, second = item["near"]
    return f"{first} near {second}"


def find_item(book: ConceptBook, item: Any, sentences: list[Sentence]) -> list[Sentence]:
    """Sentences where the item is said (concept present and not negated, or the pair close together)."""
    if isinstance(item, str):
        hits = book.matches(item, sentences)
        return _unique(m.sentence for m in hits)
    first, second = item["near"]
    pairs = book.near(first, second, sentences, window=int(item.get("window", 8)))
    return _unique(a.sentence for a, _ in pairs)


def find_negated(book: ConceptBook, item: Any, sentences: list[Sentence]) -> list[Sentence]:
    """Sentences where a plain-concept item appears only negated ("we won't add validation")."""
    if not isinstance(item, str):
        return []
    said = {s.index for s in find_item(book, item, sentences)}
    hits = book.matches(item, sentences, allow_negated=True)
    return _unique(m.sentence for m in hits if m.sentence.index not in said)


def _unique(sentences) -> list[Sentence]:
    seen, out = set(), []
    for sentence in sentences:
        if sentence.index not in seen:
            seen.add(sentence.index)
            out.append(sentence)
    return out

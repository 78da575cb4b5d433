"""Concepts as synonym sets, matched per sentence, with negation and proximity.

A synonym is a phrase ("fan out", "source table name") or, with a ``re:`` prefix, a regular
expression written by the rubric author. In a phrase, a space or hyphen matches any run of
spaces, hyphens or underscores ("fan-out", "fan out", "fan_out"), and a trailing ``*`` matches
the rest of a word ("validat*"). Underscores do not bound words, so a phrase is also found
inside a snake_case field name ("affected" in ``n_affected_models``). Learner text is never compiled: only rubric phrases are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .cues import DISMISSAL, HEARSAY

try:  # Python >= 3.11
    from re import _constants as _C
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _C
    import sre_parse as _sre_parse
from .normalize import Sentence

# A negation cue shortly before a match, in the same clause, negates it: "we won't add validation",
# "not a sequential chain", "nor a mesh", "without any checks".
_NEGATION_CUES = re.compile(
    r"\b(?:not|no(?!\.?\s+of\b)|never|nor|neither|without|instead of|rather than|no need (?:to|for)|skip\w*|\w+n[’']t|cannot)\b"
)
_WINDOW_WORDS = 5


@lru_cache(maxsize=2048)
def phrase_regex(phrase: str) -> str:
    if phrase.startswith("re:"):
        return f"(?:{phrase[3:].strip()})"
    parts = []
    for token in re.split(r"[\s_-]+", phrase.strip().lower()):
        if not token:
            continue
        star = token.endswith("*")
        token = re.escape(token.rstrip("*"))
        parts.append(token + (r"[\w'’-]*" if star else ""))
    body = r"[\s_/-]*".join(parts) if len(parts) > 1 and "-" in phrase else r"[\s_-]+".join(parts)
    # letters and digits bound a phrase, underscores do not: "affected" is found in "n_affected_models"
    return rf"(?<![a-z0-9]){body}(?![a-z0-9])" if not phrase.rstrip().endswith("*") else rf"(?<![a-z0-9]){body}"


@dataclass(frozen=True)
class Match:
    concept: str
    sentence: Sentence
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.sentence.lower[self.start : self.end]


def _anchors(synonym: str) -> set[str] | None:
    """Lower-case strings one of which must occur in any text the synonym matches, or None if
    none can be told (then the concept is always scanned). Used to skip a regex scan cheaply."""
    if not synonym.startswith("re:"):
        first = re.split(r"[\s_-]+", synonym.strip().lower())[0].rstrip("*")
        return {first} if first else None
    try:
        parsed = list(_sre_parse.parse(synonym[3:].strip(), re.I))
    except Exception:  # refused at load already; never skip
        return None
    return _prefixes(parsed)


def _prefixes(items) -> set[str] | None:
    out = ""
    for op, arg in items:
        if op is _C.AT:
            if out:
                break
            continue
        if op is _C.LITERAL:
            out += chr(arg).lower()
            continue
        if not out and op is _C.SUBPATTERN:
            return _prefixes(list(arg[-1]))
        if not out and op is _C.BRANCH:
            found = set()
            for branch in arg[1]:
                sub = _prefixes(list(branch))
                if not sub:
                    return None
                found |= sub
            return found
        break
    return {out} if len(out) >= 2 else None


class Concept:
    """One idea and its synonyms, compiled into a single case-insensitive pattern."""

    def __init__(self, name: str, synonyms: list[str]):
        if not synonyms:
            raise ValueError(f"concept {name!r} has no synonyms")
        self.name = name
        self.synonyms = list(synonyms)
        self.pattern = re.compile("|".join(phrase_regex(s) for s in synonyms), re.I)
        anchors: set[str] | None = set()
        for synonym in synonyms:
            found = _anchors(synonym)
            if found is None:
                anchors = None
                break
            anchors |= found
        self.anchors = tuple(anchors) if anchors else None

    def find(self, sentence: Sentence) -> list[Match]:
        """Every match in the sentence, computed once per sentence and concept."""
        key = (self.name, id(self))
        found = sentence.hits.get(key)
        if found is None and self.anchors and not any(a in sentence.lower for a in self.anchors):
            found = sentence.hits[key] = []
        if found is None:
            found = [Match(self.name, sentence, m.start(), m.end()) for m in self.pattern.finditer(sentence.lower)]
            sentence.hits[key] = found
        return found

    def __repr__(self):
        return f"Concept({self.name!r}, {len(self.synonyms)} synonyms)"


def negated(match: Match, cues: re.Pattern = _NEGATION_CUES, window: int = _WINDOW_WORDS) -> bool:
    """True when a negation cue stands within ``window`` words before the match in its clause
    ("we won't add validation"), a dismissal follows it there ("validation is overkill"), or the
    clause reports someone else's view ("some would say validation")."""
    start, end = match.sentence.clause_of(match.start)
    words = match.sentence.lower[start : match.start].split()
    tail = " ".join(words[-window:]) if words else ""
    if cues.search(tail) or HEARSAY.search(match.sentence.lower[start:end]):
        return True
    return bool(DISMISSAL.search(match.sentence.lower[match.end : max(end, match.end)]))


class ConceptBook:
    """The named concepts of one rubric (``concepts:`` in its YAML)."""

    def __init__(self, definitions: dict[str, list[str]] | None = None):
        self._concepts: dict[str, Concept] = {}
        self.reported: set[str] = set()  # names a rubric defines whose synonyms were refused
        for name, synonyms in (definitions or {}).items():
            self._concepts[name] = Concept(name, list(synonyms))

    def __contains__(self, name: str) -> bool:
        return name in self._concepts

    def __getitem__(self, name: str) -> Concept:
        try:
            return self._concepts[name]
        except KeyError:
            raise KeyError(f"the rubric names concept {name!r} but does not define it under concepts:") from None

    def names(self) -> list[str]:
        return list(self._concepts)

    def matches(self, name: str, sentences: list[Sentence], *, allow_negated: bool = False) -> list[Match]:
        concept = self[name]
        found = []
        for sentence in sentences:
            for match in concept.find(sentence):
                if allow_negated or not negated(match):
                    found.append(match)
        return found

    def near(self, first: str, second: str, sentences: list[Sentence], window: int = 8) -> list[tuple[Match, Match]]:
        """Pairs of un-negated matches of two concepts at most ``window`` words apart in one sentence."""
        pairs = []
        a_concept, b_concept = self[first], self[second]
        for sentence in sentences:
            a_hits = [m for m in a_concept.find(sentence) if not negated(m)]
            if not a_hits:
                continue
            b_hits = [m for m in b_concept.find(sentence) if not negated(m)]
            for a in a_hits:
                for b in b_hits:
                    lo, hi = sorted((a.end, b.start)) if a.end <= b.start else sorted((b.end, a.start))
                    gap = len(sentence.lower[lo:hi].split()) if hi > lo else 0
                    if gap <= window:
                        pairs.append((a, b))
        return pairs

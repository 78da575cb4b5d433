"""Text the learner was given never earns credit: sentences and clauses mostly made of it are dropped.

The given text is the exercise's prompt, the module's own prompt, anything an instructor lists
under ``given_text:``. It is kept as a set of word stems and stem pairs (optionally as hashes,
``given_fingerprint:``, for text the kit may not quote). A sentence - or one clause of it - is
given when at least 80 % of its content stems (all of them in a short one) and 55 % of its stem pairs occur in the given text:
light rewording, reordering of a few words, and pasting anywhere in the answer do not hide it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from .cues import CHOICE
from .normalize import FUNCTION_WORDS, Sentence

_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ingly", "ing", "edly", "ed", "ies", "es", "ly", "s")
MIN_CONTENT = 7  # a sentence with fewer content words is too short to call copied (option names reuse the prompt)
MIN_CLAUSE_CONTENT = 8  # a clause inside the learner's own sentence must be longer still
UNIGRAM_SHARE = 0.8
PAIR_SHARE = 0.55
# Where a sentence that restates the given text is cut to find the learner's own words in it.
_FINE_BREAK = re.compile(
    r"[,;:()\u2014\u2013]|\s-\s|\b(?:that|which|who|and|but|when|whenever|if|because|since|so|then|where|while)\b",
    re.I,
)


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in _TOKEN.findall(text.lower())]


def _grams(words: list[str]) -> tuple[set[str], set[str]]:
    content = {f"u:{w}" for w in words if w not in FUNCTION_WORDS and len(w) > 1}
    pairs = {f"b:{a} {b}" for a, b in pairwise(words)}
    return content, pairs


@lru_cache(maxsize=65536)
def _hash(gram: str) -> str:
    return hashlib.blake2b(gram.encode(), digest_size=4).hexdigest()


def fingerprint(text: str) -> str:
    """The hashed stems and stem pairs of ``text``: enough to recognise it, not to read it."""
    content, pairs = _grams(stems(text))
    return " ".join(sorted({_hash(g) for g in content | pairs}))


@dataclass
class GivenText:
    """The text a learner was given, as plain grams and hashed grams."""

    grams: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, texts: list[str] | tuple[str, ...] = (), prints: str = "") -> GivenText:
        grams: set[str] = set()
        for text in texts:
            content, pairs = _grams(stems(text))
            grams |= content | pairs
        return cls(grams, set(prints.split()))

    def __bool__(self) -> bool:
        return bool(self.grams or self.hashes)

    def _has(self, gram: str) -> bool:
        return gram in self.grams or (bool(self.hashes) and _hash(gram) in self.hashes)

    def covers(self, text: str, minimum: int = MIN_CONTENT) -> bool:
        """True when ``text`` is mostly given text (see the module docstring for the rule)."""
        if not self:
            return False
        content, pairs = _grams(stems(text))
        if len(content) < minimum:
            return False
        misses = sum(not self._has(g) for g in content)
        if misses > int(len(content) * (1 - UNIGRAM_SHARE) + 1e-9) or (misses and len(content) < 6):
            return False
        return sum(self._has(g) for g in pairs) / max(len(pairs), 1) >= PAIR_SHARE

    def own_share(self, text: str) -> tuple[int, int]:
        """(content stems of ``text`` the given text lacks, content stems of ``text``)."""
        content, _ = _grams(stems(text))
        return sum(not self._has(g) for g in content), len(content)

    def strip(self, sentence: Sentence) -> Sentence | None:
        """The sentence without its given clauses; None when nothing of the learner's own is left.

        A sentence that is mostly given text as a whole may still open with the learner's own
        words ("I would write a dbt test that compares each region's count with ..."): it is cut
        more finely (at "that", "and", "when" too) and the pieces that are the learner's own are
        kept - two own content words, at least half of the piece's unless it is short (option
        names reuse the prompt), or one beside a choice cue ("I'd just add a plain rule") - so a
        restated job does not hide the choice made about it."""
        if not self:
            return sentence
        if self.covers(sentence.text):
            return self._own_pieces(sentence)
        kept, dropped = [], False
        for start, end in sentence.clauses:
            piece = sentence.text[start:end]
            if self.covers(piece, MIN_CLAUSE_CONTENT):
                dropped = True
            else:
                kept.append(piece.strip())
        if not dropped:
            return sentence
        text = ", ".join(k for k in kept if k)
        if not text:
            return None
        return Sentence(text, sentence.index, kind=sentence.kind, cut=sentence.cut, paragraph=sentence.paragraph)

    def _own_pieces(self, sentence: Sentence) -> Sentence | None:
        kept = []
        for piece in _FINE_BREAK.split(sentence.text):
            own, total = self.own_share(piece)
            if (own >= 2 and (own * 2 >= total or total < MIN_CONTENT)) or (own and CHOICE.search(piece.lower())):
                kept.append(piece.strip(" ,;:"))
        if not kept:
            return None
        return Sentence(
            ", ".join(kept), sentence.index, kind=sentence.kind, cut=sentence.cut, paragraph=sentence.paragraph
        )


__all__ = ["GivenText", "fingerprint", "stem", "stems"]

"""From Markdown to sentences and clauses the analyzers can read.

Markdown decoration (emphasis, code ticks, headings, bullets, table pipes) is removed, every
bullet, table row and heading becomes a sentence of its own, and prose is split at sentence
ends without breaking decimals ("0.857") or abbreviations ("e.g. orders_api.customers").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ..safety import strip_html_comments

_FENCE = re.compile(r"^\s*(```|~~~)")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?!\s)|(?<!\s)\*(?![\w*])|`)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Za-z0-9*#`|\"'])|\s*;\s+")
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx|incl|esp|fig|no)\.$", re.I)
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;:()\u2014\u2013]|\s-\s|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bthough\b|"
    r"\bbecause\b|\bsince\b|\bso that\b|\bso\b|\byet\b|\bthen\b|\bwhich\b)\s*",
    re.I,
)
_WORD = re.compile(r"[a-z0-9][a-z0-9_'’.-]*", re.I)
MAX_SENTENCE_WORDS = 80  # longer runs are cut, which bounds the work per sentence on hostile input

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "than",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "they",
        "them",
        "their",
        "we",
        "our",
        "you",
        "your",
        "i",
        "my",
        "he",
        "she",
        "his",
        "her",
        "each",
        "every",
        "all",
        "both",
        "any",
        "some",
        "if",
        "when",
        "because",
        "so",
        "and",
        "or",
        "but",
        "not",
        "no",
        "would",
        "should",
        "could",
        "can",
        "will",
        "must",
        "may",
        "might",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "then",
        "there",
        "here",
        "which",
        "who",
        "what",
        "how",
        "returns",
        "return",
        "gives",
        "give",
        "run",
        "runs",
        "use",
        "uses",
        "using",
        "first",
        "after",
        "before",
        "until",
        "while",
        "since",
        "per",
        "into",
        "only",
        "also",
        "just",
        "still",
        "same",
        "why",
        "where",
        "need",
        "needs",
        "fit",
        "fits",
        "goes",
        "go",
        "get",
        "gets",
        "take",
        "takes",
        "keep",
        "keeps",
        "send",
        "sends",
        "merge",
        "merges",
        "check",
        "checks",
        "make",
        "makes",
    ]
)


@dataclass
class Sentence:
    """One sentence (or bullet, table row, heading) and its clauses, lower-cased for matching."""

    text: str
    index: int
    lower: str = ""
    clauses: list[tuple[int, int]] = field(default_factory=list)
    is_question: bool = False
    kind: str = "prose"  # prose | bullet | row | heading
    cut: bool = False  # part of a run-on longer than MAX_SENTENCE_WORDS

    def __post_init__(self):
        self.lower = self.text.lower()
        self.is_question = self.text.rstrip().endswith("?")
        self.clauses = clause_spans(self.lower)

    def clause_of(self, position: int) -> tuple[int, int]:
        i = bisect_right([start for start, _ in self.clauses], position) - 1
        if i >= 0 and self.clauses[i][0] <= position < self.clauses[i][1]:
            return self.clauses[i]
        return 0, len(self.lower)

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.lower)


def clause_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = max(start, match.end())
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def strip_markdown(line: str) -> str:
    line = re.sub(r"(?<=[\d)])\s*\*\*\s*(?=[\d(.])", "^", line)  # 0.95**3 is a power, not emphasis
    line = _EMPHASIS.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def _lines(text: str):
    """Logical lines: (kind, text). Paragraph lines are joined; bullets, rows, headings stand alone."""
    text = strip_html_comments(text.replace("\r\n", "\n").replace("\r", "\n"), " ")
    paragraph: list[str] = []
    for raw in text.split("\n"):
        if _FENCE.match(raw) or _TABLE_RULE.match(raw):
            continue
        stripped = raw.strip()
        kind = None
        if not stripped:
            kind = "blank"
        elif _HEADING.match(raw):
            kind, stripped = "heading", _HEADING.sub("", raw).strip()
        elif stripped.startswith("|") or stripped.count("|") >= 2:
            kind = "row"
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            stripped = " — ".join(c for c in cells if c)
        elif _BULLET.match(raw):
            kind, stripped = "bullet", _BULLET.sub("", raw).strip()
        if kind is None:
            paragraph.append(stripped)
            continue
        if paragraph:
            yield "prose", " ".join(paragraph)
            paragraph = []
        if kind != "blank":
            yield kind, stripped
    if paragraph:
        yield "prose", " ".join(paragraph)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a Markdown answer, in order, each with its clauses."""
    out: list[Sentence] = []
    for kind, line in _lines(text):
        line = strip_markdown(line)
        if not line:
            continue
        pieces, start = [], 0
        for match in _SENTENCE_END.finditer(line):
            head = line[max(start, match.start() - 40) : match.start()].rstrip()  # the tail only: linear
            if _ABBREVIATIONS.search(head) or (
                ";" not in match.group(0)
                and head.endswith(".")
                and line[match.end() : match.end() + 1].islower()
                and re.search(r"\b\w\.$", head)
            ):
                continue
            pieces.append(line[start : match.start()])
            start = match.end()
        pieces.append(line[start:])
        for piece in pieces:
            chunks = _bounded(piece.strip())
            for chunk in chunks:
                out.append(Sentence(chunk, len(out), kind=kind, cut=len(chunks) > 1))
    return out


def _bounded(piece: str) -> list[str]:
    words = piece.split(" ")
    if len(words) <= MAX_SENTENCE_WORDS:
        return [piece] if piece else []
    return [" ".join(words[i : i + MAX_SENTENCE_WORDS]) for i in range(0, len(words), MAX_SENTENCE_WORDS)]


def _is_prose(segment: str) -> bool:
    words = _WORD.findall(segment.lower())
    return (len(words) >= 4 and any(w in FUNCTION_WORDS for w in words)) or len(words) >= 7


def is_keyword_dump(text: str) -> bool:
    """True when an answer is a bare list of terms rather than statements that connect them.

    The answer is cut at line breaks, commas, semicolons and table pipes; a segment is prose
    when it has four or more words including a function word ("the", "returns", "if"...), or
    seven words or more.
    Less than a third of the words sitting in prose segments marks a keyword list, and so does
    a long answer that repeats a handful of words (fewer than one distinct word in five).
    """
    words = _WORD.findall(text.lower())
    if len(words) >= 80 and len(set(words)) < 0.2 * len(words):
        return True  # the same few words over and over
    segments = [s for s in re.split(r"[\n,;|]+", strip_html_comments(text, " ")) if s.strip()]
    total = prose = 0
    for segment in segments:
        count = len(_WORD.findall(segment))
        total += count
        if _is_prose(segment):
            prose += count
    return total >= 6 and prose < total / 3

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
    r"\s*(?:[,;:()\u2014\u2013\u2026]|\.{3}|\s-\s|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bthough\b|"
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
    kind: str = "prose"  # prose | bullet | row | heading | code
    cut: bool = False  # part of a run-on longer than MAX_SENTENCE_WORDS
    paragraph: int = 0  # blocks separated by blank lines or headings
    hits: dict = field(default_factory=dict, repr=False, compare=False)  # concept name -> matches (memo)

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


def _powers(line: str) -> str:
    """``0.95**3`` is a power, not emphasis; ``**0.857** (85.7%)`` is bold. Each ``**`` is read in
    order: one that closes an open bold span (written against the text before it, not followed by
    a digit) is emphasis, one between a number and a number or bracket is a power sign."""
    out, last, bold = [], 0, False
    for match in re.finditer(r"\*\*", line):
        start, end = match.span()
        before, after = line[start - 1 : start], line[end : end + 1]
        if bold and before and not before.isspace() and not after.isdigit():
            bold = False  # closes "**0.857**"
        elif re.search(r"[\d)]\s*$", line[:start]) and re.match(r"\s*[\d(.]", line[end:]):
            stripped = line[last:start].rstrip()
            out.append(stripped + "^")
            last = end + len(line[end:]) - len(line[end:].lstrip())
            continue
        elif after and not after.isspace():
            bold = not bold
        else:
            bold = False
    out.append(line[last:])
    return "".join(out)


def strip_markdown(line: str) -> str:
    line = _powers(line) if "**" in line else line
    line = _EMPHASIS.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


_LABEL_LINE = re.compile(r"^[*_`]*[\w ./()-]{1,40}[*_`]*:[*_`]*\s")


def _joins(previous: str, line: str) -> str:
    """How an unbulleted line joins the one before: a clause break (so a negation stays on its own
    line) when the previous line has no closing punctuation and this one starts a new item."""
    if previous[-1:] in ".!?;:,":
        return " "
    if _LABEL_LINE.match(line):
        return "; "  # "Chained: ..." on its own line starts a new statement
    return " \u2014 " if line[:1].isupper() else " "


def _lines(text: str):
    """Logical lines: (kind, text, paragraph). Paragraph lines are joined; bullets, rows, headings stand alone."""
    text = strip_html_comments(text.replace("\r\n", "\n").replace("\r", "\n"), " ")
    paragraph: list[str] = []
    block = 0
    in_code = False
    for raw in text.split("\n"):
        if _FENCE.match(raw):  # a code block ends the paragraph; each code line stands alone
            in_code = not in_code
            if paragraph:
                yield "prose", "".join(paragraph), block
                paragraph = []
            continue
        if in_code:
            if raw.strip():
                yield "code", raw.strip(), block
            continue
        if _TABLE_RULE.match(raw):
            continue
        stripped = raw.strip()
        kind = None
        if not stripped:
            kind = "blank"
        elif _HEADING.match(raw) and not re.match(r"^\s*#\s+of\b", raw):
            kind, stripped = "heading", _HEADING.sub("", raw).strip()
        elif stripped.startswith("|") or stripped.count("|") >= 2:
            kind = "row"
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            stripped = " — ".join(c for c in cells if c)
        elif _BULLET.match(raw):
            kind, stripped = "bullet", _BULLET.sub("", raw).strip()
        if kind is None:
            if paragraph:
                paragraph.append(_joins(paragraph[-1], stripped))
            paragraph.append(stripped)
            continue
        if paragraph:
            yield "prose", "".join(paragraph), block
            paragraph = []
        if kind in ("blank", "heading"):
            block += 1
        if kind != "blank":
            yield kind, stripped, block
    if paragraph:
        yield "prose", "".join(paragraph), block


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a Markdown answer, in order, each with its clauses."""
    out: list[Sentence] = []
    for kind, line, block in _lines(text):
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
                out.append(Sentence(chunk, len(out), kind=kind, cut=len(chunks) > 1, paragraph=block))
    return out


def _bounded(piece: str) -> list[str]:
    words = piece.split(" ")
    if len(words) <= MAX_SENTENCE_WORDS:
        return [piece] if piece else []
    return [" ".join(words[i : i + MAX_SENTENCE_WORDS]) for i in range(0, len(words), MAX_SENTENCE_WORDS)]


# What relates terms in a written-out comparison or formula: "change_count must equal
# len(columns_added) + len(columns_removed)", "count == len(models)". Each one does the work of
# a function word, so a segment built on them states something rather than listing terms.
_RELATION = re.compile(
    r"==|!=|<=|>=|(?<![=!<>])[=<>](?![=<>])|(?<=\w|\))\s*[+*/]\s*(?=[\w(])|\b[a-z_]\w*\s*\(|"
    r"\b(?:equals?|matches|match|against|versus|vs)\b",
    re.I,
)
_COMPARISON = re.compile(r"==|!=|<=|>=|(?<![=!<>])[=<>](?![=<>])|\b(?:equals?|must match)\b", re.I)


def _is_prose(segment: str) -> bool:
    """Four words or more with function words among them: at least one in every seven words, so a
    long run of terms without commas ("plain rule threshold deterministic ...") is not prose.
    Comparison signs, arithmetic between terms and calls such as ``len(...)`` count as function
    words: a formula written out relates its terms."""
    words = _WORD.findall(segment.lower())
    plain = sum(w in FUNCTION_WORDS for w in words)
    # signs relate terms only beside a function word, a call or a number: "validation = completeness
    # = retries" is still a list of terms dressed as a formula
    related = plain or "(" in segment or any(c.isdigit() for c in segment)
    if related and sum(any(c.isalpha() for c in w) for w in words) >= 3 and _COMPARISON.search(segment):
        return True  # "change_count == len(lists)": a comparison of named things is a statement
    function = plain + (len(_RELATION.findall(segment)) if related else 0)
    return len(words) >= 4 and function >= max(1, len(words) / 7)


def is_keyword_dump(text: str) -> bool:
    """True when an answer is a bare list of terms rather than statements that connect them.

    The answer is cut at line breaks, commas, semicolons and table pipes; a segment is prose
    when it has four or more words with at least one function word ("the", "returns", "if"...)
    in every seven (comparison and arithmetic signs and calls like ``len(...)`` count as such),
    or three or more named things around a comparison ("change_count == len(lists)").
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

"""Answer cells as data: cleaning the text and reading it as a number, a choice, YAML or prose.

A learner's answer is never run. Numbers go through the whitelisted arithmetic evaluator,
mappings and contracts through guarded ``safe_load``, choices are matched against the
rubric's options and their synonyms.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .safety import evaluate_arithmetic, safe_yaml, strip_html_comments

_PLACEHOLDERS = re.compile(r"^\s*(?:\.\.\.|…|todo|tbd|your answer(?: here)?|<[^>\n]{0,40}>|\?+)\s*$", re.I)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$|^\s*~~~[\w-]*\s*$")
_BLANK_ENTRY = re.compile(r"[ \t]*(?:[\w-]+[ \t]*:[ \t]*(?:\.\.\.|~|null|''|\"\")?[ \t]*)?$")  # key with no value
PLACEHOLDER_MARK = "✎"  # starts the visible "type here" line of an exercise's answer cell
#: The "✎ *Replace this line ...*" prompt itself: removed, while anything a learner typed beside it stays.
_PLACEHOLDER_PROMPT = re.compile(
    rf"(?:^[ \t>*_]*)?{PLACEHOLDER_MARK}[ \t]*(?:([*_]{{1,2}})[ \t]*replace this line.*?\1|replace this line[^\n]*)",
    re.I | re.S | re.M,
)


def clean(raw: str, kind: str) -> str:
    """The answer without instructions: HTML comments, code fences, the cell's ✎ placeholder prompt
    (left unchanged it is no answer; text typed after it or after the ✎ stays), and for data, # comments."""
    text = strip_html_comments(raw.replace("\r\n", "\n"))
    text = _PLACEHOLDER_PROMPT.sub("", text).replace(PLACEHOLDER_MARK, "")
    lines = [line for line in text.split("\n") if not _FENCE.match(line)]
    if kind in ("number", "choice"):
        lines = [line.split("#", 1)[0] for line in lines]
    text = "\n".join(lines).strip()
    return "" if _PLACEHOLDERS.match(text) else text


def is_empty(raw: str, kind: str) -> bool:
    """True for a blank answer, a placeholder, comments only, or a mapping with every value blank."""
    text = clean(raw, kind)
    if kind in ("mapping", "yaml"):
        text = "\n".join(line for line in text.split("\n") if not line.strip().startswith("#")).strip()
        if text and kind == "mapping" and all(_BLANK_ENTRY.match(line) for line in text.split("\n")):
            return True
    return not text


def normalize_choice(value) -> str:
    """``"Parallel Fan-out / fan-in"`` -> ``"parallel fan out fan in"``."""
    text = str(value).strip().strip("\"'`").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_GLOSS = re.compile(r"\s*(?:\([^)]*\)|\[[^\]]*\]|(?:->|→|—|–|:|,| - ).*)$")
_PARENTHESES = re.compile(r"\(([^)]*)\)")
_NEGATED_PART = re.compile(r"\b(?:not|no|never|nor|instead of|rather than|avoid)\b|n[’']t\b")
_ARTICLE = re.compile(r"^(?:a|an|the|use|pick|choose|i d pick|i d use)\s+")


def _stem_words(text: str) -> str:
    return " ".join(re.sub(r"(?:ing|ed|es|s)$", "", w) if len(w) > 4 else w for w in text.split())


def read_choice(value, options: dict[str, list[str]]) -> str | None:
    """The canonical option a learner's choice names, or None when it names none or several.

    Tried in order: the text as written; without a gloss ("optimistic locking (version check)",
    "hierarchical (orchestrator -> specialists)") and a leading article ("a direct tool call");
    with word endings dropped ("event-sourced log" for "event sourcing log"); then the one option
    named in a part of the answer no negation governs, or contained in a sentence. An answer that
    names two or more options ("event sourcing or agent scoped", "a, b, c or d") names none.
    """
    raw = str(value).strip().strip("\"'`")
    book = _option_book(tuple((c, tuple(syns)) for c, syns in options.items()))
    parts = [p for p in _LISTED.split(raw) if p.strip() and not _NEGATED_PART.search(p.lower())]
    named = {_match_forms(p, book) for p in parts} - {None}
    plain = [normalize_choice(p) for p in parts]
    contained = {option for option, pattern in book.specific.items() if any(pattern.search(p) for p in plain)}
    if len(named) > 1 or len(contained) > 1:
        return None  # a hedge names no one option
    found = _match_forms(raw, book)
    if found:
        return found
    for found in (named, contained):
        if len(found) == 1:
            return next(iter(found))
    return None


#: A name this long (or of two words or more) is specific enough to find inside a sentence
#: ("I would use event sourcing because the post-mortem needs the history").
_SPECIFIC = 8
#: Where a list of options breaks: clauses, and "or", "and", "/" between names.
_LISTED = re.compile(r"[;,.]|\bbut\b|\bor\b|\band\b|\s/\s|(?<=\w)/(?=\w)")


class _OptionBook(NamedTuple):
    names: dict[str, set[str]]  # option -> its normalized names
    stemmed: dict[str, set[str]]  # the same without word endings
    specific: dict[str, re.Pattern]  # option -> its specific names as one whole-word pattern


@lru_cache(maxsize=256)
def _option_book(options: tuple[tuple[str, tuple[str, ...]], ...]) -> _OptionBook:
    """An exercise's options read once: the rubric's few option lists are graded thousands of times."""
    names = {c: {normalize_choice(c), *(normalize_choice(s) for s in syns)} for c, syns in options}
    stemmed = {c: {_stem_words(k) for k in known} for c, known in names.items()}
    specific = {}
    for c, known in names.items():
        long = sorted((re.escape(k) for k in known if len(k) >= _SPECIFIC or " " in k), key=len, reverse=True)
        if long:
            specific[c] = re.compile(rf"\b(?:{'|'.join(long)})\b")
    return _OptionBook(names, stemmed, specific)


def _match_forms(raw: str, book: _OptionBook) -> str | None:
    forms = [normalize_choice(raw)]
    bare = normalize_choice(_GLOSS.sub("", raw))
    forms += [bare, _ARTICLE.sub("", bare), _ARTICLE.sub("", forms[0])]
    forms += [normalize_choice(g) for g in _PARENTHESES.findall(raw)]  # "run the query (tool call)"
    forms = [f for f in forms if f]
    for form in forms:
        hits = [c for c, known in book.names.items() if form in known]
        if len(hits) == 1:
            return hits[0]
    for form in forms:
        hits = [c for c, known in book.stemmed.items() if _stem_words(form) in known]
        if len(hits) == 1:
            return hits[0]
    for form in forms:  # a known name plus a word or two: "event-sourced log"
        words = _stem_words(form)
        hits = {
            c
            for c, known in book.stemmed.items()
            for k in known
            if len(k) > 3 and words.startswith(k + " ") and len(words.split()) <= len(k.split()) + 2
        }
        if len(hits) == 1:
            return hits.pop()
    return None


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_HEDGE = re.compile(
    r"^(?:about|around|approximately|approx\.?|roughly|circa|ca\.|nearly|almost|just under|just over)\s+", re.I
)


_STATED_RESULT = re.compile(
    r"(?:\bso|\bwhich is|\bgives|\bthat is|\bequals|=|≈)\s*(?:about|around|roughly|approximately|approx\.?|~)?\s*"
    r"([-+]?\d*[.,]?\d+\s*%?)\s*\.?\s*$",
    re.I,
)


class ReadNumber(float):
    """A learner's number, remembering how it was written (an expression? a percentage?)."""

    written: str = ""
    expression: bool = False
    percent: bool = False


def _as_read(value: float, written: str, expression: bool, percent: bool) -> ReadNumber:
    number = ReadNumber(value)
    number.written, number.expression, number.percent = written, expression, percent
    return number


def read_number(text: str) -> ReadNumber:
    """A number, percentage or arithmetic expression: "about 44 percent", "0.85⁵", "0.95^8 = 0.663".

    An expression with its result must agree with it (to the precision written); the expression's
    exact value is then used.
    """
    first = text.strip().split("\n", 1)[0].strip()
    first = re.sub(r"^\s*(?:answer|value|result)?\s*[:=]\s*", "", first, flags=re.I)
    first = _HEDGE.sub("", first.strip())
    first = re.sub(r"^(\*\*|__)(.+?)\1", r"\2", first)  # "**0.444** (44.4%)": bold, as the lessons write it
    first = re.sub(r"^([\d.,%*^()/ ]+?)\s*\((?:[^()]*%|[^()]*percent)\)\s*$", r"\1", first)  # the same as a percentage
    first = re.sub(r"\s*(?:percent|per cent|pct)\.?\s*$", "%", first, flags=re.I)
    first = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "**" + m.group(1).translate(_SUPERSCRIPTS), first)
    first = re.sub(r"(?<=[\d)])\s*[x×·]\s*(?=[\d.(])", "*", first)  # 0.95 x 8
    stated = _STATED_RESULT.search(first)
    if stated and re.search(r"[a-z]{3,}", first[: stated.start()], re.I):  # "cube root of 0.95, so about 98.3 %"
        first = stated.group(1)
    parts = [p.strip() for p in re.split(r"\s*(?:=|≈|~=)\s*", first) if p.strip()]
    if len(parts) == 2:
        value, result = evaluate_arithmetic(parts[0]), evaluate_arithmetic(parts[1])
        digits = len(parts[1].rstrip("%").split(".")[1]) if "." in parts[1] else 0
        scale = 100 if parts[1].endswith("%") else 1
        if abs(value * scale - result * scale) > 0.5 * 10**-digits + 1e-12:
            raise ValueError(f"{parts[0]} comes to {value:.4g}, not {parts[1]}; write one value")
        return _as_read(value, first, True, parts[0].endswith("%"))
    if len(parts) != 1:
        raise ValueError(f"{first!r} is not one number or expression")
    source = parts[0]
    expression = bool(re.search(r"\d\s*(?:\*\*?|\^|/|×|\+|(?<!^)-)\s*[\d(.]", source))
    return _as_read(evaluate_arithmetic(source), source, expression, source.endswith("%"))


def read_mapping(text: str, what: str) -> dict:
    """``key: value`` lines as a dict with normalized keys. A value YAML reads as true or false (an
    unquoted no, yes, off or on) keeps the word the learner typed, so feedback can quote it."""
    value = safe_yaml(text, what=what, booleans=False)
    if not isinstance(value, dict):
        raise ValueError(f"{what} should be a YAML mapping (key: value lines), not {type(value).__name__}")
    return {normalize_key(k): v for k, v in value.items()}


def normalize_key(key) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(key).strip().lower()).strip("_")


def parse_answer(text: str, kind: str, name: str):
    """The answer's value for a check. Raises ValueError (learner's mistake, shown as feedback)
    or :class:`~grader.safety.UnsafeInput` (refused input: the submission is not gradable)."""
    what = f"answer '{name}'"
    if kind == "number":
        return read_number(text)
    if kind == "choice":
        return text.strip().split("\n", 1)[0]
    if kind == "mapping":
        return read_mapping(text, what)
    if kind == "yaml":
        value = safe_yaml(_quote_generics(text), what=what)
        if isinstance(value, str) and len(value.split()) > 3:
            raise ValueError(f"{what} is prose, not YAML: write the fields as 'name: rules' lines")
        return value
    return text


def _quote_generics(text: str) -> str:
    """Quote pydantic-style generics (``list[str]``), which YAML would read as the start of a list."""
    return re.sub(r"(?<=[\s:{,\[])((?:list|List|dict|Dict|set|tuple|Optional)\[[\w, \[\]]+\])", r'"\1"', text)

"""Answer cells as data: cleaning the text and reading it as a number, a choice, YAML or prose.

A learner's answer is never run. Numbers go through the whitelisted arithmetic evaluator,
mappings and contracts through guarded ``safe_load``, choices are matched against the
rubric's options and their synonyms.
"""

from __future__ import annotations

import re

from .safety import evaluate_arithmetic, safe_yaml, strip_html_comments

_PLACEHOLDERS = re.compile(r"^\s*(?:\.\.\.|…|todo|tbd|your answer(?: here)?|<[^>\n]{0,40}>|\?+)\s*$", re.I)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$|^\s*~~~[\w-]*\s*$")
_BLANK_ENTRY = re.compile(r"[ \t]*(?:[\w-]+[ \t]*:[ \t]*(?:\.\.\.|~|null|''|\"\")?[ \t]*)?$")  # key with no value
PLACEHOLDER_MARK = "✎"  # starts the visible "type here" line of an exercise's answer cell
_PLACEHOLDER_LINE = re.compile(rf"^[ \t>*_]*{PLACEHOLDER_MARK}")


def clean(raw: str, kind: str) -> str:
    """The answer without instructions: HTML comments, code fences, the cell's ✎ placeholder line
    (left unchanged it is no answer), and for data, # comments."""
    text = strip_html_comments(raw.replace("\r\n", "\n"))
    lines = [line for line in text.split("\n") if not _FENCE.match(line) and not _PLACEHOLDER_LINE.match(line)]
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


def read_choice(value, options: dict[str, list[str]]) -> str | None:
    """The canonical option a learner's choice names, or None when it names none of them."""
    wanted = normalize_choice(value)
    if not wanted:
        return None
    for canonical, synonyms in options.items():
        if wanted == normalize_choice(canonical) or wanted in {normalize_choice(s) for s in synonyms}:
            return canonical
    return None


def read_number(text: str) -> float:
    first = text.strip().split("\n", 1)[0]
    first = re.sub(r"^\s*(?:answer|value|result)?\s*[:=]\s*", "", first, flags=re.I)
    return evaluate_arithmetic(first)


def read_mapping(text: str, what: str) -> dict:
    value = safe_yaml(text, what=what)
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
        return safe_yaml(text, what=what)
    return text

"""Numbers read from prose: digits, percentages, number words, and arithmetic claims.

``normalize_numbers`` rewrites a sentence so that "eighty-six percent" reads "86 %",
"0.95³" reads "0.95^3", "0.95 × 0.95" reads "0.95 x 0.95" and "0,857" reads "0.857".
``read_claims`` then finds powers and products of a base ("0.95^3 = 0.857", "0.95 cubed,
about 86 %", "0.95 x 0.95 x 0.95") with the result the learner wrote, and additive
reasoning ("3 x 5 % = 15 %", "0.95 x 3"). No learner text is ever evaluated as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
}
_DIGIT = "zero|one|two|three|four|five|six|seven|eight|nine"
_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_TENS_RE = "|".join(_TENS)
_WORD_NUMBER = re.compile(
    rf"\b(?P<int>(?:{_TENS_RE})(?:[\s-](?:{_DIGIT}))?|{_UNIT_RE}|(?:a|one) hundred)"
    rf"(?P<frac>(?:\s+point(?:\s+(?:{_DIGIT}))+))?\b"
)
_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
}
_SUPERSCRIPTS = str.maketrans({"²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7", "⁸": "^8", "⁹": "^9"})

NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
_NUM_TOKEN = re.compile(rf"(?<![\w.^]){NUMBER}(?:\s*%)?(?![\w^])")
_BASE = rf"(?:\(\s*)?(?P<base>{NUMBER}(?:\s*%)?)(?:\s*\))?"
_EXPONENT = r"(?:\(\s*)?(?P<exp>\d{1,2})(?:\s*\))?"
_POWER_FORMS = [
    re.compile(rf"{_BASE}\s*\^\s*{_EXPONENT}"),
    re.compile(rf"{_BASE}\s+(?P<word>cubed|squared)"),
    re.compile(
        rf"{_BASE}\s+(?:raised\s+)?to\s+the\s+(?:power\s+of\s+)?(?P<ord>\d{{1,2}}(?:st|nd|rd|th)?|second|third|fourth|"
        rf"fifth|sixth|seventh|eighth)(?:\s+power)?"
    ),
    re.compile(rf"pow\(\s*(?P<base>{NUMBER})\s*,\s*(?P<exp>\d{{1,2}})\s*\)"),
]
_PRODUCT = re.compile(rf"(?P<base>{NUMBER}\s*%?)(?:\s*(?:x|\*|times)\s*{NUMBER}\s*%?){{1,9}}")
_RESULT = re.compile(
    rf"^\s*\)?\s*(?:=|~=|~|≈|≃|->|→|=>|:|,)?\s*(?:is|equals|gives(?:\s+you)?|comes(?:\s+out)?\s+to|yields|of|or|"
    rf"which\s+is|i\.e\.|so|that's|so\s+around|so\s+about)?\s*(?:=|≈|~)?\s*(?:about|roughly|approximately|approx\.?|"
    rf"around|nearly|almost|just\s+(?:under|over)|~|≈)?\s*(?P<value>{NUMBER})(?P<pct>\s*%)?"
)
_ADDITIVE = [  # each starts where a number starts: "95% x 3" is not "5% x 3"
    re.compile(r"\b(?:3|4|5)\s*(?:x|\*|times)\s*(?:5\s*%|0?\.05)"),
    re.compile(r"(?<![\d.])(?:5\s*%|0?\.05)\s*(?:x|\*|times)\s*(?:3|4|5)\b(?!\s*%)"),
    re.compile(r"(?<![\d.])(?:5\s*%|0?\.05)(?:\s*\+\s*(?:5\s*%|0?\.05))+"),
    re.compile(r"(?<![\d.])(?:0?\.95|95\s*%)(?:\s*\+\s*(?:0?\.95|95\s*%))+"),
    re.compile(r"(?<![\d.])(?:0?\.95|95\s*%)\s*(?:x|\*|times)\s*(?:3|4|5)\b(?!\s*%)(?!\.\d)"),
    re.compile(r"\b(?:add|adds|added|adding|sum|summing)\s+(?:up\s+)?(?:the\s+)?(?:failure|error)"),
    re.compile(r"\b(?:failure|error)(?:\s+rates?)?\s+(?:add|adds|sum)\b"),
    re.compile(r"(?<![\d.])1\s*-\s*(?:3|4)\s*(?:x|\*)\s*0?\.05"),
]


@dataclass(frozen=True)
class Number:
    value: float  # as a fraction when written as a percentage
    raw: str
    start: int
    end: int
    percent: bool
    decimals: int  # digits after the point, in the unit it was written in

    @property
    def tolerance(self) -> float:
        """Half a unit of the last digit written, plus a little slack for rounding twice."""
        unit = 10.0**-self.decimals * (0.01 if self.percent else 1.0)
        return min(unit / 2 + 0.001, 0.006)


@dataclass(frozen=True)
class Claim:
    kind: str  # power | additive
    base: float | None
    exponent: int | None
    result: Number | None
    text: str
    start: int


def parse_number_words(text: str) -> str:
    """Replace number words by digits: "eighty-six point five" -> "86.5", "three" -> "3"."""

    def repl(match: re.Match) -> str:
        words = re.split(r"[\s-]+", match.group("int"))
        if words[-1] == "hundred":
            value = 100
        elif words[0] in _TENS:
            value = _TENS[words[0]] + (_UNITS[words[1]] if len(words) > 1 else 0)
        else:
            value = _UNITS[words[0]]
        digits = str(value)
        if match.group("frac"):
            decimals = "".join(str(_UNITS[w]) for w in match.group("frac").split()[1:])
            digits += "." + decimals
        return digits

    return _WORD_NUMBER.sub(repl, text)


def normalize_numbers(text: str) -> str:
    text = text.lower().translate(_SUPERSCRIPTS)
    text = parse_number_words(text)
    text = re.sub(r"\b(?:per\s*cent|percent|pct)\b", "%", text)
    text = re.sub(r"\*\*", "^", text)
    text = re.sub(r"[×·⋅✕]", " x ", text)
    text = re.sub(r"(?<=\d)\s*x\s*(?=[\d.(])", " x ", text)
    text = re.sub(r"\b0,(\d{2,})\b", r"0.\1", text)
    return re.sub(r"[ \t]+", " ", text)


def _number(raw: str, start: int, end: int) -> Number:
    percent = raw.rstrip().endswith("%")
    digits = raw.rstrip("% ").strip()
    value = float(digits)
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Number(value / 100 if percent else value, raw, start, end, percent, decimals)


def find_numbers(text: str) -> list[Number]:
    """Every number in an already-normalized sentence, percentages as fractions."""
    return [_number(m.group(0), m.start(), m.end()) for m in _NUM_TOKEN.finditer(text)]


def _as_fraction(raw: str) -> float:
    raw = raw.strip()
    return float(raw.rstrip("% ")) / 100 if raw.endswith("%") else float(raw)


def _result_after(text: str, end: int) -> Number | None:
    match = _RESULT.match(text[end : end + 48])
    if not match:
        return None
    raw = match.group("value") + (match.group("pct") or "")
    return _number(raw, end + match.start("value"), end + match.end())


def read_claims(text: str) -> list[Claim]:
    """Powers and products with their stated results, and additive reasoning, in reading order."""
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []
    for form in _POWER_FORMS:
        for m in form.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            groups = m.groupdict()
            if groups.get("exp"):
                exponent = int(groups["exp"])
            elif groups.get("word"):
                exponent = 3 if groups["word"] == "cubed" else 2
            else:
                ordinal = groups["ord"]
                exponent = _ORDINALS.get(ordinal) or int(re.sub(r"\D", "", ordinal) or 0)
            claims.append(
                Claim(
                    "power", _as_fraction(groups["base"]), exponent, _result_after(text, m.end()), m.group(0), m.start()
                )
            )
            taken.append((m.start(), m.end()))
    for m in _PRODUCT.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        factors = [f.strip() for f in re.split(r"\s*(?:x|\*|times)\s*", m.group(0))]
        values = [_as_fraction(f) for f in factors]
        if len(values) >= 2 and all(abs(v - values[0]) < 1e-9 for v in values) and 0 < values[0] < 1:
            claims.append(Claim("power", values[0], len(values), _result_after(text, m.end()), m.group(0), m.start()))
            taken.append((m.start(), m.end()))
    for pattern in _ADDITIVE:
        for m in pattern.finditer(text):
            result = _result_after(text, m.end()) if m.group(0)[-1:].isdigit() or m.group(0)[-1:] == "%" else None
            written = text[m.start() : result.end].strip() if result else m.group(0)  # quoted as written
            claims.append(Claim("additive", None, None, result, written, m.start()))
    return sorted(claims, key=lambda c: c.start)

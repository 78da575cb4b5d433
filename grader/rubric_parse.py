"""Parsing a rubric's YAML data into a :class:`Rubric`: answers, concepts, given text and
criteria with typed check specs. Every problem is collected with its line (see
:mod:`grader.rubric_source`) and raised together, so an author sees them all in one pass.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .answers import normalize_choice
from .checks.build import Context, build_spec
from .errors import RubricError
from .rubric_source import Problems, line_of
from .specs import Spec
from .text.concepts import ConceptBook
from .text.given import GivenText
from .text.patterns import synonym_problem

ANSWER_KINDS = ("number", "choice", "mapping", "yaml", "text")
EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TOP_KEYS = (
    "exercise", "title", "version", "answers", "concepts", "criteria",
    "given_text", "given_fingerprint", "ignore_sentences", "total_points",
)  # fmt: skip
ANSWER_KEYS = ("kind", "options", "prompt")
CRITERION_KEYS = ("id", "title", "points", "answer", "check", "feedback", "hint", "hidden")


@dataclass(frozen=True)
class AnswerSpec:
    name: str
    kind: str
    options: dict[str, list[str]] = field(default_factory=dict)
    prompt: str = ""


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    points: float
    answer: str
    check: Spec
    feedback: dict
    hint: str = ""
    hidden: bool = False

    def feedback_for(self, reason: str, passed: bool) -> str:
        """The rubric's message for ``reason``; without one, ``fail`` - or, where ``fail`` alone would
        mislead, the default in :data:`DEFAULT_FEEDBACK` (which may quote ``fail``)."""
        if passed:
            return self.feedback["pass"]
        own = self.feedback.get(reason)
        if own:
            return own
        default = DEFAULT_FEEDBACK.get((getattr(self.check, "type", ""), reason)) or DEFAULT_FEEDBACK.get(reason)
        return default.format(fail=self.feedback["fail"]) if default else self.feedback["fail"]


#: Messages for failure reasons a rubric wrote no message for, by reason or (check type, reason).
#: A keyword list still gets the criterion's ``fail`` text, plus what is wrong with the form; a
#: simulation that could not read the option ran nothing, so its ``fail`` text (a simulated
#: result) would be false.
NOTHING_SIMULATED = "Nothing was simulated: the grader could not tell which option your answer names."
DEFAULT_FEEDBACK = {
    "keyword_list": "{fail} Your answer reads as a list of terms: write it as sentences that connect them.",
    ("simulation", "unknown_option"): NOTHING_SIMULATED,
}


@dataclass
class Rubric:
    exercise: str
    title: str
    version: int
    answers: dict[str, AnswerSpec]
    criteria: list[Criterion]
    concepts: ConceptBook
    given: GivenText = field(default_factory=GivenText)
    path: Path | None = None
    sha: str = ""

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.criteria))

    @property
    def ignore_sentences(self) -> GivenText:
        """Older name for :attr:`given`."""
        return self.given


def _unknown_keys(mapping, allowed, problems: Problems, where: str) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(line_of(mapping, key), where, f"unknown key {key!r}{hint}; keys: {', '.join(allowed)}")


def parse_rubric(data, path: Path | None = None, sha: str = "") -> Rubric:
    """A :class:`Rubric` from parsed YAML; RubricError (with every problem) when anything is wrong."""
    where = str(path or "rubric")
    problems = Problems(where)
    if not isinstance(data, dict):
        raise RubricError(f"{where}: a rubric is a YAML mapping")
    _unknown_keys(data, TOP_KEYS, problems, "")
    exercise = data.get("exercise")
    if not isinstance(exercise, str) or not EXERCISE_ID.match(exercise):
        problems.add(line_of(data, "exercise"), "exercise", "needs an id of lower-case letters, digits and _")
        exercise = str(exercise)
    elif path is not None and path.stem != exercise:
        problems.add(line_of(data, "exercise"), "exercise", f"file name and exercise id differ ({exercise!r})")
    answers = _answers(data, problems)
    book = _concepts(data, problems)
    given = _given(data, problems)
    criteria = _criteria(data, answers, book, problems)
    _total(data, problems)
    problems.raise_if_any()
    version = data.get("version", 1)
    return Rubric(
        exercise,
        str(data.get("title", exercise)),
        int(version) if isinstance(version, int) else 1,
        answers,
        criteria,
        book,
        given,
        path,
        sha,
    )


def _total(data, problems: Problems) -> None:
    """``total_points`` (optional) must equal the sum of the criteria's points."""
    total = data.get("total_points")
    if total is None:
        return
    if isinstance(total, bool) or not isinstance(total, (int, float)):
        problems.add(line_of(data, "total_points"), "total_points", f"should be a number, not {total!r}")
        return
    raw = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    points = [c.get("points") for c in raw if isinstance(c, dict)]
    points = [p for p in points if isinstance(p, (int, float)) and not isinstance(p, bool)]
    if abs(sum(points) - float(total)) > 1e-9:
        message = f"the criteria's points add up to {sum(points):g}, not {total:g}"
        problems.add(line_of(data, "total_points"), "total_points", message)


def _answers(data, problems: Problems) -> dict[str, AnswerSpec]:
    raw = data.get("answers")
    if not isinstance(raw, dict) or not raw:
        problems.add(line_of(data, "answers"), "answers", "a rubric declares its answers (name: {kind: ...})")
        return {}
    answers = {}
    for name, spec in raw.items():
        where = f"answers.{name}"
        if not isinstance(spec, dict):
            problems.add(line_of(raw, name), where, "should be a mapping with kind (and options for a choice)")
            continue
        _unknown_keys(spec, ANSWER_KEYS, problems, where)
        kind = spec.get("kind")
        if kind not in ANSWER_KINDS:
            problems.add(
                line_of(spec, "kind") or line_of(raw, name), where, f"kind must be one of {', '.join(ANSWER_KINDS)}"
            )
            continue
        options_raw = spec.get("options") or {}
        options = {}
        if not isinstance(options_raw, dict):
            problems.add(line_of(spec, "options"), where, "options should be a mapping of option -> [synonyms]")
        else:
            for option, synonyms in options_raw.items():
                if synonyms is not None and not isinstance(synonyms, list):
                    problems.add(line_of(options_raw, option), f"{where}.options.{option}", "synonyms should be a list")
                    continue
                options[str(option)] = [str(s) for s in (synonyms or [])]
        if kind == "choice" and not options:
            problems.add(line_of(raw, name), where, "a choice answer needs options")
        answers[str(name)] = AnswerSpec(str(name), kind, options, str(spec.get("prompt", "")))
    return answers


def _concepts(data, problems: Problems) -> ConceptBook:
    raw = data.get("concepts") or {}
    if not isinstance(raw, dict):
        problems.add(line_of(data, "concepts"), "concepts", "should be a mapping of concept -> [synonyms]")
        return ConceptBook({})
    good, broken = {}, set()
    for name, synonyms in raw.items():
        where = f"concepts.{name}"
        if not isinstance(synonyms, list) or not synonyms:
            problems.add(line_of(raw, name), where, "needs a non-empty list of synonyms")
            continue
        ok = True
        for i, synonym in enumerate(synonyms):
            problem = synonym_problem(synonym)
            if problem:
                problems.add(line_of(synonyms, i), where, f"synonym {synonym!r}: {problem}")
                ok = False
        if ok:
            good[str(name)] = [str(s) for s in synonyms]
        else:
            broken.add(str(name))
    book = ConceptBook(good)
    book.reported = broken  # defined but broken: already reported, so not "undefined" again
    return book


def _given(data, problems: Problems) -> GivenText:
    texts: list[str] = []
    for key in ("given_text", "ignore_sentences"):
        raw = data.get(key)
        if raw is None:
            continue
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            problems.add(line_of(data, key), key, "should be a list of texts")
            continue
        texts += raw
    prints = data.get("given_fingerprint")
    if prints is not None and (not isinstance(prints, str) or not re.fullmatch(r"[0-9a-f\s]*", prints)):
        problems.add(
            line_of(data, "given_fingerprint"),
            "given_fingerprint",
            "should be the hex text `orchlab rubric fingerprint` prints",
        )
        prints = None
    return GivenText.build(texts, prints or "")


def _criteria(data, answers: dict, book: ConceptBook, problems: Problems) -> list[Criterion]:
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        problems.add(line_of(data, "criteria"), "criteria", "a rubric needs a non-empty list of criteria")
        return []
    criteria, seen = [], set()
    for i, item in enumerate(raw):
        criterion = _criterion(
            item, f"criteria[{i}]", raw.line_of(i) if hasattr(raw, "line_of") else 0, answers, book, problems
        )
        if criterion is None:
            continue
        if criterion.id in seen:
            problems.add(line_of(item, "id"), f"criteria[{i}]", f"criterion id {criterion.id!r} appears twice")
        seen.add(criterion.id)
        criteria.append(criterion)
    return criteria


def _criterion(item, where: str, line: int, answers, book: ConceptBook, problems: Problems) -> Criterion | None:
    if not isinstance(item, dict):
        problems.add(line, where, "a criterion is a mapping")
        return None
    cid = item.get("id")
    if not isinstance(cid, str) or not cid:
        problems.add(line, where, "a criterion needs an id")
        return None
    where = f"{where} ({cid})"
    before = len(problems.items)
    _unknown_keys(item, CRITERION_KEYS, problems, where)
    points = item.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        problems.add(line_of(item, "points") or line, where, f"points must be a positive number, not {points!r}")
    answer = item.get("answer")
    if answer not in answers:
        problems.add(line_of(item, "answer") or line, where, f"answer {answer!r} is not declared under answers:")
        return None
    feedback = item.get("feedback")
    if not isinstance(feedback, dict) or "pass" not in feedback or "fail" not in feedback:
        problems.add(line_of(item, "feedback") or line, where, "feedback needs 'pass' and 'fail' messages")
        feedback = None
    else:
        for key, text in feedback.items():
            if not isinstance(text, str):
                hint = " (quote it: YAML reads a bare no/yes/on/off as true or false)" if isinstance(text, bool) else ""
                problems.add(
                    line_of(feedback, key), f"{where}: feedback", f"{key!r} should be text, not {text!r}{hint}"
                )
                feedback = None
                break
    spec = answers[answer]
    check = (
        build_spec(
            item.get("check"),
            Context(problems, f"{where}: check", set(book.names()) | book.reported, spec.kind, spec.options),
        )
        if "check" in item
        else None
    )
    if "check" not in item:
        problems.add(line, where, "a criterion needs a check")
    if check is not None and feedback is not None:
        known = ("pass", "fail") + tuple(check.reasons)
        for key in feedback:
            if key not in known:
                problems.add(
                    line_of(feedback, key),
                    f"{where}: feedback",
                    f"{key!r} is not a reason this check gives (reasons: {', '.join(known)})",
                )
    if len(problems.items) > before or check is None or feedback is None:
        return None
    criterion = Criterion(
        cid,
        str(item.get("title", cid)),
        float(points),
        answer,
        check,
        {str(k): str(v) for k, v in feedback.items()},
        str(item.get("hint", "")),
        bool(item.get("hidden", False)),
    )
    if criterion.hidden:
        leak = _leak(criterion, _answer_keys(check, spec))
        if leak:
            problems.add(line, where, f"hidden criterion's feedback or hint gives its answer away ({leak!r})")
    return criterion


def _answer_keys(check: Spec, answer: AnswerSpec) -> list[str]:
    """The strings that would give a hidden criterion's answer away."""
    if check.type == "numeric":
        value = check.expected_value
        return [check.expected, f"{value:.2f}", f"{value:.3f}", f"{value * 100:.1f}"]
    if check.type == "choice":
        leaks = []
        for value in check.expected:
            leaks += [value, value.replace("_", " ")] + answer.options.get(value, [])
        return leaks
    return []


def _leak(criterion: Criterion, keys: list[str]) -> str | None:
    texts = list(criterion.feedback.values()) + [criterion.hint]
    for key in keys:
        needle = normalize_choice(key)
        if len(needle) < 3:
            continue
        for text in texts:
            if re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", normalize_choice(text)):
                return key
    return None


__all__ = ["ANSWER_KINDS", "EXERCISE_ID", "AnswerSpec", "Criterion", "Rubric", "parse_rubric"]

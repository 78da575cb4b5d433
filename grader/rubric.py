"""Rubrics: one YAML file per exercise, loaded, validated and cached.

A rubric declares the exercise's answers (name and kind), the concepts its text checks use,
and its criteria: id, points, the answer it reads, the check, feedback for pass and fail
(optionally per failure reason), a hint and a ``hidden`` flag. Hidden criteria are checked
here for leaks: their feedback and hint may not contain the answer key.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .answers import normalize_choice
from .errors import RubricError
from .safety import evaluate_arithmetic
from .text.analyzers import ANALYZERS
from .text.concepts import ConceptBook

ANSWER_KINDS = ("number", "choice", "mapping", "yaml", "text")
CHECK_TYPES = ("choice", "numeric", "text", "simulation")
MAX_RUBRIC_BYTES = 1_000_000
EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


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
    check: dict
    feedback: dict
    hint: str = ""
    hidden: bool = False

    def feedback_for(self, reason: str, passed: bool) -> str:
        if passed:
            return self.feedback["pass"]
        return self.feedback.get(reason) or self.feedback["fail"]


@dataclass
class Rubric:
    exercise: str
    title: str
    version: int
    answers: dict[str, AnswerSpec]
    criteria: list[Criterion]
    concepts: ConceptBook
    ignore_sentences: list[str]
    path: Path | None = None
    sha: str = ""

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.criteria))


def default_rubrics_dir() -> Path:
    """``$ORCHLAB_RUBRICS``, else rubrics shipped inside the package, else the kit's ``rubrics/``."""
    env = os.environ.get("ORCHLAB_RUBRICS")
    if env:
        return Path(env)
    packaged = Path(__file__).parent / "rubrics"
    if packaged.is_dir() and any(packaged.glob("*.yaml")):
        return packaged
    return Path(__file__).resolve().parent.parent / "rubrics"


def available_exercises(rubrics_dir: str | Path | None = None) -> list[str]:
    directory = Path(rubrics_dir) if rubrics_dir else default_rubrics_dir()
    return sorted(p.stem for p in directory.glob("*.yaml") if EXERCISE_ID.match(p.stem))


def load_rubric(exercise: str, rubrics_dir: str | Path | None = None) -> Rubric:
    """The rubric of ``exercise`` from ``rubrics_dir`` (cached until the file changes)."""
    if not isinstance(exercise, str) or not EXERCISE_ID.match(exercise):
        raise RubricError(f"{exercise!r} is not an exercise id (lower-case letters, digits and _)")
    directory = Path(rubrics_dir) if rubrics_dir else default_rubrics_dir()
    path = directory / f"{exercise}.yaml"
    if not path.is_file():
        known = ", ".join(available_exercises(directory)) or "none"
        raise RubricError(f"no rubric for exercise {exercise!r} in {directory} (known: {known})")
    stat = path.stat()
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load(path: str, _mtime: int, size: int) -> Rubric:
    if size > MAX_RUBRIC_BYTES:
        raise RubricError(f"{path}: rubric is larger than {MAX_RUBRIC_BYTES} bytes")
    raw = Path(path).read_bytes()
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: not valid UTF-8 YAML: {str(exc).splitlines()[0]}") from None
    return parse_rubric(data, Path(path), hashlib.sha256(raw).hexdigest()[:16])


def _need(data: dict, key: str, kind, where: str):
    if key not in data:
        raise RubricError(f"{where}: missing '{key}'")
    if not isinstance(data[key], kind):
        raise RubricError(f"{where}: '{key}' should be {getattr(kind, '__name__', kind)}")
    return data[key]


def parse_rubric(data, path: Path | None = None, sha: str = "") -> Rubric:
    where = str(path or "rubric")
    if not isinstance(data, dict):
        raise RubricError(f"{where}: a rubric is a YAML mapping")
    exercise = _need(data, "exercise", str, where)
    if path is not None and path.stem != exercise:
        raise RubricError(f"{where}: file name and exercise id differ ({exercise!r})")
    answers = {}
    for name, spec in _need(data, "answers", dict, where).items():
        spec = spec or {}
        kind = spec.get("kind")
        if kind not in ANSWER_KINDS:
            raise RubricError(f"{where}: answer {name!r}: kind must be one of {', '.join(ANSWER_KINDS)}")
        options = {str(k): [str(s) for s in (v or [])] for k, v in (spec.get("options") or {}).items()}
        answers[name] = AnswerSpec(name, kind, options, str(spec.get("prompt", "")))
    try:
        book = ConceptBook({str(k): [str(s) for s in v] for k, v in (data.get("concepts") or {}).items()})
    except (ValueError, re.error) as exc:
        raise RubricError(f"{where}: concepts: {exc}") from None
    criteria, seen = [], set()
    for i, item in enumerate(_need(data, "criteria", list, where)):
        criterion = _criterion(item, f"{where}: criteria[{i}]", answers, book)
        if criterion.id in seen:
            raise RubricError(f"{where}: criterion id {criterion.id!r} appears twice")
        seen.add(criterion.id)
        criteria.append(criterion)
    if not criteria:
        raise RubricError(f"{where}: a rubric needs at least one criterion")
    return Rubric(
        exercise,
        str(data.get("title", exercise)),
        int(data.get("version", 1)),
        answers,
        criteria,
        book,
        [str(s) for s in data.get("ignore_sentences") or []],
        path,
        sha,
    )


def _criterion(item, where: str, answers: dict[str, AnswerSpec], book: ConceptBook) -> Criterion:
    if not isinstance(item, dict):
        raise RubricError(f"{where}: a criterion is a mapping")
    cid = _need(item, "id", str, where)
    where = f"{where} ({cid})"
    points = item.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise RubricError(f"{where}: points must be a positive number")
    answer = _need(item, "answer", str, where)
    if answer not in answers:
        raise RubricError(f"{where}: answer {answer!r} is not declared under answers:")
    check = dict(_need(item, "check", dict, where))
    feedback = _need(item, "feedback", dict, where)
    if not isinstance(feedback.get("pass"), str) or not isinstance(feedback.get("fail"), str):
        raise RubricError(f"{where}: feedback needs 'pass' and 'fail' messages")
    kind = check.get("type")
    if kind not in CHECK_TYPES:
        raise RubricError(f"{where}: check type must be one of {', '.join(CHECK_TYPES)}")
    keys = _validate_check(check, where, answers[answer], book)
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
        _check_no_leak(criterion, keys, where)
    return criterion


def _validate_check(check: dict, where: str, answer: AnswerSpec, book: ConceptBook) -> list[str]:
    """Validate a check and return the strings that would give its answer key away."""
    kind = check["type"]
    if kind == "numeric":
        try:
            expected = evaluate_arithmetic(str(check.get("expected")))
        except ValueError as exc:
            raise RubricError(f"{where}: expected: {exc}") from None
        check["expected_value"] = expected
        if not any(k in check for k in ("abs_tol", "rel_tol")):
            raise RubricError(f"{where}: a numeric check needs abs_tol or rel_tol")
        return [str(check.get("expected")), f"{expected:.2f}", f"{expected:.3f}", f"{expected * 100:.1f}"]
    if kind == "choice":
        expected = check.get("expected")
        accepted = expected if isinstance(expected, list) else [expected]
        if not answer.options:
            raise RubricError(f"{where}: a choice check reads an answer with options")
        for value in accepted:
            if value not in answer.options:
                raise RubricError(f"{where}: expected {value!r} is not an option of answer {answer.name!r}")
        if answer.kind == "mapping" and not check.get("key"):
            raise RubricError(f"{where}: a choice on a mapping answer needs 'key'")
        leaks = []
        for value in accepted:
            leaks += [value, value.replace("_", " ")] + answer.options[value]
        return leaks
    if kind == "text":
        if check.get("analyzer") not in ANALYZERS:
            raise RubricError(f"{where}: analyzer must be one of {', '.join(ANALYZERS)}")
        for name in _concept_names(check):
            if name not in book:
                raise RubricError(f"{where}: concept {name!r} is not defined under concepts:")
        return []
    if not check.get("model"):
        raise RubricError(f"{where}: a simulation check names its model")
    return []


_CONCEPT_FIELDS = {
    "choice_in_prose": ("options",),
    "chain_figures": ("chain_context", "parallel_context", "differences", "context_free"),
    "field_coverage": ("groups", "vague"),
    "control_presence": ("controls", "not_controls"),
    "concepts": ("all_of", "any_of"),
}


def _concept_names(check: dict) -> list[str]:
    """The concept names a text check refers to (option keys and numbers are not concepts)."""
    names: list[str] = []

    def items(value):
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            for item in value:
                items(item)
        elif isinstance(value, dict) and "near" in value:
            names.extend(str(n) for n in value["near"])
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in ("any", "weak") or key != "label":
                    items(item)

    for key in _CONCEPT_FIELDS[check["analyzer"]]:
        value = check.get(key)
        if key == "options" and isinstance(value, dict):
            names.extend(str(v) for v in value.values())
        elif key == "groups" and isinstance(value, dict):
            for group in value.values():
                items(group.get("any", []))
                items(group.get("weak", []))
        elif value is not None:
            items(value)
    return names


def _check_no_leak(criterion: Criterion, keys: list[str], where: str) -> None:
    texts = list(criterion.feedback.values()) + [criterion.hint]
    for key in keys:
        needle = normalize_choice(key)
        if len(needle) < 3:
            continue
        for text in texts:
            if re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", normalize_choice(text)):
                raise RubricError(f"{where}: hidden criterion's feedback or hint gives its answer away ({key!r})")

"""Rubrics: one YAML file per exercise, found, loaded and cached until the file changes.

A rubric declares the exercise's answers (name and kind), the concepts its text checks use,
the text the learner was given (which never earns credit), and its criteria: id, points, the
answer it reads, the check, feedback for pass and fail (optionally per failure reason), a hint
and a ``hidden`` flag. Parsing is in :mod:`grader.rubric_parse`; every problem is reported with
the file and line, all in one pass (:func:`check_rubric_file`), and a rubric with any problem
does not load.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from .errors import RubricError
from .rubric_parse import EXERCISE_ID, AnswerSpec, Criterion, Rubric, parse_rubric
from .rubric_source import load_with_lines

MAX_RUBRIC_BYTES = 1_000_000


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
    return load_rubric_file(path)


def load_rubric_file(path: str | Path) -> Rubric:
    """A rubric from any file (the exercise id must match the file name); RubricError lists every problem."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise RubricError(f"{path}: cannot read the rubric ({exc.strerror})") from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def check_rubric_file(path: str | Path) -> list[str]:
    """Every problem of a rubric file, one ``file:line: where: what`` line each (empty when it loads)."""
    try:
        load_rubric_file(path)
    except RubricError as exc:
        return exc.problems
    return []


@lru_cache(maxsize=64)
def _load(path: str, _mtime: int, size: int) -> Rubric:
    if size > MAX_RUBRIC_BYTES:
        raise RubricError(f"{path}: rubric is larger than {MAX_RUBRIC_BYTES} bytes")
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RubricError(f"{path}: not UTF-8 text") from None
    data = load_with_lines(text, path)
    return parse_rubric(data, Path(path), hashlib.sha256(raw).hexdigest()[:16])


__all__ = [
    "AnswerSpec",
    "Criterion",
    "Rubric",
    "available_exercises",
    "check_rubric_file",
    "default_rubrics_dir",
    "load_rubric",
    "load_rubric_file",
    "parse_rubric",
]

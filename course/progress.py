"""A learner's progress, kept in one small JSON file beside their work and never sent anywhere.

The file is ``$ORCHLAB_PROGRESS`` when that is set, else ``<kit root>/.orchlab/progress.json``
(a dot-folder, so it stays out of the learner's file browser). Writes go to a temporary file
in the same folder first and then replace the old one, so a crash never leaves half a file.

    record_lesson("02_compound_reliability")
    record_exercise("01_reliability_math", score=4, max_score=5)
    load() -> {"lessons": {...}, "exercises": {...}}
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ENV_VAR = "ORCHLAB_PROGRESS"
KIT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = KIT_ROOT / ".orchlab" / "progress.json"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def progress_path(path: str | os.PathLike | None = None) -> Path:
    """The progress file: ``path`` if given, else ``$ORCHLAB_PROGRESS``, else the kit's dot-folder."""
    if path is not None:
        return Path(path)
    return Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else DEFAULT_PATH


def _empty() -> dict:
    return {"lessons": {}, "exercises": {}}


def load(path: str | os.PathLike | None = None) -> dict:
    """Everything recorded so far; an empty record when the file is missing or unreadable."""
    file = progress_path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty()
    if not isinstance(data, dict):
        return _empty()
    return {
        "lessons": data.get("lessons") if isinstance(data.get("lessons"), dict) else {},
        "exercises": data.get("exercises") if isinstance(data.get("exercises"), dict) else {},
    }


def _save(data: dict, file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _check_id(kind: str, value: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"{kind}: {value!r} is not a lesson or exercise name (letters, digits, _ . -)")
    return value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_lesson(lesson_id: str, path: str | os.PathLike | None = None) -> dict:
    """Note that a lesson was run (the first and the latest time, and how often)."""
    _check_id("lesson_id", lesson_id)
    file = progress_path(path)
    data = load(file)
    entry = data["lessons"].get(lesson_id) or {}
    now = _now()
    data["lessons"][lesson_id] = {
        "first_run": entry.get("first_run", now),
        "last_run": now,
        "runs": int(entry.get("runs", 0)) + 1,
    }
    _save(data, file)
    return data


def record_exercise(exercise_id: str, score: float, max_score: float, path: str | os.PathLike | None = None) -> dict:
    """Note an exercise's latest checked score and its best so far; passed means full marks."""
    _check_id("exercise_id", exercise_id)
    try:
        score, max_score = float(score), float(max_score)
    except (TypeError, ValueError) as error:
        raise ValueError(f"score and max_score must be numbers, got {score!r} and {max_score!r}") from error
    if not (max_score > 0 and 0 <= score <= max_score):
        raise ValueError(f"score {score} out of {max_score}: need 0 <= score <= max_score and max_score > 0")
    file = progress_path(path)
    data = load(file)
    entry = data["exercises"].get(exercise_id) or {}
    best = max(float(entry.get("best", 0.0)), score)
    data["exercises"][exercise_id] = {
        "score": score,
        "max_score": max_score,
        "best": best,
        "passed": bool(entry.get("passed")) or score >= max_score,
        "checked": _now(),
        "attempts": int(entry.get("attempts", 0)) + 1,
    }
    _save(data, file)
    return data


__all__ = ["record_lesson", "record_exercise", "load", "progress_path", "ENV_VAR", "DEFAULT_PATH"]

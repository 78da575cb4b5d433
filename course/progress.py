"""A learner's progress, kept in a small local JSON file and never sent anywhere.

The file is ``$ORCHLAB_PROGRESS``, else ``<kit root>/.orchlab/progress.json``. Each write goes to
a temporary file in the same folder and replaces the old one, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]


def progress_path(path: str | os.PathLike | None = None) -> Path:
    """Where progress is kept: ``path``, else ``$ORCHLAB_PROGRESS``, else ``<kit>/.orchlab/progress.json``."""
    return Path(path or os.environ.get("ORCHLAB_PROGRESS") or KIT_ROOT / ".orchlab" / "progress.json")


def load(path: str | os.PathLike | None = None) -> dict:
    """The progress record (``{"exercises": {...}}``); an unreadable file counts as no progress yet."""
    try:
        data = json.loads(progress_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"exercises": {}}
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        return {"exercises": {}}
    return data


def record_exercise(exercise_id: str, score: float, max_score: float, path: str | os.PathLike | None = None) -> None:
    """Note a check of ``exercise_id``: the latest and best score, and whether it has been passed."""
    target = progress_path(path)
    data = load(target)
    entry = data["exercises"].get(exercise_id) if isinstance(data["exercises"].get(exercise_id), dict) else {}
    best = max(float(score), float(entry.get("best", 0.0) or 0.0))
    data["exercises"][exercise_id] = {
        "score": float(score),
        "max_score": float(max_score),
        "best": best,
        "passed": bool(max_score) and best >= float(max_score),
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

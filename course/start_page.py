"""What the start page shows a learner: each lesson run or not yet, each exercise passed or not yet."""

from __future__ import annotations

import os
from pathlib import Path

from .progress import KIT_ROOT, load

NOTEBOOKS = KIT_ROOT / "notebooks"
EXERCISES = KIT_ROOT / "exercises"


def course_items(folder: Path) -> list[str]:
    """The numbered notebooks of a folder, in course order (file stems such as ``02_reliability_math``)."""
    return sorted(p.stem for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _title(stem: str) -> str:
    number, _, rest = stem.partition("_")
    return f"{number} · {rest.replace('_', ' ')}"


def _percent(score: float, max_score: float) -> str:
    return f"{100 * score / max_score:.0f}%"


def progress_markdown(path: str | os.PathLike | None = None, here: Path = NOTEBOOKS) -> str:
    """A Markdown checklist of the lessons and exercises, with links relative to ``here``."""
    data = load(path)
    lessons, exercises = data["lessons"], data["exercises"]
    lines = ["**Your progress on this computer** (kept in a local file, never sent anywhere)", ""]
    lines += ["| Lesson | Run |", "|---|---|"]
    for stem in course_items(NOTEBOOKS):
        link = os.path.relpath(NOTEBOOKS / f"{stem}.ipynb", here).replace(os.sep, "/")
        entry = lessons.get(stem)
        done = f"✓ run, last on {entry['last_run'][:10]}" if entry else "not yet"
        lines.append(f"| [{_title(stem)}]({link}) | {done} |")
    lines += ["", "| Exercise | Checked |", "|---|---|"]
    for stem in course_items(EXERCISES):
        link = os.path.relpath(EXERCISES / f"{stem}.ipynb", here).replace(os.sep, "/")
        entry = exercises.get(stem)
        if not entry:
            state = "not yet"
        elif entry.get("passed"):
            state = "✓ passed"
        else:
            state = f"best {_percent(entry['best'], entry['max_score'])} so far"
        lines.append(f"| [{_title(stem)}]({link}) | {state} |")
    return "\n".join(lines)


__all__ = ["progress_markdown", "course_items"]

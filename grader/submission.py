"""Loading a submission file (.ipynb, .md, .txt) into its exercise id and raw answers.

Everything is read as text and JSON; cells are never executed, whatever their type. Problems
that make a file ungradable raise :class:`~grader.errors.NotGradable` with a one-line reason.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NotGradable
from .safety import UnsafeInput, read_text

SUFFIXES = (".ipynb", ".md", ".txt")
TAG = re.compile(r"^answer:([A-Za-z0-9_]+)$")
_MARKER = re.compile(r"^\s*(?:<!--\s*answer:([A-Za-z0-9_]+)\s*-->|#{1,6}\s*answer:([A-Za-z0-9_]+)\s*)$", re.M)
_STUDENT = re.compile(r"[^A-Za-z0-9_.@-]+")


@dataclass
class Submission:
    path: str
    kind: str  # ipynb | md | txt
    exercise: str | None  # what the file says it is (notebook metadata)
    answers: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    sha256: str = ""
    student: str = ""
    whole_text: str | None = None  # a Markdown/text file without answer markers


def load_submission(path: str | Path) -> Submission:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise NotGradable(f"unsupported file type '{suffix or path.name}': submit an .ipynb, .md or .txt file")
    try:
        text = read_text(path)
    except UnsafeInput as exc:
        raise NotGradable(str(exc)) from None
    except OSError as exc:
        raise NotGradable(f"cannot read the file: {exc.strerror or exc}") from None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if suffix == ".ipynb":
        submission = _from_notebook(str(path), text)
    else:
        submission = _from_text(str(path), text, suffix[1:])
    submission.sha256 = sha
    submission.student = submission.student or student_id(path, submission.exercise)
    return submission


def student_id(path: Path, exercise: str | None) -> str:
    """The file's stem, or its folder's name when the file keeps the exercise's own name
    (``alice/05_orders_daily_design.ipynb`` is alice's)."""
    stem = path.stem
    if exercise and re.fullmatch(rf"(?:\d+_)?{re.escape(exercise)}", stem) and path.parent.name:
        return _STUDENT.sub("_", path.parent.name)[:100]
    return _STUDENT.sub("_", stem)[:100]


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotGradable(f"not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise NotGradable("not a notebook: the JSON is nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotGradable("not a notebook: the JSON has no list of cells")
    major = data.get("nbformat", 4)
    if major != 4:
        raise NotGradable(f"notebook format {major} is not supported (save it as format 4)")
    return data


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _from_notebook(path: str, text: str) -> Submission:
    data = _json(text)
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    lab = metadata.get("orchlab") if isinstance(metadata.get("orchlab"), dict) else {}
    exercise = lab.get("exercise") if isinstance(lab.get("exercise"), str) else None
    student = _STUDENT.sub("_", lab["student"])[:100] if isinstance(lab.get("student"), str) else ""
    answers: dict[str, str] = {}
    tags: list[str] = []
    duplicates: list[str] = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        cell_tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        for tag in cell_tags:
            if not isinstance(tag, str) or not tag.lower().startswith("answer"):
                continue
            tags.append(tag)
            match = TAG.match(tag.strip())
            if not match:
                continue
            name = match.group(1)
            if name in answers:
                duplicates.append(name)
            answers[name] = _source(cell)
    if duplicates:
        raise NotGradable(f"answer cell 'answer:{duplicates[0]}' appears more than once; keep one of them")
    return Submission(path, "ipynb", exercise, answers, tags, student=student)


def _from_text(path: str, text: str, kind: str) -> Submission:
    markers = list(_MARKER.finditer(text))
    if not markers:
        return Submission(path, kind, None, {}, [], whole_text=text)
    answers = {}
    for i, match in enumerate(markers):
        name = match.group(1) or match.group(2)
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        if name in answers:
            raise NotGradable(f"answer marker 'answer:{name}' appears more than once")
        answers[name] = text[match.end() : end]
    return Submission(path, kind, None, answers, [f"answer:{n}" for n in answers])


def missing_answer_reason(name: str, submission: Submission) -> str:
    others = [t for t in submission.tags if t != f"answer:{name}"]
    close = difflib.get_close_matches(f"answer:{name}", others, n=1, cutoff=0.6)
    where = "cell tagged" if submission.kind == "ipynb" else "marker"
    reason = f"answer {where} 'answer:{name}' is missing"
    if close:
        reason += f" (found '{close[0]}' - was the tag renamed?)"
    elif submission.kind == "ipynb":
        reason += " (was the cell deleted or its tag removed?)"
    return reason

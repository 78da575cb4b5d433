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
from .safety import UnsafeInput, printable, read_text, storable

SUFFIXES = (".ipynb", ".md", ".txt")
TAG = re.compile(r"^\s*answer\s*:\s*([A-Za-z0-9_]+)\s*$", re.I)  # case and spaces forgiven
_MARKER = re.compile(
    r"^[ \t]*(?:<!--[ \t]*answer:([A-Za-z0-9_]+)[ \t]*-->|#{1,6}[ \t]*answer:([A-Za-z0-9_]+))[ \t]*$", re.M | re.I
)
MAX_JSON_DIGITS = 4000  # Python refuses to read integers over 4300 digits; longer ones stay text
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
    claimed_student: str = ""  # metadata.orchlab.student: set by the learner, only a cross-check
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
    submission.student = student_id(path, submission.exercise)
    return submission


def student_id(path: Path, exercise: str | None = None) -> str:
    """Who handed the file in, from where the collection step put it, never from its contents.

    The file's stem, or its folder's name when the stem is an exercise's file name
    (``alice/05_orders_daily_design.ipynb`` and ``alice/design.md`` are alice's). The notebook's
    ``metadata.orchlab.student`` is typed by the learner, so it is only compared with this.
    """
    stem = storable(path.stem)
    named_for_exercise = bool(exercise and re.fullmatch(rf"(?:\d+_)?{re.escape(exercise)}", stem))
    if (named_for_exercise or re.fullmatch(r"\d+_[a-z_]+|design|answers?|submission", stem)) and path.parent.name:
        return _STUDENT.sub("_", storable(path.parent.name))[:100]
    return _STUDENT.sub("_", stem)[:100]


def identity_review(submission: Submission) -> list[str]:
    """A reason for a person to look when the notebook's own student field names someone else."""
    claimed = submission.claimed_student
    if claimed and claimed.lower() != submission.student.lower():
        return [
            f"the notebook says it is student '{claimed}', but it was handed in as '{submission.student}'"
            " (graded as the latter)"
        ]
    return []


def _json(text: str) -> dict:
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise NotGradable(f"not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise NotGradable("not a notebook: the JSON is nested too deeply") from None
    except ValueError as exc:  # anything else json refuses to turn into Python values
        raise NotGradable(f"not readable as notebook JSON ({storable(exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotGradable("not a notebook: the JSON has no list of cells")
    major = data.get("nbformat", 4)
    if isinstance(major, bool) or not isinstance(major, int):
        shown = storable(json.dumps(major, ensure_ascii=False))[:40]
        raise NotGradable(f"the notebook's 'nbformat' field is {shown}, not the number 4; re-save it from Jupyter")
    if major != 4:
        raise NotGradable(f"notebook format {major} is not supported; open it in Jupyter and save it as format 4")
    return data


def _bounded_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= MAX_JSON_DIGITS else digits


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return storable(source) if isinstance(source, str) else ""


def _from_notebook(path: str, text: str) -> Submission:
    data = _json(text)
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    lab = metadata.get("orchlab") if isinstance(metadata.get("orchlab"), dict) else {}
    exercise = storable(lab["exercise"]) if isinstance(lab.get("exercise"), str) else None
    student = _STUDENT.sub("_", storable(lab["student"]))[:100] if isinstance(lab.get("student"), str) else ""
    answers: dict[str, str] = {}
    tags: list[str] = []
    duplicates: list[str] = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        cell_tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        for tag in cell_tags:
            if not isinstance(tag, str) or not tag.strip().lower().startswith("answer"):
                continue
            tags.append(storable(tag))
            match = TAG.match(tag)
            if not match:
                continue
            name = match.group(1).lower()
            if name in answers:
                duplicates.append(name)
            answers[name] = _source(cell)
    if duplicates:
        raise NotGradable(f"answer cell 'answer:{duplicates[0]}' appears more than once; keep one of them")
    return Submission(path, "ipynb", exercise, answers, tags, claimed_student=student)


def _from_text(path: str, text: str, kind: str) -> Submission:
    markers = list(_MARKER.finditer(text))
    if not markers:
        return Submission(path, kind, None, {}, [], whole_text=text)
    answers = {}
    for i, match in enumerate(markers):
        name = (match.group(1) or match.group(2)).lower()
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        if name in answers:
            raise NotGradable(f"answer marker 'answer:{name}' appears more than once")
        answers[name] = text[match.end() : end]
    return Submission(path, kind, None, answers, [f"answer:{n}" for n in answers])


def missing_answer_reason(name: str, submission: Submission, expected=()) -> str:
    """Why answer ``name`` was not found, pointing at a tag that looks like a misspelling of it.

    Tags that already name one of the ``expected`` answers are correct and never suggested.
    """
    known = {n.lower() for n in expected} | {name.lower()}
    stray = [t for t in submission.tags if not ((m := TAG.match(t)) and m.group(1).lower() in known)]
    close = difflib.get_close_matches(f"answer:{name}", stray, n=1, cutoff=0.6)
    where = "cell tagged" if submission.kind == "ipynb" else "marker"
    reason = f"answer {where} 'answer:{name}' is missing"
    if close:
        reason += f" (found '{printable(close[0])}': if that is this answer, change it to 'answer:{name}')"
    elif submission.kind == "ipynb":
        reason += " (was the cell deleted or its tag removed?)"
    return reason

"""Per-student feedback: Markdown or HTML reports, and the HTML the notebook check shows.

Learner text (evidence, file names) is escaped everywhere, so a submission cannot inject
markup into an instructor's browser, nor a remote image or a ``javascript:`` link into a
Markdown report. Hints are shown for criteria that were missed; hidden criteria show only
their own (key-free) feedback. Reports hold students' work, so they are readable by the owner only.

This module imports nothing from :mod:`grader.results` at run time (results import it to
render themselves), so the two never import each other.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .results import SubmissionResult

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_NAME_CHARS = 120  # well under the 255 bytes a file name may have
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~:])")
_STYLE = (
    "<style>.orchlab-report{font-family:system-ui,sans-serif;max-width:60em}"
    "div.orchlab-report table{border-collapse:collapse;width:100%!important;table-layout:auto}"
    "div.orchlab-report table td,div.orchlab-report table th{border-bottom:1px solid #ddd;padding:.35em .5em;"
    "text-align:left!important;vertical-align:top}.orchlab-pass{color:#1a7f37}.orchlab-fail{color:#b42318}"
    ".orchlab-review{color:#9a6700}.orchlab-evidence{color:#555;font-style:italic}</style>"
)


def escape(text: str) -> str:
    """Text made inert in HTML (quotes too)."""
    return html.escape(text or "", quote=True)


def _md(text: str) -> str:
    """Learner or feedback text made inert in Markdown: every character that could start markup
    (links, images, autolinks, emphasis, table pipes) is backslash-escaped and newlines become spaces."""
    flat = html.escape(" ".join((text or "").split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", flat)


def render_markdown(result: SubmissionResult) -> str:
    who = result.student or Path(result.submission).stem
    lines = [f"# Feedback: {_md(result.exercise or 'unknown exercise')} - {_md(who)}", ""]
    if not result.gradable:
        lines += [
            "**Not graded.** " + _md("; ".join(result.errors)),
            "",
            "Fix the problem above and submit again; nothing was scored.",
        ]
        return "\n".join(lines) + "\n"
    lines += [f"**Score: {result.score:g} / {result.max_score:g}**", ""]
    if result.needs_review:
        lines += ["_Some results are marked for a person to review; your score may change._", ""]
    lines += ["| | Criterion | Points | Feedback |", "|---|---|---|---|"]
    for c in result.criteria:
        mark = "✓" if c.passed else "✗"
        review = " (to review)" if c.needs_review else ""
        lines.append(f"| {mark} | {_md(c.title or c.id)}{review} | {c.points:g}/{c.max_points:g} | {_md(c.feedback)} |")
    missed = [c for c in result.criteria if not c.passed and c.hint]
    if missed:
        lines += ["", "## Hints", ""] + [f"- **{_md(c.title or c.id)}**: {_md(c.hint)}" for c in missed]
    quoted = [c for c in result.criteria if c.evidence and not c.hidden]
    if quoted:
        lines += ["", "## What the grader read", ""]
        lines += [f'- **{_md(c.title or c.id)}**: "{_md(c.evidence)}"' for c in quoted]
    return "\n".join(lines) + "\n"


def render_html_fragment(result: SubmissionResult) -> str:
    """The result as an HTML block (no page): used by the notebook check and the reports."""
    head = escape(result.exercise or "unknown exercise")
    note = f"<p class='orchlab-evidence'>{escape(result.note)}</p>" if result.note else ""
    notice = f"<p class='orchlab-fail'><b>{escape(result.notice)}</b></p>" if result.notice else ""
    review = (
        "<p class='orchlab-review'>(to review) means the grader is not sure of that result: read its feedback; "
        "when your work is graded, a person checks it before the grade is final.</p>"
        if result.needs_review
        else ""
    )
    model = (
        "<details open><summary><b>A model answer to compare with</b></summary>"
        f"<pre style='white-space:pre-wrap'>{escape(result.model_answer)}</pre></details>"
        if result.model_answer
        else ""
    )
    if not result.gradable:
        return (
            f"{_STYLE}<div class='orchlab-report'><h3>{head}: not graded</h3>"
            f"<p class='orchlab-fail'>{escape('; '.join(result.errors))}</p>{note}</div>"
        )
    rows = []
    for c in result.criteria:
        cls, mark = ("orchlab-pass", "✓") if c.passed else ("orchlab-fail", "✗")
        review = " <span class='orchlab-review'>(to review)</span>" if c.needs_review else ""
        hint = f"<br><b>Hint:</b> {escape(c.hint)}" if c.hint and not c.passed else ""
        evidence = (
            f"<br><span class='orchlab-evidence'>Read: “{escape(c.evidence)}”</span>"
            if c.evidence and not c.hidden
            else ""
        )
        rows.append(
            f"<tr><td class='{cls}'>{mark}</td><td>{escape(c.title or c.id)}{review}</td>"
            f"<td>{c.points:g}/{c.max_points:g}</td><td>{escape(c.feedback)}{hint}{evidence}</td></tr>"
        )
    return (
        f"{_STYLE}<div class='orchlab-report'>{notice}<h3>{head}: {result.score:g} / {result.max_score:g}</h3>"
        f"<table><tr><th></th><th>Criterion</th><th>Points</th><th>Feedback</th></tr>{''.join(rows)}</table>"
        f"{review}{model}{note}</div>"
    )


def render_html(result: SubmissionResult) -> str:
    who = escape(result.student or Path(result.submission).stem)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback - {who}</title></head>"
        f"<body><p>Feedback for <b>{who}</b></p>{render_html_fragment(result)}</body></html>\n"
    )


def report_name(student: str, exercise: str | None) -> str:
    """A safe, bounded file stem for a report: ``alice__orders_daily_design``."""
    who = _SAFE_NAME.sub("_", student or "unknown")[:60].strip("._") or "unknown"
    what = _SAFE_NAME.sub("_", exercise or "unknown")[: MAX_NAME_CHARS - len(who) - 2].strip("._") or "unknown"
    return f"{who}__{what}"


def check_report_folder(directory: str | Path) -> str | None:
    """Why ``directory`` cannot take reports (an existing file, a missing parent), or None if it can."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        return f"{directory} exists and is not a folder"
    if not path.exists() and not path.resolve().parent.is_dir():
        return f"the folder holding {directory} does not exist"
    if path.is_dir() and not os.access(path, os.W_OK | os.X_OK):
        return f"{directory} is not writable"
    return None


def write_reports(results: list[SubmissionResult], directory: str | Path, fmt: str = "md") -> list[Path]:
    """One report file per submission (``md`` or ``html``), owner-readable only; returns the paths written."""
    if fmt not in ("md", "html"):
        raise ValueError("report format must be md or html")
    problem = check_report_folder(directory)
    if problem:
        raise ValueError(f"cannot write reports: {problem}")
    directory = Path(directory)
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
    written, used = [], set()
    for result in results:
        stem = report_name(result.student or Path(result.submission).stem, result.exercise)
        name, n = stem, 1
        while name in used or (directory / f"{name}.{fmt}").is_symlink():
            n += 1
            name = f"{stem}_{n}"
        used.add(name)
        path = directory / f"{name}.{fmt}"
        text = render_markdown(result) if fmt == "md" else render_html(result)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written

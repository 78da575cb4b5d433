"""Results as text: a fixed-width table for people, CSV for spreadsheets and LMS imports.

CSV cells that a spreadsheet would read as a formula (starting with = + - @) are prefixed with
a quote, since file names and errors can come from learners.
"""

from __future__ import annotations

import csv
import io

from .results import SubmissionResult


def csv_safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(results: list[SubmissionResult]) -> str:
    order = list(dict.fromkeys(c.id for r in results for c in r.criteria))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["submission", "student", "exercise", "gradable", "score", "max_score", "needs_review", "errors"] + order
    )
    for r in results:
        points = {c.id: c.points for c in r.criteria}
        row = [
            r.submission,
            r.student,
            r.exercise or "",
            r.gradable,
            r.score if r.gradable else "",
            r.max_score if r.gradable else "",
            r.needs_review,
            "; ".join(r.to_dict()["errors"]),  # with any "review: ..." reasons
        ]
        writer.writerow([csv_safe(v) for v in row] + [points.get(c, "") for c in order])
    return out.getvalue()


def results_table(results: list[SubmissionResult]) -> str:
    """One line per submission, then one per criterion (✓ passed, ✗ failed, ? needs review)."""
    lines = []
    for r in results:
        lines.append(r.summary_line())
        for c in r.criteria:
            mark = "✓" if c.passed else "✗"
            review = "  ? review" if c.needs_review else ""
            lines.append(f"  {mark} {c.id:<30} {c.points:>4g}/{c.max_points:<4g} conf {c.confidence:.2f}{review}")
    graded = [r for r in results if r.gradable]
    lines.append(
        f"{len(results)} submissions, {len(graded)} graded, {len(results) - len(graded)} not gradable, "
        f"{sum(r.needs_review for r in graded)} to review"
    )
    return "\n".join(lines)

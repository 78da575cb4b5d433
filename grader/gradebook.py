"""The SQLite gradebook: WAL mode, one transaction per submission, idempotent re-grades.

A submission is keyed by exercise and absolute path (links not followed), so grading the same file again replaces
its row and criteria instead of adding new ones. Writers take the write lock up front
(``BEGIN IMMEDIATE``) and wait for each other (busy timeout), so two graders can fill the same
gradebook at once without losing a row. The file holds students' work, so it is created
readable by its owner only, and a database of another kind is refused before anything is written.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from .export import csv_safe
from .results import SubmissionResult
from .safety import storable

COLUMNS = {
    "submissions": {
        "exercise", "submission", "student", "gradable", "score", "max_score", "needs_review",
        "errors", "sha256", "rubric_sha", "graded_at",
    },
    "criteria": {
        "exercise", "submission", "position", "criterion", "passed", "points", "max_points",
        "confidence", "needs_review", "feedback", "evidence",
    },
}  # fmt: skip


class GradebookError(ValueError):
    """The gradebook file cannot be used (a folder, not SQLite, another program's database)."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    exercise     TEXT NOT NULL,
    submission   TEXT NOT NULL,
    student      TEXT NOT NULL DEFAULT '',
    gradable     INTEGER NOT NULL,
    score        REAL,
    max_score    REAL,
    needs_review INTEGER NOT NULL DEFAULT 0,
    errors       TEXT NOT NULL DEFAULT '[]',
    sha256       TEXT NOT NULL DEFAULT '',
    rubric_sha   TEXT NOT NULL DEFAULT '',
    graded_at    TEXT NOT NULL,
    PRIMARY KEY (exercise, submission)
);
CREATE TABLE IF NOT EXISTS criteria (
    exercise     TEXT NOT NULL,
    submission   TEXT NOT NULL,
    position     INTEGER NOT NULL,
    criterion    TEXT NOT NULL,
    passed       INTEGER NOT NULL,
    points       REAL NOT NULL,
    max_points   REAL NOT NULL,
    confidence   REAL NOT NULL,
    needs_review INTEGER NOT NULL,
    feedback     TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    PRIMARY KEY (exercise, submission, criterion),
    FOREIGN KEY (exercise, submission) REFERENCES submissions (exercise, submission) ON DELETE CASCADE
);
"""


def check_gradebook_path(path: str | Path) -> str | None:
    """Why ``path`` cannot be a gradebook (a folder, a missing folder, not a file), or None."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder, not a gradebook file"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file"
    if not path.exists() and not path.resolve().parent.is_dir():
        return f"the folder for {path} does not exist"
    return None


class Gradebook:
    """A SQLite file of grades. Raises :class:`GradebookError` for a path or file it must not use."""

    def __init__(self, path: str | Path, timeout: float = 60.0):
        self.path = Path(path)
        problem = check_gradebook_path(self.path)
        if problem:
            raise GradebookError(problem)
        if not self.path.exists():
            try:  # create it owner-only; SQLite gives its -wal and -shm files the same mode
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass  # another grader created it a moment ago
        self.connection = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        try:
            self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self.connection.execute("PRAGMA foreign_keys = ON")
            self._refuse_foreign()
            self._retry(lambda: self.connection.execute("PRAGMA journal_mode = WAL"))
            self._retry(self._create)
        except sqlite3.DatabaseError as exc:
            self.connection.close()
            raise GradebookError(f"{self.path} is not a SQLite gradebook ({exc})") from None
        except BaseException:
            self.connection.close()
            raise

    def _refuse_foreign(self) -> None:
        """A database whose tables are not (a subset of) ours is someone else's: never write into it."""
        tables = {
            row[0]
            for row in self._retry(
                lambda: self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            )
        }
        tables = {t for t in tables if not t.startswith("sqlite_")}
        foreign = sorted(tables - set(COLUMNS))
        if foreign:
            raise GradebookError(
                f"{self.path} is a database of another kind (tables: {', '.join(foreign)[:200]}), not a gradebook;"
                " choose a new file name"
            )
        for table in tables:
            columns = {row[1] for row in self.connection.execute(f"PRAGMA table_info({table})")}
            if columns != COLUMNS[table]:
                raise GradebookError(
                    f"{self.path} has a '{table}' table with other columns than a gradebook's; choose a new file name"
                )

    def _create(self) -> None:
        cur = self.connection
        cur.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.strip().split(";"):
                if statement.strip():
                    cur.execute(statement)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    @staticmethod
    def _retry(action, attempts: int = 20):
        for attempt in range(attempts):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def record(self, result: SubmissionResult) -> None:
        """Write one submission and its criteria in one transaction, replacing an earlier grade."""
        self._retry(lambda: self._record(result))

    def _record(self, result: SubmissionResult) -> None:
        exercise = storable(result.exercise or "")
        key = storable(
            os.path.abspath(result.submission)  # a link and its target are two entries handed in: two rows
            if result.submission and not result.submission.startswith("<")
            else result.submission
        )
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.connection
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM criteria WHERE exercise = ? AND submission = ?", (exercise, key))
            cur.execute(
                "INSERT INTO submissions (exercise, submission, student, gradable, score, max_score, needs_review, "
                "errors, sha256, rubric_sha, graded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (exercise, submission) DO UPDATE SET student=excluded.student, "
                "gradable=excluded.gradable, score=excluded.score, max_score=excluded.max_score, "
                "needs_review=excluded.needs_review, errors=excluded.errors, sha256=excluded.sha256, "
                "rubric_sha=excluded.rubric_sha, graded_at=excluded.graded_at",
                (
                    exercise,
                    key,
                    storable(result.student),
                    int(result.gradable),
                    result.score if result.gradable else None,
                    result.max_score if result.gradable else None,
                    int(result.needs_review),
                    json.dumps(result.to_dict()["errors"]),
                    result.sha256,
                    result.rubric_sha,
                    now,
                ),
            )
            cur.executemany(
                "INSERT INTO criteria (exercise, submission, position, criterion, passed, points, max_points, "
                "confidence, needs_review, feedback, evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        exercise,
                        key,
                        i,
                        storable(c.id),
                        int(c.passed),
                        c.points,
                        c.max_points,
                        c.confidence,
                        int(c.needs_review),
                        storable(c.feedback),
                        storable(c.evidence),
                    )
                    for i, c in enumerate(result.criteria)
                ],
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def submissions(self, exercise: str | None = None) -> list[dict]:
        query = (
            "SELECT * FROM submissions"
            + (" WHERE exercise = ?" if exercise else "")
            + " ORDER BY exercise, student, submission"
        )
        cur = self.connection.execute(query, (exercise,) if exercise else ())
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def criteria(self, exercise: str | None = None) -> list[dict]:
        query = (
            "SELECT * FROM criteria"
            + (" WHERE exercise = ?" if exercise else "")
            + " ORDER BY exercise, submission, position"
        )
        cur = self.connection.execute(query, (exercise,) if exercise else ())
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def export_csv(self, target, exercise: str | None = None) -> int:
        """One row per submission with a points column per criterion (for an LMS); returns rows written."""
        subs = self.submissions(exercise)
        crits = self.criteria(exercise)
        order = list(dict.fromkeys(c["criterion"] for c in crits))
        points = {(c["exercise"], c["submission"], c["criterion"]): c["points"] for c in crits}
        header = [
            "student",
            "exercise",
            "submission",
            "gradable",
            "score",
            "max_score",
            "needs_review",
            "errors",
        ] + order
        handle = open(target, "w", newline="", encoding="utf-8") if isinstance(target, (str, Path)) else target  # noqa: SIM115
        try:
            writer = csv.writer(handle)
            writer.writerow(header)
            for s in subs:
                errors = "; ".join(json.loads(s["errors"]))
                row = [
                    s["student"],
                    s["exercise"],
                    s["submission"],
                    bool(s["gradable"]),
                    s["score"],
                    s["max_score"],
                    bool(s["needs_review"]),
                    errors,
                ]
                row += [points.get((s["exercise"], s["submission"], c), "") for c in order]
                writer.writerow([csv_safe(v) for v in row])
        finally:
            if handle is not target:
                handle.close()
        return len(subs)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

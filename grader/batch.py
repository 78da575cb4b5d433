"""Grading many submissions: discovery, a supervised worker pool, progress, and a gradebook.

Each file is graded on its own, and nothing one file does can end the batch: a bad file, a
grader bug, a file that takes too long (its worker is killed and replaced) or a row the
gradebook cannot take becomes that submission's ``gradable: false`` with the reason. Results
come back in input order and are written to the gradebook one transaction per submission.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .engine import grade_file
from .errors import RubricError
from .pool import Pool
from .progress import Progress
from .results import SubmissionResult
from .rubric import load_rubric
from .safety import refusal
from .submission import SUFFIXES, student_id

PARALLEL_FROM = 24  # below this many files, starting workers costs more than it saves
TIME_LIMIT = 120.0  # seconds for one submission: ordinary ones take milliseconds, a cold simulator seconds


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files to grade: named files as given, folders searched (recursively) for .ipynb/.md/.txt.

    Hidden folders and ``.ipynb_checkpoints`` are skipped; symbolic links to folders are not
    followed but listed, so the batch says why they were not searched. Entries that are not regular files (FIFOs, dangling links...) are kept so that the
    batch reports them. A path given here that does not exist raises ``FileNotFoundError``.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                found.extend(Path(root) / d for d in dirs if os.path.islink(os.path.join(root, d)))  # reported
                for name in sorted(files):
                    if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                        found.append(Path(root) / name)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    return list(dict.fromkeys(found))


def roots_of(paths: Iterable[str | os.PathLike]) -> frozenset[str]:
    """The resolved folders and files given on the command line: nothing outside them is read."""
    return frozenset(str(Path(p).resolve()) for p in paths)


def _grade_one(job: tuple) -> SubmissionResult:
    path, exercise, rubrics_dir, partial, roots = job
    try:
        problem = refusal(path, roots)
        if problem:
            return SubmissionResult.not_gradable(path, exercise, problem, student=student_id(Path(path), exercise))
        result = grade_file(path, exercise, rubrics_dir, partial=partial)
    except Exception as exc:  # one bad file never stops the batch
        return SubmissionResult.not_gradable(path, exercise, f"internal grader error: {type(exc).__name__}: {exc}")
    return result


def _grade_in_process(job: tuple, limit: float) -> SubmissionResult:
    """Grade here, under a wall-clock alarm when this is the main thread (the only place signals work)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return _grade_one(job)
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # the caller's own alarm is running: leave it alone
        return _grade_one(job)

    def out_of_time(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return _grade_one(job)
    except _OutOfTime:
        return SubmissionResult.not_gradable(job[0], job[1], too_slow(limit))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in the grader swallows it."""


def too_slow(limit: float) -> str:
    return f"grading this file took longer than {limit:g} s and was stopped; a person should look at it"


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def grade_batch(
    paths: Iterable[str | os.PathLike],
    exercise: str | None = None,
    rubrics_dir: str | os.PathLike | None = None,
    *,
    workers: int | None = None,
    progress: bool | object = False,
    gradebook=None,
    partial: bool = False,
    on_result: Callable[[SubmissionResult], None] | None = None,
    time_limit: float = TIME_LIMIT,
) -> list[SubmissionResult]:
    """Grade every submission under ``paths``; results in input order.

    ``progress`` is True (a bar on stderr), a stream, or False. ``gradebook`` is a
    :class:`~grader.gradebook.Gradebook`; each result is recorded as soon as it is ready.
    ``time_limit`` bounds each submission (seconds). Raises ``FileNotFoundError`` for a missing
    path and :class:`RubricError` for an unknown ``exercise`` before any grading starts.
    """
    paths = list(paths)
    files = discover(paths)
    roots = roots_of(paths)
    rubrics = str(rubrics_dir) if rubrics_dir else None
    if exercise:
        load_rubric(exercise, rubrics)
    jobs = [(str(f), exercise, rubrics, partial, roots) for f in files]
    bar = None
    if progress:
        bar = Progress(len(jobs), stream=None if progress is True else progress)
    workers = default_workers() if workers is None else max(1, workers)
    results: list[SubmissionResult] = []

    def accept(result: SubmissionResult) -> None:
        if gradebook is not None:
            result = _record(gradebook, result)
        results.append(result)
        if on_result is not None:
            on_result(result)
        if bar:
            bar.update()

    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        _warm_up(exercise, rubrics)
        with Pool(_grade_one, workers, time_limit) as pool:
            for job, outcome in zip(jobs, pool.run(jobs)):
                accept(outcome if isinstance(outcome, SubmissionResult) else _lost(job, outcome, time_limit))
    else:
        for job in jobs:
            accept(_grade_in_process(job, time_limit))
    for result in _flag_collisions(results):
        if gradebook is not None:
            _record(gradebook, result)
    if bar:
        bar.close()
    return results


def _lost(job: tuple, why: str, limit: float) -> SubmissionResult:
    reason = too_slow(limit) if why == "timeout" else f"the grading worker stopped on this file ({why})"
    return SubmissionResult.not_gradable(job[0], job[1], reason, student=student_id(Path(job[0]), job[1]))


def _record(gradebook, result: SubmissionResult) -> SubmissionResult:
    """Record one result; if the gradebook refuses it, record (and return) why it is not graded."""
    try:
        gradebook.record(result)
        return result
    except Exception as exc:
        reason = f"could not record the grade in the gradebook ({type(exc).__name__}: {exc})"
    stand_in = SubmissionResult.not_gradable(result.submission, result.exercise, reason, student=result.student)
    try:
        gradebook.record(stand_in)
    except Exception as exc:
        stand_in.errors.append(f"and could not record that either ({type(exc).__name__})")
    return stand_in


def _flag_collisions(results: list[SubmissionResult]) -> list[SubmissionResult]:
    """Two files for one student and exercise are both kept (never merged) and both flagged; returns them."""
    by_owner: dict[tuple, list[SubmissionResult]] = {}
    for result in results:
        if result.student:
            by_owner.setdefault((result.student, result.exercise), []).append(result)
    flagged = []
    for (student, _), group in by_owner.items():
        if len(group) < 2:
            continue
        for result in group:
            others = ", ".join(r.submission for r in group if r is not result)
            result.review.append(f"student '{student}' handed in more than one file for this exercise ({others})")
            flagged.append(result)
    return flagged


def _warm_up(exercise: str | None, rubrics: str | None) -> None:
    """Load rubrics (and the simulator cases) once before forking, so workers inherit them."""
    try:
        names = [exercise] if exercise else None
        if names is None:
            from .rubric import available_exercises

            names = available_exercises(rubrics)
        for name in names:
            rubric = load_rubric(name, rubrics)
            if any(c.check.get("model") == "handoff_contracts" for c in rubric.criteria):
                from .checks.handoffs import cases

                cases()
    except (RubricError, ImportError):
        pass

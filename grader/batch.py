"""Grading many submissions: discovery, parallel workers, progress, and a gradebook.

Each file is graded on its own; a bad file becomes an ungradable result and the batch goes
on. Workers are processes (grading is CPU-bound regex and arithmetic); results come back in
input order and are written to the gradebook one transaction per submission as they arrive.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .engine import grade_file
from .errors import RubricError
from .progress import Progress
from .results import SubmissionResult
from .rubric import load_rubric
from .submission import SUFFIXES

PARALLEL_FROM = 24  # below this many files, starting workers costs more than it saves


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files to grade: named files as given, folders searched (recursively) for .ipynb/.md/.txt.

    Hidden folders and ``.ipynb_checkpoints`` are skipped. A path that does not exist raises
    ``FileNotFoundError``.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                        found.append(Path(root) / name)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    unique = list(dict.fromkeys(found))
    return unique


def _grade_one(job: tuple[str, str | None, str | None, bool]) -> SubmissionResult:
    path, exercise, rubrics_dir, partial = job
    try:
        return grade_file(path, exercise, rubrics_dir, partial=partial)
    except Exception as exc:  # one bad file never stops the batch
        return SubmissionResult.not_gradable(path, exercise, f"internal grader error: {type(exc).__name__}: {exc}")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


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
) -> list[SubmissionResult]:
    """Grade every submission under ``paths``; results in input order.

    ``progress`` is True (a bar on stderr), a stream, or False. ``gradebook`` is a
    :class:`~grader.gradebook.Gradebook`; each result is recorded as soon as it arrives.
    Raises ``FileNotFoundError`` for a missing path and :class:`RubricError` for an unknown
    ``exercise`` before any grading starts.
    """
    files = discover(paths)
    rubrics = str(rubrics_dir) if rubrics_dir else None
    if exercise:
        load_rubric(exercise, rubrics)
    jobs = [(str(f), exercise, rubrics, partial) for f in files]
    bar = None
    if progress:
        bar = Progress(len(jobs), stream=None if progress is True else progress)
    workers = default_workers() if workers is None else max(1, workers)
    results: list[SubmissionResult] = []

    def accept(result: SubmissionResult) -> None:
        results.append(result)
        if gradebook is not None:
            gradebook.record(result)
        if on_result is not None:
            on_result(result)
        if bar:
            bar.update()

    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        _warm_up(exercise, rubrics)
        chunk = max(1, min(32, len(jobs) // (workers * 8)))
        try:
            with _pool(workers) as pool:
                for result in pool.map(_grade_one, jobs, chunksize=chunk):
                    accept(result)
        except BrokenProcessPool:
            for job in jobs[len(results) :]:  # a worker died: finish the rest here
                accept(_grade_one(job))
    else:
        for job in jobs:
            accept(_grade_one(job))
    if bar:
        bar.close()
    return results


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

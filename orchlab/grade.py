"""``orchlab grade``: grade submissions from the command line.

Bad input prints one line and exits 2; a batch with ungradable submissions exits 1 after
grading all of them; otherwise 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchlab.args import fail, whole

NAME = "grade"
FORMATS = ("json", "table", "csv")


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``grade`` to ``subparsers`` (from ``parser.add_subparsers()``) and return its parser."""
    parser = subparsers.add_parser(
        NAME,
        help="grade exercise submissions (.ipynb, .md, .txt, or folders of them)",
        description="Grade exercise submissions against their rubrics. Nothing in a submission is executed.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a submission file or a folder of them")
    parser.add_argument("--exercise", metavar="ID", help="exercise id (default: read from each notebook's metadata)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.add_argument("--rubrics", metavar="DIR", help="grade with the rubrics in DIR (e.g. a private pack)")
    parser.add_argument("--gradebook", metavar="FILE", help="record results in this SQLite gradebook")
    parser.add_argument(
        "--export-csv", metavar="FILE", help="after grading, export the gradebook to CSV (needs --gradebook)"
    )
    parser.add_argument("--reports", metavar="DIR", help="write one feedback report per submission into DIR")
    parser.add_argument("--report-format", choices=("md", "html"), default="md", help="report format (default md)")
    parser.add_argument("--summary", metavar="FILE", help="write the class summary chart (HTML) to FILE")
    parser.add_argument(
        "--workers", type=whole(1, 64), metavar="N", help="parallel worker processes (default: one per CPU)"
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="grade submissions with empty answers instead of marking them not gradable",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="show a progress bar on stderr"
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    return parser


def _fail(message: str) -> int:
    return fail(NAME, message)


def _output_problems(args) -> list[str]:
    """Every output path checked before any grading, so no work is lost to a bad path at the end."""
    from grader.gradebook import check_gradebook_path
    from grader.reports import check_report_folder

    problems = []
    if args.gradebook and (problem := check_gradebook_path(args.gradebook)):
        problems.append(f"--gradebook: {problem}")
    for flag, value in (("--export-csv", args.export_csv), ("--summary", args.summary)):
        if not value:
            continue
        path = Path(value)
        if path.is_dir():
            problems.append(f"{flag}: {value} is a folder; give a file name")
        elif path.exists() and not path.is_file():
            problems.append(f"{flag}: {value} is not a regular file")
        elif not path.resolve().parent.is_dir():
            problems.append(f"{flag}: the folder for {value} does not exist")
    if args.reports and (problem := check_report_folder(args.reports)):
        problems.append(f"--reports: {problem}")
    return problems


def _owner_only(path: str):
    """A text file for writing, created readable by its owner only (it holds students' work)."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _write(text: str) -> None:
    """Print whatever the terminal's encoding, never failing on a character it lacks."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def run(args) -> int:
    """Grade as asked by parsed ``args``; returns the exit code."""
    from grader.batch import discover, grade_batch
    from grader.errors import RubricError
    from grader.export import results_csv, results_table
    from grader.rubric import available_exercises, load_rubric

    if args.rubrics and not Path(args.rubrics).is_dir():
        return _fail(f"--rubrics: {args.rubrics} is not a folder")
    if args.rubrics and not available_exercises(args.rubrics):
        return _fail(f"--rubrics: {args.rubrics} has no rubric files (<exercise>.yaml)")
    if args.export_csv and not args.gradebook:
        return _fail("--export-csv needs --gradebook")
    problems = _output_problems(args)
    if problems:
        return _fail("; ".join(problems))
    try:
        if args.exercise:
            load_rubric(args.exercise, args.rubrics)
        files = discover(args.paths)
    except RubricError as exc:
        return _fail(f"--exercise: {exc}")
    except (FileNotFoundError, OSError) as exc:
        return _fail(str(exc))
    if not files:
        return _fail(f"no .ipynb, .md or .txt files under {', '.join(args.paths)}")
    gradebook = None
    if args.gradebook:
        from grader.gradebook import Gradebook, GradebookError

        try:
            gradebook = Gradebook(args.gradebook)
        except GradebookError as exc:
            return _fail(f"--gradebook: {exc}")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        results = grade_batch(
            args.paths,
            args.exercise,
            args.rubrics,
            workers=args.workers,
            progress=progress,
            gradebook=gradebook,
            partial=args.allow_partial,
        )
        if args.export_csv:
            with _owner_only(args.export_csv) as handle:
                gradebook.export_csv(handle)
    except KeyboardInterrupt:
        return 130
    finally:
        if gradebook is not None:
            gradebook.close()
    if args.reports:
        from grader.reports import write_reports

        write_reports(results, args.reports, args.report_format)
    if args.summary:
        from grader.summary import summary_figure

        with _owner_only(args.summary) as handle:
            summary_figure(results).write_html(handle, include_plotlyjs=True)
    if args.format == "json":
        _write(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        _write(results_csv(results))
    else:
        _write(results_table(results) + "\n")
    return 0 if all(r.gradable for r in results) else 1

"""``orchlab rubric``: tools for instructors who write rubrics.

``check FILE...`` lists every problem of each rubric with its line (exit 2 if any);
``calibrate FILE LABELLED.yaml`` grades hand-labelled answers and reports agreement per
criterion, Cohen's kappa, false passes and fails, how many wrong verdicts the review flag
catches, and each disagreement; ``fingerprint FILE`` prints the hashed form of a text learners
are given, for a rubric's ``given_fingerprint:``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orchlab.args import OneLineParser, fail
from orchlab.output import emit

NAME = "rubric"


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="check a rubric, calibrate it against labelled answers, fingerprint a given text",
        description="Tools for writing rubrics: check, calibrate, fingerprint. See docs/rubric_authoring.md.",
    )
    tools = parser.add_subparsers(dest="tool", required=True, parser_class=OneLineParser, metavar="TOOL")
    check = tools.add_parser("check", help="report every problem of a rubric file, with its line")
    check.add_argument("files", nargs="+", metavar="FILE", help="rubric YAML file(s)")
    cal = tools.add_parser("calibrate", help="grade labelled answers and compare with the labels")
    cal.add_argument("file", metavar="FILE", help="rubric YAML file")
    cal.add_argument("labels", metavar="LABELLED", help="labelled answers (YAML: items with id, labels, text)")
    cal.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    fp = tools.add_parser("fingerprint", help="print the hashed word pairs of a text learners are given")
    fp.add_argument("file", metavar="FILE", help="a text file (the prompt learners are given)")
    return parser


def _check(args) -> int:
    from grader.rubric import check_rubric_file

    bad = 0
    for name in args.files:
        problems = check_rubric_file(name)
        if problems:
            bad += 1
            print("\n".join(problems))
        else:
            print(f"{name}: ok")
    if bad:
        return fail(NAME, f"{bad} of {len(args.files)} rubric file(s) have problems (listed above)")
    return 0


def _calibrate(args) -> int:
    from grader.calibrate import LabelError, calibrate, format_table, load_labels
    from grader.errors import RubricError
    from grader.rubric import load_rubric_file

    try:
        rubric = load_rubric_file(args.file)
    except RubricError as exc:
        return fail(NAME, f"{exc} (run `orchlab rubric check {args.file}` for every problem)")
    try:
        items = load_labels(args.labels, rubric)
    except LabelError as exc:
        return fail(NAME, str(exc))
    report = calibrate(rubric, items)
    emit(report.to_dict(), args.format, lambda: format_table(report))
    return 0


def _fingerprint(args) -> int:
    from grader.safety import UnsafeInput, read_text
    from grader.text.given import fingerprint

    try:
        text = read_text(Path(args.file))
    except (OSError, UnsafeInput) as exc:
        return fail(NAME, f"{args.file}: {getattr(exc, 'strerror', None) or exc}")
    print(fingerprint(text))
    return 0


def run(args) -> int:
    return {"check": _check, "calibrate": _calibrate, "fingerprint": _fingerprint}[args.tool](args)

"""Grading throughput: submissions per second for a generated class of 300 submissions.

    python benchmarks/bench_grader.py [--count 300] [--workers 2]

The class mixes all five exercises: design answers from the labelled dev set (as .md files)
and notebooks built from the solutions and known-wrong answers. It is graded once serially
(first, so it pays for loading rubrics and the simulator) and once with the worker pool (forked
workers start with what the parent has loaded, as in a real ``orchlab grade`` run).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from grader import grade_batch  # noqa: E402

DEVSET = ROOT / "tests" / "grader_devset"
SOLUTIONS = ROOT / "tests" / "grader_solutions"


def notebook_with(exercise: str, answers: dict[str, str]) -> dict:
    (path,) = SOLUTIONS.glob(f"*_{exercise}.ipynb")
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for tag in cell["metadata"].get("tags", []):
            name = tag.split(":", 1)[1] if tag.startswith("answer:") else None
            if name in answers:
                cell["source"] = str(answers[name])
    return nb


def make_class(folder: Path, count: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    designs = yaml.safe_load((DEVSET / "orders_daily_design.yaml").read_text(encoding="utf-8"))["items"]
    solutions = yaml.safe_load((DEVSET / "solutions.yaml").read_text(encoding="utf-8"))
    wrong = yaml.safe_load((DEVSET / "known_wrong.yaml").read_text(encoding="utf-8"))
    for i in range(count):
        student = folder / f"student{i:04d}"
        student.mkdir()
        if i % 2 == 0:  # half the class: the free-text design, the slowest exercise to grade
            item = rng.choice(designs)
            (student / "05_orders_daily_design.md").write_text(item["text"], encoding="utf-8")
            continue
        exercise = rng.choice(sorted(solutions))
        answers = dict(solutions[exercise])
        if rng.random() < 0.5:
            answers.update(rng.choice(wrong[exercise])["answers"])
        nb = notebook_with(exercise, answers)
        (student / f"{exercise}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_class(folder, args.count)
        md = [p for p in folder.rglob("*.md")]
        nbs = [p for p in folder.rglob("*.ipynb")]
        timings = {}
        for label, workers in (("serial", 1), (f"{args.workers} workers", args.workers)):
            started = time.perf_counter()
            results = grade_batch(md, "orders_daily_design", workers=workers) + grade_batch(nbs, workers=workers)
            elapsed = time.perf_counter() - started
            assert len(results) == args.count and all(r.gradable for r in results)
            timings[label] = elapsed
        for label, elapsed in timings.items():
            print(
                f"{label:>10}: {args.count} submissions in {elapsed:.2f} s = {args.count / elapsed:.0f} submissions/s"
            )


if __name__ == "__main__":
    main()

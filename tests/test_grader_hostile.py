"""A batch of hostile and broken files next to a good one: the good one gets full marks, each bad
one is reported with its reason, the batch ends within a bound and the gradebook stays whole."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path

import pytest

from grader import Gradebook, check, grade_batch, write_reports
from grader.pool import Pool
from grader.safety import storable
from tests.helpers import ROOT

SOLUTIONS = ROOT / "tests" / "grader_solutions"
MATH = SOLUTIONS / "02_reliability_math.ipynb"
DESIGN = SOLUTIONS / "05_orders_daily_design.ipynb"
BOUND = 120  # seconds for the whole hostile batch; it takes a few seconds


@contextmanager
def deadline(seconds: int):
    """Fail (rather than hang the suite) if the block runs longer than ``seconds``."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def notebook(source: Path = MATH, **answers) -> dict:
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for tag in cell["metadata"].get("tags", []):
            if tag.startswith("answer:") and tag[7:] in answers:
                cell["source"] = answers[tag[7:]]
    return nb


def put(path: Path, nb: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb), encoding="utf-8")
    return path


def hostile_class(root: Path) -> tuple[Path, dict[str, str]]:
    """The class folder and, for each bad file name, a phrase its reason must contain."""
    folder = root / "class"
    put(folder / "good.ipynb", notebook())
    secret = put(root / "instructor_private.md", "PRIVATE KEY: the answer is 0.85**5")
    expect: dict[str, str] = {}

    def bad(name: str, phrase: str) -> Path:
        expect[name] = phrase
        return folder / name

    os.mkfifo(bad("fifo.ipynb", "FIFO"))
    os.symlink(folder / "fifo.ipynb", bad("link_to_fifo.ipynb", "FIFO"))
    os.symlink(folder / "gone.ipynb", bad("dangling.ipynb", "dangling"))
    os.symlink(folder / "loop_b.md", bad("loop_a.md", "loops"))
    os.symlink(folder / "loop_a.md", bad("loop_b.md", "loops"))
    os.symlink(secret, bad("design_link.md", "outside the folders"))
    os.symlink("/dev/zero", bad("device.md", "outside the folders"))
    os.symlink(root, bad("linked_folder", "outside the folders"))
    (folder / "inner").mkdir()
    os.symlink(folder / "inner", bad("inner_link", "folders reached through links are not searched"))
    put(bad("overflow.ipynb", "too large to work out"), notebook(five_at_85="1000000**100"))
    put(bad("zero_power.ipynb", "divides by zero"), notebook(five_at_85="0**-1"))
    raw = json.dumps(notebook(five_at_85="0.85**5 \ud800"), ensure_ascii=True)
    put(bad("surrogate_answer.ipynb", "to review"), raw.replace('"0.85**5 \\ud800"', '"\\ud800"'))
    lone_id = notebook()
    lone_id["metadata"]["orchlab"]["exercise"] = "reliability\ud800math"
    put(bad("surrogate_exercise.ipynb", "cannot be graded here"), json.dumps(lone_id))
    digits = notebook()
    digits["metadata"]["huge"] = 0
    put(folder / "huge_number.ipynb", json.dumps(digits).replace('"huge": 0', '"huge": ' + "7" * 5000))
    stringly = notebook()
    stringly["nbformat"] = "4"
    put(bad("string_format.ipynb", "not the number 4"), stringly)
    (folder / "bad\udcffname.md").write_bytes(b"fan out")  # a name that is not UTF-8
    expect["bad\udcffname.md"] = "cannot tell which exercise"
    put(bad("comments.md", "cannot tell which exercise"), "<!--" * 12_000)
    put(folder / "evil\nforged.ipynb: 10/10.ipynb", notebook())
    put(folder / ("x" * 200 + ".ipynb"), notebook())
    return folder, expect


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hostile_batch_grades_the_good_file_and_reports_each_bad_one(tmp_path, workers):
    folder, expect = hostile_class(tmp_path)
    if workers == 2:  # enough files for the worker pool to start
        for i in range(24):
            put(folder / "pad" / f"pad{i:02d}.ipynb", notebook())
    book_path = tmp_path / "class.sqlite"
    with deadline(BOUND), Gradebook(book_path) as book:
        results = grade_batch([folder], workers=workers, gradebook=book)
    by_name = {Path(r.submission).name: r for r in results}
    good = by_name["good.ipynb"]
    assert good.gradable and good.score == good.max_score == 11
    for name, phrase in expect.items():
        name = storable(name)  # how a name that is not UTF-8 is stored and shown
        result = by_name[name]
        said = " ".join(result.errors) + " " + " ".join(c.feedback for c in result.criteria)
        if phrase == "to review":
            assert result.gradable and result.needs_review and "Could not read" in said, said
        else:
            assert phrase in said, (name, said)
            assert result.gradable is ("too large" in phrase or "zero" in phrase), (name, said)
        if result.gradable:  # an unreadable answer is never a silent zero: flagged with its reason
            assert result.needs_review and result.criterion("five_at_85").confidence == 0
    assert by_name["huge_number.ipynb"].score == 11  # a 5,000-digit number elsewhere in the JSON is harmless
    assert "PRIVATE KEY" not in json.dumps([r.to_dict() for r in results])
    with sqlite3.connect(book_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == len(results) == len(set(by_name))
    assert stat.S_IMODE(book_path.stat().st_mode) == 0o600


def test_table_output_cannot_be_forged_by_a_file_name(tmp_path, capsys):
    from orchlab.main import main as orchlab

    put(tmp_path / "evil\nforged.ipynb: 10/10 all graded.ipynb", notebook(five_at_85=""))
    code = orchlab(["grade", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    assert not any(line.startswith("forged") for line in out.splitlines())
    assert "evil\\nforged" in out


def _sleep_forever(job):
    if job == "stuck":
        signal.pause()
    if job == "crash":
        os._exit(3)
    return job * 2


def test_a_stuck_or_dying_worker_is_replaced_and_the_pool_goes_on():
    jobs = [1, "stuck", 2, "crash", 3, 4]
    with deadline(60), Pool(_sleep_forever, 2, time_limit=1.0) as pool:
        outcomes = list(pool.run(jobs))
    assert outcomes == [2, "timeout", 4, "exit code 3", 6, 8]


ORPHAN_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {root!r})
from grader.pool import Pool
from grader.safety import storable
def stuck(job):
    os.write(1, f"{{os.getpid()}}\\n".encode())  # one write: two workers' print() calls can interleave
    signal.pause()
with Pool(stuck, 2, time_limit=600) as pool:
    list(pool.run([1, 2]))
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_parent(tmp_path, how):
    import subprocess
    import sys
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT.format(root=str(ROOT))], stdout=subprocess.PIPE, text=True
    )
    workers = [int(parent.stdout.readline()) for _ in range(2)]
    parent.send_signal(how)
    parent.wait(10)

    def alive(pid):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return False
        return state != "Z"

    stop = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < stop:
        time.sleep(0.05)
    assert not any(alive(p) for p in workers)


def test_output_paths_are_checked_before_grading(tmp_path, capsys):
    from orchlab.main import main as orchlab

    put(tmp_path / "subs" / "a.ipynb", notebook())
    (tmp_path / "folder").mkdir()
    (tmp_path / "a_file").write_text("x")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    cases = [
        (["--gradebook", tmp_path / "g.sqlite", "--export-csv", tmp_path / "folder"], "--export-csv"),
        (["--summary", tmp_path / "folder"], "--summary"),
        (["--reports", tmp_path / "a_file"], "--reports"),
        (["--gradebook", tmp_path / "folder"], "--gradebook"),
        (["--gradebook", foreign], "another kind"),
    ]
    for extra, phrase in cases:
        code = orchlab(["grade", str(tmp_path / "subs"), "--no-progress", *map(str, extra)])
        err = capsys.readouterr().err
        assert code == 2 and phrase in err and "Traceback" not in err, (extra, err)
    with sqlite3.connect(foreign) as db:  # the other program's database is untouched
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    assert not (tmp_path / "g.sqlite").exists()


def test_reports_are_owner_only_and_carry_no_remote_images_or_script_links(tmp_path):
    text = (
        "![pixel](https://tracker.example/p.png) [click](javascript:alert(1)) <img src=x> "
        "I'd use parallel fan-out from an orchestrator with fan-in at synthesis."
    )
    put(tmp_path / "s" / "mallory.md", text)
    long_id = notebook()
    long_id["metadata"]["orchlab"]["exercise"] = "e" * 300
    put(tmp_path / "s" / "long.ipynb", long_id)
    results = grade_batch([tmp_path / "s"], partial=True)
    written = write_reports(results, tmp_path / "reports", "md")
    assert stat.S_IMODE((tmp_path / "reports").stat().st_mode) == 0o700
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.name) < 140
        body = path.read_text(encoding="utf-8")
        assert "![" not in body and "](" not in body and "<img" not in body


def test_the_learners_check_says_an_answer_could_not_be_read():
    result = check("reliability_math", answers={"five_at_85": "1000000**100", "eight_at_95": "0**-1"})
    assert result.gradable
    assert "Could not read this answer" in result.criterion("five_at_85").feedback
    assert "divides by zero" in result.criterion("eight_at_95").feedback
    assert "to review" in result._repr_html_()


def test_identity_comes_from_the_collection_step_and_collisions_are_flagged(tmp_path):
    claims_bob = notebook()
    claims_bob["metadata"]["orchlab"]["student"] = "bob"
    put(tmp_path / "alice" / "02_reliability_math.ipynb", claims_bob)
    put(tmp_path / "alice.ipynb", notebook())
    put(tmp_path / "bob" / "02_reliability_math.ipynb", notebook())
    results = {r.submission: r for r in grade_batch([tmp_path], workers=1)}
    inside = results[str(tmp_path / "alice" / "02_reliability_math.ipynb")]
    assert inside.student == "alice"
    assert any("says it is student 'bob'" in r for r in inside.review)
    assert any("more than one file" in r for r in inside.review)
    assert results[str(tmp_path / "bob" / "02_reliability_math.ipynb")].review == []
    assert all(r.gradable for r in results.values())  # kept apart, never merged


def test_case_and_space_in_answer_tags_are_forgiven_and_misspellings_named(tmp_path):
    nb = notebook()
    for cell in nb["cells"]:
        tags = cell["metadata"].get("tags", [])
        if tags == ["answer:five_at_85"]:
            cell["metadata"]["tags"] = ["ANSWER:five_at_85 "]
        if tags == ["answer:eight_at_95"]:
            cell["metadata"]["tags"] = ["answer:eigth_at_95"]
    put(tmp_path / "t.ipynb", nb)
    (result,) = grade_batch([tmp_path / "t.ipynb"])
    assert not result.gradable
    assert result.errors == [
        "answer cell tagged 'answer:eight_at_95' is missing "
        "(found 'answer:eigth_at_95': if that is this answer, change it to 'answer:eight_at_95')"
    ]


def test_serial_grading_stops_a_file_that_takes_too_long(tmp_path, monkeypatch):
    import grader.batch as batch

    def slow(path, *args, **kwargs):
        if path.endswith("slow.ipynb"):
            signal.pause()  # stands in for any grading step that never returns
        return real(path, *args, **kwargs)

    real = batch.grade_file
    monkeypatch.setattr(batch, "grade_file", slow)
    put(tmp_path / "fine.ipynb", notebook())
    put(tmp_path / "slow.ipynb", notebook())
    fine, stuck = grade_batch([tmp_path], workers=1, time_limit=1)
    assert fine.gradable and fine.score == 11
    assert not stuck.gradable and "took longer than 1 s" in stuck.errors[0]

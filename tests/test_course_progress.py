"""A learner's progress file: recorded by lessons and the grader, read by the start page, kept local."""

import json
import subprocess
import sys

import pytest

from course import progress
from course.start_page import course_items, progress_markdown
from tests.helpers import ROOT


def test_a_missing_file_reads_as_no_progress(tmp_path):
    assert progress.load(tmp_path / "none.json") == {"lessons": {}, "exercises": {}}


def test_lessons_count_their_runs(tmp_path):
    file = tmp_path / "p.json"
    progress.record_lesson("02_compound_reliability", path=file)
    data = progress.record_lesson("02_compound_reliability", path=file)
    entry = data["lessons"]["02_compound_reliability"]
    assert entry["runs"] == 2 and entry["first_run"] <= entry["last_run"]
    assert json.loads(file.read_text()) == progress.load(file)


def test_an_exercise_passes_on_full_marks_and_keeps_its_best(tmp_path):
    file = tmp_path / "p.json"
    progress.record_exercise("02_reliability_math", 3, 5, path=file)
    assert progress.load(file)["exercises"]["02_reliability_math"]["passed"] is False
    progress.record_exercise("02_reliability_math", 5, 5, path=file)
    data = progress.record_exercise("02_reliability_math", 2, 5, path=file)
    entry = data["exercises"]["02_reliability_math"]
    assert entry["passed"] is True, "a pass stays a pass"
    assert (entry["best"], entry["score"], entry["attempts"]) == (5.0, 2.0, 3)


@pytest.mark.parametrize("score,max_score", [(-1, 5), (6, 5), (1, 0), ("a lot", 5), (None, 5), (float("nan"), 5)])
def test_bad_scores_are_refused_with_one_clear_error(tmp_path, score, max_score):
    with pytest.raises(ValueError, match="score"):
        progress.record_exercise("01_pattern_selection", score, max_score, path=tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


@pytest.mark.parametrize("name", ["", "../escape", "a b", "x" * 200, 7])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError):
        progress.record_lesson(name, path=tmp_path / "p.json")


def test_a_corrupt_file_is_not_fatal_and_is_replaced_whole(tmp_path):
    file = tmp_path / "p.json"
    file.write_text("{not json")
    assert progress.load(file) == {"lessons": {}, "exercises": {}}
    progress.record_lesson("00_start_here", path=file)
    assert set(progress.load(file)["lessons"]) == {"00_start_here"}
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"], "no temporary file left behind"


def test_the_environment_variable_chooses_the_file(tmp_path, monkeypatch):
    file = tmp_path / "deep" / "progress.json"
    monkeypatch.setenv(progress.ENV_VAR, str(file))
    progress.record_lesson("01_coordination_patterns")
    assert "01_coordination_patterns" in json.loads(file.read_text())["lessons"]


def test_default_file_is_a_dot_folder_of_the_kit_and_ignored_by_git():
    assert progress.DEFAULT_PATH.parent.name.startswith(".")
    assert progress.DEFAULT_PATH.parent.parent == ROOT
    assert ".orchlab/" in (ROOT / ".gitignore").read_text().splitlines()


def test_course_imports_nothing_of_the_kit():
    code = "import sys, course, course.start_page; print(sorted(m for m in sys.modules if m.split('.')[0] in {'simulator', 'explorers', 'grader', 'orchlab'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_start_page_shows_runs_and_passes(tmp_path):
    file = tmp_path / "p.json"
    progress.record_lesson("03_partial_failures", path=file)
    progress.record_exercise("01_pattern_selection", 4, 4, path=file)
    progress.record_exercise("02_reliability_math", 1, 4, path=file)
    page = progress_markdown(file)
    rows = {line.split("](")[0].lstrip("| ["): line for line in page.splitlines() if line.startswith("| [")}
    assert "✓ run" in rows["03 · partial failures"]
    assert "not yet" in rows["02 · compound reliability"]
    assert "✓ passed" in rows["01 · pattern selection"]
    assert "best 25% so far" in rows["02 · reliability math"]
    assert len(rows) == len(course_items(ROOT / "notebooks")) + len(course_items(ROOT / "exercises"))


def test_every_lesson_records_itself_in_its_last_cell():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert f'record_lesson("{path.stem}")' in code[-1].source, path.name


def test_the_start_page_has_a_progress_cell():
    import nbformat

    cells = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4).cells
    assert any("progress_markdown()" in c.source for c in cells if c.cell_type == "code")


def test_progress_is_never_sent_anywhere():
    source = "\n".join(p.read_text() for p in (ROOT / "course").glob("*.py"))
    for word in ("urllib", "requests", "socket", "http"):
        assert word not in source, word

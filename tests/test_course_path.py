"""The path through the course: every lesson says what it builds on and what it teaches, ends with its
takeaways and real links to the next lesson and its exercise, and a contents page links everything."""

import re
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT

LESSONS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
CONTENTS = ROOT / "notebooks" / "CONTENTS.md"
LINK = re.compile(r"\[[^\]]+\]\(([^)\s]+)\)")

#: Written on other branches; the lead deletes an entry once its file is merged.


def markdown_of(path: Path) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def links(path: Path) -> list[str]:
    return [m for text in markdown_of(path) for m in LINK.findall(text) if not m.startswith(("http", "#", "mailto"))]


def target(path: Path, link: str) -> str:
    return (path.parent / link.split("#")[0]).resolve().relative_to(ROOT.resolve()).as_posix()


@pytest.mark.parametrize("path", [*LESSONS, CONTENTS], ids=lambda p: p.name)
def test_every_link_resolves_to_a_file_in_the_repository(path):
    broken = [link for link in links(path) if not (ROOT / target(path, link)).is_file()]
    assert not broken, f"{path.name} links to files that do not exist: {broken}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_opens_with_what_it_builds_on_and_what_it_teaches(path):
    cells = nbformat.read(path, as_version=4).cells
    opening = "\n".join(c.source for c in cells[:3] if c.cell_type == "markdown")
    assert "**Builds on:**" in opening and "**You will be able to:**" in opening


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_closes_with_takeaways_and_links_onward(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "markdown" and "## Key takeaways" in last.source
    onward = [target(path, link) for link in LINK.findall(last.source)]
    number = int(path.stem[:2])
    if path == LESSONS[-1]:  # the last lesson leads back to the contents page
        assert "notebooks/CONTENTS.md" in onward, f"{path.name} does not link back to the contents: {onward}"
    else:
        assert any(re.fullmatch(rf"notebooks/{number + 1:02d}_\w+\.ipynb", t) for t in onward), (
            f"{path.name} does not link to lesson {number + 1:02d}: {onward}"
        )
    if number > 0:
        assert any(t.startswith("exercises/") for t in onward), f"{path.name} names no exercise to practise"


def test_the_contents_page_links_every_lesson_exercise_and_the_new_ones():
    linked = {target(CONTENTS, link) for link in links(CONTENTS)}
    shipped = {p.relative_to(ROOT).as_posix() for p in [*LESSONS, *(ROOT / "exercises").glob("0*.ipynb")]}
    assert shipped <= linked, f"not on the contents page: {sorted(shipped - linked)}"


def test_lesson_06_leads_to_lesson_07():
    last = nbformat.read(ROOT / "notebooks" / "06_orders_daily_incident.ipynb", as_version=4).cells[-1]
    assert "(07_incident_lab.ipynb)" in last.source


def test_the_course_module_is_explained_once_where_the_learner_starts():
    start = "\n".join(markdown_of(ROOT / "notebooks" / "00_start_here.ipynb"))
    assert "**The course module**" in start
    assert "course module" in CONTENTS.read_text(encoding="utf-8")


def test_the_start_page_does_not_promise_arrow_keys_in_notebook_7():
    start = "\n".join(markdown_of(ROOT / "notebooks" / "00_start_here.ipynb"))
    assert "Notebook 7" in start and "drag" in start


EXERCISES = sorted((ROOT / "exercises").glob("0*.ipynb"))
README = ROOT / "README.md"
EXERCISE_NAME = re.compile(r"0\d_[a-z_]+")


def practised_by_lesson() -> dict[str, set[str]]:
    """Each lesson's exercises, as its closing cell links them: the one place the mapping is decided."""
    found = {}
    for path in LESSONS[1:]:
        last = nbformat.read(path, as_version=4).cells[-1].source
        found[path.stem] = {Path(t).stem for t in map(lambda link: target(path, link), LINK.findall(last))
                            if t.startswith("exercises/")}  # fmt: skip
    return found


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


def test_every_page_that_pairs_lessons_with_exercises_agrees_with_the_lessons():
    """README, the contents page and the start page once disagreed on which lesson exercise 06 and 08 practise."""
    expected = practised_by_lesson()
    exercise_stems = {p.stem for p in EXERCISES}
    assert set().union(*expected.values()) == exercise_stems, "an exercise no lesson links to"
    readme = {row[0].strip("`"): set(EXERCISE_NAME.findall(row[2])) & exercise_stems
              for row in table_rows(README.read_text(encoding="utf-8")) if row[0].strip("`") in expected}  # fmt: skip
    assert readme == expected, "README's lesson table"
    contents = {}
    for row in table_rows(CONTENTS.read_text(encoding="utf-8")):
        lesson = [Path(t).stem for t in LINK.findall(row[1] if len(row) > 1 else "")]
        if lesson and lesson[0] in expected:
            contents[lesson[0]] = {Path(t).stem for t in LINK.findall(row[2])}
    assert contents == expected, "CONTENTS.md's lesson table"
    start = "\n".join(markdown_of(ROOT / "notebooks" / "00_start_here.ipynb"))
    after = {}
    for row in table_rows(start):
        linked = [Path(t).stem for t in LINK.findall(row[0])]
        if linked and linked[0] in exercise_stems:
            after[linked[0]] = {f"{int(n):02d}" for n in re.findall(r"\b0?(\d)\b", row[1])}
    for lesson, exercises in expected.items():
        for exercise in exercises:
            assert lesson[:2] in after[exercise], (
                f"the start page says to do {exercise} after lesson(s) {after[exercise]}"
            )


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_an_exercise_ends_with_links_back_to_its_lesson_and_on(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "markdown" and "## Where next" in last.source
    onward = {target(path, link) for link in LINK.findall(last.source)}
    assert all((ROOT / t).is_file() for t in onward), onward
    lessons = {lesson for lesson, exercises in practised_by_lesson().items() if path.stem in exercises}
    assert {f"notebooks/{lesson}.ipynb" for lesson in lessons} <= onward, f"{path.name} does not link back to {lessons}"
    assert "notebooks/CONTENTS.md" in onward

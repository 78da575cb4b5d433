"""Notebooks stay diffable and reviewable in git.

Every ``.ipynb`` under ``notebooks/`` and ``exercises/`` is valid nbformat 4 with a python3
kernelspec (without one, JupyterLab stops on a kernel picker), carries no widget state (a saved
FigureWidget is megabytes of it), no execution counts and no outputs, except the plain-text
stdout that nbval compares on cells tagged ``nbval-check-output`` (a cell tag, so learners do not
read the test suite's markers in their code).

Captions: a cell that draws a figure with a ``*_figure(...)`` helper either wraps it in
``captioned(...)``/``caption(...)`` or is followed by a markdown cell that starts with
"*What to notice:*". Explorers (``*_explorer()``) are not checked here: their ``Explorer``
widget refuses to build without one caption per figure.

To clean a notebook by hand: JupyterLab's Edit > Clear Outputs of All Cells, then save; or
``jupyter nbconvert --clear-output --inplace FILE`` and drop ``metadata.widgets``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT

CHECK_TAG = "nbval-check-output"
#: The old in-source marker; nbval still honours it, but learners would read it in their cell.
CHECK_COMMENT = "# NBVAL_CHECK_OUTPUT"
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
FIGURE_CALL = re.compile(r"\b\w+_figure\(")
CAPTION_CALL = re.compile(r"\b(captioned|caption)\(")
CAPTION_CELL = re.compile(r"^\s*\*What to notice:?\*", re.IGNORECASE)


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def load(path: Path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def is_checked(cell) -> bool:
    """Checked by nbval: tagged (the lessons) or, in notebooks not yet moved to tags, marked in the source."""
    return CHECK_TAG in cell.metadata.get("tags", []) or cell.source.lstrip().startswith(CHECK_COMMENT)


def test_there_are_notebooks_to_check():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS), "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_valid_nbformat_4_with_python3_kernel(path):
    nb = load(path)
    assert nb.nbformat == 4, f"nbformat {nb.nbformat}, expected 4"
    nbformat.validate(nb)
    kernelspec = nb.metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"kernelspec {kernelspec!r}: set metadata.kernelspec.name to python3"
    assert kernelspec.get("language", "python") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_widget_state(path):
    assert "widgets" not in load(path).metadata, "metadata.widgets holds saved widget state; delete it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_stripped_except_checked_stdout(path):
    problems = []
    for number, cell in enumerate(load(path).cells):
        where = f"cell {number} ({''.join(cell.source)[:50]!r})"
        if cell.cell_type != "code":
            continue
        checked = is_checked(cell)
        # nbval refuses a reference cell with stored output but no count, so checked cells keep theirs
        if cell.get("execution_count") is not None and not checked:
            problems.append(f"{where}: execution_count {cell.execution_count}, should be null")
        for output in cell.outputs:
            if output.get("execution_count") is not None:
                problems.append(f"{where}: output carries execution_count {output.execution_count}")
        if checked:
            if not cell.outputs:
                problems.append(f"{where}: checked by nbval but has no expected output saved")
            for output in cell.outputs:
                if not (output.output_type == "stream" and output.get("name") == "stdout"):
                    problems.append(f"{where}: checked cells keep plain stdout only, found {output.output_type}")
        elif cell.outputs:
            kinds = sorted({o.output_type for o in cell.outputs})
            problems.append(f"{where}: has outputs {kinds}; only cells tagged '{CHECK_TAG}' keep theirs")
        if "execution" in cell.metadata:
            problems.append(f"{where}: metadata.execution holds run timestamps; delete it")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_figure_has_a_caption(path):
    cells = load(path).cells
    missing = []
    for number, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("#", "from ", "import "))
        )
        if not FIGURE_CALL.search(code) or CAPTION_CALL.search(code):
            continue
        following = cells[number + 1] if number + 1 < len(cells) else None
        if not (following is not None and following.cell_type == "markdown" and CAPTION_CELL.match(following.source)):
            missing.append(f"cell {number} ({cell.source.strip()[:60]!r})")
    assert not missing, (
        "figures without a caption (wrap in captioned(...) or follow with a markdown cell "
        "starting '*What to notice:*'):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_canonical_json_layout(path):
    """Written the way nbformat and JupyterLab write it (sorted keys, one-space indent), so diffs stay small."""
    raw = path.read_text(encoding="utf-8")
    assert raw == nbformat.writes(load(path)) + "\n", "re-save it with nbformat.write() or from JupyterLab"


LESSONS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lessons_are_seeded_checked_and_end_with_a_self_check(path):
    code = [cell for cell in load(path).cells if cell.cell_type == "code"]
    assert any(CHECK_TAG in cell.metadata.get("tags", []) for cell in code), "no numbers checked by nbval"
    assert "self_check(" in code[-1].source, "each lesson ends with self-check questions"
    for cell in code:
        assert "seed" in cell.source or "simulate(" not in cell.source, f"an unseeded run: {cell.source[:60]!r}"


LEARNER_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=ids(LEARNER_NOTEBOOKS))
def test_no_test_markers_in_what_the_learner_reads(path):
    marked = [
        f"cell {n}" for n, cell in enumerate(load(path).cells) if "NBVAL" in cell.source or "nbval" in cell.source
    ]
    assert not marked, f"test markers in the source of {marked}: use the cell tag '{CHECK_TAG}' instead"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_self_check_answers_are_out_of_sight(path):
    last = [cell for cell in load(path).cells if cell.cell_type == "code"][-1]
    assert "SelfCheck(" not in last.source and "answer" not in last.source and "explanation" not in last.source
    assert f'self_check("{path.stem}")' in last.source
    assert (ROOT / "notebooks" / "selfchecks" / f"{path.stem}.yaml").is_file()


def _shown_expression(source: str) -> ast.expr | None:
    """The expression a code cell displays (its last statement, when that is a bare expression)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    return body[-1].value if body and isinstance(body[-1], ast.Expr) else None


def _shows_a_cut_table(node: ast.expr | None) -> bool:
    """A DuckDB relation (``con.sql(...)``) as a cell's result shows only its first ten rows, and a bare
    pandas table cuts long text at 50 characters: lessons show tables through ``show()`` or ``.df()``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("sql", "query")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_cell_shows_a_table_cut_short(path):
    """Lesson 07 and exercise 06 once showed "10 of 14 rows": the rows left out were the ones the text discussed."""
    cut = [
        f"cell {number}: {cell.source.strip()[:60]!r}"
        for number, cell in enumerate(load(path).cells)
        if cell.cell_type == "code" and _shows_a_cut_table(_shown_expression(cell.source))
    ]
    assert not cut, "end with .df() or wrap in explorers.format.show(...):\n" + "\n".join(cut)

"""Bad input and hostile input: every case is a clear per-submission error, nothing is executed."""

from __future__ import annotations

import builtins
import importlib
import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import evaluate_arithmetic, grade_answers, grade_batch, grade_file, load_rubric, safe_yaml
from grader.safety import UnsafeInput
from tests.helpers import ROOT

SOLUTIONS = ROOT / "tests" / "grader_solutions"


def notebook(name: str) -> dict:
    (path,) = SOLUTIONS.glob(f"*_{name}.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, nb: dict) -> Path:
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text,value",
    [
        ("0.95**3", 0.857375),
        ("0.95^3", 0.857375),
        ("0.9**(1/5)", 0.9**0.2),
        ("86 %", 0.86),
        ("-0.5 + 1", 0.5),
        ("1e-3", 0.001),
        ("0,857", 0.857),
        ("≈ 0.44", 0.44),
    ],
)
def test_arithmetic_answers_are_evaluated(text, value):
    assert evaluate_arithmetic(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hi')",
        "open('x')",
        "(lambda: 1)()",
        "'a' * 3",
        "[1, 2]",
        "x",
        "1 if 1 else 2",
        "9**9**9",
        "10**1000",
        "2j",
        "0.95.real",
        "print(1)",
        "",
        "1/0",
    ],
)
def test_anything_but_arithmetic_is_refused(text):
    with pytest.raises(ValueError):
        evaluate_arithmetic(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_evaluator_fails_only_with_value_error(text):
    try:
        evaluate_arithmetic(text)
    except ValueError:
        pass


BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_yaml_bombs_deep_nesting_and_tags_are_refused(tmp_path, loader, monkeypatch):
    """The same guard with libyaml's loader and with PyYAML's own (the fallback without libyaml)."""
    import yaml

    import grader.safety

    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML was built without {loader}")
    monkeypatch.setattr(grader.safety, "_SAFE_LOADER", getattr(yaml, loader))
    with pytest.raises(UnsafeInput, match="aliases"):
        safe_yaml(BOMB)
    small_bomb = f"a: &a {list(range(40))}\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]"
    with pytest.raises(UnsafeInput, match="expands"):
        safe_yaml(small_bomb)
    with pytest.raises(UnsafeInput, match="nests"):
        safe_yaml("a: " + "[" * 40 + "]" * 40)
    with pytest.raises(UnsafeInput, match="characters"):
        safe_yaml("a: " + "x" * 30_000)
    marker = tmp_path / "pwned"
    with pytest.raises(ValueError, match="does not parse"):
        safe_yaml(f"!!python/object/apply:os.system ['touch {marker}']")
    assert not marker.exists()
    assert safe_yaml("a: &x 1\nb: *x") == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="line 2"):
        safe_yaml("a: 1\nb: [unclosed")


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each bad submission and a fragment of the reason it must be given."""
    cases: dict[str, tuple[Path, str]] = {}
    tmp_path.mkdir(parents=True, exist_ok=True)
    cases["malformed_json"] = (tmp_path / "malformed.ipynb", "not valid notebook JSON")
    cases["malformed_json"][0].write_text('{"cells": [', encoding="utf-8")
    cases["not_a_notebook"] = (tmp_path / "list.ipynb", "no list of cells")
    cases["not_a_notebook"][0].write_text("[1, 2]", encoding="utf-8")
    nb = notebook("orders_daily_design")
    nb["cells"] = [c for c in nb["cells"] if "answer:design" not in c["metadata"].get("tags", [])]
    cases["missing_cell"] = (write(tmp_path / "missing.ipynb", nb), "'answer:design' is missing")
    nb = notebook("orders_daily_design")
    for c in nb["cells"]:
        if "answer:design" in c["metadata"].get("tags", []):
            c["metadata"]["tags"] = ["answer:desgin"]
    cases["renamed_tag"] = (write(tmp_path / "renamed.ipynb", nb), "found 'answer:desgin'")
    nb = notebook("orders_daily_design")
    for c in nb["cells"]:
        if "answer:design" in c["metadata"].get("tags", []):
            c["source"] = ["<!-- Replace this comment with your design. -->\n", "   \n"]
    cases["empty_answer"] = (write(tmp_path / "empty.ipynb", nb), "answer 'design' is empty")
    cases["binary"] = (tmp_path / "binary.ipynb", "binary")
    cases["binary"][0].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    cases["not_utf8"] = (tmp_path / "latin1.md", "not UTF-8")
    cases["not_utf8"][0].write_bytes("Je choisirais un fan-out, caf\xe9.".encode("latin-1"))
    huge = tmp_path / "huge.ipynb"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    cases["50MB"] = (huge, "over the 5 MB limit")
    nb = notebook("orders_daily_design")
    nb["metadata"]["orchlab"]["exercise"] = "reliability_math"
    cases["other_exercise"] = (write(tmp_path / "other.ipynb", nb), "is for exercise 'reliability_math'")
    nb = notebook("handoff_contracts")
    for c in nb["cells"]:
        if "answer:contracts" in c["metadata"].get("tags", []):
            c["source"] = BOMB
    cases["yaml_bomb"] = (write(tmp_path / "bomb.ipynb", nb), "refused")
    nb = notebook("orders_daily_design")
    nb["cells"] += [c for c in nb["cells"] if "answer:design" in c["metadata"].get("tags", [])]
    cases["duplicate_tag"] = (write(tmp_path / "dupe.ipynb", nb), "more than once")
    cases["unsupported"] = (tmp_path / "answer.py", "unsupported file type")
    cases["unsupported"][0].write_text("print('hi')", encoding="utf-8")
    nb = notebook("orders_daily_design")
    nb["nbformat"] = 3
    cases["old_format"] = (write(tmp_path / "v3.ipynb", nb), "format 3")
    return cases


def test_every_bad_input_is_a_clear_ungradable_result(tmp_path):
    for name, (path, reason) in bad_files(tmp_path).items():
        exercise = "orders_daily_design" if name == "other_exercise" else None
        result = grade_file(path, exercise)
        assert result.gradable is False, name
        assert len(result.errors) == 1 and reason in result.errors[0], (name, result.errors)
        assert result.to_dict()["score"] is None, "an ungradable submission is not a zero"


def test_a_batch_of_bad_files_keeps_going(tmp_path):
    cases = bad_files(tmp_path / "bad")
    folder = tmp_path / "class"
    folder.mkdir()
    for name, (path, _) in cases.items():
        if path.suffix in (".ipynb", ".md", ".txt"):
            shutil.copy(path, folder / f"{name}{path.suffix}")
    shutil.copy(next(SOLUTIONS.glob("*_orders_daily_design.ipynb")), folder / "zz_good.ipynb")
    results = grade_batch([folder], workers=1)
    by_name = {Path(r.submission).stem: r for r in results}
    assert by_name["zz_good"].gradable and by_name["zz_good"].score == 8
    assert sum(r.gradable for r in results) == 1
    assert len(results) == len(list(folder.iterdir()))


def test_submitted_code_is_never_executed(tmp_path, monkeypatch):
    marker = tmp_path / "executed"
    nb = notebook("reliability_math")
    payload = f"__import__('os').system('touch {marker}')"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = [f"import os; open({str(marker)!r}, 'w').write('x')"]
        if "answer:five_at_85" in cell["metadata"].get("tags", []):
            cell["cell_type"], cell["outputs"], cell["execution_count"] = "code", [], None
            cell["source"] = [payload]
    path = write(tmp_path / "hostile.ipynb", nb)
    contracts = notebook("handoff_contracts")
    for cell in contracts["cells"]:
        if "answer:contracts" in cell["metadata"].get("tags", []):
            cell["source"] = f"lineage: !!python/object/apply:os.system ['touch {marker}']\n"
    hostile_yaml = write(tmp_path / "hostile_yaml.ipynb", contracts)
    grade_file(next(SOLUTIONS.glob("*_handoff_contracts.ipynb")))  # warm the simulator before the traps
    grade_file(next(SOLUTIONS.glob("*_state_sync.ipynb")))

    def trap(*args, **kwargs):
        raise AssertionError("the grader tried to execute, import or unpickle something")

    for target, name in (
        (builtins, "exec"),
        (builtins, "eval"),
        (pickle, "loads"),
        (pickle, "load"),
        (importlib, "import_module"),
        (os, "system"),
        (subprocess, "Popen"),
    ):
        monkeypatch.setattr(target, name, trap)
    result = grade_file(path)
    assert result.gradable
    five = result.criterion("five_at_85")
    assert not five.passed and "Could not read this answer" in five.feedback
    assert result.criterion("five_at_97").passed
    yaml_result = grade_file(hostile_yaml)
    assert yaml_result.gradable and yaml_result.score == 0
    assert "does not parse" in yaml_result.criteria[0].feedback
    for solution in sorted(SOLUTIONS.glob("*.ipynb")):
        if "completeness_sql" in solution.name:  # runs SQL in the sandbox by design: tests/test_sql_exercise.py
            continue
        solved = grade_file(solution)
        assert solved.score == solved.max_score, solution.name
    assert not marker.exists()


def test_overlong_answers_and_malformed_answers():
    rubric = load_rubric("orders_daily_design")
    long = grade_answers({"design": "fan out " * 10_000}, rubric)
    assert not long.gradable and "longer than" in long.errors[0]
    numbers = load_rubric("reliability_math")
    answers = {name: "0.5" for name in numbers.answers}
    answers.update(retries_fix="a", parallel_wall_clock="the slowest", five_at_85="0.85 ** banana")
    result = grade_answers(answers, numbers)
    assert result.gradable
    assert "found the word 'banana'" in result.criterion("five_at_85").feedback

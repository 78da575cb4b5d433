"""A rubric that would grade nothing, or grade wrongly, does not load: every problem is reported
with its file and line, in one pass, and a good rubric loads into typed specs."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from grader import RubricError
from grader.checks import CHECKS, MODELS
from grader.confidence import REVIEW_BELOW, Confidence
from grader.rubric import check_rubric_file, load_rubric, load_rubric_file
from grader.specs import ConceptsSpec, Near, NumericSpec
from tests.helpers import ROOT

GOOD = """\
exercise: {name}
title: A small question
answers:
  essay: {{kind: text}}
concepts:
  thing: [widget, 're:\\bgadget\\b']
  other: [sprocket]
criteria:
  - id: one
    points: 1
    answer: essay
    check:
      type: text
      analyzer: concepts
{check}
    feedback: {{pass: "Yes.", fail: "Not yet."}}
"""


def write(tmp_path, check: str, name: str = "small_q", extra: str = "") -> Path:
    body = GOOD.format(name=name, check=textwrap.indent(textwrap.dedent(check).strip(), " " * 6)) + extra
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def problems(tmp_path, check: str, **kw) -> list[str]:
    return check_rubric_file(write(tmp_path, check, **kw))


def test_a_good_rubric_loads_into_typed_specs(tmp_path):
    rubric = load_rubric_file(write(tmp_path, "any_of: [thing, {near: [thing, other], window: 4}]"))
    spec = rubric.criteria[0].check
    assert isinstance(spec, ConceptsSpec) and dataclasses.is_dataclass(spec)
    assert spec.any_of == ("thing", Near("thing", "other", 4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.any_of = ()


@pytest.mark.parametrize(
    "check,line,message",
    [
        ("any_off: [thing]", 15, "unknown key 'any_off' (did you mean 'any_of'?)"),
        ("all_of: []", 15, "empty list"),
        ("any_of: [thing]\nmin_words: eight", 16, "min_words should be a whole number"),
        ("any_of: [{near: [thing]}]", 15, "near takes a list of two concept names"),
        ("any_of: [{near: [thing, other], window: eight}]", 15, "window should be a whole number"),
        ("any_of: [{near: [thing, other], span: 3}]", 15, "unknown key 'span'"),
        ("any_of: [thingy]", 15, "concept 'thingy' is not defined under concepts: (did you mean 'thing'?)"),
        ("scope: page\nany_of: [thing]", 15, "scope should be one of answer, paragraph, sentence"),
        ("min_words: 3", 13, "needs all_of, any_of or none_of"),
    ],
)
def test_a_bad_check_is_refused_with_its_line(tmp_path, check, line, message):
    found = problems(tmp_path, check)
    assert any(f"small_q.yaml:{line}:" in p and message in p for p in found), found


def test_unknown_check_type_and_analyzer(tmp_path):
    text = GOOD.format(name="small_q", check="      any_of: [thing]").replace("type: text", "type: txt")
    path = tmp_path / "small_q.yaml"
    path.write_text(text, encoding="utf-8")
    assert any(":13:" in p and "unknown check type 'txt' (did you mean 'text'?)" in p for p in check_rubric_file(path))
    path.write_text(text.replace("type: txt", "type: text").replace("concepts\n", "concept\n"), encoding="utf-8")
    assert any("unknown analyzer 'concept'" in p for p in check_rubric_file(path))


@pytest.mark.parametrize(
    "synonym,message",
    [
        ("'\\bwidget\\b'", "looks like a regular expression"),
        ("'(?:a|b)'", "looks like a regular expression"),
        ("'re:([unclosed'", "does not compile"),
        ("'re:(a+)+b'", "backtrack catastrophically"),
        ("'re:(\\w+\\s?)*$'", "backtrack catastrophically"),
        ("'re:x?'", "matches empty text"),
    ],
)
def test_bad_synonyms_are_reported_with_concept_and_synonym(tmp_path, synonym, message):
    path = write(tmp_path, "any_of: [thing]")
    text = path.read_text(encoding="utf-8").replace("  other: [sprocket]", f"  other: [sprocket, {synonym}]")
    path.write_text(text, encoding="utf-8")
    found = check_rubric_file(path)
    assert any(":7: concepts.other: synonym" in p and message in p for p in found), found


def test_bounded_repeats_are_not_called_catastrophic(tmp_path):
    path = write(tmp_path, "any_of: [thing]")
    text = path.read_text(encoding="utf-8")
    text = text.replace("  other: [sprocket]", "  other: ['re:\\b(?:\\w+\\s+){0,3}?sprocket', 're:[^.;]{1,80}x']")
    path.write_text(text, encoding="utf-8")
    assert check_rubric_file(path) == []


def test_every_problem_in_one_pass_and_points_that_do_not_add_up(tmp_path):
    path = write(tmp_path, "any_off: [thing]\nall_of: []", extra="total_points: 3\n")
    text = path.read_text(encoding="utf-8").replace('fail: "Not yet."', "fail: no")
    path.write_text(text, encoding="utf-8")
    found = check_rubric_file(path)
    assert len(found) == 4, found
    assert any("total_points: the criteria's points add up to 1, not 3" in p for p in found)
    assert any("'fail' should be text, not False (quote it" in p for p in found)
    with pytest.raises(RubricError) as caught:
        load_rubric("small_q", tmp_path)
    assert "small_q.yaml:" in str(caught.value) and "3 more problems" in str(caught.value)
    assert len(caught.value.problems) == 4


def test_feedback_for_a_reason_the_check_never_gives_is_refused(tmp_path):
    text = write(tmp_path, "any_of: [thing]").read_text(encoding="utf-8")
    text = text.replace('fail: "Not yet."}', 'fail: "Not yet.", wrong_choise: "x"}')
    (tmp_path / "small_q.yaml").write_text(text, encoding="utf-8")
    assert any(
        "'wrong_choise' is not a reason this check gives" in p for p in check_rubric_file(tmp_path / "small_q.yaml")
    )


def test_shipped_rubrics_and_the_worked_example_load_clean():
    files = sorted((ROOT / "rubrics").glob("*.yaml")) + [ROOT / "docs/examples/retry_policy.yaml"]
    assert len(files) >= 8
    for path in files:
        assert check_rubric_file(path) == [], path


def test_numeric_spec_is_computed_once_at_load():
    spec = next(c.check for c in load_rubric("reliability_math").criteria if c.id == "five_at_85")
    assert isinstance(spec, NumericSpec) and spec.expected_value == pytest.approx(0.85**5)


def test_checks_are_a_registry_and_confidence_levels_are_named():
    assert set(CHECKS) == {"choice", "numeric", "text", "simulation"}
    assert set(MODELS) == {"handoff_contracts", "shared_state", "sql_cross_check"}
    assert Confidence.LOW < REVIEW_BELOW < Confidence.FAIR
    import grader.results
    import grader.text.analyzers

    assert grader.results.REVIEW_BELOW is REVIEW_BELOW
    assert not hasattr(grader.text.analyzers, "REVIEW_BELOW")

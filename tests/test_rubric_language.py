"""Rubric-language features an instructor writes with: stance in every prose check, none_of,
scope for all_of, a choice tied to its target in prose, negated-but-true, and the guide."""

from __future__ import annotations

import textwrap

import pytest

from grader import grade_answers
from grader.rubric import load_rubric_file
from grader.specs import CHECK_SPECS, TEXT_SPECS, spec_fields
from tests.helpers import ROOT

STATE = """\
exercise: {name}
answers:
  essay: {{kind: text}}
concepts:
  optimistic: [optimistic locking, version check*]
  event_sourcing: [event sourc*, append-only log]
  log_target: [incident timeline, timeline, the log]
  registry_target: [model registry, registry]
  overhead: [overhead, over-engineer*]
  retry: [retr*]
  success: [success*, succeeded]
  significant: [significant, significance]
criteria:
  - id: one
    points: 1
    answer: essay
    check:
{check}
    feedback: {{pass: "Yes.", fail: "Not yet."}}
"""


def rubric(tmp_path, check: str):
    body = STATE.format(name="lang_q", check=textwrap.indent(textwrap.dedent(check).strip(), " " * 6))
    path = tmp_path / "lang_q.yaml"
    path.write_text(body, encoding="utf-8")
    return load_rubric_file(path)


def passed(r, text: str) -> bool:
    return grade_answers({"essay": text}, r, partial=True).criteria[0].passed


def test_a_choice_is_tied_to_its_target_in_prose(tmp_path):
    r = rubric(
        tmp_path,
        """
        type: text
        analyzer: choice_in_prose
        min_words: 0
        options: {event_sourcing: event_sourcing, optimistic: optimistic}
        accept: [event_sourcing]
        targets: {event_sourcing: log_target, optimistic: registry_target}
        """,
    )
    assert passed(r, "I'd use event sourcing for the incident timeline and optimistic locking for the registry.")
    assert not passed(r, "I'd use optimistic locking for the timeline and event sourcing for the model registry.")


def test_stance_in_a_concepts_check(tmp_path):
    r = rubric(tmp_path, "type: text\nanalyzer: concepts\nmin_words: 0\nany_of: [event_sourcing]")
    assert passed(r, "We keep an append-only log of every finding the investigators write.")
    assert not passed(r, "Some would say event sourcing for the log, but that's over-engineering here.")
    assert not passed(r, "We will not use event sourcing; a plain table is enough for this.")


def test_negated_but_true_counts_only_when_listed(tmp_path):
    check = "type: text\nanalyzer: concepts\nmin_words: 0\nany_of: [significant]"
    text = "Ten checks aren't statistically significant, so one good week proves little."
    assert not passed(rubric(tmp_path, check), text)
    assert passed(rubric(tmp_path, check + "\nnegated_ok: [significant]"), text)


def test_none_of_fails_a_criterion_that_would_pass(tmp_path):
    check = "type: text\nanalyzer: concepts\nmin_words: 0\nany_of: [success]"
    text = "The run counts as a success because it succeeded after two retries."
    assert passed(rubric(tmp_path, check), text)
    r = rubric(tmp_path, check + "\nnone_of: [{near: [success, retry], window: 6}]")
    result = grade_answers({"essay": text}, r, partial=True).criteria[0]
    assert not result.passed and result.evidence == text


@pytest.mark.parametrize("scope,expected", [("answer", True), ("paragraph", False), ("sentence", False)])
def test_all_of_can_be_held_to_one_paragraph_or_sentence(tmp_path, scope, expected):
    r = rubric(tmp_path, f"type: text\nanalyzer: concepts\nmin_words: 0\nscope: {scope}\nall_of: [retry, overhead]")
    text = "We retry every failed call three times.\n\nA mesh would add a lot of overhead for one alert."
    assert passed(r, text) is expected
    assert passed(r, "Every retry we schedule brings its own overhead.")


def test_the_guide_documents_every_parameter_and_reason():
    guide = (ROOT / "docs" / "rubric_authoring.md").read_text(encoding="utf-8")
    for cls in [*CHECK_SPECS.values(), *TEXT_SPECS.values()]:
        for f in spec_fields(cls):
            assert f"`{f.name}`" in guide, (cls.__name__, f.name)
        for reason in cls.reasons:
            assert f"`{reason}`" in guide, (cls.__name__, reason)
    for topic in ("orchlab rubric check", "orchlab rubric calibrate", "given_fingerprint", "check_button(", ".md"):
        assert topic in guide

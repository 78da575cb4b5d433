"""``orchlab rubric check | calibrate | fingerprint``: every problem with its line, agreement
figures an instructor can act on, and one clear line (exit 2) for a broken rubric or label file."""

from __future__ import annotations

import json

import pytest

from grader.calibrate import CriterionStats
from grader.text.given import GivenText, fingerprint
from orchlab.main import main as orchlab
from tests.helpers import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "retry_policy.yaml"
LABELS = ROOT / "docs" / "examples" / "retry_policy.labels.yaml"


def run(capsys, *argv):
    try:
        code = orchlab(["rubric", *map(str, argv)])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_the_shipped_rubrics(capsys):
    code, out, err = run(capsys, "check", *sorted((ROOT / "rubrics").glob("*.yaml")), EXAMPLE)
    assert code == 0, out + err
    assert out.count(": ok") >= 8


def test_check_lists_every_problem_with_its_line_and_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad_q.yaml"
    bad.write_text(
        "exercise: bad_q\nanswers:\n  a: {kind: text}\nconcepts:\n  c: ['re:(x+)+y']\ncriteria:\n"
        "  - id: one\n    points: 1\n    answer: a\n    check: {type: text, analyzer: concepts, any_of: [c, d]}\n"
        "    feedback: {pass: ok, fail: not yet}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", bad)
    assert code == 2
    assert "bad_q.yaml:5: concepts.c: synonym 're:(x+)+y'" in out and "catastrophically" in out
    assert "bad_q.yaml:10:" in out and "'d' is not defined" in out
    assert "'c' is not defined" not in out  # a broken concept is reported once, where it is defined
    assert err.strip().startswith("orchlab rubric: error:") and "Traceback" not in err


def test_calibrate_prints_agreement_kappa_flags_and_disagreements(capsys, tmp_path):
    code, out, err = run(capsys, "calibrate", EXAMPLE, LABELS, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["items"] == 10 and {c["criterion"] for c in report["criteria"]} == {
        "retries_do_not_help",
        "why",
        "what_to_add",
    }
    for c in report["criteria"]:
        assert {"agreement", "kappa", "false_pass", "false_fail", "wrong_flagged_share", "right_flagged_share"} <= set(
            c
        )
    # a rubric tuned wrongly shows its disagreements with evidence
    loose = tmp_path / "retry_policy.yaml"
    loose.write_text(EXAMPLE.read_text(encoding="utf-8").replace("scope: sentence", "scope: answer"), encoding="utf-8")
    code, out, err = run(capsys, "calibrate", loose, LABELS)
    assert code == 0, err
    assert "retries_do_not_help" in out and "kappa" in out
    assert "Disagreements:" in out and "evidence:" in out and "labelled fail, grader passed" in out


@pytest.mark.parametrize(
    "labels,message",
    [
        ("items: []", "non-empty 'items' list"),
        ("items:\n  - {id: a, labels: {why: yes please}, text: x}", "label 'why' should be true or false"),
        ("items:\n  - {id: a, labels: {nope: true}, text: x}", "'nope' is not a criterion of retry_policy"),
        ("items:\n  - {id: a, labels: {why: true}}", "needs 'text'"),
        ("items:\n  - {id: a, labels: {why: true}, text: x, colour: red}", "unknown key 'colour'"),
        ("items: [unclosed", "does not parse"),
        ("exercise: other\nitems:\n  - {id: a, labels: {why: true}, text: x}", "labels are for exercise 'other'"),
    ],
)
def test_calibrate_refuses_a_broken_label_file_in_one_line(capsys, tmp_path, labels, message):
    path = tmp_path / "labels.yaml"
    path.write_text(labels, encoding="utf-8")
    code, out, err = run(capsys, "calibrate", EXAMPLE, path)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_calibrate_refuses_a_broken_rubric_or_missing_file(capsys, tmp_path):
    broken = tmp_path / "retry_policy.yaml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("any_of: [no_error_signal]", "any_off: [x]"), "utf-8")
    code, _, err = run(capsys, "calibrate", broken, LABELS)
    assert code == 2 and "unknown key 'any_off'" in err and "orchlab rubric check" in err
    code, _, err = run(capsys, "calibrate", EXAMPLE, tmp_path / "missing.yaml")
    assert code == 2 and "no such file" in err.lower()
    assert LABELS.read_text(encoding="utf-8").startswith("# Ten answers")  # nothing written over


def test_kappa_is_cohens():
    # 20 items: 8 both pass, 2 grader-only, 1 label-only, 9 both fail
    stats = CriterionStats("c", n=20, agree=17, true_pass=8, false_pass=2, false_fail=1, true_fail=9)
    observed, chance = 17 / 20, (10 / 20) * (9 / 20) + (10 / 20) * (11 / 20)
    assert stats.kappa == pytest.approx((observed - chance) / (1 - chance))


def test_fingerprint_recognises_the_text_without_quoting_it(capsys, tmp_path):
    prompt = tmp_path / "prompt.txt"
    text = "Please explain which coordination pattern suits the nightly reconciliation of ledger balances."
    prompt.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "fingerprint", prompt)
    assert code == 0 and "ledger" not in out
    given = GivenText.build([], out)
    assert given.covers("Explain which coordination pattern suits the nightly reconciliation of the ledger balances.")
    assert not given.covers("I would run the reconciliation as one agent with a ledger balance check at the end.")
    assert out.strip() == fingerprint(text)

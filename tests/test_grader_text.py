"""The free-text engine's parts: numbers from prose, negation, stance, keyword lists, fields, controls."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import grade_text
from grader.text import find_numbers, is_keyword_dump, parse_number_words, read_claims, split_sentences
from grader.text.numbers import normalize_numbers


def claim(text):
    (c,) = [c for c in read_claims(normalize_numbers(text)) if c.kind == "power"]
    return c


@pytest.mark.parametrize(
    "text,base,exponent,result",
    [
        ("0.95^3 = 0.857", 0.95, 3, 0.857),
        ("0.95**3 ≈ 0.857", 0.95, 3, 0.857),
        ("0.95³ ≈ 85.7%", 0.95, 3, 0.857),
        ("0.95 × 0.95 × 0.95 = 0.857", 0.95, 3, 0.857),
        ("0.95*0.95*0.95*0.95 gives 0.815", 0.95, 4, 0.815),
        ("95% cubed, roughly 86 %", 0.95, 3, 0.86),
        ("ninety-five percent cubed, which is roughly eighty-six percent", 0.95, 3, 0.86),
        ("0.95 to the power of 4 is about 81.5 percent", 0.95, 4, 0.815),
        ("0,95^3 = 0,857", 0.95, 3, 0.857),
        ("(0.95)^(3)", 0.95, 3, None),
    ],
)
def test_powers_and_their_stated_results_are_read(text, base, exponent, result):
    c = claim(text)
    assert c.base == pytest.approx(base) and c.exponent == exponent
    if result is None:
        assert c.result is None
    else:
        assert c.result.value == pytest.approx(result)


@pytest.mark.parametrize(
    "text", ["3 × 5% = 15% failure", "0.95 x 3 = 2.85", "5% + 5% + 5%", "the failure rates add up", "1 - 3*0.05 = 0.85"]
)
def test_additive_reasoning_is_recognised(text):
    assert any(c.kind == "additive" for c in read_claims(normalize_numbers(text)))


def test_number_words_and_percentages():
    assert parse_number_words("eighty-six percent") == "86 percent"
    assert parse_number_words("zero point eight five seven") == "0.857"
    values = [n.value for n in find_numbers(normalize_numbers("about 86 % or eighty-six percent, 0.857"))]
    assert values == pytest.approx([0.86, 0.86, 0.857])
    (n,) = find_numbers("86%")
    assert n.tolerance == pytest.approx(0.006)  # 86 % stands for anything that rounds to it


def test_sentences_keep_decimals_abbreviations_and_table_rows_whole():
    text = "Chained, 0.95^3 = 0.857. Lineage returns e.g. orders_api.customers.\n\n| Agent | Field |\n|---|---|\n| impact | count |"
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "Chained, 0.95^3 = 0.857.",
        "Lineage returns e.g. orders_api.customers.",
        "Agent — Field",
        "impact — count",
    ]


def test_keyword_lists_are_not_answers():
    assert is_keyword_dump("hierarchical, fan-out, fan-in, parallel, 0.857, timestamp, validation")
    assert is_keyword_dump("- orchestrator\n- parallel fan-out\n- 0.857\n- schema validation")
    assert not is_keyword_dump("I would fan the three investigators out in parallel and merge their results.")
    result = grade_text(
        "orchestrator, parallel fan-out, fan-in, 0.95^3 = 0.857, source table name, timestamp, "
        "no change detected, count of affected downstream models, validation, human gate"
    )
    assert result.score == 0
    assert all("sentence" in c.feedback or "list" in c.feedback for c in result.criteria)


def pattern(text):
    return grade_text(text).criterion("pattern")


@pytest.mark.parametrize(
    "text,passed",
    [
        ("Sequential handoff is the wrong choice here; fan the three out in parallel and merge at synthesis.", True),
        ("Run them in parallel rather than chaining them.", True),
        ("Parallel fan-out is tempting but wrong here; run them in sequence.", False),
        ("I would not use a sequential chain, nor a mesh, nor a single agent.", False),
        ("Don't fan out; a single agent is simpler.", False),
        ("An event-driven mesh would be overkill; I'd use an orchestrator that fans out to all three at once.", True),
        ("The orchestrator calls lineage, then source, then impact, one after another.", False),
    ],
)
def test_choosing_versus_naming_a_pattern(text, passed):
    assert pattern(text).passed is passed


def test_rejected_pattern_feedback_says_what_was_chosen():
    c = pattern("Sequential handoff fits best: lineage first, then source, then impact.")
    assert not c.passed and "sequential" in c.feedback.lower() and c.evidence.startswith("Sequential handoff")


def reliability(text):
    return grade_text(text).criterion("reliability_math")


@pytest.mark.parametrize(
    "text,passed,reason",
    [
        (
            "Chained: 0.95^3 = 0.857. In parallel all three must still succeed, but each branch is retried alone.",
            True,
            None,
        ),
        (
            "Chained end to end, the three investigators all succeed with 0.95^3 = 0.857.",
            False,
            "now add the other half",
        ),
        ("Chained: 0.95^3 = 0.815. In parallel each branch is retried alone.", False, "does not match"),
        ("Chained: 3 × 5% = 15% failure, so 85%. In parallel a branch fails on its own.", False, "do not add up"),
        ("Chained: 0.95^3 = 0.857. In parallel the system keeps 95% reliability.", False, "does not give the system"),
        ("About 86 % if chained (95 % cubed); parallel means the slowest branch sets the pace.", True, None),
    ],
)
def test_reliability_figures_and_the_parallel_side(text, passed, reason):
    c = reliability(text)
    assert c.passed is passed, c.feedback
    if reason:
        assert reason in c.feedback


def fields(text):
    return grade_text(text).criterion("handoff_fields")


def test_handoff_fields_must_be_concrete_for_all_three():
    good = fields(
        "Lineage returns the source table name, source the ISO timestamp of the last API change or "
        '"no change detected", impact the number of affected downstream models.'
    )
    assert good.passed
    vague = fields("Each agent returns its findings as a short summary.")
    assert not vague.passed and "cannot be checked" in vague.feedback
    two = fields(
        "Lineage returns the source table name and impact the count of affected downstream models. "
        "Source returns a note on recent API activity."
    )
    assert not two.passed and "timestamp of the last API change" in two.feedback
    negated = fields(
        "The lineage agent should not just return a table name; it returns its findings. Source "
        "returns the last change timestamp; impact returns how many downstream models are affected."
    )
    assert not negated.passed


def controls(text):
    return grade_text(text).criterion("silent_failure")


@pytest.mark.parametrize(
    "text,passed",
    [
        ("The synthesizer validates each payload against its contract on receipt.", True),
        ("The impact count is cross-checked against an independent lineage query.", True),
        ("Every hand-off is checkpointed and compared with last week's baseline.", True),
        ("A human approves the summary before any fix runs.", True),
        ("If an investigator fails we retry it three times with backoff.", False),
        ("We monitor the logs and alert on agent errors.", False),
        ("We won't add validation at each hand-off; we rely on retries.", False),
        ("Validation at every hand-off is overkill; we trust the agents.", False),
    ],
)
def test_silent_failure_controls(text, passed):
    c = controls(text)
    assert c.passed is passed, c.feedback
    if not passed and "retr" in text:
        assert "announce themselves" in c.feedback or "set it aside" in c.feedback


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_grades_without_error(text):
    result = grade_text(text)
    assert result.gradable and len(result.criteria) == 4
    assert all(0 <= c.confidence <= 1 for c in result.criteria)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "fan-out",
                "parallel",
                "0.857",
                "timestamp",
                "validation",
                "source table",
                "count",
                "checkpoint",
                "hierarchical",
                "human review",
            ]
        ),
        min_size=4,
        max_size=12,
    )
)
def test_shuffled_keyword_lists_never_score(words):
    assert grade_text(", ".join(words)).score == 0


def test_word_salad_and_run_ons():
    salad = " ".join(["parallel", "validate", "count", "downstream", "timestamp", "the", "source", "table"] * 400)
    assert grade_text(salad).score == 0
    run_on = (
        "I would dispatch the lineage source and impact investigators in parallel from an orchestrator and "
        "merge their results at a synthesis step because none of them needs another one's output and the "
        "alert only tells us that customer ids went missing in orders daily so we want the source table and "
        "the time the api last changed and how many models downstream are hurt as quickly as we can get "
        "them without waiting for each investigator in turn which would waste the on call engineer's time "
        "while the dashboards keep showing wrong revenue numbers to finance and the marketing team who "
        "depend on those figures for the weekly review meeting"
    )
    result = grade_text(run_on)
    pattern = result.criterion("pattern")
    assert pattern.passed and pattern.needs_review and "run on without sentence ends" in pattern.feedback

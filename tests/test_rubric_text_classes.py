"""The classes of misgrading found on fresh answers (issue 10), each with examples of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import grade_answers, grade_text, load_rubric
from grader.answers import read_choice, read_mapping, read_number
from grader.confidence import REVIEW_NOTE
from grader.contract_schema import parse_contracts, validate
from grader.results import UNREADABLE
from grader.rubric import load_rubric_file
from tests.helpers import ROOT

MODULE = ROOT.parent / "shared" / "seeds" / "000_02c1d10e15a49faa.txt"
if not MODULE.exists():
    MODULE = Path("/work/shared/seeds/000_02c1d10e15a49faa.txt")

GOOD = {
    "pattern": "I'd use an orchestrator that fans out to the three investigators in parallel and fans in at synthesis.",
    "math": "Chained, 0.95^3 = 0.857. In parallel all three must still succeed, so the product is the same, "
    "but a failed branch is retried on its own.",
    "fields": "Lineage returns the source table name, source returns the last API change timestamp or "
    '"no change detected", and impact returns the count of affected downstream models.',
    "control": "Synthesis validates each payload against its schema on receipt.",
}


def verdicts(text: str) -> dict[str, bool]:
    return {c.id: c.passed for c in grade_text(text).criteria}


def design(**replace) -> str:
    parts = dict(GOOD, **replace)
    return "\n\n".join(p for p in parts.values() if p)


# --- pasted prompt ------------------------------------------------------------------------------
REWORDED_PROMPT = (  # a word changed every few words: the kit may not quote the module (test_own_words)
    "I am designing a multi-agent setup to look into quality incidents in our orders_daily pipeline. "
    "Whenever a null-rate alert goes off on customer_id, I need three investigations running simultaneously: "
    "trace lineage back to the source table, see whether the upstream orders API changed lately, "
    "and count how many downstream models end up affected. Walk me through the reliability math when every agent "
    "is 95% reliable, chained end-to-end versus parallelized before synthesis."
)
VAGUE_REPLY = "Sounds good. Use a fan-out here. Each agent reports its findings and a short summary at the end."


@pytest.mark.parametrize("where", ["before", "after", "quoted in the middle"])
def test_a_lightly_reworded_pasted_prompt_earns_nothing_wherever_it_sits(where):
    if where == "before":
        text = REWORDED_PROMPT + "\n\n" + VAGUE_REPLY
    elif where == "after":
        text = VAGUE_REPLY + "\n\n" + REWORDED_PROMPT
    else:
        first, rest = VAGUE_REPLY.split(". ", 1)
        text = first + ".\n\n> " + REWORDED_PROMPT + "\n\n" + rest
    got = verdicts(text)
    assert got == {"pattern": True, "reliability_math": False, "handoff_fields": False, "silent_failure": False}


@pytest.mark.skipif(not MODULE.exists(), reason="the course module is not on this machine")
def test_the_module_prompt_verbatim_earns_nothing():
    lines = MODULE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("I'm designing a multi-agent"))
    prompt = "\n\n".join(lines[start : start + 3])
    assert not any(verdicts(prompt + "\n\nUse a chain.").values())
    assert verdicts(prompt + "\n\n" + design()) == dict.fromkeys(verdicts(design()), True)


def test_a_given_text_list_in_any_rubric_strips_copied_sentences(tmp_path):
    rubric = load_rubric_file(ROOT / "docs/examples/retry_policy.yaml")
    pasted = "An investigator sometimes hands back a half-empty result without raising any error. Validate the required fields on receipt."
    result = grade_answers({"answer": pasted}, rubric, partial=True)
    assert not result.criterion("why").passed  # "without raising an error" came from the question
    assert result.criterion("what_to_add").passed


# --- every number is a claim ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "claim,wrong",
    [
        ("Parallel lifts reliability from about 86 % chained to about 95 %.", "95"),
        ("Chained it is 0.857; run in parallel it rises to over 99.9 %.", "99.9"),
        ("Chained, 0.95^3 = 0.90, and in parallel each branch is retried on its own.", "0.90"),
    ],
)
def test_a_wrong_figure_fails_even_beside_a_right_one_and_is_named(claim, wrong):
    result = grade_text(design(math=GOOD["math"] + " " + claim))
    c = result.criterion("reliability_math")
    assert not c.passed and wrong in c.feedback
    assert "add the other half" not in c.feedback


def test_the_parallel_side_needs_no_literal_word():
    math = (
        "Chained: 0.95^3 = 0.857. Each investigator works on its own, so one failure doesn't spread to "
        "the others; you still need all three right."
    )
    assert verdicts(design(math=math))["reliability_math"]


def test_parallel_called_more_reliable_in_words_fails():
    math = "Chained: 0.95^3 = 0.857. Running in parallel is more reliable because the branches are isolated."
    assert not verdicts(design(math=math))["reliability_math"]


# --- negation, shorthand, rejections ------------------------------------------------------------
def test_a_negation_stays_on_its_own_line():
    fields = (
        "Lineage returns the source table name\nSource returns the API change timestamp or no change\n"
        "Impact returns how many affected downstream models there are"
    )
    assert verdicts(design(fields=fields))["handoff_fields"]


@pytest.mark.parametrize("impact", ["# of affected models", "no. of affected models", "affected models cnt"])
def test_shorthand_counts_are_counts(impact):
    fields = f"Lineage: source table name. Source: last API change timestamp or 'no change detected'. Impact: {impact}."
    assert verdicts(design(fields=fields))["handoff_fields"]


@pytest.mark.parametrize(
    "rejection",
    [
        "Sequential is not good because the investigations not depend on each other.",
        "Chain them one after another is bad for this incident.",
        "A mesh would be over-engineering for one alert.",
    ],
)
def test_plain_and_non_native_rejections_are_rejections(rejection):
    assert verdicts(design(pattern=rejection + " " + GOOD["pattern"]))["pattern"]
    assert not verdicts(design(pattern=rejection))["pattern"]


# --- silent failure ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "control,passes",
    [
        ("For validation we will monitor it in the dashboard.", False),
        ("We check that the status field says success before merging.", False),
        ("A person on the data team reviews and approves the summary before any change reaches production.", True),
        ("Nothing is deployed until the on-call engineer has read the synthesis and signed it off.", True),
        ("The synthesizer re-counts the affected models with its own lineage query.", True),
    ],
)
def test_silent_failure_needs_a_check_on_content_or_a_human_gate(control, passes):
    assert verdicts(design(control=control))["silent_failure"] is passes


def test_an_import_line_is_not_evidence():
    code = "```python\nfrom pydantic import BaseModel, validator  # validation\n```"
    result = grade_text(design(control=code))
    assert not result.criterion("silent_failure").passed
    assert result.criterion("pattern").passed  # the prose after the code block still counts


# --- numbers and choices in the other exercises ------------------------------------------------
@pytest.mark.parametrize(
    "text,value",
    [
        ("about 44 percent", 0.44),
        ("0.85⁵", 0.85**5),
        ("0.95^8 = 0.663", 0.95**8),
        ("0.95 x 8", 7.6),
        ("cube root of 0.95, so roughly 98.3 percent", 0.983),
        ("**0.444** (44.4%)", 0.444),  # bold, with the same value as a percentage, as the lessons print it
        ("__44 %__", 0.44),
        ("0.85**5 (44.4 %)", 0.85**5),
    ],
)
def test_numbers_as_learners_write_them(text, value):
    assert float(read_number(text)) == pytest.approx(value)


def test_an_expression_and_a_result_that_disagree_is_a_question_not_a_guess():
    with pytest.raises(ValueError, match=r"comes to 0\.6634, not 0\.70"):
        read_number("0.95^8 = 0.70")


def test_whole_percent_rounding_from_the_right_value_passes_and_a_misreading_is_not_explained_as_fact():
    rubric = load_rubric("reliability_math")
    answers = {"chained_three": "86 %", "five_at_85": "0.85*5"}
    result = grade_answers(answers, rubric, partial=True)
    assert result.criterion("chained_three").passed  # 0.857 rounds to 86 %
    five = result.criterion("five_at_85")
    assert not five.passed and "(a percentage)" not in five.feedback and "4.25" in five.feedback


@pytest.mark.parametrize("name", ["chained_three", "chained_with_synthesis", "parallel_all_three", "five_at_85"])
def test_one_value_gets_one_verdict_however_it_is_written(name):
    """86 % passed where 0.86 failed: the same rounding, written two ways."""
    rubric = load_rubric("reliability_math")
    expected = next(c for c in rubric.criteria if c.id == name).check.expected_value
    for shift in (-0.02, 0.0, 0.02):
        rounded = round(expected + shift, 2)
        forms = [f"{rounded:.2f}", f"{100 * rounded:.0f} %", f"{100 * rounded:.0f}%"]
        verdicts = {form: grade_answers({name: form}, rubric, partial=True).criterion(name).passed for form in forms}
        assert len(set(verdicts.values())) == 1, verdicts
        assert verdicts[forms[0]] == (shift == 0.0), verdicts


def test_a_minimum_is_held_to_its_stated_tolerance_not_rounded():
    """A three-agent chain needs 98.3 % per agent for 95 %: 98 % (0.98 cubed is 94.1 %) misses the
    target, and the question says so with its tolerance of 0.001."""
    rubric = load_rubric("reliability_math")
    for written, right in [("98 %", False), ("0.98", False), ("98.3 %", True), ("0.983", True), ("0.95**(1/3)", True)]:
        assert (
            grade_answers({"required_per_agent_three": written}, rubric, partial=True)
            .criterion("required_per_agent_three")
            .passed
            is right
        ), written


def test_a_plain_number_read_as_a_percentage_says_so():
    five = grade_answers({"five_at_85": "4.25"}, load_rubric("reliability_math"), partial=True).criterion("five_at_85")
    assert not five.passed and "4.25 reads as 4.25 %" in five.feedback and "0.0425" not in five.feedback


@pytest.mark.parametrize(
    "written",
    [
        "event sourcing or agent scoped",
        "event sourcing / optimistic locking",
        "optimistic locking, event sourcing, agent-scoped state",
        "either event sourcing or agent-scoped state would do",
        "event sourcing and optimistic locking",
    ],
)
def test_a_hedge_between_options_names_no_option(written):
    """A list of options, or the cell's own option list pasted in, scored full marks."""
    assert read_choice(written, load_rubric("state_sync").answers["scenario_strategy"].options) is None


@pytest.mark.parametrize(
    "written",
    [
        "replay_then_rebuild: no\nother: Off  # a comment",
        "{replay_then_rebuild: no, other: Off}",
        "{replay_then_rebuild: no,\n other: Off}",
    ],
)
def test_an_unquoted_no_in_a_mapping_is_quoted_as_typed(written):
    """YAML reads an unquoted no as false: the feedback said "'False' is not one of the options".
    Block and flow mappings alike keep the word; a quoted or numeric value keeps its own type."""
    assert read_mapping(written, "answer") == {"replay_then_rebuild": "no", "other": "Off"}
    assert read_mapping("a: 'yes'\nb: 3\nc: [on, 2]\nyes: TRUE", "answer") == {
        "a": "yes",
        "b": 3,
        "c": ["on", 2],
        "yes": "TRUE",
    }
    result = grade_answers({"best_fit": written}, load_rubric("pattern_selection"), partial=True)
    assert any("'no' names no single option" in c.feedback for c in result.criteria), [
        c.feedback for c in result.criteria
    ]


def test_a_list_of_every_letter_is_not_a_choice():
    options = load_rubric("reliability_math").answers["retries_fix"].options
    assert read_choice("a, b, c or d", options) is None and read_choice("a or c", options) is None
    assert read_choice("a", options) == "detected_only"
    assert read_choice("only failures that announce themselves", options) == "detected_only"


@pytest.mark.parametrize(
    "written,option",
    [
        ("optimistic locking (version check)", "optimistic_locking"),
        ("event-sourced log", "event_sourcing"),
        ("I'd not use optimistic locking here; event sourcing.", "event_sourcing"),
        ("I would use event sourcing because the post-mortem needs the history", "event_sourcing"),
        ("an append-only event log", "event_sourcing"),
        ("agent-scoped state and clear hand-offs", "agent_scoped"),
        ("Event sourcing, not optimistic locking: the order matters.", "event_sourcing"),
    ],
)
def test_option_names_with_a_gloss(written, option):
    assert read_choice(written, load_rubric("state_sync").answers["scenario_strategy"].options) == option


def test_hierarchical_with_an_arrow_and_a_direct_tool_call():
    rubric = load_rubric("pattern_selection")
    assert (
        read_choice("Hierarchical (orchestrator → specialists)", rubric.answers["best_fit"].options) == "hierarchical"
    )
    assert read_choice("a direct tool call", rubric.answers["better_choice"].options) == "direct_tool_call"


def test_ten_good_words_meet_a_twelve_word_bar_flagged_for_review():
    rubric = load_rubric("pattern_selection")
    rule = "Split when subtasks are independent and can run in parallel."
    c = grade_answers({"decision_rule": rule}, rubric, partial=True).criterion("decision_rule")
    assert c.passed and c.needs_review and REVIEW_NOTE in c.feedback


def test_list_of_str_in_a_contract_is_a_list_of_strings():
    contracts, problems = parse_contracts({"impact": {"models": "list[str]"}}, ("impact",))
    assert not problems
    assert validate(contracts["impact"], {"models": ["a", "b"]}) == []
    assert validate(contracts["impact"], {"models": [1, 2]})


def test_prose_in_a_yaml_cell_is_unreadable_not_a_silent_zero():
    rubric = load_rubric("handoff_contracts")
    name = next(iter(rubric.answers))
    result = grade_answers({name: "Each agent returns JSON and the synthesizer checks it."}, rubric, partial=True)
    assert all(c.feedback.startswith(UNREADABLE) for c in result.criteria)


# --- flags ------------------------------------------------------------------------------------
def test_a_flagged_verdict_always_says_what_review_means_for_the_learner():
    hedged = "I'd go with a hybrid. Chained 0.95^3 = 0.857 and in parallel the slowest branch sets the pace."
    for c in grade_text(hedged).criteria:
        assert (REVIEW_NOTE in c.feedback) is c.needs_review

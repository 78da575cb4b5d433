"""Grading defects found in review, one test per class of defect, each with varied answers.

Each test failed before its fix: formulas read as keyword lists and comparisons not found
(exercise 08), a choice hidden by a restated job or named wrongly in the feedback and a figure
misquoted (exercise 07), a rule written side by side missed and an inverted rule passed
(exercise 01), a strategy synonym not simulated and the failure blamed on lost updates
(exercise 04), a task mistaken for a control on the hand-off (exercise 05), and feedback that
showed raw values or broken sentences.
"""

from __future__ import annotations

import pytest

from grader import grade_answers, load_rubric
from grader.checks.impact_faults import FaultCase
from grader.checks.sql_cross_check import CrossCheck, read_counts, sql_cross_check
from grader.contract_schema import parse_contracts, validate
from grader.text.normalize import is_keyword_dump, split_sentences


def grade(exercise: str, **answers):
    return grade_answers(answers, load_rubric(exercise), partial=True)


# --- exercise 08: a formula is prose, and a comparison "with" the lists is a cross-check ----------
@pytest.mark.parametrize(
    "text,passes",
    [
        (
            "Validate required fields; change_count must equal len(columns_added)+len(columns_removed)"
            "+len(type_changes); reject on failure.",
            {"structure_checks", "cross_check", "on_failure"},
        ),
        (
            "Required keys present; assert change_count == len(columns_added) + len(columns_removed) + "
            "len(type_changes); otherwise hold the load.",
            {"structure_checks", "cross_check", "on_failure"},
        ),
        ("Compare change_count with the number of entries in the lists.", {"cross_check"}),
        (
            "The checker compares the count to the number of items in the three lists and rejects the diff "
            "if they differ.",
            {"cross_check", "on_failure"},
        ),
    ],
)
def test_formulas_are_prose_and_a_count_compared_with_the_lists_is_a_cross_check(text, passes):
    result = grade("drift_handoff_checks", checks=text)
    assert not is_keyword_dump(text)
    assert {c.id for c in result.criteria if c.passed} >= passes, [(c.id, c.feedback) for c in result.criteria]


def test_a_keyword_list_is_told_it_is_a_list_even_without_a_rubric_message():
    terms = "table, columns_added, columns_removed, change_count, reject, hold"
    for c in grade("drift_handoff_checks", checks=terms).criteria:
        assert not c.passed and "list" in c.feedback.lower() and "sentence" in c.feedback.lower()
    bare = "plain rule, threshold, cheap, overhead, fan-out, one agent"
    for c in grade("agents_or_rule", decision=bare).criteria:  # no keyword_list message in this rubric
        assert not c.passed and "list of terms" in c.feedback


# --- exercise 07 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,chosen",
    [
        (
            "I would write a dbt test that compares each region's count with the same weekday last week and "
            "pages on-call when they differ by more than 20 %.",
            True,
        ),
        (
            "I'd just add a plain rule in the pipeline that compares each load's row count with the same "
            "region's load on the same weekday last week.",
            True,
        ),
        (
            "We'd implement a SQL check that compares its row count with the same region's load on the same "
            "weekday last week, and if it differs by more than 20 %, page the on-call data engineer.",
            True,
        ),
        (  # the job pasted on its own still chooses nothing
            "After each load, compare its row count with the same region's load on the same weekday last week; "
            "if it differs by more than 20 %, page the on-call data engineer with the region and both counts.",
            False,
        ),
    ],
)
def test_a_choice_made_while_restating_the_job_is_found(text, chosen):
    choice = grade("agents_or_rule", decision=text).criterion("choice")
    assert choice.passed is chosen, choice.feedback


@pytest.mark.parametrize(
    "text,chosen,not_chosen",
    [
        (
            "One agent is enough for this nightly check. Three agents is overhead for a fixed comparison.",
            "one agent",
            "several agents",
        ),
        ("I would use one agent… three agents would be too much.", "one agent", "several agents"),
        ("A single agent will do. Several agents are not enough to justify the cost.", "one agent", "several agents"),
    ],
)
def test_a_wrong_choice_is_named_as_the_option_chosen(text, chosen, not_chosen):
    choice = grade("agents_or_rule", decision=text).criterion("choice")
    assert not choice.passed
    assert f"settles on {chosen}" in choice.feedback and not_chosen not in choice.feedback


@pytest.mark.parametrize(
    "text,quoted",
    [
        ("A plain rule. Three agents chained: 95% x 3 = 85%, so the sketch is less reliable.", "95% x 3 = 85%"),
        ("A plain rule; four agents at 95 % times 4 = 80 % would be worse.", "95 % times 4 = 80 %"),
        ("Just a rule. Chained, 0.95 x 3 = 2.85, which makes no sense as a probability.", "0.95 x 3 = 2.85"),
    ],
)
def test_a_wrong_figure_is_quoted_as_written(text, quoted):
    cost = grade("agents_or_rule", decision=text).criterion("cost_of_agents")
    assert not cost.passed and f"Check this figure: {quoted}." in cost.feedback


# --- exercise 01: the decision rule ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text,passes",
    [
        (
            "When the work splits into pieces that can be done side by side by different agents without "
            "waiting on each other, the overhead pays off.",
            True,
        ),
        (
            "Multi-agent earns its overhead when agents can work in parallel on pieces that don't wait for each other.",
            True,
        ),
        ("It is not worth it when subtasks are independent or parallel; use one agent then.", False),
        (
            "Orchestration doesn't pay off if the subtasks are independent and can run in parallel, so keep "
            "a single agent.",
            False,
        ),
        ("When subtasks are independent and parallel, just use one agent; it is simpler and cheaper.", False),
        ("A single agent is better when the parts are independent and can run at the same time.", False),
        (
            "It is not worth it when steps depend on each other, only when they are independent and can run "
            "at the same time.",
            True,
        ),
    ],
)
def test_the_decision_rule_said_side_by_side_passes_and_turned_round_fails(text, passes):
    rule = grade("pattern_selection", decision_rule=text).criterion("decision_rule")
    assert rule.passed is passes, rule.feedback


# --- exercise 04: the scenario's strategy ---------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["append only", "Append-only, since writers only add.", "I'd go with an append-only log: every finding is kept."],
)
def test_a_strategy_synonym_or_sentence_is_simulated(text):
    result = grade("state_sync", scenario_strategy=text)
    assert result.criterion("scenario_no_lost_updates").passed, result.criterion("scenario_no_lost_updates").feedback


@pytest.mark.parametrize("text", ["something clever", "optimistic locking or event sourcing"])
def test_no_strategy_read_means_nothing_simulated_not_lost_updates(text):
    c = grade("state_sync", scenario_strategy=text).criterion("scenario_no_lost_updates")
    assert not c.passed and "lost updates" not in c.feedback and "Nothing was simulated" in c.feedback


# --- exercise 05: a control on the hand-off ---------------------------------------------------------
@pytest.mark.parametrize(
    "text,passes",
    [
        (
            "Honestly one agent would do: a single agent with tool access can trace lineage, check the API, "
            "and count models.",
            False,
        ),
        (
            "The source agent checks the API changelog, the impact agent counts dbt models, and the lineage "
            "agent compares table names.",
            False,
        ),
        ("The synthesizer checks every hand-off for its required fields before it merges anything.", True),
        ("Each finding is checked by the orchestrator before the summary goes out.", True),
        ("The receiving step compares the impact count with the length of the model list.", True),
    ],
)
def test_silent_failure_needs_a_check_on_what_is_handed_over(text, passes):
    c = grade("orders_daily_design", design=text).criterion("silent_failure")
    assert c.passed is passes, (c.feedback, c.evidence)


# --- feedback that reads as sentences -------------------------------------------------------------
def test_bold_figures_are_not_read_as_powers():
    for line in ("Chained: 0.95^3 = **0.857** (85.7%)", "it is **0.857**(85.7%)", "x **0.9** and 0.95**2"):
        text = split_sentences(line)[0].text
        assert "^(" not in text and "0.857^" not in text and "0.9^" not in text, text
    assert split_sentences("0.95**3 = 0.857")[0].text == "0.95^3 = 0.857"
    wrong = "A plain rule. Three agents chained come to 0.95^3 = **0.90** (90%), worse than one."
    cost = grade("agents_or_rule", decision=wrong).criterion("cost_of_agents")
    assert "0.90^" not in cost.feedback and "0.95^3 = 0.90" in cost.feedback


def test_sql_feedback_names_faults_and_never_shows_python_values():
    with pytest.raises(ValueError) as info:
        read_counts({"columns": ["incident_id", "n"], "rows": [["INC-001", None]]}, {"INC-001"})
    assert "None" not in str(info.value) and "empty (NULL)" in str(info.value) and "'INC-001'" not in str(info.value)
    seeds = (0, 41)
    m = CrossCheck(
        truth={(0, "INC-001"): 13, (0, "INC-002"): 4},
        counts={(0, "INC-002"): 4},
        cases=[
            FaultCase(0, "INC-001", "marts.orders_daily", "counts_paths", 14, 13),
            FaultCase(0, "INC-001", "marts.orders_daily", "counts_the_table_itself", 14, 13),
        ],
    )
    cache = {("sql_cross_check", seeds): m}
    missed = sql_cross_check("SELECT 1", {"seeds": list(seeds), "measure": "catch"}, cache)
    first, second = missed.detail.split("; ")[:2]
    assert first != second and "your query gave no row" in first and "said None" not in missed.detail
    agrees = sql_cross_check("SELECT 1", {"seeds": list(seeds), "measure": "agrees"}, cache)
    assert "your query gave no row, the truth is 13" in agrees.detail and "query nothing" not in agrees.detail
    runs = sql_cross_check("SELECT 1", {"seeds": list(seeds), "measure": "runs"}, cache)
    assert runs.evidence == "no row for 1 alert"
    worked = sql_cross_check("SELECT 1", {"seeds": list(seeds), "measure": "worked_example"}, cache)
    assert "None" not in worked.evidence + worked.detail
    cache[("sql_cross_check", seeds)] = CrossCheck(error="Catalog Error: Table with name alert does not exist!")
    failed = sql_cross_check("SELECT 1", {"seeds": list(seeds), "measure": "runs"}, cache)
    assert failed.detail.endswith("does not exist.") and not failed.detail.endswith("!.")


def test_handoff_feedback_counts_right_and_names_an_unknown_type():
    contract = (
        "lineage:\n  source_table: {type: qualifed_name}\n  upstream_path: {type: list}\n  tables_traced: {type: int}\n"
        "source:\n  last_api_change: {type: [timestmp, 'no change detected']}\n"
        "impact:\n  affected_downstream_models: {type: int}\n  models: {type: list}\n"
    )
    c = grade("handoff_contracts", contracts=contract).criterion("accepts_right_payloads")
    assert not c.passed and c.evidence == "rejected 2 right payloads"
    assert "unknown type 'qualifed_name'" in c.feedback and "did you mean 'qualified_name'" in c.feedback
    assert "known types: str, int" in c.feedback and "is not one of the allowed values" not in c.feedback
    one = grade("handoff_contracts", contracts=contract.replace("timestmp", "timestamp")).criterion(
        "accepts_right_payloads"
    )
    assert one.evidence == "rejected 1 right payload"
    contracts, problems = parse_contracts({"source": {"api": "orders_api"}}, ("source",))  # a literal stays one
    assert not problems and validate(contracts["source"], {"api": "orders_api"}) == []

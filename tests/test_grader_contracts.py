"""The hand-off contract interpreter, the contract simulation, the shared-state check, hidden criteria."""

from __future__ import annotations

import copy

import pytest
import yaml

import grader.checks.handoffs as handoffs
import grader.checks.shared_state as shared
from grader import grade_answers, load_rubric
from grader.contract_schema import parse_contracts, validate
from grader.errors import RubricError
from grader.rubric import available_exercises, parse_rubric
from tests.helpers import ROOT

SOLUTIONS = yaml.safe_load((ROOT / "tests/grader_devset/solutions.yaml").read_text(encoding="utf-8"))
KNOWN_WRONG = yaml.safe_load((ROOT / "tests/grader_devset/known_wrong.yaml").read_text(encoding="utf-8"))
AGENTS = ("lineage", "source", "impact")


def contract(text):
    contracts, problems = parse_contracts(yaml.safe_load(text), AGENTS)
    return contracts, problems


def test_interpreter_rules():
    contracts, problems = contract("""
    source:
      last_api_change: {type: [timestamp, "no change detected"], not_before: checked_since}
      checked_since: timestamp
      api: {type: str, one_of: [orders_api]}
      _extra: forbid
    impact:
      affected_downstream_models: {type: int, min: 0, count_of: models}
      models: {type: list, items: str}
      note: {type: str, optional: true, nullable: true}
    lineage:
      source_table: qualified_name
      upstream_path: {type: list, ends_with: source_table, min_items: 1}
      since: {type: timestamp, not_before: 2020-01-01}
    """)
    assert problems == []
    source = {"api": "orders_api", "last_api_change": "2026-11-20T14:05:00Z", "checked_since": "2026-11-13T00:00:00Z"}
    assert validate(contracts["source"], source) == []
    assert validate(contracts["source"], {**source, "last_api_change": "no change detected"}) == []
    assert (
        "is before checked_since"
        in validate(contracts["source"], {**source, "last_api_change": "1970-01-01T00:00:00Z"})[0]
    )
    assert validate(contracts["source"], {**source, "extra": 1}) == ["extra is not in the contract"]
    assert "not one of" in validate(contracts["source"], {**source, "api": "orders_api_v2"})[0]
    impact = {"affected_downstream_models": 2, "models": ["a", "b"], "note": None}
    assert validate(contracts["impact"], impact) == []
    assert "but models lists 1" in validate(contracts["impact"], {**impact, "models": ["a"]})[0]
    lineage = {
        "source_table": "orders_api.customers",
        "upstream_path": ["raw.x", "orders_api.customers"],
        "since": "2019-05-01T00:00:00",
    }
    reasons = validate(contracts["lineage"], lineage)
    assert reasons == ["since='2019-05-01T00:00:00' is before 2020-01-01"]
    assert "does not end with" in validate(contracts["lineage"], {**lineage, "upstream_path": ["raw.x"]})[0]


def test_interpreter_reports_problems_instead_of_failing():
    _, problems = contract("""
    lineage: {source_table: {type: tablename, regex: '.*'}, tables_traced: {type: int, count_of: path}}
    finance: {x: int}
    """)
    text = " | ".join(problems)
    assert "unknown rule 'regex'" in text and "count_of names 'path'" in text
    assert "'finance' is not one of the agents" in text and "no contract for the source agent" in text
    assert parse_contracts(["not", "a", "mapping"], AGENTS)[1]


def test_rejecting_everything_is_not_catching():
    m = handoffs.measure({"lineage": {"x": "int"}, "source": {"x": "int"}, "impact": {"x": "int"}})
    assert len(m.rejected_right) == 5 and m.caught == [] and m.catch_rate == 0


def test_feedback_names_the_failures_that_slipped_through():
    rubric = load_rubric("handoff_contracts")
    text = (
        "lineage: {source_table: str, upstream_path: list, tables_traced: int}\n"
        "source: {api: str, last_api_change: str, checked_since: str}\n"
        "impact: {affected_downstream_models: int, models: list}\n"
    )
    result = grade_answers({"contracts": text}, rubric)
    count = result.criterion("catches_count_mismatch")
    assert not count.passed and "Slipped through:" in count.feedback and "wrong_count: impact" in count.feedback
    budget = result.criterion("silent_failure_budget")
    assert not budget.passed and "simulated orders_daily incidents" in budget.feedback
    assert "no_change_as_timestamp" in result.criterion("catches_no_change_placeholder").feedback


def test_measured_catch_rate_is_fed_to_the_simulator(monkeypatch):
    import simulator

    calls = []
    real = simulator.simulate

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(simulator, "simulate", spy)
    handoffs.simulated_rates.cache_clear()
    try:
        result = grade_answers(
            {"contracts": SOLUTIONS["handoff_contracts"]["contracts"]}, load_rubric("handoff_contracts")
        )
    finally:
        handoffs.simulated_rates.cache_clear()
    assert result.score == 8
    measured = round(len(handoffs.measure(yaml.safe_load(SOLUTIONS["handoff_contracts"]["contracts"])).caught) / 19, 3)
    assert calls[0][0] == ("orders_daily",)
    assert calls[0][1] == {"catch_rate": measured, "trials": 4000, "seed": 7}
    assert calls[1][1]["catch_rate"] == 0.0


def test_contract_grading_survives_a_missing_simulator(monkeypatch):
    monkeypatch.setattr(handoffs, "simulated_rates", lambda *args: None)
    result = grade_answers({"contracts": SOLUTIONS["handoff_contracts"]["contracts"]}, load_rubric("handoff_contracts"))
    budget = result.criterion("silent_failure_budget")
    assert budget.passed and budget.needs_review and "simulator was unavailable" in budget.feedback


def test_shared_state_simulation_and_its_fallback(monkeypatch):
    rubric = load_rubric("state_sync")
    answers = dict(SOLUTIONS["state_sync"], scenario_strategy="blind overwrite")
    lost = grade_answers(answers, rubric).criterion("scenario_no_lost_updates")
    assert not lost.passed and "lost" in lost.feedback and "of 200 updates" in lost.feedback
    kept = grade_answers(dict(SOLUTIONS["state_sync"]), rubric).criterion("scenario_no_lost_updates")
    assert kept.passed and "lost 0 of 200" in kept.feedback and "A blind overwrite loses" in kept.feedback
    monkeypatch.setattr(shared, "_run", lambda *args, **kwargs: None)
    fallback = grade_answers(answers, rubric).criterion("scenario_no_lost_updates")
    assert not fallback.passed and fallback.needs_review


HIDDEN_KEYS = {
    "alt_parallel_subtasks": ["multi_agent", "multi-agent", "orchestration"],
    "required_per_agent_three": ["0.983", "0.98", "98.3"],
    "parallel_all_three": ["0.857", "0.86", "85.7"],
    "scenario_best_fit": ["event_sourcing", "event sourcing", "append-only", "event log"],
}


def test_hidden_criteria_never_show_their_key():
    hidden = [(e, c.id) for e in available_exercises() for c in load_rubric(e).criteria if c.hidden]
    assert sorted(cid for _, cid in hidden) == sorted(HIDDEN_KEYS)
    checked = 0
    for exercise, cases in KNOWN_WRONG.items():
        rubric = load_rubric(exercise)
        for case in cases:
            answers = {**SOLUTIONS[exercise], **case["answers"]}
            result = grade_answers({k: str(v) for k, v in answers.items()}, rubric)
            for c in result.criteria:
                if c.hidden and not c.passed:
                    checked += 1
                    shown = (c.feedback + " " + c.hint).lower()
                    assert not any(key in shown for key in HIDDEN_KEYS[c.id]), (c.id, shown)
    assert checked >= 4


def test_a_rubric_that_would_leak_a_hidden_key_is_refused():
    data = yaml.safe_load((ROOT / "rubrics/reliability_math.yaml").read_text(encoding="utf-8"))
    leaky = copy.deepcopy(data)
    for c in leaky["criteria"]:
        if c["id"] == "parallel_all_three":
            c["feedback"]["fail"] = "The answer is 0.857, as for the chain."
    with pytest.raises(RubricError, match="gives its answer away"):
        parse_rubric(leaky)
    parse_rubric(data)


@pytest.mark.parametrize(
    "mutation,message",
    [
        (lambda d: d["criteria"][0].update(points=0), "points must be a positive number"),
        (lambda d: d["criteria"][0].update(answer="nope"), "is not declared"),
        (lambda d: d["criteria"][0]["check"].update(type="magic"), "unknown check type"),
        (lambda d: d["criteria"][0]["check"].update(expected="0.85 ** x"), "expected"),
        (lambda d: d["criteria"][0]["feedback"].pop("fail"), "feedback needs"),
        (lambda d: d["criteria"].append(dict(d["criteria"][0])), "appears twice"),
    ],
)
def test_rubric_validation_messages(mutation, message):
    data = yaml.safe_load((ROOT / "rubrics/reliability_math.yaml").read_text(encoding="utf-8"))
    mutation(data)
    with pytest.raises(RubricError, match=message):
        parse_rubric(data)

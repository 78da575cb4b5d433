"""The agent protocol: a learner's Python agent or a language-model agent replaces a scripted one,
is judged the same way, and a malformed one is a clear error or a recorded loud failure."""

from __future__ import annotations

import json

import pytest

from incident_lab import (
    WORKED_EXAMPLE,
    DefenseSettings,
    Investigation,
    ProtocolError,
    llm_agent,
    make_cast,
    shadow_run,
)
from incident_lab.agents import SCRIPTED
from simulator.contracts import ImpactFinding
from tests.test_incident_lab_warehouse import shared_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return shared_warehouse(tmp_path_factory)


def learners_impact(task):
    """A learner's impact agent that counts direct children only: plausible, and wrong."""
    rows = task.query(
        "SELECT DISTINCT job_name FROM lineage.run_events WHERE event_type = 'COMPLETE' AND list_contains(inputs, ?)",
        [task.framing.table],
    )
    models = sorted(r[0] for r in rows)
    return ImpactFinding(affected_downstream_models=len(models), models=models)


def test_a_user_defined_python_agent_is_judged_like_the_scripted_ones(warehouse):
    with Investigation(warehouse, "hybrid", cast=make_cast(impact=learners_impact)) as inv:
        r = inv.investigate(WORKED_EXAMPLE)
        assert (r.outcome, r.went_wrong_at) == ("silent_failure", "impact")
    with Investigation(
        warehouse, "hybrid", cast=make_cast(impact=learners_impact), defenses=DefenseSettings(completeness=True)
    ) as inv:
        r = inv.investigate(WORKED_EXAMPLE)
        assert (r.outcome, r.caught_at) == ("detected_failure", "impact")
        assert "lineage graph has 13" in r.attempts[-1].flags["completeness"][0]
    with Investigation(warehouse, "sequential", cast=make_cast(impact=lambda t: SCRIPTED["impact"](t))) as inv:
        assert inv.investigate(WORKED_EXAMPLE).outcome == "correct"


def test_wrong_return_type_and_exceptions_are_loud_failures_and_the_batch_goes_on(warehouse):
    def returns_dict(task):
        return {"affected_downstream_models": 13, "models": []}

    def raises(task):
        raise RuntimeError("my agent broke")

    for bad, message in ((returns_dict, "returned dict; it must return ImpactFinding"), (raises, "my agent broke")):
        report = shadow_run(warehouse, 6, 0, "hybrid", cast=make_cast(impact=bad), defenses=DefenseSettings(retries=1))
        assert report.runs == 6
        assert all(r.outcome == "detected_failure" and r.ended_at == "impact" for r in report.records)
        errors = [a.error for r in report.records for a in r.attempts if a.role == "impact"]
        assert len(errors) == 12 and all(message in e for e in errors)
        assert next(a for a in report.agents() if a["name"] == "impact")["reliability"] == 0.0


def test_make_cast_refuses_unknown_roles_and_non_callables():
    with pytest.raises(ProtocolError, match="'auditor' is not a role"):
        make_cast(auditor=learners_impact)
    with pytest.raises(ProtocolError, match="not a callable"):
        make_cast(impact="learners_impact")


def test_an_llm_backed_agent_plugs_in_without_a_network(warehouse):
    prompts = []

    def fake_model(prompt: str) -> str:
        """Stands in for an OpenAI-compatible endpoint: reads the rows in the prompt and answers."""
        prompts.append(prompt)
        rows = json.loads(prompt.split("Rows: ", 1)[1].split("\n", 1)[0])
        facts = json.loads(prompt.split("Facts: ", 1)[1].split("\n", 1)[0])
        children = {}
        for job, inputs in rows:
            for parent in inputs:
                children.setdefault(parent, set()).add(job)
        seen, stack = set(), [facts["framing"]["table"]]
        while stack:
            for c in children.get(stack.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        return "Here you go:\n" + json.dumps({"affected_downstream_models": len(seen), "models": sorted(seen)})

    with Investigation(warehouse, "hybrid", cast=make_cast(impact=llm_agent("impact", fake_model))) as inv:
        assert inv.investigate(WORKED_EXAMPLE).outcome == "correct"
    assert "ImpactFinding" in prompts[0] and "marts.orders_daily" in prompts[0]
    chatty = llm_agent("impact", lambda prompt: "I could not decide.")
    with Investigation(warehouse, "hybrid", cast=make_cast(impact=chatty)) as inv:
        r = inv.investigate(WORKED_EXAMPLE)
        assert r.outcome == "detected_failure" and "no JSON object" in r.attempts[-1].error

"""The judge: every finding and every run held against the truth, after the fact.

A finding is right when it would lead the on-call to the truth: the framing covers the real
change (if there was one), the lineage ends at the real source table, the source finding
names the real change time or says "no change detected" when there was none, the impact
count is the real number of downstream models, and the summary gets all three right.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from simulator.contracts import NO_CHANGE

from .defenses import fields_of
from .incidents import Incident, Truth

OUTCOMES = ("correct", "silent_failure", "detected_failure")


def _same_change(claimed, truth: Truth) -> bool:
    if truth.change_at is None:
        return claimed == NO_CHANGE
    return isinstance(claimed, datetime) and claimed.replace(tzinfo=None) == truth.change_at


def finding_is_right(role: str, output: BaseModel, truth: Truth, incident: Incident) -> bool:
    """Whether one hand-off matches the truth (a missing field is simply wrong)."""
    got = fields_of(output)
    if role == "orchestrator":
        if got.get("table") != incident.table or got.get("column") != incident.column:
            return False
        return truth.change_at is None or got["since"] <= truth.change_at <= got["until"]
    if role == "lineage":
        return got.get("source_table") == truth.source_table
    if role == "source":
        return _same_change(got.get("last_api_change"), truth)
    if role == "impact":
        return got.get("affected_downstream_models") == truth.downstream_count
    if role == "synthesizer":
        return (
            got.get("source_table") == truth.source_table
            and _same_change(got.get("last_api_change"), truth)
            and got.get("affected_downstream_models") == truth.downstream_count
        )
    raise ValueError(f"no judge for role {role!r}")


DEPENDS_ON = {
    "orchestrator": (),
    "lineage": ("orchestrator",),
    "source": ("orchestrator",),
    "impact": ("orchestrator",),
    "synthesizer": ("lineage", "source", "impact"),
}


def judge_run(record, truth: Truth, incident: Incident) -> None:
    """Fill in ``record``'s verdict: each attempt right or wrong, each input right or wrong, the outcome,
    where it first went wrong and where it was caught."""
    right = {role: finding_is_right(role, out, truth, incident) for role, out in record.accepted.items()}
    for a in record.attempts:
        a.right = None if a.output is None else finding_is_right(a.role, a.output, truth, incident)
        deps = DEPENDS_ON[a.role] + (("lineage",) if a.role == "source" and record.pattern == "sequential" else ())
        a.input_right = all(right.get(d, False) for d in deps)
    wrong_accepted = [role for role in record.order if role in right and not right[role]]
    record.went_wrong_at = wrong_accepted[0] if wrong_accepted else None
    caught = [a.role for a in record.attempts if a.rejected and a.right is False]
    record.caught_at = caught[0] if caught else ("human_gate" if record.ended_at == "human_gate" else None)
    if record.ended_at is not None:
        record.outcome = "detected_failure"
    elif right.get("synthesizer"):
        record.outcome = "correct"
    else:
        record.outcome = "silent_failure"
        record.went_wrong_at = record.went_wrong_at or "synthesizer"

"""The agent protocol: what any agent (scripted, a learner's function, a language model) gets and returns.

An agent is any callable ``agent(task: Task) -> model``, where the model is the pydantic
hand-off of its role (:data:`EXPECTED`). ``task.query(sql, params)`` runs read-only SQL on
the agent's own DuckDB cursor; the alert, the framing and earlier findings ride on the task.
Anything else an agent returns, and any exception it raises, is a loud failure of that
attempt: recorded, retried if retries are on, never a crash of the batch.

A learner's agent, replacing the scripted impact agent::

    from simulator.contracts import ImpactFinding

    def my_impact(task):
        rows = task.query(
            "SELECT DISTINCT job_name FROM lineage.run_events "
            "WHERE event_type = 'COMPLETE' AND list_contains(inputs, ?)", [task.framing.table])
        models = sorted(r[0] for r in rows)   # direct children only: a silent failure, on purpose
        return ImpactFinding(affected_downstream_models=len(models), models=models)

    cast = make_cast(impact=my_impact)

A model behind an OpenAI-compatible endpoint plugs in the same way through
:func:`incident_lab.llm.llm_agent`; nothing in the kit needs a network or a key unless you do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from simulator.contracts import ImpactFinding, IncidentFraming, IncidentSummary, LineageFinding, SourceFinding

from .incidents import Incident

ROLES = ("orchestrator", "lineage", "source", "impact", "synthesizer")
EXPECTED: dict[str, type[BaseModel]] = {
    "orchestrator": IncidentFraming,
    "lineage": LineageFinding,
    "source": SourceFinding,
    "impact": ImpactFinding,
    "synthesizer": IncidentSummary,
}
HIDDEN_SCHEMA = re.compile(r"\btruth\s*\.", re.IGNORECASE)

AgentFn = Callable[["Task"], BaseModel]


class ProtocolError(ValueError):
    """An agent broke the protocol (wrong role, not callable, wrong return type)."""


@dataclass
class Task:
    """Everything one attempt of one agent may use.

    ``fault`` is how the harness asks a scripted agent to misbehave on this attempt
    (``None`` or ``"silent"``, with ``fault_choice`` picking a variant); user agents may ignore it.
    """

    role: str
    incident: Incident
    cursor: Any
    framing: IncidentFraming | None = None
    findings: dict[str, BaseModel] = field(default_factory=dict)
    fault: str | None = None
    fault_choice: int = 0

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """Rows of a read-only query on this agent's own cursor (the truth schema is off limits)."""
        if HIDDEN_SCHEMA.search(sql):
            raise PermissionError("agents may not read schema truth: it is the judge's answer key")
        return self.cursor.execute(sql, params or []).fetchall()


def conform(role: str, output: object) -> BaseModel:
    """The agent's output if it is its role's hand-off model, else :class:`ProtocolError`."""
    expected = EXPECTED[role]
    if not isinstance(output, expected):
        raise ProtocolError(f"the {role} agent returned {type(output).__name__}; it must return {expected.__name__}")
    return output


def make_cast(base: dict[str, AgentFn] | None = None, **agents: AgentFn) -> dict[str, AgentFn]:
    """The scripted cast with some roles replaced by your own agents (each a callable)."""
    from .agents import SCRIPTED

    cast = dict(base or SCRIPTED)
    for role, agent in agents.items():
        if role not in ROLES:
            raise ProtocolError(f"{role!r} is not a role; the roles are {', '.join(ROLES)}")
        if not callable(agent):
            raise ProtocolError(f"the {role} agent is a {type(agent).__name__}, not a callable taking a Task")
        cast[role] = agent
    return cast

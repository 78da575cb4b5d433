"""Lesson 05's scenarios: what the single-agent and the multi-agent side of each task type run.

Each side is a :class:`simulator.Scenario` built from a handful of teaching assumptions
(:class:`Assumptions`, :class:`MonitoringAssumptions`): round numbers chosen to teach, not
measurements. The lesson prints them (:func:`assumptions_table`) and its sliders move the ones
that matter; :mod:`explorers.orchestration_value` runs and draws the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import pandas as pd

from simulator import Agent, Hierarchy, Latency, Mesh, Scenario

from .format import count, number, pct, seconds


@dataclass(frozen=True)
class Assumptions:
    """The teaching assumptions behind every lesson 05 scenario (times in simulated seconds)."""

    p: float = 0.95  #: a specialist gets one step right on the first attempt
    silent_share: float = 0.5  #: share of an agent's wrong answers that look right (the rest fail loudly)
    n: int = 4  #: steps of the chain, parallel subtasks, or most subtasks found
    step_s: float = 8.0  #: mean time one agent spends on one step
    step_tokens: int = 3000  #: tokens one step's work costs
    overhead_s: float = 2.0  #: extra time per agent hand-off (re-reading context, serialising output)
    context_tokens: int = 1500  #: extra tokens per agent for the context a hand-off has to carry
    spread: float = 0.4  #: how much an agent's time varies around its mean (coefficient of variation)
    single_spread: float = 0.3  #: the same for the single agent working in turn and for a tool call
    synth_reliability: float = 0.99  #: the synthesizer merging finished parts
    synth_s: float = 3.0
    synth_tokens: int = 2000
    generalist_gap: float = 0.10  #: how much worse one agent is per subtask when it must hold every specialty
    generalist_tokens: int = 6000  #: the extra prompt a generalist carries for all specialties
    generalist_spread: float = 0.5  #: how much the generalist's time varies around its mean
    orchestrator_reliability: float = 0.97  #: the judgment task's orchestrator framing, then merging
    orchestrator_s: float = 4.0
    orchestrator_tokens: int = 2500
    specialists: int = 3  #: specialists the judgment task's orchestrator routes to
    routing_accuracy: float = 0.95  #: how often the orchestrator sends a subtask to the right specialist
    dispatches_per_subtask: int = 3  #: the orchestrator's budget: most specialist dispatches per subtask
    tool_reliability: float = 0.999  #: a direct tool call (a SQL query, an API lookup)
    tool_s: float = 0.3
    lookup_s: float = 3.0  #: a model call that only has to fetch and pass on a value
    lookup_tokens: int = 1500


@dataclass(frozen=True)
class TaskType:
    key: str
    label: str
    single: str  #: what the single-agent side is
    multi: str  #: what the multi-agent side is
    module_says: str  #: the verdict of the module's table, in the kit's words


TASKS: dict[str, TaskType] = {
    t.key: t
    for t in (
        TaskType(
            "chain",
            "sequential chain, one domain",
            "one agent, all steps in one context",
            "a chain of n agents (sequential)",
            "extra agents only add hand-offs; nothing can run side by side",
        ),
        TaskType(
            "parallel",
            "parallel independent subtasks",
            "one agent doing the subtasks in turn",
            "n workers at once plus a synthesizer (fan-out / fan-in)",
            "fan-out pays off: the parts run side by side",
        ),
        TaskType(
            "judgment",
            "decomposition needing judgment",
            "one generalist holding every specialty",
            "an orchestrator routing to 3 specialists (hierarchical)",
            "a hierarchy pays off: specialists beat a stretched generalist",
        ),
        TaskType(
            "lookup",
            "simple lookup or transformation",
            "a direct tool call, no model",
            "orchestrator, n specialists and a synthesizer (hybrid)",
            "a tool call already does it; agents only add cost",
        ),
        TaskType(
            "monitoring",
            "high-frequency monitoring",
            "a rule-based threshold check",
            "an event-driven mesh of agents",
            "rules for plain thresholds; a mesh when the stream needs judgment",
        ),
    )
}


def _agent(
    name: str, reliability: float, mean_s: float, tokens: int, cv: float = 0.4, silent_share: float = 0.5
) -> Agent:
    return Agent(
        name,
        reliability=min(max(reliability, 0.0), 1.0),
        silent_share=silent_share,
        latency=Latency("lognormal", mean_s, cv),
        tokens_per_call=tokens,
    )


def task_scenarios(task: str, assumptions: Assumptions | None = None, **changes) -> dict[str, Scenario]:
    """The single-agent and multi-agent scenarios of one task type, keyed by a short label.

    ``changes`` override fields of :class:`Assumptions` (for example ``p=0.9, n=6``). The
    monitoring task has its own builder, :func:`monitoring_scenarios`.
    """
    a = replace(assumptions or Assumptions(), **changes)

    def agent(name: str, reliability: float, mean_s: float, tokens: int, cv: float = a.spread) -> Agent:
        return _agent(name, reliability, mean_s, tokens, cv, a.silent_share)

    step_agent = lambda name: agent(name, a.p, a.step_s + a.overhead_s, a.step_tokens + a.context_tokens)
    in_turn = agent("single_agent", a.p**a.n, a.n * a.step_s, a.n * a.step_tokens, cv=a.single_spread)
    if task == "chain":
        return {
            "single agent": Scenario("sequential", (in_turn,), name="chain: one agent"),
            "multi-agent": Scenario(
                "sequential", tuple(step_agent(f"step_{i + 1}") for i in range(a.n)), name="chain: n agents"
            ),
        }
    if task == "parallel":
        workers = tuple(step_agent(f"worker_{i + 1}") for i in range(a.n))
        synth = agent("synthesizer", a.synth_reliability, a.synth_s, a.synth_tokens)
        return {
            "single agent": Scenario("sequential", (in_turn,), name="parallel: one agent in turn"),
            "multi-agent": Scenario("fanout", workers + (synth,), name="parallel: fan-out"),
        }
    if task == "judgment":
        subtasks = range(1, a.n + 1)
        per_subtask = max(a.p - a.generalist_gap, 0.0)
        mean_subtasks = sum(subtasks) / len(subtasks)
        generalist = agent(
            "generalist",
            sum(per_subtask**k for k in subtasks) / len(subtasks),
            mean_subtasks * a.step_s,
            int(mean_subtasks * a.step_tokens + a.generalist_tokens),
            cv=a.generalist_spread,
        )
        orchestrator = agent("orchestrator", a.orchestrator_reliability, a.orchestrator_s, a.orchestrator_tokens)
        specialists = tuple(step_agent(f"specialist_{i + 1}") for i in range(a.specialists))
        plan = Hierarchy(
            min_subtasks=1,
            max_subtasks=a.n,
            routing_accuracy=a.routing_accuracy,
            reroute=True,
            step_budget=a.dispatches_per_subtask * a.n,
        )
        return {
            "single agent": Scenario("sequential", (generalist,), name="judgment: one generalist"),
            "multi-agent": Scenario(
                "hierarchical", (orchestrator,) + specialists, hierarchy=plan, name="judgment: hierarchical"
            ),
        }
    if task == "lookup":
        tool = agent("tool_call", a.tool_reliability, a.tool_s, 0, cv=a.single_spread)
        hybrid = (
            (agent("orchestrator", a.p, a.lookup_s, a.lookup_tokens),)
            + tuple(
                agent(f"specialist_{i + 1}", a.p, a.lookup_s + a.overhead_s, a.lookup_tokens + a.context_tokens)
                for i in range(a.n)
            )
            + (agent("synthesizer", a.p, a.lookup_s, a.lookup_tokens),)
        )
        return {
            "single agent": Scenario("sequential", (tool,), name="lookup: tool call"),
            "multi-agent": Scenario("hybrid", hybrid, name="lookup: orchestrated"),
        }
    raise ValueError(
        f"task must be one of {', '.join(k for k in TASKS if k != 'monitoring')} (got {task!r});"
        " monitoring has monitoring_scenarios()"
    )


@dataclass(frozen=True)
class MonitoringAssumptions:
    """The monitoring stream: events of two kinds, a rule engine and model-backed agents."""

    event_rate: float = 1.0  #: events arriving per second
    judgment_share: float = 0.3  #: share of events a threshold rule cannot judge (e.g. a schema change)
    agents: int = 4  #: agents in the mesh
    p: float = 0.95
    agent_s: float = 2.0  #: mean time an agent spends on one event
    agent_tokens: int = 3000
    rule_reliability: float = 0.999
    rule_s: float = 0.05


def monitoring_scenarios(assumptions: MonitoringAssumptions | None = None, **changes) -> dict[str, Scenario]:
    """Rule-based check, agent mesh, and rules in front of a mesh that only takes what rules cannot judge.

    Kinds of events are drawn from a list of ten, so ``judgment_share`` moves in steps of 0.1.
    The rule engine subscribes to threshold events only; a judgment event nobody subscribes to
    is missed without an error, which the simulator counts as a silent failure.
    """
    m = replace(assumptions or MonitoringAssumptions(), **changes)
    tenths = round(m.judgment_share * 10)
    kinds = ("threshold",) * (10 - tenths) + ("schema_change",) * tenths
    rule = Agent(
        "rule_engine",
        reliability=m.rule_reliability,
        silent_share=0.5,
        latency=Latency("fixed", m.rule_s, 0.0),
        tokens_per_call=0,
    )
    workers = tuple(_agent(f"agent_{i + 1}", m.p, m.agent_s, m.agent_tokens, cv=0.5) for i in range(m.agents))
    both = ("threshold", "schema_change")
    return {
        "rule-based check": Scenario(
            "mesh", (rule,), mesh=Mesh(m.event_rate, kinds, (("threshold",),)), name="monitoring: rules"
        ),
        "agent mesh": Scenario(
            "mesh", workers, mesh=Mesh(m.event_rate, kinds, tuple(both for _ in workers)), name="monitoring: mesh"
        ),
        "rules + agents": Scenario(
            "mesh",
            (rule,) + workers,
            mesh=Mesh(m.event_rate, kinds, (("threshold",),) + tuple(("schema_change",) for _ in workers)),
            name="monitoring: rules first",
        ),
    }


#: What each assumption stands for, for the lesson's table.
ASSUMPTION_NOTES = {
    "p": "first-attempt reliability of a specialist on one step",
    "silent_share": "share of an agent's wrong answers that look right (the rest fail loudly)",
    "n": "steps, parallel subtasks, or the most subtasks an orchestrator finds",
    "step_s": "mean seconds of work per step",
    "step_tokens": "tokens of work per step",
    "overhead_s": "extra seconds per agent for a hand-off",
    "context_tokens": "extra tokens per agent to carry the hand-off's context",
    "spread": "how much an agent's time varies around its mean (coefficient of variation)",
    "single_spread": "the same for the single agent working in turn and for a tool call",
    "synth_reliability": "reliability of the synthesizer that merges parallel parts",
    "synth_s": "mean seconds the synthesizer takes",
    "synth_tokens": "tokens the synthesizer uses",
    "generalist_gap": "how much less reliable per subtask one agent is when it must hold every specialty",
    "generalist_tokens": "extra prompt tokens a generalist carries for all specialties",
    "generalist_spread": "how much the generalist's time varies around its mean",
    "orchestrator_reliability": "reliability of the judgment task's orchestrator, each time it frames or merges",
    "orchestrator_s": "mean seconds the orchestrator takes each time",
    "orchestrator_tokens": "tokens the orchestrator uses each time",
    "specialists": "specialists the orchestrator routes subtasks to",
    "routing_accuracy": "how often the orchestrator routes a subtask to the right specialist",
    "dispatches_per_subtask": "most specialist dispatches per subtask (re-routes after a detected failure count)",
    "tool_reliability": "a direct tool call (query, API) getting the value right",
    "tool_s": "mean seconds of a tool call",
    "lookup_s": "mean seconds of a model call that only fetches and passes a value on",
    "lookup_tokens": "tokens of such a call",
}


def assumption_value(name: str, value: float) -> str:
    """One assumption as the lesson shows it: reliabilities and shares as percentages, times in
    seconds, tokens and counts whole, the generalist gap in percentage points."""
    if name.endswith("_s"):
        return seconds(value)
    if name.endswith("tokens") or isinstance(value, int):
        return count(value)
    if name == "generalist_gap":
        return f"{number(round(100 * value, 6))} percentage points"
    return pct(value)


def assumptions_table() -> pd.DataFrame:
    """Every assumption of :class:`Assumptions` at its default, one row each, with what it stands for."""
    defaults = Assumptions()
    return pd.DataFrame(
        [
            dict(
                assumption=f.name,
                value=assumption_value(f.name, getattr(defaults, f.name)),
                meaning=ASSUMPTION_NOTES[f.name],
            )
            for f in fields(Assumptions)
        ]
    ).set_index("assumption")


__all__ = [
    "Assumptions",
    "MonitoringAssumptions",
    "TaskType",
    "TASKS",
    "task_scenarios",
    "monitoring_scenarios",
    "assumptions_table",
    "assumption_value",
]

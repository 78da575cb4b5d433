"""Lesson 05: one agent against several, on the task types of the module's helps-versus-hurts table.

Every comparison is two (or three) :class:`simulator.Scenario` objects built from a handful of
teaching assumptions (:class:`Assumptions`), run by :func:`simulator.simulate` with one seed,
and drawn side by side: time to an answer, agent calls, tokens, and the share of correct
answers. The assumptions are round numbers chosen to teach, not measurements; the lesson
prints them and the sliders move the ones that matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import Agent, Hierarchy, Latency, Mesh, Scenario, simulate

from .controls import dropdown, slider
from .format import count, number, pct, plural, rate, seconds
from .live import Explorer
from .panels import grid_widget, single_figure_explorer
from .style import PALETTE, set_title


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

SIDE_COLOURS = {"single": PALETTE[0], "multi": PALETTE[1], "mixed": PALETTE[2]}
METRICS = (
    ("mean_latency", "time to an answer (s)"),
    ("mean_calls", "agent or tool calls"),
    ("mean_tokens", "tokens (thousands)"),
    ("success_rate", "correct answers (%)"),
)


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


def _row(label: str, scenario: Scenario, trials: int, seed: int) -> dict:
    stats = simulate(scenario, trials=trials, seed=seed).stats()
    return dict(
        approach=label,
        pattern=scenario.pattern,
        mean_latency=stats["mean_latency"],
        latency_p90=stats["latency_p90"],
        mean_calls=stats["mean_calls"],
        mean_tokens=stats["mean_tokens"],
        success_rate=stats["success_rate"],
        silent_failure_rate=stats["silent_failure_rate"],
        detected_failure_rate=stats["detected_failure_rate"],
        trials=stats["trials"],
    )


#: Trials per run. The vectorised engine (sequential, fanout, hybrid) is fast; the SimPy patterns
#: (hierarchical, mesh) are about 40 times slower, so the live explorers use fewer trials there.
TABLE_TRIALS = (10_000, 1_000)
LIVE_TRIALS = (4_000, 300)


def compare_task(task: str, trials: tuple[int, int] = TABLE_TRIALS, seed: int = 0, **changes) -> pd.DataFrame:
    """One row per approach: mean and 90th-percentile time, calls, tokens and outcome rates.

    ``trials`` is (runs for the vectorised patterns, runs or events for hierarchical and mesh).
    Latency is the time to an answer per task (per event for monitoring), failed runs included
    at the moment they ended; for monitoring a missed event has no time and is left out of it.
    """
    scenarios = monitoring_scenarios(**changes) if task == "monitoring" else task_scenarios(task, **changes)
    return pd.DataFrame(
        [
            _row(label, s, trials[1] if s.pattern in ("hierarchical", "mesh") else trials[0], seed)
            for label, s in scenarios.items()
        ]
    ).set_index("approach")


@lru_cache(maxsize=512)
def _cached(task: str, items: tuple, seed: int) -> pd.DataFrame:
    return compare_task(task, LIVE_TRIALS, seed, **dict(items))


def _panel_values(table: pd.DataFrame) -> list[list[float | None]]:
    """Each panel's bar lengths; ``None`` where there is no value (the rule check's time per event
    when every event needed judgment: it handled none)."""
    values = []
    for column, _ in METRICS:
        series = table[column].astype(float)
        if column == "mean_tokens":
            series = series / 1000
        elif column == "success_rate":
            series = series * 100
        values.append([None if pd.isna(v) else round(v, 3) for v in series.tolist()])
    return values


#: What a bar without a value says instead of a number.
NO_VALUE = "n/a: handled no events"


def _bars(values: list[float | None]) -> dict:
    """A panel's bar settings: a missing value is a bar of no length labelled :data:`NO_VALUE`, never a zero."""
    return dict(
        x=[0.0 if v is None else v for v in values],
        text=[NO_VALUE if v is None else _fmt(v) for v in values],
        textposition=["outside" if v is None else "auto" for v in values],
    )


def comparison_figure(table: pd.DataFrame, title: str) -> go.FigureWidget:
    """Four panels side by side, one horizontal bar per approach, from :func:`compare_task`."""
    labels = list(table.index)
    # one panel per row: side by side, four axis titles do not fit a narrow notebook and run into each other
    panel = 70 + 34 * len(labels)
    fig = grid_widget(
        title,
        len(METRICS),
        1,
        [t for _, t in METRICS],
        ["approach"] * len(METRICS),
        height=110 + len(METRICS) * panel,
        vertical_spacing=0.32 / len(METRICS),
    )
    colours = [PALETTE[i] for i in range(len(labels))]
    for col, ((_, metric), values) in enumerate(zip(METRICS, _panel_values(table)), start=1):
        fig.add_trace(
            go.Bar(
                y=labels,
                orientation="h",
                marker_color=colours,
                showlegend=False,
                name=metric,
                hovertemplate="%{y}: %{text}<extra>" + metric + "</extra>",
                **_bars(values),
            ),
            row=col,
            col=1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin=dict(l=130, r=20, t=80, b=60), uniformtext=dict(minsize=9, mode="hide"))
    fig.layout.xaxis4.range = [0, 100]
    return fig


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def _title(task: str, settings: dict, seed: int = 0) -> str:
    """The explorer's title, broken by hand into lines short enough that none wraps: the task, the
    three settings, then each side on a line of its own with n written as the number it is."""
    t = TASKS[task]
    n = settings["n"]
    knobs = f"reliability {pct(settings['p'])} per step, n = {n}, hand-off overhead {seconds(settings['overhead_s'])}"
    multi = re.sub(r"\bn\b", str(n), t.multi)
    return (
        f"{t.label[:1].upper()}{t.label[1:]}, seed {seed}<br><sup>{knobs}</sup>"
        f"<br><sup>single: {t.single}</sup><br><sup>multi: {multi}</sup>"
    )


def orchestration_value_explorer(task: str = "parallel", seed: int = 0) -> Explorer:
    """A task-type drop-down and sliders for the three assumptions that move the verdict most.

    * ``p``: a specialist's first-attempt reliability per step;
    * ``n``: steps in the chain, parallel subtasks, or the most subtasks the orchestrator finds;
    * ``overhead_s``: seconds each agent hand-off adds.
    """
    options = [(TASKS[k].label, k) for k in ("chain", "parallel", "judgment", "lookup")]
    controls = {
        "task": dropdown("task type", options, task),
        "p": slider("float", "specialist reliability per step", 0.95, 0.80, 0.999, 0.005, readout_format=".1%"),
        "n": slider("int", "steps / subtasks", 4, 2, 8, 1),
        "overhead_s": slider("float", "hand-off overhead (s per agent)", 2.0, 0.0, 10.0, 0.5, readout_format=".1f"),
    }
    first = _cached(task, (("p", 0.95), ("n", 4), ("overhead_s", 2.0)), seed)
    fig = comparison_figure(first, _title(task, dict(p=0.95, n=4, overhead_s=2.0), seed))

    def update(figure: go.FigureWidget, v: dict):
        settings = dict(p=round(v["p"], 4), n=int(v["n"]), overhead_s=round(v["overhead_s"], 2))
        table = _cached(v["task"], tuple(settings.items()), seed)
        for trace, values in zip(figure.data, _panel_values(table)):
            trace.update(**_bars(values))
        set_title(figure, _title(v["task"], settings, seed))

    rows = None
    note = (
        "orchestration pays for itself where the multi-agent bar wins on time (parallel parts) or on correct "
        "answers (judgment); on a chain or a lookup it only adds calls, tokens and seconds."
    )
    return single_figure_explorer(controls, fig, note, update, rows=rows)


def monitoring_explorer(seed: int = 0) -> Explorer:
    """The monitoring stream under an event-rate slider: rules, an agent mesh, and rules in front of agents."""
    controls = {
        "event_rate": slider("float", "events per second", 1.0, 0.1, 4.0, 0.1, readout_format=".1f"),
        "judgment_share": slider(
            "float", "share of events a rule cannot judge", 0.3, 0.0, 1.0, 0.1, readout_format=".0%"
        ),
        "agents": slider("int", "agents in the mesh", 4, 1, 10, 1),
    }
    start = dict(event_rate=1.0, judgment_share=0.3, agents=4)
    fig = comparison_figure(_cached("monitoring", tuple(start.items()), seed), _monitoring_title(start, seed))
    fig.layout.xaxis.title.text = "time to handle an event (s)"
    fig.layout.xaxis2.title.text = "agent or rule calls per event"
    fig.layout.xaxis3.title.text = "tokens per event (thousands)"
    fig.layout.xaxis4.title.text = "events handled correctly (%)"

    def update(figure: go.FigureWidget, v: dict):
        settings = dict(
            event_rate=round(v["event_rate"], 3), judgment_share=round(v["judgment_share"], 2), agents=int(v["agents"])
        )
        table = _cached("monitoring", tuple(settings.items()), seed)
        for trace, values in zip(figure.data, _panel_values(table)):
            trace.update(**_bars(values))
        set_title(figure, _monitoring_title(settings, seed))

    rows = None
    note = (
        "rules answer in milliseconds for free but miss every event that needs judgment; a mesh judges them but "
        "queues once events outpace its agents, and putting rules in front keeps the agents for the hard events."
    )
    return single_figure_explorer(controls, fig, note, update, rows=rows)


def _monitoring_title(settings: dict, seed: int = 0) -> str:
    """The monitoring explorer's title, broken by hand into lines short enough that none wraps."""
    agents = settings["agents"]
    capacity = agents / MonitoringAssumptions().agent_s
    return (
        f"High-frequency monitoring at {rate(settings['event_rate'], ' events/s', 1)}"
        f"<br><sup>{pct(settings['judgment_share'], 0)} of events need judgment; {plural(agents, 'agent')} in the mesh"
        f"</sup><br><sup>the mesh can finish about {rate(capacity, ' events/s', 1)}</sup>"
        f"<br><sup>{count(LIVE_TRIALS[1])} simulated events, seed {seed}</sup>"
    )


def verdict_table(seed: int = 0) -> pd.DataFrame:
    """Every task type at the default assumptions: multi-agent minus single agent on each measure.

    For monitoring the "multi-agent" side is the agent mesh and the single side the rule check.
    """
    rows = []
    for key, task in TASKS.items():
        table = compare_task(key, seed=seed)
        single, multi = table.iloc[0], table.loc["agent mesh"] if key == "monitoring" else table.iloc[1]
        rows.append(
            dict(
                task=task.label,
                single=single.name,
                multi=multi.name,
                extra_seconds=multi["mean_latency"] - single["mean_latency"],
                extra_calls=multi["mean_calls"] - single["mean_calls"],
                extra_tokens=multi["mean_tokens"] - single["mean_tokens"],
                extra_correct_points=100 * (multi["success_rate"] - single["success_rate"]),
                module_says=task.module_says,
            )
        )
    return pd.DataFrame(rows).set_index("task")


#: Differences smaller than these are drawn black: "about the same" within simulation noise.
NOISE = {"extra_seconds": 0.5, "extra_tokens": 0.1, "extra_correct_points": 1.5}


def verdict_figure(table: pd.DataFrame) -> go.FigureWidget:
    """Three panels: seconds, thousands of tokens and points of correct answers the multi-agent side
    adds (or saves); a bar is blue where orchestration is better on that measure, vermillion where
    worse, black where the difference is within simulation noise."""
    panels = (
        ("extra_seconds", "extra time per task (s)", -1),
        ("extra_tokens", "extra tokens per task (thousands)", -1),
        ("extra_correct_points", "extra correct answers (points)", 1),
    )
    labels = list(table.index)
    fig = grid_widget(
        "What orchestration adds, task type by task type (multi-agent minus single agent)",
        3,
        1,
        [t for _, t, _ in panels],
        ["task type", "task type", "task type"],
        height=140 + 3 * (70 + 30 * len(labels)),
        vertical_spacing=0.1,
    )
    for col, (column, title, better_sign) in enumerate(panels, start=1):
        values = table[column].astype(float)
        if column == "extra_tokens":
            values = values / 1000
        colours = [
            PALETTE[7] if abs(v) < NOISE[column] else PALETTE[0] if v * better_sign > 0 else PALETTE[5] for v in values
        ]
        fig.add_trace(
            go.Bar(
                x=values.round(2).tolist(),
                y=labels,
                orientation="h",
                marker_color=colours,
                showlegend=False,
                name=title,
                text=[_fmt(v) for v in values],
                textposition="auto",
                hovertemplate="%{y}: %{x:.3g}<extra>" + title + "</extra>",
            ),
            row=col,
            col=1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin=dict(l=220, r=20, t=60, b=60))
    return fig


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


def _signed(v: float, text: str) -> str:
    """``text`` (``v`` already formatted) with a plus sign when ``v`` is above zero."""
    return f"+{text}" if v > 0 else text


def verdict_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`verdict_table` for reading: what each side is (at the default assumptions), what the
    multi-agent side adds on each measure (a minus sign where it saves), and the module's verdict."""
    by_label = {t.label: t for t in TASKS.values()}
    n = str(Assumptions().n)
    return pd.DataFrame(
        {
            "single side": [by_label[label].single for label in table.index],
            "multi-agent side": [re.sub(r"\bn\b", n, by_label[label].multi) for label in table.index],
            "extra time": [_signed(v, seconds(v)) for v in table["extra_seconds"]],
            "extra calls": [_signed(v, number(round(v, 2))) for v in table["extra_calls"]],
            "extra tokens": [_signed(v, count(v)) for v in table["extra_tokens"]],
            "extra correct answers": [_signed(v, f"{v:.1f} points") for v in table["extra_correct_points"]],
            "the module says": table["module_says"],
        },
        index=table.index,
    )


__all__ = [
    "Assumptions",
    "MonitoringAssumptions",
    "TASKS",
    "task_scenarios",
    "monitoring_scenarios",
    "compare_task",
    "comparison_figure",
    "orchestration_value_explorer",
    "monitoring_explorer",
    "verdict_table",
    "verdict_figure",
    "verdict_summary",
    "assumptions_table",
    "assumption_value",
]

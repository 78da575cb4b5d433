"""Lesson 01: who worked when, who waited, and who hands off to whom.

* :func:`timeline_figure` draws one traced run as horizontal bars, one row per agent: work
  coloured by what it produced, hand-off checks, backoffs, and the time each agent spent
  waiting (for its input, at a fan-in, or, in a mesh, events waiting in the queue).
* :func:`topology_figure` draws a scenario as a node-link diagram, left to right in hand-off
  order; with ``status`` it colours each agent by what its output was (lesson 03).
* :mod:`explorers.patterns` puts both behind sliders (:func:`~explorers.patterns.pattern_explorer`,
  :func:`~explorers.patterns.mesh_explorer`).

Everything is computed by :mod:`simulator`; this module only reads its trace and trials tables.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import plotly.graph_objects as go

from simulator import Scenario, SimulationResult

from .panels import hold_bar_axes
from .redraw import keep_slots
from .style import OUTCOME_COLOURS, PALETTE, figure_widget, fit_title, set_title, styled_figure

GREY = "rgba(0,0,0,0.16)"
#: Bar kinds of a timeline, in drawing (and legend) order: key, legend label, colour.
BAR_KINDS = (
    ("waiting", "waiting for input", GREY),
    ("fan_in_wait", "done, waiting at the fan-in", "rgba(86,180,233,0.55)"),
    ("queue", "event waiting in the queue", "rgba(0,0,0,0.22)"),
    ("work_ok", "working: right output", OUTCOME_COLOURS["correct"]),
    ("work_wrong", "working: wrong output (silent)", OUTCOME_COLOURS["silent_failure"]),
    ("work_loud", "working: failed loudly", OUTCOME_COLOURS["detected_failure"]),
    ("check", "hand-off check or review", PALETTE[1]),
    ("backoff", "backoff before a retry", PALETTE[3]),
)
#: Instant events drawn as markers: key, legend label, colour, symbol.
MARKER_KINDS = (
    ("caught", "wrong payload caught", PALETTE[7], "x-thin-open"),
    ("fan_in", "fan-in: branches merged", PALETTE[7], "diamond-open"),
    ("restored", "restored from a checkpoint", PALETTE[4], "star"),
    ("missed", "event missed (expired or declined)", OUTCOME_COLOURS["silent_failure"], "x"),
)
WORK_KIND = {"ok": "work_ok", "wrong_output": "work_wrong", "loud_failure": "work_loud"}
QUEUE_ROW = "event queue"
TIME_AXIS = "time (simulated seconds)"

PATTERN_LABELS = {
    "sequential": "sequential hand-off",
    "fanout": "parallel fan-out / fan-in",
    "hierarchical": "hierarchical (orchestrator and specialists)",
    "mesh": "event-driven mesh",
    "hybrid": "hybrid (orchestrator, fan-out, synthesis)",
}


# --- timelines -------------------------------------------------------------------------------


def _empty_segments() -> dict:
    segments = {key: dict(y=[], base=[], x=[], text=[]) for key, _, _ in BAR_KINDS}
    segments.update({key: dict(y=[], x=[], text=[]) for key, *_ in MARKER_KINDS})
    return segments


def _bar(segments: dict, kind: str, row: str, start: float, end: float, text: str):
    if end - start <= 1e-9:
        return
    seg = segments[kind]
    seg["y"].append(row)
    seg["base"].append(float(start))
    seg["x"].append(float(end - start))
    seg["text"].append(f"{row}: {text}<br>{start:.1f} s to {end:.1f} s ({end - start:.1f} s)")


def _mark(segments: dict, kind: str, row: str, at: float, text: str):
    seg = segments[kind]
    seg["y"].append(row)
    seg["x"].append(float(at))
    seg["text"].append(f"{row}: {text} at {at:.1f} s")


def first_trial(result: SimulationResult, outcome: str = "correct", **columns) -> int:
    """The first trial with this outcome (and these column values), to pick a run worth drawing."""
    rows = result.trials[result.trials["outcome"] == outcome]
    for name, value in columns.items():
        rows = rows[rows[name] == value]
    if rows.empty:
        raise ValueError(f"no trial ended {outcome} with {columns}: run more trials or change the seed")
    return int(rows["trial"].iloc[0])


def timeline_rows(result: SimulationResult) -> list[str]:
    """Row labels top to bottom: the agents in pattern order, then any reviewer or the queue."""
    rows = [a.name for a in result.scenario.agents]
    if result.scenario.pattern == "mesh":
        return [QUEUE_ROW] + rows
    if result.events is not None and (result.events["agent"] == "human_gate").any():
        rows.append("human_gate")
    return rows


def timeline_segments(result: SimulationResult, trial: int | None = 0, until: float | None = None) -> dict:
    """The bars and markers of one traced trial (a mesh: every event up to ``until`` seconds)."""
    if result.events is None:
        raise ValueError("this run has no trace: simulate it with trace=True")
    segments = _empty_segments()
    events = result.events
    mesh = result.scenario.pattern == "mesh"
    if not mesh:
        events = events[events["trial"] == trial]
    if until is not None:
        events = events[events["start"] < until]
    for e in events.itertuples(index=False):
        label = f"event {e.trial}, " if mesh else ""
        if e.activity == "work":
            _bar(
                segments,
                WORK_KIND.get(e.status, "work_ok"),
                e.agent,
                e.start,
                e.end,
                f"{label}attempt {e.attempt + 1}, {e.status.replace('_', ' ')}",
            )
        elif e.activity == "handoff_check" and e.status in ("caught", "false_reject"):
            _mark(
                segments,
                "caught",
                e.agent,
                e.start,
                "hand-off check rejected the output" if e.status == "caught" else "a right output was rejected",
            )
        elif e.activity in ("handoff_check", "review"):
            _bar(segments, "check", e.agent, e.start, e.end, f"{label}{e.activity.replace('_', ' ')}: {e.status}")
        elif e.activity == "backoff":
            _bar(segments, "backoff", e.agent, e.start, e.end, f"backoff before attempt {e.attempt + 1}")
        elif e.activity == "fan_in":
            _mark(segments, "fan_in", e.agent, e.start, f"fan-in with {e.status.replace('_', ' ')} branches")
        elif e.activity == "restored":
            _mark(segments, "restored", e.agent, e.start, "hand-off read back from the checkpoint file")
    if mesh:
        _queue_segments(segments, result, until)
    else:
        _waiting_segments(segments, result, events)
    return segments


def _waiting_segments(segments: dict, result: SimulationResult, events: pd.DataFrame):
    """Idle gaps before and between an agent's activities; finished branches waiting at a fan-in."""
    timed = events[events["end"] > events["start"]]
    fan_in = events.loc[events["activity"] == "fan_in", "start"]
    merge_at = float(fan_in.iloc[0]) if len(fan_in) else None
    workers = {a.name for a in result.scenario.workers} if result.scenario.pattern in ("fanout", "hybrid") else set()
    for agent, group in timed.groupby("agent", sort=False):
        clock = 0.0
        for start, end in sorted(zip(group["start"], group["end"])):
            if start > clock + 1e-9:
                _bar(segments, "waiting", agent, clock, start, "idle, waiting for its input")
            clock = max(clock, end)
        if agent in workers and merge_at is not None and merge_at > clock:
            _bar(segments, "fan_in_wait", agent, clock, merge_at, "output ready, waiting for the other branches")
    # an agent that never got to work because the run ended first waited until the end (a hierarchy
    # leaves specialists it does not need idle, which is not waiting)
    if len(timed) and result.scenario.pattern != "hierarchical":
        end_of_run = float(events["end"].max())
        for agent in (a.name for a in result.scenario.agents):
            if agent not in set(timed["agent"]):
                _bar(segments, "waiting", agent, 0.0, end_of_run, "never started: the run ended before its turn")


def _queue_segments(segments: dict, result: SimulationResult, until: float | None):
    frame = result.trials
    if until is not None:
        frame = frame[frame["arrival"] < until]
    for row in frame.itertuples(index=False):
        leave = row.arrival + row.wait
        _bar(segments, "queue", QUEUE_ROW, row.arrival, leave, f"event {row.trial} waited")
        if row.missed:
            _mark(
                segments,
                "missed",
                QUEUE_ROW,
                leave,
                f"event {row.trial} missed ({row.missed_reason.replace('_', ' ')})",
            )


def _timeline_traces() -> list:
    traces = [
        go.Bar(
            orientation="h",
            name=label,
            marker=dict(color=colour, line=dict(width=1, color="white")),
            width=0.6,
            hoverinfo="text",
            y=[],
            x=[],
            base=[],
            showlegend=False,
        )
        for _, label, colour in BAR_KINDS
    ]
    traces += [
        go.Scatter(
            mode="markers",
            name=label,
            marker=dict(color=colour, symbol=symbol, size=13, line=dict(width=2, color=colour)),
            hoverinfo="text",
            x=[],
            y=[],
            showlegend=False,
        )
        for _, label, colour, symbol in MARKER_KINDS
    ]
    return traces


def _timeline_height(rows: int) -> int:
    return max(280, 130 + 42 * rows)


def apply_timeline(fig: go.Figure, segments: dict, rows: list[str], title: str | None = None):
    """Write ``segments`` into a figure made by :func:`timeline_figure` (in place, no rebuild). Its
    bars keep their slots and its axes hold still (:func:`~explorers.redraw.keep_slots`,
    :func:`~explorers.panels.hold_bar_axes`), so a move that keeps the rows redraws in place."""
    keys = [k for k, *_ in BAR_KINDS] + [k for k, *_ in MARKER_KINDS]
    for index, (trace, key) in enumerate(zip(fig.data, keys)):
        seg = segments[key]
        columns = dict(y=seg["y"], x=seg["x"], hovertext=seg["text"])
        if "base" in seg:
            columns = keep_slots(fig, index, {**columns, "base": seg["base"]})
        trace.update(columns, showlegend=bool(seg["x"]))
    fig.layout.yaxis.categoryarray = rows
    fig.layout.height = _timeline_height(len(rows))
    hold_bar_axes(fig)
    if title:
        set_title(fig, title)


def timeline_figure(
    result: SimulationResult,
    trial: int | None = 0,
    title: str | None = None,
    until: float | None = None,
    live: bool = False,
) -> go.Figure:
    """A Gantt-style timeline of one traced trial: which agent worked when, and where it waited."""
    rows = timeline_rows(result)
    fig = empty_timeline(rows, title or f"Timeline of one run: {PATTERN_LABELS[result.scenario.pattern]}", live)
    apply_timeline(fig, timeline_segments(result, trial, until), rows)
    return fit_title(fig)  # its height and legend are set now: the title's place and room


def empty_timeline(rows: list[str], title: str, live: bool = False) -> go.Figure:
    """A timeline with its rows and no bars yet, for an explorer whose first refresh fills it in
    with :func:`apply_timeline` (so it need not simulate the first run a second time)."""
    make = figure_widget if live else styled_figure
    fig = make(title, TIME_AXIS, "agent", height=_timeline_height(len(rows)), traces=_timeline_traces())
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        yaxis=dict(type="category", categoryorder="array", categoryarray=rows, autorange="reversed"),
        xaxis=dict(rangemode="tozero"),
        legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.01),
        margin=dict(r=230),
    )
    return fig


# --- topologies ------------------------------------------------------------------------------

ROLE_COLOURS = {
    "orchestrator": PALETTE[0],
    "worker": PALETTE[4],
    "agent": PALETTE[4],
    "synthesizer": PALETTE[1],
    "source": PALETTE[7],
}
STATUS_COLOURS = {
    "right": OUTCOME_COLOURS["correct"],
    "wrong": OUTCOME_COLOURS["silent_failure"],
    "caught": OUTCOME_COLOURS["detected_failure"],
    "waiting": GREY,
}
STAGE_AXIS = "stage of the work (hand-offs run left to right)"
BRANCH_AXIS = "parallel branch"


def _spread(count: int) -> list[float]:
    return [(count - 1) / 2 - j for j in range(count)]


def topology(scenario: Scenario) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Nodes (name, x, y, role) and edges (from, to, kind) of a scenario's hand-offs."""
    agents = [a.name for a in scenario.agents]
    pattern = scenario.pattern
    nodes: list[dict] = []
    edges: list[tuple[str, str, str]] = []
    if pattern == "sequential":
        nodes = [dict(name=n, x=i, y=0.0, role="agent") for i, n in enumerate(agents)]
        edges = [(a, b, "hand-off") for a, b in pairwise(agents)]
    elif pattern in ("fanout", "hybrid"):
        head = "task" if pattern == "fanout" else agents[0]
        workers = [a.name for a in scenario.workers]
        nodes = [dict(name=head, x=0, y=0.0, role="source" if pattern == "fanout" else "orchestrator")]
        nodes += [dict(name=w, x=1, y=y, role="worker") for w, y in zip(workers, _spread(len(workers)))]
        nodes.append(dict(name=agents[-1], x=2, y=0.0, role="synthesizer"))
        edges = [(head, w, "dispatch") for w in workers] + [(w, agents[-1], "fan-in") for w in workers]
    elif pattern == "hierarchical":
        specialists = agents[1:]
        nodes = [dict(name=agents[0], x=0, y=0.0, role="orchestrator")]
        nodes += [dict(name=s, x=1, y=y, role="worker") for s, y in zip(specialists, _spread(len(specialists)))]
        edges = [(agents[0], s, "route and return") for s in specialists]
    elif pattern == "mesh":
        nodes = [dict(name="event stream", x=0, y=0.0, role="source")]
        nodes += [dict(name=a, x=1, y=y, role="worker") for a, y in zip(agents, _spread(len(agents)))]
        edges = [("event stream", a, "subscribes") for a in agents]
    if scenario.defenses.human_gate and pattern != "mesh":
        last = max(n["x"] for n in nodes)
        end = agents[-1] if pattern != "hierarchical" else agents[0]
        nodes.append(dict(name="human_gate", x=last + 1, y=0.0, role="source"))
        edges.append((end, "human_gate", "review"))
    return nodes, edges


def _arrows(nodes: list[dict], edges: list[tuple[str, str, str]]) -> list[dict]:
    where = {n["name"]: n for n in nodes}
    arrows = []
    for a, b, kind in edges:
        both = kind == "route and return"
        arrows.append(
            dict(
                x=where[b]["x"],
                y=where[b]["y"],
                ax=where[a]["x"],
                ay=where[a]["y"],
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.2,
                arrowwidth=1.6,
                arrowcolor="rgba(0,0,0,0.55)",
                standoff=20,
                startstandoff=20,
                text="",
                arrowside="end+start" if both else "end",
                startarrowhead=2,
            )
        )
    return arrows


def apply_topology(
    fig: go.Figure, scenario: Scenario, status: dict[str, str] | None = None, notes: dict[str, str] | None = None
):
    """Write a scenario's nodes and arrows into a figure made by :func:`topology_figure`."""
    nodes, edges = topology(scenario)
    colours = [
        STATUS_COLOURS[status.get(n["name"], "waiting")]
        if status and n["role"] != "source"
        else ROLE_COLOURS[n["role"]]
        for n in nodes
    ]
    hover = [f"{n['name']}: {(notes or {}).get(n['name'], n['role'])}" for n in nodes]
    fig.data[0].update(
        x=[n["x"] for n in nodes],
        y=[n["y"] for n in nodes],
        text=[n["name"] for n in nodes],
        hovertext=hover,
        marker=dict(color=colours, symbol=["square" if n["role"] == "source" else "circle" for n in nodes]),
    )
    width = max(n["x"] for n in nodes)
    depth = max(abs(n["y"]) for n in nodes)
    fig.layout.annotations = _arrows(nodes, edges)
    fig.layout.xaxis.range = [-0.5, width + 0.5]
    fig.layout.yaxis.range = [-depth - 0.8, depth + 0.6]
    fig.layout.height = max(260, int(170 + 70 * (2 * depth + 1)))


def topology_figure(
    scenario: Scenario,
    title: str | None = None,
    status: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
    live: bool = False,
) -> go.Figure:
    """A node-link diagram of who hands work to whom (``status`` colours agents by their output)."""
    title = title or f"Who hands off to whom: {PATTERN_LABELS[scenario.pattern]}"
    make = figure_widget if live else styled_figure
    node_trace = go.Scatter(
        mode="markers+text",
        x=[],
        y=[],
        text=[],
        textposition="bottom center",
        marker=dict(size=34, line=dict(width=1.5, color=PALETTE[7])),
        hoverinfo="text",
        cliponaxis=False,
        showlegend=False,
        name="agents",
    )
    fig = make(title, STAGE_AXIS, BRANCH_AXIS, height=300, traces=[node_trace])
    fig.update_layout(
        xaxis=dict(showticklabels=False, showgrid=False, zeroline=False),
        yaxis=dict(showticklabels=False, showgrid=False, zeroline=False),
    )
    apply_topology(fig, scenario, status, notes)
    return fit_title(fig)  # its height is set now: the title's place


__all__ = [
    "first_trial",
    "timeline_figure",
    "empty_timeline",
    "timeline_segments",
    "timeline_rows",
    "apply_timeline",
    "topology",
    "topology_figure",
    "apply_topology",
    "PATTERN_LABELS",
    "STATUS_COLOURS",
    "TIME_AXIS",
]

"""Lesson 01's explorers: the coordination patterns behind sliders, and the mesh under load.

* :func:`pattern_explorer` runs one seeded run of a pattern and draws its timeline and topology;
  sliders set the number of agents and their call times.
* :func:`mesh_explorer` shows an event-driven mesh filling up as events arrive faster.
* :func:`pattern_latency` and :func:`mesh_load` are the seeded sweeps behind the lesson's tables.

:mod:`simulator` runs everything; the drawing comes from :mod:`explorers.timeline`.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import Latency, Mesh, Scenario, simulate, uniform_scenario
from simulator.sweeps import backlog_curve

from .controls import dropdown, slider
from .format import count, pct, plural, rate, seconds
from .live import Explorer
from .redraw import hold_axis, steady_range
from .style import OUTCOME_COLOURS, PALETTE, figure_widget, fit_title, set_title, styled_figure
from .timeline import (
    PATTERN_LABELS,
    TIME_AXIS,
    apply_timeline,
    apply_topology,
    empty_timeline,
    timeline_figure,
    timeline_rows,
    timeline_segments,
    topology_figure,
)

# --- the pattern explorer --------------------------------------------------------------------

#: Events in the pattern explorer's mesh runs.
MESH_EVENTS = 200

EXPLORER_PATTERNS = ("sequential", "fanout", "hierarchical", "mesh", "hybrid")


def explorer_scenario(pattern: str, agents: int, latency: float, spread: float, reliability: float = 0.95) -> Scenario:
    """The identical-agents scenario the pattern explorer runs (a mesh gets 1 event a second)."""
    options = dict(mesh=Mesh(arrival_rate=1.0, ttl=20.0)) if pattern == "mesh" else {}
    return uniform_scenario(
        pattern, agents=agents, reliability=reliability, latency=Latency("lognormal", latency, spread), **options
    )


#: What the timeline shows under each pattern, so its caption is true of what is on screen.
TIMELINE_NOTES = {
    "sequential": "grey bars are time an agent sat idle: each link of the chain waits for the one before it, so "
    "the run takes as long as all the calls added up.",
    "fanout": "grey bars are time an agent sat idle: the workers start together and synthesis waits once, for "
    "the slowest branch.",
    "hierarchical": "the orchestrator decides which specialists to open as it goes; grey bars are time an agent "
    "waited for its input.",
    "mesh": "no one assigns work: whichever subscriber is free claims the oldest event; the grey row is events "
    "nobody is free for yet.",
    "hybrid": "the orchestrator frames the task, the specialists run side by side, and synthesis waits for the "
    "slowest of them.",
}
TOPOLOGY_NOTES = {
    "mesh": "no arrows between the agents: each subscriber takes events from the stream on its own, and nothing "
    "checks its output on the way.",
}
TOPOLOGY_NOTE = "the arrows are the hand-offs; every arrow is a place where a wrong payload can pass on, or be checked."


@lru_cache(maxsize=64)
def _pattern_stats(pattern: str, agents: int, latency: float, spread: float, seed: int, runs: int) -> dict:
    """Many seeded runs of one setting (cached: moving a control back costs nothing)."""
    scenario = explorer_scenario(pattern, agents, latency, spread)
    if pattern == "mesh":
        return simulate(scenario, trials=MESH_EVENTS, seed=seed).stats()
    return simulate(scenario, trials=runs, seed=seed).stats()


@lru_cache(maxsize=64)
def _pattern_timeline(pattern: str, agents: int, latency: float, spread: float, seed: int) -> tuple[dict, list, float]:
    """The timeline's segments and rows, and the end-to-end time of the run it shows, for one setting
    (remembered like :func:`_pattern_stats`)."""
    mesh = pattern == "mesh"
    traced = simulate(
        explorer_scenario(pattern, agents, latency, spread), trials=20 if mesh else 1, seed=seed, trace=True
    )
    segments = timeline_segments(traced, None if mesh else 0, until=30.0 if mesh else None)
    return segments, timeline_rows(traced), float(traced.trials["latency"].iloc[0])


def pattern_explorer(
    pattern: str = "sequential",
    agents: int = 3,
    latency: float = 2.0,
    spread: float = 0.5,
    seed: int = 7,
    runs: int = 400,
) -> Explorer:
    """One traced run of a pattern as a timeline and a topology, with sliders for agents and latency.

    The readout adds the median and 90th percentile end-to-end time over ``runs`` seeded runs.
    """
    controls = dict(
        pattern=dropdown("coordination pattern", [(PATTERN_LABELS[p], p) for p in EXPLORER_PATTERNS], pattern),
        agents=slider("int", "agents (workers or specialists)", agents, 1, 8, 1),
        latency=slider("float", "mean time per agent call (s)", latency, 0.5, 10.0, 0.5, ".1f"),
        spread=slider("float", "spread of call times (coefficient of variation)", spread, 0.0, 1.5, 0.1, ".1f"),
    )
    _, first_rows, _ = _pattern_timeline(pattern, agents, round(latency, 3), round(spread, 3), seed)
    timeline = empty_timeline(first_rows, f"Timeline of one run: {PATTERN_LABELS[pattern]}", live=True)
    topo = topology_figure(explorer_scenario(pattern, agents, latency, spread), live=True)

    drawn_topology = [None]  # (pattern, agents) on screen: call times leave the diagram as it is

    def compute(v: dict) -> tuple[tuple, dict, int]:
        """The traced run, the statistics over many runs, and how many runs those are."""
        setting = (v["pattern"], v["agents"], round(v["latency"], 3), round(v["spread"], 3), seed)
        many = runs // 2 if v["pattern"] == "hierarchical" else runs  # the SimPy engine is slower: fewer runs
        return _pattern_timeline(*setting), _pattern_stats(*setting, many), many

    def update(v: dict) -> str:
        mesh = v["pattern"] == "mesh"
        (segments, rows, this_run), s, many = compute(v)
        apply_timeline(
            timeline,
            segments,
            rows,
            title=f"Timeline of one run: {PATTERN_LABELS[v['pattern']]}",
        )
        if drawn_topology[0] != (v["pattern"], v["agents"]):
            apply_topology(topo, explorer_scenario(v["pattern"], v["agents"], v["latency"], v["spread"]))
            set_title(topo, f"Who hands off to whom: {PATTERN_LABELS[v['pattern']]}")
            drawn_topology[0] = (v["pattern"], v["agents"])
        notes = [TIMELINE_NOTES[v["pattern"]], TOPOLOGY_NOTES.get(v["pattern"], TOPOLOGY_NOTE)]
        if mesh:
            missed = int(s["missed_events"])
            return (
                f"<b>Mesh, {plural(v['agents'], 'subscriber')}, events arriving at a mean rate of 1 a second "
                f"({rate(s['arrival_rate_seen'])} in these {count(MESH_EVENTS)}):</b> handled "
                f"{count(MESH_EVENTS - missed)} of {count(MESH_EVENTS)}, on average {s['mean_backlog']:.1f} events "
                f"waiting (peak {count(s['peak_backlog'])}), {count(missed)} missed."
            ), notes
        return (
            f"<b>This run took {seconds(this_run)} end to end.</b> Over {many} "
            f"runs: median {seconds(s['latency_p50'])}, 90th percentile {seconds(s['latency_p90'])}, "
            f"{pct(s['success_rate'], 0)} ended right."
        ), notes

    return Explorer(
        controls,
        [timeline, topo],
        [TIMELINE_NOTES[pattern], TOPOLOGY_NOTES.get(pattern, TOPOLOGY_NOTE)],
        update,
        warm=compute,
    )


# --- latency across patterns, and the mesh under load -------------------------------------------


#: What the x axis of :func:`pattern_latency_figure` counts under each pattern.
TEAM_NOUNS = {"sequential": "agent", "fanout": "worker", "hierarchical": "specialist", "hybrid": "specialist"}


def pattern_latency_figure(frame: pd.DataFrame) -> go.Figure:
    """Median end-to-end time against the number of agents, one line per pattern."""
    fig = styled_figure(
        "Median time as the team grows (mean call 2 s)",
        "agents (workers or specialists)",
        "median end-to-end time (simulated seconds)",
        height=400,
    )
    for colour, (pattern, rows) in zip(PALETTE, frame.groupby("pattern", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=rows["agents"],
                y=rows["latency_p50"],
                mode="lines+markers",
                name=PATTERN_LABELS[pattern],
                line=dict(color=colour, width=2.5),
                marker=dict(color=colour, size=8),
                hovertext=[
                    f"{plural(int(n), TEAM_NOUNS[pattern])}: median {seconds(p50)}, 90th percentile {seconds(p90)}"
                    for n, p50, p90 in zip(rows["agents"], rows["latency_p50"], rows["latency_p90"])
                ],
                hovertemplate="%{hovertext}<extra>" + PATTERN_LABELS[pattern] + "</extra>",
            )
        )
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=0.98, xanchor="left", x=0.02))
    return fit_title(fig)  # its traces are in now: the title's room for their legend


def mesh_load_figure(frame: pd.DataFrame) -> go.Figure:
    """Handled and missed events per second against the arrival rate, with the team's capacity."""
    capacity = float(frame["capacity"].iloc[0])
    top = float(frame["arrival_rate"].max())
    fig = styled_figure(
        "The mesh under rising load",
        "events arriving (mean rate, per simulated second)",
        "events per simulated second",
        height=400,
    )
    fig.add_trace(
        go.Scatter(
            x=[0, top], y=[0, top], mode="lines", name="arriving (mean rate)", line=dict(color=PALETTE[7], dash="dot")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, top],
            y=[capacity, capacity],
            mode="lines",
            name="capacity (agents / mean call time)",
            line=dict(color=PALETTE[0], dash="dash"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame["arrival_rate"],
            y=frame["throughput"],
            mode="lines+markers",
            name="handled",
            line=dict(color=OUTCOME_COLOURS["correct"], width=2.5),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame["arrival_rate"],
            y=frame["missed_per_s"],
            mode="lines+markers",
            name="missed (expired in the queue)",
            line=dict(color=OUTCOME_COLOURS["silent_failure"], width=2.5),
        )
    )
    return fit_title(fig)  # its traces are in now: the title's room for their legend


#: Within this share of the team's capacity, the load counts as "at capacity": no spare capacity
#: either way, and 150 random arrivals can land on either side of it.
AT_CAPACITY = 0.05
#: Below capacity, a queue that never stays up longer than this share of the run "drains between bursts".
SHORT_QUEUE = 0.25
#: The top of the mesh explorer's arrival-rate slider (events per second).
MESH_TOP_RATE = 4.0


def load_level(arriving: float, capacity: float) -> str:
    """'below', 'at' or 'above' capacity: 'at' when the arrival rate is within :data:`AT_CAPACITY` of it."""
    load = arriving / capacity
    if abs(load - 1) <= AT_CAPACITY + 1e-9:
        return "at"
    return "above" if load > 1 else "below"


def backlog_note(
    arriving: float,
    capacity: float,
    ttl: float,
    events: int,
    queue: dict,
    top: float = MESH_TOP_RATE,
) -> str:
    """The backlog caption, true of the run on screen: the load against capacity sets what to expect,
    and the run's own numbers (``queue``: the run's ``mesh_stats``, with ``missed_events``,
    ``peak_backlog``, ``longest_backlog`` and ``horizon``) say what happened."""
    missed, peak = int(queue["missed_events"]), int(queue["peak_backlog"])
    against = f"{rate(arriving, '/s', 1)} against a capacity of about {rate(capacity)}"
    expired = f"{count(missed)} of {count(events)} waited over {ttl:.0f} s and expired unseen, with no error raised"
    level = load_level(arriving, capacity)
    if level == "above":
        if missed:
            return (
                f"events arrive faster than the team can handle them ({against}): the queue keeps growing "
                f"(peak {plural(peak, 'event')} waiting) until events wait too long: {expired}."
            )
        return (
            f"events arrive faster than the team can handle them on average ({against}), yet in this run's "
            f"{count(events)} random arrivals none waited over {ttl:.0f} s (peak {plural(peak, 'event')} waiting). "
            "Kept up for longer, this load builds a queue until events expire."
        )
    if level == "at":
        outcome = f"In this run {expired}." if missed else f"In this run no event waited over {ttl:.0f} s."
        return (
            f"events arrive about as fast as the team can handle them ({against}): with no spare capacity, "
            f"the queue builds up in bursts (peak {plural(peak, 'event')} waiting) and events can expire. {outcome}"
        )
    hint = (
        "Push the arrival rate past capacity to watch the queue grow."
        if capacity < top
        else "Take away agents or slow their calls until capacity falls below the arrival rate, and watch the "
        "queue grow."
    )
    spare = f"the team can handle about {rate(capacity)}, more than the {rate(arriving, '/s', 1)} arriving"
    if not peak:
        return f"{spare}; in this run no event had to wait: a free agent picked each one up as it arrived. {hint}"
    outcome = (
        f" Still, {count(missed)} waited over {ttl:.0f} s in a burst and expired unseen."
        if missed
        else " No event expired."
    )
    if queue["longest_backlog"] < SHORT_QUEUE * queue["horizon"]:
        return f"{spare}, so the queue drains between bursts (peak {plural(peak, 'event')} waiting).{outcome} {hint}"
    return (
        f"{spare}, so the queue empties again, though random bursts can hold it up for a while: in this run "
        f"it held events for {seconds(queue['longest_backlog'])} without a break (peak {plural(peak, 'event')} "
        f"waiting).{outcome} {hint}"
    )


@lru_cache(maxsize=4)
def _traced_mesh(agents: int, arrival_rate: float, latency: float, events: int, ttl: float, seed: int):
    """One traced mesh run of ``events`` events (kept, so the explorer's first figure and its first
    view share one run instead of simulating it twice at start-up)."""
    return simulate(
        pattern="mesh",
        agents=agents,
        reliability=0.95,
        trials=events,
        seed=seed,
        trace=True,
        latency=Latency("exponential", latency),
        mesh=Mesh(arrival_rate=arrival_rate, ttl=ttl),
    )


@lru_cache(maxsize=64)
def _mesh_view(agents: int, arrival_rate: float, latency: float, events: int, ttl: float, seed: int) -> tuple:
    """What the mesh explorer draws for one setting, remembered: timeline, backlog curve and stats."""
    result = _traced_mesh(agents, arrival_rate, latency, events, ttl, seed)
    return (
        timeline_segments(result, None, until=40.0),
        timeline_rows(result),
        backlog_curve(result),
        dict(result.mesh_stats),
    )


def mesh_explorer(
    agents: int = 3,
    arrival_rate: float = 1.2,
    latency: float = 2.0,
    ttl: float = 10.0,
    events: int = 150,
    seed: int = 3,
) -> Explorer:
    """A mesh with sliders for subscribers, event rate and call time: a timeline and the backlog."""
    controls = dict(
        agents=slider("int", "subscribing agents", agents, 1, 6, 1),
        arrival_rate=slider("float", "events arriving per second (mean)", arrival_rate, 0.2, MESH_TOP_RATE, 0.1, ".1f"),
        latency=slider("float", "mean time per agent call (s)", latency, 0.5, 6.0, 0.5, ".1f"),
    )

    def view(v: dict) -> tuple:
        return _mesh_view(v["agents"], round(v["arrival_rate"], 3), round(v["latency"], 3), events, ttl, seed)

    first = _traced_mesh(agents, arrival_rate, latency, events, ttl, seed)
    timeline = timeline_figure(first, until=40.0, live=True, title="The first 40 seconds of a mesh")
    backlog = figure_widget(
        "Events waiting, and events missed, over the whole run",
        TIME_AXIS,
        "events (count)",
        height=320,
        traces=[
            go.Scatter(mode="lines", line=dict(shape="hv", color=PALETTE[7], width=2), name="waiting in the queue"),
            go.Scatter(
                mode="lines",
                line=dict(shape="hv", color=OUTCOME_COLOURS["silent_failure"], width=2),
                name=f"missed so far (waited over {ttl:.0f} s)",
            ),
        ],
    )

    def update(v: dict) -> str:
        segments, rows, (t, waiting, t_missed, missed), s = view(v)
        apply_timeline(timeline, segments, rows)
        backlog.data[0].update(x=t, y=waiting)
        backlog.data[1].update(x=t_missed + [float(s["horizon"])], y=missed + [missed[-1]])
        # axes that hold still while the run stays within them: the move redraws in place
        layout = backlog.layout
        hold_axis(layout.xaxis, steady_range(float(s["horizon"]), headroom=1.0, current=layout.xaxis.range))
        hold_axis(layout.yaxis, steady_range(max(max(waiting), missed[-1]), current=layout.yaxis.range, below=0.04))
        capacity = v["agents"] / v["latency"]
        lost = int(s["missed_events"])
        return (
            f"<b>Capacity about {rate(capacity, ' events/s')}; events arrive at a mean rate of "
            f"{rate(v['arrival_rate'], '/s', 1)} ({rate(s['arrival_rate_seen'])} in this run).</b> "
            f"Handled {count(events - lost)} of {count(events)} events ({rate(s['throughput'])} over the "
            f"{seconds(s['horizon'])} until the last call ended), {s['mean_backlog']:.1f} events waiting on average "
            f"(peak {count(s['peak_backlog'])}), {count(lost)} missed, agents busy "
            f"{pct(s['utilization'], 0)} of the time."
        ), [None, backlog_note(v["arrival_rate"], capacity, ttl, events, s)]

    explorer = Explorer(
        controls,
        [timeline, backlog],
        [
            "no one assigns work: whichever subscriber is free claims the oldest event; the grey row is "
            "events nobody is free for yet.",
            backlog_note(arrival_rate, agents / latency, ttl, events, first.mesh_stats),
        ],
        update,
        warm=view,
    )
    return explorer


__all__ = [
    "pattern_explorer",
    "mesh_explorer",
    "pattern_latency_figure",
    "mesh_load_figure",
    "explorer_scenario",
    "EXPLORER_PATTERNS",
]

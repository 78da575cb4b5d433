"""Event-driven mesh: no controller; agents subscribe to event types and claim events.

Events arrive as a Poisson stream and wait in one ``FilterStore``. A free agent claims the
oldest event of a type it subscribes to, decides to act (``act_probability``) and works it
with its usual attempts and hand-off checks. An event nobody subscribes to, one that waited
past ``ttl``, or one its claimer declined is *missed*: no error is raised, so it counts as a
silent failure. With every agent subscribed to everything, exponential work times and
perfect agents this is an M/M/c queue, which ``tests/test_mesh.py`` holds it to.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import simpy

from ..agents import AgentPlan, TrialContext, run_agent
from ..params import Scenario
from ..rules import NO_KIND, SILENT_FAILURE, outcome_code
from ..table import TrialRows

MESH_COLUMNS = ("event_type", "arrival", "wait", "handled_by", "missed", "missed_reason")


@dataclass(frozen=True)
class StreamEvent:
    id: int
    type: str
    arrival: float


def queue_levels(arrivals, waits) -> tuple[list[float], list[int]]:
    """Events waiting over time, from each event's arrival and how long it waited (until an agent
    claimed it or it expired): one level per moment, so an event claimed the instant it arrived
    never counts as waiting, and the level never goes below zero."""
    changes = [(float(a), 1) for a in arrivals] + [(float(a + w), -1) for a, w in zip(arrivals, waits)]
    times, levels, level = [0.0], [0], 0
    for t, step in sorted(changes, key=lambda change: (change[0], -change[1])):
        level += step
        if t == times[-1]:
            levels[-1] = level
        else:
            times.append(t)
            levels.append(level)
    return times, levels


def queue_stats(times: list[float], levels: list[int], horizon: float) -> dict:
    """The time-weighted mean of :func:`queue_levels` over ``horizon``, its peak, and the longest
    stretch (s) in which the queue never emptied."""
    ends = times[1:] + [max(horizon, times[-1])]
    area = sum(level * (end - start) for start, end, level in zip(times, ends, levels))
    longest, since = 0.0, None
    for start, level in zip(times, levels):
        if level and since is None:
            since = start
        elif not level and since is not None:
            longest, since = max(longest, start - since), None
    if since is not None:
        longest = max(longest, ends[-1] - since)
    return dict(mean_backlog=area / horizon, peak_backlog=max(levels), longest_backlog=longest)


def run_mesh(scenario: Scenario, events: int, rng: random.Random, trace: list | None = None):
    """Simulate ``events`` arrivals; returns (one row per event, run-level statistics)."""
    env = simpy.Environment()
    store = simpy.FilterStore(env)
    mesh = scenario.mesh
    subscriptions = mesh.subscriptions or tuple(mesh.event_types for _ in scenario.agents)
    subscribed = set().union(*map(set, subscriptions))
    plans = tuple(AgentPlan(a, scenario, rng) for a in scenario.agents)
    rows = TrialRows(MESH_COLUMNS)

    def add(row: tuple, event: StreamEvent, wait: float, agent: str | None, reason: str | None):
        rows.append(row)
        rows.add_extra(
            dict(
                event_type=event.type,
                arrival=event.arrival,
                wait=wait,
                handled_by=agent,
                missed=reason is not None,
                missed_reason=reason,
            )
        )

    def missed(event: StreamEvent, reason: str, agent: str | None = None):
        row = (event.id, SILENT_FAILURE, float("nan"), 0, 0, 0, None, None, None, None, None)
        add(row, event, env.now - event.arrival, agent, reason)

    def source():
        for i in range(events):
            yield env.timeout(rng.expovariate(mesh.arrival_rate))
            event = StreamEvent(i, rng.choice(mesh.event_types), env.now)
            if event.type not in subscribed:
                missed(event, "no_subscriber")
                continue
            yield store.put(event)

    def subscriber(plan: AgentPlan, types):
        types = set(types)
        while True:
            event = yield store.get(lambda e: e.type in types)
            if mesh.ttl is not None and env.now - event.arrival > mesh.ttl:
                missed(event, "expired", plan.name)
                continue
            if rng.random() >= mesh.act_probability:
                missed(event, "declined", plan.name)
                continue
            claimed = env.now
            ctx = TrialContext(env, scenario, rng, trace, plans=plans)
            ctx.start(event.id, t0=0.0)
            out, detected = yield from run_agent(ctx, plan, NO_KIND)
            row = (
                event.id,
                outcome_code(detected, out),
                env.now - event.arrival,
                ctx.calls,
                ctx.retries,
                ctx.tokens,
                ctx.first_agent,
                ctx.first_mode,
                ctx.first_kind,
                ctx.caught_at,
                plan.name if detected else None,
            )
            add(row, event, claimed - event.arrival, plan.name, None)

    env.process(source())
    for plan, types in zip(plans, subscriptions):
        env.process(subscriber(plan, types))
    env.run()
    frame = rows.table().sort_values("trial", ignore_index=True)
    horizon = env.now or 1.0
    handled = int((~frame["missed"]).sum())
    stats = dict(
        horizon=horizon,
        arrival_rate_seen=len(frame) / float(frame["arrival"].max()) if len(frame) else 0.0,
        throughput=handled / horizon,
        **queue_stats(*queue_levels(frame["arrival"], frame["wait"]), horizon),
        missed_events=int(frame["missed"].sum()),
        utilization=float(frame["latency"].sub(frame["wait"]).sum() / (horizon * len(scenario.agents))),
    )
    return frame, stats

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


class _Backlog:
    """Time-weighted length of the waiting line."""

    def __init__(self, env: simpy.Environment, store: simpy.FilterStore):
        self.env, self.store = env, store
        self.area, self.last, self.peak = 0.0, 0.0, 0

    def update(self):
        self.area += len(self.store.items) * (self.env.now - self.last)
        self.last = self.env.now
        self.peak = max(self.peak, len(self.store.items))


def run_mesh(scenario: Scenario, events: int, rng: random.Random, trace: list | None = None):
    """Simulate ``events`` arrivals; returns (one row per event, run-level statistics)."""
    env = simpy.Environment()
    store = simpy.FilterStore(env)
    backlog = _Backlog(env, store)
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
            backlog.update()
            yield store.put(event)

    def subscriber(plan: AgentPlan, types):
        types = set(types)
        while True:
            event = yield store.get(lambda e: e.type in types)
            backlog.update()
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
    backlog.update()
    frame = rows.table().sort_values("trial", ignore_index=True)
    horizon = env.now or 1.0
    handled = int((~frame["missed"]).sum())
    stats = dict(
        horizon=horizon,
        throughput=handled / horizon,
        mean_backlog=backlog.area / horizon,
        peak_backlog=backlog.peak,
        missed_events=int(frame["missed"].sum()),
        utilization=float(frame["latency"].sub(frame["wait"]).sum() / (horizon * len(scenario.agents))),
    )
    return frame, stats

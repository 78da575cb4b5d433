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

import pandas as pd
import simpy

from ..agents import Payload, TrialContext, run_agent
from ..params import Scenario


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
    rows: list[dict] = []

    def missed(event: StreamEvent, reason: str, agent: str | None = None):
        rows.append(
            dict(
                trial=event.id,
                outcome="silent_failure",
                event_type=event.type,
                arrival=event.arrival,
                wait=env.now - event.arrival,
                latency=float("nan"),
                handled_by=agent,
                missed=True,
                missed_reason=reason,
                calls=0,
                retries=0,
                tokens=0,
                first_failure_agent=None,
                first_failure_mode=None,
                degradation=None,
                caught_at=None,
                ended_at=None,
            )
        )

    def source():
        for i in range(events):
            yield env.timeout(rng.expovariate(mesh.arrival_rate))
            event = StreamEvent(i, rng.choice(mesh.event_types), env.now)
            if event.type not in subscribed:
                missed(event, "no_subscriber")
                continue
            backlog.update()
            yield store.put(event)

    def subscriber(agent, types):
        types = set(types)
        while True:
            event = yield store.get(lambda e: e.type in types)
            backlog.update()
            if mesh.ttl is not None and env.now - event.arrival > mesh.ttl:
                missed(event, "expired", agent.name)
                continue
            if rng.random() >= mesh.act_probability:
                missed(event, "declined", agent.name)
                continue
            claimed = env.now
            ctx = TrialContext(env, scenario, rng, event.id, trace)
            out, detected = yield from run_agent(ctx, agent, Payload())
            state = ctx.state
            outcome = "detected_failure" if detected else ("silent_failure" if out.wrong else "correct")
            rows.append(
                dict(
                    trial=event.id,
                    outcome=outcome,
                    event_type=event.type,
                    arrival=event.arrival,
                    wait=claimed - event.arrival,
                    latency=env.now - event.arrival,
                    handled_by=agent.name,
                    missed=False,
                    missed_reason=None,
                    calls=state.calls,
                    retries=state.retries,
                    tokens=state.tokens,
                    first_failure_agent=state.first_failure_agent,
                    first_failure_mode=state.first_failure_mode,
                    degradation=state.degradation,
                    caught_at=state.caught_at,
                    ended_at=agent.name if detected else None,
                )
            )

    env.process(source())
    for agent, types in zip(scenario.agents, subscriptions):
        env.process(subscriber(agent, types))
    env.run()
    backlog.update()
    frame = pd.DataFrame(rows).sort_values("trial", ignore_index=True)
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

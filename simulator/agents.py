"""One agent at work inside a SimPy trial: attempts, hand-off checks, retries with backoff.

The model, in one place:

* an attempt on a right input is correct with probability ``reliability``; otherwise it
  fails silently with probability ``silent_share`` (a well-formed but wrong payload of some
  degradation kind) and loudly otherwise (an exception or time-out, seen at once);
* an attempt on a wrong input passes the wrongness on unless it fails loudly itself;
* at the hand-off the receiver's checks catch a wrong payload with
  :meth:`Defenses.catch_probability` and reject a right one with ``false_reject_rate``;
* a loud failure or a caught payload re-runs the same agent on the same input, up to its
  retries, waiting ``backoff * 2**(k-1)`` before retry ``k``; then the run ends detected.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import simpy

from .params import Agent, Scenario
from .randomness import draw_latency


@dataclass(frozen=True)
class Payload:
    """What travels across a hand-off: right, or wrong in a recorded way."""

    wrong: bool = False
    kind: str | None = None


@dataclass
class TrialState:
    """Bookkeeping for one trial, turned into one row of the trials table."""

    trial: int
    calls: int = 0
    retries: int = 0
    tokens: int = 0
    first_failure_agent: str | None = None
    first_failure_mode: str | None = None
    degradation: str | None = None
    caught_at: str | None = None
    ended_at: str | None = None
    finished_at: float | None = None
    result: Payload | None = None
    extra: dict = field(default_factory=dict)

    def outcome(self) -> str:
        if self.ended_at is not None:
            return "detected_failure"
        return "silent_failure" if self.result is not None and self.result.wrong else "correct"


class TrialContext:
    """Everything one trial's processes share: the environment, the stream and the records."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        rng: random.Random,
        trial: int,
        events: list | None = None,
        checkpoints=None,
        resume: dict | None = None,
    ):
        self.env = env
        self.scenario = scenario
        self.rng = rng
        self.state = TrialState(trial)
        self.events = events
        self.checkpoints = checkpoints
        self.resume = resume
        self.shared_u = rng.random()
        self.step = 0

    def record(self, agent: str, activity: str, start: float, status: str, attempt: int = 0):
        if self.events is not None:
            self.events.append((self.state.trial, agent, activity, attempt, start, self.env.now, status))

    def end_detected(self, where: str):
        if self.state.ended_at is None:
            self.state.ended_at = where
            self.state.finished_at = self.env.now

    def deliver(self, payload: Payload):
        self.state.result = payload
        self.state.finished_at = self.env.now


def run_agent(ctx: TrialContext, agent: Agent, payload: Payload):
    """SimPy process body for one agent; returns ``(payload, detected)``. Use with ``yield from``."""
    env, rng, scenario, state = ctx.env, ctx.rng, ctx.scenario, ctx.state
    d = scenario.defenses
    if ctx.resume is not None and agent.name in ctx.resume:
        ctx.record(agent.name, "restored", env.now, "from_checkpoint")
        return ctx.resume[agent.name], False
    retries = scenario.retries_for(agent)
    for attempt in range(retries + 1):
        if attempt:
            state.retries += 1
            if d.backoff:
                start = env.now
                yield env.timeout(d.backoff * 2 ** (attempt - 1))
                ctx.record(agent.name, "backoff", start, "waiting", attempt)
        start = env.now
        u = rng.random()
        if scenario.correlation and rng.random() < scenario.correlation:
            u = ctx.shared_u
        failed = u >= agent.reliability
        silent = rng.random() < agent.silent_share
        new_kind = rng.choice(agent.degradations)
        state.calls += 1
        state.tokens += agent.tokens_per_call
        yield env.timeout(draw_latency(agent.latency, rng))
        if failed and not silent:
            note_first_failure(state, agent.name, "loud", None)
            ctx.record(agent.name, "work", start, "loud_failure", attempt)
            continue
        if payload.wrong:
            out = payload
        elif failed:
            out = Payload(True, new_kind)
            note_first_failure(state, agent.name, "silent", new_kind)
        else:
            out = Payload()
        ctx.record(agent.name, "work", start, "wrong_output" if out.wrong else "ok", attempt)
        check = rng.random()
        if d.handoff_latency:
            start = env.now
            yield env.timeout(d.handoff_latency)
            ctx.record(agent.name, "handoff_check", start, "checked", attempt)
        rejected = check < (d.catch_probability(out.kind) if out.wrong else d.false_reject_rate)
        if rejected:
            if out.wrong and state.caught_at is None:
                state.caught_at = agent.name
            ctx.record(agent.name, "handoff_check", env.now, "caught" if out.wrong else "false_reject", attempt)
            continue
        if ctx.checkpoints is not None:
            ctx.step += 1
            ctx.checkpoints.write(state.trial, ctx.step, agent.name, out.wrong, out.kind, env.now)
        return out, False
    return payload, True


def human_gate(ctx: TrialContext, payload: Payload):
    """A reviewer before action: waits in a queue, may stop a wrong result. ``yield from`` it."""
    d = ctx.scenario.defenses
    if not d.human_gate:
        return payload, False
    start = ctx.env.now
    if d.human_delay:
        yield ctx.env.timeout(ctx.rng.expovariate(1.0 / d.human_delay))
    stopped = payload.wrong and ctx.rng.random() < d.human_catch_rate
    ctx.record("human_gate", "review", start, "caught" if stopped else "approved")
    if stopped and ctx.state.caught_at is None:
        ctx.state.caught_at = "human_gate"
    return payload, stopped


def finish(ctx: TrialContext, payload: Payload):
    """The end of every trial: the human gate if it is on, then deliver. ``yield from`` it."""
    payload, stopped = yield from human_gate(ctx, payload)
    if stopped:
        ctx.end_detected("human_gate")
    else:
        ctx.deliver(payload)


def note_first_failure(state: TrialState, agent: str, mode: str, kind: str | None):
    if state.first_failure_agent is None:
        state.first_failure_agent, state.first_failure_mode, state.degradation = agent, mode, kind

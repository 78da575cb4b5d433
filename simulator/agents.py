"""One agent at work inside a SimPy trial: attempts, hand-off checks, retries with backoff.

The rules (what an attempt does, what a hand-off rejects) are in :mod:`simulator.rules`; this
module spends SimPy time on them and keeps the books. A payload is a kind code
(``rules.NO_KIND`` when right). The random draws come in a fixed order per attempt (own
uniform, common-cause draw when correlated, silent share, degradation kind, latency, check),
so a seed gives the same trial whatever engine internals change around it.
"""

from __future__ import annotations

import random

import simpy

from .params import Agent, Scenario
from .randomness import latency_sampler
from .rules import (
    LOUD,
    NO_KIND,
    SILENT,
    attempt,
    backoff_wait,
    common_cause,
    gate_stops,
    handed_on,
    kind_code,
    kind_name,
    outcome_code,
    rejected,
    rejection_table,
    starts_silent_failure,
)


class AgentPlan:
    """One agent's constants, worked out once per run rather than once per attempt."""

    __slots__ = ("attempts", "kind_bits", "kinds", "latency", "name", "reliability", "silent_share", "tokens")

    def __init__(self, agent: Agent, scenario: Scenario, rng: random.Random):
        self.name = agent.name
        self.reliability = agent.reliability
        self.silent_share = agent.silent_share
        self.kinds = tuple(kind_code(k) for k in agent.degradations)
        self.kind_bits = len(self.kinds).bit_length()  # the draw random.choice makes, made here directly
        self.attempts = scenario.retries_for(agent) + 1
        self.tokens = agent.tokens_per_call
        self.latency = latency_sampler(agent.latency, rng)


class TrialContext:
    """What one trial's processes share: the environment, the stream, the plans and the books.

    The runner reuses one context (and one environment) for trial after trial, since building an
    environment costs more than a whole chain of timeouts; :meth:`start` resets the books, and
    times are recorded relative to the trial's start (exact to about 1e-16 of the run's total
    simulated time).
    """

    __slots__ = (
        "backoff",
        "by_name",
        "calls",
        "caught_at",
        "checkpoints",
        "checks",
        "children",
        "correlation",
        "defenses",
        "ended_at",
        "env",
        "events",
        "extra",
        "finished_at",
        "first_agent",
        "first_kind",
        "first_mode",
        "getrandbits",
        "handoff_latency",
        "plans",
        "random",
        "reject",
        "result",
        "resume",
        "retries",
        "rng",
        "scenario",
        "shared_u",
        "step",
        "t0",
        "tokens",
        "trial",
    )

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        rng: random.Random,
        events: list | None = None,
        checkpoints=None,
        resume: dict | None = None,
        plans: tuple[AgentPlan, ...] | None = None,
    ):
        self.env, self.scenario, self.rng = env, scenario, rng
        self.random, self.getrandbits = rng.random, rng.getrandbits
        self.plans = plans or tuple(AgentPlan(a, scenario, rng) for a in scenario.agents)
        self.by_name = {p.name: p for p in self.plans}
        self.defenses = d = scenario.defenses
        self.reject = rejection_table(d)
        self.checks = any(self.reject)  # no check can reject: skip the comparison (the draw is still made)
        self.handoff_latency = d.handoff_latency
        self.backoff = d.backoff
        self.correlation = scenario.correlation
        self.events, self.checkpoints, self.resume = events, checkpoints, resume
        self.children: list = []

    def start(self, trial: int, t0: float | None = None):
        """Fresh books for ``trial``, which starts now (or at ``t0``)."""
        self.trial = trial
        self.t0 = self.env.now if t0 is None else t0
        self.shared_u = self.random()
        self.step = self.calls = self.retries = self.tokens = 0
        self.first_agent = self.first_mode = self.first_kind = None
        self.caught_at = self.ended_at = self.finished_at = self.extra = None
        self.result = NO_KIND
        if self.children:
            self.children = []

    def row(self) -> tuple:
        """The trial's row, in ``table.TRIAL_COLUMNS`` order."""
        return (
            self.trial,
            outcome_code(self.ended_at is not None, self.result),
            self.finished_at,
            self.calls,
            self.retries,
            self.tokens,
            self.first_agent,
            self.first_mode,
            self.first_kind,
            self.caught_at,
            self.ended_at,
        )

    def record(self, agent: str, activity: str, start: float, status: str, attempt: int = 0):
        if self.events is not None:
            t0 = self.t0
            self.events.append((self.trial, agent, activity, attempt, start - t0, self.env.now - t0, status))

    def note_first_failure(self, agent: str, mode: str, kind: str | None):
        if self.first_agent is None:
            self.first_agent, self.first_mode, self.first_kind = agent, mode, kind

    def note_caught(self, where: str):
        if self.caught_at is None:
            self.caught_at = where

    def end_detected(self, where: str):
        if self.ended_at is None:
            self.ended_at = where
            self.finished_at = self.env.now - self.t0

    def deliver(self, kind: int):
        self.result = kind
        self.finished_at = self.env.now - self.t0


def run_agent(ctx: TrialContext, plan: AgentPlan, in_kind: int):
    """SimPy process body for one agent; returns ``(kind, detected)``. Use with ``yield from``."""
    if ctx.resume is not None and plan.name in ctx.resume:
        ctx.record(plan.name, "restored", ctx.env.now, "from_checkpoint")
        return ctx.resume[plan.name], False
    env, draw, events, name = ctx.env, ctx.random, ctx.events, plan.name
    timeout, getrandbits, reject = env.timeout, ctx.getrandbits, ctx.reject
    reliability, silent_share, kinds = plan.reliability, plan.silent_share, plan.kinds
    n_kinds, bits = len(kinds), plan.kind_bits
    start = 0.0
    for tries in range(plan.attempts):
        if tries:
            ctx.retries += 1
            if ctx.backoff:
                start = env.now
                yield timeout(backoff_wait(ctx.backoff, tries))
                ctx.record(name, "backoff", start, "waiting", tries)
        if events is not None:
            start = env.now
        u = draw()
        if ctx.correlation:
            u = common_cause(u, ctx.shared_u, draw(), ctx.correlation)
        silent_draw = draw()
        pick = getrandbits(bits)
        while pick >= n_kinds:
            pick = getrandbits(bits)
        ctx.calls += 1
        ctx.tokens += plan.tokens
        yield timeout(plan.latency())
        result = attempt(u, silent_draw, reliability, silent_share)
        if result == LOUD:
            if ctx.first_agent is None:
                ctx.note_first_failure(name, "loud", None)
            if events is not None:
                ctx.record(name, "work", start, "loud_failure", tries)
            continue
        out = handed_on(in_kind, result, kinds[pick])
        # the first test only spares the call on the common path; the rule decides
        if result == SILENT and ctx.first_agent is None and starts_silent_failure(in_kind, result):
            ctx.note_first_failure(name, "silent", kind_name(out))
        if events is not None:
            ctx.record(name, "work", start, "wrong_output" if out >= 0 else "ok", tries)
        check = draw()
        if ctx.handoff_latency:
            start = env.now
            yield timeout(ctx.handoff_latency)
            ctx.record(name, "handoff_check", start, "checked", tries)
        if ctx.checks and rejected(check, out, reject):
            if out >= 0:
                ctx.note_caught(name)
            ctx.record(name, "handoff_check", env.now, "caught" if out >= 0 else "false_reject", tries)
            continue
        if ctx.checkpoints is not None:
            ctx.step += 1
            ctx.checkpoints.write(ctx.trial, ctx.step, name, out >= 0, kind_name(out), env.now - ctx.t0)
        return out, False
    return in_kind, True


def human_gate(ctx: TrialContext, kind: int):
    """A (simulated) reviewer before action: waits in a queue, may stop a wrong result. ``yield from`` it."""
    d = ctx.defenses
    start = ctx.env.now
    if d.human_delay:
        yield ctx.env.timeout(ctx.rng.expovariate(1.0 / d.human_delay))
    # the stream is only drawn from when the result is wrong, as the gate can only stop those
    stopped = kind >= 0 and gate_stops(kind, ctx.random(), d.human_catch_rate)
    ctx.record("human_gate", "review", start, "caught" if stopped else "approved")
    if stopped:
        ctx.note_caught("human_gate")
    return stopped


def finish(ctx: TrialContext, kind: int):
    """The end of every trial: the human gate if it is on, then deliver. ``yield from`` it."""
    if ctx.defenses.human_gate and (yield from human_gate(ctx, kind)):
        ctx.end_detected("human_gate")
    else:
        ctx.deliver(kind)

"""Parallel fan-out / fan-in, and the hybrid that puts an orchestrator in front of it.

Branches run as separate SimPy processes and drop their hand-offs into one ``Store``. The
fan-in needs ``quorum`` delivered branches (``all``: every branch; ``any``: one; ``quorum:K``:
K), else the run ends detected at ``fan_in``. Distinct subtasks: the synthesizer waits for
every branch to finish and works on all that delivered. Replicas (``redundant``): it starts
at the K-th delivery with those K. It is told how many of the N branches are present (the
completeness signal, kept in the ``branches_delivered`` column).

It acts on that signal. Replica branches (``redundant``) need only K. Distinct subtasks do
not: a synthesis from k < N of them is incomplete. With completeness signals on, the
synthesizer flags it (a detected failure at ``fan_in``); without them the partial answer goes
out looking whole, a silent failure with a missing field.
"""

from __future__ import annotations

import simpy

from ..agents import Payload, TrialContext, finish, run_agent


def _branch(ctx: TrialContext, index: int, agent, payload: Payload, inbox: simpy.Store):
    out, detected = yield from run_agent(ctx, agent, payload)
    yield inbox.put((index, out, detected))


def fan_out_in(ctx: TrialContext, payload: Payload):
    """Run the workers in parallel from ``payload``, then synthesize. ``yield from`` it."""
    scenario, env = ctx.scenario, ctx.env
    workers = scenario.workers
    inbox = simpy.Store(env)
    for index, agent in enumerate(workers):
        env.process(_branch(ctx, index, agent, payload, inbox))
    delivered: list[tuple[int, Payload]] = []
    for _ in workers:
        index, out, detected = yield inbox.get()
        if not detected:
            delivered.append((index, out))
        if scenario.redundant and len(delivered) == scenario.quorum:
            break
    ctx.state.extra["branches_delivered"] = len(delivered)
    if len(delivered) < scenario.quorum:
        ctx.end_detected("fan_in")
        return
    synth_input = next((p for _, p in sorted(delivered, key=lambda d: d[0]) if p.wrong), Payload())
    ctx.record(scenario.agents[-1].name, "fan_in", env.now, f"{len(delivered)}_of_{len(workers)}")
    if len(delivered) < len(workers) and not scenario.redundant:
        if scenario.defenses.completeness:
            if ctx.state.caught_at is None:
                ctx.state.caught_at = "fan_in"
            ctx.end_detected("fan_in")
            return
        synth_input = synth_input if synth_input.wrong else Payload(True, "missing_field")
    result, detected = yield from run_agent(ctx, scenario.agents[-1], synth_input)
    if detected:
        ctx.end_detected(scenario.agents[-1].name)
        return
    yield from finish(ctx, result)


def fanout_trial(ctx: TrialContext):
    yield from fan_out_in(ctx, Payload())


def hybrid_trial(ctx: TrialContext):
    """The orders_daily shape: an orchestrator frames, specialists fan out, synthesis fans in."""
    head = ctx.scenario.agents[0]
    framing, detected = yield from run_agent(ctx, head, Payload())
    if detected:
        ctx.end_detected(head.name)
        return
    yield from fan_out_in(ctx, framing)

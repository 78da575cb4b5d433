"""Parallel fan-out / fan-in, and the hybrid that puts an orchestrator in front of it.

Branches run as separate SimPy processes and drop their hand-offs into one ``Store``. The
fan-in waits until ``quorum`` branches have delivered (``all``: every branch; ``any``: one;
``quorum:K``: K) or every branch has finished; the synthesizer then works on the first
``quorum`` deliveries and is told how many of the N branches are present (the completeness
signal, kept in the ``branches_delivered`` column).
"""
from __future__ import annotations

import simpy

from ..agents import Payload, TrialContext, human_gate, run_agent


def _branch(ctx: TrialContext, agent, payload: Payload, inbox: simpy.Store):
    out, detected = yield from run_agent(ctx, agent, payload)
    yield inbox.put((agent.name, out, detected))


def fan_out_in(ctx: TrialContext, payload: Payload):
    """Run the workers in parallel from ``payload``, then synthesize. ``yield from`` it."""
    scenario, env = ctx.scenario, ctx.env
    workers = scenario.workers
    inbox = simpy.Store(env)
    for agent in workers:
        env.process(_branch(ctx, agent, payload, inbox))
    delivered: list[Payload] = []
    for _ in workers:
        name, out, detected = yield inbox.get()
        if not detected:
            delivered.append(out)
        if len(delivered) == scenario.quorum:
            break
    ctx.state.extra["branches_delivered"] = len(delivered)
    if len(delivered) < scenario.quorum:
        ctx.end_detected("fan_in")
        return
    synth_input = next((p for p in delivered if p.wrong), Payload())
    start = env.now
    ctx.record(scenario.agents[-1].name, "fan_in", start, f"{len(delivered)}_of_{len(workers)}")
    result, detected = yield from run_agent(ctx, scenario.agents[-1], synth_input)
    if detected:
        ctx.end_detected(scenario.agents[-1].name)
        return
    result, stopped = yield from human_gate(ctx, result)
    if stopped:
        ctx.end_detected("human_gate")
    else:
        ctx.deliver(result)


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

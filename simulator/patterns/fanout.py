"""Parallel fan-out / fan-in, and the hybrid that puts an orchestrator in front of it.

Branches run as separate SimPy processes and drop their hand-offs into one ``Store``. The
fan-in needs ``quorum`` delivered branches (``all``: every branch; ``any``: one; ``quorum:K``:
K), else the run ends detected at ``fan_in``. Distinct subtasks: the synthesizer waits for
every branch to finish and works on all that delivered. Replicas (``redundant``): it starts
at the K-th delivery with those K. It is told how many of the N branches are present (the
completeness signal, kept in the ``branches_delivered`` column), and :func:`rules.fan_in`
says what it does with that: a synthesis from fewer than all distinct subtasks is flagged by
completeness signals, or else goes out looking whole, missing a field.
"""

from __future__ import annotations

import simpy

from ..agents import TrialContext, finish, run_agent
from ..rules import INCOMPLETE_FLAGGED, NO_KIND, SHORT, fan_in, first_wrong, synthesis_input


def _branch(ctx: TrialContext, index: int, plan, kind: int, inbox: simpy.Store):
    out, detected = yield from run_agent(ctx, plan, kind)
    yield inbox.put((index, out, detected))


def fan_out_in(ctx: TrialContext, kind: int, workers):
    """Run ``workers`` (plans) in parallel from ``kind``, then synthesize. ``yield from`` it."""
    scenario, env = ctx.scenario, ctx.env
    quorum, width = scenario.quorum, len(workers)
    inbox = simpy.Store(env)
    for index, plan in enumerate(workers):
        ctx.children.append(env.process(_branch(ctx, index, plan, kind, inbox)))
    delivered: dict[int, int] = {}
    for _ in workers:
        index, out, detected = yield inbox.get()
        if not detected:
            delivered[index] = out
        if scenario.redundant and len(delivered) == quorum:
            break
    present = len(delivered)
    ctx.extra = {"branches_delivered": present}
    verdict = fan_in(present, width, quorum, scenario.redundant, scenario.defenses.completeness)
    if verdict == SHORT:
        ctx.end_detected("fan_in")
        return
    synthesizer = ctx.plans[-1]
    ctx.record(synthesizer.name, "fan_in", env.now, f"{present}_of_{width}")
    if verdict == INCOMPLETE_FLAGGED:
        ctx.note_caught("fan_in")
        ctx.end_detected("fan_in")
        return
    merged = NO_KIND
    for index in sorted(delivered):
        merged = first_wrong(merged, delivered[index])
    result, detected = yield from run_agent(ctx, synthesizer, synthesis_input(merged, verdict))
    if detected:
        ctx.end_detected(synthesizer.name)
        return
    yield from finish(ctx, result)


def fanout_trial(ctx: TrialContext):
    yield from fan_out_in(ctx, NO_KIND, ctx.plans[:-1])


def hybrid_trial(ctx: TrialContext):
    """The orders_daily shape: an orchestrator frames, specialists fan out, synthesis fans in."""
    head = ctx.plans[0]
    framing, detected = yield from run_agent(ctx, head, NO_KIND)
    if detected:
        ctx.end_detected(head.name)
        return
    yield from fan_out_in(ctx, framing, ctx.plans[1:-1])

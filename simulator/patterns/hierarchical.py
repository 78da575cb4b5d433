"""Hierarchical orchestration: an orchestrator decomposes at run time and routes to specialists.

The orchestrator frames the task (one attempt of its own), finds between ``min_subtasks`` and
``max_subtasks`` subtasks, and routes each to the specialist it belongs to with probability
``routing_accuracy``. A misrouted subtask reaches the wrong specialist, whose answer is
plausible but wrong. When a specialist's work ends in a detected failure, the orchestrator
re-routes the subtask (a fresh routing decision) if ``reroute`` is on; every specialist
dispatch costs one step of ``step_budget``. At the end the orchestrator synthesizes.
"""

from __future__ import annotations

from ..agents import TrialContext, finish, run_agent
from ..rules import NO_KIND, first_wrong, kind_code

MISROUTED = kind_code("wrong_value")


def hierarchical_trial(ctx: TrialContext):
    scenario, rng = ctx.scenario, ctx.rng
    plan = scenario.hierarchy
    orchestrator, specialists = ctx.plans[0], ctx.plans[1:]
    framing, detected = yield from run_agent(ctx, orchestrator, NO_KIND)
    if detected:
        ctx.end_detected(orchestrator.name)
        return
    subtasks = rng.randint(plan.min_subtasks, plan.max_subtasks)
    steps = misroutes = reroutes = 0
    ctx.extra = dict(subtasks=subtasks, misroutes=0, reroutes=0, steps=0)
    merged = NO_KIND
    for _ in range(subtasks):
        home = rng.randrange(len(specialists))
        while True:
            if steps >= plan.step_budget:
                ctx.extra.update(misroutes=misroutes, reroutes=reroutes, steps=steps)
                ctx.end_detected("step_budget")
                return
            steps += 1
            target, given = home, framing
            if len(specialists) > 1 and rng.random() >= plan.routing_accuracy:
                target = rng.choice([i for i in range(len(specialists)) if i != home])
                misroutes += 1
                ctx.note_first_failure(orchestrator.name, "misroute", "wrong_value")
                given = first_wrong(framing, MISROUTED)
            answer, detected = yield from run_agent(ctx, specialists[target], given)
            if not detected:
                merged = first_wrong(merged, answer)
                break
            if not plan.reroute:
                ctx.extra.update(misroutes=misroutes, reroutes=reroutes, steps=steps)
                ctx.end_detected(specialists[target].name)
                return
            reroutes += 1
    ctx.extra.update(misroutes=misroutes, reroutes=reroutes, steps=steps)
    result, detected = yield from run_agent(ctx, orchestrator, first_wrong(merged, framing))
    if detected:
        ctx.end_detected(orchestrator.name)
        return
    yield from finish(ctx, result)

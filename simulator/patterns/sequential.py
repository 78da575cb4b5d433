"""Sequential hand-off: agents run in a line, and what one returns is what the next one works on."""

from __future__ import annotations

from ..agents import TrialContext, finish, run_agent
from ..rules import NO_KIND


def sequential_trial(ctx: TrialContext):
    """One trial of a chain; a detected failure anywhere ends the run there."""
    kind = NO_KIND
    for plan in ctx.plans:
        kind, detected = yield from run_agent(ctx, plan, kind)
        if detected:
            ctx.end_detected(plan.name)
            return
    yield from finish(ctx, kind)

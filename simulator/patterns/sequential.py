"""Sequential hand-off: agents run in a line, and what one returns is what the next one works on."""

from __future__ import annotations

from ..agents import Payload, TrialContext, finish, run_agent


def sequential_trial(ctx: TrialContext):
    """One trial of a chain; a detected failure anywhere ends the run there."""
    payload = Payload()
    for agent in ctx.scenario.agents:
        payload, detected = yield from run_agent(ctx, agent, payload)
        if detected:
            ctx.end_detected(agent.name)
            return
    yield from finish(ctx, payload)

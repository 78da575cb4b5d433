"""The bridge: a simulator :class:`~simulator.params.Scenario` built from what shadow mode measured,
and the simulator's predicted outcome shares beside the measured ones.

How the measured rates become a scenario. The simulator has one catch rate for every hand-off;
the real checks catch by kind of fault, and they catch it at the agent that made it (a walk
that stopped short is caught at the lineage hand-off, a dropped finding at the synthesis one).
In the simulator a caught payload and a loud failure lead to the same thing, a retry of that
agent, so the bridge moves each agent's caught share into its loud share: its reliability is
"right and accepted by the switched-on checks", its silent share "wrong and accepted". The
human gate keeps its measured catch rate. Retries carry over; latency is left out (the
outcome shares do not depend on it).

Where the two cannot agree, and why:

* correlated faults: a silent fault is harmless on some incidents (the stale window is right
  when there was no change; direct children are all the children on a shallow graph), so an
  agent's reliability differs by incident, and a retry, or two agents, see the same incident.
  The simulator assumes independent draws; the gap is second order and small at these rates,
  but a fault that is harmless on most incidents would widen it;
* timing: the real timeouts and backoff take wall-clock time the outcome shares ignore; a
  deadline that depended on load (two cores shared by other work) would add failures the
  scenario, measured at another moment, does not have;
* checks that are not deterministic per fault kind (a check that catches some wrong answers
  of one kind and not others) would be re-applied independently by the simulator at each
  later hand-off; the real checks here look at the same fields each time, so they do not.
"""

from __future__ import annotations

import math

from simulator.analytics import expected_outcomes
from simulator.params import Agent, Defenses, Latency, Scenario
from simulator.runner import simulate

from .protocol import ROLES
from .shadow import RATE_NAMES, ShadowReport


def scenario_from(report: ShadowReport) -> Scenario:
    """The simulator's model of the system shadow mode just measured."""
    agents = []
    for role in ROLES:
        reliability, silent_share = report.effective_rates(role)
        agents.append(Agent(role, reliability, silent_share, Latency("fixed", 0.0)))
    d = report.defenses
    defenses = Defenses(
        retries=d.retries,
        human_gate=d.human_gate,
        human_catch_rate=report.gate_catch_rate() if d.human_gate else 0.9,
        human_delay=0.0,
    )
    return Scenario(
        pattern=report.pattern,
        agents=tuple(agents),
        defenses=defenses,
        name="incident_lab",
        description="built from measured first-attempt rates after each agent's own hand-off checks",
    )


def predicted(report: ShadowReport, trials: int = 200_000, seed: int = 0) -> dict:
    """The simulator's outcome shares for the measured scenario, in the CLI's key names."""
    stats = simulate(scenario_from(report), trials=trials, seed=seed).stats()
    keys = [*RATE_NAMES.values()]
    return {k: stats[k] for k in keys} | {f"{k}_ci": stats[f"{k}_ci"] for k in keys}


def exact(report: ShadowReport) -> dict[str, float]:
    """The simulator's closed form for the same scenario (no simulation noise)."""
    return expected_outcomes(scenario_from(report))


def agreement(report: ShadowReport) -> dict[str, float]:
    """Measured minus predicted for each outcome, in standard errors of the measured share."""
    measured, model = report.measured(), exact(report)
    out = {}
    for outcome, name in RATE_NAMES.items():
        p = model[outcome]
        se = math.sqrt(max(p * (1 - p), 1e-12) / report.runs)
        out[name] = (measured[name] - p) / se
    return out

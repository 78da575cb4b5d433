"""Scenario builders the lessons share: the schema-change chain, a fault injected into one agent,
the same team chained. Pure parameter setting (``dataclasses.replace``), nothing is run here."""

from __future__ import annotations

from dataclasses import replace

from .params import Agent, Latency, Scenario
from .scenarios import load_scenario

#: The module's partial-failure story: compare schemas, work out the impact, draft a fix, ship it.
SCHEMA_CHAIN = ("schema_diff", "impact", "fix", "deploy")


def _scenario(scenario: Scenario | str) -> Scenario:
    return load_scenario(scenario) if isinstance(scenario, str) else scenario


def schema_chain(reliability: float = 0.9, silent_share: float = 0.5, latency: float = 3.0, **defenses) -> Scenario:
    """The four-agent schema-change chain, every agent alike; keywords set :class:`simulator.Defenses`."""
    agents = tuple(Agent(name, reliability, silent_share, Latency("lognormal", latency, 0.4)) for name in SCHEMA_CHAIN)
    scenario = Scenario(
        pattern="sequential",
        agents=agents,
        name="schema_change_chain",
        description="schema diff, impact, fix, deploy: the module's partial-failure story",
    )
    return scenario.with_defenses(**defenses) if defenses else scenario


def inject_fault(
    scenario: Scenario | str,
    agent: str,
    reliability: float = 0.5,
    silent_share: float = 1.0,
    others: float | None = None,
) -> Scenario:
    """A copy of ``scenario`` (or a shipped scenario's name) with one agent less reliable and
    mostly silent when it fails; ``others``, when given, sets every other agent's reliability."""
    scenario = _scenario(scenario)
    names = [a.name for a in scenario.agents]
    if agent not in names:
        raise ValueError(f"{agent!r} is not an agent of {scenario.name} (have: {', '.join(names)})")
    agents = tuple(
        replace(a, reliability=reliability, silent_share=silent_share)
        if a.name == agent
        else (replace(a, reliability=others) if others is not None else a)
        for a in scenario.agents
    )
    return replace(scenario, agents=agents, name=f"{scenario.name} ({agent} degraded)")


def chained(scenario: Scenario | str = "orders_daily") -> Scenario:
    """The same agents one after another (a sequential chain), for comparing with their own pattern."""
    scenario = _scenario(scenario)
    return replace(scenario, pattern="sequential", name=f"{scenario.name} (chained)")


__all__ = ["SCHEMA_CHAIN", "schema_chain", "inject_fault", "chained"]

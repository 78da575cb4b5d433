"""Validated parameters: one agent, the defenses, and a whole scenario.

Everything a run needs is in one frozen :class:`Scenario`; the engines never read
anything else. Bad values raise :class:`ParameterError`, which names the field and
the allowed range, so the CLI and the notebooks can show one clear line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

PATTERNS = ("sequential", "fanout", "hierarchical", "mesh", "hybrid")
OUTCOMES = ("correct", "silent_failure", "detected_failure")
DEGRADATIONS = ("missing_field", "wrong_count", "truncated_list", "wrong_value")
#: Degradations that change a count, so an independent count (a completeness signal) can expose them.
COUNT_VISIBLE = frozenset({"missing_field", "wrong_count", "truncated_list"})
LATENCY_KINDS = ("fixed", "exponential", "lognormal", "uniform")


class ParameterError(ValueError):
    """A parameter is out of range; ``field`` names it, the message says what is allowed."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


def check_probability(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0.0 <= value <= 1.0) or math.isnan(value):
        raise ParameterError(name, f"must be a probability between 0 and 1 (got {value!r})")
    return float(value)


def check_count(name: str, value: int, minimum: int = 0, maximum: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        upper = f" and {maximum}" if maximum is not None else ""
        relation = f"between {minimum}{upper}" if maximum is not None else f"at least {minimum}"
        raise ParameterError(name, f"must be a whole number {relation} (got {value!r})")
    return value


def check_nonnegative(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or math.isinf(value):
        raise ParameterError(name, f"must be a finite number of at least 0 (got {value!r})")
    return float(value)


@dataclass(frozen=True)
class Latency:
    """How long one agent attempt takes, in simulated seconds.

    ``fixed`` always takes ``mean``; ``exponential`` has that mean; ``lognormal`` has that
    mean and coefficient of variation ``cv``; ``uniform`` spreads ``mean * (1 ± cv)``.
    """

    kind: str = "lognormal"
    mean: float = 2.0
    cv: float = 0.5

    def __post_init__(self):
        if self.kind not in LATENCY_KINDS:
            raise ParameterError("latency.kind", f"must be one of {', '.join(LATENCY_KINDS)} (got {self.kind!r})")
        check_nonnegative("latency.mean", self.mean)
        check_nonnegative("latency.cv", self.cv)
        if self.kind == "uniform" and self.cv > 1:
            raise ParameterError("latency.cv", f"must be at most 1 for a uniform latency (got {self.cv!r})")

    @property
    def lognormal_mu_sigma(self) -> tuple[float, float]:
        sigma2 = math.log1p(self.cv**2)
        return math.log(max(self.mean, 1e-12)) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True)
class Agent:
    """One agent. ``retries=None`` inherits the scenario-wide retries of :class:`Defenses`."""

    name: str
    reliability: float = 0.9
    silent_share: float = 0.5
    latency: Latency = field(default_factory=Latency)
    retries: int | None = None
    tokens_per_call: int = 0
    degradations: tuple[str, ...] = DEGRADATIONS

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError("agent.name", "must be a non-empty string")
        check_probability(f"{self.name}.reliability", self.reliability)
        check_probability(f"{self.name}.silent_share", self.silent_share)
        if self.retries is not None:
            check_count(f"{self.name}.retries", self.retries, 0, 20)
        check_count(f"{self.name}.tokens_per_call", self.tokens_per_call, 0)
        if not self.degradations or any(d not in DEGRADATIONS for d in self.degradations):
            raise ParameterError(
                f"{self.name}.degradations", f"must be a non-empty list drawn from {', '.join(DEGRADATIONS)}"
            )


@dataclass(frozen=True)
class Defenses:
    """The structural defenses, each a switch with its own cost in latency.

    * hand-off validation: a wrong payload is caught with ``catch_rate`` at every hand-off,
      the final one included; a right one is rejected with ``false_reject_rate``.
    * completeness signals: each payload carries a count the receiver checks against an
      independent count; count-changing degradations are caught with ``completeness_rate``.
    * state checkpoints: every hand-off is written to a store (SQLite when a path is given);
      comparing it with a baseline catches a wrong payload with ``baseline_catch_rate``.
    * retries with exponential backoff: ``retries`` re-runs after a detected failure.
    * human gate: a reviewer before the result is acted on, who catches a wrong result with
      ``human_catch_rate`` after an exponential queueing delay of mean ``human_delay``.
    """

    catch_rate: float = 0.0
    validation_latency: float = 0.0
    false_reject_rate: float = 0.0
    completeness: bool = False
    completeness_rate: float = 1.0
    checkpoints: bool = False
    checkpoint_latency: float = 0.0
    baseline_catch_rate: float = 0.0
    retries: int = 0
    backoff: float = 0.0
    human_gate: bool = False
    human_catch_rate: float = 0.9
    human_delay: float = 600.0

    def __post_init__(self):
        for name in ("catch_rate", "false_reject_rate", "completeness_rate", "baseline_catch_rate", "human_catch_rate"):
            check_probability(name, getattr(self, name))
        for name in ("validation_latency", "checkpoint_latency", "backoff", "human_delay"):
            check_nonnegative(name, getattr(self, name))
        check_count("retries", self.retries, 0, 20)

    def catch_probability(self, degradation: str) -> float:
        """Chance that one hand-off catches a wrong payload of this kind."""
        miss = 1.0 - self.catch_rate
        if self.completeness and degradation in COUNT_VISIBLE:
            miss *= 1.0 - self.completeness_rate
        if self.checkpoints:
            miss *= 1.0 - self.baseline_catch_rate
        return 1.0 - miss

    @property
    def handoff_latency(self) -> float:
        return self.validation_latency + (self.checkpoint_latency if self.checkpoints else 0.0)


@dataclass(frozen=True)
class Mesh:
    """The event-driven mesh: Poisson arrivals, subscriptions by event type, optional expiry."""

    arrival_rate: float = 1.0
    event_types: tuple[str, ...] = ("schema_change",)
    subscriptions: tuple[tuple[str, ...], ...] | None = None
    act_probability: float = 1.0
    ttl: float | None = None

    def __post_init__(self):
        if not self.arrival_rate > 0 or math.isinf(self.arrival_rate):
            raise ParameterError(
                "mesh.arrival_rate", f"must be a positive number of events per second (got {self.arrival_rate!r})"
            )
        if not self.event_types:
            raise ParameterError("mesh.event_types", "must name at least one event type")
        check_probability("mesh.act_probability", self.act_probability)
        if self.ttl is not None:
            check_nonnegative("mesh.ttl", self.ttl)


@dataclass(frozen=True)
class Hierarchy:
    """The hierarchical orchestrator: how many subtasks it finds, how well it routes, its budget."""

    min_subtasks: int = 1
    max_subtasks: int = 3
    routing_accuracy: float = 0.95
    reroute: bool = True
    step_budget: int = 12

    def __post_init__(self):
        check_count("hierarchy.min_subtasks", self.min_subtasks, 1, 50)
        check_count("hierarchy.max_subtasks", self.max_subtasks, self.min_subtasks, 50)
        check_probability("hierarchy.routing_accuracy", self.routing_accuracy)
        check_count("hierarchy.step_budget", self.step_budget, 1)


@dataclass(frozen=True)
class Scenario:
    """A whole system: its pattern, its agents, the defenses, and pattern-specific settings.

    ``redundant`` says what fan-out branches are: distinct subtasks (the default: a synthesis
    from fewer than all of them is incomplete) or replicas of one task (any K of them suffice).

    Agent roles follow the pattern: ``sequential`` runs ``agents`` in order; ``fanout`` runs
    all but the last in parallel and the last synthesizes; ``hybrid`` adds an orchestrator
    first; ``hierarchical`` has an orchestrator first and specialists after it; ``mesh``
    treats every agent as a subscriber.
    """

    pattern: str
    agents: tuple[Agent, ...]
    defenses: Defenses = field(default_factory=Defenses)
    fan_in: str = "all"
    redundant: bool = False
    correlation: float = 0.0
    mesh: Mesh = field(default_factory=Mesh)
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    name: str = "custom"
    description: str = ""
    contracts: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.pattern not in PATTERNS:
            raise ParameterError("pattern", f"must be one of {', '.join(PATTERNS)} (got {self.pattern!r})")
        object.__setattr__(self, "agents", tuple(self.agents))
        minimum = {"sequential": 1, "fanout": 2, "hybrid": 3, "hierarchical": 2, "mesh": 1}[self.pattern]
        if len(self.agents) < minimum:
            raise ParameterError(
                "agents", f"the {self.pattern} pattern needs at least {minimum} agents (got {len(self.agents)})"
            )
        names = [a.name for a in self.agents]
        if len(set(names)) != len(names):
            raise ParameterError("agents", "agent names must be unique")
        check_probability("correlation", self.correlation)
        _ = self.quorum  # validates fan_in

    @property
    def workers(self) -> tuple[Agent, ...]:
        """The parallel branches of a fan-out or hybrid."""
        if self.pattern == "fanout":
            return self.agents[:-1]
        if self.pattern == "hybrid":
            return self.agents[1:-1]
        raise ParameterError("pattern", f"{self.pattern} has no parallel workers")

    @property
    def quorum(self) -> int:
        """How many delivered branches the fan-in needs (``all`` = every branch)."""
        if self.pattern not in ("fanout", "hybrid"):
            return 0
        width = len(self.agents) - (1 if self.pattern == "fanout" else 2)
        if self.fan_in == "all":
            return width
        if self.fan_in == "any":
            return 1
        if self.fan_in.startswith("quorum:"):
            try:
                k = int(self.fan_in.split(":", 1)[1])
            except ValueError:
                k = -1
            if 1 <= k <= width:
                return k
            raise ParameterError("fan_in", f"quorum:K needs K between 1 and {width} (got {self.fan_in!r})")
        raise ParameterError("fan_in", f"must be all, any or quorum:K (got {self.fan_in!r})")

    def retries_for(self, agent: Agent) -> int:
        return self.defenses.retries if agent.retries is None else agent.retries

    def with_defenses(self, **changes) -> Scenario:
        """A copy with some defense settings changed (the other settings kept)."""
        return replace(self, defenses=replace(self.defenses, **changes))

    def replace(self, **changes) -> Scenario:
        return replace(self, **changes)


def uniform_scenario(
    pattern: str = "sequential",
    agents: int = 5,
    reliability: float = 0.9,
    silent_share: float = 0.5,
    catch_rate: float = 0.0,
    retries: int = 0,
    latency: Latency | None = None,
    **options,
) -> Scenario:
    """A scenario of identical agents, named by their role in the pattern.

    ``agents`` counts the workers: a fan-out of 3 has 3 workers and a synthesizer, a hybrid
    of 3 adds an orchestrator, a hierarchy of 3 has an orchestrator and 3 specialists.
    Extra keyword arguments go to :class:`Defenses` when they name a defense, else to
    :class:`Scenario`.
    """
    check_count("agents", agents, 1, 200)
    latency = latency or Latency()
    make = lambda name: Agent(name, reliability, silent_share, latency)
    if pattern == "fanout":
        roster = [make(f"worker_{i + 1}") for i in range(agents)] + [make("synthesizer")]
    elif pattern == "hybrid":
        roster = [make("orchestrator")] + [make(f"specialist_{i + 1}") for i in range(agents)] + [make("synthesizer")]
    elif pattern == "hierarchical":
        roster = [make("orchestrator")] + [make(f"specialist_{i + 1}") for i in range(agents)]
    else:
        roster = [make(f"agent_{i + 1}") for i in range(agents)]
    defense_names = set(Defenses.__dataclass_fields__)
    defense_options = {k: v for k, v in options.items() if k in defense_names}
    scenario_options = {k: v for k, v in options.items() if k not in defense_names}
    defenses = Defenses(catch_rate=catch_rate, retries=retries, **defense_options)
    return Scenario(pattern=pattern, agents=tuple(roster), defenses=defenses, **scenario_options)

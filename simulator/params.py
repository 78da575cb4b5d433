"""Validated parameters: one agent, the defenses, and a whole scenario.

Everything a run needs is in one frozen :class:`Scenario`; the engines never read anything
else. Each field states its range, default and meaning once (see :mod:`simulator.settings`):
the dataclasses check themselves with it, and the YAML loader and the ``orchlab`` flags read
it. Bad values raise :class:`ParameterError`, which names the field and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, replace
from typing import Any

from .settings import (
    Number,
    ParameterError,
    Text,
    check_setting,
    choice,
    default_of,
    name_lists,
    names,
    number,
    part,
    parts,
    probability,
    settings_of,
    spec_of,
    switch,
    text,
    validate,
)

PATTERNS = ("sequential", "fanout", "hierarchical", "mesh", "hybrid")
OUTCOMES = ("correct", "silent_failure", "detected_failure")
DEGRADATIONS = ("missing_field", "wrong_count", "truncated_list", "wrong_value")
#: Degradations that change a count, so an independent count (a completeness signal) can expose them.
COUNT_VISIBLE = frozenset({"missing_field", "wrong_count", "truncated_list"})
LATENCY_KINDS = ("fixed", "exponential", "lognormal", "uniform")
FAN_PATTERNS = ("fanout", "hybrid")
#: The mesh has no end of trial where a reviewer could stand.
GATED_PATTERNS = ("sequential", "fanout", "hierarchical", "hybrid")
#: Longest duration any setting may have: about 11.6 days, so every sum of durations stays finite.
MAX_SECONDS = 1_000_000
MAX_AGENTS = 200
MAX_RETRIES = 20


def check_probability(name: str, value: float) -> float:
    return Number(low=0.0, high=1.0, probability=True).check(name, value)


def check_count(name: str, value: int, minimum: int = 0, maximum: int | None = None) -> int:
    return Number(low=minimum, high=math.inf if maximum is None else maximum, whole=True).check(name, value)


def check_nonnegative(name: str, value: float) -> float:
    return Number(low=0.0).check(name, value)


def seconds(default, help: str, patterns=()):
    return number(default, 0, MAX_SECONDS, unit="seconds", help=help, patterns=patterns)


@dataclass(frozen=True)
class Run:
    """The size of a run of identical agents, as ``orchlab simulate`` and :func:`uniform_scenario` take it."""

    pattern: str = choice("sequential", PATTERNS, help="coordination pattern")
    agents: int = number(5, 1, MAX_AGENTS, whole=True, help="number of agents")
    trials: int = number(10_000, 1, 5_000_000, whole=True, help="trials")
    seed: int = number(0, 0, whole=True, help="random seed, a whole number")

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class Latency:
    """How long one agent attempt takes, in simulated seconds.

    ``fixed`` always takes ``mean``; ``exponential`` has that mean; ``lognormal`` has that
    mean and coefficient of variation ``cv``; ``uniform`` spreads ``mean * (1 ± cv)``.
    """

    kind: str = choice("lognormal", LATENCY_KINDS, help="shape of the distribution of durations")
    mean: float = seconds(2.0, "mean duration of one attempt")
    cv: float = number(0.5, 0, 10, help="coefficient of variation (spread) of the durations")

    def __post_init__(self):
        validate(self)
        if self.kind == "uniform" and self.cv > 1:
            raise ParameterError("cv", f"must be at most 1 for a uniform latency (got {self.cv!r})")

    @property
    def lognormal_mu_sigma(self) -> tuple[float, float]:
        sigma2 = math.log1p(self.cv**2)
        return math.log(max(self.mean, 1e-12)) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True)
class Agent:
    """One agent. ``retries=None`` inherits the scenario-wide retries of :class:`Defenses`."""

    name: str = text(help="the agent's name")
    reliability: float = probability(0.9, help="per-agent reliability")
    silent_share: float = probability(0.5, help="share of failures that are silent")
    latency: Latency = field(default_factory=Latency, metadata=part(Latency, help="how long one attempt takes"))
    retries: int | None = number(None, 0, MAX_RETRIES, whole=True, help="the agent's own retries")
    tokens_per_call: int = number(0, 0, 10_000_000, whole=True, help="tokens one attempt costs")
    degradations: tuple[str, ...] = names(
        DEGRADATIONS, options=DEGRADATIONS, help="the kinds of wrong payload a silent failure makes"
    )

    def __post_init__(self):
        validate(self)


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

    catch_rate: float = probability(0.0, help="hand-off validation catch rate")
    validation_latency: float = seconds(0.0, "time one hand-off check takes")
    false_reject_rate: float = probability(0.0, help="share of right payloads a check rejects")
    completeness: bool = switch(False, help="cross-check completeness signals at each hand-off")
    completeness_rate: float = probability(1.0, help="share of count-changing errors a completeness signal exposes")
    checkpoints: bool = switch(False, help="write every hand-off to a store and compare it with a baseline")
    checkpoint_latency: float = seconds(0.0, "time one checkpoint write takes")
    baseline_catch_rate: float = probability(0.0, help="share of wrong payloads the baseline comparison catches")
    retries: int = number(0, 0, MAX_RETRIES, whole=True, help="retries after a detected failure")
    backoff: float = seconds(0.0, "wait before the first retry, doubling for each further one")
    human_gate: bool = switch(False, help="put a human review before the result is acted on", patterns=GATED_PATTERNS)
    human_catch_rate: float = probability(
        0.9, help="share of wrong results the reviewer catches", patterns=GATED_PATTERNS
    )
    human_delay: float = seconds(600.0, "mean wait for the reviewer", patterns=GATED_PATTERNS)

    def __post_init__(self):
        validate(self)

    @property
    def handoff_latency(self) -> float:
        return self.validation_latency + (self.checkpoint_latency if self.checkpoints else 0.0)


@dataclass(frozen=True)
class Mesh:
    """The event-driven mesh: Poisson arrivals, subscriptions by event type, optional expiry."""

    arrival_rate: float = number(1.0, 1e-6, 1e6, unit="events per second", help="rate of the event stream")
    event_types: tuple[str, ...] = names(
        ("schema_change",),
        help="the kinds of event the stream carries (repeat one to make it commoner)",
        distinct=False,
    )
    subscriptions: tuple[tuple[str, ...], ...] | None = name_lists(
        help="per agent, the event types it acts on (default: all of them)"
    )
    act_probability: float = probability(1.0, help="chance that a subscriber acts on an event it claims")
    ttl: float | None = seconds(None, "how long an event may wait before it expires (default: never)")

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class Hierarchy:
    """The hierarchical orchestrator: how many subtasks it finds, how well it routes, its budget."""

    min_subtasks: int = number(1, 1, 50, whole=True, help="fewest subtasks the orchestrator finds")
    max_subtasks: int = number(3, 1, 50, whole=True, help="most subtasks the orchestrator finds")
    routing_accuracy: float = probability(0.95, help="chance a subtask is routed to the right specialist")
    reroute: bool = switch(True, help="re-route a subtask after a detected failure")
    step_budget: int = number(12, 1, 100_000, whole=True, help="most specialist dispatches per trial")

    def __post_init__(self):
        validate(self)
        if self.max_subtasks < self.min_subtasks:
            raise ParameterError(
                "max_subtasks", f"must be at least min_subtasks ({self.min_subtasks}) (got {self.max_subtasks})"
            )


#: Keywords of :func:`uniform_scenario` and ``simulate`` that are not scenario or defense fields.
KEYWORD_SETTINGS = ("agents", "reliability", "silent_share", "latency", "contracts", "context")


def check_applies(pattern: str, name: str) -> None:
    """Refuse keyword setting ``name`` when it is unknown, or when ``pattern`` would ignore it."""
    owner = next((c for c in (Scenario, Defenses) if name in settings_of(c)), None)
    if owner is None and name not in KEYWORD_SETTINGS:
        known = sorted({*settings_of(Scenario), *settings_of(Defenses), *KEYWORD_SETTINGS})
        raise ParameterError(name, f"is not a setting (have: {', '.join(known)})")
    patterns = spec_of(owner, name).patterns if owner else ()
    if patterns and pattern not in patterns:
        listed = " and ".join((", ".join(patterns[:-1]), patterns[-1])) if len(patterns) > 1 else patterns[0]
        plural = "s" if len(patterns) > 1 else ""
        raise ParameterError(name, f"applies to the {listed} pattern{plural} only, not to {pattern}")


@dataclass(frozen=True)
class FanIn(Text):
    """A fan-in policy: ``all``, ``any`` or ``quorum:K`` (K is checked against the branches by the scenario)."""

    def allowed(self) -> str:
        return "all, any or quorum:K with K a whole number of branches"

    def check(self, name: str, value: Any) -> Any:
        count = value[7:] if isinstance(value, str) and value.startswith("quorum:") else ""
        if value not in ("all", "any") and not (count.isascii() and count.isdigit() and len(count) < 5):
            raise self.refuse(name, value)
        return value


#: Fewest agents each pattern needs in its roster.
MIN_ROSTER = {"sequential": 1, "fanout": 2, "hybrid": 3, "hierarchical": 2, "mesh": 1}


@dataclass(frozen=True)
class Scenario:
    """A whole system: its pattern, its agents, the defenses, and pattern-specific settings.

    ``redundant`` says what fan-out branches are: distinct subtasks (the default: a synthesis
    from fewer than all of them is incomplete) or replicas of one task (any K of them suffice).

    Agent roles follow the pattern: ``sequential`` runs ``agents`` in order; ``fanout`` runs
    all but the last in parallel and the last synthesizes; ``hybrid`` adds an orchestrator
    first; ``hierarchical`` has an orchestrator first and specialists after it; ``mesh``
    treats every agent as a subscriber. A setting for another pattern (a fan-in on a chain,
    a mesh stream on a fan-out) is refused rather than ignored.
    """

    pattern: str = choice(MISSING, PATTERNS, help="coordination pattern")
    agents: tuple[Agent, ...] = parts(Agent, help="the agents, in the pattern's order", most=MAX_AGENTS + 2)
    defenses: Defenses = field(default_factory=Defenses, metadata=part(Defenses, help="the structural defenses"))
    fan_in: str = field(default="all", metadata={"spec": FanIn("fan-in policy: all, any or quorum:K", FAN_PATTERNS)})
    redundant: bool = switch(
        False, help="fan-out branches are replicas of one task, not distinct subtasks", patterns=FAN_PATTERNS
    )
    correlation: float = probability(0.0, help="common-cause failure share")
    mesh: Mesh = field(
        default_factory=Mesh, metadata=part(Mesh, help="the event stream and its subscribers", patterns=("mesh",))
    )
    hierarchy: Hierarchy = field(
        default_factory=Hierarchy,
        metadata=part(Hierarchy, help="the orchestrator's planning", patterns=("hierarchical",)),
    )
    name: str = text("custom", help="the scenario's name")
    description: str = text("", help="what the scenario models", free=True)
    contracts: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        validate(self)
        minimum = MIN_ROSTER[self.pattern]
        if len(self.agents) < minimum:
            raise ParameterError(
                "agents", f"the {self.pattern} pattern needs at least {minimum} agents (got {len(self.agents)})"
            )
        names = [a.name for a in self.agents]
        if len(set(names)) != len(names):
            raise ParameterError("agents", "agent names must be unique")
        for owner in (self, self.defenses):
            for name in settings_of(type(owner)):
                if spec_of(type(owner), name).patterns and getattr(owner, name) != default_of(type(owner), name):
                    check_applies(self.pattern, name)
        subscriptions = self.mesh.subscriptions
        if subscriptions is not None and len(subscriptions) != len(self.agents):
            raise ParameterError(
                "mesh.subscriptions", f"must list one entry per agent ({len(self.agents)}, got {len(subscriptions)})"
            )
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
            count = self.fan_in.split(":", 1)[1]
            k = int(count) if count.isascii() and count.isdigit() and len(count) < 5 else -1
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
    pattern: str = default_of(Run, "pattern"),
    agents: int = default_of(Run, "agents"),
    reliability: float = default_of(Agent, "reliability"),
    silent_share: float = default_of(Agent, "silent_share"),
    catch_rate: float = default_of(Defenses, "catch_rate"),
    retries: int = default_of(Defenses, "retries"),
    latency: Latency | None = None,
    **options,
) -> Scenario:
    """A scenario of identical agents, named by their role in the pattern.

    ``agents`` counts the workers: a fan-out of 3 has 3 workers and a synthesizer, a hybrid
    of 3 adds an orchestrator, a hierarchy of 3 has an orchestrator and 3 specialists.
    Extra keyword arguments go to :class:`Defenses` when they name a defense, else to
    :class:`Scenario`.
    """
    agents = check_setting(Run, "agents", agents)
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
    for name in options:
        check_applies(pattern, name)
    defense_names = set(Defenses.__dataclass_fields__)
    defense_options = {k: v for k, v in options.items() if k in defense_names}
    scenario_options = {k: v for k, v in options.items() if k not in defense_names}
    defenses = Defenses(catch_rate=catch_rate, retries=retries, **defense_options)
    return Scenario(pattern=pattern, agents=tuple(roster), defenses=defenses, **scenario_options)

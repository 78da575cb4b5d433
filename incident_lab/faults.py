"""Faults injected into what agents do, never into labels.

Each attempt of an agent draws, from its own seeded stream, whether it behaves (with the
agent's reliability ``P``), fails silently (share ``S`` of failures: the agent is told to do
its plausible wrong thing) or fails loudly: half the loud failures run a query that DuckDB
rejects (the attempt raises), half run a query too slow for the deadline, which a timer
interrupts (the attempt times out). Whether the output was wrong is not recorded here: the
judge decides it afterwards against the truth.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import duckdb

from simulator.params import ParameterError, check_probability

from .protocol import ROLES

#: The silent fault of each role, by name (what the scripted agent does when told ``silent``).
SILENT_FAULTS = {
    "orchestrator": "late_window",
    "lineage": "one_hop_short",
    "source": "stale_window",
    "impact": "direct_children_only",
    "synthesizer": "dropped_finding",
}
LOUD_FAULTS = ("raises", "times_out")
DEADLINE = 0.005  # seconds a deliberately slow query may run before the timer interrupts it


class AgentTimeout(TimeoutError):
    """An attempt ran past its deadline and was interrupted."""


@dataclass(frozen=True)
class FaultPlan:
    """Per-role reliability ``P`` and silent share ``S``; roles left out never fail on purpose."""

    settings: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self):
        for role, (p, s) in self.settings.items():
            if role not in ROLES:
                raise ParameterError("fault", f"{role!r} is not an agent; the agents are {', '.join(ROLES)}")
            check_probability(f"{role} reliability", p)
            check_probability(f"{role} silent share", s)

    @classmethod
    def parse(cls, specs: list[str] | tuple[str, ...]) -> FaultPlan:
        """From ``AGENT=P[:S]`` strings (S defaults to 0.5), as ``orchlab incident --fault`` takes them."""
        settings = {}
        for spec in specs:
            role, sep, rest = spec.partition("=")
            if not sep:
                raise ParameterError("fault", f"{spec!r} must look like AGENT=P or AGENT=P:S")
            p_text, _, s_text = rest.partition(":")
            settings[role.strip()] = (_number(spec, "P", p_text), _number(spec, "S", s_text or "0.5"))
        return cls(settings)

    def draw(self, role: str, rng: random.Random) -> str | None:
        """This attempt's fault: None, ``"silent"``, ``"raises"`` or ``"times_out"``."""
        p, s = self.settings.get(role, (1.0, 0.0))
        u, v, w = rng.random(), rng.random(), rng.random()
        if u < p:
            return None
        if v < s:
            return "silent"
        return LOUD_FAULTS[w < 0.5]


def _number(spec: str, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParameterError("fault", f"{spec!r}: {name} must be a probability from 0 to 1 (got {text!r})") from None
    if not 0.0 <= value <= 1.0:
        raise ParameterError("fault", f"{spec!r}: {name} must be a probability from 0 to 1 (got {text})")
    return value


def act_out_loud_fault(kind: str, cursor, role: str) -> None:
    """Make this attempt fail loudly for real, on the agent's own cursor."""
    if kind == "raises":
        # a query against a column the agent misremembers: DuckDB refuses to bind it
        cursor.execute(f"SELECT {role}_finding_id FROM ops.alerts").fetchall()
        raise AssertionError("unreachable: the query above must fail")  # pragma: no cover
    done = threading.Event()

    def watchdog():
        # interrupt until the query stops: one interrupt sent before the query starts would be lost
        if not done.wait(DEADLINE):
            while not done.is_set():
                cursor.interrupt()
                done.wait(0.002)

    timer = threading.Thread(target=watchdog, daemon=True)
    timer.start()
    try:
        cursor.execute("SELECT count(*) FROM range(20000000000) AS a(x) WHERE x % 7 = 3").fetchall()
    except duckdb.InterruptException:
        raise AgentTimeout(f"the {role} agent's query ran past its {DEADLINE * 1000:.0f} ms deadline") from None
    finally:
        done.set()
        timer.join()
    raise AgentTimeout(f"the {role} agent's query ran past its {DEADLINE * 1000:.0f} ms deadline")

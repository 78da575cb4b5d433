"""Grading hand-off contracts by simulation: right payloads, injected partial failures, and
what the measured catch rate leaves as silent failures in the orders_daily scenario.

The learner's contract is interpreted by :mod:`grader.contract_schema` (never executed). It is
applied to right payloads (it must accept them all) and to payloads broken by
``simulator.contracts.degrade``. A broken payload only counts as caught when the contract also
accepts the right payload it came from: rejecting everything is not catching anything.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import lru_cache

from ..contract_schema import parse_contracts, validate
from ..outcome import Outcome

AGENTS = ("lineage", "source", "impact")
SEEDS = range(12)


@dataclass(frozen=True)
class Case:
    agent: str
    injection: str  # "" for a right payload
    payload: dict
    label: str


@dataclass
class Measurement:
    problems: list[str] = field(default_factory=list)
    rejected_right: list[tuple[Case, list[str]]] = field(default_factory=list)
    caught: list[Case] = field(default_factory=list)
    slipped: list[Case] = field(default_factory=list)

    @property
    def catch_rate(self) -> float:
        total = len(self.caught) + len(self.slipped)
        return len(self.caught) / total if total else 0.0


def _describe(agent: str, right: dict, bad: dict) -> str:
    missing = [k for k in right if k not in bad]
    if missing:
        return f"{agent} without {', '.join(missing)}"
    changed = [k for k in right if bad.get(k) != right[k]]
    parts = []
    for key in changed:
        value = bad[key]
        if isinstance(value, list):
            parts.append(f"{key} cut to {len(value)} item{'s' if len(value) != 1 else ''}")
        else:
            parts.append(f"{key}={value!r}")
    return f"{agent} with " + ", ".join(parts)


@lru_cache(maxsize=1)
def cases() -> tuple[tuple[Case, ...], tuple[Case, ...]]:
    """Right payloads (the kit's examples plus a no-change and a zero-impact one) and broken ones."""
    from simulator.contracts import INJECTIONS, degrade, example_handoffs

    examples = example_handoffs()
    right = [Case(a, "", examples[a], f"{a} (the worked example)") for a in AGENTS]
    no_change = dict(examples["source"], last_api_change="no change detected")
    right.append(Case("source", "", no_change, 'source reporting "no change detected"'))
    right.append(Case("impact", "", {"affected_downstream_models": 0, "models": []}, "impact with no affected models"))
    broken, seen = [], set()
    for agent in AGENTS:
        for injection in INJECTIONS:
            for seed in SEEDS:
                try:
                    bad = degrade(agent, examples[agent], injection, random.Random(seed))
                except ValueError:
                    break  # this injection does not apply to this agent's payload
                key = json.dumps(bad, sort_keys=True, default=str)
                if bad == examples[agent] or key in seen:
                    continue
                seen.add(key)
                broken.append(Case(agent, injection, bad, f"{injection}: {_describe(agent, examples[agent], bad)}"))
    return tuple(right), tuple(broken)


def measure(contract_data) -> Measurement:
    right, broken = cases()
    contracts, problems = parse_contracts(contract_data, AGENTS)
    result = Measurement(problems=problems)
    accepts_origin = {}
    for case in right:
        contract = contracts.get(case.agent)
        reasons = validate(contract, case.payload) if contract else []
        if reasons:
            result.rejected_right.append((case, reasons))
        if case.label.endswith("(the worked example)"):
            accepts_origin[case.agent] = not reasons
    for case in broken:
        contract = contracts.get(case.agent)
        rejected = bool(contract and validate(contract, case.payload))
        (result.caught if rejected and accepts_origin[case.agent] else result.slipped).append(case)
    return result


@lru_cache(maxsize=256)
def simulated_rates(catch_rate: float, trials: int, seed: int) -> tuple[float, float] | None:
    """(silent-failure rate with this catch rate, silent-failure rate with none), or None if the
    simulator cannot run."""
    try:
        from simulator import simulate
    except ImportError:
        return None
    try:
        with_contract = simulate("orders_daily", catch_rate=catch_rate, trials=trials, seed=seed).stats()
        without = simulate("orders_daily", catch_rate=0.0, trials=trials, seed=seed).stats()
    except Exception:  # the simulator is optional here: grading must not stop on it
        return None
    return float(with_contract["silent_failure_rate"]), float(without["silent_failure_rate"])


def _list(cases_: list[Case], limit: int = 6) -> str:
    shown = "; ".join(c.label for c in cases_[:limit])
    return shown + (f"; and {len(cases_) - limit} more" if len(cases_) > limit else "")


def handoff_check(contract_data, check: dict, cache: dict) -> Outcome:
    if "handoff_measure" not in cache:
        cache["handoff_measure"] = measure(contract_data)
    m: Measurement = cache["handoff_measure"]
    evidence = f"caught {len(m.caught)} of {len(m.caught) + len(m.slipped)} injected failures"
    notes = ("Notes on your contract: " + "; ".join(m.problems[:5]) + ".") if m.problems else ""
    what = check.measure
    if what == "accepts_right":
        if not m.rejected_right:
            return Outcome(True, 1.0, "accepted every right payload", "pass", notes)
        rejected = "; ".join(f"{c.label} ({', '.join(r[:2])})" for c, r in m.rejected_right)
        return Outcome(
            False,
            1.0,
            f"rejected {len(m.rejected_right)} right payload{'s' if len(m.rejected_right) != 1 else ''}",
            "fail",
            f"Rejected although right: {rejected}. {notes}".strip(),
        )
    if what == "catch":
        wanted = set(check.injections)
        slipped = [c for c in m.slipped if c.injection in wanted]
        caught = [c for c in m.caught if c.injection in wanted]
        evidence = f"caught {len(caught)} of {len(caught) + len(slipped)}"
        if not slipped:
            return Outcome(True, 1.0, evidence, "pass")
        return Outcome(False, 1.0, evidence, "fail", f"Slipped through: {_list(slipped)}.")
    if what == "silent_rate":
        trials, seed = check.trials, check.seed
        rate = round(m.catch_rate, 3)
        rates = simulated_rates(rate, trials, seed)
        slipped = f" Slipped through: {_list(m.slipped)}." if m.slipped else ""
        if rates is None:
            ok = rate >= check.min_catch_rate
            return Outcome(
                ok,
                0.6,
                evidence,
                "pass" if ok else "fail",
                f"Catch rate {rate:.0%}; the simulator was unavailable, so this was judged on the "
                f"catch rate alone.{slipped}",
            )
        silent, baseline = rates
        ok = silent <= check.max_silent
        detail = (
            f"Your contract caught {rate:.0%} of the injected failures. In {trials:,} simulated orders_daily "
            f"incidents with that catch rate at every hand-off, {silent:.1%} end with a wrong answer "
            f"delivered silently (with no validation: {baseline:.1%}).{slipped}"
        )
        return Outcome(ok, 1.0, evidence, "pass" if ok else "fail", detail)
    raise ValueError(f"unknown hand-off measure {what!r}")

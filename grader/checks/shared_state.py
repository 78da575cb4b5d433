"""Grading a state-synchronization choice by simulation: the lost updates it would have had.

The strategy the learner picked runs in ``simulator.shared_state.run_shared_state`` with the
rubric's settings; the check passes when no update is lost. If that simulator is missing,
the check falls back to what the strategies are known to do and asks for a human look.
"""

from __future__ import annotations

from functools import lru_cache

from ..answers import read_choice
from ..outcome import Outcome

KNOWN_LOSSY = {"blind_overwrite"}


@lru_cache(maxsize=64)
def _run(strategy: str, agents: int, updates: int, contention: float, seed: int) -> dict | None:
    try:
        from simulator.shared_state import run_shared_state
    except ImportError:
        return None
    return run_shared_state(strategy, agents=agents, updates=updates, contention=contention, seed=seed)


def shared_state_check(value, check: dict, cache: dict, options: dict[str, list[str]]) -> Outcome:
    strategy = read_choice(value, options) if options else str(value).strip()
    if strategy is None:
        names = ", ".join(option.replace("_", " ") for option in options)
        return Outcome(
            False, 1.0, str(value), "unknown_option", f"'{value}' names no single strategy; write one of: {names}."
        )
    params = dict(
        agents=int(check.agents),
        updates=int(check.updates),
        contention=float(check.contention),
        seed=int(check.seed),
    )
    run = _run(strategy, **params)
    if run is None:
        ok = strategy not in KNOWN_LOSSY
        return Outcome(
            ok,
            0.6,
            strategy,
            "pass" if ok else "fail",
            "The shared-state simulator is not installed, so this was judged from how the strategy is known to behave.",
        )
    baseline = _run("blind_overwrite", **params)
    ok = run["lost_updates"] <= check.max_lost
    detail = (
        f"Simulated with {params['agents']} agents making {params['updates']} updates each at contention "
        f"{params['contention']:g}: {strategy.replace('_', ' ')} lost {run['lost_updates']} of "
        f"{run['expected_total']} updates, needed {run['conflict_retries']} conflict retries, "
        f"throughput {run['throughput']:.2f} updates/s."
    )
    if baseline and strategy != "blind_overwrite":
        detail += f" A blind overwrite loses {baseline['lost_updates']} in the same run."
    return Outcome(ok, 1.0, strategy, "pass" if ok else "fail", detail)

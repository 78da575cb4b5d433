"""Shared state under concurrent agents: four strategies for one record, simulated in SimPy.

Every agent makes ``updates`` read-modify-write increments to one shared counter. Each
update reads, works for an exponential time (mean ``work_time`` seconds), then writes.
``contention`` is the share of its time an agent spends inside that read-to-write window
(the rest it thinks, exponentially): near 0 writes rarely overlap, at 1 they always can.

Each agent draws its thinking and first attempts from a stream of its own, and the work of any
retry from a second one, so the four strategies meet the same draws (common random numbers):
they differ only by what conflicts cost them. ``conflict_free_duration`` is the time the same
agents need when nothing conflicts, the baseline of :func:`simulator.throughput_share`.

* ``blind_overwrite`` writes what it computed: overlapping updates are lost (the baseline);
* ``optimistic_locking`` writes only if the version it read is still current, else re-reads
  and redoes the work (a conflict retry);
* ``event_sourcing`` appends an event; the state is the replayed log;
* ``agent_scoped`` keeps a counter per agent; the total comes from their hand-offs.
"""

from __future__ import annotations

import pandas as pd
import simpy

from .params import ParameterError, check_count
from .randomness import child_seeds, python_stream

STRATEGIES = ("blind_overwrite", "optimistic_locking", "event_sourcing", "agent_scoped")


def _check(strategy: str, agents: int, updates: int, contention: float):
    if strategy not in STRATEGIES:
        raise ParameterError("strategy", f"must be one of {', '.join(STRATEGIES)} (got {strategy!r})")
    check_count("agents", agents, 1, 500)
    check_count("updates", updates, 1, 100_000)
    if not (isinstance(contention, (int, float)) and 0 < contention <= 1):
        raise ParameterError("contention", f"must be above 0 and at most 1 (got {contention!r})")


def run_shared_state(
    strategy: str,
    agents: int = 4,
    updates: int = 50,
    contention: float = 0.5,
    seed: int | None = 0,
    work_time: float = 1.0,
) -> dict:
    """One run of one strategy; returns lost updates, conflict retries, throughput and latency."""
    _check(strategy, agents, updates, contention)
    streams = [python_stream(child) for child in child_seeds(seed, 2 * agents)]
    pace, redo = streams[:agents], streams[agents:]  # per agent: thinking and first attempts; retries
    conflict_free = [0.0] * agents
    env = simpy.Environment()
    record = {"value": 0, "version": 0}
    log: list[int] = []
    own = [0] * agents
    latencies: list[float] = []
    conflicts = 0
    think_mean = work_time * (1 - contention) / contention

    def agent(i: int):
        nonlocal conflicts
        for _ in range(updates):
            if think_mean:
                thinking = pace[i].expovariate(1 / think_mean)
                conflict_free[i] += thinking
                yield env.timeout(thinking)
            started = env.now
            work = pace[i].expovariate(1 / work_time)
            conflict_free[i] += work
            while True:
                seen_value, seen_version = record["value"], record["version"]
                if strategy == "agent_scoped":
                    seen_value = own[i]
                yield env.timeout(work)
                work = redo[i].expovariate(1 / work_time)  # the next try, if this one conflicts
                if strategy == "optimistic_locking" and record["version"] != seen_version:
                    conflicts += 1
                    continue
                break
            if strategy == "event_sourcing":
                log.append(i)
            elif strategy == "agent_scoped":
                own[i] = seen_value + 1
            else:
                record["value"], record["version"] = seen_value + 1, record["version"] + 1
            latencies.append(env.now - started)

    for i in range(agents):
        env.process(agent(i))
    env.run()
    final = len(log) if strategy == "event_sourcing" else sum(own) if strategy == "agent_scoped" else record["value"]
    expected = agents * updates
    return dict(
        strategy=strategy,
        agents=agents,
        updates=updates,
        contention=contention,
        expected_total=expected,
        final_value=final,
        lost_updates=expected - final,
        conflict_retries=conflicts,
        throughput=final / env.now if env.now else 0.0,
        mean_latency=sum(latencies) / len(latencies),
        duration=env.now,
        conflict_free_duration=max(conflict_free),
    )


def compare_strategies(
    agents: int = 4, updates: int = 50, contention: float = 0.5, seed: int | None = 0, strategies=STRATEGIES
) -> pd.DataFrame:
    """All strategies on the same settings and seed, one row each."""
    return pd.DataFrame([run_shared_state(s, agents, updates, contention, seed) for s in strategies])


def contention_sweep(
    levels=(0.1, 0.25, 0.5, 0.75, 1.0), agents: int = 4, updates: int = 50, seed: int | None = 0
) -> pd.DataFrame:
    """Every strategy at every contention level: a tidy table for a line chart."""
    return pd.concat([compare_strategies(agents, updates, c, seed) for c in levels], ignore_index=True)

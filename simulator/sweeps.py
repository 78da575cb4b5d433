"""Seeded sweeps over named settings, and tables read off a run: the numbers the lessons print.

Every function returns a DataFrame (or plain lists) and draws nothing; the same seed gives
the same numbers. The explorers draw these tables; the lessons print them.
"""

from __future__ import annotations

import pandas as pd

from . import builders
from .params import OUTCOMES, Latency, Mesh, Scenario
from .patterns.mesh import queue_levels
from .results import SimulationResult
from .runner import simulate, sweep

#: Every named set of defenses a lesson switches on, one spelling for each.
DEFENSE_SETTINGS: dict[str, dict] = {
    "no defenses": {},
    "hand-off validation (catch 60%)": dict(catch_rate=0.6),
    "checkpoints vs baseline (catch 50%)": dict(checkpoints=True, baseline_catch_rate=0.5),
    "completeness signals": dict(completeness=True),
    "human gate (catch 90%)": dict(human_gate=True),
    "retries = 2 alone": dict(retries=2),
    "validation + retries = 2": dict(catch_rate=0.6, retries=2),
    "all three": dict(catch_rate=0.6, checkpoints=True, baseline_catch_rate=0.5, completeness=True),
    "all three + 2 retries": dict(
        catch_rate=0.6, checkpoints=True, baseline_catch_rate=0.5, completeness=True, retries=2
    ),
}


def defense_steps(*names: str) -> dict[str, dict]:
    """The named settings of :data:`DEFENSE_SETTINGS`, in the order given."""
    unknown = [n for n in names if n not in DEFENSE_SETTINGS]
    if unknown:
        raise ValueError(f"unknown defense setting {unknown[0]!r} (have: {', '.join(DEFENSE_SETTINGS)})")
    return {n: DEFENSE_SETTINGS[n] for n in names}


#: Lesson 03: the three structural defenses one at a time, together, then with retries.
THREE_DEFENSES = defense_steps(
    "no defenses",
    "hand-off validation (catch 60%)",
    "checkpoints vs baseline (catch 50%)",
    "completeness signals",
    "all three",
    "all three + 2 retries",
)
#: Lesson 06: the same defenses and the human gate, and what retries add.
INCIDENT_DEFENSES = defense_steps(
    "no defenses",
    "hand-off validation (catch 60%)",
    "completeness signals",
    "checkpoints vs baseline (catch 50%)",
    "human gate (catch 90%)",
    "retries = 2 alone",
    "validation + retries = 2",
    "all three + 2 retries",
)


def _outcome_row(result) -> dict:
    """One row of a sweep: the rate of each outcome by its name, mean time and calls."""
    stats = result.stats()
    return dict(**result.rates(), mean_latency_s=stats["mean_latency"], mean_calls=stats["mean_calls"])


def defense_table(
    scenario: Scenario, steps: dict[str, dict] | None = None, trials: int = 10_000, seed: int = 0
) -> pd.DataFrame:
    """Outcome rates, mean time and calls of ``scenario`` under each named set of defenses
    (default :data:`THREE_DEFENSES`), the same seed for every row; indexed by ``defenses``."""
    rows = []
    for label, settings in (steps if steps is not None else THREE_DEFENSES).items():
        run = simulate(scenario.with_defenses(**settings) if settings else scenario, trials=trials, seed=seed)
        rows.append(dict(defenses=label, **_outcome_row(run)))
    return pd.DataFrame(rows).set_index("defenses")


def retry_table(
    scenario: Scenario, retries=(0, 1, 2, 3), catch_rates=(0.0, 0.9), trials: int = 20_000, seed: int = 0
) -> pd.DataFrame:
    """Outcome rates as retries grow, for each hand-off catch rate."""
    rows = []
    for catch in catch_rates:
        for r in retries:
            run = simulate(scenario.with_defenses(catch_rate=catch, retries=r), trials=trials, seed=seed)
            rows.append(dict(catch_rate=catch, retries=r, **_outcome_row(run)))
    return pd.DataFrame(rows)


def outcome_shares(result: SimulationResult) -> list[float]:
    """Share of runs ending in each of :data:`simulator.OUTCOMES`, in that order."""
    counts = result.trials["outcome"].value_counts().reindex(OUTCOMES, fill_value=0)
    return [float(c) / len(result.trials) for c in counts]


def where_caught_table(result: SimulationResult) -> pd.DataFrame:
    """``result.where_caught()`` with rows and columns in the agents' order and "never" last."""
    table = result.where_caught()
    agents = [a.name for a in result.scenario.agents]
    columns = [c for c in agents if c in table.columns] + [c for c in table.columns if c not in agents]
    return table.reindex(index=[a for a in agents if a in table.index], columns=columns, fill_value=0)


def caught_shares(result: SimulationResult) -> list[float]:
    """Share of all runs whose wrong payload was first caught after each agent, then never caught."""
    table = result.where_caught()
    counts = table.sum(axis=0) if not table.empty else pd.Series(dtype=float)
    names = [a.name for a in result.scenario.agents] + ["never (delivered)"]
    return [float(counts.get(name, 0)) / len(result.trials) for name in names]


def degradation_table(result: SimulationResult) -> pd.DataFrame:
    """For runs whose first failure was silent: how each kind of degradation ended (shares of that kind)."""
    wrong = result.trials[result.trials["first_failure_mode"] == "silent"]
    table = pd.crosstab(wrong["degradation"], wrong["outcome"], normalize="index")
    return table.reindex(columns=list(OUTCOMES), fill_value=0.0)


def silent_run(seed: int = 4, trials: int = 60, reliability: float = 0.9) -> tuple[SimulationResult, int]:
    """A traced run of the chain, and the first trial in which ``schema_diff`` failed silently and
    the wrong result was delivered without an error."""
    result = simulate(builders.schema_chain(reliability, silent_share=1.0), trials=trials, seed=seed, trace=True)
    rows = result.trials[
        (result.trials["first_failure_agent"] == builders.SCHEMA_CHAIN[0])
        & (result.trials["outcome"] == "silent_failure")
    ]
    if rows.empty:
        raise ValueError("no silent failure starting at schema_diff in this run: change the seed or add trials")
    return result, int(rows["trial"].iloc[0])


def propagation_steps(result: SimulationResult, trial: int) -> pd.DataFrame:
    """One row per agent of a traced trial: what it received, what it returned, what the log said."""
    events = result.events[(result.events["trial"] == trial) & (result.events["activity"] == "work")]
    row = result.trials.set_index("trial").loc[trial]
    out, wrong_in = [], False
    for step, agent in enumerate((a.name for a in result.scenario.agents), 1):
        mine = events[events["agent"] == agent]
        if mine.empty:
            break
        last = mine.iloc[-1]
        wrong_out = last["status"] == "wrong_output"
        caught = result.events[
            (result.events["trial"] == trial)
            & (result.events["agent"] == agent)
            & (result.events["status"] == "caught")
        ]
        out.append(
            dict(
                step=step,
                agent=agent,
                received="wrong" if wrong_in else "right",
                returned="wrong" if wrong_out else ("failed loudly" if last["status"] == "loud_failure" else "right"),
                started_here=row["first_failure_agent"] == agent,
                degradation=row["degradation"] if row["first_failure_agent"] == agent else None,
                caught=not caught.empty,
                log="error" if last["status"] == "loud_failure" else "success",
                finished_at=round(float(last["end"]), 1),
            )
        )
        wrong_in = wrong_out
    return pd.DataFrame(out)


def pattern_latency(
    agents=range(1, 9),
    patterns=("sequential", "fanout", "hierarchical", "hybrid"),
    latency: float = 2.0,
    spread: float = 0.5,
    trials: int = 600,
    seed: int = 0,
) -> pd.DataFrame:
    """End-to-end time (median and 90th percentile) by pattern and number of agents."""
    frame = sweep(
        {"pattern": list(patterns), "agents": list(agents)},
        trials=trials,
        seed=seed,
        reliability=0.95,
        latency=Latency("lognormal", latency, spread),
    )
    return frame[["pattern", "agents", "latency_p50", "latency_p90", "success_rate", "mean_calls"]]


def mesh_load(
    rates=(0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
    agents: int = 3,
    latency: float = 2.0,
    ttl: float = 10.0,
    events: int = 400,
    seed: int = 0,
) -> pd.DataFrame:
    """The mesh at rising event rates: throughput, backlog and missed events per run."""
    frame = sweep(
        {"mesh": [Mesh(arrival_rate=r, ttl=ttl) for r in rates]},
        pattern="mesh",
        agents=agents,
        trials=events,
        seed=seed,
        reliability=0.95,
        latency=Latency("exponential", latency),
    )
    frame.insert(0, "arrival_rate", list(rates))
    frame["missed_per_s"] = frame["missed_events"] / frame["horizon"]
    frame["capacity"] = agents / latency
    columns = ["arrival_rate", "throughput", "missed_events", "missed_per_s", "mean_backlog", "peak_backlog"]
    return frame[[*columns, "utilization", "capacity"]]


def throughput_share(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a :func:`simulator.compare_strategies` or ``contention_sweep`` table with
    ``throughput_share``: throughput as a share of what the same agents, with the same draws, reach
    when nothing conflicts (every update kept, no retries: ``conflict_free_duration``).

    The contention knob sets how much of its time an agent spends inside the read-to-write window
    by shortening its thinking time, so more contention also means more attempts per second: raw
    throughput rises with contention for every strategy. The share takes that out: event sourcing
    and agent-scoped state stay at 1, blind overwrite keeps the share of updates it did not lose,
    and optimistic locking the share of time not spent redoing work.
    """
    out = table.copy()
    out["throughput_share"] = out["throughput"] * out["conflict_free_duration"] / out["expected_total"]
    return out


def backlog_curve(result: SimulationResult) -> tuple[list[float], list[int], list[float], list[int]]:
    """Events waiting over time (:func:`simulator.patterns.mesh.queue_levels`, the measure behind the
    run's ``mean_backlog`` and ``peak_backlog``), and missed events so far, from a mesh run's trials."""
    frame = result.trials
    times, waiting = queue_levels(frame["arrival"], frame["wait"])
    missed_at = sorted((frame["arrival"] + frame["wait"])[frame["missed"]].tolist())
    return times, waiting, [0.0] + missed_at, list(range(len(missed_at) + 1))


__all__ = [
    "DEFENSE_SETTINGS",
    "THREE_DEFENSES",
    "INCIDENT_DEFENSES",
    "defense_steps",
    "defense_table",
    "retry_table",
    "outcome_shares",
    "where_caught_table",
    "caught_shares",
    "degradation_table",
    "pattern_latency",
    "mesh_load",
    "backlog_curve",
    "throughput_share",
    "silent_run",
    "propagation_steps",
]

"""Running scenarios: one run to a :class:`SimulationResult`, many runs to tidy DataFrames.

``simulate`` picks an engine: the vectorised one for sequential, fanout and hybrid runs (fast
enough for sliders), SimPy for the hierarchical and mesh patterns, for traces and for
checkpoints. Both apply the rules in :mod:`simulator.rules`.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from pathlib import Path

import pandas as pd
import simpy

from . import fast
from .agents import TrialContext
from .analytics import chain_reliability, wilson_interval
from .budget import check_memory
from .checkpoints import CheckpointStore, saved_handoffs
from .params import Defenses, ParameterError, Run, Scenario, check_applies, uniform_scenario
from .patterns.fanout import fanout_trial, hybrid_trial
from .patterns.hierarchical import hierarchical_trial
from .patterns.mesh import run_mesh
from .patterns.sequential import sequential_trial
from .randomness import check_seed, child_seeds, numpy_stream, python_stream
from .results import TRACE_COLUMNS, SimulationResult
from .settings import check_setting, default_of, spec_of
from .table import TrialRows

TRIAL_PROCESSES = {
    "sequential": sequential_trial,
    "fanout": fanout_trial,
    "hybrid": hybrid_trial,
    "hierarchical": hierarchical_trial,
}
#: the pattern's own columns of the trials table, after table.TRIAL_COLUMNS
EXTRA_COLUMNS = {
    "sequential": (),
    "fanout": ("branches_delivered",),
    "hybrid": ("branches_delivered",),
    "hierarchical": ("subtasks", "misroutes", "reroutes", "steps"),
}
VECTORISED = frozenset({"sequential", "fanout", "hybrid"})
ENGINES = ("auto", "vectorised", "simpy")
MAX_TRIALS = spec_of(Run, "trials").high


def build_scenario(scenario: Scenario | str | Path | None = None, **settings) -> Scenario:
    """A scenario from a name, a YAML file or keywords; keywords override a loaded scenario.

    ``reliability`` and ``silent_share`` apply to every agent, defense names to the defenses,
    ``agents``/``pattern`` build identical agents when no scenario is given.
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    if scenario is None:
        for name in settings:  # a setting given for a pattern that ignores it is refused, not dropped
            check_applies(settings.get("pattern", default_of(Run, "pattern")), name)
        return uniform_scenario(**settings)
    if not isinstance(scenario, Scenario):
        from .scenarios import load_scenario

        scenario = load_scenario(scenario)
    for name in settings:
        check_applies(scenario.pattern, name)
    for name in ("pattern", "agents"):
        if name in settings:
            raise ParameterError(name, "comes from the scenario; leave it out when you name a scenario")
    per_agent = {k: settings.pop(k) for k in ("reliability", "silent_share", "latency") if k in settings}
    if per_agent:
        scenario = replace(scenario, agents=tuple(replace(a, **per_agent) for a in scenario.agents))
    defense_changes = {k: settings.pop(k) for k in list(settings) if k in Defenses.__dataclass_fields__}
    if defense_changes:
        scenario = scenario.with_defenses(**defense_changes)
    return replace(scenario, **settings) if settings else scenario


def simulate(
    scenario: Scenario | str | Path | None = None,
    *,
    trials: int = default_of(Run, "trials"),
    seed: int | None = default_of(Run, "seed"),
    engine: str = "auto",
    trace: bool = False,
    checkpoint_path: str | Path | None = None,
    **settings,
) -> SimulationResult:
    """Run ``trials`` independent trials and return the tidy result.

    >>> simulate(pattern="sequential", agents=5, reliability=0.85).success_rate  # doctest: +SKIP
    0.44...
    """
    seed = check_seed(seed)
    trials = check_setting(Run, "trials", trials)
    scenario = build_scenario(scenario, **settings)
    if engine not in ENGINES:
        raise ParameterError("engine", f"must be one of {', '.join(ENGINES)} (got {engine!r})")
    if engine == "vectorised" and scenario.pattern not in VECTORISED:
        raise ParameterError(
            "engine", f"the vectorised engine covers {', '.join(sorted(VECTORISED))}, not {scenario.pattern}"
        )
    if engine == "vectorised" and (trace or checkpoint_path):
        raise ParameterError("engine", "traces and checkpoint files come from the simpy engine")
    if engine == "auto":
        engine = "vectorised" if scenario.pattern in VECTORISED and not trace and not checkpoint_path else "simpy"
    check_memory(scenario, trials, engine, trace)

    if engine == "vectorised":
        return SimulationResult(scenario, fast.run_vectorised(scenario, trials, numpy_stream(seed)), engine, seed)
    rng = python_stream(seed)
    events: list | None = [] if trace else None
    if scenario.pattern == "mesh":
        frame, mesh_stats = run_mesh(scenario, trials, rng, events)
        return SimulationResult(scenario, frame, engine, seed, _trace_frame(events), mesh_stats=mesh_stats)
    store = CheckpointStore(checkpoint_path, scenario.name, scenario.pattern, seed, trials) if checkpoint_path else None
    frame = _run_trials(scenario, trials, rng, events, store)
    if store is not None:
        store.close()
    return SimulationResult(
        scenario,
        frame,
        engine,
        seed,
        _trace_frame(events),
        checkpoint_path=Path(checkpoint_path) if checkpoint_path else None,
        run_id=store.run_id if store else None,
    )


def _run_trials(
    scenario: Scenario, trials: int, rng, events, store, resume: dict | None = None, first_trial: int = 0
) -> pd.DataFrame:
    """SimPy trials one after another in one environment (no per-trial set-up), one table at the end."""
    env = simpy.Environment()
    ctx = TrialContext(env, scenario, rng, events, store, resume)
    rows = TrialRows(EXTRA_COLUMNS[scenario.pattern])
    env.process(_trial_loop(ctx, TRIAL_PROCESSES[scenario.pattern], range(first_trial, first_trial + trials), rows))
    env.run()
    return rows.table()


def _trial_loop(ctx: TrialContext, process, trials: range, rows: TrialRows):
    append, with_extra = rows.append, bool(rows.extra_columns)
    for trial in trials:
        ctx.start(trial)
        yield from process(ctx)
        if ctx.children:  # branches still at work after the synthesis count towards this trial
            yield ctx.env.all_of(ctx.children)
        append(ctx.row())
        if with_extra:
            rows.add_extra(ctx.extra)


def _trace_frame(events: list | None) -> pd.DataFrame | None:
    return None if events is None else pd.DataFrame(events, columns=TRACE_COLUMNS)


def resume_trial(result: SimulationResult, trial: int, seed: int | None = 1) -> dict:
    """Re-run one trial of a checkpointed run, skipping every agent whose hand-off was saved.

    Returns the trial's new row plus ``restored`` (agents taken from the file) and ``rerun``
    (agents that worked again), so a lesson can show the calls a checkpoint saves.
    """
    if result.checkpoint_path is None or result.run_id is None:
        raise ParameterError("result", "was not run with checkpoint_path, so there is nothing to resume from")
    if result.scenario.pattern not in ("sequential", "fanout", "hybrid"):
        raise ParameterError("pattern", "resume covers sequential, fanout and hybrid runs (hierarchical ones re-plan)")
    saved = saved_handoffs(result.checkpoint_path, result.run_id, trial)
    events: list = []
    row = _run_trials(result.scenario, 1, python_stream(seed), events, None, resume=saved, first_trial=trial).iloc[0]
    trace = _trace_frame(events)
    rerun = list(dict.fromkeys(trace.loc[trace["activity"] == "work", "agent"]))
    return {**row.to_dict(), "restored": list(saved), "rerun": rerun}


def sweep(
    grid: dict[str, list], scenario: Scenario | str | None = None, trials: int = 10_000, seed: int = 0, **fixed
) -> pd.DataFrame:
    """One row per combination of ``grid`` values: the settings beside the run's figures.

    Each run gets its own independent child stream of ``seed`` (``SeedSequence.spawn``), so
    the same call always returns the same table.
    """
    keys = list(grid)
    combos = list(product(*(grid[k] for k in keys)))
    rows = []
    for point, child in zip(combos, child_seeds(seed, len(combos))):
        settings = {**fixed, **dict(zip(keys, point))}
        result = simulate(scenario, trials=trials, seed=child, **settings)
        rows.append({**dict(zip(keys, point)), **result.stats(), "seed": seed})
    return pd.DataFrame(rows)


def compound_table(
    reliabilities=(0.85, 0.90, 0.95, 0.97, 0.99), lengths=(3, 5, 8), trials: int = 20_000, seed: int = 0
) -> pd.DataFrame:
    """The module's compound-reliability table: analytic p**n beside a simulated chain."""
    rows = []
    combos = list(product(reliabilities, lengths))
    for (p, n), child in zip(combos, child_seeds(seed, len(combos))):
        result = simulate(pattern="sequential", agents=n, reliability=p, trials=trials, seed=child)
        successes = int((result.trials["outcome"] == "correct").sum())
        low, high = wilson_interval(successes, trials)
        rows.append(
            dict(
                reliability=p,
                agents=n,
                analytic=chain_reliability(p, n),
                simulated=successes / trials,
                ci_low=low,
                ci_high=high,
            )
        )
    return pd.DataFrame(rows)

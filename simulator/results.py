"""What a run returns: the trials table, a summary with intervals, and the event trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .analytics import wilson_interval
from .params import OUTCOMES, Scenario

TRACE_COLUMNS = ["trial", "agent", "activity", "attempt", "start", "end", "status"]


def rate_key(outcome: str) -> str:
    """The key of an outcome's rate in :meth:`SimulationResult.stats` (and the CLI's JSON).

    ``correct`` is reported as ``success_rate``; every other outcome as ``<outcome>_rate``.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)} (got {outcome!r})")
    return "success_rate" if outcome == "correct" else f"{outcome}_rate"


@dataclass
class SimulationResult:
    """One run: ``trials`` has a row per trial, ``events`` a row per activity when traced."""

    scenario: Scenario
    trials: pd.DataFrame
    engine: str
    seed: int | None
    events: pd.DataFrame | None = None
    checkpoint_path: Path | None = None
    run_id: str | None = None
    mesh_stats: dict | None = None
    _stats: dict | None = field(default=None, repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        """Count, rate and 95 % Wilson interval for each outcome."""
        counts = self.trials["outcome"].value_counts().reindex(OUTCOMES, fill_value=0)
        n = len(self.trials)
        rows = []
        for outcome, count in counts.items():
            low, high = wilson_interval(int(count), n)
            rows.append(dict(outcome=outcome, count=int(count), rate=count / n if n else 0.0, ci_low=low, ci_high=high))
        return pd.DataFrame(rows)

    def stats(self) -> dict:
        """The flat figures the CLI prints as JSON (rates are fractions, latencies seconds)."""
        if self._stats is None:
            out: dict = {
                "pattern": self.scenario.pattern,
                "scenario": self.scenario.name,
                "engine": self.engine,
                "seed": _seed_label(self.seed),
                "trials": len(self.trials),
            }
            for row in self.summary.itertuples():
                name = rate_key(row.outcome)
                out[name] = float(row.rate)
                out[f"{name}_ci"] = [float(row.ci_low), float(row.ci_high)]
            latency = self.trials["latency"].dropna().to_numpy()
            out["mean_latency"] = float(latency.mean()) if latency.size else None
            for q in (50, 90, 99):
                out[f"latency_p{q}"] = float(np.percentile(latency, q)) if latency.size else None
            for column in ("calls", "retries", "tokens"):
                out[f"mean_{column}"] = float(self.trials[column].mean()) if len(self.trials) else 0.0
            if self.mesh_stats:
                out.update({k: float(v) for k, v in self.mesh_stats.items()})
            self._stats = out
        return dict(self._stats)

    def rates(self) -> dict[str, float]:
        """The rate of each outcome, keyed by the outcome's name (``correct``, ``silent_failure``...)."""
        stats = self.stats()
        return {outcome: stats[rate_key(outcome)] for outcome in OUTCOMES}

    @property
    def success_rate(self) -> float:
        return self.stats()["success_rate"]

    @property
    def silent_failure_rate(self) -> float:
        return self.stats()["silent_failure_rate"]

    @property
    def detected_failure_rate(self) -> float:
        return self.stats()["detected_failure_rate"]

    def where_caught(self) -> pd.DataFrame:
        """Where wrong payloads started against where they were caught (a cross-tab of trials)."""
        wrong = self.trials[self.trials["first_failure_mode"].isin(["silent", "misroute"])]
        return pd.crosstab(wrong["first_failure_agent"], wrong["caught_at"].fillna("never (delivered)"))

    def __repr__(self) -> str:
        s = self.stats()
        return (
            f"<SimulationResult {s['scenario']} ({s['pattern']}, {s['trials']} trials, {self.engine}): "
            f"correct {s['success_rate']:.1%}, silent {s['silent_failure_rate']:.1%}, "
            f"detected {s['detected_failure_rate']:.1%}, mean latency {s['mean_latency'] or 0:.2f} s>"
        )


def _seed_label(seed):
    """Seeds print as given; a child stream of a sweep prints as entropy/spawn-key."""
    if seed is None or isinstance(seed, int):
        return seed
    return f"{seed.entropy}/{'.'.join(map(str, seed.spawn_key))}"

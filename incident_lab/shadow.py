"""Shadow mode: run the cast over many incidents beside the truth and measure what really happens.

From the judged records it measures each agent's first-attempt reliability and silent share
(on attempts whose inputs were right, so an agent is not blamed for its upstream), with Wilson
intervals; each check's catch rate per kind of fault (every check is evaluated on every
hand-off, switched on or not, so one run measures them all); and the outcome shares.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from simulator.analytics import wilson_interval

from .agents import SCRIPTED
from .defenses import CHECKS, DefenseSettings
from .faults import SILENT_FAULTS, FaultPlan
from .judge import OUTCOMES
from .orchestration import RunRecord
from .protocol import ROLES
from .warehouse import open_warehouse
from .worker import investigate_slice

ROOT = Path(__file__).resolve().parents[1]

RATE_NAMES = {
    "correct": "success_rate",
    "silent_failure": "silent_failure_rate",
    "detected_failure": "detected_failure_rate",
}


def _rate(hits: int, n: int) -> tuple[float | None, list[float]]:
    low, high = wilson_interval(hits, n)
    return (hits / n if n else None), [low, high]


def fault_kind(attempt) -> str:
    """What made a wrong output wrong: the agent's own silent fault, or a wrong input it passed on."""
    if attempt.fault == "silent":
        return SILENT_FAULTS[attempt.role]
    return "passed_on_wrong_input" if attempt.input_right is False else "unprompted"


@dataclass
class ShadowReport:
    """Judged runs and everything measured from them."""

    records: list[RunRecord]
    pattern: str
    faults: FaultPlan
    defenses: DefenseSettings
    warehouse: Path
    seed: int
    seconds: float
    worker_peaks_mb: tuple[float, ...] = ()  # each worker process's peak memory; empty when run in-process
    _first: dict = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> int:
        return len(self.records)

    def outcome_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for r in self.records:
            counts[r.outcome] += 1
        return counts

    def measured(self) -> dict:
        """Outcome shares with 95 % Wilson intervals, in the CLI's key names."""
        out = {}
        for outcome, count in self.outcome_counts().items():
            rate, ci = _rate(count, self.runs)
            out[RATE_NAMES[outcome]], out[f"{RATE_NAMES[outcome]}_ci"] = rate, ci
        return out

    def first_attempts(self, role: str) -> list:
        """First attempts of ``role`` whose inputs were right (the fair sample of its own behaviour)."""
        if role not in self._first:
            self._first[role] = [
                a
                for r in self.records
                for a in r.attempts
                if a.role == role and a.attempt == 0 and a.input_right and role not in r.restored
            ]
        return self._first[role]

    def agent_rates(self, role: str) -> dict:
        """First-attempt reliability and silent share of one agent, with intervals and counts."""
        sample = self.first_attempts(role)
        right = sum(1 for a in sample if a.right)
        silent = sum(1 for a in sample if a.output is not None and not a.right)
        loud = sum(1 for a in sample if a.loud)
        reliability, reliability_ci = _rate(right, len(sample))
        share, share_ci = _rate(silent, silent + loud)
        return {
            "name": role,
            "reliability": reliability,
            "reliability_ci": reliability_ci,
            "silent_share": share if share is not None else 0.0,
            "silent_share_ci": share_ci,
            "attempts": len(sample),
            "silent": silent,
            "loud": loud,
        }

    def agents(self) -> list[dict]:
        """The CLI's per-agent list: name, reliability, reliability_ci, silent_share."""
        keys = ("name", "reliability", "reliability_ci", "silent_share")
        return [{k: self.agent_rates(role)[k] for k in keys} for role in ROLES]

    def effective_rates(self, role: str) -> tuple[float, float]:
        """Reliability and silent share *after this agent's own hand-off checks*, for the bridge.

        A wrong output a switched-on check rejects is retried like a loud failure; a right one
        a check rejects (a false alarm) too. What passes wrong is the silent part.
        """
        sample = self.first_attempts(role)
        if not sample:
            return 1.0, 0.0
        passed_right = sum(1 for a in sample if a.right and not a.rejected)
        passed_wrong = sum(1 for a in sample if a.output is not None and not a.right and not a.rejected)
        failures = len(sample) - passed_right
        return passed_right / len(sample), (passed_wrong / failures if failures else 0.0)

    def catch_rates(self) -> list[dict]:
        """Each check's catch rate per kind of wrong output (all attempts), and the gate's per first fault."""
        tally: dict[tuple[str, str], list[int]] = {}
        for r in self.records:
            for a in r.attempts:
                if a.output is None or a.right:
                    continue
                for check in CHECKS:
                    hit = tally.setdefault((check, fault_kind(a)), [0, 0])
                    hit[0] += bool(a.flags.get(check))
                    hit[1] += 1
            reached_gate_wrong = r.summary is not None and r.outcome != "correct" and r.ended_at in (None, "human_gate")
            if self.defenses.human_gate and reached_gate_wrong:
                kind = SILENT_FAULTS.get(r.went_wrong_at or "", "unprompted")
                hit = tally.setdefault(("human_gate", kind), [0, 0])
                hit[0] += r.ended_at == "human_gate"
                hit[1] += 1
        rows = []
        for (check, kind), (caught, seen) in sorted(tally.items()):
            rate, ci = _rate(caught, seen)
            rows.append(
                {"check": check, "fault": kind, "wrong_outputs": seen, "caught": caught, "rate": rate, "ci": ci}
            )
        return rows

    def gate_catch_rate(self) -> float:
        """The simulated reviewer's measured catch rate (its stated one when nothing wrong reached it)."""
        rows = [r for r in self.catch_rates() if r["check"] == "human_gate"]
        seen = sum(r["wrong_outputs"] for r in rows)
        return sum(r["caught"] for r in rows) / seen if seen else self.defenses.human_catch


#: Below this many runs, starting worker processes costs more than it saves: each worker imports the
#: kit and opens the warehouse (about 1.5 s here), while a run takes about 8 ms. Measured on 2 cores:
#: 200 runs 1.7 s in one process, 3.1 s in two; 1,000 runs 7.3 s against 7.1 s; 2,000, 17.9 s against 13.5 s.
PARALLEL_FROM = 1000


def shadow_run(
    warehouse: str | Path,
    runs: int = 1000,
    seed: int = 0,
    pattern: str = "hybrid",
    faults: FaultPlan | None = None,
    defenses: DefenseSettings | None = None,
    cast: dict | None = None,
    incidents: list[str] | None = None,
    workers: int | None = None,
) -> ShadowReport:
    """Investigate ``runs`` incidents (cycling through the warehouse's incidents) and judge each run.

    ``workers`` processes (default: one per CPU, up to 2, for the scripted cast and at least
    :data:`PARALLEL_FROM` runs) each open their own read-only connection and take a contiguous
    slice of the run indices; every run draws only from ``(seed, run index)``, and the slices
    are joined in run order, so the report is the same for any number of workers.
    """
    started = time.perf_counter()
    faults, defenses = faults or FaultPlan(), defenses or DefenseSettings()
    if workers is None:
        scripted = cast is None or all(cast.get(role) is SCRIPTED[role] for role in ROLES)
        workers = min(2, os.cpu_count() or 1) if scripted and runs >= PARALLEL_FROM else 1
    job = (warehouse, pattern, faults, defenses, cast, seed, incidents)
    if workers <= 1 or runs < 2:
        records, peaks = investigate_slice(job, 0, runs), ()
    else:
        open_warehouse(warehouse).close()  # a bad file is the caller's WarehouseError, not a worker's crash
        workers = min(workers, runs)
        bounds = [runs * k // workers for k in range(workers + 1)]
        parts = _in_processes(job, list(pairwise(bounds)))
        records, peaks = [r for part, _ in parts for r in part], tuple(peak for _, peak in parts)
    seconds = time.perf_counter() - started
    return ShadowReport(records, pattern, faults, defenses, Path(warehouse), seed, seconds, peaks)


def _in_processes(job: tuple, slices: list[tuple[int, int]]) -> list[tuple[list[RunRecord], float]]:
    """Each slice in its own worker process (:mod:`incident_lab.worker`): (records, peak MB) in slice order."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    procs = []
    for start, stop in slices:
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from incident_lab.worker import main; sys.exit(main())"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        pickle.dump((job, start, stop), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.close()
        procs.append(proc)
    try:
        parts = []
        for proc in procs:
            out = proc.stdout.read()
            if proc.wait() != 0 or not out:
                raise RuntimeError(f"a shadow-mode worker process exited with code {proc.returncode}")
            kind, value = pickle.loads(out)
            if kind == "error":
                raise RuntimeError(f"a shadow-mode worker failed:\n{value}")
            parts.append(value)
        return parts
    finally:
        for proc in procs:  # after a failure, stop the others rather than leave them running
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()

"""Speed of the incident lab on this machine: building the warehouse, one investigation, shadow mode.

    python benchmarks/bench_incident_lab.py [--runs 1000] [--seed 0]

Targets (issue 9): the default warehouse builds in a few seconds; one investigation (five
agents, hybrid, every defense on) has a median under 50 ms; 1,000 investigations in shadow mode
take under 20 s in under 1 GB of memory. Wall time depends on what else the machine runs, so
the load average and the CPU seconds the process used are printed beside it. Memory is the process's peak resident set, read from
the kernel (``ru_maxrss``), so it counts DuckDB's own allocations too.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_lab import DefenseSettings, FaultPlan, Investigation, build_warehouse, shadow_run  # noqa: E402

FAULTS = ["orchestrator=0.95:0.5", "lineage=0.9:0.6", "source=0.9:0.7", "impact=0.9:0.6", "synthesizer=0.95:0.5"]


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of every worker process it has waited for."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        builds, build_cpu = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), cpu_seconds()
            build_warehouse(path, args.seed)
            builds.append(time.perf_counter() - started)
            build_cpu.append(cpu_seconds() - cpu)
        print(
            f"incident lab: warehouse build (seed {args.seed}) median {statistics.median(builds):.2f} s of 3 "
            f"({statistics.median(build_cpu):.2f} s of CPU)"
        )

        defenses = DefenseSettings(
            validate=True, completeness=True, retries=1, human_gate=True, checkpoints=Path(tmp) / "c.sqlite"
        )
        with Investigation(path, "hybrid", FaultPlan.parse(FAULTS), defenses, seed=args.seed) as inv:
            inv.investigate(inv.incidents[0], 0)  # warm the threads and cursors
            times, cpus = [], []
            for i in range(1, 201):
                cpu = cpu_seconds()
                times.append(inv.investigate(inv.incidents[i % len(inv.incidents)], i).seconds)
                cpus.append(cpu_seconds() - cpu)
        print(
            f"incident lab: one investigation (hybrid, five agents, every defense on) median "
            f"{statistics.median(times) * 1000:.1f} ms, p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f} ms "
            f"({statistics.mean(cpus) * 1000:.1f} ms of CPU each, all threads)"
        )
        started, cpu = time.perf_counter(), cpu_seconds()
        report = shadow_run(path, args.runs, args.seed, "hybrid", FaultPlan.parse(FAULTS), defenses)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = report.worker_peaks_mb
        print(
            f"incident lab: shadow mode {report.runs} investigations {elapsed:.1f} s "
            f"({elapsed / report.runs * 1000:.1f} ms each; {cpu:.1f} s of CPU over all processes), "
            f"peak memory {own_mb + sum(workers):.0f} MB at most (this process {own_mb:.0f} MB"
            + (f" + {len(workers)} workers of {', '.join(f'{w:.0f}' for w in workers)} MB" if workers else "")
            + ")"
        )
        load_after = os.getloadavg()[0]
        print(
            f"incident lab: load average {load_before:.1f} before and {load_after:.1f} after, "
            f"on {os.cpu_count()} cores (wall time grows with it; CPU time hardly does)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        builds = []
        for _ in range(3):
            started = time.perf_counter()
            build_warehouse(path, args.seed)
            builds.append(time.perf_counter() - started)
        print(f"incident lab: warehouse build (seed {args.seed}) median {statistics.median(builds):.2f} s of 3")

        defenses = DefenseSettings(
            validate=True, completeness=True, retries=1, human_gate=True, checkpoints=Path(tmp) / "c.sqlite"
        )
        with Investigation(path, "hybrid", FaultPlan.parse(FAULTS), defenses, seed=args.seed) as inv:
            inv.investigate(inv.incidents[0], 0)  # warm the threads and cursors
            times = [inv.investigate(inv.incidents[i % len(inv.incidents)], i).seconds for i in range(1, 201)]
        print(
            f"incident lab: one investigation (hybrid, five agents, every defense on) median "
            f"{statistics.median(times) * 1000:.1f} ms, p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f} ms"
        )
        started, cpu = time.perf_counter(), time.process_time()
        report = shadow_run(path, args.runs, args.seed, "hybrid", FaultPlan.parse(FAULTS), defenses)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"incident lab: shadow mode {report.runs} investigations {elapsed:.1f} s "
            f"({elapsed / report.runs * 1000:.1f} ms each; {cpu:.1f} s of CPU), peak memory {peak_mb:.0f} MB"
        )
        print(f"incident lab: load average while measuring {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())

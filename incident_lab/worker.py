"""A shadow-mode worker process: reads one slice of a shadow run on stdin, writes its judged records.

Started by :func:`incident_lab.shadow.shadow_run` as a fresh ``python`` calling :func:`main` rather
than through :mod:`multiprocessing`, so the caller's script is never re-imported (a script
without an ``if __name__ == "__main__"`` guard still works) and no DuckDB thread is forked.
"""

from __future__ import annotations

import pickle
import sys
import traceback
from pathlib import Path

from .orchestration import Investigation, RunRecord


def investigate_slice(job: tuple, start: int, stop: int) -> list[RunRecord]:
    """Runs ``start`` to ``stop - 1`` of a shadow run, on this process's own read-only connection."""
    warehouse, pattern, faults, defenses, cast, seed, incidents = job
    with Investigation(warehouse, pattern, faults, defenses, cast, seed) as inv:
        chosen = [inv.incident(i) for i in incidents] if incidents else inv.incidents
        return [inv.investigate(chosen[i % len(chosen)], i) for i in range(start, stop)]


def peak_mb() -> float:
    """This process's peak resident memory since it started Python (``VmHWM``; 0.0 where unknown).

    Unlike ``ru_maxrss``, it does not count the parent's pages the child held before ``exec``.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def main() -> int:
    job, start, stop = pickle.load(sys.stdin.buffer)
    try:
        records = investigate_slice(job, start, stop)
        answer = ("records", (records, peak_mb()))
    except Exception:  # handed back whole: the parent raises it with the worker's traceback
        answer = ("error", traceback.format_exc())
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

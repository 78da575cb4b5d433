"""Kernel side of a slider move, per lesson explorer: to a setting never seen, and to one warmed.

A move to a new setting simulates it before anything is sent to the browser; after each move the
kit works out the settings one move away while the learner looks (``explorers/warmup.py``), so the
next move usually finds its setting ready. Each explorer's controls are stepped one way; "cold" is a
step to a setting not computed before, "warmed" a step to one its warm function computed first. The
browser's drawing comes on top (``make bench``'s browser speed report).
"""

from __future__ import annotations

import importlib
import statistics

from explorers.warmup import steps_from

EXPLORERS = [
    ("explorers.reliability", "reliability_explorer", "02"),
    ("explorers.spot_checks", "spot_check_explorer", "02"),
    ("explorers.correlation", "correlation_explorer", "02"),
    ("explorers.patterns", "pattern_explorer", "01"),
    ("explorers.patterns", "mesh_explorer", "01"),
    ("explorers.partial_failure", "silent_chain_explorer", "03"),
    ("explorers.contention", "contention_explorer", "04"),
    ("explorers.orchestration_value", "orchestration_value_explorer", "05"),
    ("explorers.orchestration_value", "monitoring_explorer", "05"),
    ("explorers.incident", "incident_explorer", "06"),
]
STEPS = 3


def moves(box, warmed: bool) -> list[float]:
    """Kernel ms of STEPS one-way moves of every numeric slider of ``box``."""
    took = []
    for name, control in box.controls.items():
        if not hasattr(control, "step"):
            continue
        for _ in range(STEPS):
            ahead = steps_from(control, control.value, +1) or steps_from(control, control.value, -1)
            if not ahead:
                break
            if warmed:
                box.warmer.warm({**box.values, name: ahead[0]})
            control.value = ahead[0]
            took.append(box.last_update_ms)
    return took


def main() -> None:
    rows = []
    for module, factory, lesson in EXPLORERS:
        views = importlib.import_module(module)
        build = getattr(views, factory)
        caches = [f.cache_clear for f in vars(views).values() if hasattr(f, "cache_clear")]
        runs = {}
        for warmed in (False, True):
            for clear in caches:  # each run starts from nothing computed: no step finds its setting by chance
                clear()
            runs[warmed] = moves(build(), warmed)
        cold, warmed = runs[False], runs[True]
        rows.append((f"lesson {lesson} {factory}", statistics.median(cold), statistics.median(warmed), len(cold)))
    width = max(len(r[0]) for r in rows)
    print("Explorer moves in the kernel (median ms of one-way slider steps)")
    print(f"  {'explorer':<{width}}  {'new setting':>12}  {'warmed':>8}  moves")
    for label, cold, warmed, count in rows:
        print(f"  {label:<{width}}  {cold:>9.1f} ms  {warmed:>5.1f} ms  {count:>5}")


if __name__ == "__main__":
    main()

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

import explorers
from explorers.warmup import steps_from

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
    for name in (n for n in explorers.__all__ if n.endswith("_explorer")):
        build = getattr(explorers, name)
        caches = [
            f.cache_clear for f in vars(importlib.import_module(build.__module__)).values() if hasattr(f, "cache_clear")
        ]
        runs = {}
        for warmed in (False, True):
            for clear in caches:  # each run starts from nothing computed: no step finds its setting by chance
                clear()
            box = build()
            if box.warmer is None:
                break  # nothing to simulate per move (lesson 00, the step-through): not measured
            runs[warmed] = moves(box, warmed)
        if runs:
            rows.append(
                (
                    f"{build.__module__}.{name}",
                    statistics.median(runs[False]),
                    statistics.median(runs[True]),
                    len(runs[False]),
                )
            )
    width = max(len(r[0]) for r in rows)
    print("Explorer moves in the kernel (median ms of one-way slider steps)")
    print(f"  {'explorer':<{width}}  {'new setting':>12}  {'warmed':>8}  moves")
    for label, cold, warmed, count in rows:
        print(f"  {label:<{width}}  {cold:>9.1f} ms  {warmed:>5.1f} ms  {count:>5}")


if __name__ == "__main__":
    main()

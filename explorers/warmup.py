"""Idle-time warm-up: while the learner looks at a figure, work out the settings one move away.

Each explorer keeps what it computed per setting, so a move back to a setting seen before redraws
from memory; a move to a new one first waits for its simulation, 20 to 300 ms on the kit's
2-core machine (real SQL in lesson 07), before anything is sent to the browser. An
:class:`~explorers.live.Explorer` given a ``warm`` function (one that computes and keeps what its
update will need for a setting, and draws nothing) hands it, after each move, the settings a next
move most likely reaches: the moved control one more step the same way, one step back, two steps
on, then every other control one step either way (a drop-down: its other options). One setting
is worked out per turn of the kernel's event loop, within :data:`BUDGET_S` per pause.

A move that arrives meanwhile waits for at most the one setting being worked out, and the rest
are dropped (they were for the state the learner left). Outside a running event loop (a script,
a test without one) nothing is scheduled and every move computes as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import ipywidgets as widgets

#: Seconds of warm-up work after one move at most: the kernel is never busy long after the learner stops.
BUDGET_S = 0.5

#: Settings worked out after one move at most.
MOST_SETTINGS = 8

#: Seconds the kernel waits after a move before warming: a move already queued (a held key) goes first.
START_AFTER_S = 0.05

#: Seconds between two settings: a move that arrived meanwhile is taken up before the next one starts
#: (the event loop runs a message's handler a turn after reading it, and a due timer first).
GAP_S = 0.02


def _slider_step(control: widgets.Widget, value, steps: int):
    """The value ``steps`` steps from ``value`` on a numeric slider, or None past either end."""
    from .live import round_to_step

    moved = value + steps * control.step
    if moved < control.min - 1e-9 or moved > control.max + 1e-9:
        return None
    if isinstance(control, widgets.FloatSlider):
        return round_to_step(moved, control.step)
    return moved


def _choices(control: widgets.Widget) -> list:
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def steps_from(control: widgets.Widget, value, direction: int) -> list:
    """Values of ``control`` reachable from ``value``, nearest first, ``direction`` (+1, -1 or 0)
    first: a slider one step that way, one step back, two steps on; a drop-down or selection
    slider its neighbouring options, then (a drop-down) the rest; a checkbox its other state."""
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        ahead = direction or 1
        found = [_slider_step(control, value, n) for n in (ahead, -ahead, 2 * ahead)]
    elif isinstance(control, (widgets.Dropdown, widgets.SelectionSlider)):
        options = _choices(control)
        if value not in options:
            return []
        at, ahead = options.index(value), direction or 1
        near = [at + ahead, at - ahead, at + 2 * ahead]
        if isinstance(control, widgets.Dropdown):
            near += [i for i in range(len(options)) if i not in near]
        found = [options[i] for i in near if 0 <= i < len(options) and i != at]
    elif isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        found = [not value]
    else:
        return []
    unique = []
    for v in found:
        if v is not None and v != value and v not in unique:
            unique.append(v)
    return unique


def _direction(control: widgets.Widget, old, new) -> int:
    if isinstance(control, (widgets.Dropdown, widgets.SelectionSlider)):
        options = _choices(control)
        old, new = (options.index(v) if v in options else 0 for v in (old, new))
    try:
        return (new > old) - (new < old)
    except TypeError:
        return 0


def next_settings(controls: dict[str, widgets.Widget], now: dict, before: dict | None) -> list[dict]:
    """The settings one move from ``now`` (every control's value), most likely first: the control
    that changed since ``before`` ahead of the others (see :func:`steps_from`)."""
    moved = [name for name in controls if before is not None and before.get(name) != now[name]]
    order = moved + [name for name in controls if name not in moved]
    settings: list[dict] = []
    for rank, name in enumerate(order):
        direction = _direction(controls[name], before[name], now[name]) if name in moved else 0
        values = steps_from(controls[name], now[name], direction)
        settings += [{**now, name: v} for v in (values if rank < len(moved) else values[:2])]
    return settings


class Warmer:
    """Works out, while the kernel is idle, the settings :func:`next_settings` names after each move."""

    def __init__(self, controls: dict[str, widgets.Widget], warm: Callable[[dict], object], now: dict | None = None):
        self.controls, self.warm = controls, warm
        self.warmed: list[dict] = []  # every setting worked out, in order (read by tests)
        self._seen = dict(now) if now is not None else None
        self._generation = 0

    def after_move(self, now: dict) -> None:
        """Drop any warm-up still pending and, in a running event loop, start one for ``now``."""
        before, self._seen = self._seen, dict(now)
        self._generation += 1
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        pending = next_settings(self.controls, now, before)[:MOST_SETTINGS]
        loop.call_later(START_AFTER_S, self._work, self._generation, pending, time.perf_counter() + BUDGET_S)

    def _work(self, generation: int, pending: list[dict], deadline: float) -> None:
        if generation != self._generation or not pending or time.perf_counter() > deadline:
            return
        setting = pending.pop(0)
        try:
            self.warm(setting)
        except Exception:  # a setting that fails here fails again, with its message, when a move reaches it
            return
        self.warmed.append(setting)
        asyncio.get_running_loop().call_later(GAP_S, self._work, generation, pending, deadline)


__all__ = ["BUDGET_S", "GAP_S", "MOST_SETTINGS", "Warmer", "next_settings", "steps_from"]

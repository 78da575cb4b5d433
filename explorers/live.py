"""The widget every explorer returns: controls above live figures, each with a caption.

An :class:`Explorer` is an ``ipywidgets.VBox``, so a lesson cell just shows it, and it carries
the handles a test or the instructor demo needs without a browser::

    box = reliability_explorer()
    box.sliders["reliability"].value = 0.95   # the callback runs, the figures change in place
    box.figure.data[0].y                       # read the new values
    box.last_update_ms                         # how long that took in the kernel

Every explorer of the kit, lessons 00-06 and the demo, is one of these: some stack two
figures, some print a line of numbers (``readout``) above them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import ExitStack

import ipywidgets as widgets
import plotly.graph_objects as go

from .redraw import batch_redraw
from .style import caption, caption_html, fit_title, sync_before_display
from .warmup import Warmer


def round_to_step(value: float, step: float) -> float:
    """A slider value without float noise: as many decimals as the step has, and one more."""
    decimals = max(0, -math.floor(math.log10(step))) + 1 if step > 0 else 6
    return round(value, decimals)


#: What an update may return: the readout's HTML, or the readout and new captions (None keeps one).
UpdateResult = str | None | tuple[str | None, list[str | None]]


class Explorer(widgets.VBox):
    """Controls stacked above one or more live figures, each followed by its caption.

    ``rows`` lays the controls out (default: one per line). ``update(values)`` receives
    ``{control name: value}``, changes the figures' data in place (it already runs inside
    :func:`~explorers.redraw.batch_redraw` of every figure, plotly's ``batch_update`` with a cheaper
    drawing where that is exact) and may return an HTML string for the readout line, or
    ``(readout, captions)`` when a caption must change with the state it describes.
    ``figure`` is the first figure, ``figures`` all of them.

    ``warm(values)``, when given, computes and keeps what ``update`` will need for a setting and
    draws nothing; after each move it is called, while the kernel is idle, for the settings one
    move away (:mod:`explorers.warmup`), so that the learner's next move redraws from memory.
    """

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        figures: list[go.FigureWidget],
        notes: list[str],
        update: Callable[[dict], UpdateResult],
        rows: list[widgets.Widget] | None = None,
        warm: Callable[[dict], object] | None = None,
    ):
        if len(figures) != len(notes):
            raise ValueError("every figure needs its one-line caption")
        self.controls = dict(controls)
        self.sliders = {
            k: w
            for k, w in controls.items()
            if isinstance(w, (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider))
        }
        self.figures = list(figures)
        self.figure = self.figures[0]
        self.readout = widgets.HTML(layout=widgets.Layout(margin="4px 0 4px 0", width="calc(100% - 4px)"))
        self.last_update_ms = 0.0
        self.timings_ms: list[float] = []
        self._update = update
        self.warmer: Warmer | None = None
        body: list[widgets.Widget] = [*(rows if rows is not None else controls.values()), self.readout]
        self.captions = [caption(note) for note in notes]
        for figure, note in zip(self.figures, self.captions):
            body += [figure, note]
        super().__init__(body, layout=widgets.Layout(width="100%"))
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()
        self.warmer = Warmer(self.controls, warm, self.values) if warm is not None else None
        for figure in self.figures:
            sync_before_display(figure)

    def _on_change(self, change=None):
        control = change.get("owner") if isinstance(change, dict) else None
        if isinstance(control, widgets.FloatSlider):
            tidy = round_to_step(control.value, control.step)
            if tidy != control.value:  # 0.8999999999999999 from the browser: store 0.9, which refreshes
                control.value = tidy
                return
        self.refresh()
        if self.warmer is not None:
            self.warmer.after_move(self.values)

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> float:
        """Recompute and redraw from the current control values; returns the kernel time in ms."""
        started = time.perf_counter()
        with ExitStack() as stack:
            for figure in self.figures:
                stack.enter_context(batch_redraw(figure))
            result = self._update(self.values)
            for figure in self.figures:  # in the same message: a title set directly gets wrapped, and a new
                fit_title(figure)  # height or legend its place and room
        text, notes = result if isinstance(result, tuple) else (result, [])
        if text is not None:
            self.readout.value = text
        for widget, note in zip(self.captions, notes):
            if note is not None:
                widget.value = caption_html(note)
        self.last_update_ms = (time.perf_counter() - started) * 1000
        self.timings_ms.append(self.last_update_ms)
        return self.last_update_ms


__all__ = ["Explorer"]

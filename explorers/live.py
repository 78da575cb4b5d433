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

import time
from collections.abc import Callable
from contextlib import ExitStack

import ipywidgets as widgets
import plotly.graph_objects as go

from .style import caption, sync_before_display

#: One label width for every control, so the slider tracks line up under each other.
CONTROL_STYLE = {"description_width": "300px"}
CONTROL_WIDTH = "640px"


def slider(
    kind: str,
    description: str,
    value,
    minimum,
    maximum,
    step,
    readout_format: str | None = None,
    tooltip: str | None = None,
    width: str = CONTROL_WIDTH,
    style: dict | None = None,
) -> widgets.Widget:
    """A labelled slider of the kit's width that reports while it is dragged."""
    options = dict(
        value=value,
        min=minimum,
        max=maximum,
        step=step,
        description=description,
        style=style or CONTROL_STYLE,
        layout=widgets.Layout(width=width),
        continuous_update=True,
    )
    if tooltip:
        options["tooltip"] = tooltip
    if kind == "int":
        return widgets.IntSlider(**options)
    if readout_format:
        options["readout_format"] = readout_format
    return widgets.FloatSlider(**options)


def checkbox(description: str, value: bool = False) -> widgets.Checkbox:
    return widgets.Checkbox(
        value=value,
        description=description,
        style={"description_width": "initial"},
        indent=False,
        layout=widgets.Layout(width=CONTROL_WIDTH),
    )


def dropdown(description: str, options, value) -> widgets.Dropdown:
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style=CONTROL_STYLE,
        layout=widgets.Layout(width=CONTROL_WIDTH),
    )


class Explorer(widgets.VBox):
    """Controls stacked above one or more live figures, each followed by its caption.

    ``rows`` lays the controls out (default: one per line). ``update(values)`` receives ``{control name: value}``, changes the figures' data in place
    (it already runs inside ``batch_update`` of every figure) and may return an HTML string for
    the readout line. ``figure`` is the first figure, ``figures`` all of them.
    """

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        figures: list[go.FigureWidget],
        notes: list[str],
        update: Callable[[dict], str | None],
        rows: list[widgets.Widget] | None = None,
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
        self.readout = widgets.HTML(layout=widgets.Layout(margin="4px 0 4px 0"))
        self.last_update_ms = 0.0
        self.timings_ms: list[float] = []
        self._update = update
        body: list[widgets.Widget] = [*(rows if rows is not None else controls.values()), self.readout]
        for figure, note in zip(self.figures, notes):
            body += [figure, caption(note)]
        super().__init__(body)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()
        for figure in self.figures:
            sync_before_display(figure)

    def _on_change(self, _change=None):
        self.refresh()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> float:
        """Recompute and redraw from the current control values; returns the kernel time in ms."""
        started = time.perf_counter()
        with ExitStack() as stack:
            for figure in self.figures:
                stack.enter_context(figure.batch_update())
            text = self._update(self.values)
        if text is not None:
            self.readout.value = text
        self.last_update_ms = (time.perf_counter() - started) * 1000
        self.timings_ms.append(self.last_update_ms)
        return self.last_update_ms


def pct(x: float, digits: int = 1) -> str:
    """0.4437 -> '44.4%'."""
    return f"{100 * x:.{digits}f}%"


__all__ = ["Explorer", "slider", "checkbox", "dropdown", "pct", "CONTROL_STYLE"]

"""How a live figure goes to the browser after a move: one message, drawn the cheaper way when that is exact.

Plotly's ``batch_update`` sends ``Plotly.update``, which replots the whole figure in the browser:
defaults, axes, ticks, legend and margins, 20 to 100 ms per figure on the kit's 2-core machine,
most of what a learner waits for after moving a slider. When a move changes only where a
trace's points or bars sit, on axes whose ranges are fixed, nothing around the traces can change;
``Plotly.animate`` with a zero-length transition and no redraw then moves just the traces, in a
third to a half of the time (measured on the kit's figures), and draws the same picture.

The same picture is not true of every change (checked by comparing the drawn SVG of both paths):
a bar's colour does not change without a redraw, nor is a bar added in its style (:func:`keep_slots`
keeps a bar trace's point count, with nulls where a move has fewer bars, and a slot empty at the
last full drawing takes no bar in place), error bars are drawn slightly differently, a trace not
sent is left out (so every trace goes, an unchanged one as it is), an axis that ranges itself to
the data keeps its old range (:func:`steady_range` gives an axis a range of its own that new data
seldom change), and a new range gets plotly's automatic ticks and margins wrong (:func:`hold_axis`
fixes both, so a range whose tick step stays may change in place). :func:`redraws_in_place`
therefore lets through only data that cannot move anything but its own trace, and such ranges;
everything else goes through ``Plotly.update`` as before. The browser test
``test_a_redraw_in_place_draws_what_a_full_redraw_draws`` holds every explorer's in-place moves to
the full redraw's picture.

The kit's second use of plotly's private batch attributes (with ``sync_before_display``), checked on
plotly 7.1; ``test_plotlys_batch_internals_are_still_there`` fails if an upgrade removes them.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import plotly.graph_objects as go

#: Plotly.animate's options for a change drawn at once, moving only the traces.
IN_PLACE = {"transition": {"duration": 0}, "frame": {"duration": 0, "redraw": False}}

#: Trace properties a redraw in place draws exactly, by trace type, and the axes each one can move
#: ("both": the trace's two axes; a text label can push out either one).
_IN_PLACE_PROPS = {
    "scatter": {"x": "x", "y": "y", "text": "both", "hovertext": "", "customdata": "", "marker.color": ""},
    "bar": {"x": "x", "y": "y", "base": "both", "text": "both", "hovertext": "", "customdata": ""},
}


def axis_key(axis_id: str) -> str:
    """``"x2"`` -> ``"xaxis2"``: a trace's axis reference as the layout names the axis."""
    return f"{axis_id[0]}axis{axis_id[1:]}"


def _axis_is_fixed(layout: go.Layout, axis_id: str) -> bool:
    """An axis with a range of its own: new data cannot change its ticks."""
    name = axis_key(axis_id)
    if name not in layout:
        return False
    return layout[name].range is not None and layout[name].autorange in (None, False)


def _axis_is_held(layout: go.Layout, name: str) -> bool:
    """An axis :func:`hold_axis` holds: its ticks and margins do not follow its range, so a new range
    moves in place (plotly's own tick choice and margins differ between a full drawing and a move)."""
    if name not in layout:
        return False
    axis = layout[name]
    return axis.automargin is False and axis.tickmode == "linear" and axis.dtick is not None


def redraws_in_place(figure: go.FigureWidget) -> bool:
    """True when the figure's pending batch only moves traces' data on fixed axes, and perhaps the
    range of an axis :func:`hold_axis` holds with its tick step unchanged (see the module)."""
    trace_edits, layout_edits = figure._batch_trace_edits, figure._batch_layout_edits
    if not trace_edits:
        return False
    for key in layout_edits:
        name, _, prop = key.partition(".")
        if prop != "range" or not _axis_is_held(figure.layout, name):
            return False
    for index, edits in trace_edits.items():
        trace = figure.data[index]
        allowed = _IN_PLACE_PROPS.get(trace.type)
        if allowed is None or any(key not in allowed for key in edits):
            return False
        if trace.type == "bar" and (
            any(_points(edits[key]) != _points(trace[key]) for key in ("x", "y") if key in edits)
            or not _filled(edits.get("x", trace.x), edits.get("y", trace.y)) <= _styled_slots(figure, index)
        ):
            return False  # a bar drawn in place where the last full drawing had none comes out unstyled
        axes = {"x": trace.xaxis or "x", "y": trace.yaxis or "y"}
        for key in edits:
            moved = axes.values() if allowed[key] == "both" else [axes[allowed[key]]] if allowed[key] else []
            if not all(_axis_is_fixed(figure.layout, axis) for axis in moved):
                return False
    # every trace goes (the unchanged ones too, see _edit_every_trace): each must be one plotly draws in
    # place as a full redraw would, and error bars are not (read from the traces' JSON: asking a trace
    # for its error_x builds an object each time, a few ms a move)
    return all(
        trace.get("type", "scatter") in _IN_PLACE_PROPS and not (trace.get("error_x") or trace.get("error_y"))
        for trace in figure._data
    )


#: A range is kept while the data (with headroom) reach past this share of it (see :func:`steady_range`).
KEEP_DOWN = 0.4

#: Round numbers an axis may end at (times a power of ten), see :func:`steady_range`.
_ROUND_ENDS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def steady_range(
    top: float, headroom: float = 1.08, cap: float | None = None, current=None, below: float = 0.0
) -> list[float]:
    """``[0, end]`` with ``end`` the first round number at or above ``top * headroom`` (and at most
    ``cap``, such as a little over 100 on a percentage axis): a range set from this stays put while
    the data move below it, so those moves redraw in place, and changes only when the data cross a
    round number. Given the ``current`` range (an axis's ``range``, or None), it is kept while the
    data still fill more than :data:`KEEP_DOWN` of it: the axis holds still as a slider moves, and
    the eye compares bars. ``below`` starts the range that share of ``end`` under zero, so that a
    line along zero is drawn whole."""
    need = max(top, 0.0) * headroom
    held = (
        current is not None
        and len(current) == 2
        and current[0] == -below * current[1]
        and (cap is None or current[1] <= cap)
    )
    if held and KEEP_DOWN * current[1] <= need <= current[1]:
        return [float(current[0]), float(current[1])]
    if need <= 0:
        end = 1.0 if cap is None else min(1.0, cap)
    else:
        scale = 10 ** math.floor(math.log10(need))
        end = next(float(f"{end * scale:.6g}") for end in _ROUND_ENDS if end * scale >= need * (1 - 1e-12))
        end = end if cap is None else min(end, cap)
    return [-below * end if below else 0.0, end]


#: Tick steps of a held axis (times a power of ten), see :func:`tick_step`.
_TICK_STEPS = (1, 2, 2.5, 5)


def tick_step(end: float) -> float:
    """The tick spacing of an axis from 0 to ``end``: the largest round step that still gives four
    intervals or more (0 to 100 by 25, 0 to 6 by 1, 0 to 12 by 2.5)."""
    target = end / 4 if end > 0 else 0.25
    scale = 10 ** math.floor(math.log10(target))
    return float(f"{max(s for s in _TICK_STEPS if s <= target / scale * (1 + 1e-9)) * scale:.6g}")


def hold_axis(axis, span: list[float]) -> None:
    """Give ``axis`` the range ``span`` with ticks every :func:`tick_step` from 0 and margins that do not
    follow its tick labels: a later move that changes only the range, and not the step, goes in place."""
    axis.range = span
    axis.autorange = False
    axis.automargin = False
    axis.tickmode, axis.tick0, axis.dtick = "linear", 0, tick_step(span[1])


def pending_value(figure: go.FigureWidget, index: int, key: str):
    """A trace property as the browser will draw it: the value set inside the open batch, if any
    (plotly's own reads still return the value before the batch)."""
    edits = figure._batch_trace_edits.get(index, {}) if figure._in_batch_mode else {}
    return edits[key] if key in edits else figure.data[index][key]


def pending_layout(figure: go.Figure, key: str):
    """A layout value (``"margin.t"``) as the browser will draw it: the open batch's edit, if any, else
    the figure's own, read from its plain layout dict (plotly's property objects cost far more, on
    every move)."""
    edits = figure._batch_layout_edits if figure._in_batch_mode else {}
    value = figure._layout
    parts = key.split(".")
    for depth, part in enumerate(parts, start=1):
        path = ".".join(parts[:depth])
        value = edits[path] if path in edits else value.get(part) if isinstance(value, dict) else None
    return value


def set_layout(figure: go.Figure, key: str, value) -> None:
    """Set a layout value, inside a batch or not. Inside one, plotly skips a value equal to the one
    before the batch even when the batch has set another since; the edit is then written directly."""
    figure.layout[key] = value
    if figure._in_batch_mode:
        figure._batch_layout_edits[key] = value


def keep_slots(figure: go.FigureWidget, index: int, columns: dict[str, list]) -> dict[str, list]:
    """``columns`` (a trace's x, y and the like, one value per point) padded with nulls to as many
    points as the trace holds now: plotly draws a bar with a null position as nothing, and a bar
    trace whose point count stays the same is redrawn in place (bars added in place come out
    unstyled). The trace keeps its most points ever, which a figure of one explorer bounds."""
    slots = max([_points(pending_value(figure, index, "x")), *map(len, columns.values())])
    return {key: [*values, *[None] * (slots - len(values))] for key, values in columns.items()}


def _filled(xs, ys) -> set[int]:
    """The slots of a bar trace that hold a bar (a position on both axes)."""
    return {i for i, (x, y) in enumerate(zip(xs or (), ys or ())) if x is not None and y is not None}


#: Per figure, per bar trace: the slots that held a bar when the figure was last drawn in full.
_STYLED = "_kit_styled_slots"


def _styled_slots(figure: go.FigureWidget, index: int) -> set[int]:
    """The slots of bar trace ``index`` that plotly styled when it last drew the figure in full (a
    slot emptied in place keeps its style; one empty at a full drawing has none): only those may
    take a bar in place. Read from the figure's data at the first check after a full drawing."""
    styled = figure.__dict__.setdefault(_STYLED, {})
    if index not in styled:
        styled[index] = _filled(figure.data[index].x, figure.data[index].y)
    return styled[index]


def forget_drawing(figure: go.FigureWidget) -> None:
    """The figure is drawn in full from its data now (a full update, or its first showing)."""
    figure.__dict__.pop(_STYLED, None)


def _points(values) -> int:
    """How many points a trace's x or y holds (None: none)."""
    return 0 if values is None else len(values)


def _edit_every_trace(figure: go.FigureWidget) -> None:
    """Send every trace of the figure, unchanged ones with their own x and y, in trace order. Plotly
    redraws in place only the traces it is sent: a subplot with none of them is left empty, and an
    edited trace is drawn above the unedited ones of its kind."""
    edits = figure._batch_trace_edits
    for i, trace in enumerate(figure.data):
        if i not in edits:
            edits[i] = {key: trace[key] for key in ("x", "y") if trace[key] is not None}
    ordered = sorted(edits.items())
    edits.clear()
    edits.update(ordered)


@contextmanager
def batch_redraw(figure: go.FigureWidget):
    """Like ``figure.batch_update()``: every change inside goes out in one message, drawn in place
    when :func:`redraws_in_place` says that is exact, else as a full ``Plotly.update``."""
    if figure._in_batch_mode:
        yield
        return
    figure._in_batch_mode = True
    try:
        yield
    finally:
        figure._in_batch_mode = False
        if redraws_in_place(figure):
            _edit_every_trace(figure)
            figure._perform_batch_animate(IN_PLACE)
        else:  # what batch_update does on leaving
            restyle, relayout, traces = figure._build_update_params_from_batch()
            figure.plotly_update(restyle_data=restyle, relayout_data=relayout, trace_indexes=traces)
            figure._batch_layout_edits.clear()
            figure._batch_trace_edits.clear()
            forget_drawing(figure)


__all__ = [
    "IN_PLACE",
    "axis_key",
    "batch_redraw",
    "forget_drawing",
    "hold_axis",
    "keep_slots",
    "pending_layout",
    "pending_value",
    "redraws_in_place",
    "set_layout",
    "steady_range",
    "tick_step",
]

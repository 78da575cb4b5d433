"""Shared pieces for the lesson 04-06 explorers: the returned widget, captions, subplot grids.

An explorer is a :class:`Explorer`, an ``ipywidgets.VBox`` that also carries what a test or the
instructor demo needs without a browser::

    box = contention_explorer()
    box.sliders["contention"].value = 0.9   # the callback runs, the figure changes in place
    box.figure.data[0].x                     # read the new values
"""

from __future__ import annotations

import ipywidgets as widgets
import plotly.graph_objects as go

from .live import Explorer
from .redraw import axis_key, hold_axis, pending_value, steady_range
from .style import caption, figure_widget, sync_before_display


def single_figure_explorer(
    controls: dict[str, widgets.Widget],
    figure: go.FigureWidget,
    note: str,
    update,
    rows: list[widgets.Widget] | None = None,
    warm=None,
) -> Explorer:
    """An :class:`~explorers.live.Explorer` of one figure whose ``update(figure, values)`` redraws it
    (``warm``: see :class:`~explorers.live.Explorer`)."""
    return Explorer(controls, [figure], [note], lambda values: update(figure, values), rows=rows, warm=warm)


def captioned(figure: go.FigureWidget, note: str) -> widgets.VBox:
    """A figure with its one-line "what to notice" caption right under it."""
    box = widgets.VBox([figure, caption(note)], layout=widgets.Layout(width="100%"))
    if isinstance(figure, go.FigureWidget):
        sync_before_display(figure)
    return box


def grid_widget(
    title: str, rows: int, cols: int, x_titles: list[str], y_titles: list[str], height: int, **subplot_options
) -> go.FigureWidget:
    """A FigureWidget with a grid of subplots in the kit's style, every axis titled.

    ``x_titles`` and ``y_titles`` go to the subplots in reading order (left to right, top to
    bottom); an empty string leaves a shared axis untitled where its neighbour carries the title.
    """
    fig = figure_widget(title, x_titles[0], y_titles[0], height=height)
    fig.set_subplots(rows=rows, cols=cols, **subplot_options)
    axes = _axes_in_order(fig)
    for (xaxis, yaxis), x_title, y_title in zip(axes, x_titles, y_titles):
        fig.layout[xaxis].title.text = x_title
        fig.layout[yaxis].title.text = y_title
    return fig


def _axes_in_order(fig: go.FigureWidget) -> list[tuple[str, str]]:
    grid = fig._grid_ref
    pairs = []
    for row in grid:
        for cell in row:
            if cell is None:
                continue
            ref = cell[0]
            pairs.append(tuple(ref.layout_keys))
    return pairs


def hold_bar_axes(figure: go.FigureWidget) -> None:
    """Fixed ranges for panels of horizontal bars, so that a move which only changes bar lengths is
    redrawn in place (:mod:`explorers.redraw`). A value axis marked ``rangemode="tozero"`` is held
    (:func:`~explorers.redraw.hold_axis`) and ends at the next round number past the farthest bar
    end (its ``base`` plus its length; :func:`~explorers.redraw.steady_range`, at most 100 on an
    axis titled in %; bars side by side or from a ``base``, not stacked), and a category axis read
    top-down (``autorange="reversed"``) holds exactly its categories (those named by bars and by
    its ``categoryarray``), as autorange would."""
    longest: dict[str, float] = {}
    categories: dict[str, set] = {}
    for index, trace in enumerate(figure.data):
        if trace.type != "bar" or trace.orientation != "h":
            continue
        x_name, y_name = axis_key(trace.xaxis or "x"), axis_key(trace.yaxis or "y")
        lengths, names = _listed(pending_value(figure, index, "x")), _listed(pending_value(figure, index, "y"))
        base = pending_value(figure, index, "base")
        starts = [base or 0.0] * len(lengths) if base is None or isinstance(base, (int, float)) else list(base)
        ends = (start + length for start, length in zip(starts, lengths) if None not in (start, length))
        longest[x_name] = max([longest.get(x_name, 0.0), *ends])
        categories.setdefault(y_name, set()).update(name for name in names if name is not None)
    for name, top in longest.items():
        axis = figure.layout[name]
        if axis.rangemode == "tozero":
            cap = 100 if "(%)" in (axis.title.text or "") else None
            hold_axis(axis, steady_range(top, cap=cap, current=axis.range))
    for name, named in categories.items():
        axis = figure.layout[name]
        count = len(named | set(axis.categoryarray or ()))
        if axis.autorange == "reversed" or (axis.autorange is False and axis.range and axis.range[0] > axis.range[1]):
            axis.range = [count - 0.5, -0.5]
            axis.autorange = False


def _listed(values) -> list:
    """A trace's x or y as a list (None: no points)."""
    return [] if values is None else list(values)


def all_axis_titles(fig: go.Figure) -> dict[str, str]:
    """Every x and y axis of a figure with its title text (empty string when missing)."""
    layout = fig.layout.to_plotly_json()
    return {
        key: (layout[key].get("title") or {}).get("text", "") for key in layout if key.startswith(("xaxis", "yaxis"))
    }


__all__ = ["single_figure_explorer", "captioned", "grid_widget", "hold_bar_axes", "all_axis_titles"]

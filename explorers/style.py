"""One look for every figure: a colour-blind-safe palette, titles, labelled axes, captions."""

from __future__ import annotations

import html
import math
import re
import sys
from copy import deepcopy


def _skip_slow_optional_import() -> None:
    """Start kernels seconds sooner: plotly's FigureWidget imports nbformat, nbformat imports
    jsonschema, and jsonschema's optional "iri" format checker (the rfc3987_syntax package) builds
    a parser grammar at import, about 6 s on a busy laptop. The kit never validates IRIs, so the
    kernel marks that one optional package as absent and jsonschema goes on without that checker."""
    if "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import now raises ImportError


_skip_slow_optional_import()

import ipywidgets as widgets  # noqa: E402
import plotly.graph_objects as go  # noqa: E402

from .redraw import forget_drawing, pending_layout, set_layout  # noqa: E402
from .shared_frontend import shared_front_end_figure  # noqa: E402

#: Okabe-Ito, safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OUTCOME_COLOURS = {"correct": "#009E73", "silent_failure": "#D55E00", "detected_failure": "#0072B2"}
OUTCOME_LABELS = {"correct": "correct", "silent_failure": "silent failure", "detected_failure": "detected failure"}


#: Characters of a title line that fit a 1024 px window with the file browser open: the figure is
#: then about 590 px wide and a 17 px title line takes about 12 px a character (measured in Chromium).
TITLE_LINE = 48
#: A last line shorter than this takes the word before it along, so no word is left alone.
ORPHAN = 8

#: How far below the figure's top edge its title starts: the title keeps to the top of the margin
#: and the legend to its bottom, just above the plot, with room for both in between.
TITLE_TOP_PX = 12
TITLE_HALF_LINE_PX = 12

#: Pixels a character of an axis title takes at plotly's 14 px axis-title font: 6.8 to 7.5 for the
#: kit's titles, measured in Chromium (a title of wide letters takes more).
AXIS_TITLE_CHAR_PX = 7.6

#: The narrowest figure the kit lays out for (a 1024 px window with the file browser open); a legend
#: across the top wraps within the plot, this less the figure's side margins.
NARROWEST_FIGURE_PX = 590
#: A legend row's height, and an entry's width: symbol and gaps, then its name at plotly's 12 px
#: legend font (measured in Chromium).
LEGEND_ROW_PX = 22
LEGEND_ENTRY_PX, LEGEND_CHAR_PX = 45, 6.8


def wrap_title(text: str, width: int = TITLE_LINE) -> str:
    """Break a long title into lines at spaces (``<br>``) so it wraps instead of running off the
    figure; a ``<br><sup>`` subtitle already in the text is kept, and wrapped too."""
    parts = text.split("<br>")
    lines: list[str] = []
    for part in parts:
        prefix, body, suffix = "", part, ""
        if part.startswith("<sup>") and part.endswith("</sup>"):
            prefix, body, suffix = "<sup>", part[5:-6], "</sup>"
        limit = int(width * 1.3) if prefix else width
        words, line, wrapped = body.split(" "), "", []
        for word in words:
            if line and len(line) + 1 + len(word) > limit:
                wrapped.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        wrapped.append(line)
        while len(wrapped) > 1 and len(wrapped[-1]) < ORPHAN and " " in wrapped[-2]:  # no "0" alone on a line
            head, moved = wrapped[-2].rsplit(" ", 1)
            wrapped[-2:] = [head, f"{moved} {wrapped[-1]}"]
        lines += [prefix + line + suffix for line in wrapped]
    return "<br>".join(lines)


def set_title(fig: go.Figure, text: str) -> go.Figure:
    """Give the figure a new title, wrapped and kept to the top of the figure, with room above the
    plot for every line of it and for the legend beneath it (:func:`legend_rows`); a figure too short
    for its y axis titles grows.

    Use it inside ``batch_update`` too: it reads what the batch is about to send, and the title goes
    out in the same message as the data, so the browser redraws the figure once per move."""
    wrapped = wrap_title(text) if text else text
    if wrapped != pending_layout(fig, "title.text"):
        set_layout(fig, "title.text", wrapped)
    lines = wrapped.count("<br>") + 1
    margin = pending_layout(fig, "margin.t")
    needed = max(margin or 0, 36 + 24 * lines, 16 + 24 * lines + LEGEND_ROW_PX * legend_rows(fig))
    if needed != margin:
        set_layout(fig, "margin.t", needed)
    _make_room_for_y_titles(fig)
    height = pending_layout(fig, "height")
    # plotly sets a title of two lines or more half a line higher than its "top" anchor says
    top = round(1 - (TITLE_TOP_PX + (TITLE_HALF_LINE_PX if lines > 1 else 0)) / height, 4) if height else None
    if top is not None and top != pending_layout(fig, "title.y"):
        set_layout(fig, "title.y", top)
    return fig


def y_title_length(text: str) -> float:
    """About how long a y axis title is drawn, in pixels (its longest line)."""
    lines = re.sub(r"<(?!br>)[^>]+>", "", text).split("<br>")
    return max(len(line) for line in lines) * AXIS_TITLE_CHAR_PX


def _make_room_for_y_titles(fig: go.Figure) -> None:
    """Make the figure tall enough for each y axis title to fit beside its plot. Plotly centres the
    rotated title on the plot and lets a longer one run past the plot's top, into the figure's title
    (lesson 00's first figure did, once its title took two lines)."""
    height = pending_layout(fig, "height")
    if not height:
        return
    margins = (pending_layout(fig, "margin.t") or 80) + (pending_layout(fig, "margin.b") or 80)
    needed = height
    for name in [name for name in fig._layout if re.fullmatch(r"yaxis\d*", name)]:
        text = pending_layout(fig, f"{name}.title.text")
        if not text:
            continue
        domain = pending_layout(fig, f"{name}.domain") or (0, 1)
        share = (domain[1] - domain[0]) or 1
        length = y_title_length(text) + 8
        if length > (height - margins) * share:
            needed = max(needed, math.ceil((margins + length / share) / 10) * 10)
    if needed != height:
        set_layout(fig, "height", needed)


def legend_rows(fig: go.Figure) -> int:
    """Rows the kit's legend (across the top, just above the plot) takes in the narrowest figure:
    plotly wraps it upwards, into the title, so :func:`set_title` leaves it that much room."""
    across_the_top = (
        pending_layout(fig, "showlegend") is not False
        and pending_layout(fig, "legend.orientation") == "h"
        and pending_layout(fig, "legend.yanchor") == "bottom"
        and (pending_layout(fig, "legend.y") or 0) >= 1
    )
    shown = [t for t in fig._data if t.get("showlegend") is not False and t.get("visible") is not False]
    if not across_the_top or (len(shown) < 2 and not any(t.get("showlegend") for t in shown)):
        return 0  # plotly leaves a lone trace out of the legend
    plot = NARROWEST_FIGURE_PX - (pending_layout(fig, "margin.l") or 80) - (pending_layout(fig, "margin.r") or 80)
    rows, used = 1, 0.0
    for trace in shown:
        width = LEGEND_ENTRY_PX + LEGEND_CHAR_PX * len(trace.get("name") or "trace 0")
        if used and used + width > plot:
            rows, used = rows + 1, 0.0
        used += width
    return rows


def fit_title(fig: go.Figure) -> go.Figure:
    """Wrap the figure's current title and make room above the plot for every line of it."""
    return set_title(fig, pending_layout(fig, "title.text") or "")


def _layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    return dict(
        title=dict(text=wrap_title(title), x=0.01, yanchor="top"),  # set_title puts it at the top
        autosize=True,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        template="plotly_white",
        colorway=PALETTE,
        margin=dict(l=70, r=20, t=60, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )


def styled_figure(title: str, x_title: str, y_title: str, height: int = 420, traces=()) -> go.Figure:
    """A static figure with the kit's look. Every figure needs a title and both axis titles with units."""
    if not (title and x_title and y_title):
        raise ValueError("every figure needs a title and labelled axes")
    return fit_title(go.Figure(data=list(traces), layout=_layout(title, x_title, y_title, height)))


def figure_widget(title: str, x_title: str, y_title: str, height: int = 420, traces=()) -> go.FigureWidget:
    """A live figure for sliders: update it inside ``with fig.batch_update():``, never rebuild it.

    Show it alone, or inside an :class:`~explorers.live.Explorer` or :func:`~explorers.panels.captioned`:
    it keeps the width of its output area (:mod:`explorers.width`)."""
    if not (title and x_title and y_title):
        raise ValueError("every figure needs a title and labelled axes")
    return fit_title(shared_front_end_figure(data=list(traces), layout=_layout(title, x_title, y_title, height)))


def caption_html(text: str) -> str:
    """The HTML of a caption (for changing one in place)."""
    return (
        f'<p class="orchlab-caption" style="margin:2px 0 14px 0;color:#333;font-style:italic">'
        f"What to notice: {html.escape(text)}</p>"
    )


def caption(text: str) -> widgets.HTML:
    """The one line under a figure that says what to notice."""
    return widgets.HTML(caption_html(text), layout=widgets.Layout(width="calc(100% - 4px)"))


def sync_before_display(fig: go.FigureWidget) -> go.FigureWidget:
    """Make changes made before a FigureWidget is first shown reach the browser.

    The kit's one use of plotly's private attributes, needed with plotly 6.x and 7.x (checked on
    7.1): plotly copies a figure's state into its synced traits (``_widget_layout``,
    ``_widget_data``) only when the figure itself is displayed; inside a VBox that never happens,
    so data set before display is lost (traces drawn against 0, 1, 2... in Voila, now and then
    in JupyterLab), and a figure in a box can keep plotly.js's fallback width of 700 px. This
    does the same copy. Remove it when plotly syncs on construction.
    """
    fit_title(fig)  # its traces are in now: room for the legend they make
    fig._widget_layout = deepcopy(fig._layout_obj._props)
    fig._widget_data = deepcopy(fig._data)
    forget_drawing(fig)  # shown from this data, drawn in full
    return fig

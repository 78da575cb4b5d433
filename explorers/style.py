"""One look for every figure: a colour-blind-safe palette, titles, labelled axes, captions."""

from __future__ import annotations

import html
from copy import deepcopy

import ipywidgets as widgets
import plotly.graph_objects as go

#: Okabe-Ito, safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OUTCOME_COLOURS = {"correct": "#009E73", "silent_failure": "#D55E00", "detected_failure": "#0072B2"}
OUTCOME_LABELS = {"correct": "correct", "silent_failure": "silent failure", "detected_failure": "detected failure"}


def _layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    return dict(
        title=dict(text=title, x=0.01),
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
    return go.Figure(data=list(traces), layout=_layout(title, x_title, y_title, height))


def figure_widget(title: str, x_title: str, y_title: str, height: int = 420, traces=()) -> go.FigureWidget:
    """A live figure for sliders: update it inside ``with fig.batch_update():``, never rebuild it."""
    if not (title and x_title and y_title):
        raise ValueError("every figure needs a title and labelled axes")
    return go.FigureWidget(data=list(traces), layout=_layout(title, x_title, y_title, height))


def caption(text: str) -> widgets.HTML:
    """The one line under a figure that says what to notice."""
    return widgets.HTML(
        f'<p class="orchlab-caption" style="margin:2px 0 14px 0;color:#333;font-style:italic">'
        f"What to notice: {html.escape(text)}</p>"
    )


def sync_before_display(fig: go.FigureWidget) -> go.FigureWidget:
    """Make changes made before a FigureWidget is first shown reach the browser.

    plotly copies a figure's state into its synced traits only when the figure itself is
    displayed; inside a VBox that never happens, so data set before display is lost (traces
    drawn against 0, 1, 2... in Voila, now and then in JupyterLab). This does the same copy.
    """
    fig._widget_layout = deepcopy(fig._layout_obj._props)
    fig._widget_data = deepcopy(fig._data)
    return fig

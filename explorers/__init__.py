"""Interactive explorers for the lessons and the instructor demo: ipywidgets + plotly FigureWidget.

The simulator computes, these modules draw. Each explorer returns a widget that updates its
figure in place when a slider moves, so a lesson cell is one line::

    from explorers import reliability_explorer; reliability_explorer()
"""
from .style import PALETTE, OUTCOME_COLOURS, caption, figure_widget, styled_figure
from .selfcheck import SelfCheck, self_check

__all__ = ["PALETTE", "OUTCOME_COLOURS", "caption", "figure_widget", "styled_figure", "SelfCheck", "self_check"]

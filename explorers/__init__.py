"""Interactive explorers for the lessons and the instructor demo: ipywidgets + plotly FigureWidget.

The simulator computes, these modules draw. Each explorer is an :class:`Explorer` (a VBox of
controls above live figures, each with its caption) that redraws in place when a control
moves, so a lesson cell is one line::

    from explorers import reliability_explorer
    reliability_explorer()
"""

from .contention import contention_explorer
from .correlation import correlation_explorer
from .incident import incident_explorer
from .live import Explorer
from .orchestration_value import monitoring_explorer, orchestration_value_explorer
from .panels import captioned
from .partial_failure import propagation_explorer, silent_chain_explorer
from .patterns import mesh_explorer, pattern_explorer
from .reliability import first_slider_explorer, reliability_explorer
from .selfcheck import SelfCheck, self_check
from .spot_checks import spot_check_explorer
from .style import OUTCOME_COLOURS, PALETTE, caption, figure_widget, styled_figure
from .timeline import timeline_figure, topology_figure

__all__ = [
    # the explorers, in lesson order
    "first_slider_explorer",
    "pattern_explorer",
    "mesh_explorer",
    "reliability_explorer",
    "spot_check_explorer",
    "correlation_explorer",
    "propagation_explorer",
    "silent_chain_explorer",
    "contention_explorer",
    "orchestration_value_explorer",
    "monitoring_explorer",
    "incident_explorer",
    # building blocks
    "Explorer",
    "timeline_figure",
    "topology_figure",
    "captioned",
    "caption",
    "figure_widget",
    "styled_figure",
    "PALETTE",
    "OUTCOME_COLOURS",
    "SelfCheck",
    "self_check",
]

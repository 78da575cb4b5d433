"""Live figures that take the width of their output area in JupyterLab 4, Notebook 7 and Voilà.

Plotly 6/7's FigureWidget is an anywidget. Its front end draws the figure as soon as the view
exists, often before the page has laid the element out, so plotly.js falls back to 700 px; and
it never hears the Lumino resize messages that made plotly 5's widget resize itself. The kit does
not touch plotly's front end. Two small public levers do the work instead:

* every live figure is drawn with plotly.js's ``responsive`` option (:func:`follow_width`), so
  each figure carries the function plotly.js itself calls when the window is resized;
* the figures' own front-end module (:mod:`explorers.shared_frontend`) runs :data:`FOLLOW_WIDTH_JS`,
  which installs one ``ResizeObserver`` per page. It watches every plotly figure drawn after it
  (through plotly's ``plotlywidget-after-render`` event) and, once per animation frame, asks a
  figure to resize whenever its element's width and its drawn width differ: on first layout, when
  the window changes size, when the file browser opens or closes, and when a windowed notebook
  attaches a cell that was drawn out of view.

Remove both when plotly's widget follows its container by itself; the browser test
``test_figures_and_controls_fit_the_notebook`` will show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plotly is imported once, by explorers.style, after it skips a slow optional import
    import plotly.graph_objects as go

#: JavaScript that defines ``followWidth()``: call it once a page, it is idempotent.
FOLLOW_WIDTH_JS = """
const FOLLOW_KEY = "__orchlabFiguresFollowWidth";

function followWidth() {
  if (globalThis[FOLLOW_KEY]) return;
  const pending = new Set();
  const tries = new WeakMap();
  let frame = 0;
  const fit = () => {
    frame = 0;
    const plots = [...pending];
    pending.clear();
    for (const plot of plots) {
      const width = plot.clientWidth;
      const drawn = plot._fullLayout && plot._fullLayout.width;
      // Not laid out or not drawn yet: its next resize or after-render event brings it back.
      if (!plot.isConnected || !width || !drawn) continue;
      if (Math.abs(drawn - width) <= 1 || !plot._responsiveChartHandler || (plot.layout && plot.layout.width)) {
        tries.delete(plot);
        continue;
      }
      plot._responsiveChartHandler();
      // plotly.js skips a resize when the figure is hidden 100 ms later (a notebook that scrolls
      // cells out of view does that), so look again, a few times, until the widths agree.
      const tried = (tries.get(plot) || 0) + 1;
      tries.set(plot, tried);
      if (tried <= 8) setTimeout(() => check(plot), 250 * tried);
    }
  };
  const check = (plot) => {
    pending.add(plot);
    if (!frame) frame = requestAnimationFrame(fit);
  };
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => check(entry.target)));
  const watch = (plot) => { observer.observe(plot); check(plot); };
  document.addEventListener("plotlywidget-after-render", (event) => {
    if (event.detail && event.detail.element) watch(event.detail.element);
  });
  globalThis[FOLLOW_KEY] = true;
}
"""


def follow_width(figure: go.FigureWidget) -> go.FigureWidget:
    """Draw a live figure with plotly.js's ``responsive`` option, the resize :data:`FOLLOW_WIDTH_JS` calls."""
    figure._config = {**figure._config, "responsive": True}
    return figure


__all__ = ["FOLLOW_WIDTH_JS", "follow_width"]

"""A plotly FigureWidget whose 5 MB front end the browser compiles once per page, not once per figure.

Plotly 6/7's FigureWidget is an anywidget: every figure's model carries plotly's whole widget
bundle as its ``_esm`` text, and anywidget imports that text through a new Blob URL for every
model, so the browser parses and runs plotly.js again for every figure: 1.5 to 4 s each on the
kit's 2-core machine, most of a lesson's Run All and of the demo's start-up; and a model whose
import takes over 2 s misses anywidget's deadline, after which its figure never updates
("[anywidget] Failed to initialize model."). Here the bundle travels as a string inside a small
module that imports it once per page and version, every later figure reuses that import, and no
figure waits for it to initialise. The figure, its data and plotly's own front end are unchanged.

Remove this when plotly's widget is served by URL (anywidget then imports it once by itself).
"""

from __future__ import annotations

import json

import plotly
import plotly.graph_objects as go

# The page keeps one import promise per plotly build, so two kernels on different plotly
# versions in one JupyterLab never share a front end. anywidget gives a model 2 s to initialise
# and drops every later message to a model that missed it, while compiling plotly.js can take
# longer on a busy machine; so ``initialize`` returns at once, keeps the figure's messages that
# arrive meanwhile, and hands them to plotly's own model, in order, once plotly.js is loaded.
_SHARED_IMPORT = """
const KEY = "__orchlabPlotlyWidget_" + %(build)s;
const MESSAGES = ["_py2js_addTraces", "_py2js_deleteTraces", "_py2js_moveTraces", "_py2js_restyle",
  "_py2js_relayout", "_py2js_update", "_py2js_animate", "_py2js_removeLayoutProps", "_py2js_removeTraceProps"];

const loadPlotly = () => (globalThis[KEY] ??= (async () => {
  const url = URL.createObjectURL(new Blob([%(source)s], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
})());

export default () => {
  let plotlyWidget = null;
  let loaded = null;
  return {
    initialize({ model, experimental }) {
      const early = [];
      const keepers = MESSAGES.map((name) => {
        const keep = () => early.push([name, model.get(name)]);
        model.on(`change:${name}`, keep);
        return [name, keep];
      });
      loaded = loadPlotly().then(async (plotly) => {
        plotlyWidget = plotly.default();
        await plotlyWidget.initialize({ model, experimental });
        for (const [name, keep] of keepers) model.off(`change:${name}`, keep);
        for (const [name, value] of early) {
          if (value === null || value === undefined) continue;
          model.set(name, value); // plotly's model hears it as it would have on arrival
          model.set(name, null);
        }
      });
    },
    async render(context) {
      await loaded;
      return plotlyWidget.render(context);
    },
  };
};
"""


def _shared_esm() -> str:
    source = str(go.FigureWidget._esm)
    build = f"{plotly.__version__}_{len(source)}"
    return _SHARED_IMPORT % {"build": json.dumps(build), "source": json.dumps(source, ensure_ascii=False)}


class SharedFrontEndFigure(go.FigureWidget):
    """A ``go.FigureWidget`` in every respect but how its front end is loaded (see the module)."""

    def __init__(self, *args, **kwargs):
        cls = SharedFrontEndFigure
        if "_esm" not in cls.__dict__:  # built on first use, once per kernel
            cls._esm = _shared_esm()
        super().__init__(*args, **kwargs)


__all__ = ["SharedFrontEndFigure"]

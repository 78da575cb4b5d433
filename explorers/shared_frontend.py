"""Plotly FigureWidgets whose 5 MB front end reaches the browser once per kernel and compiles once per page.

Plotly 6/7's FigureWidget is an anywidget: every figure's model carries plotly's whole widget
bundle as its ``_esm`` text, and anywidget imports that text through a new Blob URL for every
model. So every figure sent 5 MB through the kernel's channel and the browser parsed and ran
plotly.js again for it: 1.5 to 4 s each on the kit's 2-core machine, most of a lesson's Run All
and of the demo's start-up. Worse, a model whose import takes over 2 s misses anywidget's
deadline and drops every later update ("[anywidget] Failed to initialize model.").

Here one living figure per kernel, the *carrier*, holds the bundle; every other figure holds a
small module that waits for the page's one import of it. No figure holds anywidget's deadline:
``initialize`` returns at once, keeps the figure's messages that arrive meanwhile, and hands them
to plotly's own model, in order, once plotly.js is loaded (those that came before a whole new
figure state are dropped, as that state already holds them). When the carrier is closed, the next
new figure becomes the carrier. The module also makes every figure keep the width of its output
area (:mod:`explorers.width`), and keeps plotly's view from reporting the defaults plotly.js
filled in back to the kernel after every draw (two messages a move that the kit never reads,
which kept the kernel busy while the learner's next move waited). The figure, its data and
plotly's drawing are unchanged.

Remove this when plotly's widget is served by URL (anywidget then imports it once by itself).
"""

from __future__ import annotations

import json
import weakref

import plotly
import plotly.graph_objects as go

from .width import FOLLOW_WIDTH_JS, follow_width

#: How long a figure waits for the carrier's import before it says so on the page.
WAIT_FOR_CARRIER_S = 120

# One record per page and plotly build (two kernels on different plotly versions in one JupyterLab
# never share a front end): a promise of plotly's module that the carrier's import settles.
_FIGURE_MODULE = """
const KEY = "__orchlabPlotlyWidget_" + %(build)s;
const MESSAGES = ["_py2js_addTraces", "_py2js_deleteTraces", "_py2js_moveTraces", "_py2js_restyle",
  "_py2js_relayout", "_py2js_update", "_py2js_animate", "_py2js_removeLayoutProps", "_py2js_removeTraceProps"];
const shared = (globalThis[KEY] ??= (() => {
  const record = { started: false };
  record.module = new Promise((resolve, reject) => Object.assign(record, { resolve, reject }));
  return record;
})());
%(carry)s
%(follow)s
followWidth();  // every figure drawn on this page from now on keeps the width of its output area
const plotlyModule = () => Promise.race([shared.module, new Promise((_, reject) => setTimeout(
  () => reject(new Error("plotly's figure front end did not arrive: run the cell again")), %(wait_ms)d))]);

// After every draw plotly's view diffs the whole figure against what plotly.js filled in and sends
// both diffs to the kernel: two messages that keep the kernel busy 30 to 100 ms after each move, so a
// learner's next key press waits behind them. The kit reads none of those defaults (its figures hold
// what it set, in the browser as in the tests), so the view keeps them to itself.
const quieten = (plotly) => {
  const view = plotly.FigureView && plotly.FigureView.prototype;
  if (!view || view.__orchlabQuiet) return;
  view._sendTraceDeltas = () => {};
  view._sendLayoutDelta = () => {};
  view.__orchlabQuiet = true;
};

// Figures draw one per task, in the order their views asked, so the first is on screen (and its
// controls answer) while the rest are still drawing, instead of all five appearing together.
const nextTurn = () => (shared.turn = (shared.turn ?? Promise.resolve()).then(
  () => new Promise((resolve) => setTimeout(resolve, 0))));

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
      // A whole new figure state (sent just before display) already holds every earlier message.
      const restart = () => { early.length = 0; };
      for (const name of ["_widget_data", "_widget_layout"]) {
        model.on(`change:${name}`, restart);
        keepers.push([name, restart]);
      }
      loaded = plotlyModule().then(async (plotly) => {
        quieten(plotly);
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
      await nextTurn();
      return plotlyWidget.render(context);
    },
  };
};
"""

# Compiling plotly.js holds the page for seconds, and a widget model whose 2 s allowance runs out
# meanwhile is lost; so the carrier starts the import only when the page is idle, after every model
# that arrived with it has initialised (models that arrive during the compile start their clock after).
_CARRY = """
if (!shared.started) {
  shared.started = true;
  const start = () => {
    const url = URL.createObjectURL(new Blob([%(source)s], { type: "text/javascript" }));
    import(url).then(shared.resolve, shared.reject).finally(() => URL.revokeObjectURL(url));
  };
  (globalThis.requestIdleCallback || ((callback) => setTimeout(callback, 200)))(start, { timeout: 1000 });
}
"""


def _figure_module(carries_bundle: bool) -> str:
    source = str(go.FigureWidget._esm)
    build = f"{plotly.__version__}_{len(source)}"
    carry = _CARRY % {"source": json.dumps(source, ensure_ascii=False)} if carries_bundle else ""
    return _FIGURE_MODULE % {
        "build": json.dumps(build),
        "carry": carry,
        "follow": FOLLOW_WIDTH_JS,
        "wait_ms": WAIT_FOR_CARRIER_S * 1000,
    }


class SharedFrontEndFigure(go.FigureWidget):
    """A ``go.FigureWidget`` in every respect but how its front end is loaded (see the module), drawn
    with plotly.js's ``responsive`` option, which the module's width follower needs."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if "_esm" not in cls.__dict__:  # built on first use, once per kernel
            cls._esm = _figure_module(carries_bundle=cls is CarrierFigure)
        super().__init__(*args, **kwargs)
        follow_width(self)


class CarrierFigure(SharedFrontEndFigure):
    """The figure that also brings plotly's bundle to every page that shows this kernel's figures."""


_carrier: weakref.ref | None = None


def shared_front_end_figure(**figure_args) -> SharedFrontEndFigure:
    """A new live figure: the kernel's carrier when it has none alive, else one that shares it."""
    global _carrier
    current = _carrier() if _carrier is not None else None
    if current is not None and getattr(current, "comm", None) is not None:
        return SharedFrontEndFigure(**figure_args)
    figure = CarrierFigure(**figure_args)
    _carrier = weakref.ref(figure)
    return figure


__all__ = ["SharedFrontEndFigure", "CarrierFigure", "shared_front_end_figure", "WAIT_FOR_CARRIER_S"]

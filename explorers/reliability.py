"""Lesson 02 (and the warm-up of lesson 00): compound reliability along a chain.

* :func:`reliability_explorer` is the live compound-reliability figure: sliders for per-agent
  reliability, chain length and an end-to-end target; the model curve p**n beside simulated
  chains. The instructor demo reuses it.
* :func:`first_slider_explorer` is lesson 00's one-slider warm-up of the same curve.

The numbers come from :mod:`simulator`; this module arranges and draws them. Lesson 02's two
other views live beside it: :mod:`explorers.spot_checks` and :mod:`explorers.correlation`.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import (
    chain_reliability,
    required_reliability,
    simulate,
    wilson_interval,
)

from .controls import slider
from .format import pct
from .live import Explorer
from .style import PALETTE, figure_widget, fit_title, styled_figure

MAX_CHAIN = 12
HEURISTIC = 0.97
RELIABILITY_AXIS = "chance the whole chain ends right (%)"
CHAIN_AXIS = "agents in the chain (count)"


# --- the module's table --------------------------------------------------------------------


def compound_table_text(table: pd.DataFrame) -> str:
    """The compound table as text: per-agent reliability by chain length, model beside simulation."""
    lengths = sorted(table["agents"].unique())
    lines = [
        "per-agent  " + "".join(f"{f'{n} agents':^16}    " for n in lengths).rstrip(),
        "reliability" + "".join(f"{'p^n':>5}{'simulated':>11}    " for _ in lengths).rstrip(),
    ]
    for p, rows in table.groupby("reliability", sort=True):
        cells = "".join(
            f"{100 * rows[rows['agents'] == n].iloc[0].analytic:4.0f}%"
            f"{100 * rows[rows['agents'] == n].iloc[0].simulated:10.1f}%    "
            for n in lengths
        )
        lines.append(f"{100 * p:.0f}%".ljust(11) + cells.rstrip())
    return "\n".join(lines)


def compound_table_figure(table: pd.DataFrame) -> go.Figure:
    """The table as lines: the model for each per-agent reliability, simulated points with 95 % intervals."""
    fig = styled_figure("The module's table, model beside simulation", CHAIN_AXIS, RELIABILITY_AXIS, height=440)
    for colour, (p, rows) in zip(PALETTE, table.groupby("reliability", sort=True)):
        fig.add_trace(
            go.Scatter(
                x=rows["agents"],
                y=100 * rows["analytic"],
                mode="lines",
                name=f"{100 * p:.0f}% per agent",
                line=dict(color=colour, width=2),
                legendgroup=str(p),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=rows["agents"],
                y=100 * rows["simulated"],
                mode="markers",
                showlegend=False,
                marker=dict(color=colour, size=9, symbol="circle-open", line=dict(width=2)),
                legendgroup=str(p),
                name=f"{100 * p:.0f}% simulated",
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=100 * (rows["ci_high"] - rows["simulated"]),
                    arrayminus=100 * (rows["simulated"] - rows["ci_low"]),
                    color=colour,
                ),
            )
        )
    fig.update_layout(
        yaxis_range=[0, 100],
        xaxis=dict(tickvals=sorted(table["agents"].unique())),
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"),
        margin=dict(r=160),
    )
    return fit_title(fig)  # its traces are in now: the title's room for their legend


def required_reliability_figure(targets=(0.8, 0.9, 0.95, 0.99), lengths=range(1, MAX_CHAIN + 1)) -> go.Figure:
    """Per-agent reliability a chain needs to reach each end-to-end target."""
    fig = styled_figure(
        "What each agent must reach for the chain to hit a target",
        CHAIN_AXIS,
        "per-agent reliability needed (%)",
        height=420,
    )
    lengths = list(lengths)
    for colour, target in zip(PALETTE, targets):
        fig.add_trace(
            go.Scatter(
                x=lengths,
                y=[100 * required_reliability(target, n) for n in lengths],
                mode="lines+markers",
                name=f"chain target {100 * target:.0f}%",
                line=dict(color=colour, width=2.5),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[lengths[0], lengths[-1]],
            y=[100 * HEURISTIC] * 2,
            mode="lines",
            name="the 97% heuristic",
            line=dict(color=PALETTE[7], dash="dot"),
        )
    )
    fig.update_layout(legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"), margin=dict(r=170))
    return fit_title(fig)  # its traces are in now: the title's room for their legend


# --- the warm-up slider of lesson 00 ---------------------------------------------------------


def first_slider_explorer(reliability: float = 0.9, agents: int = 3) -> Explorer:
    """Lesson 00's tiny example: one slider, one bar chart, the chance a chain ends right.

    Every length is a grey bar with its percentage; the chosen length is one blue bar drawn over its
    grey one. A move only moves the blue bar, so the browser redraws it in place (:mod:`explorers.redraw`)."""
    controls = dict(agents=slider("int", "agents in the chain", agents, 1, 10, 1))
    lengths = list(range(1, 11))
    heights = [100 * chain_reliability(reliability, n) for n in lengths]
    fig = figure_widget(
        f"A chain of agents, each right {reliability:.0%} of the time",
        CHAIN_AXIS,
        RELIABILITY_AXIS,
        height=340,
        traces=[
            go.Bar(
                x=lengths,
                y=heights,
                texttemplate="%{y:.0f}%",
                textposition="outside",  # labels stay inside 0-105
                marker=dict(color="rgba(0,0,0,0.16)", line_width=0),
                name="every length",
            ),
            go.Bar(marker=dict(color=PALETTE[0], line_width=0), name="your chain"),
        ],
    )
    fig.update_layout(
        barmode="overlay", yaxis_range=[0, 105], xaxis=dict(tickvals=lengths, range=[0.5, 10.5]), showlegend=False
    )

    def update(v: dict) -> str:
        n = v["agents"]
        fig.data[1].update(x=[n], y=[heights[n - 1]])
        return (
            f"<b>{n} agent{'s' if n > 1 else ''} at {reliability:.0%} each:</b> the whole chain ends right "
            f"{pct(chain_reliability(reliability, n))} of the time."
        )

    return Explorer(controls, [fig], ["each agent you add multiplies in one more chance to go wrong."], update)


# --- the compound reliability explorer -------------------------------------------------------


def prefix_success(p: float, longest: int, trials: int, seed: int, **settings) -> list[tuple[float, float, float]]:
    """Simulated success of chains of 1..``longest`` agents, with 95 % intervals, from one run.

    A chain of n agents is the first n agents of a longer chain, so a single simulated run of
    ``longest`` agents answers every length: a trial ended right for n if none of its first n
    agents failed (``first_failure_agent``).
    """
    result = simulate(pattern="sequential", agents=longest, reliability=p, trials=trials, seed=seed, **settings)
    position = {a.name: i for i, a in enumerate(result.scenario.agents)}
    first = result.trials["first_failure_agent"].map(position).fillna(longest).to_numpy()
    out = []
    for n in range(1, longest + 1):
        successes = int((first >= n).sum())
        low, high = wilson_interval(successes, trials)
        out.append((successes / trials, low, high))
    return out


@lru_cache(maxsize=256)
def _remembered_prefix_success(p: float, longest: int, trials: int, seed: int) -> tuple:
    """:func:`prefix_success` of a setting already seen, without simulating it again."""
    return tuple(prefix_success(p, longest, trials, seed))


def reliability_explorer(
    reliability: float = 0.90, agents: int = 5, target: float = 0.90, trials: int = 4000, seed: int = 2
) -> Explorer:
    """Compound reliability live: p**n against chain length, with simulated chains beside it.

    Sliders: ``reliability`` (per agent), ``agents`` (chain length marked on the curve) and
    ``target`` (end-to-end goal; the readout says what each agent then needs). Every move of
    the reliability slider simulates ``trials`` seeded runs of a 12-agent chain and reads every
    shorter chain off them (:func:`prefix_success`); the other sliders only move marks.
    """
    controls = dict(
        reliability=slider("float", "per-agent reliability", reliability, 0.80, 0.999, 0.001, ".1%"),
        agents=slider("int", "agents in the chain", agents, 1, MAX_CHAIN, 1),
        target=slider("float", "end-to-end target", target, 0.50, 0.99, 0.01, ".0%"),
    )
    lengths = list(range(1, MAX_CHAIN + 1))
    fig = figure_widget(
        "Compound reliability: every agent multiplies in",
        CHAIN_AXIS,
        RELIABILITY_AXIS,
        height=460,
        traces=[
            go.Scatter(mode="lines", name="model: p to the power n", line=dict(color=PALETTE[0], width=3)),
            # the intervals as line segments, not error bars: a move then redraws in place (explorers.redraw)
            go.Scatter(
                mode="lines",
                name="95% interval",
                showlegend=False,
                hoverinfo="skip",
                line=dict(color=PALETTE[1], width=2),
            ),
            go.Scatter(
                mode="markers",
                name=f"simulated ({trials:,} runs, 95% interval)",
                marker=dict(color=PALETTE[1], size=9, line=dict(width=1, color=PALETTE[7])),
            ),
            go.Scatter(
                x=lengths,
                y=[100 * HEURISTIC**n for n in lengths],
                mode="lines",
                name="97% per agent, for comparison",
                line=dict(color=PALETTE[2], dash="dot", width=2),
            ),
            go.Scatter(mode="lines", name="end-to-end target", line=dict(color=PALETTE[5], dash="dash", width=2)),
            go.Scatter(
                mode="markers+text",
                name="your chain",
                textposition="top right",
                marker=dict(color=PALETTE[0], size=18, symbol="circle-open", line=dict(width=3)),
                cliponaxis=False,
            ),
        ],
    )
    fig.update_layout(
        yaxis_range=[0, 102],
        xaxis=dict(tickvals=lengths, range=[0.5, MAX_CHAIN + 0.5]),
        legend=dict(orientation="v", yanchor="bottom", y=0.02, xanchor="left", x=0.02, bgcolor="rgba(255,255,255,0.8)"),
    )

    def compute(v: dict) -> tuple:
        return _remembered_prefix_success(round(v["reliability"], 4), MAX_CHAIN, trials, seed)

    def update(v: dict) -> str:
        p, n, goal = v["reliability"], v["agents"], v["target"]
        model = [100 * chain_reliability(p, k) for k in lengths]
        points = compute(v)
        rate = [100 * s for s, _, _ in points]
        # traces are built empty and get x and y together here: a trace built with x but no y
        # reaches the browser without its x
        curve, interval, simulated, _, target_line, marker = fig.data
        curve.update(x=lengths, y=model)
        interval.update(  # one segment per chain length, None between them
            x=[x for k in lengths for x in (k, k, None)],
            y=[y for _, low, high in points for y in (round(100 * low, 4), round(100 * high, 4), None)],
        )
        simulated.update(x=lengths, y=rate)
        target_line.update(x=[1, MAX_CHAIN], y=[100 * goal] * 2)
        marker.update(x=[n], y=[model[n - 1]], text=[f"{model[n - 1]:.0f}%"])
        sim, low, high = points[n - 1]
        need = required_reliability(goal, n)
        verdict = "meets" if chain_reliability(p, n) >= goal else "misses"
        return (
            f"<b>{n} agent{'s' if n > 1 else ''} at {pct(p)} each: the chain ends right {pct(chain_reliability(p, n))} "
            f"of the time</b> (simulated {pct(sim)}, 95% interval {pct(low)} to {pct(high)}), so it {verdict} the "
            f"{pct(goal, 0)} target. To reach {pct(goal, 0)} with {n} agent{'s' if n > 1 else ''}, each needs {pct(need, 2)}."
        )

    return Explorer(
        controls,
        [fig],
        [
            "each agent takes the same share off what is left, so the curve drops most at the first agent, "
            "a little less at each one after it, and the losses add up along the chain."
        ],
        update,
        warm=compute,
    )


__all__ = [
    "reliability_explorer",
    "first_slider_explorer",
    "compound_table_text",
    "compound_table_figure",
    "required_reliability_figure",
    "prefix_success",
]

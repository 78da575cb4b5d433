"""Lesson 02, shadow mode: how often a short spot check of an agent looks perfect, and how many
runs a reliability claim needs (:func:`spot_check_explorer`, :func:`claim_runs_figure`)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator import (
    runs_needed,
    runs_to_claim,
    simulate,
    wilson_interval,
)

from .controls import slider
from .format import count, pct, plural, small_pct, small_pct_html
from .live import Explorer
from .redraw import hold_axis, keep_slots, steady_range
from .style import PALETTE, figure_widget, fit_title, styled_figure


def spot_checks(reliability: float, runs: int, checks: int, seed: int = 0) -> np.ndarray:
    """Successes in each of ``checks`` spot checks of ``runs`` simulated runs of one agent."""
    result = simulate(pattern="sequential", agents=1, reliability=reliability, trials=runs * checks, seed=seed)
    right = (result.trials["outcome"] == "correct").to_numpy()
    return right.reshape(checks, runs).sum(axis=1)


def perfect_share(reliability: float, runs: int, checks: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """How often a spot check of ``runs`` comes back flawless: simulated, and the model p**runs."""
    return float((spot_checks(reliability, runs, checks, seed) == runs).mean()), reliability**runs


@lru_cache(maxsize=256)
def _spot_check_counts(reliability: float, runs: int, checks: int, seed: int) -> tuple[int, ...]:
    """How many of ``checks`` spot checks saw 0, 1, ... ``runs`` successes (remembered per setting)."""
    return tuple(np.bincount(spot_checks(reliability, runs, checks, seed), minlength=runs + 1).tolist())


def _binomial(runs: int, p: float) -> list[float]:
    return [math.comb(runs, k) * p**k * (1 - p) ** (runs - k) for k in range(runs + 1)]


def spot_check_explorer(reliability: float = 0.90, runs: int = 10, budget: int = 20_000, seed: int = 5) -> Explorer:
    """What a spot check of a few runs says about an agent of known true reliability.

    Each move simulates ``budget`` runs split into spot checks of ``runs``; bars show how the
    observed success rates spread, dots the exact binomial shares.
    """
    controls = dict(
        reliability=slider("float", "true reliability of the agent", reliability, 0.70, 0.99, 0.01, ".0%"),
        runs=slider("int", "runs in one spot check", runs, 5, 100, 5),
    )
    fig = figure_widget(
        "What spot checks of one agent report",
        "success rate the spot check reports (%)",
        "share of spot checks (%)",
        height=420,
        traces=[
            go.Bar(name="simulated spot checks", marker=dict(color=PALETTE[4])),
            go.Scatter(mode="markers", name="exact (binomial)", marker=dict(color=PALETTE[7], size=7)),
            go.Scatter(mode="lines", name="true reliability", line=dict(color=PALETTE[5], dash="dash", width=2.5)),
        ],
    )
    fig.update_layout(
        xaxis_range=[40, 102], bargap=0.2, legend=dict(orientation="v", x=0.02, xanchor="left", y=0.98, yanchor="top")
    )

    def checks_of(v: dict) -> int:
        return max(100, budget // v["runs"])

    def compute(v: dict) -> tuple[int, ...]:
        return _spot_check_counts(round(v["reliability"], 4), v["runs"], checks_of(v), seed)

    def update(v: dict) -> str:
        p, n = v["reliability"], v["runs"]
        checks = checks_of(v)
        counts = np.array(compute(v))
        x = [100 * k / n for k in range(n + 1)]
        exact = _binomial(n, p)
        # bars 80% of the spacing wide (the layout's bargap), in slots kept from move to move
        fig.data[0].update(keep_slots(fig, 0, dict(x=x, y=list(100 * counts / checks))))
        fig.data[1].update(x=x, y=[100 * e for e in exact])
        top = max(100 * counts.max() / checks, 100 * max(exact))
        fig.data[2].update(x=[100 * p, 100 * p], y=[0, top * 1.05])
        hold_axis(fig.layout.yaxis, steady_range(top * 1.05, cap=105, current=fig.layout.yaxis.range))
        perfect = counts[n] / checks
        low = wilson_interval(n, n)[0]
        readout = (
            f"<b>{small_pct_html(perfect)} of {count(checks)} spot checks of {n} runs came back perfect</b> "
            f"(exact: {small_pct_html(p**n)}) for an agent that is really {pct(p, 0)} reliable. A flawless {n} out of "
            f"{n} only shows it is above {pct(low)} (95% lower bound); a claim of 97% needs "
            f"{runs_to_claim(0.97)} flawless runs."
        )
        return readout, [spot_check_caption(p, n)]

    return Explorer(controls, [fig], [spot_check_caption(reliability, runs)], update, warm=compute)


#: From this share of flawless spot checks up, a flawless result is easy to get by luck.
COMMON = 0.05


def spot_check_caption(p: float, runs: int) -> str:
    """What to notice under the spot-check figure, for an agent of reliability ``p`` checked ``runs`` times."""
    flawless, fails = p**runs, pct(1 - p, 0)
    seen = f"with {plural(runs, 'run')}, {small_pct(flawless)} of spot checks come back flawless"
    if flawless < COMMON:
        return f"{seen} for an agent that fails {fails} of the time: the more runs, the less room for luck."
    low = wilson_interval(runs, runs)[0]
    if low < 0.9:
        return (
            f"{seen} even for an agent that fails {fails} of the time, and a flawless one only shows reliability "
            f"above {pct(low)}: a perfect spot check is weak evidence."
        )
    return f"{seen} even for an agent that fails {fails} of the time: a perfect score does not mean it never fails."


def claim_runs_table(targets=(0.90, 0.95, 0.97, 0.99), margin: float = 0.01) -> pd.DataFrame:
    """Runs a claim needs: flawless runs to claim a target, and runs to pin a rate to +/- margin."""
    rows = [
        dict(
            target=t,
            flawless_runs_to_claim=runs_to_claim(t),
            runs_for_margin=runs_needed(t, margin),
            perfect_ten_lower_bound=wilson_interval(10, 10)[0],
        )
        for t in targets
    ]
    return pd.DataFrame(rows)


def claim_runs_figure(targets=tuple(x / 1000 for x in range(900, 996, 5)), margin: float = 0.01) -> go.Figure:
    """How many shadow runs a reliability claim needs, on a log scale."""
    fig = styled_figure(
        "How many shadow runs a reliability claim needs",
        "reliability you want to claim (%)",
        "shadow-mode runs (count, log scale)",
        height=420,
    )
    x = [100 * t for t in targets]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[runs_to_claim(t) for t in targets],
            mode="lines+markers",
            name="flawless runs in a row to claim it",
            line=dict(color=PALETTE[0], width=2.5),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[runs_needed(t, margin) for t in targets],
            mode="lines+markers",
            name=f"runs to measure it to within {100 * margin:.0f} point",
            line=dict(color=PALETTE[1], width=2.5),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[x[0], x[-1]],
            y=[10, 10],
            mode="lines",
            name="a 10-run spot check",
            line=dict(color=PALETTE[5], dash="dash"),
        )
    )
    fig.update_layout(
        yaxis=dict(type="log", dtick=1),
        legend=dict(
            orientation="v", x=0.98, xanchor="right", y=0.04, yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"
        ),
    )
    return fit_title(fig)  # its traces are in now: the title's room for their legend


__all__ = [
    "spot_check_explorer",
    "spot_checks",
    "perfect_share",
    "spot_check_caption",
    "claim_runs_table",
    "claim_runs_figure",
]

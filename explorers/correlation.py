"""Lesson 02, shared causes: pass^k and pass@k of an agent whose failures share a cause, set
against the independent p**k (:func:`correlation_explorer`)."""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import (
    correlated_chain,
    correlated_retry_success,
    pass_at_k,
    pass_hat_k,
    simulate,
)

from .controls import slider
from .format import pct, small_pct, small_pct_html
from .live import Explorer
from .reliability import prefix_success
from .style import PALETTE, figure_widget


def pass_curves(p: float, rho: float, max_k: int, trials: int, seed: int) -> tuple[list[float], list[float]]:
    """Simulated pass^k (all k runs right) and pass@k (some run right) for k = 1..``max_k``.

    pass^k reads a ``max_k``-step chain of the same agent sharing one cause per task (see
    :func:`prefix_success`); pass@k reads one agent whose failures are loud, retried up to
    ``max_k - 1`` times: the task is solved within k tries if it ended right after at most k calls.
    """
    every = [s for s, _, _ in prefix_success(p, max_k, trials, seed, correlation=rho)]
    retried = simulate(
        pattern="sequential",
        agents=1,
        reliability=p,
        silent_share=0.0,
        retries=max_k - 1,
        correlation=rho,
        trials=trials,
        seed=seed + 1,
    )
    right = (retried.trials["outcome"] == "correct").to_numpy()
    calls = retried.trials["calls"].to_numpy()
    anyone = [float((right & (calls <= k)).mean()) for k in range(1, max_k + 1)]
    return every, anyone


@lru_cache(maxsize=256)
def _remembered_pass_curves(p: float, rho: float, max_k: int, trials: int, seed: int) -> tuple[tuple, tuple]:
    """:func:`pass_curves` of a setting already seen, without simulating it again."""
    every, anyone = pass_curves(p, rho, max_k, trials, seed)
    return tuple(every), tuple(anyone)


def correlation_table(
    reliability: float = 0.9, rho: float = 0.5, ks=(1, 2, 3, 5, 8), trials: int = 20_000, seed: int = 0
) -> pd.DataFrame:
    """pass^k and pass@k with a shared cause, model and simulation, beside the independent values."""
    every, anyone = pass_curves(reliability, rho, max(ks), trials, seed)
    rows = []
    for k in ks:
        rows.append(
            dict(
                k=k,
                independent_pass_hat_k=pass_hat_k(reliability, k),
                shared_pass_hat_k=correlated_chain(reliability, k, rho),
                simulated_pass_hat_k=every[k - 1],
                independent_pass_at_k=pass_at_k(reliability, k),
                shared_pass_at_k=correlated_retry_success(reliability, k - 1, rho),
                simulated_pass_at_k=anyone[k - 1],
            )
        )
    return pd.DataFrame(rows)


def correlation_text(table: pd.DataFrame) -> str:
    """The correlation table as aligned percentages; a share above zero but below 0.01% reads '<0.01%'."""
    lines = [
        "    every run right (pass^k)        still unsolved after k tries",
        "k      p^k   shared  simulated      independent   shared  simulated",
    ]
    for r in table.itertuples():
        lines.append(
            f"{r.k:<3}{100 * r.independent_pass_hat_k:6.1f}%{100 * r.shared_pass_hat_k:8.1f}%"
            f"{100 * r.simulated_pass_hat_k:10.1f}%{small_pct(1 - r.independent_pass_at_k, 2):>17}"
            f"{small_pct(1 - r.shared_pass_at_k, 2):>9}{small_pct(1 - r.simulated_pass_at_k, 2):>11}"
        )
    return "\n".join(lines)


def _model_and_simulated(colour: str, independent: str, symbol: str) -> list[go.Scatter]:
    """One figure's three traces: the independent curve (dotted), the shared-cause model and its simulation."""
    return [
        go.Scatter(mode="lines", name=independent, line=dict(color=colour, dash="dot", width=2.5)),
        go.Scatter(mode="lines", name="shared cause (model)", line=dict(color=colour, width=3)),
        go.Scatter(
            mode="markers",
            name="shared cause (simulated)",
            marker=dict(color=colour, size=10, symbol=symbol, line=dict(width=2)),
        ),
    ]


def _k_figure(title: str, x_title: str, y_title: str, traces: list, ks: list[int], **layout) -> go.FigureWidget:
    """One of the explorer's two figures: k on the x axis, the legend to the right of the plot."""
    figure = figure_widget(title, x_title, y_title, height=400, traces=traces)
    figure.update_layout(
        xaxis=dict(tickvals=ks),
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"),
        margin=dict(r=220),
        **layout,
    )
    return figure


def correlation_explorer(
    reliability: float = 0.90, rho: float = 0.5, trials: int = 4000, seed: int = 11, max_k: int = 8
) -> Explorer:
    """Repeated runs with a shared cause: pass^k against p**k, and what retries still rescue.

    Sliders: ``reliability`` (one run) and ``rho`` (the share of each run's luck that comes from
    the task's common cause). Two figures: every run right, and still unsolved after k tries.
    """
    controls = dict(
        reliability=slider("float", "per-run reliability p", reliability, 0.70, 0.99, 0.01, ".0%"),
        rho=slider("float", "shared cause (correlation)", rho, 0.0, 1.0, 0.05, ".2f"),
    )
    ks = list(range(1, max_k + 1))
    every_fig = _k_figure(
        "Every one of k runs right: pass^k against p^k",
        "runs of the same agent on the same task (k)",
        "chance all k runs are right (%)",
        _model_and_simulated(PALETTE[0], "independent runs (p^k)", "circle-open"),
        ks,
        yaxis_range=[0, 102],
    )
    decades = [100, 10, 1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6]
    retry_fig = _k_figure(
        "Still unsolved after k tries (retrying loud failures)",
        "tries allowed (k)",
        "chance every try failed (%, log scale)",
        _model_and_simulated(PALETTE[5], "independent tries", "diamond-open"),
        ks,
        yaxis=dict(
            type="log",
            range=[-6.2, 2.1],
            tickvals=decades,
            ticktext=[f"{d:.{max(0, round(-math.log10(d)))}f}%" for d in decades],
        ),
    )

    def compute(v: dict) -> tuple[tuple, tuple]:
        return _remembered_pass_curves(round(v["reliability"], 4), round(v["rho"], 4), max_k, trials, seed)

    def update(v: dict) -> str:
        p, rho = v["reliability"], v["rho"]
        every, anyone = compute(v)
        # traces are built empty and get x and y together here (see reliability_explorer)
        every_fig.data[0].update(x=ks, y=[100 * pass_hat_k(p, k) for k in ks])
        every_fig.data[1].update(x=ks, y=[100 * correlated_chain(p, k, rho) for k in ks])
        every_fig.data[2].update(x=ks, y=[100 * e for e in every])
        retry_fig.data[0].update(x=ks, y=[100 * (1 - pass_at_k(p, k)) for k in ks])
        retry_fig.data[1].update(x=ks, y=[100 * (1 - correlated_retry_success(p, k - 1, rho)) for k in ks])
        # a share of zero has no place on a log axis: leave the point out
        retry_fig.data[2].update(x=ks, y=[100 * (1 - a) if a < 1 else None for a in anyone])
        readout = (
            f"<b>Three tries leave {small_pct_html(1 - correlated_retry_success(p, 2, rho), 2)} of tasks unsolved "
            f"with a shared cause of {rho:.2f}, against {small_pct_html(1 - pass_at_k(p, 3), 2)} if tries were "
            "independent.</b> "
            f"All three runs right: {pct(correlated_chain(p, 3, rho))} against p^3 = {pct(pass_hat_k(p, 3))}."
        )
        return readout, correlation_captions(p, rho)

    return Explorer(controls, [every_fig, retry_fig], correlation_captions(reliability, rho), update, warm=compute)


def correlation_captions(p: float, rho: float) -> list[str]:
    """What to notice under the two shared-cause figures, at reliability ``p`` and correlation ``rho``."""
    fails = pct(1 - p, 0)
    if rho == 0:
        return [
            "with no shared cause the runs are independent: the shared-cause curve lies on p^k...",
            f"...and each try fails {fails} of the time whatever happened before, so each one leaves unsolved "
            f"{fails} of what the tries before it left: the curves fall in a straight line on this log axis.",
        ]
    again = (1 - correlated_retry_success(p, 1, rho)) / (1 - p)  # the second try fails, given the first failed
    return [
        f"with a shared cause of {rho:.2f} the failures clump on the same tasks, so all k runs are right more "
        "often than p^k predicts...",
        f"...and the same clumping makes a retry more likely to fail again: after a failed try the next one fails "
        f"{pct(again)} of the time, not {pct(1 - p)}, so the solid curve flattens out above the dotted one.",
    ]


__all__ = [
    "correlation_explorer",
    "correlation_table",
    "correlation_text",
    "pass_curves",
    "correlation_captions",
]

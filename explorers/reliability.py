"""Lesson 02 (and the warm-up of lesson 00): compound reliability, spot checks, shared causes.

* :func:`reliability_explorer` is the live compound-reliability figure: sliders for per-agent
  reliability, chain length and an end-to-end target; the model curve p**n beside simulated
  chains. The instructor demo reuses it.
* :func:`spot_check_explorer` shows how often a short spot check looks perfect.
* :func:`correlation_explorer` sets pass^k and pass@k under a shared cause against p**k.

The numbers come from :mod:`simulator`; this module arranges and draws them.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator import (
    chain_reliability,
    correlated_chain,
    correlated_retry_success,
    pass_at_k,
    pass_hat_k,
    required_reliability,
    runs_needed,
    runs_to_claim,
    simulate,
    wilson_interval,
)

from .controls import slider
from .format import count, pct, plural, small_pct, small_pct_html
from .live import Explorer
from .style import PALETTE, figure_widget, styled_figure

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
    return fig


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
    return fig


# --- the warm-up slider of lesson 00 ---------------------------------------------------------


def first_slider_explorer(reliability: float = 0.9, agents: int = 3) -> Explorer:
    """Lesson 00's tiny example: one slider, one bar chart, the chance a chain ends right.

    The chosen length is a blue bar and the others grey bars, two traces whose heights a move
    swaps, so the browser redraws them in place (:mod:`explorers.redraw`)."""
    controls = dict(agents=slider("int", "agents in the chain", agents, 1, 10, 1))
    lengths = list(range(1, 11))
    heights = [100 * chain_reliability(reliability, n) for n in lengths]
    bar = dict(x=lengths, texttemplate="%{y:.0f}%", textposition="outside")  # labels stay inside 0-105
    fig = figure_widget(
        f"A chain of agents that are each right {reliability:.0%} of the time",
        CHAIN_AXIS,
        RELIABILITY_AXIS,
        height=340,
        traces=[
            go.Bar(**bar, marker=dict(color="rgba(0,0,0,0.16)", line_width=0), name="other lengths"),
            go.Bar(**bar, marker=dict(color=PALETTE[0], line_width=0), name="your chain"),
        ],
    )
    fig.update_layout(
        barmode="overlay", yaxis_range=[0, 105], xaxis=dict(tickvals=lengths, range=[0.5, 10.5]), showlegend=False
    )

    def update(v: dict) -> str:
        n = v["agents"]
        fig.data[0].y = [h if k != n else None for k, h in zip(lengths, heights)]
        fig.data[1].y = [h if k == n else None for k, h in zip(lengths, heights)]
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
            go.Scatter(
                mode="markers",
                name=f"simulated ({trials:,} runs, 95% interval)",
                marker=dict(color=PALETTE[1], size=9, line=dict(width=1, color=PALETTE[7])),
                error_y=dict(type="data", symmetric=False, color=PALETTE[1]),
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

    def update(v: dict) -> str:
        p, n, goal = v["reliability"], v["agents"], v["target"]
        model = [100 * chain_reliability(p, k) for k in lengths]
        points = _remembered_prefix_success(round(p, 4), MAX_CHAIN, trials, seed)
        rate = [100 * s for s, _, _ in points]
        # traces are built empty and get x and y together here: a trace built with x but no y
        # reaches the browser without its x
        fig.data[0].update(x=lengths, y=model)
        fig.data[1].update(
            x=lengths,
            y=rate,
            error_y=dict(
                array=[100 * h - r for (_, _, h), r in zip(points, rate)],
                arrayminus=[r - 100 * lo for (_, lo, _), r in zip(points, rate)],
            ),
        )
        fig.data[3].update(x=[1, MAX_CHAIN], y=[100 * goal] * 2)
        fig.data[4].update(x=[n], y=[model[n - 1]], text=[f"{model[n - 1]:.0f}%"])
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
    )


# --- shadow mode: spot checks ---------------------------------------------------------------


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
        xaxis_range=[40, 102], legend=dict(orientation="v", x=0.02, xanchor="left", y=0.98, yanchor="top")
    )

    def update(v: dict) -> str:
        p, n = v["reliability"], v["runs"]
        checks = max(100, budget // n)
        counts = np.array(_spot_check_counts(round(p, 4), n, checks, seed))
        x = [100 * k / n for k in range(n + 1)]
        exact = _binomial(n, p)
        fig.data[0].update(x=x, y=100 * counts / checks, width=[100 / n * 0.8] * (n + 1))
        fig.data[1].update(x=x, y=[100 * e for e in exact])
        top = max(100 * counts.max() / checks, 100 * max(exact))
        fig.data[2].update(x=[100 * p, 100 * p], y=[0, top * 1.05])
        perfect = counts[n] / checks
        low = wilson_interval(n, n)[0]
        readout = (
            f"<b>{small_pct_html(perfect)} of {count(checks)} spot checks of {n} runs came back perfect</b> "
            f"(exact: {small_pct_html(p**n)}) for an agent that is really {pct(p, 0)} reliable. A flawless {n} out of "
            f"{n} only shows it is above {pct(low)} (95% lower bound); a claim of 97% needs "
            f"{runs_to_claim(0.97)} flawless runs."
        )
        return readout, [spot_check_caption(p, n)]

    return Explorer(controls, [fig], [spot_check_caption(reliability, runs)], update)


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
    return fig


# --- shared causes: pass^k against p^k ------------------------------------------------------


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
    blue, orange = PALETTE[0], PALETTE[5]
    legend = dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top")
    every_fig = figure_widget(
        "Every one of k runs right: pass^k against p^k",
        "runs of the same agent on the same task (k)",
        "chance all k runs are right (%)",
        height=400,
        traces=[
            go.Scatter(mode="lines", name="independent runs (p^k)", line=dict(color=blue, dash="dot", width=2.5)),
            go.Scatter(mode="lines", name="shared cause (model)", line=dict(color=blue, width=3)),
            go.Scatter(
                mode="markers",
                name="shared cause (simulated)",
                marker=dict(color=blue, size=10, symbol="circle-open", line=dict(width=2)),
            ),
        ],
    )
    every_fig.update_layout(yaxis_range=[0, 102], xaxis=dict(tickvals=ks), legend=legend, margin=dict(r=220))
    retry_fig = figure_widget(
        "Still unsolved after k tries (retrying loud failures)",
        "tries allowed (k)",
        "chance every try failed (%, log scale)",
        height=400,
        traces=[
            go.Scatter(mode="lines", name="independent tries", line=dict(color=orange, dash="dot", width=2.5)),
            go.Scatter(mode="lines", name="shared cause (model)", line=dict(color=orange, width=3)),
            go.Scatter(
                mode="markers",
                name="shared cause (simulated)",
                marker=dict(color=orange, size=10, symbol="diamond-open", line=dict(width=2)),
            ),
        ],
    )
    decades = [100, 10, 1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6]
    retry_fig.update_layout(
        yaxis=dict(
            type="log",
            range=[-6.2, 2.1],
            tickvals=decades,
            ticktext=[f"{d:.{max(0, round(-math.log10(d)))}f}%" for d in decades],
        ),
        xaxis=dict(tickvals=ks),
        legend=legend,
        margin=dict(r=220),
    )

    def update(v: dict) -> str:
        p, rho = v["reliability"], v["rho"]
        every, anyone = _remembered_pass_curves(round(p, 4), round(rho, 4), max_k, trials, seed)
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

    return Explorer(controls, [every_fig, retry_fig], correlation_captions(reliability, rho), update)


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
    "reliability_explorer",
    "first_slider_explorer",
    "spot_check_explorer",
    "correlation_explorer",
    "compound_table_text",
    "compound_table_figure",
    "required_reliability_figure",
    "spot_checks",
    "perfect_share",
    "claim_runs_table",
    "claim_runs_figure",
    "correlation_table",
    "correlation_text",
    "pass_curves",
    "prefix_success",
    "spot_check_caption",
    "correlation_captions",
]

"""Lesson 04: four ways to share one record, and what contention does to each.

The simulator (:mod:`simulator.shared_state`, :mod:`simulator.sqlite_contention`) computes;
this module draws. :func:`contention_explorer` is the live figure with a contention slider,
the other functions build the lesson's fixed figures from tables the simulator returns.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import STRATEGIES, compare_strategies, throughput_share

from .controls import slider
from .format import plural
from .live import Explorer
from .panels import grid_widget, hold_bar_axes, single_figure_explorer
from .style import PALETTE, figure_widget

STRATEGY_LABELS = {
    "blind_overwrite": "blind overwrite",
    "optimistic_locking": "optimistic locking",
    "event_sourcing": "event sourcing",
    "agent_scoped": "agent-scoped state",
}
STRATEGY_COLOURS = {
    "blind_overwrite": PALETTE[5],  # vermillion: the baseline that loses work
    "optimistic_locking": PALETTE[0],  # blue
    "event_sourcing": PALETTE[1],  # orange
    "agent_scoped": PALETTE[2],  # bluish green
}
#: The four panels of the explorer: column of the simulator's table, axis title with its unit.
METRICS = (
    ("lost_updates", "lost updates (count)"),
    ("conflict_retries", "conflict retries (count)"),
    ("throughput_share", "throughput (% of conflict-free)"),
    ("mean_latency", "time per update (s)"),
)
UPDATES = 50


def _labels(strategies=STRATEGIES) -> list[str]:
    return [STRATEGY_LABELS[s] for s in strategies]


def _title(agents: int, contention: float) -> str:
    return (
        f"One shared counter, {agents} agents x {UPDATES} updates each, contention {contention:.2f} (simulated, seed 0)"
    )


def _texts(values) -> list[str]:
    return [f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}" for v in values]


def _panel(table: pd.DataFrame, column: str) -> tuple[list[float], list[str]]:
    """The bar lengths and labels of one panel (throughput as a % of the same agents' conflict-free run)."""
    if column == "throughput_share":
        shares = (100 * throughput_share(table)["throughput_share"]).round(1).tolist()
        return shares, [f"{v:.0f}%" for v in shares]
    return table[column].tolist(), _texts(table[column])


def contention_figure(table: pd.DataFrame, title: str | None = None) -> go.FigureWidget:
    """Four panels in a 2 x 2 grid (lost updates, conflict retries, throughput, time per update),
    one horizontal bar per strategy, from a :func:`simulator.compare_strategies` table. Two panels
    a row keep every axis title clear of its neighbour in a narrow notebook. The title says the
    table's settings unless one is given."""
    first = table.iloc[0]
    fig = grid_widget(
        title or _title(int(first["agents"]), float(first["contention"])),
        2,
        2,
        [title for _, title in METRICS],
        ["strategy", "", "strategy", ""],
        height=520,
        shared_yaxes=True,
        horizontal_spacing=0.08,
        vertical_spacing=0.22,
    )
    colours = [STRATEGY_COLOURS[s] for s in table["strategy"]]
    for col, (column, title) in enumerate(METRICS, start=1):
        values, texts = _panel(table, column)
        fig.add_trace(
            go.Bar(
                x=values,
                y=_labels(table["strategy"]),
                orientation="h",
                marker_color=colours,
                name=title,
                showlegend=False,
                text=texts,
                textposition="auto",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.3g}<extra>" + title + "</extra>",
            ),
            row=(col - 1) // 2 + 1,
            col=(col - 1) % 2 + 1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin=dict(l=140, r=20, t=60, b=80))
    for col in range(1, len(METRICS) + 1):
        fig.layout[f"xaxis{'' if col == 1 else col}"].rangemode = "tozero"
    return fig


@lru_cache(maxsize=256)
def _strategies(agents: int, contention: float, seed: int) -> pd.DataFrame:
    """:func:`simulator.compare_strategies` for the explorer, kept per setting (read, never changed)."""
    return compare_strategies(agents, UPDATES, contention, seed)


def contention_explorer(agents: int = 4, contention: float = 0.5, seed: int = 0) -> Explorer:
    """A contention slider (and an agents slider) over the four strategies, updating in place.

    Each new setting runs :func:`simulator.compare_strategies` once (four SimPy runs of
    ``agents`` x 50 updates, about 30 ms) with the same seed and keeps the table, so moving
    back returns the same bars at once.
    """
    controls = {
        "contention": slider(
            "float",
            "contention (share of time inside read-to-write)",
            contention,
            0.05,
            1.0,
            0.05,
            readout_format=".2f",
        ),
        "agents": slider("int", "agents writing", agents, 2, 10, 1),
    }
    # the settings are on the sliders and in the readout, so the title stays and a move redraws in place
    title = f"One shared counter, {UPDATES} updates per agent (simulated, seed {seed})"
    fig = contention_figure(_strategies(agents, round(contention, 4), seed), title)

    def compute(values: dict) -> pd.DataFrame:
        return _strategies(values["agents"], round(values["contention"], 4), seed)

    def update(figure: go.FigureWidget, values: dict) -> str:
        table = compute(values)
        for trace, (column, _) in zip(figure.data, METRICS):
            trace.x, trace.text = _panel(table, column)
        hold_bar_axes(figure)
        return (
            f"<b>{plural(values['agents'], 'agent')} x {UPDATES} updates each on one counter, contention "
            f"{values['contention']:.2f}</b>: each agent spends that share of its time between reading the "
            "counter and writing it back."
        )

    note = (
        "blind overwrite loses more work as contention rises, optimistic locking loses none but pays in "
        "retries and time, while event sourcing and agent-scoped state pay neither."
    )
    return single_figure_explorer(controls, fig, note, update, warm=compute)


def sweep_figure(
    table: pd.DataFrame, column: str = "lost_updates", y_title: str = "lost updates (count)", title: str | None = None
) -> go.FigureWidget:
    """One line per strategy across contention levels, from :func:`simulator.contention_sweep`."""
    agents, updates = int(table["agents"].iloc[0]), int(table["updates"].iloc[0])
    fig = figure_widget(
        title or f"{y_title[:1].upper()}{y_title[1:]} as contention rises ({agents} agents x {updates} updates)",
        "contention (share of each agent's time inside read-to-write)",
        y_title,
        height=380,
    )
    for strategy, rows in table.groupby("strategy", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["contention"].tolist(),
                y=rows[column].tolist(),
                mode="lines+markers",
                name=STRATEGY_LABELS[strategy],
                line=dict(color=STRATEGY_COLOURS[strategy], width=2.5),
                marker=dict(size=8, symbol=_SYMBOLS[strategy]),
            )
        )
    fig.layout.yaxis.rangemode = "tozero"
    return fig


_SYMBOLS = {
    "blind_overwrite": "x",
    "optimistic_locking": "circle",
    "event_sourcing": "square",
    "agent_scoped": "diamond",
}


def sim_vs_sqlite_figure(simulated: pd.DataFrame, real: pd.DataFrame) -> go.FigureWidget:
    """Share of updates lost per strategy: the SimPy model beside real SQLite writer threads."""
    fig = figure_widget(
        "Lost updates: simulated agents beside real SQLite writer threads",
        "updates lost (% of all updates)",
        "strategy",
        height=320,
    )
    for label, table, colour, pattern in (
        ("simulated (SimPy, contention 1.0)", simulated, PALETTE[0], ""),
        ("real SQLite threads", real, PALETTE[1], "/"),
    ):
        share = 100 * table["lost_updates"] / table["expected_total"]
        fig.add_trace(
            go.Bar(
                x=share.tolist(),
                y=_labels(table["strategy"]),
                orientation="h",
                name=label,
                marker=dict(color=colour, pattern_shape=pattern),
                text=[f"{v:.0f} %" for v in share],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.1f} %<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(barmode="group", margin=dict(l=140, r=20, t=60, b=60))
    fig.layout.yaxis.autorange = "reversed"
    fig.layout.xaxis.range = [0, 100]
    return fig


def strategy_table(table: pd.DataFrame) -> pd.DataFrame:
    """The simulator's table with readable strategy names and only the columns a learner reads."""
    columns = [
        c
        for c in (
            "strategy",
            "final_value",
            "expected_total",
            "lost_updates",
            "conflict_retries",
            "throughput",
            "mean_latency",
            "seconds",
        )
        if c in table
    ]
    out = table[columns].copy()
    out["strategy"] = out["strategy"].map(STRATEGY_LABELS)
    return out.set_index("strategy")


__all__ = [
    "contention_explorer",
    "contention_figure",
    "sweep_figure",
    "sim_vs_sqlite_figure",
    "strategy_table",
    "STRATEGY_LABELS",
    "STRATEGY_COLOURS",
]

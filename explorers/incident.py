"""Lesson 06: the orders_daily incident, a silent failure injected into one investigator, and
the defenses that catch it (or do not).

The simulator computes (``simulate``, ``load_scenario``, ``simulator.contracts``); this module
sets parameters, runs the lesson's small tables and draws. :func:`incident_explorer` is the
live figure the lesson and the instructor demo share.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator import (
    INJECTIONS,
    OUTCOMES,
    Scenario,
    SimulationResult,
    check_handoff,
    degrade,
    example_handoffs,
    load_scenario,
    simulate,
)
from simulator.builders import inject_fault

from .controls import checkbox, dropdown, heading, slider
from .format import pct
from .live import Explorer
from .panels import grid_widget, hold_bar_axes, single_figure_explorer
from .style import OUTCOME_COLOURS, OUTCOME_LABELS, PALETTE, figure_widget

INVESTIGATORS = ("lineage", "source", "impact")
#: Bar labels of the explorer's bottom-left panel that are not an agent's name.
STOP_LABELS = {
    "fan_in": "fan-in (flagged short)",
    "human_gate": "human review",
    "loud": "an error, nothing caught",
    "retried": "caught, then retried right",
    "delivered": "delivered wrong",
}


def stop_points(scenario: Scenario) -> tuple[str, ...]:
    """Where a check can first catch a wrong payload (the trials table's ``caught_at``), in the order a
    run meets them: each agent's hand-off, the fan-in when it can flag a synthesis short of a branch
    (distinct subtasks with a quorum below all), and the human gate."""
    names = [a.name for a in scenario.agents]
    if scenario.pattern in ("fanout", "hybrid") and not scenario.redundant and scenario.quorum < len(scenario.workers):
        names.insert(len(names) - 1, "fan_in")
    return (*names, "human_gate")


def stop_shares(result: SimulationResult) -> pd.Series:
    """Every run that went wrong, as a percentage of all runs, read from the trials table.

    * one entry per :func:`stop_points` place: runs that ended with an error after a check first
      caught a wrong payload there (``caught_at``);
    * ``loud``: runs that ended with an error although no check caught anything (an agent failed
      loudly: an error, not a wrong payload);
    * ``retried``: runs in which a check caught a wrong payload and a retry then got them right;
    * ``delivered``: runs that delivered a wrong answer (the silent failures).

    The entries before ``retried`` add up to the detected failures, and ``delivered`` is the silent
    share. A fan-out's branch that is stopped ends the run at the fan-in (``ended_at``), so ``caught_at``
    is what says which investigator's hand-off stopped a wrong finding.
    """
    frame = result.trials
    places = stop_points(result.scenario)
    caught = frame["caught_at"]
    unknown = set(caught.dropna()) - set(places)
    if unknown:
        raise ValueError(f"caught at {sorted(unknown)}, which is none of {places}")
    detected = frame["outcome"] == "detected_failure"
    counts = {place: int((detected & (caught == place)).sum()) for place in places}
    counts["loud"] = int((detected & caught.isna()).sum())
    counts["retried"] = int(((frame["outcome"] == "correct") & caught.notna()).sum())
    counts["delivered"] = int((frame["outcome"] == "silent_failure").sum())
    return pd.Series(counts, dtype=float) / len(frame) * 100


def roster_table(scenario: Scenario | str = "orders_daily") -> pd.DataFrame:
    """One row per agent: role, reliability, silent share, mean latency and tokens per call."""
    scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
    roles = {0: "frames the incident"}
    roles.update({i: "investigates in parallel" for i in range(1, len(scenario.agents) - 1)})
    roles[len(scenario.agents) - 1] = "fans in and merges"
    return pd.DataFrame(
        [
            dict(
                agent=a.name,
                role=roles[i],
                reliability=a.reliability,
                silent_share=a.silent_share,
                mean_latency_s=a.latency.mean,
                tokens_per_call=a.tokens_per_call,
                contract=scenario.contracts.get(a.name, "-"),
            )
            for i, a in enumerate(scenario.agents)
        ]
    ).set_index("agent")


def contract_table(agents=INVESTIGATORS + ("synthesis",)) -> pd.DataFrame:
    """Each injection of :data:`simulator.INJECTIONS` applied to each hand-off, and the verdict of
    :func:`simulator.check_handoff`: ``rejected: <first reason>``, ``PASSES`` or ``n/a``."""
    good = example_handoffs()
    rows = {"right payload": {a: "PASSES" if not check_handoff(a, good[a]) else "rejected" for a in agents}}
    for injection in INJECTIONS:
        row = {}
        for agent in agents:
            try:
                bad = degrade(agent, good[agent], injection)
            except ValueError:
                row[agent] = "n/a"
                continue
            if bad == good[agent]:
                row[agent] = "n/a"
                continue
            reasons = check_handoff(agent, bad)
            row[agent] = f"rejected: {reasons[0].replace('Value error, ', '')}" if reasons else "PASSES"
        rows[injection] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "payload"
    return frame


def outcome_bars_figure(table: pd.DataFrame, title: str) -> go.FigureWidget:
    """Stacked horizontal bars of outcome shares, one bar per row of ``table`` (rates 0-1)."""
    fig = figure_widget(title, "share of runs (%)", "defenses switched on", height=120 + 42 * len(table))
    labels = list(table.index)
    for outcome in OUTCOMES:
        values = (100 * table[outcome]).tolist()
        fig.add_trace(
            go.Bar(
                x=[round(v, 2) for v in values],
                y=labels,
                orientation="h",
                name=OUTCOME_LABELS[outcome],
                marker_color=OUTCOME_COLOURS[outcome],
                text=[f"{v:.1f}" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                hovertemplate="%{y}: %{x:.1f} %<extra>" + OUTCOME_LABELS[outcome] + "</extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        margin=dict(l=250, r=20, t=70, b=60),
        legend_traceorder="normal",
        uniformtext=dict(minsize=10, mode="hide"),
    )
    fig.layout.yaxis.autorange = "reversed"
    fig.layout.xaxis.range = [0, 100]
    return fig


def latency_ecdf_figure(results: dict[str, SimulationResult], title: str) -> go.FigureWidget:
    """Share of runs that have an answer by time t, one line per arrangement (every run counted,
    a failed one at the moment it ended)."""
    fig = figure_widget(title, "time since the alert (s)", "runs finished (%)", height=380)
    for (label, result), colour, dash in zip(
        results.items(), (PALETTE[0], PALETTE[1], PALETTE[2]), ("solid", "dash", "dot")
    ):
        times = np.sort(result.trials["latency"].dropna().to_numpy())
        grid = np.linspace(0, np.percentile(times, 99.5), 200)
        share = 100 * np.searchsorted(times, grid, side="right") / len(times)
        fig.add_trace(
            go.Scatter(
                x=grid.round(2).tolist(),
                y=share.round(2).tolist(),
                mode="lines",
                name=label,
                line=dict(color=colour, width=2.5, dash=dash),
            )
        )
    fig.layout.yaxis.range = [0, 101]
    return fig


@lru_cache(maxsize=256)
def _summary(agent: str | None, reliability: float, silent_share: float, defenses: tuple, trials: int, seed: int):
    """Outcome shares, stop points and mean latency of one setting (small, so cached)."""
    scenario = _base_scenario()
    if agent:
        scenario = inject_fault(scenario, agent, reliability, silent_share)
    return _shares(simulate(scenario.with_defenses(**dict(defenses)), trials=trials, seed=seed))


@lru_cache(maxsize=1)
def _base_scenario() -> Scenario:
    return load_scenario("orders_daily")


def _shares(result: SimulationResult) -> tuple[list[float], list[float], float]:
    frame = result.trials
    outcome = frame["outcome"].value_counts().reindex(OUTCOMES, fill_value=0) / len(frame) * 100
    stops = stop_shares(result)
    return [float(v) for v in outcome], [round(float(v), 3) for v in stops], float(frame["latency"].mean())


def stop_labels(scenario: Scenario) -> list[str]:
    """The bottom-left panel's bar labels, in :func:`stop_shares` order."""
    return [STOP_LABELS.get(s, s) for s in (*stop_points(scenario), "loud", "retried", "delivered")]


#: The smallest part of a stacked bar that is labelled (in % of runs): a smaller one has no room for its
#: label at full size in a narrow notebook, and a shrunken label is unreadable. Hover gives every value.
LABELLED_PERCENT = 6


def incident_explorer(trials: int = 10_000, seed: int = 0) -> Explorer:
    """The orders_daily incident with one investigator degraded and the defenses on sliders and toggles.

    Top panel: outcome shares without defenses and with yours. Bottom left: every run that went
    wrong with your defenses (:func:`stop_shares`): where a check first caught a wrong payload in
    the runs that ended with an error, the runs a retry rescued, and those delivered wrong. Bottom
    right: what the defenses cost in time. Each move is one vectorised run of ``trials`` (the
    undefended run is cached per injection).
    """
    controls = {
        "reliability": slider("float", "its reliability", 0.80, 0.50, 1.0, 0.01, readout_format=".0%"),
        "silent_share": slider("float", "silent share of its failures", 0.90, 0.0, 1.0, 0.05, readout_format=".0%"),
        "agent": dropdown(
            "degraded investigator",
            [("lineage", "lineage"), ("source", "source"), ("impact", "impact"), ("none (as shipped, all at 95%)", "")],
            "lineage",
        ),
        "catch_rate": slider("float", "validation catch rate", 0.0, 0.0, 1.0, 0.05, readout_format=".0%"),
        "baseline_catch_rate": slider(
            "float", "checkpoint catch rate (0% = off)", 0.0, 0.0, 1.0, 0.05, readout_format=".0%"
        ),
        "retries": slider("int", "retries after a detection", 0, 0, 3, 1),
        "completeness": checkbox("completeness signals (counts cross-checked)"),
        "human_gate": checkbox("human gate before action (catches 90%, about 10 min)"),
    }
    c = controls
    rows = [
        heading("1. Inject a silent failure into one investigator"),
        c["agent"],
        c["reliability"],
        c["silent_share"],
        heading("2. Switch defenses on"),
        c["catch_rate"],
        c["baseline_catch_rate"],
        c["retries"],
        c["completeness"],
        c["human_gate"],
    ]
    # which investigator is degraded, and how, is on the controls and in the readout: the title stays,
    # so a move that only changes bar lengths redraws in place
    fig = grid_widget(
        f"orders_daily incident: how the runs end, and what defenses cost<br><sup>{trials:,} simulated runs"
        f" per bar, seed {seed}</sup>",
        2,
        2,
        ["share of runs (%)", "share of runs (%)", "mean time to an answer (s)"],
        ["defenses", "how the run went wrong", "defenses"],
        height=600,
        specs=[[{"colspan": 2}, None], [{}, {}]],
        vertical_spacing=0.2,
        horizontal_spacing=0.22,
        row_heights=[0.35, 0.65],
    )
    arrangements = ["no defenses", "your defenses"]
    for outcome in OUTCOMES:
        fig.add_trace(
            go.Bar(
                x=[0, 0],
                y=arrangements,
                orientation="h",
                name=OUTCOME_LABELS[outcome],
                marker_color=OUTCOME_COLOURS[outcome],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                hovertemplate="%{y}: %{x:.1f} %<extra>" + OUTCOME_LABELS[outcome] + "</extra>",
            ),
            row=1,
            col=1,
        )
    labels = stop_labels(_base_scenario())
    stop_colours = [OUTCOME_COLOURS["detected_failure"]] * (len(labels) - 2) + [
        OUTCOME_COLOURS["correct"],
        OUTCOME_COLOURS["silent_failure"],
    ]
    fig.add_trace(
        go.Bar(
            x=[0] * len(labels),
            y=labels,
            orientation="h",
            marker_color=stop_colours,
            showlegend=False,
            hovertemplate="%{y}: %{x:.1f} % of runs<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=[0, 0],
            y=arrangements,
            orientation="h",
            marker_color=[PALETTE[7], PALETTE[4]],
            showlegend=False,
            textposition="auto",
            textangle=0,
            hovertemplate="%{y}: %{x:.0f} s<extra></extra>",
        ),
        row=2,
        col=2,
    )
    fig.update_layout(barmode="stack", margin=dict(l=120, r=20, t=80, b=60), legend_traceorder="normal")
    fig.update_yaxes(autorange="reversed")
    fig.layout.xaxis.range = [0, 100]
    fig.layout.xaxis2.rangemode = "tozero"
    fig.layout.xaxis3.rangemode = "tozero"

    def compute(v: dict) -> tuple:
        """The summaries without and with the chosen defenses."""
        agent = v["agent"] or None
        reliability, silent = round(v["reliability"], 4), round(v["silent_share"], 4)
        defenses = (
            ("catch_rate", round(v["catch_rate"], 4)),
            ("completeness", bool(v["completeness"])),
            ("checkpoints", v["baseline_catch_rate"] > 0),
            ("baseline_catch_rate", round(v["baseline_catch_rate"], 4)),
            ("human_gate", bool(v["human_gate"])),
            ("retries", int(v["retries"])),
        )
        base = _summary(agent, reliability, silent, (), trials, seed)
        return base, _summary(agent, reliability, silent, defenses, trials, seed)

    def update(figure: go.FigureWidget, v: dict):
        agent = v["agent"] or None
        reliability, silent = round(v["reliability"], 4), round(v["silent_share"], 4)
        (base_out, _, base_time), (your_out, stops, your_time) = compute(v)
        for i, trace in enumerate(figure.data[:3]):
            trace.x = [round(base_out[i], 3), round(your_out[i], 3)]
            trace.text = [f"{v:.1f}" if v >= LABELLED_PERCENT else "" for v in (base_out[i], your_out[i])]
        figure.data[3].x = stops
        figure.data[4].x = [round(base_time, 1), round(your_time, 1)]
        figure.data[4].text = [f"{base_time:.0f} s", f"{your_time:.0f} s"]
        hold_bar_axes(figure)
        if agent:
            return f"<b>{agent} degraded</b> to {pct(reliability, 0)} reliability, {pct(silent, 0)} of its failures silent."
        shipped = next(a for a in _base_scenario().agents if a.name == INVESTIGATORS[0])
        return (
            f"<b>As shipped</b>: every investigator at {pct(shipped.reliability, 0)} reliability, "
            f"{pct(shipped.silent_share, 0)} of its failures silent."
        )

    note = (
        "validation, completeness signals, checkpoints and the gate turn silent failures into detected ones; only "
        "retries turn detected failures back into correct answers, and the human gate costs minutes. Bottom left, "
        "every run that went wrong: blue, runs stopped with an error, by the hand-off where a check first caught "
        "a wrong payload (or none: an agent failed loudly); green, caught and then retried right; vermillion, "
        "delivered wrong."
    )
    return single_figure_explorer(controls, fig, note, update, rows=rows, warm=compute)


__all__ = [
    "incident_explorer",
    "stop_points",
    "stop_shares",
    "stop_labels",
    "roster_table",
    "contract_table",
    "outcome_bars_figure",
    "latency_ecdf_figure",
    "INVESTIGATORS",
]

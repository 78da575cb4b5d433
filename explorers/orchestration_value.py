"""Lesson 05: one agent against several, on the task types of the module's helps-versus-hurts table.

Every comparison is the two (or three) scenarios of :mod:`explorers.task_scenarios`, run by
:func:`simulator.simulate` with one seed and drawn side by side: time to an answer, agent calls,
tokens, and the share of correct answers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import Scenario, simulate

from .controls import dropdown, slider
from .format import count, number, pct, plural, rate, seconds
from .live import Explorer
from .panels import grid_widget, hold_bar_axes, single_figure_explorer
from .style import PALETTE, set_title
from .task_scenarios import TASKS, Assumptions, MonitoringAssumptions, monitoring_scenarios, task_scenarios

METRICS = (
    ("mean_latency", "time to an answer (s)"),
    ("mean_calls", "agent or tool calls"),
    ("mean_tokens", "tokens (thousands)"),
    ("success_rate", "correct answers (%)"),
)


def _row(label: str, scenario: Scenario, trials: int, seed: int) -> dict:
    stats = simulate(scenario, trials=trials, seed=seed).stats()
    return dict(
        approach=label,
        pattern=scenario.pattern,
        mean_latency=stats["mean_latency"],
        latency_p90=stats["latency_p90"],
        mean_calls=stats["mean_calls"],
        mean_tokens=stats["mean_tokens"],
        success_rate=stats["success_rate"],
        silent_failure_rate=stats["silent_failure_rate"],
        detected_failure_rate=stats["detected_failure_rate"],
        trials=stats["trials"],
    )


#: Trials per run. The vectorised engine (sequential, fanout, hybrid) is fast; the SimPy patterns
#: (hierarchical, mesh) are about 40 times slower, so the live explorers use fewer trials there.
TABLE_TRIALS = (10_000, 1_000)
LIVE_TRIALS = (4_000, 300)


def compare_task(task: str, trials: tuple[int, int] = TABLE_TRIALS, seed: int = 0, **changes) -> pd.DataFrame:
    """One row per approach: mean and 90th-percentile time, calls, tokens and outcome rates.

    ``trials`` is (runs for the vectorised patterns, runs or events for hierarchical and mesh).
    Latency is the time to an answer per task (per event for monitoring), failed runs included
    at the moment they ended; for monitoring a missed event has no time and is left out of it.
    """
    scenarios = monitoring_scenarios(**changes) if task == "monitoring" else task_scenarios(task, **changes)
    return pd.DataFrame(
        [
            _row(label, s, trials[1] if s.pattern in ("hierarchical", "mesh") else trials[0], seed)
            for label, s in scenarios.items()
        ]
    ).set_index("approach")


@lru_cache(maxsize=512)
def _cached(task: str, items: tuple, seed: int) -> pd.DataFrame:
    return compare_task(task, LIVE_TRIALS, seed, **dict(items))


def _panel_values(table: pd.DataFrame) -> list[list[float | None]]:
    """Each panel's bar lengths; ``None`` where there is no value (the rule check's time per event
    when every event needed judgment: it handled none)."""
    values = []
    for column, _ in METRICS:
        series = table[column].astype(float)
        if column == "mean_tokens":
            series = series / 1000
        elif column == "success_rate":
            series = series * 100
        values.append([None if pd.isna(v) else round(v, 3) for v in series.tolist()])
    return values


#: What a bar without a value says instead of a number.
NO_VALUE = "n/a: handled no events"


def _bars(values: list[float | None]) -> dict:
    """A panel's bar settings: a missing value is a bar of no length labelled :data:`NO_VALUE`, never a zero."""
    return dict(
        x=[0.0 if v is None else v for v in values],
        text=[NO_VALUE if v is None else _fmt(v) for v in values],
        textposition=["outside" if v is None else "auto" for v in values],
    )


def comparison_figure(table: pd.DataFrame, title: str) -> go.FigureWidget:
    """Four panels side by side, one horizontal bar per approach, from :func:`compare_task`."""
    labels = list(table.index)
    # one panel per row: side by side, four axis titles do not fit a narrow notebook and run into each other
    panel = 70 + 34 * len(labels)
    fig = grid_widget(
        title,
        len(METRICS),
        1,
        [t for _, t in METRICS],
        ["approach"] * len(METRICS),
        height=110 + len(METRICS) * panel,
        vertical_spacing=0.32 / len(METRICS),
    )
    colours = [PALETTE[i] for i in range(len(labels))]
    for col, ((_, metric), values) in enumerate(zip(METRICS, _panel_values(table)), start=1):
        fig.add_trace(
            go.Bar(
                y=labels,
                orientation="h",
                marker_color=colours,
                showlegend=False,
                name=metric,
                hovertemplate="%{y}: %{text}<extra>" + metric + "</extra>",
                **_bars(values),
            ),
            row=col,
            col=1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(rangemode="tozero")  # held by hold_bar_axes on every move...
    fig.update_layout(margin=dict(l=130, r=20, t=80, b=60))
    fig.layout.xaxis4.update(range=[0, 100], rangemode="normal")  # ...but the share correct, always 0-100 %
    hold_bar_axes(fig)
    return fig


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def _title(task: str, seed: int = 0) -> str:
    """The explorer's title: the task and what each side is, one line each. The settings are on the
    sliders and in the readout (:func:`_settings`), so a slider move leaves the title as it is."""
    t = TASKS[task]
    return (
        f"{t.label[:1].upper()}{t.label[1:]}, seed {seed}"
        f"<br><sup>single: {t.single}</sup><br><sup>multi: {_sized(t.multi, None)}</sup>"
    )


def _sized(side: str, n: int | None) -> str:
    """A side's description with n written as the number it is, or left out when the title names no number."""
    return re.sub(r"\bn\b", str(n), side) if n is not None else re.sub(r"\bn\s+", "", side)


def _settings(task: str, settings: dict) -> str:
    """The readout: the three settings, and the multi-agent side with its size."""
    n = settings["n"]
    return (
        f"<b>Reliability {pct(settings['p'])} per step, n = {n}, hand-off overhead {seconds(settings['overhead_s'])}"
        f" per agent</b>. The multi-agent side: {_sized(TASKS[task].multi, n)}."
    )


def orchestration_value_explorer(task: str = "parallel", seed: int = 0) -> Explorer:
    """A task-type drop-down and sliders for the three assumptions that move the verdict most.

    * ``p``: a specialist's first-attempt reliability per step;
    * ``n``: steps in the chain, parallel subtasks, or the most subtasks the orchestrator finds;
    * ``overhead_s``: seconds each agent hand-off adds.
    """
    options = [(TASKS[k].label, k) for k in ("chain", "parallel", "judgment", "lookup")]
    controls = {
        "task": dropdown("task type", options, task),
        "p": slider("float", "specialist reliability per step", 0.95, 0.80, 0.999, 0.005, readout_format=".1%"),
        "n": slider("int", "steps / subtasks", 4, 2, 8, 1),
        "overhead_s": slider("float", "hand-off overhead (s per agent)", 2.0, 0.0, 10.0, 0.5, readout_format=".1f"),
    }
    first = _cached(task, (("p", 0.95), ("n", 4), ("overhead_s", 2.0)), seed)
    fig = comparison_figure(first, _title(task, seed))

    def settings_of(v: dict) -> dict:
        return dict(p=round(v["p"], 4), n=int(v["n"]), overhead_s=round(v["overhead_s"], 2))

    def compute(v: dict) -> pd.DataFrame:
        return _cached(v["task"], tuple(settings_of(v).items()), seed)

    def update(figure: go.FigureWidget, v: dict) -> str:
        settings = settings_of(v)
        table = compute(v)
        for trace, values in zip(figure.data, _panel_values(table)):
            trace.update(**_bars(values))
        hold_bar_axes(figure)
        set_title(figure, _title(v["task"], seed))
        return _settings(v["task"], settings)

    rows = None
    note = (
        "orchestration pays for itself where the multi-agent bar wins on time (parallel parts) or on correct "
        "answers (judgment); on a chain or a lookup it only adds calls, tokens and seconds."
    )
    return single_figure_explorer(controls, fig, note, update, rows=rows, warm=compute)


def monitoring_explorer(seed: int = 0) -> Explorer:
    """The monitoring stream under an event-rate slider: rules, an agent mesh, and rules in front of agents."""
    controls = {
        "event_rate": slider("float", "events per second", 1.0, 0.1, 4.0, 0.1, readout_format=".1f"),
        "judgment_share": slider(
            "float", "share of events a rule cannot judge", 0.3, 0.0, 1.0, 0.1, readout_format=".0%"
        ),
        "agents": slider("int", "agents in the mesh", 4, 1, 10, 1),
    }
    start = dict(event_rate=1.0, judgment_share=0.3, agents=4)
    title = (
        f"High-frequency monitoring: rules, agents, or both<br><sup>"
        f"{count(LIVE_TRIALS[1])} simulated events, seed {seed}</sup>"
    )
    fig = comparison_figure(_cached("monitoring", tuple(start.items()), seed), title)
    fig.layout.xaxis.title.text = "time to handle an event (s)"
    fig.layout.xaxis2.title.text = "agent or rule calls per event"
    fig.layout.xaxis3.title.text = "tokens per event (thousands)"
    fig.layout.xaxis4.title.text = "events handled correctly (%)"

    def settings_of(v: dict) -> dict:
        return dict(
            event_rate=round(v["event_rate"], 3), judgment_share=round(v["judgment_share"], 2), agents=int(v["agents"])
        )

    def compute(v: dict) -> pd.DataFrame:
        return _cached("monitoring", tuple(settings_of(v).items()), seed)

    def update(figure: go.FigureWidget, v: dict) -> str:
        settings = settings_of(v)
        table = compute(v)
        for trace, values in zip(figure.data, _panel_values(table)):
            trace.update(**_bars(values))
        hold_bar_axes(figure)
        return _monitoring_settings(settings)

    rows = None
    note = (
        "rules answer in milliseconds for free but miss every event that needs judgment; a mesh judges them but "
        "queues once events outpace its agents, and putting rules in front keeps the agents for the hard events."
    )
    return single_figure_explorer(controls, fig, note, update, rows=rows, warm=compute)


def _monitoring_settings(settings: dict) -> str:
    """The monitoring explorer's readout: the stream, and how much of it the mesh can take."""
    agents = settings["agents"]
    capacity = agents / MonitoringAssumptions().agent_s
    return (
        f"<b>{rate(settings['event_rate'], ' events/s', 1)} arriving, {pct(settings['judgment_share'], 0)} of them "
        f"needing judgment; {plural(agents, 'agent')} in the mesh</b>, which can finish about "
        f"{rate(capacity, ' events/s', 1)}."
    )


def verdict_table(seed: int = 0) -> pd.DataFrame:
    """Every task type at the default assumptions: multi-agent minus single agent on each measure.

    For monitoring the "multi-agent" side is the agent mesh and the single side the rule check.
    """
    rows = []
    for key, task in TASKS.items():
        table = compare_task(key, seed=seed)
        single, multi = table.iloc[0], table.loc["agent mesh"] if key == "monitoring" else table.iloc[1]
        rows.append(
            dict(
                task=task.label,
                single=single.name,
                multi=multi.name,
                extra_seconds=multi["mean_latency"] - single["mean_latency"],
                extra_calls=multi["mean_calls"] - single["mean_calls"],
                extra_tokens=multi["mean_tokens"] - single["mean_tokens"],
                extra_correct_points=100 * (multi["success_rate"] - single["success_rate"]),
                module_says=task.module_says,
            )
        )
    return pd.DataFrame(rows).set_index("task")


#: Differences smaller than these are drawn black: "about the same" within simulation noise.
NOISE = {"extra_seconds": 0.5, "extra_tokens": 0.1, "extra_correct_points": 1.5}


def verdict_figure(table: pd.DataFrame) -> go.FigureWidget:
    """Three panels: seconds, thousands of tokens and points of correct answers the multi-agent side
    adds (or saves); a bar is blue where orchestration is better on that measure, vermillion where
    worse, black where the difference is within simulation noise."""
    panels = (
        ("extra_seconds", "extra time per task (s)", -1),
        ("extra_tokens", "extra tokens per task (thousands)", -1),
        ("extra_correct_points", "extra correct answers (points)", 1),
    )
    labels = list(table.index)
    fig = grid_widget(
        "What orchestration adds, task type by task type (multi-agent minus single agent)",
        3,
        1,
        [t for _, t, _ in panels],
        ["task type", "task type", "task type"],
        height=140 + 3 * (70 + 30 * len(labels)),
        vertical_spacing=0.1,
    )
    for col, (column, title, better_sign) in enumerate(panels, start=1):
        values = table[column].astype(float)
        if column == "extra_tokens":
            values = values / 1000
        colours = [
            PALETTE[7] if abs(v) < NOISE[column] else PALETTE[0] if v * better_sign > 0 else PALETTE[5] for v in values
        ]
        fig.add_trace(
            go.Bar(
                x=values.round(2).tolist(),
                y=labels,
                orientation="h",
                marker_color=colours,
                showlegend=False,
                name=title,
                text=[_fmt(v) for v in values],
                textposition="auto",
                hovertemplate="%{y}: %{x:.3g}<extra>" + title + "</extra>",
            ),
            row=col,
            col=1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin=dict(l=220, r=20, t=60, b=60))
    return fig


def _signed(v: float, text: str) -> str:
    """``text`` (``v`` already formatted) with a plus sign when ``v`` is above zero."""
    return f"+{text}" if v > 0 else text


def verdict_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`verdict_table` for reading: what each side is (at the default assumptions), what the
    multi-agent side adds on each measure (a minus sign where it saves), and the module's verdict."""
    by_label = {t.label: t for t in TASKS.values()}
    n = str(Assumptions().n)
    return pd.DataFrame(
        {
            "single side": [by_label[label].single for label in table.index],
            "multi-agent side": [re.sub(r"\bn\b", n, by_label[label].multi) for label in table.index],
            "extra time": [_signed(v, seconds(v)) for v in table["extra_seconds"]],
            "extra calls": [_signed(v, number(round(v, 2))) for v in table["extra_calls"]],
            "extra tokens": [_signed(v, count(v)) for v in table["extra_tokens"]],
            "extra correct answers": [_signed(v, f"{v:.1f} points") for v in table["extra_correct_points"]],
            "the module says": table["module_says"],
        },
        index=table.index,
    )


__all__ = [
    "compare_task",
    "comparison_figure",
    "orchestration_value_explorer",
    "monitoring_explorer",
    "verdict_table",
    "verdict_figure",
    "verdict_summary",
]

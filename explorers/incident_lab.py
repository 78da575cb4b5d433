"""Lesson 07: views of the incident lab (real agents on a real DuckDB warehouse).

``incident_lab`` builds the warehouse, runs and judges the investigations and measures shadow
mode; this module only lays its results out as tables and figures, and holds the lesson's
live explorer (:func:`defense_explorer`), which re-runs a small batch of real investigations
when a control moves.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from incident_lab import ROLES
from incident_lab.shadow import RATE_NAMES

from .controls import checkbox, dropdown, slider
from .format import pct
from .live import Explorer
from .panels import grid_widget, hold_bar_axes
from .style import OUTCOME_COLOURS, OUTCOME_LABELS, PALETTE, figure_widget

OUTCOME_ORDER = ("correct", "silent_failure", "detected_failure")
RATE_KEYS = RATE_NAMES  # outcome -> its key in the measured and predicted dicts (the CLI's JSON names)
CHECK_LABELS = {
    "validation": "contract validation",
    "completeness": "completeness cross-check",
    "human_gate": "human gate (simulated)",
}
STATE_COLOURS = {"right": OUTCOME_COLOURS["correct"], "wrong": OUTCOME_COLOURS["silent_failure"]}
STATE_COLOURS |= {"rejected": OUTCOME_COLOURS["detected_failure"], "failed loudly": PALETTE[1], "not run": "#DDDDDD"}


def lesson_warehouse(seed: int = 0, folder: str | Path | None = None) -> Path:
    """The lessons' warehouse of ``seed``: reused when a current one is there, else (re)built.

    It lives in the system's temporary folder (``orchlab/``), outside the repository, so the
    lesson and the exercise share one file and nothing lands in git.
    """
    from incident_lab import WarehouseError, build_warehouse, ensure_warehouse

    folder = Path(folder) if folder else Path(tempfile.gettempdir()) / "orchlab"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"incident_lab-seed{seed}.duckdb"
    try:
        return ensure_warehouse(path, seed)
    except WarehouseError:  # built by another version of the kit, or a broken file: build afresh
        return build_warehouse(path, seed)


# ---- the incident in SQL ----------------------------------------------------------------------


def null_rate_figure(daily: pd.DataFrame, change_at: datetime | None, title: str) -> go.FigureWidget:
    """The daily null rate (``daily``: columns ``day``, ``null_rate`` 0-1) with the API change marked."""
    fig = figure_widget(title, "day", "rows with a null (%)", height=360)
    fig.add_trace(
        go.Scatter(
            x=[str(d) for d in daily["day"]],
            y=(100 * daily["null_rate"]).round(3).tolist(),
            mode="lines+markers",
            name="null rate",
            line=dict(color=PALETTE[0], width=2),
            marker=dict(size=4),
            hovertemplate="%{x}: %{y:.2f} %<extra></extra>",
        )
    )
    if change_at is not None:
        fig.add_shape(
            type="line",
            x0=str(change_at),
            x1=str(change_at),
            y0=0,
            y1=1,
            yref="paper",
            line=dict(color=PALETTE[5], dash="dash"),
        )
        fig.add_annotation(
            x=str(change_at), y=1, yref="paper", text=f"API change {change_at:%Y-%m-%d %H:%M}", showarrow=False,
            xanchor="right", yanchor="bottom", font=dict(color=PALETTE[5]),
        )  # fmt: skip
    fig.layout.yaxis.rangemode = "tozero"
    fig.layout.showlegend = False
    return fig


def downstream_figure(edges: pd.DataFrame, root: str, title: str) -> go.FigureWidget:
    """Every model below ``root``, one column per level (``edges``: columns ``parent``, ``child``).

    A model's level is its longest route from ``root``, so each arrow points rightwards.
    """
    children: dict[str, list[str]] = {}
    for parent, child in edges[["parent", "child"]].itertuples(index=False):
        children.setdefault(parent, []).append(child)
    level = {root: 0}
    frontier = [root]
    while frontier:  # longest-path levels on a DAG, relaxed breadth-first
        nxt = []
        for node in frontier:
            for child in children.get(node, []):
                if level.get(child, -1) < level[node] + 1:
                    level[child] = level[node] + 1
                    nxt.append(child)
        frontier = nxt
    columns: dict[int, list[str]] = {}
    for node, depth in sorted(level.items(), key=lambda kv: (kv[1], kv[0])):
        columns.setdefault(depth, []).append(node)
    pos = {node: (depth, -i + (len(nodes) - 1) / 2) for depth, nodes in columns.items() for i, node in enumerate(nodes)}
    fig = figure_widget(
        title,
        "levels below the alerted table",
        "models at that level",
        height=140 + 38 * max(map(len, columns.values())),
    )
    xs, ys = [], []
    for parent, kids in children.items():
        if parent not in pos:
            continue
        for child in kids:
            xs += [pos[parent][0], pos[child][0], None]
            ys += [pos[parent][1], pos[child][1], None]
    fig.add_trace(
        go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#999999", width=1), hoverinfo="skip", name="reads")
    )
    nodes = sorted(pos)
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers+text",
            text=[n.split(".", 1)[-1] for n in nodes],
            textposition="top center",
            textfont=dict(size=10),
            marker=dict(size=11, color=[PALETTE[5] if n == root else PALETTE[0] for n in nodes]),
            hovertext=nodes,
            hoverinfo="text",
            name="model",
        )
    )
    fig.layout.xaxis.update(dtick=1, range=[-0.5, max(columns) + 0.6])
    fig.layout.yaxis.update(showticklabels=False, zeroline=False)
    fig.layout.showlegend = False
    return fig


# ---- one investigation, hand-off by hand-off ------------------------------------------------------


def describe(role: str, output) -> str:
    """One short line for a hand-off (fields a faulty agent left out show as 'missing')."""
    if output is None:
        return "-"
    got = {k: v for k, v in vars(output).items() if k in type(output).model_fields}

    def field(name, fmt=str):
        return fmt(got[name]) if name in got else f"{name} missing"

    when = lambda v: v if isinstance(v, str) else f"{v:%Y-%m-%d %H:%M}"
    if role == "orchestrator":
        return f"{got['table']}.{got['column']}, search from {got['since']:%Y-%m-%d %H:%M}"
    if role == "lineage":
        return f"source {field('source_table')} ({field('tables_traced')} hops)"
    if role == "source":
        return f"last change: {field('last_api_change', when)}"
    if role == "impact":
        return f"{field('affected_downstream_models')} downstream models"
    return f"{field('source_table')} | {field('last_api_change', when)} | {field('affected_downstream_models')} models"


def _state(attempts, role: str) -> tuple[str, str]:
    mine = [a for a in attempts if a.role == role]
    if not mine:
        return "not run", ""
    last = mine[-1]
    if last.loud:
        return "failed loudly", last.error or ""
    checks = ", ".join(c for c, problems in last.flags.items() if problems)
    if last.rejected:
        return "rejected", f"rejected by {checks}"
    return ("right" if last.right else "wrong"), (f"would be flagged by {checks}" if checks else "")


def handoff_table(record) -> pd.DataFrame:
    """Each agent of one judged run: attempts, what it handed over, right or wrong, and the checks' verdicts."""
    rows = []
    for role in ROLES:
        mine = [a for a in record.attempts if a.role == role]
        state, note = _state(record.attempts, role)
        rows.append(
            dict(
                agent=role,
                attempts=len(mine),
                injected=", ".join(a.fault or "none" for a in mine) or "-",
                handed_over=describe(role, mine[-1].output if mine else None),
                verdict=state,
                checks=note,
            )
        )
    return pd.DataFrame(rows).set_index("agent")


def trail_figure(records: dict, title: str) -> go.FigureWidget:
    """One row per labelled run, one cell per agent: right, wrong, rejected, failed loudly or not run."""
    labels = list(records)
    fig = figure_widget(title, "agent (in the order they hand over)", "run", height=150 + 60 * len(labels))
    states = {label: [_state(records[label].attempts, role) for role in ROLES] for label in labels}
    for state, colour in STATE_COLOURS.items():
        xs, ys, texts = [], [], []
        for label in labels:
            for role, (s, note) in zip(ROLES, states[label]):
                if s == state:
                    xs.append(role)
                    ys.append(label)
                    texts.append(describe(role, _last_output(records[label], role)) + (f"<br>{note}" if note else ""))
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="markers", name=state, text=texts, hovertemplate="%{x}: %{text}<extra></extra>",
                marker=dict(symbol="square", size=34, color=colour, line=dict(color="white", width=1)),
            )
        )  # fmt: skip
    fig.layout.xaxis.update(categoryorder="array", categoryarray=list(ROLES))
    fig.layout.yaxis.update(categoryorder="array", categoryarray=labels[::-1])
    fig.update_layout(margin=dict(l=260, r=20, t=80, b=60))
    return fig


def _last_output(record, role: str):
    mine = [a for a in record.attempts if a.role == role]
    return mine[-1].output if mine else None


# ---- defenses, shadow mode and the bridge ------------------------------------------------------


def outcome_row(report) -> dict[str, float]:
    """The three outcome shares of a shadow report (0-1)."""
    measured = report.measured()
    return {outcome: measured[RATE_KEYS[outcome]] for outcome in OUTCOME_ORDER}


def catch_table(report, wrong_kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Each check's catch rate per kind of wrong output, with its 95 % interval and counts."""
    rows = [r for r in report.catch_rates() if wrong_kinds is None or r["fault"] in wrong_kinds]
    frame = pd.DataFrame(
        [
            dict(
                check=CHECK_LABELS.get(r["check"], r["check"]),
                wrong_output=r["fault"],
                seen=r["wrong_outputs"],
                caught=r["caught"],
                catch_rate=r["rate"],
                ci_low=r["ci"][0],
                ci_high=r["ci"][1],
            )
            for r in rows
        ]
    )
    return frame.set_index(["wrong_output", "check"]) if len(frame) else frame


def reliability_figure(agents: list[dict], configured: dict[str, float], title: str) -> go.FigureWidget:
    """Measured first-attempt reliability per agent with its Wilson interval, beside the configured one."""
    fig = figure_widget(title, "agent", "first-attempt reliability (%)", height=380)
    names = [a["name"] for a in agents]
    values = [100 * (a["reliability"] or 0.0) for a in agents]
    lows = [100 * a["reliability_ci"][0] for a in agents]
    highs = [100 * a["reliability_ci"][1] for a in agents]
    fig.add_trace(
        go.Scatter(
            x=names, y=[round(v, 2) for v in values], mode="markers", name="measured in shadow mode (95 % interval)",
            marker=dict(size=11, color=PALETTE[0]),
            error_y=dict(type="data", symmetric=False, array=[round(h - v, 3) for h, v in zip(highs, values)],
                         arrayminus=[round(v - lo, 3) for v, lo in zip(values, lows)], color=PALETTE[0]),
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=names, y=[100 * configured.get(n, 1.0) for n in names], mode="markers", name="configured P",
            marker=dict(size=12, symbol="diamond-open", color=PALETTE[5], line=dict(width=2)),
        )
    )  # fmt: skip
    fig.layout.yaxis.range = [0, 105]
    return fig


def bridge_figure(measured: dict, predicted: dict, title: str) -> go.FigureWidget:
    """Outcome shares measured by real runs beside the simulator's prediction, each with its interval."""
    fig = figure_widget(title, "outcome", "share of investigations (%)", height=380)
    for label, source, colour in (
        ("measured (real runs)", measured, PALETTE[0]),
        ("predicted (simulator)", predicted, PALETTE[1]),
    ):
        values = [100 * source[RATE_KEYS[o]] for o in OUTCOME_ORDER]
        lows = [100 * source[f"{RATE_KEYS[o]}_ci"][0] for o in OUTCOME_ORDER]
        highs = [100 * source[f"{RATE_KEYS[o]}_ci"][1] for o in OUTCOME_ORDER]
        fig.add_trace(
            go.Bar(
                x=[OUTCOME_LABELS[o] for o in OUTCOME_ORDER], y=[round(v, 3) for v in values], name=label,
                marker_color=colour, text=[f"{v:.1f}" for v in values], textposition="outside",
                error_y=dict(type="data", symmetric=False, array=[round(h - v, 3) for h, v in zip(highs, values)],
                             arrayminus=[round(v - lo, 3) for v, lo in zip(values, lows)]),
            )
        )  # fmt: skip
    fig.update_layout(barmode="group")
    fig.layout.yaxis.range = [0, 105]
    return fig


# ---- the live explorer ----------------------------------------------------------------------------


@lru_cache(maxsize=128)
def _batch(warehouse: str, runs: int, seed: int, pattern: str, fault: tuple, defenses: tuple):
    from incident_lab import DefenseSettings, FaultPlan, shadow_run

    faults = FaultPlan(dict([fault])) if fault else FaultPlan()
    report = shadow_run(
        warehouse, runs=runs, seed=seed, pattern=pattern, faults=faults, defenses=DefenseSettings(**dict(defenses))
    )
    return outcome_row(report), report.catch_rates(), report.seconds


def defense_explorer(warehouse: str | Path, runs: int = 48, seed: int = 0) -> Explorer:
    """Break one agent, switch real defenses on, and re-run ``runs`` real investigations per change.

    Top: outcome shares with no defenses and with yours. Bottom: the catch rate of each check on
    that agent's wrong outputs (every check is evaluated on every hand-off, on or off).
    """
    controls = {
        "agent": dropdown("broken agent", list(ROLES[1:]) + ["orchestrator"], "impact"),
        "reliability": slider("float", "its reliability P", 0.6, 0.0, 1.0, 0.05, readout_format=".0%"),
        "silent_share": slider("float", "silent share S of its failures", 1.0, 0.0, 1.0, 0.1, readout_format=".0%"),
        "pattern": dropdown("pattern", ["hybrid", "sequential"], "hybrid"),
        "validate": checkbox("contract validation at every hand-off"),
        "completeness": checkbox("completeness cross-checks (independent SQL)"),
        "retries": slider("int", "retries after a rejection or error", 0, 0, 3, 1),
        "human_gate": checkbox("human gate before delivery (simulated reviewer, catches 70 %)"),
    }
    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # each move runs real SQL: update on release
    # the broken agent, P, S and the pattern are on the controls and in the readout: the title stays, so a
    # slider move that only changes bar lengths redraws in place
    fig = grid_widget(
        f"Real investigations, without and with defenses<br><sup>{runs} runs per bar over the warehouse's incidents,"
        f" seed {seed}</sup>",
        2,
        1,
        ["share of investigations (%)", "wrong outputs of the broken agent caught (%)"],
        ["defenses", "check"],
        height=560,
        vertical_spacing=0.2,
        row_heights=[0.4, 0.6],
    )
    arrangements = ["no defenses", "your defenses"]
    for outcome in OUTCOME_ORDER:
        fig.add_trace(
            go.Bar(
                x=[0, 0], y=arrangements, orientation="h", name=OUTCOME_LABELS[outcome],
                marker_color=OUTCOME_COLOURS[outcome], textposition="inside", insidetextanchor="middle",
                hovertemplate="%{y}: %{x:.1f} %<extra>" + OUTCOME_LABELS[outcome] + "</extra>",
            ),
            row=1, col=1,
        )  # fmt: skip
    checks = list(CHECK_LABELS.values())
    fig.add_trace(
        go.Bar(
            x=[0] * len(checks), y=checks, orientation="h", marker_color=PALETTE[0], showlegend=False,
            text=[""] * len(checks), textposition="auto", hovertemplate="%{y}: %{x:.0f} %<extra></extra>",
        ),
        row=2, col=1,
    )  # fmt: skip
    fig.update_layout(barmode="stack", margin=dict(l=200, r=20, t=90, b=60))
    fig.update_yaxes(autorange="reversed")
    fig.layout.xaxis.range = [0, 100]
    fig.layout.xaxis2.range = [0, 100]
    path = str(warehouse)

    def compute(v: dict) -> tuple:
        """The batch without defenses and the batch with the chosen ones (each real SQL the first time)."""
        fault = (v["agent"], (round(v["reliability"], 4), round(v["silent_share"], 4)))
        chosen = (
            ("validate", bool(v["validate"])),
            ("completeness", bool(v["completeness"])),
            ("retries", int(v["retries"])),
            ("human_gate", bool(v["human_gate"])),
        )
        # only the defenses switched on (every default is off): with none on, "yours" is the
        # undefended batch itself, so a new agent or pattern runs one batch of real SQL, not two
        defenses = tuple((name, value) for name, value in chosen if value)
        batch = lambda switched_on: _batch(path, runs, seed, v["pattern"], fault, switched_on)
        return batch(()), batch(defenses)

    def update(v: dict):
        (base, _, _), (yours, catches, seconds) = compute(v)
        for trace, outcome in zip(fig.data[:3], OUTCOME_ORDER):
            trace.x = [round(100 * base[outcome], 2), round(100 * yours[outcome], 2)]
            trace.text = [f"{100 * s[outcome]:.0f}" if s[outcome] >= 0.05 else "" for s in (base, yours)]
        rates = _check_rates(catches, v["agent"])
        fig.data[3].x = [round(100 * rates[c][0], 2) if rates[c] else 0 for c in CHECK_LABELS]
        fig.data[3].text = [_check_label(c, rates[c], bool(v["human_gate"])) for c in CHECK_LABELS]
        hold_bar_axes(fig)
        setting = f"P\u00a0=\u00a0{pct(v['reliability'], 0)}, S\u00a0=\u00a0{pct(v['silent_share'], 0)}"  # no break inside a setting
        return (
            f"<b>{v['agent']} broken at {setting}, {v['pattern']}</b>. Your defenses: {pct(yours['correct'])} "
            f"correct, {pct(yours['silent_failure'])} silent failures, {pct(yours['detected_failure'])} detected "
            f"({runs} runs in {seconds:.1f} s of real SQL)."
        )

    note = (
        "validation rejects only malformed hand-offs; the completeness cross-check catches wrong counts and walks that "
        "stop short; nothing but the simulated reviewer notices a stale change-log window; retries turn caught failures "
        "back into right answers."
    )
    return Explorer(controls, [fig], [note], update, warm=compute)


def _check_label(check: str, rate: tuple[float, int, int] | None, gate_on: bool) -> str:
    """A check's bar label: caught of seen, or why there is no rate (the gate reads only the summaries
    that reach it, and only when it is on)."""
    if rate:
        return f"{rate[1]}/{rate[2]}"
    if check == "human_gate":
        return "nothing wrong reached it" if gate_on else "gate off: not measured"
    return "nothing wrong seen"


def _check_rates(catch_rows: list[dict], agent: str) -> dict[str, tuple[float, int, int] | None]:
    """Per check: (catch rate, caught, seen) on the broken agent's own silent fault, or None if none was seen."""
    from incident_lab import SILENT_FAULTS

    kind = SILENT_FAULTS[agent]
    out: dict[str, tuple[float, int, int] | None] = dict.fromkeys(CHECK_LABELS)
    for r in catch_rows:
        if r["fault"] == kind and r["check"] in out and r["wrong_outputs"]:
            out[r["check"]] = (r["rate"], r["caught"], r["wrong_outputs"])
    return out


__all__ = [
    "lesson_warehouse",
    "null_rate_figure",
    "downstream_figure",
    "describe",
    "handoff_table",
    "trail_figure",
    "outcome_row",
    "catch_table",
    "reliability_figure",
    "bridge_figure",
    "defense_explorer",
]

"""Lesson 03: a silent failure travelling down a chain, and the defenses that stop it.

The chain is the module's schema-change story: ``schema_diff`` compares schemas, ``impact``
works out what the change touches, ``fix`` drafts the change, ``deploy`` ships it.

* :func:`propagation_explorer` steps through one traced run in which the first agent's output
  is silently wrong: every step logs success, every output after it is wrong.
* :func:`silent_chain_explorer` injects a faulty agent and puts the defenses on sliders; it
  shows outcome shares, and where the first wrong payload was caught split by how those runs
  ended (with retries a caught run can still end silently wrong). The instructor demo reuses it.
* The tables and figures below compare the defenses one at a time, and retries with them.

:mod:`simulator` runs everything; this module sets parameters and draws.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from simulator import OUTCOMES, Scenario, SimulationResult, simulate
from simulator.builders import SCHEMA_CHAIN, inject_fault, schema_chain
from simulator.sweeps import outcome_shares, propagation_steps, silent_run, where_caught_table

from .controls import checkbox, slider
from .format import count, pct
from .live import Explorer
from .style import OUTCOME_COLOURS, OUTCOME_LABELS, PALETTE, figure_widget, fit_title, styled_figure
from .timeline import STATUS_COLOURS, apply_topology, topology_figure

#: What each agent does, and what its output looks like when it is wrong but well formed.
ROLES = {
    "schema_diff": ("compares yesterday's and today's source schema", "a diff that looks complete but is not"),
    "impact": ("lists the models the change touches", "an impact list that is plausible but wrong"),
    "fix": ("drafts the change to the affected models", "a fix for only part of the problem"),
    "deploy": ("ships the fix", "a deployment that succeeds while the pipeline still breaks elsewhere"),
}
DEGRADATION_WORDS = {
    "missing_field": "left out a field",
    "wrong_count": "reported a wrong count",
    "truncated_list": "cut a list short",
    "wrong_value": "named the wrong thing",
}


# --- one silent failure, step by step ---------------------------------------------------------


def _step_sentence(r) -> str:
    role, wrong_look = ROLES.get(r.agent, ("works on its input", "a wrong but well-formed output"))
    if r.started_here:
        what = f"got a right input and {DEGRADATION_WORDS.get(r.degradation, 'went wrong')}: it returned {wrong_look}."
    elif r.received == "wrong":
        what = f"worked faithfully on a wrong input, so it returned {wrong_look}."
    else:
        what = "got a right input and returned a right output."
    return f"<b>Step {r.step}: {r.agent}</b> ({role}) {what} No exception, so the log says <b>{r.log}</b>."


def propagation_explorer(seed: int = 4) -> Explorer:
    """Step through a run whose first agent fails silently: the chain turns wrong node by node."""
    result, trial = silent_run(seed)
    steps = propagation_steps(result, trial)
    controls = dict(step=slider("int", "step through the run", 0, 0, len(steps), 1))
    fig = topology_figure(result.scenario, title="A silent failure travelling down the chain", live=True)
    for status, label in (("right", "right output"), ("wrong", "wrong output, no error"), ("waiting", "not run yet")):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=label,
                marker=dict(size=14, color=STATUS_COLOURS[status], line=dict(width=1, color=PALETTE[7])),
            )
        )
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0))

    def update(v: dict) -> str:
        k = v["step"]
        done = steps[steps["step"] <= k]
        status = {r.agent: ("wrong" if r.returned == "wrong" else "right") for r in done.itertuples()}
        notes = {r.agent: f"received {r.received}, returned {r.returned}, log: {r.log}" for r in done.itertuples()}
        apply_topology(fig, result.scenario, status=status, notes=notes)
        if k == 0:
            return "<b>Before the run:</b> four agents, each logging success unless something raises an error."
        text = _step_sentence(done.iloc[-1])
        if k == len(steps):
            text += " <b>The run is over: four successes in the log, and a wrong result delivered.</b>"
        return text

    return Explorer(
        controls,
        [fig],
        ["the colour turns at the first agent and never turns back, while the log shows success at every step."],
        update,
    )


# --- the silent-chain explorer ----------------------------------------------------------------


def handoff_labels(scenario: Scenario) -> list[str]:
    return [f"after {a.name}" for a in scenario.agents] + ["never caught"]


#: The column ``result.where_caught()`` gives runs whose wrong payload no check caught.
NEVER = "never (delivered)"


def caught_and_ended(result: SimulationResult) -> dict[str, list[float]]:
    """For each outcome, the share of all runs whose first wrong payload was first caught after each
    agent (then never caught) and that ended in that outcome: the runs of
    :func:`simulator.sweeps.caught_shares`, split by how they ended. With retries a caught run can
    still end right, or silently wrong when a retry hands on a wrong payload again and it gets through."""
    trials = result.trials
    wrong = trials[trials["first_failure_mode"].isin(["silent", "misroute"])]  # the runs where_caught() counts
    table = pd.crosstab(wrong["caught_at"].fillna(NEVER), wrong["outcome"])
    places = [a.name for a in result.scenario.agents] + [NEVER]
    table = table.reindex(index=places, columns=list(OUTCOMES), fill_value=0)
    return {o: [float(c) / len(trials) for c in table[o]] for o in OUTCOMES}


@lru_cache(maxsize=256)
def _chain_shares(agent: str, settings: tuple, trials: int, seed: int) -> tuple[tuple, tuple]:
    """Outcome shares, and where the first wrong payload was caught split by how the run ended, of the
    schema chain with one faulty agent, remembered per setting: moving a control back to a setting
    already seen redraws without simulating again."""
    catch_rate, baseline_catch_rate, completeness, retries = settings
    scenario = inject_fault(schema_chain(), agent, others=1.0).with_defenses(
        catch_rate=catch_rate,
        checkpoints=baseline_catch_rate > 0,
        baseline_catch_rate=baseline_catch_rate,
        completeness=completeness,
        retries=retries,
    )
    result = simulate(scenario, trials=trials, seed=seed)
    ended = caught_and_ended(result)
    return tuple(outcome_shares(result)), tuple(tuple(ended[o]) for o in OUTCOMES)


#: How the runs a check caught ended: a phrase among others, and a phrase when it is the only ending.
CAUGHT_ENDINGS = {
    "correct": ("{} ended right after a retry", "each of those runs ended right after a retry"),
    "silent_failure": (
        "{} ended silently wrong: a retry handed on a wrong payload again, and it got through",
        "each of those runs ended silently wrong: a retry handed on a wrong payload again, and it got through",
    ),
    "detected_failure": ("{} stopped with an error", "each of those runs stopped with an error"),
}


def chain_readout(agent: str, trials: int, shares, ended) -> str:
    """The line above the silent-chain figures. Every number is a share of all runs, as in both
    figures: ``shares`` the outcome shares (first figure), ``ended`` per outcome the runs whose
    first wrong payload was caught at each hand-off or never (second figure, :func:`caught_and_ended`)."""
    by = dict(zip(OUTCOMES, ended))
    never = sum(by[o][-1] for o in OUTCOMES)
    caught = {o: sum(by[o][:-1]) for o in OUTCOMES}
    total_caught = sum(caught.values())
    parts = [f"<b>Faulty agent: {agent}.</b>"]
    if never + total_caught == 0:
        parts.append(f"No wrong payload appeared in {count(trials)} runs.")
    else:
        parts.append(f"A wrong payload appeared in {pct(never + total_caught)} of {count(trials)} runs.")
        endings = [o for o in OUTCOMES if caught[o] > 0]
        if len(endings) == 1:
            parts.append(f"A check caught it in {pct(total_caught)} of runs, and {CAUGHT_ENDINGS[endings[0]][1]}.")
        elif endings:
            listed = "; ".join(CAUGHT_ENDINGS[o][0].format(pct(caught[o])) for o in endings)
            parts.append(f"A check caught it in {pct(total_caught)} of runs: {listed}.")
        if never > 0:
            parts.append(
                f"In {pct(never)} of runs no check caught it and it reached the result."
                if total_caught
                else "No check caught it, so every one reached the result."
            )
    parts.append(
        f"<b>Runs ended right {pct(shares[0])}, silently wrong {pct(shares[1])}, "
        f"stopped with an error {pct(shares[2])}.</b>"
    )
    return " ".join(parts)


#: The smallest part of a stacked bar that is labelled (a share of all runs): smaller parts are too
#: short for a label at full size, and a shrunken label is unreadable. Hover still gives the number.
LABELLED_SHARE = 0.04


def silent_chain_explorer(
    faulty: int = 2,
    catch_rate: float = 0.0,
    baseline_catch_rate: float = 0.0,
    completeness: bool = False,
    retries: int = 0,
    trials: int = 5000,
    seed: int = 21,
) -> Explorer:
    """The schema chain with one faulty agent (silently wrong in half its runs; the others never fail).

    Controls: which agent is faulty, hand-off validation (catch rate at every hand-off),
    checkpoints compared with a baseline (catch rate; 0 leaves checkpoints off), completeness
    signals (a count cross-checked at each hand-off) and retries after a caught failure.
    Two figures: outcome shares, and where the first wrong payload was caught, each bar split by
    how those runs ended (with retries a caught run can end right, or silently wrong after all).
    """
    controls = dict(
        faulty=slider("int", "faulty agent (position in the chain)", faulty, 1, len(SCHEMA_CHAIN), 1),
        catch_rate=slider("float", "hand-off validation: catch rate", catch_rate, 0.0, 1.0, 0.05, ".0%"),
        baseline_catch_rate=slider(
            "float", "checkpoints vs baseline: catch rate", baseline_catch_rate, 0.0, 1.0, 0.05, ".0%"
        ),
        completeness=checkbox("completeness signals (counts cross-checked at every hand-off)", completeness),
        retries=slider("int", "retries after a caught failure", retries, 0, 3, 1),
    )
    base = schema_chain()
    outcome_names = [OUTCOME_LABELS[o] for o in OUTCOMES]
    outcomes = figure_widget(
        "How the runs ended",
        "outcome of a run",
        "share of runs (%)",
        height=360,
        traces=[
            go.Bar(
                marker=dict(color=[OUTCOME_COLOURS[o] for o in OUTCOMES]),
                texttemplate="%{y:.1f}%",
                textposition="outside",
                cliponaxis=False,
                name="runs",
            )
        ],
    )
    outcomes.update_layout(yaxis_range=[0, 110], showlegend=False)
    labels = handoff_labels(base)
    where = figure_widget(
        "Where the first wrong payload was caught, and how those runs ended",
        "hand-off where a check first caught a wrong payload",
        "share of all runs (%)",
        height=420,
        traces=[
            go.Bar(
                name=OUTCOME_LABELS[o],
                marker=dict(color=OUTCOME_COLOURS[o]),
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=f"%{{x}}, run ended as {OUTCOME_LABELS[o]}: %{{y:.1f}}% of runs<extra></extra>",
            )
            for o in OUTCOMES
        ],
    )
    where.update_layout(
        barmode="stack",
        xaxis_range=[-0.5, len(labels) - 0.5],  # what autorange gives; fixed, a move redraws in place
        yaxis_range=[0, 60],
        legend=dict(
            title_text="run ended as:",
            orientation="h",
            yanchor="top",
            y=-0.28,
            xanchor="left",
            x=0,
            traceorder="normal",
        ),
    )

    def compute(v: dict) -> tuple[tuple, tuple]:
        settings = (
            round(v["catch_rate"], 4),
            round(v["baseline_catch_rate"], 4),
            bool(v["completeness"]),
            v["retries"],
        )
        return _chain_shares(SCHEMA_CHAIN[v["faulty"] - 1], settings, trials, seed)

    def update(v: dict) -> str:
        agent = SCHEMA_CHAIN[v["faulty"] - 1]
        shares, ended = compute(v)
        # bars are built empty and get x and y together here: a trace built with x but no y
        # reaches the browser without its x
        outcomes.data[0].update(x=outcome_names, y=[100 * s for s in shares])
        for trace, part in zip(where.data, ended):
            trace.update(
                x=labels,
                y=[100 * c for c in part],
                text=[pct(c) if c >= LABELLED_SHARE else "" for c in part],
            )
        return chain_readout(agent, trials, shares, ended)

    return Explorer(
        controls,
        [outcomes, where],
        [
            "checks turn silent failures into detected ones; only retries at the faulty agent's own hand-off "
            "turn them back into right answers.",
            "nothing can be caught before the faulty agent, and each later hand-off is another chance; every "
            "silent-failure part is a wrong result delivered, never caught or let through on a retry.",
        ],
        update,
        warm=compute,
    )


# --- the defenses one at a time, and retries ----------------------------------------------------


def defense_text(table: pd.DataFrame) -> str:
    """The defense table as aligned percentages."""
    width = max(len(d) for d in table.index) + 2
    lines = ["defenses".ljust(width) + "   right  silently wrong  stopped with error  calls/run"]
    for r in table.itertuples():
        lines.append(
            f"{r.Index:<{width}}{100 * r.correct:7.1f}%{100 * r.silent_failure:15.1f}%"
            f"{100 * r.detected_failure:19.1f}%{r.mean_calls:11.2f}"
        )
    return "\n".join(lines)


def defense_figure(table: pd.DataFrame, title: str = "The defenses switched on one at a time") -> go.Figure:
    """Stacked horizontal bars: how runs ended under each set of defenses."""
    fig = styled_figure(title, "share of runs (%)", "defenses switched on", height=120 + 46 * len(table))
    for outcome in OUTCOMES:
        values = 100 * table[outcome]
        fig.add_trace(
            go.Bar(
                y=list(table.index),
                x=values,
                orientation="h",
                name=OUTCOME_LABELS[outcome],
                marker=dict(color=OUTCOME_COLOURS[outcome]),
                text=[f"{v:.0f}%" if v >= 4 else "" for v in values],
                textposition="inside",
                hovertemplate="%{y}: %{x:.1f}%",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis_range=[0, 100],
        yaxis=dict(autorange="reversed"),
        margin=dict(l=260),
        legend=dict(traceorder="normal"),
    )
    return fit_title(fig)  # its traces are in now: the title's room for their legend


def retry_text(table: pd.DataFrame) -> str:
    lines = ["hand-off checks  retries    right  silently wrong  stopped with error"]
    for r in table.itertuples():
        lines.append(
            f"{'catch ' + format(r.catch_rate, '.0%'):<17}{r.retries:7d}{100 * r.correct:8.1f}%"
            f"{100 * r.silent_failure:15.1f}%{100 * r.detected_failure:19.1f}%"
        )
    return "\n".join(lines)


def retry_figure(table: pd.DataFrame) -> go.Figure:
    """Silent-failure rate against retries, for each catch rate."""
    fig = styled_figure(
        "Retries only act on failures someone noticed",
        "retries after a detected failure (count)",
        "share of runs (%)",
        height=400,
    )
    dashes = {0: "dot"}
    for i, (catch, rows) in enumerate(table.groupby("catch_rate", sort=True)):
        label = "no hand-off checks" if catch == 0 else f"hand-off checks catching {catch:.0%}"
        for outcome in ("correct", "silent_failure"):
            fig.add_trace(
                go.Scatter(
                    x=rows["retries"],
                    y=100 * rows[outcome],
                    mode="lines+markers",
                    name=f"{OUTCOME_LABELS[outcome]}, {label}",
                    line=dict(color=OUTCOME_COLOURS[outcome], width=2.5, dash=dashes.get(i, "solid")),
                    marker=dict(size=8, symbol="circle" if i else "circle-open"),
                )
            )
    fig.update_layout(
        yaxis_range=[0, 100],
        xaxis=dict(tickvals=sorted(table["retries"].unique())),
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"),
        margin=dict(r=320),
    )
    return fit_title(fig)  # its traces are in now: the title's room for their legend


def where_caught_figure(
    result: SimulationResult, title: str = "Where wrong payloads start, and where they are caught"
) -> go.Figure:
    """A heat map of ``result.where_caught()``: rows where the failure started, columns where it was caught."""
    table = where_caught_table(result)
    columns = list(table.columns)
    share = 100 * table / len(result.trials)
    fig = styled_figure(title, "caught at the hand-off after (or never)", "wrong payload started at", height=380)
    fig.add_trace(
        go.Heatmap(
            z=share.to_numpy(),
            x=[c if c != "never (delivered)" else "never: delivered wrong" for c in columns],
            y=list(table.index),
            colorscale=[[0, "#FFFFFF"], [1, PALETTE[0]]],
            zmin=0,
            text=[[f"{v:.1f}%" if v else "" for v in row] for row in share.to_numpy()],
            texttemplate="%{text}",
            colorbar=dict(title="share of runs (%)"),
            hovertemplate="started at %{y}, caught %{x}: %{z:.1f}% of runs",
        )
    )
    fig.update_layout(yaxis=dict(autorange="reversed"))
    return fit_title(fig)  # its traces are in now: the title's room for their legend


__all__ = [
    "propagation_explorer",
    "silent_chain_explorer",
    "defense_text",
    "defense_figure",
    "retry_text",
    "retry_figure",
    "where_caught_figure",
]

"""Lesson 03: a silent failure travelling down a chain, and the defenses that stop it.

The chain is the module's schema-change story: ``schema_diff`` compares schemas, ``impact``
works out what the change touches, ``fix`` drafts the change, ``deploy`` ships it.

* :func:`propagation_explorer` steps through one traced run in which the first agent's output
  is silently wrong: every step logs success, every output after it is wrong.
* :func:`silent_chain_explorer` injects a faulty agent and puts the defenses on sliders; it
  shows outcome shares and where the wrong payload was caught. The instructor demo reuses it.
* The tables and figures below compare the defenses one at a time, and retries with them.

:mod:`simulator` runs everything; this module sets parameters and draws.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from simulator import Agent, Latency, Scenario, SimulationResult, simulate

from .live import Explorer, checkbox, pct, slider
from .style import OUTCOME_COLOURS, OUTCOME_LABELS, PALETTE, figure_widget, styled_figure
from .timeline import STATUS_COLOURS, apply_topology, topology_figure

SCHEMA_CHAIN = ("schema_diff", "impact", "fix", "deploy")
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
OUTCOME_ORDER = ("correct", "silent_failure", "detected_failure")


def schema_chain(reliability: float = 0.9, silent_share: float = 0.5, latency: float = 3.0, **defenses) -> Scenario:
    """The four-agent schema-change chain, every agent alike; keywords set :class:`simulator.Defenses`."""
    agents = tuple(Agent(name, reliability, silent_share, Latency("lognormal", latency, 0.4)) for name in SCHEMA_CHAIN)
    scenario = Scenario(
        pattern="sequential",
        agents=agents,
        name="schema_change_chain",
        description="schema diff, impact, fix, deploy: the module's partial-failure story",
    )
    return scenario.with_defenses(**defenses) if defenses else scenario


def inject_fault(
    scenario: Scenario, agent: str, reliability: float = 0.5, silent_share: float = 1.0, others: float | None = 1.0
) -> Scenario:
    """A copy with one faulty agent that fails silently; ``others`` sets everyone else's reliability."""
    names = [a.name for a in scenario.agents]
    if agent not in names:
        raise ValueError(f"{agent!r} is not in the chain {names}")
    agents = tuple(
        replace(a, reliability=reliability, silent_share=silent_share)
        if a.name == agent
        else (replace(a, reliability=others) if others is not None else a)
        for a in scenario.agents
    )
    return replace(scenario, agents=agents)


# --- one silent failure, step by step ---------------------------------------------------------


def silent_run(seed: int = 4, trials: int = 60, reliability: float = 0.9) -> tuple[SimulationResult, int]:
    """A traced run of the chain, and the first trial in which ``schema_diff`` failed silently and
    the wrong result was delivered without an error."""
    result = simulate(schema_chain(reliability, silent_share=1.0), trials=trials, seed=seed, trace=True)
    rows = result.trials[
        (result.trials["first_failure_agent"] == SCHEMA_CHAIN[0]) & (result.trials["outcome"] == "silent_failure")
    ]
    if rows.empty:
        raise ValueError("no silent failure starting at schema_diff in this run: change the seed or add trials")
    return result, int(rows["trial"].iloc[0])


def propagation_steps(result: SimulationResult, trial: int) -> pd.DataFrame:
    """One row per agent of a traced trial: what it received, what it returned, what the log said."""
    events = result.events[(result.events["trial"] == trial) & (result.events["activity"] == "work")]
    row = result.trials.set_index("trial").loc[trial]
    out, wrong_in = [], False
    for step, agent in enumerate((a.name for a in result.scenario.agents), 1):
        mine = events[events["agent"] == agent]
        if mine.empty:
            break
        last = mine.iloc[-1]
        wrong_out = last["status"] == "wrong_output"
        caught = result.events[
            (result.events["trial"] == trial)
            & (result.events["agent"] == agent)
            & (result.events["status"] == "caught")
        ]
        out.append(
            dict(
                step=step,
                agent=agent,
                received="wrong" if wrong_in else "right",
                returned="wrong" if wrong_out else ("failed loudly" if last["status"] == "loud_failure" else "right"),
                started_here=row["first_failure_agent"] == agent,
                degradation=row["degradation"] if row["first_failure_agent"] == agent else None,
                caught=not caught.empty,
                log="error" if last["status"] == "loud_failure" else "success",
                finished_at=round(float(last["end"]), 1),
            )
        )
        wrong_in = wrong_out
    return pd.DataFrame(out)


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


def caught_shares(result: SimulationResult) -> list[float]:
    """Share of all runs whose wrong payload was first caught at each hand-off, then never caught."""
    table = result.where_caught()
    counts = table.sum(axis=0) if not table.empty else pd.Series(dtype=float)
    n = len(result.trials)
    names = [a.name for a in result.scenario.agents] + ["never (delivered)"]
    return [float(counts.get(name, 0)) / n for name in names]


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
    Two figures: outcome shares, and where the wrong payload was first caught.
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
    outcome_names = [OUTCOME_LABELS[o] for o in OUTCOME_ORDER]
    outcomes = figure_widget(
        "How the runs ended",
        "outcome of a run",
        "share of runs (%)",
        height=360,
        traces=[
            go.Bar(
                marker=dict(color=[OUTCOME_COLOURS[o] for o in OUTCOME_ORDER]),
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
        "Where the wrong payload was first caught",
        "hand-off where a check caught it",
        "share of all runs (%)",
        height=360,
        traces=[go.Bar(texttemplate="%{y:.1f}%", textposition="outside", cliponaxis=False, name="caught")],
    )
    where.update_layout(yaxis_range=[0, 60], showlegend=False)

    def update(v: dict) -> str:
        agent = SCHEMA_CHAIN[v["faulty"] - 1]
        scenario = inject_fault(base, agent).with_defenses(
            catch_rate=v["catch_rate"],
            checkpoints=v["baseline_catch_rate"] > 0,
            baseline_catch_rate=v["baseline_catch_rate"],
            completeness=v["completeness"],
            retries=v["retries"],
        )
        result = simulate(scenario, trials=trials, seed=seed)
        shares = [float(result.trials["outcome"].eq(o).mean()) for o in OUTCOME_ORDER]
        # bars are built empty and get x and y together here: a trace built with x but no y
        # reaches the browser without its x
        outcomes.data[0].update(x=outcome_names, y=[100 * s for s in shares])
        caught = caught_shares(result)
        colours = [
            OUTCOME_COLOURS["silent_failure"]
            if i == len(caught) - 1
            else (PALETTE[0] if i >= v["faulty"] - 1 else "rgba(0,0,0,0.16)")
            for i in range(len(caught))
        ]
        where.data[0].update(x=labels, y=[100 * c for c in caught], marker=dict(color=colours))
        wrong = sum(caught)
        stopped = wrong - caught[-1]
        return (
            f"<b>Faulty agent: {agent}.</b> A wrong payload appeared in {pct(wrong)} of {trials:,} runs; checks "
            f"caught {pct(stopped / wrong if wrong else 0)} of those and {pct(caught[-1] / wrong if wrong else 0)} "
            f"reached the result. Runs ended right {pct(shares[0])}, silently wrong {pct(shares[1])}, stopped with "
            f"an error {pct(shares[2])}."
        )

    return Explorer(
        controls,
        [outcomes, where],
        [
            "checks turn silent failures into detected ones; only retries at the faulty agent's own hand-off "
            "turn them back into right answers.",
            "nothing can be caught before the faulty agent (grey); every later hand-off is another chance, "
            "and the red bar is what slipped through.",
        ],
        update,
    )


# --- the defenses one at a time, and retries ----------------------------------------------------

DEFENSES_ONE_AT_A_TIME: dict[str, dict] = {
    "no defenses": {},
    "hand-off validation (catch 60%)": dict(catch_rate=0.6),
    "checkpoints vs baseline (catch 50%)": dict(checkpoints=True, baseline_catch_rate=0.5),
    "completeness signals": dict(completeness=True),
    "all three": dict(catch_rate=0.6, checkpoints=True, baseline_catch_rate=0.5, completeness=True),
    "all three + 2 retries": dict(
        catch_rate=0.6, checkpoints=True, baseline_catch_rate=0.5, completeness=True, retries=2
    ),
}


def defense_table(
    scenario: Scenario, settings: dict[str, dict] | None = None, trials: int = 20_000, seed: int = 0
) -> pd.DataFrame:
    """Outcome rates of ``scenario`` under each named set of defenses (same seed for every row)."""
    rows = []
    for label, changes in (settings or DEFENSES_ONE_AT_A_TIME).items():
        result = simulate(scenario.with_defenses(**changes) if changes else scenario, trials=trials, seed=seed)
        s = result.stats()
        rows.append(
            dict(
                defenses=label,
                **result.rates(),
                mean_calls=s["mean_calls"],
            )
        )
    return pd.DataFrame(rows)


def defense_text(table: pd.DataFrame) -> str:
    """The defense table as aligned percentages."""
    width = max(len(d) for d in table["defenses"]) + 2
    lines = ["defenses".ljust(width) + "   right  silently wrong  stopped with error  calls/run"]
    for r in table.itertuples():
        lines.append(
            f"{r.defenses:<{width}}{100 * r.correct:7.1f}%{100 * r.silent_failure:15.1f}%"
            f"{100 * r.detected_failure:19.1f}%{r.mean_calls:11.2f}"
        )
    return "\n".join(lines)


def defense_figure(table: pd.DataFrame, title: str = "The defenses switched on one at a time") -> go.Figure:
    """Stacked horizontal bars: how runs ended under each set of defenses."""
    fig = styled_figure(title, "share of runs (%)", "defenses switched on", height=120 + 46 * len(table))
    for outcome in OUTCOME_ORDER:
        values = 100 * table[outcome]
        fig.add_trace(
            go.Bar(
                y=table["defenses"],
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
    return fig


def retry_table(
    scenario: Scenario, retries=(0, 1, 2, 3), catch_rates=(0.0, 0.9), trials: int = 20_000, seed: int = 0
) -> pd.DataFrame:
    """Outcome rates as retries grow, without hand-off checks and with them."""
    rows = []
    for catch in catch_rates:
        for r in retries:
            result = simulate(scenario.with_defenses(catch_rate=catch, retries=r), trials=trials, seed=seed)
            s = result.stats()
            rows.append(
                dict(
                    catch_rate=catch,
                    retries=r,
                    **result.rates(),
                    mean_calls=s["mean_calls"],
                )
            )
    return pd.DataFrame(rows)


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
    return fig


def where_caught_table(result: SimulationResult) -> pd.DataFrame:
    """``result.where_caught()`` with rows and columns in chain order and "never" last."""
    table = result.where_caught()
    agents = [a.name for a in result.scenario.agents]
    columns = [c for c in agents if c in table.columns] + [c for c in table.columns if c not in agents]
    return table.reindex(index=[a for a in agents if a in table.index], columns=columns, fill_value=0)


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
    return fig


def degradation_table(result: SimulationResult) -> pd.DataFrame:
    """For runs with a silent first failure: how each kind of degradation ended (shares of that kind)."""
    wrong = result.trials[result.trials["first_failure_mode"] == "silent"]
    table = pd.crosstab(wrong["degradation"], wrong["outcome"], normalize="index")
    return table.reindex(columns=["correct", "silent_failure", "detected_failure"], fill_value=0.0)


__all__ = [
    "SCHEMA_CHAIN",
    "schema_chain",
    "inject_fault",
    "silent_run",
    "propagation_steps",
    "propagation_explorer",
    "silent_chain_explorer",
    "caught_shares",
    "DEFENSES_ONE_AT_A_TIME",
    "defense_table",
    "defense_text",
    "defense_figure",
    "retry_table",
    "retry_text",
    "retry_figure",
    "where_caught_table",
    "where_caught_figure",
    "degradation_table",
]

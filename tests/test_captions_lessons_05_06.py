"""Lessons 05 and 06: what a learner reads must be true of what is on screen.

Each test keeps one reported defect fixed: the incident explorer's bottom-left panel, reliability
written as a bare decimal, a missing value drawn as zero, a verdict table without numbers, an
assumptions table that was not complete, an overstated ratio, and titles that wrapped mid-phrase.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import fields

import nbformat
import pytest
import yaml

from explorers.format import count, pct, seconds
from explorers.incident import incident_explorer, stop_labels, stop_points
from explorers.orchestration_value import (
    NO_VALUE,
    monitoring_explorer,
    orchestration_value_explorer,
    verdict_summary,
    verdict_table,
)
from explorers.selfcheck import SELFCHECK_DIR
from explorers.style import wrap_title
from explorers.task_scenarios import TASKS, Assumptions, assumptions_table, task_scenarios
from simulator import inject_fault, load_scenario, simulate
from tests.helpers import ROOT

LESSONS = ("05_when_orchestration_helps", "06_orders_daily_incident")


def notebook(name: str):
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def run_cell(source: str, namespace: dict | None = None) -> str:
    """What a cell prints (the lesson's own code, run as written)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(source, {} if namespace is None else namespace)
    return out.getvalue()


# --- 1. lesson 06's incident explorer: the bottom-left panel --------------------------------------


def panel(box) -> dict[str, float]:
    """The bottom-left panel of the incident explorer: bar label -> % of runs."""
    bars = box.figure.data[3]
    return dict(zip(bars.y, bars.x))


def your_outcomes(box) -> dict[str, float]:
    """The top panel's "your defenses" bar: outcome -> % of runs."""
    return {name: trace.x[1] for name, trace in zip(("correct", "silent", "detected"), box.figure.data[:3])}


@pytest.fixture(scope="module")
def incident_box():
    return incident_explorer()


def test_with_validation_the_panel_shows_catches_at_the_investigators_own_hand_offs(incident_box):
    box = incident_box
    for name, value in (("retries", 0), ("human_gate", False), ("completeness", False), ("catch_rate", 0.0)):
        box.controls[name].value = value
    bars = panel(box)
    assert all(bars[a] == 0 for a in ("lineage", "source", "impact", "synthesis")), "no checks, nothing caught"
    assert bars["an error, nothing caught"] == pytest.approx(your_outcomes(box)["detected"], abs=0.01)

    box.controls["catch_rate"].value = 0.6
    bars = panel(box)
    blue = {label: bars[label] for label in ("orchestrator", "lineage", "source", "impact", "synthesis")}
    assert max(blue, key=blue.get) == "lineage", f"the degraded investigator's own hand-off catches most: {blue}"
    assert bars["source"] > 0 and bars["impact"] > 0, "the healthy investigators' slips are caught at their hand-offs"
    assert not any("fan-in" in label for label in bars), "orders_daily's fan-in needs every branch: it never flags"

    box.controls["retries"].value = 2
    rescued = panel(box)
    assert rescued["caught, then retried right"] > rescued["lineage"], "retries turn most lineage catches green"


@pytest.mark.parametrize(
    "settings",
    [
        dict(agent="lineage", catch_rate=0.6, retries=0),
        dict(agent="lineage", catch_rate=0.6, retries=2, human_gate=True),
        dict(agent="impact", catch_rate=0.3, completeness=True, baseline_catch_rate=0.5, retries=1),
    ],
)
def test_the_panels_shares_match_the_simulations_trials_table(incident_box, settings):
    box = incident_box
    defaults = dict(reliability=0.8, silent_share=0.9, catch_rate=0.0, baseline_catch_rate=0.0, retries=0)
    defaults.update(completeness=False, human_gate=False)
    for name, value in {**defaults, **settings}.items():
        box.controls[name].value = value
    v = box.values
    scenario = inject_fault(load_scenario("orders_daily"), v["agent"], round(v["reliability"], 4), v["silent_share"])
    result = simulate(
        scenario.with_defenses(
            catch_rate=v["catch_rate"],
            completeness=v["completeness"],
            checkpoints=v["baseline_catch_rate"] > 0,
            baseline_catch_rate=v["baseline_catch_rate"],
            human_gate=v["human_gate"],
            retries=v["retries"],
        ),
        trials=10_000,
        seed=0,
    )
    t = result.trials
    n = len(t)
    detected, correct, silent = (t["outcome"] == o for o in ("detected_failure", "correct", "silent_failure"))
    expected = {
        **{p: 100 * (detected & (t["caught_at"] == p)).sum() / n for p in stop_points(scenario)},
        "loud": 100 * (detected & t["caught_at"].isna()).sum() / n,
        "retried": 100 * (correct & t["caught_at"].notna()).sum() / n,
        "delivered": 100 * silent.sum() / n,
    }
    shown = panel(box)
    assert list(shown) == stop_labels(scenario)
    for label, value in zip(stop_labels(scenario), expected.values()):
        assert shown[label] == pytest.approx(value, abs=1e-3), label
    top = your_outcomes(box)
    blue = sum(list(shown.values())[: list(shown).index("caught, then retried right")])
    assert blue == pytest.approx(top["detected"], abs=0.01)
    assert shown["delivered wrong"] == pytest.approx(top["silent"], abs=0.01)


def test_lesson_06s_where_caught_text_matches_the_table_above_it():
    """Cell 27: most of lineage's wrong findings are caught at its own hand-off, many of the rest at
    synthesis, and roughly one in six never."""
    degraded = inject_fault(load_scenario("orders_daily"), "lineage", 0.80, 0.9)
    row = simulate(degraded.with_defenses(catch_rate=0.6), trials=10_000, seed=0).where_caught().loc["lineage"]
    share = row / row.sum()
    assert share.idxmax() == "lineage" and share["lineage"] > 0.5
    assert share.drop("lineage").idxmax() == "synthesis"
    assert 1 / 8 < share["never (delivered)"] < 1 / 5
    text = "\n".join(c.source for c in notebook("06_orders_daily_incident").cells if c.cell_type == "markdown")
    assert "Most of lineage's wrong findings are caught at its own hand-off" in text
    assert "roughly one in six" in text


# --- 2. reliability always as a percentage -------------------------------------------------------

#: A bare decimal below one (0.8, 0.60, 0.815), not part of a longer number.
BARE = re.compile(r"(?<![\d.,])0\.\d+(?!\.?\d)")
#: What may follow a decimal below one and keep it honest: a percent sign, a unit (seconds,
#: milliseconds, thousands), or an operator that makes it an operand of arithmetic written out
#: (0.95 × 0.95, 0.95*0.95, 0.95 ** 4, 0.95^4, 0.95⁴); markdown bold (**) is not an operator.
ALLOWED_AFTER = re.compile(r"\s*(%|s\b|ms\b|k\b|×|\*(?!\*)|\*\*\s*\d|\^|[⁰¹²³⁴⁵⁶⁷⁸⁹]|<sup>)")
ALLOWED_BEFORE = re.compile(r"(×|(?<!\*)\*(?!\*))\s*$")


def bare_decimals(text: str) -> list[str]:
    """Every decimal below one in ``text`` that is not a percentage, a time, or an operand."""
    found = []
    for match in BARE.finditer(text):
        after, before = text[match.end() :], text[: match.start()]
        if ALLOWED_AFTER.match(after) or ALLOWED_BEFORE.search(before):
            continue
        found.append(text[max(0, match.start() - 30) : match.end() + 10].replace("\n", " "))
    return found


@pytest.mark.parametrize(
    "text,flagged",
    [
        ("its reliability drops to 0.80, and", True),
        ("drag it from 0.80 down to 0.60.", True),
        ("raise reliability to 0.99. Does", True),
        ("- about 0.815", True),
        ("0.95 × 0.95 × 0.95 ≈ **0.857**.", True),
        ("reliability 0.815   mean 32.0 s", True),
        ("p 0.95, n 4", True),
        ("0.95 × 0.95 × 0.95 ≈ **85.7 %**.", False),
        ("0.95⁴ ≈ 81.5 %; 0.95^4 is about 81.5%", False),
        ("normally below 0.1 %; a tool call takes 0.3 s, a rule 0.05 s", False),
        ("0.95*0.95*0.95 and 0.95 ** 3; 0.0k tokens", False),
        ("**0.857** and 0.857**", True),
    ],
)
def test_the_bare_decimal_check_catches_the_class(text, flagged):
    assert bool(bare_decimals(text)) is flagged


def self_check_text(name: str) -> str:
    data = yaml.safe_load((SELFCHECK_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    parts = []
    for q in data["questions"]:
        parts += [q["question"], *q["options"], q["answer"], q.get("explanation", "")]
    return "\n".join(parts)


@pytest.mark.parametrize("name", LESSONS)
def test_no_share_is_written_as_a_bare_decimal(name):
    nb = notebook(name)
    texts = {f"cell {i}": c.source for i, c in enumerate(nb.cells) if c.cell_type == "markdown"}
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            texts[f"cell {i} output"] = output.get("text", "")
    texts["self-check"] = self_check_text(name)
    found = {where: hits for where, text in texts.items() if (hits := bare_decimals(text))}
    assert not found, f"{name}: reliability and shares go as percentages: {found}"


def test_lesson_05s_printed_roster_shows_reliability_as_a_percentage():
    cell = next(c for c in notebook("05_when_orchestration_helps").cells if "agent.reliability" in c.source)
    printed = run_cell(cell.source)
    assert re.search(r"reliability +81\.5%", printed) and re.search(r"reliability +95\.0%", printed)
    assert not bare_decimals(printed)


def test_the_assumptions_table_shows_reliabilities_as_percentages():
    values = assumptions_table()["value"]
    for name in ("p", "synth_reliability", "routing_accuracy", "tool_reliability", "orchestrator_reliability"):
        assert values[name].endswith("%"), (name, values[name])
    assert not any(bare_decimals(str(v)) for v in values)


# --- 3. the monitoring explorer: no value is not a zero, one agent is not "agents" -----------------


def test_a_rule_check_that_handled_no_events_shows_n_a_not_zero():
    box = monitoring_explorer()
    time_panel, calls_panel = box.figure.data[0], box.figure.data[1]
    rules = list(time_panel.y).index("rule-based check")
    assert time_panel.text[rules] not in ("0", "0.00", NO_VALUE)

    box.controls["judgment_share"].value = 1.0
    assert time_panel.text[rules] == NO_VALUE and "n/a" in NO_VALUE
    assert time_panel.textposition[rules] == "outside", "the note stands beside a bar of no length"
    assert calls_panel.text[rules] == "0", "no calls is a true zero, written without false precision"
    others = [t for i, t in enumerate(time_panel.text) if i != rules]
    assert NO_VALUE not in others, "the mesh handled every event: it has a time"


@pytest.mark.parametrize("agents", [1, 2, 10])
def test_the_monitoring_readout_counts_agents_in_words_that_agree(agents):
    box = monitoring_explorer()
    title = box.figure.layout.title.text
    box.controls["agents"].value = agents
    readout = box.readout.value
    assert re.search(rf"\b{agents} agent{'s' if agents != 1 else ''} in the mesh", readout), readout
    assert "1 agents" not in readout
    assert f"about {agents / 2:.1f} events/s" in readout, "the mesh's capacity: agents over 2 s an event"
    assert box.figure.layout.title.text == title, "the settings live in the readout; the title stays put"


# --- 4. lesson 05's verdict table carries the numbers its text relies on --------------------------


def test_the_verdict_table_shows_the_simulated_differences():
    cells = notebook("05_when_orchestration_helps").cells
    source = next(c.source for c in cells if "verdict_summary(" in c.source)
    assert "show(verdict_summary(verdict))" in source
    table = verdict_table(seed=0)
    shown = verdict_summary(table)
    assert {"extra time", "extra calls", "extra tokens", "extra correct answers", "the module says"} <= set(shown)
    for task, row in table.iterrows():
        assert shown.loc[task, "extra time"].endswith(seconds(row.extra_seconds).lstrip("-").lstrip("+"))
        assert shown.loc[task, "extra correct answers"].endswith(" points")
        assert shown.loc[task, "extra tokens"].lstrip("+") == count(row.extra_tokens)
    assert not shown["multi-agent side"].str.contains(r"\bn\b").any(), "n is written as the number simulated"
    # the claims of the text under the table, one per task type
    chain, parallel, judgment, lookup, monitoring = (table.loc[TASKS[k].label] for k in TASKS)
    assert chain.extra_seconds > 0 and abs(chain.extra_correct_points) < 1.5
    assert parallel.extra_seconds < 0 and abs(parallel.extra_correct_points) < 1.5
    assert judgment.extra_correct_points > 5
    assert lookup.extra_correct_points < 0 and lookup.extra_seconds > 0
    assert monitoring.extra_correct_points > 5


# --- 5. lesson 05's assumptions table is complete, read from the code ----------------------------


def test_the_judgment_orchestrator_is_in_the_assumptions_table():
    a = Assumptions()
    table = assumptions_table()
    assert list(table.index) == [f.name for f in fields(Assumptions)], "one row per assumption, all of them"
    orchestrator, *specialists = task_scenarios("judgment")["multi-agent"].agents
    assert orchestrator.reliability == a.orchestrator_reliability == 0.97
    assert orchestrator.latency.mean == a.orchestrator_s and orchestrator.tokens_per_call == a.orchestrator_tokens
    assert len(specialists) == a.specialists
    assert table.loc["orchestrator_reliability", "value"] == pct(0.97)
    assert table.loc["orchestrator_s", "value"] == seconds(4.0)
    assert table.loc["orchestrator_tokens", "value"] == count(2500)
    changed = task_scenarios("judgment", orchestrator_reliability=0.9, specialists=5, silent_share=1.0)
    assert changed["multi-agent"].agents[0].reliability == 0.9 and len(changed["multi-agent"].agents) == 6
    assert {agent.silent_share for side in changed.values() for agent in side.agents} == {1.0}


# --- 6. lesson 06's alert ratio ---------------------------------------------------------------------


def test_the_alert_ratio_is_a_lower_bound_against_a_baseline_given_as_an_upper_one():
    cell = next(c for c in notebook("06_orders_daily_incident").cells if "times the usual rate" in c.source)
    printed = run_cell(cell.source)
    assert "baseline under 0.1%" in printed
    assert "(at least 83 times the usual rate)" in printed


# --- 7. lesson 05's explorer titles break between phrases, not inside them --------------------------


@pytest.mark.parametrize("task", ["chain", "parallel", "judgment", "lookup"])
@pytest.mark.parametrize("settings", [dict(p=0.95, n=4, overhead_s=2.0), dict(p=0.9, n=8, overhead_s=10.0)])
def test_the_comparison_title_names_the_task_and_the_readout_its_settings(task, settings):
    box = orchestration_value_explorer()
    for name, value in (("task", task), *settings.items()):
        box.controls[name].value = value
    title, readout = box.figure.layout.title.text, box.readout.value
    assert title == wrap_title(title), "every line fits: nothing is broken mid-phrase"
    lines = [re.sub(r"</?sup>", "", line) for line in title.split("<br>")]
    assert lines[-2].startswith("single: ") and lines[-1].startswith("multi: ")
    assert not re.search(r"\d", " ".join(lines[1:]).replace("3 specialists", "")), "no setting in the title"
    assert f"Reliability {pct(settings['p'])} per step" in readout and seconds(settings["overhead_s"]) in readout
    assert f"n = {settings['n']}" in readout
    sized = {"chain": "agents", "parallel": "workers", "lookup": "specialists"}
    expected = f"{settings['n']} {sized[task]}" if task in sized else "3 specialists"
    assert expected in readout, "n is written as the number it is"
    assert not re.search(r"\bn (workers|agents|specialists)\b", title + readout)


def test_the_incident_readout_names_the_degraded_investigator_and_the_title_stays():
    box = incident_explorer(trials=2000)
    title = box.figure.layout.title.text
    box.controls["agent"].value = "impact"
    box.controls["reliability"].value = 0.7
    box.controls["silent_share"].value = 0.25
    assert "<b>impact degraded</b> to 70% reliability, 25% of its failures silent" in box.readout.value
    box.controls["agent"].value = ""
    assert "As shipped" in box.readout.value and "95% reliability" in box.readout.value, box.readout.value
    assert box.figure.layout.title.text == title, "the settings live in the readout; the title stays put"

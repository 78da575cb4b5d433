"""What lessons 02 and 03 say on screen agrees with what they show.

Readouts and captions of the explorers are checked against the figures' data and against the
simulator, at the slider settings where they once contradicted themselves: the silent chain with
retries (a retried payload can go wrong again and get through), the spot check at 100 runs, the
shared-cause figures with no shared cause or away from p = 90 %, and shares too small for two decimals.
"""

from __future__ import annotations

import html
import re
from itertools import pairwise

import nbformat
import pytest

from explorers.correlation import correlation_explorer, correlation_table, correlation_text
from explorers.format import count, pct, small_pct
from explorers.partial_failure import caught_and_ended, silent_chain_explorer
from explorers.reliability import reliability_explorer
from explorers.spot_checks import spot_check_explorer
from simulator import (
    OUTCOMES,
    caught_shares,
    correlated_chain,
    correlated_retry_success,
    inject_fault,
    outcome_shares,
    pass_at_k,
    schema_chain,
    simulate,
)
from simulator.builders import SCHEMA_CHAIN
from tests.helpers import ROOT

SHARE = re.compile(r"<?\d+(?:\.\d+)?%")


def text_of(widget_html: str) -> str:
    """What a learner reads in a readout or caption: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget_html))


def move(box, **values):
    for name, value in values.items():
        box.controls[name].value = value


# --- lesson 03: the silent chain ----------------------------------------------------------------

#: (faulty, catch_rate, baseline_catch_rate, completeness, retries): the reviewer's setting first
CHAIN_SETTINGS = [
    (1, 0.6, 0.0, False, 3),
    (1, 0.6, 0.0, False, 0),
    (2, 0.0, 0.0, False, 0),
    (2, 0.6, 0.5, True, 2),
    (3, 0.3, 0.0, False, 1),
    (1, 1.0, 0.0, False, 2),
    (1, 0.0, 0.0, True, 3),
    (4, 0.8, 0.0, False, 3),
]


def chain_result(faulty, catch_rate, baseline, completeness, retries, trials=5000, seed=21):
    """The run the explorer draws, built here from the simulator's own pieces."""
    scenario = inject_fault(schema_chain(), SCHEMA_CHAIN[faulty - 1], others=1.0).with_defenses(
        catch_rate=catch_rate,
        checkpoints=baseline > 0,
        baseline_catch_rate=baseline,
        completeness=completeness,
        retries=retries,
    )
    return simulate(scenario, trials=trials, seed=seed)


@pytest.fixture(scope="module")
def chain_box():
    return silent_chain_explorer()


@pytest.mark.parametrize(
    "setting", CHAIN_SETTINGS, ids=lambda s: "faulty{}-catch{}-base{}-compl{}-retries{}".format(*s)
)
def test_silent_chain_readout_agrees_with_both_figures_and_the_simulation(chain_box, setting):
    faulty, catch_rate, baseline, completeness, retries = setting
    move(
        chain_box,
        faulty=faulty,
        catch_rate=catch_rate,
        baseline_catch_rate=baseline,
        completeness=completeness,
        retries=retries,
    )
    result = chain_result(*setting)
    ends = outcome_shares(result)
    by_place = caught_shares(result)
    outcomes_fig, where_fig = chain_box.figures

    # the figures carry the simulation's numbers
    assert list(outcomes_fig.data[0].y) == pytest.approx([100 * s for s in ends])
    assert len(where_fig.data) == len(OUTCOMES)
    parts = {o: list(trace.y) for o, trace in zip(OUTCOMES, where_fig.data)}
    stacked = [sum(parts[o][i] for o in OUTCOMES) for i in range(len(by_place))]
    assert stacked == pytest.approx([100 * c for c in by_place]), "bar heights are not where_caught()'s"

    # ... and the two figures agree with each other: every silently wrong or stopped run sits in a bar
    right, silent, stopped = (100 * s for s in ends)
    wrong = sum(stacked)
    assert sum(parts["silent_failure"]) == pytest.approx(silent)
    assert sum(parts["detected_failure"]) == pytest.approx(stopped)
    assert sum(parts["correct"]) + (100 - wrong) == pytest.approx(right)
    assert parts["correct"][-1] == parts["detected_failure"][-1] == 0, "a never-caught payload is delivered"
    if retries == 0:
        assert sum(parts["correct"]) == 0 and sum(parts["silent_failure"][:-1]) == 0

    # the readout states the figures' numbers, and only those
    text = text_of(chain_box.readout.value)
    never = parts["silent_failure"][-1] / 100
    caught = {o: sum(parts[o][:-1]) / 100 for o in OUTCOMES}
    assert (
        f"Runs ended right {pct(ends[0])}, silently wrong {pct(ends[1])}, stopped with an error {pct(ends[2])}" in text
    )
    assert f"A wrong payload appeared in {pct(wrong / 100)} of {count(5000)} runs" in text
    stated = set(SHARE.findall(text))
    allowed = {pct(x) for x in (*ends, wrong / 100, never, sum(caught.values()), *caught.values())}
    assert stated <= allowed, f"the readout states {stated - allowed}, which no figure shows"
    if never > 0 and sum(caught.values()) > 0:
        assert f"In {pct(never)} of runs no check caught it" in text
    if caught["silent_failure"] > 0:
        # the runs the first version of this readout lost: caught once, delivered wrong after a retry
        assert f"{pct(caught['silent_failure'])} ended silently wrong" in text
    if caught["correct"] > 0:
        assert f"{pct(caught['correct'])} ended right after a retry" in text
    if caught["detected_failure"] > 0 and sum(caught.values()) > caught["detected_failure"]:
        assert f"{pct(caught['detected_failure'])} stopped with an error" in text


def test_the_reviewers_setting_no_longer_says_almost_everything_was_caught(chain_box):
    move(chain_box, faulty=1, catch_rate=0.6, baseline_catch_rate=0.0, completeness=False, retries=3)
    text = text_of(chain_box.readout.value)
    silent = chain_box.figures[0].data[0].y[1]
    never = chain_box.figures[1].data[1].y[-1]
    assert silent > never + 5, "the setting no longer shows the case: pick another"
    assert "ended silently wrong" in text and "retry" in text


def test_caught_and_ended_splits_the_where_caught_counts():
    result = chain_result(2, 0.5, 0.0, True, 2, trials=3000, seed=3)
    split = caught_and_ended(result)
    assert [sum(split[o][i] for o in OUTCOMES) for i in range(len(split["correct"]))] == pytest.approx(
        caught_shares(result)
    )


# --- lesson 02: captions that follow the sliders -------------------------------------------------


def captions(box) -> list[str]:
    return [text_of(c.value) for c in box.captions]


def test_compound_caption_says_each_agent_takes_the_same_share():
    box = reliability_explorer()
    for p in (0.80, 0.90, 0.999):
        box.controls["reliability"].value = p
        (caption,) = captions(box)
        assert "faster the longer" not in caption
        assert "same share" in caption and "drops most at the first agent" in caption
        curve = list(box.figure.data[0].y)
        drops = [a - b for a, b in zip([100.0, *curve], curve)]
        assert all(later < earlier for earlier, later in pairwise(drops)), f"p={p}: a later drop is not smaller"


def test_spot_check_caption_follows_runs_and_reliability():
    box = spot_check_explorer()
    (caption,) = captions(box)
    assert "with 10 runs" in caption and pct(0.9**10) in caption and "10%" in caption
    assert "weak evidence" in caption

    move(box, runs=100, reliability=0.70)
    (caption,) = captions(box)
    assert not re.search(r"\bten\b", caption) and "weak evidence" not in caption and "common" not in caption
    assert "with 100 runs" in caption and "30%" in caption and "<0.1%" in caption
    assert "(exact: <0.1%)" in text_of(box.readout.value), "a chance of 3e-16 reads as zero"

    move(box, runs=100, reliability=0.99)
    (caption,) = captions(box)
    assert pct(0.99**100) in caption and "weak evidence" not in caption


@pytest.mark.parametrize("p, rho", [(0.9, 0.0), (0.7, 0.0), (0.99, 0.0)])
def test_correlation_captions_without_a_shared_cause_claim_no_clumping(p, rho):
    box = correlation_explorer()
    move(box, reliability=p, rho=rho)
    first, second = captions(box)
    assert "clump" not in first + second and "tenfold" not in second
    assert "independent" in first and pct(1 - p, 0) in second
    shared, independent = box.figures[0].data[1].y, box.figures[0].data[0].y
    assert list(shared) == pytest.approx(list(independent)), "the caption says the curves coincide"


@pytest.mark.parametrize("p, rho", [(0.7, 0.5), (0.9, 0.5), (0.99, 0.05), (0.8, 1.0)])
def test_correlation_captions_with_a_shared_cause_use_the_current_numbers(p, rho):
    box = correlation_explorer()
    move(box, reliability=p, rho=rho)
    first, second = captions(box)
    assert "tenfold" not in second
    assert f"shared cause of {rho:.2f}" in first and "clump" in first
    again = (1 - correlated_retry_success(p, 1, rho)) / (1 - p)
    assert f"fails {pct(again)} of the time, not {pct(1 - p)}" in second
    assert again > 1 - p
    for k in range(2, 9):
        assert correlated_chain(p, k, rho) > p**k, "all k runs right more often than p^k"
        assert 1 - correlated_retry_success(p, k - 1, rho) > 1 - pass_at_k(p, k)


def test_tiny_shares_read_as_below_the_smallest_step_not_as_zero():
    assert small_pct(1e-5, 2) == "<0.01%"
    assert small_pct(1e-8, 2) == "<0.01%"
    assert small_pct(0.0, 2) == "0.00%"
    assert small_pct(0.0001, 2) == "0.01%"
    assert small_pct(0.4437) == "44.4%"

    box = correlation_explorer()
    move(box, reliability=0.99, rho=0.5)
    readout = text_of(box.readout.value)
    assert "against <0.01% if tries were independent" in readout and "0.00%" not in readout

    table = correlation_table(reliability=0.9, rho=0.5, ks=(1, 2, 3, 5, 8), trials=2000, seed=0)
    rows = correlation_text(table).splitlines()[2:]
    for row, line in zip(table.itertuples(), rows):
        cells = line.split()[4:]
        values = (1 - row.independent_pass_at_k, 1 - row.shared_pass_at_k, 1 - row.simulated_pass_at_k)
        for cell, value in zip(cells, values):
            assert cell != "0.00%" or value == 0, f"k={row.k}: {value} shown as 0.00%"
    assert rows[3].split()[4] == "<0.01%"


# --- the lesson text around them ---------------------------------------------------------------


def cells(name: str):
    return nbformat.read(ROOT / "notebooks" / name, as_version=4).cells


def test_lesson_03_names_the_function_its_where_caught_cell_uses():
    lesson = cells("03_partial_failures.ipynb")
    for before, cell in pairwise(lesson):
        if cell.cell_type == "code" and "where_caught_table(" in cell.source and "print" in cell.source:
            assert "where_caught_table" in before.source
            break
    else:
        pytest.fail("no cell prints where_caught_table")


def test_lesson_02_shows_pass_k_as_percentages_and_hedges_the_slo_claim():
    lesson = cells("02_compound_reliability.ipynb")
    text = "\n".join(c.source for c in lesson if c.cell_type == "markdown")
    assert "will not meet any service-level objective" not in text
    assert "often" in text and "first attempts only" in text
    outputs = "".join(o.get("text", "") for c in lesson if c.cell_type == "code" for o in c.get("outputs", []))
    assert "pass^5 estimate C(c,5)/C(50,5): 64.7%" in outputs
    assert not re.search(r"\b0\.\d{3}\b", outputs.split("shadow log")[1]), "pass^5 printed as a fraction"

"""Lesson 01: what the mesh and latency views say must be true of the run on screen.

The mesh explorer's backlog caption is checked at every state its sliders can reach, against the
run the explorer draws at that state: the missed count, the peak queue and its longest stretch.
"""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from explorers.format import seconds
from explorers.patterns import (
    backlog_note,
    explorer_scenario,
    mesh_explorer,
    pattern_explorer,
    pattern_latency_figure,
)
from explorers.timeline import topology
from simulator import Latency, Mesh, pattern_latency, simulate
from tests.helpers import ROOT

EVENTS, TTL, SEED = 150, 10.0, 3  # the mesh explorer's defaults
RATES = [r / 10 for r in range(2, 41)]  # the arrival-rate slider: 0.2 to 4.0 in steps of 0.1
LATENCIES = [s / 2 for s in range(1, 13)]  # the call-time slider: 0.5 to 6.0 in steps of 0.5
LESSON = ROOT / "notebooks" / "01_coordination_patterns.ipynb"


def text(widget_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", widget_html))


def check_caption(note: str, agents: int, arriving: float, latency: float, run) -> list[str]:
    """Each claim the caption makes, compared with the run; returns what is false."""
    load = arriving / (agents / latency)
    stats = run.mesh_stats  # the queue measure itself is held to theory in tests/test_mesh.py
    missed, peak, longest = int(stats["missed_events"]), int(stats["peak_backlog"]), stats["longest_backlog"]
    wrong = []

    def claim(ok: bool, what: str):
        if not ok:
            wrong.append(f"{what} (load {load:.2f}, missed {missed}, peak {peak}): {note}")

    above, at, below = "faster than the team" in note, "about as fast as" in note, "more than the" in note
    claim(above + at + below == 1, "says exactly one of above, at or below capacity")
    claim(not above or load > 1.05, "'faster than the team' only past capacity")
    claim(not at or abs(load - 1) <= 0.05 + 1e-9, "'about as fast' only within 5% of capacity")
    claim(not below or load < 0.95, "'more than the ... arriving' only below capacity")
    claim(
        "drains between bursts" not in note or longest < run.mesh_stats["horizon"] / 4,
        "'drains between bursts' only if no queue lasts a quarter of the run",
    )
    held = re.findall(r"held events for ([\d.,]+ s) without a break", note)
    claim(held in ([], [seconds(longest)]), "the stretch shown is the run's longest")
    claim("keeps growing" not in note or missed > 0, "'keeps growing ... expired' only when events expired")
    claim("no event had to wait" not in note or bool((run.trials["wait"] == 0).all()), "'no event had to wait'")
    claim("Push the arrival rate past capacity" not in note or agents / latency < 4.0, "a reachable hint")
    shown_peaks = [int(n) for n in re.findall(r"peak (\d+) events? waiting", note)]
    claim(shown_peaks in ([peak], []) and (shown_peaks or peak == 0), "the peak shown is the run's")
    said_none = any(p in note for p in ("No event expired", "no event waited", "none waited", "no event had"))
    counts = [int(n) for n in re.findall(r"(\d+) (?:of \d+ )?waited over", note)]
    if missed:
        claim(counts == [missed] and not said_none, "the missed count shown is the run's")
    else:
        claim(said_none and not counts, "says that no event expired")
    return wrong


def mesh_run(agents: int, arriving: float, latency: float, events: int = EVENTS):
    return simulate(
        pattern="mesh",
        agents=agents,
        reliability=0.95,
        trials=events,
        seed=SEED,
        latency=Latency("exponential", latency),
        mesh=Mesh(arrival_rate=arriving, ttl=TTL),
    )


# --- 1. the backlog caption at every slider state ------------------------------------------------


def caption_errors(agents: int, rates: list[float], latencies: list[float]) -> list[str]:
    wrong, longer = [], []
    for arriving in rates:
        for latency in latencies:
            run = mesh_run(agents, arriving, latency)
            note = backlog_note(arriving, agents / latency, TTL, EVENTS, run.mesh_stats)
            wrong += check_caption(note, agents, arriving, latency, run)
            if "Kept up for longer" in note:
                longer.append((arriving, latency))
    for arriving, latency in longer:  # the caption promises expiries in a longer run at this load
        if not mesh_run(agents, arriving, latency, events=1000).mesh_stats["missed_events"]:
            wrong.append(f"{agents} agents, {arriving}/s, {latency} s: a longer run loses no event either")
    return wrong


@pytest.mark.slow
@pytest.mark.parametrize("agents", range(1, 7))
def test_backlog_caption_is_true_at_every_slider_state(agents):
    wrong = caption_errors(agents, RATES, LATENCIES)
    assert not wrong, "\n".join(wrong[:10])


@pytest.mark.parametrize("agents", range(1, 7))
def test_backlog_caption_is_true_around_capacity(agents):
    """The quick suite's share of the sweep: every call time, at the rates within 20% of capacity."""
    wrong = []
    for latency in LATENCIES:
        near = [r for r in RATES if abs(r / (agents / latency) - 1) <= 0.2]
        wrong += caption_errors(agents, near, [latency])
    assert not wrong, "\n".join(wrong[:10])


def test_at_capacity_the_caption_does_not_say_the_queue_drains():
    """The reported case: 2 agents at 2 s per call (1.0/s) against 1.0/s arriving."""
    box = mesh_explorer()
    box.controls["agents"].value = 2
    box.controls["arrival_rate"].value = 1.0
    note = text(box.captions[1].value)
    assert "about as fast as" in note and "drains" not in note and "more than" not in note, note
    assert "12 of 150 waited over 10 s" in note, note
    assert box.figures[1].data[1].y[-1] == 12, "the figure shows the same 12 missed events"


@pytest.mark.parametrize("state", [(3, 1.2, 2.0), (2, 1.0, 2.0), (3, 3.0, 2.0), (6, 4.0, 0.5), (6, 3.9, 2.0)])
def test_the_explorer_shows_the_caption_of_its_own_run(state):
    agents, arriving, latency = state
    box = mesh_explorer()
    for name, value in zip(("agents", "arrival_rate", "latency"), state):
        box.controls[name].value = value
    run = mesh_run(agents, arriving, latency)
    assert not check_caption(text(box.captions[1].value), agents, arriving, latency, run)


# --- 3. units and honest rates -----------------------------------------------------------------


def test_latency_hover_text_says_1_agent_not_1_agents():
    fig = pattern_latency_figure(pattern_latency(agents=(1, 2), trials=50))
    hover = [line for trace in fig.data for line in trace.hovertext]
    assert hover and not any(re.search(r"\b1 (agents|workers|specialists)\b", line) for line in hover), hover
    assert any(line.startswith("1 specialist:") for line in hover) and any(
        line.startswith("2 agents:") for line in hover
    )
    assert all("%{x}" not in (trace.hovertemplate or "") for trace in fig.data)


def test_latency_title_keeps_mean_call_2_s_on_one_line():
    fig = pattern_latency_figure(pattern_latency(agents=(1, 2), trials=50))
    assert "mean call 2 s" in fig.layout.title.text, fig.layout.title.text


def readout_numbers(readout: str) -> dict:
    found = re.search(
        r"mean rate of ([\d.]+)/s \(([\d.]+)/s in this run\)\. Handled (\d+) of (\d+) events \(([\d.]+)/s .*?"
        r"(\d+) missed",
        readout,
    )
    assert found, readout
    mean, seen, handled, events, handled_rate, missed = found.groups()
    return dict(
        mean=float(mean),
        seen=float(seen),
        handled=int(handled),
        events=int(events),
        handled_rate=float(handled_rate),
        missed=int(missed),
    )


@pytest.mark.parametrize("state", [(3, 1.2, 2.0), (6, 4.0, 0.5), (3, 0.5, 2.0), (1, 3.0, 2.0), (2, 1.0, 2.0)])
def test_mesh_readout_gives_rates_with_units_and_never_handles_more_than_arrived(state):
    box = mesh_explorer()
    for name, value in zip(("agents", "arrival_rate", "latency"), state):
        box.controls[name].value = value
    readout = text(box.readout.value)
    assert not re.search(r"\d arriving", readout), "a rate without its unit"
    n = readout_numbers(readout)
    assert n["mean"] == state[1]
    assert n["handled"] + n["missed"] == n["events"] == EVENTS
    assert n["handled_rate"] <= n["seen"], "handled faster than events arrived in this run"
    assert n["missed"] == box.figures[1].data[1].y[-1]
    waiting_line = box.figures[1].data[0].y
    peak = int(re.search(r"\(peak (\d+)\)", readout).group(1))
    assert peak == max(waiting_line), "the readout's peak is the backlog figure's"


def test_pattern_explorers_mesh_readout_counts_what_arrived():
    box = pattern_explorer()
    box.controls["pattern"].value = "mesh"
    readout = text(box.readout.value)
    assert "mean rate of 1 a second" in readout and "/s in these 200" in readout, readout
    handled, total, missed = re.search(r"handled (\d+) of (\d+),.*?(\d+) missed", readout).groups()
    assert int(handled) + int(missed) == int(total) == 200


def lesson_cells() -> list:
    return nbformat.read(LESSON, as_version=4).cells


def test_mesh_table_labels_its_units_and_says_the_rate_is_a_mean():
    cell = next(c for c in lesson_cells() if c.cell_type == "code" and "mesh_load(" in c.source)
    assert "mean waiting" not in cell.source and "peak waiting" not in cell.source
    header = cell.outputs[0]["text"].splitlines()[:2]
    assert "events waiting" in header[0] and "mean" in header[1] and "peak" in header[1], header
    assert "(/s, mean)" in header[1], "the arrival rate set is a mean, not what arrived"
    before = next(c.source for c in lesson_cells() if "counts as missed" in c.source)
    assert "is a mean" in before and "slightly above the rate set" in before


# --- 2 and 4. the lesson's prompts and captions -----------------------------------------------


def test_try_it_asks_about_the_median_not_the_single_run():
    try_it = next(c.source for c in lesson_cells() if c.source.startswith("## 6. Try it yourself"))
    item = next(line for line in try_it.split("\n3. ")[1:])
    assert "median" in item and "one run" in item, item


def test_the_sequential_topology_caption_names_no_task_node():
    names = {n["name"] for n in topology(explorer_scenario("sequential", 4, 2.0, 0.5))[0]}
    assert "task" not in names
    cells = lesson_cells()
    at = next(i for i, c in enumerate(cells) if c.source.strip() == "topology_figure(chain.scenario)")
    assert "task" not in cells[at + 1].source.split("\n\n")[0]

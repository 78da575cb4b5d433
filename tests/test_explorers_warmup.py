"""Idle-time warm-up: the settings one move away are worked out while the learner looks, and only then."""

from __future__ import annotations

import asyncio
import importlib
import time

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest

from explorers import warmup
from explorers.live import Explorer
from explorers.warmup import MOST_SETTINGS, next_settings, steps_from

# --- which settings, in which order ------------------------------------------------------------


def test_a_slider_offers_one_step_on_then_one_back_then_two_on_and_stops_at_its_ends():
    agents = widgets.IntSlider(value=3, min=1, max=8, step=1)
    assert steps_from(agents, 3, +1) == [4, 2, 5]
    assert steps_from(agents, 3, -1) == [2, 4, 1]
    assert steps_from(agents, 8, +1) == [7]  # past the end there is nothing to warm
    assert steps_from(agents, 2, -1) == [1, 3]


def test_a_float_slider_offers_values_without_float_noise():
    share = widgets.FloatSlider(value=0.1, min=0.05, max=1.0, step=0.05)
    assert steps_from(share, 0.1, +1) == [0.15, 0.05, 0.2]  # 0.1 + 0.05 is 0.15000000000000002 unrounded
    assert steps_from(share, 0.1, -1) == [0.05, 0.15]


def test_a_dropdown_offers_its_neighbours_first_then_every_other_option_and_a_checkbox_its_other_state():
    pattern = widgets.Dropdown(
        options=[("chain", "sequential"), ("fan-out", "fanout"), ("mesh", "mesh"), ("hybrid", "hybrid")]
    )
    assert steps_from(pattern, "fanout", +1) == ["mesh", "sequential", "hybrid"]
    assert steps_from(pattern, "fanout", -1) == ["sequential", "mesh", "hybrid"]
    assert steps_from(pattern, "not an option", 0) == []
    level = widgets.SelectionSlider(options=["low", "mid", "high"], value="mid")
    assert steps_from(level, "mid", +1) == ["high", "low"]
    assert steps_from(widgets.Checkbox(value=False), False, 0) == [True]
    assert steps_from(widgets.Text(value="x"), "x", 0) == []


def test_the_control_just_moved_comes_first_in_the_direction_it_moved():
    controls = {
        "agents": widgets.IntSlider(value=3, min=1, max=8),
        "rate": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1),
        "gate": widgets.Checkbox(value=False),
    }
    now = {"agents": 3, "rate": 0.5, "gate": False}
    settings = next_settings(controls, now, {**now, "rate": 0.6})  # rate just moved down
    assert [s["rate"] for s in settings[:3]] == [0.4, 0.6, 0.3]
    assert all(s["agents"] == 3 and s["gate"] is False for s in settings[:3])
    others = settings[3:]  # then every other control one step either way, the moved one as it is
    assert {(s["agents"], s["gate"]) for s in others} == {(4, False), (2, False), (3, True)}
    assert all(s["rate"] == 0.5 for s in others)
    assert now not in settings


# --- when, and what it touches ------------------------------------------------------------------


def small_explorer(warm):
    """Two sliders over one figure whose update records every call it gets."""
    controls = {"a": widgets.IntSlider(value=2, min=0, max=9), "b": widgets.IntSlider(value=5, min=0, max=9)}
    figure = go.FigureWidget(data=[go.Bar(x=[0], y=[0])])
    updates = []

    def update(v):
        updates.append(dict(v))
        figure.data[0].y = [v["a"] * 10 + v["b"]]
        return f"a={v['a']}"

    return Explorer(controls, [figure], ["a bar."], update, warm=warm), updates


@pytest.fixture
def quick(monkeypatch):
    """Warm-up timings short enough for a test (the order and the rules stay the kit's)."""
    monkeypatch.setattr(warmup, "START_AFTER_S", 0.001)
    monkeypatch.setattr(warmup, "GAP_S", 0.001)


def test_after_a_move_the_next_settings_are_worked_out_in_order_and_nothing_is_drawn(quick):
    asked = []

    async def scenario():
        box, updates = small_explorer(lambda v: asked.append(dict(v)))
        drawn = box.figure.to_plotly_json()
        box.controls["a"].value = 3
        drawn = box.figure.to_plotly_json()
        updates.clear()
        await asyncio.sleep(0.3)
        assert updates == [], "warming must not call the update (nothing is drawn)"
        assert box.figure.to_plotly_json() == drawn
        assert box.readout.value == "a=3"
        return box

    box = asyncio.run(scenario())
    expected = next_settings(box.controls, {"a": 3, "b": 5}, {"a": 2, "b": 5})[:MOST_SETTINGS]
    assert asked == expected == box.warmer.warmed
    assert asked[0] == {"a": 4, "b": 5}  # the moved slider, one more step the way it went


def test_a_new_move_drops_the_warm_up_of_the_state_the_learner_left(quick):
    asked = []

    def slow_warm(v):
        asked.append(dict(v))
        time.sleep(0.02)

    async def scenario():
        box, _ = small_explorer(slow_warm)
        box.controls["a"].value = 3
        while not asked:
            await asyncio.sleep(0.001)
        box.controls["b"].value = 6  # the learner moves on while the first warm-up is under way
        cut = len(asked)
        await asyncio.sleep(0.5)
        return cut

    cut = asyncio.run(scenario())
    assert cut < MOST_SETTINGS
    controls = {"a": widgets.IntSlider(value=3, min=0, max=9), "b": widgets.IntSlider(value=6, min=0, max=9)}
    around_the_new_state = next_settings(controls, {"a": 3, "b": 6}, {"a": 3, "b": 5})[:MOST_SETTINGS]
    assert asked[cut:] == around_the_new_state, "the rest of the first warm-up went on after the second move"
    assert asked[cut] == {"a": 3, "b": 7}


def test_warm_up_stops_at_its_time_budget_and_a_failing_setting_ends_it_quietly(quick, monkeypatch):
    monkeypatch.setattr(warmup, "BUDGET_S", 0.05)
    asked = []

    async def run(warm):
        box, _ = small_explorer(warm)
        box.controls["a"].value = 3
        await asyncio.sleep(0.4)
        return box

    asyncio.run(run(lambda v: asked.append(v) or time.sleep(0.03)))
    assert 1 <= len(asked) <= 3  # about 0.05 s of 0.03 s settings, where eight would fit otherwise

    def broken(v):
        raise ValueError("a setting this model cannot run")

    box = asyncio.run(run(broken))
    assert box.warmer.warmed == []
    box.controls["b"].value = 1  # the explorer itself goes on
    assert box.readout.value == "a=3"


def test_outside_a_running_event_loop_nothing_is_warmed():
    asked = []
    box, updates = small_explorer(lambda v: asked.append(v))
    box.controls["a"].value = 7
    assert updates[-1] == {"a": 7, "b": 5}
    assert asked == [] and box.warmer.warmed == []


# --- every explorer's warm function fills what its update reads --------------------------------

#: (module, factory, the simulator call its explorer makes for a new setting)
SIMULATING_EXPLORERS = [
    ("explorers.reliability", "reliability_explorer", "simulate"),
    ("explorers.spot_checks", "spot_check_explorer", "simulate"),
    ("explorers.correlation", "correlation_explorer", "simulate"),
    ("explorers.partial_failure", "silent_chain_explorer", "simulate"),
    ("explorers.patterns", "mesh_explorer", "simulate"),
    ("explorers.patterns", "pattern_explorer", "simulate"),
    ("explorers.contention", "contention_explorer", "compare_strategies"),
    ("explorers.orchestration_value", "orchestration_value_explorer", "simulate"),
    ("explorers.orchestration_value", "monitoring_explorer", "simulate"),
    ("explorers.incident", "incident_explorer", "simulate"),
]


@pytest.mark.parametrize("module, factory, runner", SIMULATING_EXPLORERS)
def test_a_move_to_a_warmed_setting_simulates_nothing(module, factory, runner, monkeypatch):
    """For every control: warm the next setting, move there, and the update finds all it needs kept."""
    views = importlib.import_module(module)
    runs = []
    run = getattr(views, runner)
    monkeypatch.setattr(views, runner, lambda *args, **kwargs: runs.append(1) or run(*args, **kwargs))
    box = getattr(views, factory)()
    assert box.warmer is not None, f"{factory} has no warm function"
    for name, control in box.controls.items():
        ahead = steps_from(control, control.value, +1)
        if not ahead:
            continue
        box.warmer.warm({**box.values, name: ahead[0]})
        runs.clear()
        control.value = ahead[0]
        assert not runs, f"{factory}: moving {name} to a warmed {ahead[0]!r} still simulated"


def test_the_lab_explorers_warm_function_runs_the_batch_a_move_then_reads(monkeypatch):
    import incident_lab
    from explorers.incident_lab import defense_explorer, lesson_warehouse

    box = defense_explorer(lesson_warehouse(seed=0), runs=4, seed=0)
    batches = []
    run = incident_lab.shadow_run
    monkeypatch.setattr(incident_lab, "shadow_run", lambda *a, **k: batches.append(1) or run(*a, **k))
    box.controls["agent"].value = "lineage"
    assert batches, "a new broken agent runs its batch"
    box.warmer.warm({**box.values, "reliability": 0.55})
    batches.clear()
    box.controls["reliability"].value = 0.55
    assert not batches, "the move to the warmed setting ran its real SQL again"

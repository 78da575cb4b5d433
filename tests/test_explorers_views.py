"""Defects a learner saw, each kept fixed: what the views show must be true of the state on screen."""

from __future__ import annotations

import importlib
import re

import ipywidgets as widgets
import nbformat
import pandas as pd
import plotly.graph_objects as go
import pytest

import explorers
from explorers import controls
from explorers import format as fmt
from explorers.incident import incident_explorer
from explorers.patterns import mesh_explorer, pattern_explorer
from explorers.reliability import reliability_explorer
from explorers.selfcheck import SELFCHECK_DIR, SelfCheck, load_self_checks, self_check
from explorers.style import figure_widget, wrap_title
from simulator import Latency, Mesh, backlog_curve, compare_strategies, simulate, throughput_share
from tests.helpers import ROOT, another_value, assert_each_move_redraws_each_figure_once

# --- lesson 01: the queue never goes below zero ------------------------------------------------


def test_an_event_that_waits_zero_seconds_never_takes_the_queue_below_zero():
    # a quiet mesh: most events are picked up the moment they arrive (wait exactly 0)
    run = simulate(
        pattern="mesh", agents=4, reliability=0.95, trials=300, seed=1,
        latency=Latency("exponential", 0.5), mesh=Mesh(arrival_rate=0.5, ttl=10.0),
    )  # fmt: skip
    assert (run.trials["wait"] == 0).sum() > 50, "the case needs events that wait zero seconds"
    _, waiting, _, _ = backlog_curve(run)
    assert min(waiting) == 0


@pytest.mark.parametrize("rate", [0.3, 1.2, 3.5])
def test_the_explorers_backlog_line_never_dips_below_zero(rate):
    box = mesh_explorer()
    box.controls["arrival_rate"].value = rate
    assert min(box.figures[1].data[0].y) >= 0


# --- captions true of what is on screen ---------------------------------------------------------


def caption_text(box, i: int) -> str:
    return re.sub(r"<[^>]+>", "", box.captions[i].value)


def test_backlog_caption_matches_whether_the_mesh_keeps_up():
    box = mesh_explorer()  # defaults: 3 agents at 2 s per call (1.5/s) against 1.2 arriving
    calm = caption_text(box, 1)
    assert "keeps growing" not in calm and "drains" in calm
    box.controls["arrival_rate"].value = 3.0
    busy = caption_text(box, 1)
    assert "keeps growing" in busy and "expire" in busy
    assert box.figures[1].data[1].y[-1] > 0, "overloaded, events do expire"


@pytest.mark.parametrize("pattern", ["sequential", "fanout", "hierarchical", "mesh", "hybrid"])
def test_pattern_captions_follow_the_pattern_on_screen(pattern):
    box = pattern_explorer()
    box.controls["pattern"].value = pattern if pattern != "sequential" else "sequential"
    if pattern == "sequential":
        box.controls["pattern"].value = "fanout"
        box.controls["pattern"].value = "sequential"
    timeline, topology = caption_text(box, 0), caption_text(box, 1)
    if pattern == "mesh":
        assert "chain" not in timeline and "fan-out" not in timeline
        assert "subscriber" in timeline and "no arrows" in topology
    else:
        assert "subscriber" not in timeline


def test_incident_stop_panel_adds_up_to_the_outcomes_above_it():
    box = incident_explorer(trials=4000)
    box.controls["retries"].value = 2
    box.controls["catch_rate"].value = 0.6
    fig = box.figure
    your = [trace.x[1] for trace in fig.data[:3]]  # correct, silent, detected (% of runs)
    stops = list(fig.data[3].x)
    labels = list(fig.data[3].y)
    stopped_with_error = sum(stops[: labels.index("caught, then retried right")])
    assert stopped_with_error == pytest.approx(your[2], abs=0.05), "blue bars = runs that ended with an error"
    assert stops[-1] == pytest.approx(your[1], abs=0.05), "the last bar = runs delivered wrong"
    assert stops[labels.index("caught, then retried right")] > 0, "retries rescue some caught runs"


def test_the_demo_does_not_open_on_the_answer_its_cue_asks_for():
    cells = [c.source for c in nbformat.read(ROOT / "notebooks" / "demo.ipynb", as_version=4).cells]
    call = next(s for s in cells if s.startswith("reliability_explorer("))
    box = eval(call, {"reliability_explorer": reliability_explorer})  # the demo cell as written
    assert "44" not in box.readout.value.split("ends right")[1][:12]
    box.controls["reliability"].value = 0.85
    assert "44.4%" in box.readout.value, "sliding to 85% then shows the answer"


# --- one way to show each kind of number ---------------------------------------------------------


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda: fmt.pct(0.8999999999999999), "90.0%"),
        (lambda: fmt.pct(float("nan")), fmt.MISSING),
        (lambda: fmt.rate(3.2208), "3.22/s"),
        (lambda: fmt.seconds(12.3456), "12.3 s"),
        (lambda: fmt.count(3000.0), "3,000"),
        (lambda: fmt.plural(1, "subscriber"), "1 subscriber"),
        (lambda: fmt.plural(3, "subscriber"), "3 subscribers"),
        (lambda: fmt.plural(0, "event"), "0 events"),
        (lambda: fmt.spoken(0.8999999999999999), "0.9"),
        (lambda: fmt.spoken(0.1 + 0.2), "0.3"),
        (lambda: fmt.spoken(-0.0001), "0"),
    ],
)
def test_formatters(call, expected):
    assert call() == expected


def test_tidy_tables_have_no_nan_no_long_decimals_and_whole_counts():
    table = pd.DataFrame(
        {
            "success_rate": [0.4437, float("nan")],
            "mean_latency": [12.345678, 3.0],
            "lost_updates": [3000.0, 12.0],
            "degradation": [None, "missing_field"],
            "sim_time": [1.230165, 4.871852],
        }
    )
    shown = fmt.tidy(table).to_string()
    assert "NaN" not in shown and "None" not in shown
    assert "3,000" in shown and "3000.0" not in shown
    assert "44.4%" in shown and "12.3 s" in shown and "1.2 s" in shown
    assert not re.search(r"\d\.\d{4,}", shown), shown


def test_tidy_reads_pandas_nullable_gaps_as_missing():
    """DuckDB's .df() gives nullable integers and times: a gap there is pd.NA or NaT, not NaN."""
    table = pd.DataFrame(
        {
            "row_count": pd.array([1200, None], dtype="Int64"),
            "event_time": [pd.Timestamp("2026-11-21 21:10"), pd.NaT],
            "note": pd.array(["dropped", None], dtype="string"),
        }
    )
    shown = fmt.tidy(table)
    assert shown["row_count"].tolist() == ["1,200", fmt.MISSING]
    assert shown["note"].tolist() == ["dropped", fmt.MISSING] and shown["event_time"].iloc[1] == fmt.MISSING


def test_show_keeps_long_text_whole():
    long = "x " * 80
    html = fmt.show(pd.DataFrame({"meaning": [long]})).data
    assert long.strip() in html


def test_lesson_tables_go_through_show():
    for name in (
        "03_partial_failures",
        "04_state_synchronization",
        "05_when_orchestration_helps",
        "06_orders_daily_incident",
    ):
        source = "\n".join(c.source for c in nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells)
        assert "show(" in source and ".round(3)" not in source and "max_colwidth" not in source, name


def test_reliability_reads_as_a_percentage_on_every_control():
    for make in (incident_explorer,):
        box = make()
        for control in box.sliders.values():
            label = control.description
            if "reliab" in label or "share" in label or "rate" in label:
                assert control.readout_format.endswith("%"), label


# --- width: controls and figures follow the notebook ----------------------------------------------


def test_controls_have_no_fixed_pixel_width():
    for widget in (controls.slider("int", "n", 1, 0, 5, 1), controls.checkbox("c"), controls.dropdown("d", [1, 2], 1)):
        assert "%" in widget.layout.width and widget.layout.max_width
        assert widget.style.description_width == "initial"


def test_figures_autosize_and_long_titles_wrap():
    fig = figure_widget("a title " * 20, "x (unit)", "y (unit)")
    assert fig.layout.autosize and fig.layout.width is None
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= 70 for line in lines)
    assert fig.layout.margin.t >= 36 + 24 * len(lines)


@pytest.mark.parametrize(
    "title",
    [
        "Real investigations: impact at P = 0.45<br><sup>24 investigations per bar over the warehouse's incidents, seed 0</sup>",
        "How often a chain of agents that are each right most of the time ends right, at 5",
        "short title",
    ],
)
def test_a_wrapped_title_leaves_no_short_word_alone_on_its_last_line(title):
    wrapped = wrap_title(title)
    for part in wrapped.split("<br>"):
        text = re.sub(r"</?sup>", "", part)
        assert len(text) >= 8 or wrapped == title, f"{text!r} is left alone on a line of {wrapped!r}"
    assert re.sub(r"<br>|<sup>|</sup>", " ", wrapped).split() == re.sub(r"<br>|<sup>|</sup>", " ", title).split()


def test_every_live_figure_is_responsive_and_its_own_module_follows_the_width():
    """Plotly's widget resizes only through plotly.js's ``responsive`` handler, which the figures'
    own front-end module calls when the width changes; a figure drawn without that module keeps its
    first width (the browser geometry test shows the effect, this pins the wiring for a figure alone,
    in an explorer and captioned, carrier or not)."""
    from explorers.panels import captioned
    from explorers.shared_frontend import SharedFrontEndFigure
    from explorers.width import FOLLOW_WIDTH_JS

    alone = figure_widget("t", "x (u)", "y (u)")
    boxes = {"explorer": reliability_explorer(), "captioned": captioned(figure_widget("t", "x (u)", "y (u)"), "n")}
    figures = {"alone": [alone]} | {
        name: [child for child in box.children if isinstance(child, go.FigureWidget)] for name, box in boxes.items()
    }
    for name, found in figures.items():
        assert found, name
        for fig in found:
            assert isinstance(fig, SharedFrontEndFigure) and fig._config.get("responsive") is True, name
            module = str(fig._esm)
            assert FOLLOW_WIDTH_JS in module and "\nfollowWidth();" in module, name
    for name, box in boxes.items():  # no hidden helper widgets: every child is something the learner sees
        assert all(getattr(child.layout, "display", None) != "none" for child in box.children), name


def test_one_living_figure_per_kernel_carries_plotlys_front_end(monkeypatch):
    """Every other figure only waits for the carrier's import, so plotly's 5 MB travels once; a
    closed carrier hands the job to the next new figure, so a reloaded page still gets it."""
    from explorers import shared_frontend

    monkeypatch.setattr(shared_frontend, "_carrier", None)  # a fresh kernel
    first, second = figure_widget("a", "x (u)", "y (u)"), figure_widget("b", "x (u)", "y (u)")
    assert isinstance(first, shared_frontend.CarrierFigure) and len(first._esm) > 1_000_000
    assert not isinstance(second, shared_frontend.CarrierFigure) and len(second._esm) < 10_000
    assert isinstance(figure_widget("c", "x (u)", "y (u)"), shared_frontend.SharedFrontEndFigure)
    first.close()
    assert isinstance(figure_widget("d", "x (u)", "y (u)"), shared_frontend.CarrierFigure)


def test_plotlys_view_still_has_the_reports_the_kit_silences():
    """explorers.shared_frontend replaces two methods of plotly's exported FigureView; if an upgrade
    renames them, the kernel would hear every draw again, and this fails first."""
    import plotly.graph_objects as go

    bundle = str(go.FigureWidget._esm)
    assert re.search(r"export\{[^}]*\bas FigureView\b", bundle)
    assert "_sendTraceDeltas(" in bundle and "_sendLayoutDelta(" in bundle


def test_wrap_title_keeps_the_subtitle_and_every_word():
    text = "orders_daily incident: lineage at 80% reliability, 90% of its failures silent<br><sup>10,000 simulated runs per bar, seed 0</sup>"
    wrapped = wrap_title(text, 40)
    assert re.sub(r"<br>|<sup>|</sup>", " ", wrapped).split() == re.sub(r"<br>|<sup>|</sup>", " ", text).split()
    assert wrapped.count("<sup>") == wrapped.count("</sup>")


# --- self-checks: out of sight, a second try ----------------------------------------------------


def test_every_lesson_has_its_questions_beside_it():
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        questions = load_self_checks(path.stem)
        assert questions and all(q.answer in q.options for q in questions)


def test_a_wrong_first_try_gets_a_second_try_before_the_explanation():
    q = load_self_checks("02_compound_reliability")[0]
    wrong = next(o for o in q.options if o != q.answer)
    right1, first = q.grade(wrong, attempt=1)
    assert not right1 and q.explanation not in first and q.answer not in first
    right2, second = q.grade(wrong, attempt=2)
    assert not right2 and q.explanation in second
    assert q.grade(q.answer, attempt=1)[1].endswith(q.explanation)


def test_the_widget_counts_tries():
    box = self_check(SelfCheck("q?", ("a", "b"), "a", "because a"))
    block = box.children[0]
    block.choice.value = "b"
    block.check(None)
    assert "because a" not in block.feedback.value and "try once more" in block.feedback.value
    block.check(None)
    assert "because a" in block.feedback.value


def test_code_in_a_question_reads_as_code_not_as_backticks():
    """Lesson 04's question named `last_good_load` with its backticks showing."""
    box = self_check(
        SelfCheck("Who writes `last_good_load` <now>?", ("the `job`", "an agent"), "the `job`", "the `job` does")
    )
    block = box.children[0]
    question = block.children[0].value
    assert "<code>last_good_load</code>" in question and "`" not in question and "&lt;now&gt;" in question
    assert [label for label, _ in block.choice.options] == ["the job", "an agent"]
    block.choice.index = 0
    block.check(None)
    assert block.choice.value == "the `job`" and "<code>job</code> does" in block.feedback.value


def test_unknown_or_broken_question_files_give_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no self-check questions named"):
        load_self_checks("99_nope")
    (tmp_path / "bad.yaml").write_text("questions:\n- question: q\n  options: [a]\n")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        load_self_checks("bad", tmp_path)
    assert SELFCHECK_DIR.is_dir()


# --- lesson 04: throughput against contention ------------------------------------------------------


def test_raw_throughput_rises_with_contention_but_the_share_shows_the_cost():
    low = throughput_share(compare_strategies(contention=0.05, seed=0)).set_index("strategy")
    high = throughput_share(compare_strategies(contention=1.0, seed=0)).set_index("strategy")
    assert high.loc["event_sourcing", "throughput"] > 5 * low.loc["event_sourcing", "throughput"]
    # conflict-free strategies keep all of it; the ones that lose or redo work fall
    for strategy in ("event_sourcing", "agent_scoped"):
        assert low.loc[strategy, "throughput_share"] == high.loc[strategy, "throughput_share"] == pytest.approx(1.0)
    for strategy in ("blind_overwrite", "optimistic_locking"):
        assert high.loc[strategy, "throughput_share"] < low.loc[strategy, "throughput_share"] - 0.2, strategy


LIVE_EXPLORERS = [name for name in explorers.__all__ if name.endswith("_explorer")]


@pytest.mark.parametrize("name", LIVE_EXPLORERS)
def test_a_move_redraws_each_figure_once_with_its_title_already_wrapped(name, monkeypatch):
    """Every plotly message makes the browser redraw the figure; a title set after the data (to wrap
    it) used to send a second one on every move of four explorers."""
    assert_each_move_redraws_each_figure_once(getattr(explorers, name)(), monkeypatch, name)


@pytest.mark.parametrize(
    "module, factory, control, runner",
    [
        ("explorers.reliability", "reliability_explorer", "reliability", "simulate"),
        ("explorers.spot_checks", "spot_check_explorer", "runs", "simulate"),
        ("explorers.correlation", "correlation_explorer", "rho", "simulate"),
        ("explorers.partial_failure", "silent_chain_explorer", "catch_rate", "simulate"),
        ("explorers.patterns", "mesh_explorer", "arrival_rate", "simulate"),
        ("explorers.patterns", "pattern_explorer", "latency", "simulate"),
        ("explorers.contention", "contention_explorer", "agents", "compare_strategies"),
        ("explorers.orchestration_value", "orchestration_value_explorer", "n", "simulate"),
        ("explorers.incident", "incident_explorer", "reliability", "simulate"),
    ],
)
def test_moving_back_to_a_setting_already_seen_draws_it_again_without_simulating(
    module, factory, control, runner, monkeypatch
):
    """A learner sweeps a slider back and forth: settings already seen are remembered, not re-run."""
    views = importlib.import_module(module)
    runs = []
    run = getattr(views, runner)
    monkeypatch.setattr(views, runner, lambda *args, **kwargs: runs.append(1) or run(*args, **kwargs))
    box = getattr(views, factory)()
    widget = box.controls[control]
    start, other = widget.value, another_value(widget)
    widget.value = other
    drawn = [figure.to_plotly_json()["data"] for figure in box.figures]
    widget.value = start
    runs.clear()
    widget.value = other
    assert not runs, f"{factory}: moving {control} back to {other} simulated it again"
    assert [figure.to_plotly_json()["data"] for figure in box.figures] == drawn


def _drawn_how(figure: go.FigureWidget, change, monkeypatch) -> str:
    """Which plotly message ``change(figure)`` inside batch_redraw sends: "animate" or "update"."""
    from explorers.redraw import batch_redraw

    sent = []
    for kind in ("update", "animate"):
        monkeypatch.setattr(figure, f"_send_{kind}_msg", lambda *args, _kind=kind, **kwargs: sent.append(_kind))
    with batch_redraw(figure):
        change(figure)
    assert len(sent) == 1, sent
    return sent[0]


def _fixed(figure: go.FigureWidget) -> go.FigureWidget:
    figure.update_layout(xaxis_range=[0, 5], yaxis_range=[0, 10])
    return figure


@pytest.mark.parametrize(
    "build, change, expected",
    [
        (
            lambda: _fixed(go.FigureWidget(go.Scatter(x=[1, 2], y=[1, 2]))),
            lambda f: setattr(f.data[0], "y", [3, 4]),
            "animate",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Bar(x=["a", "b"], y=[1, 2]))),
            lambda f: setattr(f.data[0], "text", ["1", "2"]),
            "animate",
        ),
        (lambda: go.FigureWidget(go.Scatter(x=[1, 2], y=[1, 2])), lambda f: setattr(f.data[0], "y", [3, 4]), "update"),
        (
            lambda: go.FigureWidget(go.Bar(x=["a", "b"], y=[1, 2]), layout=dict(yaxis_range=[0, 9])),
            lambda f: setattr(f.data[0], "text", ["1", "2"]),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Bar(x=["a", "b"], y=[1, 2]))),
            lambda f: setattr(f.data[0].marker, "color", ["red", "blue"]),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Scatter(x=[1, 2], y=[1, 2], error_y=dict(array=[0.1, 0.1])))),
            lambda f: setattr(f.data[0], "y", [3, 4]),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Scatter(x=[1, 2], y=[1, 2]))),
            lambda f: (setattr(f.data[0], "y", [3, 4]), setattr(f.layout.title, "text", "new")),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Heatmap(z=[[1, 2]]))),
            lambda f: setattr(f.data[0], "z", [[3, 4]]),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget([go.Bar(x=[1, 2], y=[1, 2]), go.Bar(x=[1, 2], y=[2, 1])])),
            lambda f: setattr(f.data[1], "y", [3, 4]),
            "animate",
        ),
        (
            lambda: _fixed(
                go.FigureWidget(
                    [go.Scatter(x=[1, 2], y=[1, 2]), go.Scatter(x=[1, 2], y=[2, 1], error_y=dict(array=[1, 1]))]
                )
            ),
            lambda f: setattr(f.data[0], "y", [3, 4]),
            "update",
        ),
        (
            lambda: _fixed(go.FigureWidget([go.Bar(x=[1, 2], y=[1, 2]), go.Bar(x=[1, 2], y=[2, 1])])),
            lambda f: (setattr(f.data[0], "y", [3, 4]), setattr(f.data[1], "y", [4, 3])),
            "animate",
        ),
        (
            lambda: _fixed(go.FigureWidget(go.Bar(x=[1, 2], y=[1, 2]))),
            lambda f: f.data[0].update(x=[1, 2, 3], y=[3, 4, 5]),
            "update",
        ),
    ],
    ids=[
        "points-fixed",
        "bar-text-fixed",
        "autorange",
        "text-on-a-ranging-axis",
        "bar-colour",
        "error-bars",
        "title",
        "heatmap",
        "one-of-two-bar-traces",
        "another-trace-with-error-bars",
        "both-bar-traces",
        "a-bar-added",
    ],
)
def test_only_data_that_moves_nothing_but_its_own_trace_is_redrawn_in_place(build, change, expected, monkeypatch):
    assert _drawn_how(build(), change, monkeypatch) == expected


def test_a_redraw_in_place_sends_every_trace_in_order(monkeypatch):
    """Plotly redraws in place only the traces it is sent: a subplot with none of them is emptied, and an
    edited trace is drawn above unedited ones of its kind. So every trace goes in the one animate
    message, in trace order, the unchanged ones as they are."""
    from explorers.redraw import batch_redraw

    figure = _fixed(
        go.FigureWidget([go.Scatter(x=[1, 2], y=[1, 2]), go.Scatter(x=[1, 2], y=[2, 1]), go.Bar(x=[1, 2], y=[5, 5])])
    )
    sent = []
    monkeypatch.setattr(
        figure, "_send_animate_msg", lambda **message: sent.append((message["styles_data"], message["trace_indexes"]))
    )
    with batch_redraw(figure):
        figure.data[1].y = [3, 4]
    [(styles, traces)] = sent
    assert list(traces) == [0, 1, 2]
    assert [tuple(style["y"]) for style in styles] == [(1, 2), (3, 4), (5, 5)]


@pytest.mark.parametrize(
    "top, kwargs, expected",
    [(0, {}, 1.0), (9.26, {}, 12.0), (46.3, {}, 60.0), (92.6, {}, 120.0), (92.6, {"cap": 105}, 105.0), (0.3, {}, 0.4)],
)
def test_a_steady_range_ends_at_the_next_round_number_above_the_data(top, kwargs, expected):
    from explorers.redraw import steady_range

    assert steady_range(top, **kwargs) == [0.0, expected]


def test_a_steady_range_can_start_below_zero_and_holds_still_there():
    """``below`` leaves room under zero for a line along it; the range so made is held like any other."""
    from explorers.redraw import steady_range

    first = steady_range(9.26, below=0.04)
    assert first == [-0.48, 12.0]
    assert steady_range(6.0, current=first, below=0.04) == first  # still fills more than KEEP_DOWN of it
    assert steady_range(13.0, current=first, below=0.04) == [-0.6, 15.0]
    assert steady_range(1.0, current=first, below=0.04) == pytest.approx([-0.048, 1.2])


def test_kept_slots_keep_a_bar_traces_point_count_so_the_move_goes_in_place(monkeypatch):
    """Fewer bars than the trace holds: the rest of its slots are nulls (plotly draws nothing there)
    and the move is drawn in place; more bars than slots: the trace grows, and the move replots."""
    from explorers.redraw import batch_redraw, keep_slots

    figure = _fixed(go.FigureWidget(go.Bar(x=[1, 2, 3], y=[4, 5, 6])))
    shrink = keep_slots(figure, 0, dict(x=[1, 2], y=[7, 8]))
    assert shrink == dict(x=[1, 2, None], y=[7, 8, None])
    assert _drawn_how(figure, lambda f: f.data[0].update(shrink), monkeypatch) == "animate"
    grow = keep_slots(figure, 0, dict(x=[1, 2, 3, 4], y=[1, 1, 1, 1]))
    assert grow == dict(x=[1, 2, 3, 4], y=[1, 1, 1, 1])
    assert _drawn_how(figure, lambda f: f.data[0].update(grow), monkeypatch) == "update"
    with batch_redraw(figure):  # inside a batch the slots counted are the ones about to be sent
        figure.data[0].update(x=[1, 2, 3, 4, 5], y=[1] * 5)
        assert len(keep_slots(figure, 0, dict(x=[1], y=[1]))["x"]) == 5


def test_a_bar_goes_in_place_only_into_a_slot_that_held_a_bar_at_the_last_full_drawing(monkeypatch):
    """A full drawing leaves an empty slot unstyled (no outline) and a bar put there in place would
    keep that, so such a move is drawn in full; a slot emptied in place keeps its style and may take
    a bar back in place."""
    from explorers.redraw import batch_redraw

    figure = _fixed(go.FigureWidget(go.Bar(x=[1, 2, 3], y=[4, 5, 6])))
    assert _drawn_how(figure, lambda f: f.data[0].update(y=[4, 5, None]), monkeypatch) == "animate"
    assert _drawn_how(figure, lambda f: f.data[0].update(y=[4, 5, 7]), monkeypatch) == "animate"
    with batch_redraw(figure):  # drawn in full (a layout change) while the last slot is empty
        figure.data[0].y = [4, 5, None]
        figure.layout.title.text = "new"
    assert _drawn_how(figure, lambda f: f.data[0].update(y=[4, 5, 8]), monkeypatch) == "update"
    assert _drawn_how(figure, lambda f: f.data[0].update(y=[4, None, 9]), monkeypatch) == "animate"
    assert _drawn_how(figure, lambda f: f.data[0].update(y=[1, 2, 3]), monkeypatch) == "animate"


@pytest.mark.parametrize(
    "end, step", [(1, 0.25), (1.5, 0.25), (3, 0.5), (6, 1), (8, 2), (12, 2.5), (30, 5), (60, 10), (105, 25), (0.5, 0.1)]
)
def test_a_held_axis_ticks_at_the_largest_round_step_that_gives_four_intervals(end, step):
    from explorers.redraw import tick_step

    assert tick_step(end) == step
    assert end / step >= 4


def test_a_held_axis_takes_a_new_range_in_place_while_its_tick_step_stays(monkeypatch):
    """A range set in place draws what a full drawing draws only with the ticks and margins fixed
    (plotly chooses auto ticks and margins differently on the two paths): a new range with the same
    step goes in place, a new step or an axis the kit does not hold is drawn in full."""
    from explorers.redraw import hold_axis

    def moved(end_before, end_after, held=True):
        figure = go.FigureWidget(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
        figure.update_layout(yaxis_range=[1.5, -0.5])
        if held:
            hold_axis(figure.layout.xaxis, [0, end_before])
        else:
            figure.layout.xaxis.range = [0, end_before]

        def change(f):
            f.data[0].x = [3, 4]
            if held:
                hold_axis(f.layout.xaxis, [0, end_after])
            else:
                f.layout.xaxis.range = [0, end_after]

        return _drawn_how(figure, change, monkeypatch)

    assert moved(5, 6) == "animate"  # ticks every 1 on both
    assert moved(6, 8) == "update"  # every 1, then every 2
    assert moved(5, 6, held=False) == "update"


def test_held_bar_axes_reach_past_bars_drawn_from_a_base_and_hold_every_named_category():
    from explorers.panels import hold_bar_axes

    figure = go.FigureWidget(
        [
            go.Bar(orientation="h", y=["a", "a", None], x=[2.0, 3.0, None], base=[0.0, 9.0, None]),
            go.Bar(orientation="h", y=["b"], x=[1.0], base=[4.0]),
        ]
    )
    figure.update_layout(
        xaxis=dict(rangemode="tozero"),
        yaxis=dict(type="category", categoryarray=["a", "b", "c"], autorange="reversed"),
    )
    hold_bar_axes(figure)
    assert figure.layout.xaxis.range == (0.0, 15.0)  # the farthest bar ends at 9 + 3 = 12; 12 * 1.08 -> 15
    assert figure.layout.yaxis.range == (2.5, -0.5)  # three categories, one of them without a bar


@pytest.mark.parametrize(
    "build, control",
    [
        (pattern_explorer, "latency"),
        (pattern_explorer, "spread"),
        (mesh_explorer, "arrival_rate"),
        (mesh_explorer, "latency"),
        (lambda: explorers.spot_check_explorer(), "runs"),
        (lambda: explorers.spot_check_explorer(), "reliability"),
    ],
)
def test_a_slider_nudged_back_and_forth_redraws_lesson_01_and_02_figures_in_place(build, control, monkeypatch):
    """Timelines, the mesh backlog and the spot-check bars change how many bars they hold and how far
    they reach from move to move; kept slots and held axes let a learner's small back-and-forth
    moves go in place (a figure the move does not change gets no message at all)."""
    box = build()
    ids = {id(figure): i for i, figure in enumerate(box.figures)}
    sent = []
    for kind in ("update", "animate"):
        monkeypatch.setattr(
            go.FigureWidget, f"_send_{kind}_msg", lambda self, *a, _k=kind, **k: sent.append((ids[id(self)], _k))
        )
    slider = box.controls[control]
    start, step = slider.value, another_value(slider)
    slider.value = step  # the first move may reach a new round number on an axis, or add slots
    for value in (start, step, start, step):
        sent.clear()
        slider.value = value
        assert sent and {kind for _, kind in sent} == {"animate"}, f"{control} -> {value}: {sent}"
    for figure in box.figures:
        for trace in figure.data:
            if trace.type == "bar" and trace.orientation == "h":
                ends = [b + x for b, x in zip(trace.base or [0] * len(trace.x), trace.x) if x is not None]
                assert max(ends, default=0) <= figure.layout.xaxis.range[1], f"{trace.name} runs off its axis"


def test_lesson_00s_slider_moves_one_bar_in_place_over_bars_that_stay():
    """Lesson 00's first slider: every length keeps its grey bar and label, the chosen length is one
    blue bar laid over its grey one, and each move, whichever way, is drawn in place."""
    box = explorers.first_slider_explorer(reliability=0.8, agents=2)
    grey, chosen = box.figure.data
    sent = []
    for kind in ("update", "animate"):
        setattr(box.figure, f"_send_{kind}_msg", lambda *a, _kind=kind, **k: sent.append(_kind))
    for n in (3, 4, 10, 9, 1):
        sent.clear()
        box.controls["agents"].value = n
        assert sent == ["animate"], f"agents -> {n}: {sent}"
        assert list(chosen.x) == [n] and chosen.y[0] == pytest.approx(100 * 0.8**n)
        assert list(grey.x) == list(range(1, 11)) and grey.y[n - 1] == chosen.y[0]
    assert box.figure.layout.barmode == "overlay"
    assert f"{100 * 0.8:.0f}%" in box.readout.value and "1 agent at" in box.readout.value


def test_a_figure_grows_until_its_y_axis_titles_fit_beside_their_plots():
    """Plotly centres a rotated y axis title on its plot and lets a longer one run into the figure's
    title: the kit makes the figure tall enough instead, for one plot and for stacked panels, and
    inside a batch it reads the height and margins the move is about to send."""
    from plotly.subplots import make_subplots

    from explorers.style import set_title, styled_figure, y_title_length

    long_title = "chance the whole chain ends right, counted over every run (%)"
    short = styled_figure("A title", "x axis (count)", "y (%)", height=300)
    assert short.layout.height == 300  # fits already: left alone
    tall = styled_figure("A title", "x axis (count)", long_title, height=300)
    plot = tall.layout.height - tall.layout.margin.t - tall.layout.margin.b
    assert plot >= y_title_length(long_title) > 300 - 120

    panels = go.FigureWidget(make_subplots(rows=2, cols=1))
    panels.update_layout(height=500, margin=dict(t=60, b=60), yaxis2_title="a y title of stacked panels (s)")
    set_title(panels, "Two panels")
    share = panels.layout.yaxis2.domain[1] - panels.layout.yaxis2.domain[0]
    assert (panels.layout.height - 120) * share >= y_title_length("a y title of stacked panels (s)")

    live = figure_widget("Live", "x (count)", long_title, height=700)
    assert live.layout.height == 700
    with live.batch_update():
        live.layout.height = 260  # an update that shrinks the figure, then sets its title
        set_title(live, "Live, after the move")
    assert live.layout.height >= 120 + y_title_length(long_title)


def test_the_title_keeps_to_the_top_and_leaves_room_for_a_legend_that_wraps_in_a_narrow_figure():
    """A legend across the top sits just above the plot and plotly wraps it upwards when the figure
    is narrow, over the title's last line (lesson 04's sweeps at 1024 px did): the top margin holds
    the title at its top and as many legend rows as the narrowest figure needs beneath it."""
    from explorers.style import LEGEND_ROW_PX, TITLE_TOP_PX, legend_rows, set_title, styled_figure

    def figure(names, title="A two-line title, long enough to wrap onto the second line of it"):
        fig = styled_figure(title, "x (s)", "y (s)", height=400)
        for name in names:
            fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], name=name))
        return set_title(fig, title)

    assert legend_rows(figure(["one trace only"])) == 0  # plotly shows no legend for a lone trace
    short = figure(["a", "b"])
    assert legend_rows(short) == 1
    long_names = ["blind overwrite", "optimistic locking", "event sourcing", "agent-scoped state"]
    wide = figure(long_names)
    assert legend_rows(wide) == 2
    assert wide.layout.margin.t - short.layout.margin.t == LEGEND_ROW_PX
    lines = 2
    assert wide.layout.margin.t >= TITLE_TOP_PX + 24 * lines + LEGEND_ROW_PX * 2
    assert wide.layout.title.yanchor == "top" and wide.layout.title.y < 1
    wide.layout.showlegend = False
    assert legend_rows(wide) == 0
    beside = figure(long_names)
    beside.update_layout(legend=dict(orientation="v", x=1.01, y=1, yanchor="top"))
    assert legend_rows(beside) == 0  # a legend beside the plot takes no room above it


def test_plotlys_batch_internals_are_still_there():
    """explorers.redraw drives plotly's batch by hand; an upgrade that renames these must fail here."""
    figure = go.FigureWidget(go.Scatter(y=[1]))
    for name in ("_in_batch_mode", "_batch_trace_edits", "_batch_layout_edits"):
        assert hasattr(figure, name), name
    for name in ("_perform_batch_animate", "_build_update_params_from_batch", "plotly_update"):
        assert callable(getattr(figure, name)), name
    figure.data[0].error_y = dict(array=[0.5])  # read back from the traces' JSON by redraws_in_place
    assert figure._data[0]["type"] == "scatter" and list(figure._data[0]["error_y"]["array"]) == [0.5]


def test_widgets_are_widgets():
    assert isinstance(mesh_explorer(), widgets.VBox)


def test_slider_values_carry_no_float_noise_for_screen_readers():
    box = incident_explorer(trials=2000)
    slider = box.controls["reliability"]
    slider.value = 0.8999999999999999  # what step arithmetic in the browser sends
    assert slider.value == 0.9 and repr(slider.value) == "0.9"
    assert "0.8999" not in box.figure.layout.title.text


@pytest.mark.parametrize("factory", ["pattern_explorer", "mesh_explorer"])
def test_lesson_01s_explorers_simulate_their_first_traced_run_once(factory, monkeypatch):
    """The first figure and the first refresh share one traced run: building an explorer in a
    notebook cell pays for its first simulation once, not twice."""
    from explorers import patterns

    for remembered in (patterns._pattern_timeline, patterns._traced_mesh, patterns._mesh_view):
        remembered.cache_clear()
    traced = []
    simulate = patterns.simulate
    monkeypatch.setattr(
        patterns,
        "simulate",
        lambda *args, **kwargs: (traced.append(1) if kwargs.get("trace") else None) or simulate(*args, **kwargs),
    )
    box = getattr(patterns, factory)()
    assert len(traced) == 1, f"{factory} ran its first traced simulation {len(traced)} times"
    assert box.figure.data[0].showlegend is not None and any(len(trace.x or ()) for trace in box.figure.data)

"""Fuzzing ``orchlab simulate``: generated flag lists and scenario files, valid and hostile.

Whatever the input, the command ends with exit 0 or 2, prints at most one line on stderr and
never a traceback, and its JSON holds only finite numbers. The runs are bounded: hypothesis is
derandomized (a fixed seed per test) with a fixed number of examples, and the generators keep
trial counts, retries and step budgets small, so this file takes some tens of seconds on one core.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchlab.main import main
from simulator.params import DEGRADATIONS, LATENCY_KINDS, PATTERNS

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- values: some valid, many hostile -----------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "𝟓",
        "٣",
        "０.５",
        "0.٥",
        "1e30",
        "5e-1",
        ">",
        "--",
        "quorum:٢",
        "\x00",
        "9" * 5000,
    ]
)
ANY_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=10**20, max_value=10**400),
)
NUMBER_TEXT = st.one_of(ANY_NUMBER.map(str), HOSTILE_TEXT, st.text(max_size=6))


def mostly(valid, hostile=NUMBER_TEXT):
    """Three draws in four valid, so runs happen as well as refusals."""
    return st.one_of(valid, valid, valid, hostile)


def small_or_hostile(low: int, high: int):
    """Valid whole numbers in a small range (bounded work), or text that is not one."""
    return mostly(st.integers(low, high).map(str))


def a_probability():
    return mostly(st.floats(0, 1).map(str))


FLAG_VALUES = {
    "--pattern": st.one_of(st.sampled_from(PATTERNS), st.text(max_size=8)),
    "--agents": small_or_hostile(1, 12),
    "--reliability": a_probability(),
    "--silent-share": a_probability(),
    "--catch-rate": a_probability(),
    "--retries": small_or_hostile(0, 3),
    "--correlation": a_probability(),
    "--fan-in": st.sampled_from(["all", "any", "quorum:1", "quorum:2", "quorum:0", "quorum:99", "quorum:२", "x", ""]),
    "--trials": st.one_of(st.integers(1, 200).map(str), st.sampled_from(["0", "-5", "5000001", "1e3", "𝟓", ""])),
    "--seed": mostly(st.integers(0, 2**70).map(str)),
    "--engine": st.one_of(st.sampled_from(["auto", "vectorised", "simpy"]), st.text(max_size=4)),
    "--scenario": st.one_of(
        st.sampled_from(["orders_daily", "", "   ", "/dev/null", "/", "missing.yaml", "a" * 5000]), st.text(max_size=10)
    ),
}
SWITCHES = ["--redundant", "--human-gate", "--completeness"]


@st.composite
def flag_lists(draw) -> list[str]:
    args: list[str] = []
    if draw(st.booleans()):
        args += ["--pattern", draw(st.sampled_from(PATTERNS))]
    for flag in draw(st.lists(st.sampled_from([*FLAG_VALUES, *SWITCHES, "--bogus"]), max_size=5)):
        args.append(flag)
        if flag in FLAG_VALUES:
            args.append(draw(FLAG_VALUES[flag]))
    if "--trials" not in args:
        args += ["--trials", "200"]  # the default 10,000 is fine but slower than a fuzz run needs
    return args


# --- scenario documents -------------------------------------------------------------------------

NAMES = st.one_of(st.sampled_from(["a", "b", "c", "lineage", "synthesis"]), st.text(max_size=6), st.integers(0, 9))
HOSTILE_VALUE = st.one_of(ANY_NUMBER, HOSTILE_TEXT, st.booleans(), st.none(), st.lists(st.integers(), max_size=2))


def setting(valid):
    return st.one_of(valid, valid, HOSTILE_VALUE)


PROBABILITY = setting(st.floats(0, 1))
SECONDS = setting(st.floats(0, 50))
LATENCY = st.fixed_dictionaries(
    {},
    optional={
        "kind": setting(st.sampled_from(LATENCY_KINDS)),
        "mean": SECONDS,
        "cv": setting(st.floats(0, 2)),
    },
)
AGENT = st.fixed_dictionaries(
    {"name": NAMES},
    optional={
        "reliability": PROBABILITY,
        "silent_share": PROBABILITY,
        "latency": setting(LATENCY),
        "retries": setting(st.integers(0, 3)),
        "tokens_per_call": setting(st.integers(0, 5000)),
        "degradations": setting(st.lists(st.sampled_from([*DEGRADATIONS, "junk"]), max_size=4)),
        "contract": setting(st.sampled_from(["lineage", "source", "impact", "nope"])),
    },
)
DEFENSES = st.fixed_dictionaries(
    {},
    optional={
        "catch_rate": PROBABILITY,
        "completeness": setting(st.booleans()),
        "completeness_rate": PROBABILITY,
        "checkpoints": setting(st.booleans()),
        "baseline_catch_rate": PROBABILITY,
        "retries": setting(st.integers(0, 3)),
        "backoff": SECONDS,
        "human_gate": setting(st.booleans()),
        "human_delay": SECONDS,
        "magic": st.integers(),
    },
)
EVENT_TYPES = st.lists(st.one_of(st.sampled_from(["x", "y"]), HOSTILE_VALUE), min_size=0, max_size=3)
MESH = st.fixed_dictionaries(
    {},
    optional={
        "arrival_rate": setting(st.floats(0.01, 100)),
        "event_types": setting(EVENT_TYPES),
        "subscriptions": setting(st.lists(EVENT_TYPES, max_size=4)),
        "act_probability": PROBABILITY,
        "ttl": setting(st.floats(0, 100)),
    },
)
HIERARCHY = st.fixed_dictionaries(
    {},
    optional={
        "min_subtasks": setting(st.integers(1, 4)),
        "max_subtasks": setting(st.integers(1, 4)),
        "routing_accuracy": PROBABILITY,
        "reroute": setting(st.booleans()),
        "step_budget": setting(st.integers(1, 30)),
    },
)
SCENARIO = st.fixed_dictionaries(
    {
        "name": setting(NAMES),
        "pattern": setting(st.sampled_from(PATTERNS)),
        "agents": setting(st.lists(AGENT, max_size=5)),
    },
    optional={
        "description": setting(st.text(max_size=20)),
        "fan_in": setting(st.sampled_from(["all", "any", "quorum:1", "quorum:2", "quorum:7"])),
        "redundant": setting(st.booleans()),
        "correlation": PROBABILITY,
        "alert": setting(st.dictionaries(st.text(max_size=5), HOSTILE_VALUE, max_size=3)),
        "defaults": setting(
            st.fixed_dictionaries({}, optional={"reliability": PROBABILITY, "latency": LATENCY, "retries": st.just(1)})
        ),
        "defenses": setting(DEFENSES),
        "mesh": setting(MESH),
        "hierarchy": setting(HIERARCHY),
        "colour": st.just("blue"),
    },
)


@st.composite
def valid_scenarios(draw) -> dict:
    """A scenario every setting of which is allowed and has an effect on its pattern."""
    pattern = draw(st.sampled_from(PATTERNS))
    size = draw(st.integers({"fanout": 2, "hybrid": 3, "hierarchical": 2}.get(pattern, 1), 6))
    agents = []
    for i in range(size):
        agent = draw(st.fixed_dictionaries({}, optional=VALID_AGENT))
        agents.append({"name": f"agent_{i}", **agent})
    doc = {"name": draw(st.sampled_from(["fuzzed", "orders_like"])), "pattern": pattern, "agents": agents}
    if draw(st.booleans()):
        defenses = draw(st.fixed_dictionaries({}, optional=VALID_DEFENSES))
        if pattern == "mesh":
            defenses = {k: v for k, v in defenses.items() if not k.startswith("human_")}
        doc["defenses"] = defenses
    if pattern in ("fanout", "hybrid"):
        width = size - (1 if pattern == "fanout" else 2)
        doc["fan_in"] = draw(st.sampled_from(["all", "any", *(f"quorum:{k}" for k in range(1, width + 1))]))
        doc["redundant"] = draw(st.booleans())
    if pattern == "mesh" and draw(st.booleans()):
        doc["mesh"] = {"arrival_rate": draw(st.floats(0.01, 100)), "event_types": ["x", "y"]}
        doc["mesh"]["subscriptions"] = [draw(st.sampled_from([["x"], ["y"], ["x", "y"]])) for _ in range(size)]
    if pattern == "hierarchical" and draw(st.booleans()):
        low = draw(st.integers(1, 3))
        doc["hierarchy"] = {"min_subtasks": low, "max_subtasks": draw(st.integers(low, 4)), "step_budget": 20}
    doc["correlation"] = draw(st.floats(0, 1))
    return doc


VALID_AGENT = {
    "reliability": st.floats(0, 1),
    "silent_share": st.floats(0, 1),
    "latency": st.fixed_dictionaries(
        {"kind": st.sampled_from(LATENCY_KINDS), "mean": st.floats(0, 1_000_000), "cv": st.floats(0, 1)}
    ),
    "retries": st.integers(0, 3),
    "tokens_per_call": st.integers(0, 10_000_000),
    "degradations": st.lists(st.sampled_from(DEGRADATIONS), min_size=1, max_size=4, unique=True),
}
VALID_DEFENSES = {
    "catch_rate": st.floats(0, 1),
    "false_reject_rate": st.floats(0, 1),
    "completeness": st.booleans(),
    "checkpoints": st.booleans(),
    "baseline_catch_rate": st.floats(0, 1),
    "retries": st.integers(0, 3),
    "backoff": st.floats(0, 1_000_000),
    "human_gate": st.booleans(),
    "human_delay": st.floats(0, 1_000_000),
}


def _dump(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return "name: [unclosed\n"


RAW_DOCUMENTS = st.one_of(
    st.text(max_size=200),
    st.integers(1, 3000).map(lambda n: "agents: " + "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "alert: " + "{a: " * n + "1" + "}" * n),
    st.sampled_from(
        [
            "name: x\npattern: sequential\nagents: [{name: a, tokens_per_call: " + "9" * 5000 + "}]\n",
            "name: x\npattern: sequential\nagents: [{name: a, latency: {mean: 1.0e308}}]\n",
            "name: x\npattern: mesh\nagents: [{name: a}]\nmesh: {event_types: [[a], {b: 1}]}\n",
            "? [a]\n: 1\n",
            "name: x\n---\nname: y\n",
            "\ufeffname: x\npattern: sequential\nagents: [{name: a}]\n",
        ]
    ),
)
DOCUMENTS = st.one_of(valid_scenarios().map(_dump), valid_scenarios().map(_dump), SCENARIO.map(_dump), RAW_DOCUMENTS)


# --- the property -------------------------------------------------------------------------------


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse's refusals
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def refuse_constant(constant: str):
    raise AssertionError(f"the JSON holds {constant}")


def assert_well_behaved(args: list[str]) -> None:
    code, out, err = run_cli(args)
    assert code in (0, 2), (args, code, err)
    assert err.count("\n") <= 1 and "Traceback" not in err, (args, err)
    if code == 2:
        assert out == "" and err.startswith("orchlab") and ": error: " in err, (args, err)
    elif "json" in args:
        stats = json.loads(out, parse_constant=refuse_constant)
        assert all(math.isfinite(v) for v in stats.values() if isinstance(v, float)), stats


@FUZZ
@given(flag_lists(), st.sampled_from(["json", "table"]))
def test_any_flag_list_gives_exit_0_or_2_and_one_line(args, fmt):
    assert_well_behaved(["simulate", *args, "--format", fmt])


@FUZZ
@given(DOCUMENTS, st.integers(1, 60))
def test_any_scenario_file_gives_exit_0_or_2_and_one_line(document, trials):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(document, encoding="utf-8", errors="surrogatepass")
        assert_well_behaved(["simulate", "--scenario", str(path), "--trials", str(trials), "--format", "json"])

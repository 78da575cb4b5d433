"""Scenario files: the shipped one, and clear errors for bad ones."""

import os

import pytest

from simulator import ScenarioError, load_scenario, shipped_scenarios, simulate

GOOD = """
name: tiny
pattern: sequential
agents:
  - name: watcher
  - name: checker
    reliability: 0.8
"""


def test_orders_daily_is_the_worked_example():
    scenario = load_scenario("orders_daily")
    assert "orders_daily" in shipped_scenarios()
    assert scenario.pattern == "hybrid"
    assert [a.name for a in scenario.agents] == ["orchestrator", "lineage", "source", "impact", "synthesis"]
    assert scenario.context["alert"] == {
        "table": "orders_daily",
        "column": "customer_id",
        "metric": "null_rate",
        "baseline": 0.001,
        "current": 0.083,
    }
    assert all(a.reliability == 0.95 for a in scenario.agents)
    assert scenario.contracts == {
        "lineage": "lineage",
        "source": "source",
        "impact": "impact",
        "synthesis": "synthesis",
    }


def test_a_scenario_file_runs(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD)
    result = simulate(path, trials=1000, seed=0)
    assert result.scenario.agents[1].reliability == 0.8
    assert 0.65 < result.success_rate < 0.8


BAD = {
    "reliability_out_of_range": (GOOD.replace("0.8", "1.7"), "agents.1.reliability"),
    "unknown_pattern": (GOOD.replace("sequential", "star"), "field pattern"),
    "no_agents": ("name: x\npattern: sequential\nagents: []\n", "field agents"),
    "unknown_field": (GOOD + "colour: blue\n", "field colour"),
    "unknown_defense": (GOOD + "defenses:\n  magic: 1\n", "defenses.magic"),
    "bad_defense_value": (GOOD + "defenses:\n  catch_rate: 2\n", "catch_rate"),
    "not_yaml": ("name: [unclosed\n", "not valid YAML"),
    "not_a_mapping": ("- just\n- a list\n", "mapping"),
    "duplicate_names": ("name: x\npattern: sequential\nagents:\n  - name: a\n  - name: a\n", "unique"),
    "bad_quorum": (
        "name: x\npattern: fanout\nfan_in: quorum:5\nagents:\n  - name: a\n  - name: b\n  - name: s\n",
        "fan_in",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_files_name_the_file_and_field(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "absent.yaml")
    with pytest.raises(ScenarioError, match="no shipped scenario"):
        load_scenario("orders_weekly")


AGENT = "name: x\npattern: sequential\nagents:\n  - name: a\n"


def _with(setting: str) -> str:
    return AGENT.replace("  - name: a\n", f"  - name: a\n    {setting}\n")


HOSTILE = {
    # numbers too big to compute with, not finite, or not numbers at all
    "cv_huge": (_with("latency: {kind: lognormal, mean: 2.0, cv: 1.0e200}"), "agents.0.latency.cv: must be a number"),
    "mean_max_float": (_with("latency: {kind: fixed, mean: 1.0e308}"), "latency.mean: must be a number of seconds"),
    "mean_nan": (_with("latency: {mean: .nan}"), "latency.mean"),
    "tokens_text_exponent": (_with("tokens_per_call: 1e30"), "tokens_per_call: must be a whole number from 0 to"),
    "tokens_float_exponent": (_with("tokens_per_call: 1.0e30"), "tokens_per_call"),
    "reliability_infinite": (_with("reliability: .inf"), "reliability: must be a probability from 0 to 1"),
    "reliability_boolean": (_with("reliability: yes"), "reliability: must be a probability"),
    "retries_fraction": (_with("retries: 2.5"), "retries: must be a whole number from 0 to 20"),
    "five_thousand_digits": (_with("tokens_per_call: " + "7" * 5000), "more than 4,300 digits"),
    "long_int_in_range_check": (_with("latency: {mean: " + "9" * 400 + "}"), "about 400 digits"),
    # digits from other scripts are text, never numbers
    "math_bold_digit": (_with("retries: '𝟓'"), "written in ASCII digits"),
    "arabic_indic_decimal": (_with("reliability: '0.٥'"), "written in ASCII digits"),
    "quorum_in_devanagari": (
        "name: x\npattern: fanout\nfan_in: quorum:२\nagents: [{name: a}, {name: b}, {name: s}]\n",
        "fan_in: must be all, any or quorum:K",
    ),
    # shapes YAML allows but a scenario does not
    "deep_nesting": ("name: x\npattern: sequential\nagents:\n  - name: a\nalert: " + "[" * 400 + "]" * 400, "nested"),
    "event_type_list": (
        "name: x\npattern: mesh\nagents: [{name: a}]\nmesh:\n  event_types: [[x, y]]\n",
        "mesh.event_types.0: must be a name",
    ),
    "event_type_mapping": (
        "name: x\npattern: mesh\nagents: [{name: a}]\nmesh:\n  event_types: [{a: 1}]\n",
        "mesh.event_types.0",
    ),
    "one_subscription_for_two_agents": (
        "name: x\npattern: mesh\nagents: [{name: a}, {name: b}]\nmesh:\n  subscriptions: [[schema_change]]\n",
        "one entry per agent",
    ),
    "unknown_hierarchy_key": (
        "name: x\npattern: hierarchical\nagents: [{name: o}, {name: s}]\nhierarchy: {depth: 3}\n",
        "hierarchy.depth: is not a setting here (allowed: min_subtasks",
    ),
    "comparison_text": (
        "name: x\npattern: hierarchical\nagents: [{name: o}, {name: s}]\nhierarchy: {min_subtasks: '>'}\n",
        "hierarchy.min_subtasks: must be a whole number from 1 to 50",
    ),
    "max_below_min": (
        "name: x\npattern: hierarchical\nagents: [{name: o}, {name: s}]\nhierarchy: {min_subtasks: 4, max_subtasks: 2}\n",
        "hierarchy.max_subtasks: must be at least min_subtasks",
    ),
    "date_as_name": (AGENT.replace("name: x", "name: 2024-01-01"), "field name: must be a name"),
    "impossible_date": (AGENT.replace("name: x", "name: 2024-02-30"), "cannot be read"),
    "bell_in_agent_name": (AGENT.replace("- name: a", '- name: "a\\ab"'), "agents.0.name"),
    "list_as_key": (AGENT + "? [a, b]\n: 1\n", "not valid YAML"),
    "newline_in_key": (AGENT + '"bad\\nkey": 1\n', "field 'bad\\nkey': is not a scenario setting"),
    "alert_holds_a_list": (AGENT + "alert: {table: [1, 2]}\n", "alert.table"),
    "unknown_contract": (_with("contract: nope"), "agents.0.contract: must be one of"),
    "agents_as_mapping": ("name: x\npattern: sequential\nagents: {name: a}\n", "field agents: must be a list"),
    "too_many_agents": (
        "name: x\npattern: fanout\nagents:\n" + "".join(f"  - name: a{i}\n" for i in range(300)),
        "field agents: must be a list of 1 to 202",
    ),
    "empty_file": ("", "(top level): must be a mapping"),
    "two_documents": (AGENT + "---\n" + AGENT, "not valid YAML"),
    "missing_name": ("pattern: sequential\nagents: [{name: a}]\n", "field name: is required"),
    "missing_agent_name": (
        "name: x\npattern: sequential\nagents: [{reliability: 0.5}]\n",
        "agents.0.name: is required",
    ),
    "unknown_default": (AGENT + "defaults: {colour: red}\n", "defaults.colour: is not a default"),
    "step_budget_huge": (
        "name: x\npattern: hierarchical\nagents: [{name: o}, {name: s}]\nhierarchy: {step_budget: 1000000000}\n",
        "hierarchy.step_budget",
    ),
    # settings the pattern would ignore
    "fan_in_on_a_chain": (AGENT + "fan_in: any\n", "fan_in: applies to the fanout and hybrid patterns only"),
    "replicas_on_a_chain": (AGENT + "redundant: true\n", "redundant: applies to the fanout and hybrid"),
    "mesh_section_on_a_chain": (AGENT + "mesh: {arrival_rate: 2}\n", "field mesh: applies to the mesh pattern only"),
    "hierarchy_on_a_fanout": (
        "name: x\npattern: fanout\nagents: [{name: a}, {name: s}]\nhierarchy: {reroute: false}\n",
        "field hierarchy: applies to the hierarchical pattern only",
    ),
    "gate_on_a_mesh": (
        "name: x\npattern: mesh\nagents: [{name: a}]\ndefenses: {human_gate: true}\n",
        "defenses.human_gate: applies to the sequential, fanout, hierarchical and hybrid patterns only",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_get_one_line_naming_the_field(tmp_path, case):
    text, expected = HOSTILE[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message and len(message) < 600


def test_text_numbers_in_ascii_are_read_like_the_flags(tmp_path):
    """YAML 1.1 reads ``5e-1`` as text; such text is read by the same rule as a CLI flag."""
    path = tmp_path / "text_numbers.yaml"
    path.write_text(_with("reliability: 5e-1\n    tokens_per_call: '300'"), encoding="utf-8")
    agent = load_scenario(path).agents[0]
    assert agent.reliability == 0.5 and agent.tokens_per_call == 300


def test_files_that_are_not_regular_files(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match="is a folder, not a scenario file"):
        load_scenario(folder)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario("/dev/null")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="is not a regular file"):  # and it does not block on the pipe
        load_scenario(fifo)
    with pytest.raises(ScenarioError, match="File name too long"):
        load_scenario("a" * 5000)
    with pytest.raises(ScenarioError, match="not ''"):
        load_scenario("")
    with pytest.raises(ScenarioError, match="printable"):
        load_scenario("bad\nname.yaml")


def test_a_huge_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        handle.write(AGENT + "description: ")
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    with pytest.raises(ScenarioError, match="a scenario file may have at most 262,144"):
        load_scenario(path)


def test_a_scenario_file_sets_values_the_python_api_would_check_the_same_way():
    """One check: a value the YAML refuses, the dataclass refuses with the same words."""
    from simulator import Agent, ParameterError

    with pytest.raises(ParameterError) as direct:
        Agent("a", tokens_per_call=10**30)
    assert "must be a whole number from 0 to 10,000,000" in str(direct.value)
    with pytest.raises(ParameterError, match="must be a probability from 0 to 1"):
        Agent("a", reliability="0.9")  # Python callers pass numbers; text is read only from files and flags

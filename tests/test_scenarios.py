"""Scenario files: the shipped one, and clear errors for bad ones."""

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

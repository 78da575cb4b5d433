"""The bridge: a simulator scenario built from shadow mode's measured rates predicts the outcome
shares the real runs measured, within a few standard errors, for both patterns.

Fixed seeds; 250 runs per case here (the CLI figure in docs/incident_lab.md uses 2,000), so
the tolerance, four standard errors of the measured share, scales with the smaller sample."""

from __future__ import annotations

import json
import math

import pytest

from incident_lab import DefenseSettings, FaultPlan, agreement, exact, scenario_from, shadow_run
from orchlab.main import main
from tests.test_incident_lab_warehouse import shared_warehouse

FAULTS = ["orchestrator=0.95:0.5", "lineage=0.85:0.6", "source=0.85:0.7", "impact=0.85:0.6", "synthesizer=0.9:0.6"]
SIGMAS = 4.0
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return shared_warehouse(tmp_path_factory)


@pytest.mark.parametrize(
    ("pattern", "defenses"),
    [
        ("sequential", DefenseSettings(validate=True, completeness=True, retries=1, human_gate=True)),
        ("hybrid", DefenseSettings(validate=True, completeness=True, retries=1, human_gate=True)),
        ("hybrid", DefenseSettings()),
        ("sequential", DefenseSettings(validate=True, retries=2)),
    ],
)
def test_predicted_shares_agree_with_measured_ones(warehouse, pattern, defenses):
    report = shadow_run(warehouse, 250, 1, pattern, FaultPlan.parse(FAULTS), defenses)
    z = agreement(report)
    assert all(abs(v) <= SIGMAS for v in z.values()), z
    scenario = scenario_from(report)
    assert scenario.pattern == pattern and [a.name for a in scenario.agents][1:4] == ["lineage", "source", "impact"]
    assert scenario.agents[1].reliability == pytest.approx(report.effective_rates("lineage")[0])
    model = exact(report)
    assert math.isclose(sum(model.values()), 1.0)
    if not defenses.completeness:
        assert report.measured()["silent_failure_rate"] > 0.1  # without the checks much goes wrong quietly


def test_the_cli_prints_measured_beside_predicted_in_the_agreed_shape(warehouse, capsys):
    argv = ["incident", "--runs", "200", "--seed", "1", "--format", "json", "--warehouse", str(warehouse)]
    argv += [x for f in FAULTS for x in ("--fault", f)] + [
        "--validate",
        "--completeness",
        "--retries",
        "1",
        "--human-gate",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"runs", "measured", "predicted", "agents", "warehouse", "seconds"}
    rates = ("success_rate", "silent_failure_rate", "detected_failure_rate")
    for side in ("measured", "predicted"):
        assert set(out[side]) == set(rates) | {f"{r}_ci" for r in rates}
        assert math.isclose(sum(out[side][r] for r in rates), 1.0, abs_tol=1e-9)
    assert [a["name"] for a in out["agents"]] == ["orchestrator", "lineage", "source", "impact", "synthesizer"]
    assert all(set(a) == {"name", "reliability", "reliability_ci", "silent_share"} for a in out["agents"])
    assert out["runs"] == 200 and out["warehouse"] == str(warehouse.resolve())
    for r in rates:
        p = out["predicted"][r]
        se = math.sqrt(max(p * (1 - p), 1e-12) / out["runs"])
        assert abs(out["measured"][r] - p) <= SIGMAS * se, (r, out["measured"][r], p)
    lineage = out["agents"][1]
    assert lineage["reliability_ci"][0] <= lineage["reliability"] <= lineage["reliability_ci"][1]
    assert abs(lineage["reliability"] - 0.85) < 0.08

"""The incident lab's public face and its place in the dependency order."""

import ast

import incident_lab
from tests.helpers import ROOT


def test_public_namespace_is_curated():
    assert len(incident_lab.__all__) == len(set(incident_lab.__all__))
    for name in incident_lab.__all__:
        assert getattr(incident_lab, name) is not None
    for name in ("build_warehouse", "Investigation", "shadow_run", "scenario_from", "make_cast", "llm_agent"):
        assert name in incident_lab.__all__


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_simulator_stays_free_of_sql_and_of_the_lab():
    for path in (ROOT / "simulator").rglob("*.py"):
        names = set(imported_modules(path))
        assert not any(n.split(".")[0] in ("duckdb", "incident_lab") for n in names), path


def test_the_lab_stands_on_the_simulator_and_not_on_the_shell():
    used = {n.split(".")[0] for p in (ROOT / "incident_lab").glob("*.py") for n in imported_modules(p)}
    assert "simulator" in used and "orchlab" not in used and "explorers" not in used


def test_modules_stay_readable_in_one_sitting():
    for path in (ROOT / "incident_lab").glob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, f"{path} has grown past 300 lines: split it"

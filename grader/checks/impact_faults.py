"""The incidents a completeness cross-check is graded on: real warehouses, real impact agents, injected faults.

For each warehouse seed the grader builds (once, then reuses from a cache folder) an
``incident_lab`` warehouse, and a copy of it without the ``truth`` schema for the learner's
query. On every incident it runs the lab's impact agent with its silent fault switched on
(direct children only) and four more impact agents of its own, each a plausible wrong count
computed with real SQL over the lineage events. A fault only counts on an incident where its
count differs from the truth: there it is a silent failure a cross-check should catch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Every fault the exercise injects: name -> what the faulty impact agent does wrong.
FAULTS = {
    "direct_children_only": "counts the models that read the table directly and stops there",
    "two_levels_only": "walks the lineage two levels down and stops (a depth limit left at 2)",
    "first_input_only": "follows only the first input of each model, missing models that read it second",
    "counts_paths": "counts every route to a model, so a model reached two ways counts twice",
    "counts_the_table_itself": "counts the alerted table itself among the affected models",
}
EDGES = "SELECT DISTINCT job_name, inputs FROM lineage.run_events WHERE event_type = 'COMPLETE' AND len(inputs) > 0"


@dataclass(frozen=True)
class FaultCase:
    """One incident with one faulty impact agent: what it reported and what is true."""

    seed: int
    incident_id: str
    table: str
    fault: str
    faulty: int
    truth: int


def cache_folder() -> Path:
    """Where graded warehouses are kept: ``$ORCHLAB_WAREHOUSE_CACHE``, else ``~/.cache/orchlab/warehouses``."""
    env = os.environ.get("ORCHLAB_WAREHOUSE_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "orchlab"
    folder = base if env else base / "warehouses"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def warehouses(seed: int) -> tuple[Path, Path]:
    """(the full warehouse of ``seed``, its copy without the answer key), built once and reused."""
    from incident_lab import FORMAT_VERSION, ensure_warehouse

    stem = f"{FORMAT_VERSION.replace('/', '-')}-seed{seed}"
    full = ensure_warehouse(cache_folder() / f"{stem}.duckdb", seed)
    learner = cache_folder() / f"{stem}-learner.duckdb"
    if not learner.exists() or learner.stat().st_mtime < full.stat().st_mtime:
        _copy_without_truth(full, learner)
    return full, learner


def _copy_without_truth(full: Path, target: Path) -> None:
    """Every table but schema ``truth``, table by table into a fresh file (written aside, then moved in)."""
    import duckdb

    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.building")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(full)])
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'src' AND table_schema <> 'truth' ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM src."{schema}"."{table}"')
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, target)


def _children(task) -> dict[str, list[str]]:
    """Model -> the models that read it, with the position it is read at, from the run events."""
    children: dict[str, list[tuple[str, int]]] = {}
    for job, inputs in task.query(EDGES):
        for position, parent in enumerate(inputs):
            children.setdefault(parent, []).append((job, position))
    return children


def _walk(task, depth: int | None = None, first_input_only: bool = False) -> list[str]:
    children, seen, frontier, level = _children(task), set(), [task.framing.table], 0
    while frontier and (depth is None or level < depth):
        found = {c for node in frontier for c, pos in children.get(node, []) if not (first_input_only and pos)}
        frontier = sorted(found - seen)
        seen.update(frontier)
        level += 1
    return sorted(seen)


def _paths(task) -> list[str]:
    children, routes = _children(task), []

    def down(node: str):
        for child, _ in children.get(node, []):
            routes.append(child)
            down(child)

    down(task.framing.table)
    return routes


def _finding(models: list[str]):
    from simulator.contracts import ImpactFinding

    return ImpactFinding(affected_downstream_models=len(models), models=models)


def _scripted_silent(task):
    from incident_lab import SCRIPTED

    task.fault = "silent"
    return SCRIPTED["impact"](task)


AGENTS: dict[str, Callable] = {
    "direct_children_only": _scripted_silent,
    "two_levels_only": lambda task: _finding(_walk(task, depth=2)),
    "first_input_only": lambda task: _finding(_walk(task, first_input_only=True)),
    "counts_paths": lambda task: _finding(_paths(task)),
    "counts_the_table_itself": lambda task: _finding([task.framing.table, *_walk(task)]),
}


@lru_cache(maxsize=8)
def fault_cases(seed: int) -> tuple[tuple[FaultCase, ...], dict[str, tuple[str, int]]]:
    """(every fault on every incident of the warehouse of ``seed``, incident -> (alerted table, true count))."""
    from incident_lab import SCRIPTED, Task, load_incidents, load_truth, open_warehouse

    full, _ = warehouses(seed)
    con = open_warehouse(full)
    try:
        truth = load_truth(con)
        cases, answers = [], {}
        for incident in load_incidents(con):
            cursor = con.cursor()
            framing = SCRIPTED["orchestrator"](Task("orchestrator", incident, cursor))
            true_count = truth[incident.incident_id].downstream_count
            answers[incident.incident_id] = (incident.table, true_count)
            for fault, agent in AGENTS.items():
                finding = agent(Task("impact", incident, cursor, framing))
                cases.append(
                    FaultCase(
                        seed,
                        incident.incident_id,
                        incident.table,
                        fault,
                        finding.affected_downstream_models,
                        true_count,
                    )
                )
    finally:
        con.close()
    return tuple(cases), answers


__all__ = ["FAULTS", "FaultCase", "fault_cases", "warehouses", "cache_folder"]

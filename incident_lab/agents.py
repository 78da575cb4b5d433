"""The scripted cast: five ordinary Python agents that answer with real SQL.

Each takes a :class:`~incident_lab.protocol.Task` and returns its role's pydantic hand-off.
When the harness sets ``task.fault = "silent"`` an agent does the plausible wrong thing the
course module warns about, still with real SQL: the orchestrator frames only the last day,
the lineage walk stops one hop short, the source search looks in a stale window, the impact
count stops at direct children, the synthesizer drops one finding. No agent knows whether
its answer is right; the judge decides that afterwards against the truth.
"""

from __future__ import annotations

from datetime import timedelta

from simulator.contracts import (
    NO_CHANGE,
    ImpactFinding,
    IncidentFraming,
    IncidentSummary,
    LineageFinding,
    SourceFinding,
)

from .protocol import Task

STALE_SHIFT = timedelta(days=30)


def orchestrator(task: Task) -> IncidentFraming:
    """Frame the alert: find the day the null rate rose and search from the day before it."""
    inc = task.incident
    threshold = (inc.baseline + inc.current) / 2
    rows = task.query(
        f"SELECT event_date, avg(CASE WHEN {inc.column} IS NULL THEN 1.0 ELSE 0.0 END) AS rate "
        f"FROM {inc.table} GROUP BY event_date ORDER BY event_date"
    )
    onset = next((day for day, rate in rows if rate >= threshold), rows[-1][0])
    since = onset - timedelta(days=1)
    if task.fault == "silent":
        since = inc.fired_at - timedelta(days=1)  # "what changed since yesterday?"
    return IncidentFraming(
        incident_id=inc.incident_id,
        table=inc.table,
        column=inc.column,
        since=since,
        until=inc.fired_at,
        baseline=inc.baseline,
        current=inc.current,
    )


#: (child, parent) for every input of every completed run: the lineage graph, edge by edge.
EDGES = "SELECT job_name AS child, unnest(inputs) AS parent FROM lineage.run_events WHERE event_type = 'COMPLETE'"


def _walk_up(task: Task) -> list[str]:
    """From the framed table up, hop by hop, always to the first input (by name) that carries the column."""
    carriers = {
        name
        for (name,) in task.query("SELECT table_name FROM meta.columns WHERE column_name = ?", [task.framing.column])
    }
    inputs: dict[str, list[str]] = {}
    for child, parent in sorted(task.query(EDGES)):
        if parent in carriers:
            inputs.setdefault(child, []).append(parent)
    path, current = [], task.framing.table
    while current in inputs:
        current = inputs[current][0]
        path.append(current)
    return path


def lineage(task: Task) -> LineageFinding:
    """Walk the run events upward, following the input that carries the column, to a table nobody builds."""
    path = _walk_up(task)
    if task.fault == "silent" and len(path) > 1:
        path = path[:-1]  # stops at the last model it recognises
    return LineageFinding(source_table=path[-1], upstream_path=path, tables_traced=len(path))


def source(task: Task) -> SourceFinding:
    """Search the API change log for a change to the column's source field inside the framed window."""
    framing = task.framing
    found = task.findings.get("lineage")
    tables = [found.source_table] if found is not None else _walk_up(task)[-1:]
    since, until = framing.since, framing.until
    if task.fault == "silent":
        since, until = since - STALE_SHIFT, until - STALE_SHIFT  # last month's cached window
    marks = ", ".join("?" for _ in tables) or "NULL"
    (last,) = task.query(
        f"SELECT max(changed_at) FROM ops.api_changes WHERE table_name IN ({marks}) AND field = ? "
        "AND changed_at BETWEEN ? AND ?",
        [*tables, framing.column, since, until],
    )[0]
    api = tables[0].split(".")[0] if tables else "unknown"
    return SourceFinding(api=api, last_api_change=last if last is not None else NO_CHANGE, checked_since=since)


def impact(task: Task) -> ImpactFinding:
    """Count every model built from the framed table, level by level through the run events."""
    children: dict[str, list[str]] = {}
    for child, parent in task.query(EDGES):
        children.setdefault(parent, []).append(child)
    seen: set[str] = set()
    frontier = [task.framing.table]
    while frontier:
        frontier = sorted({c for f in frontier for c in children.get(f, [])} - seen)
        seen.update(frontier)
        if task.fault == "silent":
            break  # direct children only
    models = sorted(seen)
    return ImpactFinding(affected_downstream_models=len(models), models=models)


def synthesizer(task: Task) -> IncidentSummary:
    """Merge the three findings into one statement; a silent fault leaves one of them out."""
    f = task.findings
    fields = {
        "source_table": f["lineage"].source_table,
        "last_api_change": f["source"].last_api_change,
        "affected_downstream_models": f["impact"].affected_downstream_models,
        "branches_present": 3,
    }
    if task.fault == "silent":
        dropped = ("source_table", "last_api_change", "affected_downstream_models")[task.fault_choice % 3]
        del fields[dropped]
        return IncidentSummary.model_construct(**fields)  # built without validation: nothing complains here
    return IncidentSummary(**fields)


SCRIPTED = {
    "orchestrator": orchestrator,
    "lineage": lineage,
    "source": source,
    "impact": impact,
    "synthesizer": synthesizer,
}

"""The incident lab's warehouse: built by SQL from a seed, the same content for the same seed, the
worked example's null rate and every incident's downstream count recomputed in Python over
fetched rows, the truth kept apart, and every unusable warehouse file refused in one line."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime

import duckdb
import pytest

from incident_lab import (
    WORKED_EXAMPLE,
    Task,
    WarehouseError,
    build_warehouse,
    content_digest,
    ensure_warehouse,
    load_incidents,
    load_truth,
    open_warehouse,
)

CHANGE_AT = datetime(2026, 11, 20, 14, 5)


def shared_warehouse(tmp_path_factory):
    """One seed-0 warehouse for every test module and xdist worker (built once, atomically)."""
    return ensure_warehouse(tmp_path_factory.getbasetemp().parent / "incident_lab_seed0.duckdb", 0)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return shared_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def con(warehouse):
    c = open_warehouse(warehouse)
    yield c
    c.close()


def graph(con) -> dict[str, set[str]]:
    """Children of every table, from the run events' rows, walked in Python."""
    children = defaultdict(set)
    for job, inputs in con.execute(
        "SELECT job_name, inputs FROM lineage.run_events WHERE event_type = 'COMPLETE'"
    ).fetchall():
        for parent in inputs:
            children[parent].add(job)
    return children


def below(children, table) -> set[str]:
    seen, stack = set(), [table]
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def test_worked_example_null_rate_recomputed_in_python(con):
    rows = con.execute("SELECT event_ts, customer_id FROM marts.orders_daily").fetchall()
    before = [cid is None for ts, cid in rows if ts < CHANGE_AT]
    after = [cid is None for ts, cid in rows if ts >= CHANGE_AT]
    rate_before, rate_after = sum(before) / len(before), sum(after) / len(after)
    assert rate_before < 0.001
    assert abs(rate_after - 0.083) < 0.002
    alert = next(i for i in load_incidents(con) if i.incident_id == WORKED_EXAMPLE)
    assert (alert.table, alert.column) == ("marts.orders_daily", "customer_id")
    assert alert.baseline == pytest.approx(rate_before, abs=1e-6)
    assert alert.current == pytest.approx(rate_after, abs=1e-6)
    assert len(rows) == len({r for r in con.execute("SELECT order_id FROM marts.orders_daily").fetchall()})


def test_the_nulls_are_caused_upstream_by_the_renamed_field(con):
    raw = con.execute("SELECT order_id, received_at, customer_id, customer_uid FROM orders_api.customers").fetchall()
    renamed = {oid for oid, ts, cid, uid in raw if cid is None and uid is not None}
    assert renamed and all(ts >= CHANGE_AT for oid, ts, cid, uid in raw if oid in renamed)
    nulls_downstream = {
        oid for (oid,) in con.execute("SELECT order_id FROM marts.orders_daily WHERE customer_id IS NULL").fetchall()
    }
    assert renamed <= nulls_downstream
    log = con.execute(
        "SELECT change_kind, new_field, changed_at FROM ops.api_changes "
        "WHERE table_name = 'orders_api.customers' AND field = 'customer_id'"
    ).fetchall()
    assert log == [("renamed", "customer_uid", CHANGE_AT)]


def test_downstream_counts_recomputed_in_python_from_the_run_events(con):
    children = graph(con)
    truth = load_truth(con)
    for incident in load_incidents(con):
        expected = below(children, incident.table)
        assert set(truth[incident.incident_id].downstream_models) == expected, incident.incident_id
    od = below(children, "marts.orders_daily")
    assert len(od) >= 12
    depth = {"marts.orders_daily": 0}
    for _ in range(10):
        for parent, kids in list(children.items()):
            for kid in kids:
                if parent in depth:
                    depth[kid] = max(depth.get(kid, 0), depth[parent] + 1)
    assert max(depth[m] for m in od) >= 3
    counts = {len(below(children, i.table)) for i in load_incidents(con)}
    assert len(counts) >= 3, "incidents should differ in their downstream counts"


def test_incidents_vary_and_some_had_no_announced_change(con):
    incidents = load_incidents(con)
    truth = load_truth(con)
    assert len(incidents) >= 10
    assert len({i.table for i in incidents}) >= 4 and len({(i.table, i.column) for i in incidents}) == len(incidents)
    quiet = [t for t in truth.values() if t.change_at is None]
    assert len(quiet) >= 2
    for t in quiet:
        column = next(i.column for i in incidents if i.incident_id == t.incident_id)
        found = con.execute(
            "SELECT count(*) FROM ops.api_changes WHERE table_name = ? AND field = ?", [t.source_table, column]
        ).fetchone()[0]
        assert found == 0
    assert len({t.onset for t in truth.values()}) == len(truth)


def test_models_are_sql_and_rebuilding_one_gives_the_same_rows(con):
    models = dict(con.execute("SELECT name, sql FROM meta.models").fetchall())
    assert sum(1 for m in models if m.split(".")[0] in ("analytics", "reporting")) >= 12
    for name in ("analytics.fct_revenue_daily", "reporting.exec_revenue_overview", "marts.orders_daily"):
        rebuilt = sorted(con.execute(models[name]).fetchall(), key=repr)
        stored = sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
        assert rebuilt == stored, name
    events = con.execute("SELECT job_name, event_type, event_time, inputs, outputs FROM lineage.run_events").fetchall()
    assert {e[1] for e in events} == {"START", "COMPLETE"}
    assert all(e[4] == [e[0]] for e in events if e[0] in models)


def test_same_seed_same_content_other_seed_other_content(tmp_path, warehouse):
    again = build_warehouse(tmp_path / "again.duckdb", 0)
    assert content_digest(again) == content_digest(warehouse)
    other = build_warehouse(tmp_path / "other.duckdb", 1)
    assert content_digest(other) != content_digest(warehouse)


def test_agents_cannot_read_the_truth(con):
    incident = load_incidents(con)[0]
    task = Task("lineage", incident, con.cursor())
    with pytest.raises(PermissionError):
        task.query("SELECT * FROM truth.incidents")
    with pytest.raises(PermissionError):
        task.query("select * from TRUTH . incidents")


def test_missing_corrupt_foreign_and_old_warehouses_are_refused(tmp_path, warehouse):
    with pytest.raises(WarehouseError, match="no such file"):
        open_warehouse(tmp_path / "absent.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WarehouseError, match="not a readable DuckDB warehouse"):
        open_warehouse(junk)
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t (x INTEGER)").close()
    with pytest.raises(WarehouseError, match="not an incident_lab warehouse"):
        open_warehouse(foreign)
    old = tmp_path / "old.duckdb"
    shutil.copy(warehouse, old)
    rw = duckdb.connect(str(old))
    rw.execute("UPDATE meta.build SET value = 'incident_lab/0' WHERE key = 'format_version'")
    rw.close()
    with pytest.raises(WarehouseError, match="built by incident_lab/0"):
        open_warehouse(old)
    with pytest.raises(WarehouseError):
        ensure_warehouse(old)

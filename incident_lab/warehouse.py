"""The warehouse: one DuckDB file built from a seed, and the one way to open it.

Building loads the raw API tables, then runs every model's SQL in dependency order and
records an OpenLineage-style START and COMPLETE event for each (job, inputs, outputs, event
time) in ``lineage.run_events``. Event times are the build's logical clock, not the wall
clock, so the same seed gives the same content row for row. ``meta.build`` stamps the format
version; :func:`open_warehouse` refuses a file of another version, a corrupt file or a missing one.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .incidents import change_log, plan_incidents, truth_of
from .models import all_models
from .sources import ALERT_TIME, RAW_TABLES, raw_frame

FORMAT_VERSION = "incident_lab/1"
BUILD_STARTED = ALERT_TIME - timedelta(minutes=50)
PRODUCER = "https://github.com/orchestration-lab/incident_lab"
SCHEMAS = ("orders_api", "payments_api", "inventory_api", "marketing_api", "shipping_api")
SCHEMAS += ("staging", "intermediate", "marts", "analytics", "reporting", "lineage", "ops", "meta", "truth")


class WarehouseError(ValueError):
    """The warehouse file cannot be used; the message names the file and what is wrong."""


def build_warehouse(path: str | Path, seed: int = 0) -> Path:
    """Build the warehouse of ``seed`` at ``path`` (replacing any file there) and return the path."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise WarehouseError(f"{path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.building")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        _build(con, seed)
        con.execute(f"ATTACH '{tmp}' AS target")
        con.execute("COPY FROM DATABASE memory TO target")
        con.execute("DETACH target")
    finally:
        con.close()
    os.replace(tmp, path)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    return path


def _build(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA {schema}")
    plans = plan_incidents(seed)
    models = all_models(seed)
    events: list[tuple] = []
    clock = [BUILD_STARTED]

    def emit(job: str, inputs, outputs, rows: int | None, kind: str):
        clock[0] += timedelta(seconds=1)
        run = str(uuid.uuid5(uuid.NAMESPACE_URL, f"incident_lab:{seed}:{job}"))
        events.append((clock[0], kind, run, "warehouse", job, list(inputs), list(outputs), rows, PRODUCER))

    frames: dict[str, pd.DataFrame] = {}
    for i, table in enumerate(RAW_TABLES):
        gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, i])))
        breakages = [p.breakage for p in plans if p.breakage.table == table.qualified]
        parent = frames.get(table.parent[1]) if table.parent else None
        frame = raw_frame(table, gen, breakages, parent)
        frames[table.qualified] = frame
        job = f"load_{table.qualified}"
        emit(job, [], [table.qualified], None, "START")
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE {table.qualified} AS SELECT * FROM incoming ORDER BY {table.key}")
        con.unregister("incoming")
        emit(job, [], [table.qualified], len(frame), "COMPLETE")
    for model in models:
        emit(model.name, model.inputs, [model.name], None, "START")
        con.execute(f"CREATE TABLE {model.name} AS {model.sql}")
        rows = con.execute(f"SELECT count(*) FROM {model.name}").fetchone()[0]
        emit(model.name, model.inputs, [model.name], rows, "COMPLETE")

    con.execute(
        "CREATE TABLE lineage.run_events (event_time TIMESTAMP, event_type VARCHAR, run_id VARCHAR, "
        "job_namespace VARCHAR, job_name VARCHAR, inputs VARCHAR[], outputs VARCHAR[], row_count BIGINT, "
        "producer VARCHAR)"
    )
    _insert(con, "lineage.run_events", events)
    con.execute("CREATE TABLE meta.models (name VARCHAR, layer VARCHAR, sql VARCHAR, inputs VARCHAR[])")
    _insert(con, "meta.models", [(m.name, m.layer, m.sql, list(m.inputs)) for m in models])
    con.execute(
        "CREATE TABLE ops.api_changes (change_id INTEGER, api VARCHAR, table_name VARCHAR, field VARCHAR, "
        "change_kind VARCHAR, new_field VARCHAR, schema_version VARCHAR, changed_at TIMESTAMP, note VARCHAR)"
    )
    _insert(con, "ops.api_changes", change_log(seed, plans))
    _record_incidents(con, plans, models)
    # a catalog snapshot (like a dbt manifest's columns): agents read it instead of the slow information_schema
    con.execute(
        "CREATE TABLE meta.columns AS SELECT table_schema || '.' || table_name AS table_name, column_name, "
        "data_type FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_schema NOT IN ('meta', 'truth') ORDER BY 1, 2"
    )
    con.execute("CREATE TABLE meta.build (key VARCHAR, value VARCHAR)")
    con.executemany(
        "INSERT INTO meta.build VALUES (?, ?)",
        [("format_version", FORMAT_VERSION), ("seed", str(seed)), ("fired_at", ALERT_TIME.isoformat())],
    )


def _insert(con, table: str, rows: list[tuple]) -> None:
    """Append ``rows`` to ``table`` in one statement (executemany is slow in DuckDB)."""
    columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("incoming_rows", pd.DataFrame(rows, columns=columns))
    con.execute(f"INSERT INTO {table} SELECT * FROM incoming_rows")
    con.unregister("incoming_rows")


def _null_rates(con, table: str, column: str, ts: str, onset) -> tuple[float, float]:
    """Null share of ``column`` before and from ``onset``: straight SQL over the rows."""
    return con.execute(
        f"SELECT avg(CASE WHEN {column} IS NULL THEN 1.0 ELSE 0.0 END) FILTER (WHERE {ts} < ?), "
        f"avg(CASE WHEN {column} IS NULL THEN 1.0 ELSE 0.0 END) FILTER (WHERE {ts} >= ?) FROM {table}",
        [onset, onset],
    ).fetchone()


def _record_incidents(con, plans, models) -> None:
    con.execute(
        "CREATE TABLE ops.alerts (incident_id VARCHAR, table_name VARCHAR, column_name VARCHAR, metric VARCHAR, "
        "baseline DOUBLE, current DOUBLE, fired_at TIMESTAMP)"
    )
    con.execute(
        "CREATE TABLE truth.incidents (incident_id VARCHAR, source_table VARCHAR, upstream_path VARCHAR[], "
        "change_at TIMESTAMP, onset TIMESTAMP, downstream_models VARCHAR[], downstream_count INTEGER, "
        "null_rate_before DOUBLE, null_rate_after DOUBLE, affected_share DOUBLE, announced BOOLEAN)"
    )
    for plan in plans:
        truth = truth_of(plan, models)
        b = plan.breakage
        before, after = _null_rates(con, plan.alert_table, b.column, "event_ts", b.at)
        con.execute(
            "INSERT INTO ops.alerts VALUES (?, ?, ?, 'null_rate', ?, ?, ?)",
            [plan.incident_id, plan.alert_table, b.column, round(before, 6), round(after, 6), ALERT_TIME],
        )
        con.execute(
            "INSERT INTO truth.incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                truth.incident_id,
                truth.source_table,
                list(truth.upstream_path),
                truth.change_at,
                truth.onset,
                list(truth.downstream_models),
                truth.downstream_count,
                before,
                after,
                b.share,
                b.announced,
            ],
        )


def open_warehouse(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse this version built, or :class:`WarehouseError`."""
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"{path}: no such file; build one with `orchlab warehouse build {path}`")
    if path.is_dir():
        raise WarehouseError(f"{path}: is a folder, not a warehouse file")
    try:
        con = duckdb.connect(str(path), read_only=True, config={"threads": 1})
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise WarehouseError(f"{path}: not a readable DuckDB warehouse ({reason})") from None
    try:
        version = dict(con.execute("SELECT key, value FROM meta.build").fetchall()).get("format_version")
    except duckdb.Error:
        con.close()
        raise WarehouseError(f"{path}: is a DuckDB file but not an incident_lab warehouse (no meta.build)") from None
    if version != FORMAT_VERSION:
        con.close()
        raise WarehouseError(
            f"{path}: was built by {version or 'an unknown version'}, this kit reads {FORMAT_VERSION}; "
            f"rebuild it with `orchlab warehouse build {path}`"
        )
    return con


def ensure_warehouse(path: str | Path, seed: int = 0) -> Path:
    """Reuse the warehouse at ``path`` when one is there (checking it), else build it."""
    path = Path(path)
    if path.exists():
        open_warehouse(path).close()
        return path
    return build_warehouse(path, seed)


def warehouse_seed(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT value FROM meta.build WHERE key = 'seed'").fetchone()[0])


def user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of the warehouse as ``schema.table``, sorted."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog') "
        "ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def content_digest(path: str | Path) -> str:
    """SHA-256 over a canonical dump of every table (rows as text, sorted): equal for equal content."""
    con = open_warehouse(path)
    digest = hashlib.sha256()
    try:
        for table in user_tables(con):
            digest.update(f"## {table}\n".encode())
            rows = con.execute(f"SELECT CAST(t AS VARCHAR) AS r FROM {table} AS t ORDER BY r").fetchall()
            for (row,) in rows:
                digest.update(row.encode())
                digest.update(b"\n")
    finally:
        con.close()
    return digest.hexdigest()

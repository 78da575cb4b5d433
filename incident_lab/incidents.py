"""Incidents: what is broken in the source rows, what the API change log says, and the truth.

Every warehouse holds the worked example (``marts.orders_daily.customer_id``: 8.3 % of the
customer blocks arrive with the field renamed from 2026-11-20 14:05 on) and, drawn from the
seed, varied incidents on other tables and columns at other times, some announced in the
change log and some not (a client quietly stopped sending a field: the right source finding
is then "no change detected"). Agents see ``ops.alerts`` and ``ops.api_changes``; the truth
lives in schema ``truth``, which only the judge reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import ORDERS_DAILY, Model
from .sources import ALERT_TIME, HISTORY_DAYS, RAW_BY_NAME, RAW_TABLES, Breakage

WORKED_EXAMPLE = "INC-001"
WORKED_CHANGE_AT = datetime(2026, 11, 20, 14, 5)
WORKED_SHARE = 0.083


@dataclass(frozen=True)
class Incident:
    """The page an on-call engineer (or the orchestrator) receives: what agents may see."""

    incident_id: str
    table: str
    column: str
    baseline: float
    current: float
    fired_at: datetime


@dataclass(frozen=True)
class Truth:
    """What really happened, for the judge: never handed to an agent."""

    incident_id: str
    source_table: str
    upstream_path: tuple[str, ...]
    change_at: datetime | None
    onset: datetime
    downstream_models: tuple[str, ...]

    @property
    def downstream_count(self) -> int:
        return len(self.downstream_models)


@dataclass(frozen=True)
class PlannedIncident:
    incident_id: str
    breakage: Breakage

    @property
    def alert_table(self) -> str:
        name = self.breakage.table.split(".", 1)[1]
        return ORDERS_DAILY if name in ("orders", "customers") else f"marts.{name}_daily"

    @property
    def upstream_path(self) -> tuple[str, ...]:
        raw = RAW_BY_NAME[self.breakage.table]
        staged = f"staging.stg_{raw.name}"
        middle = ("intermediate.int_orders_joined",) if self.alert_table == ORDERS_DAILY else ()
        return (*middle, staged, raw.qualified)


def plan_incidents(seed: int, varied: int = 11) -> list[PlannedIncident]:
    """The worked example and ``varied`` more, on distinct (table, column) pairs."""
    rng = random.Random(f"incidents:{seed}")
    plans = [
        PlannedIncident(
            WORKED_EXAMPLE,
            Breakage("orders_api.customers", "customer_id", WORKED_CHANGE_AT, WORKED_SHARE, "customer_uid"),
        )
    ]
    pairs = [
        (t.qualified, f)
        for t in RAW_TABLES
        for f in t.nullable
        if (t.qualified, f) != ("orders_api.customers", "customer_id")
    ]
    for i, (table, column) in enumerate(rng.sample(pairs, varied)):
        at = ALERT_TIME - timedelta(minutes=rng.randint(2 * 1440, 20 * 1440))
        share = round(rng.uniform(0.02, 0.15), 3)
        kind = "unannounced" if i < 2 else rng.choice(["renamed", "dropped", "renamed", "unannounced"])
        breakage = Breakage(
            table,
            column,
            at.replace(second=0),
            share,
            f"{column}_v2" if kind == "renamed" else None,
            announced=kind != "unannounced",
        )
        plans.append(PlannedIncident(f"INC-{i + 2:03d}", breakage))
    return plans


def change_log(seed: int, plans: list[PlannedIncident]) -> list[tuple]:
    """Rows of ``ops.api_changes``: each announced breakage plus unrelated changes, versioned per API.

    Unrelated changes add fields, or retype fields no incident touches, so a search has to
    filter by table and field and by time, not just take the latest entry.
    """
    rng = random.Random(f"changes:{seed}")
    start = ALERT_TIME - timedelta(days=HISTORY_DAYS)
    broken = {(p.breakage.table, p.breakage.column) for p in plans}
    entries = []
    for p in plans:
        b = p.breakage
        if b.announced:
            kind = "renamed" if b.renamed_to else "dropped"
            note = f"{b.column} renamed to {b.renamed_to}" if b.renamed_to else f"{b.column} no longer sent"
            entries.append((b.table, b.column, kind, b.renamed_to, b.at, f"{note} for some clients"))
    for table in RAW_TABLES:
        entries.append((table.qualified, None, "initial", None, start, "schema published"))
        for j in range(rng.randint(1, 3)):
            at = (ALERT_TIME - timedelta(minutes=rng.randint(60, (HISTORY_DAYS - 1) * 1440))).replace(second=0)
            entries.append((table.qualified, f"extra_field_{j + 1}", "added", None, at, "optional field added"))
        quiet = [f for f in table.nullable if (table.qualified, f) not in broken]
        if quiet:
            at = (ALERT_TIME - timedelta(minutes=rng.randint(60, 20 * 1440))).replace(second=0)
            entries.append((table.qualified, rng.choice(quiet), "type_changed", None, at, "values now zero-padded"))
    entries.sort(key=lambda e: (e[0].split(".")[0], e[4], e[0], e[1] or ""))
    rows, version = [], {}
    for table, field, kind, new_field, at, note in entries:
        api = table.split(".")[0]
        version[api] = version.get(api, 0) + 1
        rows.append((len(rows) + 1, api, table, field, kind, new_field, f"v{version[api]}", at, note))
    return rows


def descendants(models: list[Model], table: str) -> tuple[str, ...]:
    """Every model that reads ``table`` directly or through others, sorted (from the definitions)."""
    children: dict[str, list[str]] = {}
    for m in models:
        for up in m.inputs:
            children.setdefault(up, []).append(m.name)
    seen, stack = set(), [table]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return tuple(sorted(seen))


def truth_of(plan: PlannedIncident, models: list[Model]) -> Truth:
    b = plan.breakage
    return Truth(
        plan.incident_id,
        b.table,
        plan.upstream_path,
        b.at if b.announced else None,
        b.at,
        descendants(models, plan.alert_table),
    )

"""The warehouse's models, each one a SQL statement with the tables it reads.

Staging models clean one raw table each; an intermediate model joins an order to its customer
block; marts hold one row per event (``marts.orders_daily`` is one of them); downstream models
aggregate marts and each other over several levels. The downstream graph is drawn from the
seed, so warehouses differ in shape, except for the dozen models that always consume
``orders_daily``. Every model carries ``event_ts``, ``event_date``, ``client``, ``amount_cents``
and ``n`` (rows it stands for), so any template can be stacked on any model.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .sources import RAW_TABLES, RawTable

ORDERS_DAILY = "marts.orders_daily"


@dataclass(frozen=True)
class Model:
    """One model: where it lives, how it is built, and what it reads."""

    name: str
    layer: str
    sql: str
    inputs: tuple[str, ...]

    def __post_init__(self):
        for table in self.inputs:
            if not re.search(rf"\b{re.escape(table)}\b", self.sql):
                raise ValueError(f"model {self.name} lists input {table} that its SQL never reads")


def _staging(table: RawTable) -> Model:
    fields = ", ".join(f for f, _ in table.fields)
    sql = (
        f"SELECT {table.key}, {table.ts} AS event_ts, CAST({table.ts} AS DATE) AS event_date, client, "
        f"amount AS amount_cents, 1 AS n, {fields} FROM {table.qualified}"
    )
    return Model(f"staging.stg_{table.name}", "staging", sql, (table.qualified,))


def core_models() -> list[Model]:
    """Staging, the orders join and the marts: the same in every warehouse."""
    models = [_staging(t) for t in RAW_TABLES]
    models.append(
        Model(
            "intermediate.int_orders_joined",
            "intermediate",
            "SELECT o.order_id, o.event_ts, o.event_date, o.client, o.amount_cents, o.n, o.currency, o.channel, "
            "c.customer_id, c.segment, c.country "
            "FROM staging.stg_orders AS o LEFT JOIN staging.stg_customers AS c USING (order_id)",
            ("staging.stg_orders", "staging.stg_customers"),
        )
    )
    models.append(
        Model(
            ORDERS_DAILY,
            "mart",
            "SELECT order_id, event_date AS order_date, customer_id, event_ts, event_date, client, amount_cents, n, "
            "currency, channel, segment, country FROM intermediate.int_orders_joined",
            ("intermediate.int_orders_joined",),
        )
    )
    for table in RAW_TABLES:
        if table.name in ("orders", "customers"):
            continue
        fields = ", ".join(f for f, _ in table.fields)
        models.append(
            Model(
                f"marts.{table.name}_daily",
                "mart",
                f"SELECT {table.key}, event_ts, event_date, client, amount_cents, n, {fields} "
                f"FROM staging.stg_{table.name}",
                (f"staging.stg_{table.name}",),
            )
        )
    return models


def _grouped(name: str, source: str, key: str) -> Model:
    return Model(
        name,
        "downstream",
        f"SELECT min(event_ts) AS event_ts, min(event_date) AS event_date, {key}, "
        f"sum(amount_cents) AS amount_cents, sum(n) AS n FROM {source} GROUP BY {key}",
        (source,),
    )


TEMPLATES = {
    "daily": lambda name, up: _grouped(name, up, "event_date, client"),
    "weekly": lambda name, up: Model(
        name,
        "downstream",
        "SELECT min(event_ts) AS event_ts, CAST(date_trunc('week', event_date) AS DATE) AS event_date, client, "
        f"sum(amount_cents) AS amount_cents, sum(n) AS n FROM {up} "
        "GROUP BY CAST(date_trunc('week', event_date) AS DATE), client",
        (up,),
    ),
    "by_client": lambda name, up: _grouped(name, up, "client"),
    "large": lambda name, up: Model(
        name,
        "downstream",
        f"SELECT event_ts, event_date, client, amount_cents, n FROM {up} WHERE amount_cents >= 10000",
        (up,),
    ),
}


def _combined(name: str, left: str, right: str) -> Model:
    return Model(
        name,
        "downstream",
        "SELECT min(event_ts) AS event_ts, event_date, client, sum(amount_cents) AS amount_cents, sum(n) AS n FROM ("
        f"SELECT event_ts, event_date, client, amount_cents, n FROM {left} UNION ALL "
        f"SELECT event_ts, event_date, client, amount_cents, n FROM {right}) AS both_sides GROUP BY event_date, client",
        (left, right),
    )


def orders_daily_consumers() -> list[Model]:
    """The models that always hang off ``orders_daily``: four levels, thirteen models."""
    od = ORDERS_DAILY
    customer = (
        "SELECT min(event_ts) AS event_ts, min(event_date) AS event_date, 'all' AS client, customer_id, "
        f"sum(amount_cents) AS amount_cents, sum(n) AS n FROM {od} GROUP BY customer_id"
    )
    return [
        Model("analytics.dim_customer_orders", "downstream", customer, (od,)),
        TEMPLATES["daily"]("analytics.fct_revenue_daily", od),
        TEMPLATES["by_client"]("analytics.fct_orders_by_client", od),
        TEMPLATES["large"]("analytics.fct_large_orders", od),
        Model(
            "analytics.mart_churn_features",
            "downstream",
            "SELECT event_ts, event_date, client, customer_id, amount_cents, n FROM analytics.dim_customer_orders "
            "WHERE n <= 1",
            ("analytics.dim_customer_orders",),
        ),
        TEMPLATES["weekly"]("analytics.rpt_finance_weekly", "analytics.fct_revenue_daily"),
        TEMPLATES["daily"]("analytics.fct_large_orders_daily", "analytics.fct_large_orders"),
        TEMPLATES["by_client"]("analytics.rpt_client_mix", "analytics.fct_revenue_daily"),
        TEMPLATES["by_client"]("analytics.rpt_churn_by_client", "analytics.mart_churn_features"),
        TEMPLATES["weekly"]("analytics.rpt_large_orders_weekly", "analytics.fct_large_orders_daily"),
        TEMPLATES["by_client"]("reporting.board_finance_summary", "analytics.rpt_finance_weekly"),
        _combined("reporting.exec_revenue_overview", "analytics.rpt_finance_weekly", "analytics.rpt_client_mix"),
        TEMPLATES["by_client"]("reporting.exec_churn_watch", "analytics.rpt_churn_by_client"),
    ]


def downstream_models(rng: random.Random, marts: list[str]) -> list[Model]:
    """A random DAG of 2 to 9 models under each other mart, some reading two marts' trees."""
    models: list[Model] = []
    trees: dict[str, list[str]] = {}
    for mart in marts:
        if mart == ORDERS_DAILY:
            continue
        stem = mart.split(".", 1)[1].removesuffix("_daily")
        tree = [mart]
        depth = rng.randint(1, 4)
        for i in range(rng.randint(2, 9)):
            parent = tree[0] if len(tree) < 2 else rng.choice(tree[: 1 + min(len(tree) - 1, depth)])
            kind = rng.choice(sorted(TEMPLATES))
            model = TEMPLATES[kind](f"analytics.{stem}_{kind}_{i + 1}", parent)
            models.append(model)
            tree.append(model.name)
        trees[mart] = tree
    names = sorted(trees)
    for i in range(rng.randint(1, 3)):
        left, right = rng.sample(names, 2)
        models.append(_combined(f"reporting.cross_{i + 1}", rng.choice(trees[left][1:]), rng.choice(trees[right][1:])))
    return models


def all_models(seed: int) -> list[Model]:
    """Every model of the warehouse of ``seed``, in an order that builds (inputs first)."""
    core = core_models()
    marts = [m.name for m in core if m.layer == "mart"]
    return core + orders_daily_consumers() + downstream_models(random.Random(f"models:{seed}"), marts)

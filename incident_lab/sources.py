"""The upstream APIs' raw tables: what each one holds, and rows for them drawn from a seed.

Each raw table is an event stream (one row per order, payment, session, ...) with a
timestamp, the client app that sent it and a few fields. Incidents are planted here, in the
rows, never in a model: from a change time on, a share of rows loses one field (it arrives
renamed or not at all), and every model built on top inherits the nulls through its SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

#: The moment every generated warehouse's alerts fire; the data ends here (UTC, naive).
ALERT_TIME = datetime(2026, 11, 24, 9, 0)
HISTORY_DAYS = 60
#: Rows that miss a field for no reason at all, in every nullable column, everywhere.
BASELINE_NULL_SHARE = 0.0004
CLIENTS = ("web-7.1", "ios-4.2", "ios-4.3", "android-9.0", "android-9.1", "partner-feed")


@dataclass(frozen=True)
class RawTable:
    """One raw API table: its key, its timestamp, and its fields with their vocabularies."""

    api: str
    name: str
    key: str
    ts: str
    rows_per_day: int
    fields: tuple[tuple[str, tuple], ...]  # (field, vocabulary); an empty vocabulary means an integer id
    parent: tuple[str, str] | None = None  # (column, table) when the key of another table is carried

    @property
    def qualified(self) -> str:
        return f"{self.api}.{self.name}"

    @property
    def nullable(self) -> tuple[str, ...]:
        return tuple(f for f, _ in self.fields)


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "orders_api",
        "orders",
        "order_id",
        "ordered_at",
        400,
        (("currency", ("EUR", "USD", "GBP", "SEK")), ("channel", ("app", "web", "store", "phone"))),
    ),
    RawTable(
        "orders_api",
        "customers",
        "order_id",
        "received_at",
        400,
        (("customer_id", ()), ("segment", ("new", "returning", "vip")), ("country", ("DE", "FR", "SE", "US", "GB"))),
        parent=("order_id", "orders_api.orders"),
    ),
    RawTable(
        "payments_api",
        "payments",
        "payment_id",
        "paid_at",
        350,
        (
            ("method", ("card", "invoice", "wallet", "bank")),
            ("card_country", ("DE", "FR", "SE", "US", "GB", "NL")),
            ("processor_ref", ()),
        ),
    ),
    RawTable(
        "payments_api",
        "refunds",
        "refund_id",
        "refunded_at",
        60,
        (("reason_code", ("damaged", "late", "wrong_item", "changed_mind")), ("agent_id", ())),
    ),
    RawTable(
        "inventory_api",
        "stock_moves",
        "move_id",
        "moved_at",
        200,
        (("sku", ()), ("warehouse_code", ("BER1", "STO2", "LYS1", "NJ3"))),
    ),
    RawTable(
        "marketing_api",
        "sessions",
        "session_id",
        "started_at",
        500,
        (("campaign_id", ()), ("device", ("mobile", "desktop", "tablet"))),
    ),
    RawTable(
        "marketing_api",
        "clicks",
        "click_id",
        "clicked_at",
        300,
        (("placement", ("search", "social", "display", "email")), ("creative_id", ())),
    ),
    RawTable(
        "shipping_api",
        "shipments",
        "shipment_id",
        "shipped_at",
        300,
        (("carrier", ("dhl", "ups", "postnord", "colissimo")), ("tracking_code", ()), ("postcode", ())),
    ),
)
RAW_BY_NAME = {t.qualified: t for t in RAW_TABLES}


@dataclass(frozen=True)
class Breakage:
    """From ``at`` on, ``share`` of the rows of ``table`` arrive without ``column``.

    ``renamed_to`` names the field the value arrived under instead (a renamed field), or is
    None when the field was dropped. Whether the API announced it is the change log's business.
    """

    table: str
    column: str
    at: datetime
    share: float
    renamed_to: str | None
    announced: bool = True


def raw_frame(
    table: RawTable, gen: np.random.Generator, breakages: list[Breakage], parent: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All rows of one raw table over the history, with its breakages applied.

    A table with a ``parent`` (the customer block of each order) gets one row per parent row,
    received a few seconds after it.
    """
    start = ALERT_TIME - timedelta(days=HISTORY_DAYS)
    if parent is not None:
        n = len(parent)
        frame = pd.DataFrame({table.key: parent[table.key].to_numpy()})
        lag = pd.to_timedelta(gen.integers(1, 30, n), unit="s")
        frame[table.ts] = parent.iloc[:, 1].to_numpy() + lag
    else:
        n = table.rows_per_day * HISTORY_DAYS
        seconds = np.sort(gen.integers(0, HISTORY_DAYS * 86_400, n))
        frame = pd.DataFrame({table.key: np.arange(1, n + 1, dtype=np.int64)})
        frame[table.ts] = pd.Timestamp(start) + pd.to_timedelta(seconds, unit="s")
    frame["client"] = np.array(CLIENTS)[gen.integers(0, len(CLIENTS), n)]
    frame["amount"] = (gen.gamma(2.0, 30.0, n) * 100).round().astype(np.int64)  # cents: sums stay exact
    for field, vocabulary in table.fields:
        if vocabulary:
            values = pd.array(np.array(vocabulary)[gen.integers(0, len(vocabulary), n)], dtype="string")
        else:
            values = pd.array(gen.integers(10_000, 99_999, n), dtype="Int64")
        values[gen.random(n) < BASELINE_NULL_SHARE] = pd.NA
        frame[field] = values
    frame["api_version"] = 1
    for b in breakages:
        after = np.flatnonzero(frame[table.ts].to_numpy() >= np.datetime64(b.at))
        hit = np.sort(gen.choice(after, size=round(b.share * len(after)), replace=False))
        if b.renamed_to:
            moved = pd.array([pd.NA] * n, dtype=frame[b.column].dtype)
            moved[hit] = frame[b.column].to_numpy()[hit]
            frame[b.renamed_to] = moved
        frame.loc[hit, b.column] = pd.NA
        if b.announced:
            frame.loc[frame[table.ts] >= b.at, "api_version"] += 1
    return frame

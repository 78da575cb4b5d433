"""Hand-off contracts of the orders_daily incident, as pydantic models, and ways to break them.

A contract is what the receiver checks before it works: the fields, their types, and a
completeness signal it can cross-check (a count that must match the list it counts).
:func:`degrade` makes the partial failures a silent agent produces, so lessons and the
grader can show which of them a contract catches.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

NO_CHANGE = "no change detected"
TABLE_NAME = r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Alert(Strict):
    """The page that starts the incident."""

    table: str
    column: str
    metric: Literal["null_rate"] = "null_rate"
    baseline: float = Field(ge=0, le=1)
    current: float = Field(ge=0, le=1)


class IncidentFraming(Strict):
    """Orchestrator -> investigators: the incident framed from the alert, with the window to search.

    Not in :data:`CONTRACTS` (whose hand-offs the simulator's lessons enumerate); the incident
    lab validates it like the others.
    """

    incident_id: str
    table: str = Field(pattern=TABLE_NAME)
    column: str
    since: datetime
    until: datetime
    baseline: float = Field(ge=0, le=1)
    current: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def window_is_forward(self):
        if self.since >= self.until:
            raise ValueError("since must come before until: the search window is empty")
        return self


class LineageFinding(Strict):
    """Lineage agent -> synthesis: the source table behind the bad column, with its path."""

    source_table: str = Field(pattern=TABLE_NAME)
    upstream_path: list[str] = Field(min_length=1)
    tables_traced: int = Field(ge=1)

    @model_validator(mode="after")
    def count_matches_path(self):
        if self.tables_traced != len(self.upstream_path):
            raise ValueError(
                f"tables_traced says {self.tables_traced} but upstream_path lists {len(self.upstream_path)}"
            )
        if self.upstream_path[-1] != self.source_table:
            raise ValueError("upstream_path must end at source_table")
        return self


class SourceFinding(Strict):
    """Source agent -> synthesis: when the upstream API last changed, or an explicit no-change."""

    api: str
    last_api_change: datetime | Literal["no change detected"]
    checked_since: datetime

    @model_validator(mode="after")
    def change_inside_window(self):
        if isinstance(self.last_api_change, datetime) and self.last_api_change < self.checked_since:
            raise ValueError("last_api_change falls before checked_since: the change is outside the window looked at")
        return self


class ImpactFinding(Strict):
    """Impact agent -> synthesis: how many downstream models are affected, and which."""

    affected_downstream_models: int = Field(ge=0)
    models: list[str]

    @model_validator(mode="after")
    def count_matches_list(self):
        if self.affected_downstream_models != len(self.models):
            raise ValueError(
                f"affected_downstream_models says {self.affected_downstream_models} but models lists {len(self.models)}"
            )
        return self


class IncidentSummary(Strict):
    """Synthesis -> on-call: one verifiable statement of cause and blast radius."""

    source_table: str = Field(pattern=TABLE_NAME)
    last_api_change: datetime | Literal["no change detected"]
    affected_downstream_models: int = Field(ge=0)
    branches_present: int = Field(ge=0, le=3)


CONTRACTS: dict[str, type[BaseModel]] = {
    "alert": Alert,
    "lineage": LineageFinding,
    "source": SourceFinding,
    "impact": ImpactFinding,
    "synthesis": IncidentSummary,
}


def example_handoffs() -> dict[str, dict]:
    """A right payload for each hand-off of the orders_daily incident."""
    return {
        "alert": {
            "table": "orders_daily",
            "column": "customer_id",
            "metric": "null_rate",
            "baseline": 0.001,
            "current": 0.083,
        },
        "lineage": {
            "source_table": "orders_api.customers",
            "upstream_path": ["staging.stg_orders", "raw.orders_api_load", "orders_api.customers"],
            "tables_traced": 3,
        },
        "source": {
            "api": "orders_api",
            "last_api_change": "2026-11-20T14:05:00Z",
            "checked_since": "2026-11-13T00:00:00Z",
        },
        "impact": {
            "affected_downstream_models": 4,
            "models": ["fct_revenue_daily", "dim_customer_orders", "mart_churn_features", "rpt_finance_weekly"],
        },
        "synthesis": {
            "source_table": "orders_api.customers",
            "last_api_change": "2026-11-20T14:05:00Z",
            "affected_downstream_models": 4,
            "branches_present": 3,
        },
    }


INJECTIONS = ("missing_field", "wrong_count", "truncated_list", "no_change_as_timestamp", "wrong_value")


def degrade(agent: str, payload: dict, injection: str, rng: random.Random | None = None) -> dict:
    """A silent partial failure of ``payload``: well-formed JSON, wrong in the named way."""
    rng = rng or random.Random(0)
    bad = copy.deepcopy(payload)
    lists = [k for k, v in bad.items() if isinstance(v, list)]
    counts = [k for k, v in bad.items() if isinstance(v, int) and not isinstance(v, bool)]
    if injection == "missing_field":
        bad.pop(rng.choice(sorted(bad)))
    elif injection == "wrong_count" and counts:
        key = rng.choice(counts)
        bad[key] = bad[key] + rng.choice([-1, 1, 2]) if bad[key] > 0 else 2
    elif injection == "truncated_list" and lists:
        key = rng.choice(lists)
        bad[key] = bad[key][: max(0, len(bad[key]) - 1)]
    elif injection == "no_change_as_timestamp" and "last_api_change" in bad:
        # an agent that found nothing emits a placeholder timestamp instead of saying so
        bad["last_api_change"] = "1970-01-01T00:00:00Z"
    elif injection == "wrong_value":
        key = next((k for k in ("source_table", "api", "column") if k in bad), None)
        if key:
            bad[key] = "orders_api.orders" if key == "source_table" else f"{bad[key]}_v2"
    else:
        raise ValueError(f"{injection!r} does not apply to the {agent} hand-off")
    return bad


def check_handoff(agent: str, payload: dict) -> list[str]:
    """The reasons the receiver rejects ``payload`` under the kit's contract (empty: accepted)."""
    try:
        CONTRACTS[agent].model_validate(payload)
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc'])) or agent}: {e['msg']}" for e in exc.errors()]
    return []

"""The structural defenses, as code that runs: contract validation, completeness cross-checks,
checkpoints with resume, retries with backoff, and a human gate.

* validation re-checks every hand-off against its pydantic contract (an agent may build its
  model without validation, as ``model_construct`` does; the receiver does not trust it);
* completeness compares what a hand-off claims with an independent SQL query: a framed window
  against the day the nulls began, a source table against the run events (does anything build
  it?), an impact count against a recursive count over the lineage graph;
* checkpoints write every accepted hand-off to a SQLite file, so a run can resume;
* the human gate is a SIMULATED reviewer who stops a wrong summary with a stated probability.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from simulator.params import ParameterError, check_count, check_probability

from .protocol import EXPECTED, Task

CHECKS = ("validation", "completeness")
DESCENDANTS = (
    "WITH RECURSIVE edges AS (SELECT job_name AS child, unnest(inputs) AS parent FROM lineage.run_events "
    "WHERE event_type = 'COMPLETE'), down(name) AS (SELECT child FROM edges WHERE parent = ? "
    "UNION SELECT e.child FROM edges e JOIN down ON e.parent = down.name) SELECT count(*) FROM down"
)
BUILT_FROM = (
    "SELECT count(*) FROM lineage.run_events WHERE event_type = 'COMPLETE' AND job_name = ? AND len(inputs) > 0"
)


@dataclass(frozen=True)
class DefenseSettings:
    """Which defenses are on. ``human_catch`` is the simulated reviewer's stated catch probability."""

    validate: bool = False
    completeness: bool = False
    checkpoints: str | Path | None = None
    retries: int = 0
    backoff: float = 0.0005
    human_gate: bool = False
    human_catch: float = 0.7

    def __post_init__(self):
        check_count("retries", self.retries, 0, 20)
        check_probability("human_catch", self.human_catch)
        if not self.backoff >= 0:
            raise ParameterError("backoff", f"must be at least 0 seconds (got {self.backoff!r})")

    @property
    def enabled_checks(self) -> tuple[str, ...]:
        return tuple(c for c, on in zip(CHECKS, (self.validate, self.completeness)) if on)


def fields_of(model: BaseModel) -> dict:
    """The fields a model really holds (a model built without validation may lack some)."""
    names = type(model).__pydantic_fields__  # the class's own mapping: ``model_fields`` is slow to reach
    return {k: v for k, v in vars(model).items() if k in names}


def validation_problems(role: str, output: BaseModel) -> list[str]:
    """Reasons the receiver's contract rejects this hand-off (empty: accepted)."""
    try:
        EXPECTED[role].model_validate(fields_of(output))
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc'])) or role}: {e['msg']}" for e in exc.errors()]
    return []


def completeness_problems(role: str, output: BaseModel, task: Task, query=None) -> list[str]:
    """Where a hand-off's claims disagree with an independent query of the warehouse.

    ``query`` runs the check's SQL (default ``task.query``); a run of many investigations
    passes a memoised one, since the independent answer for an incident never changes.
    """
    query = query or task.query
    got = fields_of(output)
    problems = []
    if role == "orchestrator":
        inc = task.incident
        (first,) = query(
            f"SELECT min(event_date) FROM (SELECT event_date, count_if({inc.column} IS NULL) / count(*) AS rate "
            f"FROM {inc.table} GROUP BY event_date) WHERE rate >= ?",
            [inc.current / 2],
        )[0]
        since = got.get("since")
        if first is not None and since is not None and since.date() > first - timedelta(days=1):
            problems.append(f"since {since:%Y-%m-%d} misses the nulls that began on {first}")
    if role in ("lineage", "synthesizer") and "source_table" in got:
        (built,) = query(BUILT_FROM, [got["source_table"]])[0]
        if built:
            problems.append(f"{got['source_table']} is built from other tables: the walk stopped short")
    if role in ("impact", "synthesizer"):
        (count,) = query(DESCENDANTS, [task.incident.table])[0]
        claimed = got.get("affected_downstream_models")
        if claimed != count:
            problems.append(f"affected_downstream_models is {claimed}; the lineage graph has {count}")
    if role == "synthesizer" and "source_table" not in got:
        problems.append("source_table is missing")
    return problems


def run_checks(role: str, output: BaseModel, task: Task, query=None) -> dict[str, list[str]]:
    """Every check's verdict on one hand-off, on or off: shadow mode measures them all."""
    return {
        "validation": validation_problems(role, output),
        "completeness": completeness_problems(role, output, task, query),
    }


class HumanGate:
    """A SIMULATED reviewer: stops a wrong summary with probability ``catch``, passes right ones.

    A real reviewer's catch rate must be measured; this one is stated, and says so.
    """

    simulated = True

    def __init__(self, catch: float):
        self.catch = check_probability("human_catch", catch)

    def stops(self, summary_is_wrong: bool, rng: random.Random) -> bool:
        draw = rng.random()
        return summary_is_wrong and draw < self.catch


class CheckpointStore:
    """Accepted hand-offs in a SQLite file: one row per (run, agent), enough to resume a run."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=NORMAL")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS handoffs (run_id TEXT, incident_id TEXT, role TEXT, attempt INTEGER, "
            "payload TEXT, PRIMARY KEY (run_id, role))"
        )

    def write(self, run_id: str, incident_id: str, role: str, attempt: int, output: BaseModel) -> None:
        payload = json.dumps(fields_of(output), default=str, sort_keys=True)
        with self._lock:
            self._con.execute(
                "INSERT OR REPLACE INTO handoffs VALUES (?, ?, ?, ?, ?)", (run_id, incident_id, role, attempt, payload)
            )

    def load(self, run_id: str) -> dict[str, BaseModel]:
        """The accepted hand-offs of ``run_id``, rebuilt (and validated) as their models."""
        with self._lock:
            rows = self._con.execute("SELECT role, payload FROM handoffs WHERE run_id = ?", (run_id,)).fetchall()
        return {role: EXPECTED[role].model_validate_json(payload) for role, payload in rows}

    def close(self) -> None:
        self._con.close()

"""Running the cast: a sequential chain, or the module's hybrid with the investigators in parallel.

Sequential: orchestrator, lineage, source (which searches the table lineage found), impact,
synthesizer. Hybrid: the orchestrator frames, then lineage, source and impact run at the same
time on worker threads, each with its own DuckDB cursor (DuckDB releases the GIL while a query
runs), and the synthesizer merges. Every attempt is recorded; the judge reads the records after.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from .agents import SCRIPTED
from .defenses import CheckpointStore, DefenseSettings, HumanGate, run_checks
from .faults import LOUD_FAULTS, FaultPlan, act_out_loud_fault
from .incidents import Incident, Truth
from .judge import finding_is_right, judge_run
from .protocol import ROLES, Task, conform
from .warehouse import open_warehouse

PATTERNS = ("sequential", "hybrid")
INVESTIGATORS = ("lineage", "source", "impact")


@dataclass
class Attempt:
    """One attempt of one agent: what was injected, what came back, what the checks said."""

    role: str
    attempt: int
    fault: str | None
    output: BaseModel | None = None
    error: str | None = None
    flags: dict[str, list[str]] = field(default_factory=dict)
    rejected: bool = False
    right: bool | None = None
    input_right: bool | None = None

    @property
    def loud(self) -> bool:
        return self.error is not None


@dataclass
class RunRecord:
    """One investigation, judged: its attempts, accepted hand-offs, outcome and where things happened."""

    run_id: str
    incident_id: str
    pattern: str
    attempts: list[Attempt] = field(default_factory=list)
    accepted: dict[str, BaseModel] = field(default_factory=dict)
    restored: tuple[str, ...] = ()
    ended_at: str | None = None
    outcome: str | None = None
    went_wrong_at: str | None = None
    caught_at: str | None = None
    seconds: float = 0.0
    order: tuple[str, ...] = ROLES

    @property
    def summary(self) -> BaseModel | None:
        return self.accepted.get("synthesizer")


def load_incidents(con) -> list[Incident]:
    rows = con.execute(
        "SELECT incident_id, table_name, column_name, baseline, current, fired_at FROM ops.alerts ORDER BY 1"
    ).fetchall()
    return [Incident(*r) for r in rows]


def load_truth(con) -> dict[str, Truth]:
    """The answer key, read by the harness's own connection (agents never see this)."""
    rows = con.execute(
        "SELECT incident_id, source_table, upstream_path, change_at, onset, downstream_models FROM truth.incidents"
    ).fetchall()
    return {r[0]: Truth(r[0], r[1], tuple(r[2]), r[3], r[4], tuple(r[5])) for r in rows}


class Investigation:
    """A warehouse, a cast, faults and defenses, ready to investigate incidents again and again."""

    def __init__(
        self,
        warehouse: str | Path,
        pattern: str = "hybrid",
        faults: FaultPlan | None = None,
        defenses: DefenseSettings | None = None,
        cast: dict | None = None,
        seed: int = 0,
    ):
        if pattern not in PATTERNS:
            raise ValueError(f"pattern must be one of {', '.join(PATTERNS)} (got {pattern!r})")
        self.warehouse = Path(warehouse)
        self.con = open_warehouse(self.warehouse)
        self.pattern, self.seed = pattern, seed
        self.faults = faults or FaultPlan()
        self.defenses = defenses or DefenseSettings()
        self.cast = dict(cast or SCRIPTED)
        self.incidents = load_incidents(self.con)
        self.truth = load_truth(self.con)
        self.gate = HumanGate(self.defenses.human_catch) if self.defenses.human_gate else None
        self.store = CheckpointStore(self.defenses.checkpoints) if self.defenses.checkpoints else None
        self._local = threading.local()
        self._check_answers: dict = {}
        self._pool = ThreadPoolExecutor(3, thread_name_prefix="investigator") if pattern == "hybrid" else None

    def incident(self, incident_id: str) -> Incident:
        return next(i for i in self.incidents if i.incident_id == incident_id)

    def _cursor(self):
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self.con.cursor()
        return cur

    def _check_query(self, cursor):
        """The checks' SQL, memoised per (statement, parameters): independent answers do not change."""

        def query(sql: str, params: list | None = None):
            key = (sql, tuple(params or ()))
            if key not in self._check_answers:
                self._check_answers[key] = cursor.execute(sql, params or []).fetchall()
            return self._check_answers[key]

        return query

    def _step(self, record: RunRecord, role: str, incident: Incident, framing, findings: dict, run_index: int):
        """One agent with its retries and the hand-off checks; its accepted output or None."""
        if role in record.accepted:
            return record.accepted[role]
        rng = random.Random(f"{self.seed}:{run_index}:{role}")
        cursor = self._cursor()
        for attempt in range(self.defenses.retries + 1):
            if attempt and self.defenses.backoff:
                time.sleep(self.defenses.backoff * 2 ** (attempt - 1))
            fault = self.faults.draw(role, rng)
            task = Task(role, incident, cursor, framing, dict(findings), "silent" if fault == "silent" else None)
            task.fault_choice = rng.randrange(3)
            a = Attempt(role, attempt, fault)
            record.attempts.append(a)
            try:
                if fault in LOUD_FAULTS:
                    act_out_loud_fault(fault, cursor, role)
                a.output = conform(role, self.cast[role](task))
            except Exception as exc:  # any failure of an agent is a loud failure of this attempt
                a.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                continue
            task.fault = None
            a.flags = run_checks(role, a.output, task, self._check_query(cursor))
            a.rejected = any(a.flags[c] for c in self.defenses.enabled_checks)
            if a.rejected:
                continue
            if self.store is not None:
                self.store.write(record.run_id, incident.incident_id, role, attempt, a.output)
            return a.output
        return None

    def investigate(self, incident: Incident | str, run_index: int = 0, resume: str | None = None) -> RunRecord:
        """Investigate one incident; ``resume`` (a run id) reuses that run's checkpointed hand-offs."""
        if isinstance(incident, str):
            incident = self.incident(incident)
        started = time.perf_counter()
        run_id = resume or f"{self.seed}-{run_index}-{incident.incident_id}"
        record = RunRecord(run_id, incident.incident_id, self.pattern)
        if resume is not None:
            if self.store is None:
                raise ValueError("resume needs checkpoints: pass DefenseSettings(checkpoints=PATH)")
            record.accepted = self.store.load(resume)
            record.restored = tuple(record.accepted)
        self._run(record, incident, run_index)
        record.attempts.sort(key=lambda a: (ROLES.index(a.role), a.attempt))  # threads append in any order
        judge_run(record, self.truth[incident.incident_id], incident)
        record.seconds = time.perf_counter() - started
        return record

    def _run(self, record: RunRecord, incident: Incident, run_index: int) -> None:
        step = lambda role, framing=None, findings=(): self._step(
            record, role, incident, framing, dict(findings), run_index
        )
        framing = step("orchestrator")
        if framing is None:
            record.ended_at = "orchestrator"
            return
        record.accepted["orchestrator"] = framing
        found: dict[str, BaseModel] = {}
        if self.pattern == "sequential":
            for role in INVESTIGATORS:
                out = step(role, framing, found)
                if out is None:
                    record.ended_at = role
                    return
                found[role] = record.accepted[role] = out
        else:
            futures = {role: self._pool.submit(step, role, framing) for role in INVESTIGATORS}
            results = {role: f.result() for role, f in futures.items()}
            failed = [role for role in INVESTIGATORS if results[role] is None]
            found = {role: out for role, out in results.items() if out is not None}
            record.accepted.update(found)
            if failed:
                record.ended_at = failed[0]
                return
        record.accepted.update(found)
        summary = step("synthesizer", framing, found)
        if summary is None:
            record.ended_at = "synthesizer"
            return
        record.accepted["synthesizer"] = summary
        if self.gate is not None:
            wrong = not finding_is_right("synthesizer", summary, self.truth[incident.incident_id], incident)
            if self.gate.stops(wrong, random.Random(f"{self.seed}:{run_index}:gate")):
                record.ended_at = "human_gate"

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self.store is not None:
            self.store.close()
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

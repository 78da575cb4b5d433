"""The incident lab: real agents investigate real incidents on an embedded DuckDB warehouse,
and the simulator is held to what they measure.

The public API, in the order a lesson uses it::

    from incident_lab import (build_warehouse, open_warehouse, Investigation, FaultPlan,
                              DefenseSettings, shadow_run, scenario_from, predicted, agreement)

    path = build_warehouse("lab.duckdb", seed=0)          # -> Path; ~2 s; same seed, same content
    con = open_warehouse(path)                             # read-only DuckDB connection (checks the version)
    con.sql("SELECT * FROM ops.alerts")                    # the pages; INC-001 is orders_daily.customer_id

    with Investigation(path, pattern="hybrid",            # or "sequential"
                       faults=FaultPlan.parse(["lineage=0.9:0.6"]),   # AGENT=P[:S]
                       defenses=DefenseSettings(validate=True, completeness=True, retries=1,
                                                checkpoints="runs.sqlite", human_gate=True),
                       cast=make_cast(impact=my_agent), seed=0) as inv:
        record = inv.investigate("INC-001", run_index=0)  # -> RunRecord
        record.outcome, record.went_wrong_at, record.caught_at, record.attempts
        inv.investigate("INC-001", resume=record.run_id)  # re-uses the checkpointed hand-offs

    report = shadow_run(path, runs=1000, seed=1, pattern="hybrid", faults=..., defenses=...)
    report.measured(); report.agents(); report.agent_rates("lineage"); report.catch_rates()
    scenario_from(report); predicted(report); exact(report); agreement(report)  # z-scores

Tables agents may read: ``orders_api.*`` and the other raw API schemas, ``staging``,
``intermediate``, ``marts``, ``analytics``, ``reporting``, ``lineage.run_events`` (job_name,
inputs, outputs, event_time, event_type), ``ops.api_changes`` (the change log),
``ops.alerts``, ``meta.models`` (each model's SQL) and ``meta.columns``. ``truth.incidents``
is the judge's answer key (:func:`load_truth`). The agent protocol is in
:mod:`incident_lab.protocol`; the bridge's limits are in :mod:`incident_lab.bridge`.
"""

from .agents import SCRIPTED
from .bridge import agreement, exact, predicted, scenario_from
from .defenses import CHECKS, CheckpointStore, DefenseSettings, HumanGate, completeness_problems, validation_problems
from .faults import SILENT_FAULTS, AgentTimeout, FaultPlan
from .incidents import WORKED_EXAMPLE, Incident, Truth
from .judge import finding_is_right
from .llm import llm_agent, openai_compatible
from .orchestration import PATTERNS, Attempt, Investigation, RunRecord, load_incidents, load_truth
from .protocol import EXPECTED, ROLES, ProtocolError, Task, conform, make_cast
from .shadow import ShadowReport, shadow_run
from .warehouse import (
    FORMAT_VERSION,
    WarehouseError,
    build_warehouse,
    content_digest,
    ensure_warehouse,
    open_warehouse,
)

__all__ = [
    # the warehouse
    "build_warehouse",
    "open_warehouse",
    "ensure_warehouse",
    "content_digest",
    "WarehouseError",
    "FORMAT_VERSION",
    "Incident",
    "Truth",
    "WORKED_EXAMPLE",
    "load_incidents",
    "load_truth",
    # agents and their protocol
    "ROLES",
    "EXPECTED",
    "SCRIPTED",
    "Task",
    "make_cast",
    "conform",
    "ProtocolError",
    "llm_agent",
    "openai_compatible",
    # faults, defenses, runs
    "FaultPlan",
    "SILENT_FAULTS",
    "AgentTimeout",
    "DefenseSettings",
    "CHECKS",
    "CheckpointStore",
    "HumanGate",
    "validation_problems",
    "completeness_problems",
    "PATTERNS",
    "Investigation",
    "RunRecord",
    "Attempt",
    "finding_is_right",
    # shadow mode and the bridge
    "shadow_run",
    "ShadowReport",
    "scenario_from",
    "predicted",
    "exact",
    "agreement",
]

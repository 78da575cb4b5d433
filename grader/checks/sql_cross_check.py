"""Grading a completeness cross-check written as one read-only SQL query.

The learner's query returns one row per alert in ``ops.alerts``: the incident id and the number
of models downstream of the alerted table, counted independently of the impact agent. It runs
once, in the sandbox, against a copy (without the answer key) of each graded warehouse
(:mod:`.sql_query`). Then, for every incident and every injected impact fault
(:mod:`.impact_faults`) whose count is wrong, the fault counts as caught when the query's
number differs from the faulty agent's and equals the truth. A query that is refused (not
exactly one read-only statement), or that cannot run because there is no sandbox here, makes the
submission ungradable with the reason (:class:`~grader.errors.NotGradable`), never a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import NotGradable
from .base import Outcome
from .impact_faults import FAULTS, FaultCase, fault_cases, warehouses
from .sql_query import QUERY_SECONDS, Refused, run_query, sandbox_status, screen_sql

WORKED_EXAMPLE = "INC-001"
_INTEGER_TEXT = re.compile(r"^\s*\d+(?:\.0*)?\s*$")


@dataclass
class CrossCheck:
    """What the query said on each warehouse, and which faults that catches."""

    refused: str = ""
    unavailable: str = ""
    error: str = ""
    counts: dict[tuple[int, str], int] = field(default_factory=dict)  # (seed, incident) -> the query's count
    truth: dict[tuple[int, str], int] = field(default_factory=dict)
    cases: list[FaultCase] = field(default_factory=list)  # faulty counts that differ from the truth

    def caught(self, case: FaultCase) -> bool:
        said = self.counts.get((case.seed, case.incident_id))
        return said is not None and said != case.faulty and said == case.truth

    def wrong(self) -> list[tuple[int, str]]:
        """Incidents on which the query disagrees with the truth (it would flag a right impact agent)."""
        return [key for key, true in self.truth.items() if self.counts.get(key) != true]


def read_counts(result: dict, incidents: set[str]) -> dict[str, int]:
    """Incident id -> count from one warehouse's rows, or ValueError naming what is wrong with the shape."""
    columns, rows = result.get("columns") or [], result.get("rows") or []
    if len(columns) != 2:
        names = ", ".join(columns) or "none"
        raise ValueError(
            f"the query returns {len(columns)} column{'s' if len(columns) != 1 else ''} ({names}); "
            "return two: the incident id and the count"
        )
    counts: dict[str, int] = {}
    for incident, count in rows:
        if isinstance(count, bool) or not (
            isinstance(count, int)
            or (isinstance(count, float) and count.is_integer())
            or (isinstance(count, str) and _INTEGER_TEXT.match(count))
        ):
            raise ValueError(f"the second column should be a whole number; for {incident} it is {_shown(count)}")
        if str(incident) in counts:
            raise ValueError(f"incident {incident} appears in more than one row")
        counts[str(incident)] = int(float(count))
    missing = sorted(incidents - set(counts))
    if missing and len(missing) == len(incidents):
        raise ValueError(
            f"no row names an incident of ops.alerts (the first column should be incident_id, e.g. {missing[0]})"
        )
    return counts


def _shown(value) -> str:
    """A value from the learner's result as a sentence can say it: NULL is "empty (NULL)", not None."""
    if value is None:
        return "empty (NULL), not a number"
    if isinstance(value, bool):
        return f"{str(value).lower()}, not a number"
    return repr(value)


def _said(count: int | None) -> str:
    return "gave no row" if count is None else f"said {count}"


def _sentence_end(text: str) -> str:
    """``text`` ended with one full stop, whatever punctuation it already ends with."""
    return text.rstrip().rstrip(".!?;:") + "."


#: Short names of the injected faults, so two faulty agents on one incident are told apart.
FAULT_NAMES = {
    "direct_children_only": "stops at direct children",
    "two_levels_only": "stops two levels down",
    "first_input_only": "follows only first inputs",
    "counts_paths": "counts routes instead of models",
    "counts_the_table_itself": "counts the alerted table too",
}


def measure(sql: str, seeds: tuple[int, ...], seconds: float = QUERY_SECONDS) -> CrossCheck:
    """Run the query on each seed's warehouse (one sandboxed run) and hold it against every fault."""
    try:
        sql = screen_sql(sql)  # refuse before building anything
    except Refused as exc:
        return CrossCheck(refused=str(exc))
    ok, reason = sandbox_status()
    if not ok:
        return CrossCheck(unavailable=reason)
    copies, truths, all_cases = {}, {}, {}
    for seed in seeds:
        copies[f"seed{seed}.duckdb"] = warehouses(seed)[1]
        all_cases[seed], truths[seed] = fault_cases(seed)
    run = run_query(sql, copies, seconds=seconds)
    result = CrossCheck(refused=run.refused, unavailable=run.unavailable, error=run.error)
    for seed in seeds:
        for incident, (_, true) in truths[seed].items():
            result.truth[(seed, incident)] = true
        result.cases += [c for c in all_cases[seed] if c.faulty != c.truth]
    if result.refused or result.unavailable or result.error:
        return result
    for seed in seeds:
        try:
            counts = read_counts(run.results.get(f"seed{seed}.duckdb") or {}, set(truths[seed]))
        except ValueError as exc:
            result.error = str(exc)
            return result
        result.counts.update({(seed, incident): n for incident, n in counts.items() if incident in truths[seed]})
    return result


def _name(seeds: tuple[int, ...], seed: int) -> str:
    return "the lesson's warehouse" if seed == seeds[0] else f"the warehouse of seed {seed}"


def _missed(m: CrossCheck, cases: list[FaultCase], seeds: tuple[int, ...], limit: int = 5) -> str:
    parts = []
    for c in cases[:limit]:
        said = m.counts.get((c.seed, c.incident_id))
        parts.append(
            f"{c.incident_id} in {_name(seeds, c.seed)} ({c.table}): the faulty agent that "
            f"{FAULT_NAMES.get(c.fault, c.fault.replace('_', ' '))} said {c.faulty}, the truth is {c.truth}, "
            f"your query {_said(said)}"
        )
    more = f"; and {len(cases) - limit} more" if len(cases) > limit else ""
    return "; ".join(parts) + more


def sql_cross_check(sql, check: dict, cache: dict) -> Outcome:
    """One criterion of the completeness_sql rubric; the measurement is shared through ``cache``."""
    seeds = tuple(int(s) for s in (check.get("seeds") or (0, 41)))  # a dict or a typed spec, defaults unset
    key = ("sql_cross_check", seeds)
    if key not in cache:
        cache[key] = measure(str(sql), seeds, float(check.get("seconds") or QUERY_SECONDS))
    m: CrossCheck = cache[key]
    if m.refused:
        raise NotGradable(f"not run, because {m.refused}")
    if m.unavailable:
        raise NotGradable(f"not run, because the sandbox is unavailable: {m.unavailable}")
    if m.error:
        return Outcome(
            False, 1.0, f"the query failed: {m.error}"[:300], "error", _sentence_end(f"Your query failed: {m.error}")
        )
    what = check.get("measure")
    if what == "runs":
        missing = [k for k in m.truth if k not in m.counts]
        if not missing:
            return Outcome(True, 1.0, f"one row per alert on {len(seeds)} warehouses")
        names = ", ".join(f"{i} ({_name(seeds, s)})" for s, i in missing[:5])
        alerts = f"{len(missing)} alert{'s' if len(missing) != 1 else ''}"
        return Outcome(False, 1.0, f"no row for {alerts}", "fail", f"No row for: {names}.")
    if what == "worked_example":
        said, true = m.counts.get((seeds[0], WORKED_EXAMPLE)), m.truth[(seeds[0], WORKED_EXAMPLE)]
        evidence = f"{WORKED_EXAMPLE}: your query {_said(said)}, the truth is {true}"
        detail = "" if said == true else f"On {WORKED_EXAMPLE} your query {_said(said)}; the truth is {true}."
        return Outcome(said == true, 1.0, evidence, "pass" if said == true else "fail", detail)
    if what == "catch":
        wanted = set(check.get("faults") or FAULTS)
        cases = [c for c in m.cases if c.fault in wanted]
        missed = [c for c in cases if not m.caught(c)]
        evidence = f"caught {len(cases) - len(missed)} of {len(cases)}"
        if not missed:
            return Outcome(True, 1.0, evidence)
        return Outcome(False, 1.0, evidence, "fail", f"Missed: {_missed(m, missed, seeds)}.")
    if what == "agrees":
        wrong = m.wrong()
        evidence = f"agrees with the truth on {len(m.truth) - len(wrong)} of {len(m.truth)} incidents"
        if not wrong:
            return Outcome(True, 1.0, evidence)
        shown = "; ".join(
            f"{i} in {_name(seeds, s)}: your query {_said(m.counts.get((s, i)))}, the truth is {m.truth[(s, i)]}"
            for s, i in wrong[:5]
        )
        return Outcome(False, 1.0, evidence, "fail", f"A right impact agent would be flagged on: {shown}.")
    raise ValueError(f"unknown sql cross-check measure {what!r}")


def caught_by_fault(m: CrossCheck) -> dict[str, tuple[int, int]]:
    """Fault -> (caught, cases): the summary a lesson or report shows."""
    table = {}
    for fault in FAULTS:
        cases = [c for c in m.cases if c.fault == fault]
        table[fault] = (sum(m.caught(c) for c in cases), len(cases))
    return table


__all__ = ["CrossCheck", "measure", "read_counts", "sql_cross_check", "caught_by_fault", "WORKED_EXAMPLE"]

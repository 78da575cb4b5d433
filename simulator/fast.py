"""The vectorised engine: the same model as the SimPy engine for the patterns whose timing does
not interact (sequential, fanout, hybrid), run for all trials at once with numpy.

It exists for the sliders: a 5-agent chain runs hundreds of thousands of trials a second here.
Every rule comes from :mod:`simulator.rules`, applied to arrays; ``tests/test_engines.py``
holds its outcomes and latencies to the SimPy engine's over random scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import DEGRADATIONS, Agent, Scenario
from .randomness import draw_latencies
from .rules import (
    INCOMPLETE_FLAGGED,
    LOUD,
    NO_KIND,
    SHORT,
    attempt,
    backoff_wait,
    common_cause,
    fan_in,
    first_wrong,
    gate_stops,
    handed_on,
    kind_code,
    outcome_code,
    rejected,
    rejection_table,
    starts_silent_failure,
    synthesis_input,
)
from .table import trial_table

#: first_failure_mode codes
NONE, LOUD_MODE, SILENT_MODE = 0, 1, 2


@dataclass
class StageResult:
    """What one agent's hand-off did in every trial at once."""

    kind: np.ndarray
    detected: np.ndarray
    calls: np.ndarray
    latency: np.ndarray
    fail_mode: np.ndarray
    fail_kind: np.ndarray
    fail_time: np.ndarray
    caught_time: np.ndarray


def run_stage(
    scenario: Scenario, agent: Agent, gen: np.random.Generator, shared_u: np.ndarray, in_kind: np.ndarray
) -> StageResult:
    """Run one agent, with its retries and its hand-off checks, for every trial."""
    size = in_kind.shape[0]
    d = scenario.defenses
    reject = np.array(rejection_table(d))
    kinds = np.array([kind_code(k) for k in agent.degradations], dtype=np.int8)

    pending = np.ones(size, dtype=bool)
    kind = np.full(size, NO_KIND, dtype=np.int8)
    calls = np.zeros(size, dtype=np.int64)
    latency = np.zeros(size)
    fail_mode = np.zeros(size, dtype=np.int8)
    fail_kind = np.full(size, NO_KIND, dtype=np.int8)
    fail_time = np.full(size, np.inf)  # since the stage began, as the SimPy engine's clock would show
    caught_time = np.full(size, np.inf)

    for tries in range(scenario.retries_for(agent) + 1):
        if tries:
            latency += np.where(pending, backoff_wait(d.backoff, tries), 0.0)
        u = gen.random(size)
        if scenario.correlation:
            u = common_cause(u, shared_u, gen.random(size), scenario.correlation)
        result = attempt(u, gen.random(size), agent.reliability, agent.silent_share)
        loud = result == LOUD
        new_kind = kinds[gen.integers(0, len(kinds), size)]
        out_kind = handed_on(in_kind, result, new_kind).astype(np.int8)
        rejected_now = ~loud & rejected(gen.random(size), out_kind, reject)

        latency += np.where(pending, draw_latencies(agent.latency, gen, size), 0.0)
        calls += pending
        first = pending & (fail_mode == NONE)
        origin = starts_silent_failure(in_kind, result)
        fail_mode = np.where(first & loud, LOUD_MODE, np.where(first & origin, SILENT_MODE, fail_mode)).astype(np.int8)
        fail_kind = np.where(first & origin, new_kind, fail_kind).astype(np.int8)
        fail_time = np.where(first & (loud | origin), latency, fail_time)
        latency += np.where(pending & ~loud, d.handoff_latency, 0.0)
        caught_now = pending & rejected_now & (out_kind >= 0) & np.isinf(caught_time)
        caught_time = np.where(caught_now, latency, caught_time)
        done = pending & ~loud & ~rejected_now
        kind = np.where(done, out_kind, kind).astype(np.int8)
        pending &= ~done
    return StageResult(kind, pending, calls, latency, fail_mode, fail_kind, fail_time, caught_time)


class _Ledger:
    """Accumulates per-trial bookkeeping while stages are folded together."""

    def __init__(self, size: int, agents: tuple[Agent, ...]):
        self.size = size
        self.calls = np.zeros(size, dtype=np.int64)
        self.retries = np.zeros(size, dtype=np.int64)
        self.tokens = np.zeros(size, dtype=np.int64)
        self.first_agent = np.full(size, -1)
        self.first_mode = np.zeros(size, dtype=np.int8)
        self.first_kind = np.full(size, NO_KIND, dtype=np.int8)
        self.caught_at = np.full(size, -1)
        self.ended_at = np.full(size, -1)
        self.first_time = np.full(size, np.inf)
        self.caught_time = np.full(size, np.inf)
        self.index = {a.name: i for i, a in enumerate(agents)}

    def add(self, agent: Agent, stage: StageResult, ran: np.ndarray, began: np.ndarray, ends_run: bool = True):
        """Book a stage that began at trial time ``began``: first failures and catches go by time,
        as they happen in the SimPy engine (parallel branches interleave)."""
        i = self.index[agent.name]
        calls = np.where(ran, stage.calls, 0)
        self.calls += calls
        self.retries += np.maximum(calls - 1, 0)
        self.tokens += calls * agent.tokens_per_call
        when = began + stage.fail_time
        new = ran & (stage.fail_mode != NONE) & (when < self.first_time)
        self.first_agent[new] = i
        self.first_mode[new] = stage.fail_mode[new]
        self.first_kind[new] = stage.fail_kind[new]
        self.first_time[new] = when[new]
        self.catch(i, ran, began + stage.caught_time)
        if ends_run:
            self.ended_at[ran & (self.ended_at < 0) & stage.detected] = i

    def catch(self, where: int, mask: np.ndarray, when):
        """Where a wrong payload was first caught: ``where`` for trials in ``mask`` caught at ``when``."""
        new = mask & (when < self.caught_time)
        self.caught_at[new] = where
        self.caught_time = np.where(new, when, self.caught_time)


def _fan_in(scenario: Scenario, b_kind, b_done, b_ok):
    """What the synthesizer gets: start time, branches present, the fan-in verdict, its input.

    Replicas: it starts at the K-th delivery and uses the first K. Distinct subtasks: it waits
    for every branch to finish and uses all that delivered.
    """
    trials, width = b_ok.shape
    quorum = scenario.quorum
    n_ok = b_ok.sum(axis=1)
    if scenario.redundant:
        arrival = np.where(b_ok, b_done, np.inf)
        order = np.argsort(arrival, axis=1, kind="stable")
        included = np.zeros_like(b_ok)
        included[np.arange(trials)[:, None], order[:, :quorum]] = True
        included &= b_ok
        kth = np.take_along_axis(arrival, order[:, quorum - 1 : quorum], axis=1)[:, 0]
        enough = n_ok >= quorum
        start = np.where(enough, kth, b_done.max(axis=1))
        present = np.where(enough, included.sum(axis=1), n_ok)
    else:
        included, start, present = b_ok, b_done.max(axis=1), n_ok
    verdict = fan_in(present, width, quorum, scenario.redundant, scenario.defenses.completeness)
    merged = np.full(trials, NO_KIND, dtype=np.int8)
    for j in range(width):
        merged = first_wrong(merged, np.where(included[:, j], b_kind[:, j], NO_KIND)).astype(np.int8)
    return start, present, verdict, synthesis_input(merged, verdict).astype(np.int8)


def run_vectorised(scenario: Scenario, trials: int, gen: np.random.Generator) -> pd.DataFrame:
    """All trials of a sequential, fanout or hybrid scenario; one row per trial."""
    agents = scenario.agents
    ledger = _Ledger(trials, agents)
    shared_u = gen.random(trials)
    kind = np.full(trials, NO_KIND, dtype=np.int8)
    detected = np.zeros(trials, dtype=bool)
    clock = np.zeros(trials)
    delivered = np.full(trials, np.nan)
    names = [a.name for a in agents] + ["fan_in", "human_gate"]
    FAN_IN, GATE = len(agents), len(agents) + 1

    def step(agent: Agent, alive, in_kind, ends_run=True):
        stage = run_stage(scenario, agent, gen, shared_u, in_kind)
        ledger.add(agent, stage, alive, clock, ends_run)
        return stage

    if scenario.pattern == "sequential":
        for agent in agents:
            alive = ~detected
            stage = step(agent, alive, kind)
            clock += np.where(alive, stage.latency, 0.0)
            kind = np.where(alive, stage.kind, kind)
            detected |= alive & stage.detected
    else:
        if scenario.pattern == "hybrid":
            head = step(agents[0], ~detected, kind)
            clock += head.latency
            kind, detected = head.kind, head.detected.copy()
        workers = scenario.workers
        alive = ~detected
        b_kind = np.empty((trials, len(workers)), dtype=np.int8)
        b_done = np.empty((trials, len(workers)))
        b_ok = np.empty((trials, len(workers)), dtype=bool)
        for j, agent in enumerate(workers):
            stage = step(agent, alive, kind, ends_run=False)
            b_kind[:, j], b_done[:, j], b_ok[:, j] = stage.kind, stage.latency, ~stage.detected
        start, present, verdict, in_kind = _fan_in(scenario, b_kind, b_done, b_ok)
        flagged = alive & (verdict == INCOMPLETE_FLAGGED)
        ledger.catch(FAN_IN, flagged, clock + start)
        fan_in_failed = alive & ((verdict == SHORT) | flagged)
        ledger.ended_at[fan_in_failed & (ledger.ended_at < 0)] = FAN_IN
        delivered = np.where(alive, present, np.nan)
        detected |= fan_in_failed
        clock += np.where(alive, start, 0.0)
        alive = ~detected
        synth = step(agents[-1], alive, in_kind)
        clock += np.where(alive, synth.latency, 0.0)
        kind = np.where(alive, synth.kind, in_kind)
        detected |= alive & synth.detected

    d = scenario.defenses
    if d.human_gate:
        alive = ~detected
        clock += np.where(alive, gen.exponential(d.human_delay, trials) if d.human_delay else 0.0, 0.0)
        stopped = alive & gate_stops(kind, gen.random(trials), d.human_catch_rate)
        ledger.catch(GATE, stopped, clock)
        ledger.ended_at[stopped & (ledger.ended_at < 0)] = GATE
        detected |= stopped

    lookup = np.array(names + [None], dtype=object)
    mode_names = np.array([None, "loud", "silent"], dtype=object)
    kind_names = np.array(list(DEGRADATIONS) + [None], dtype=object)
    columns = {
        "trial": np.arange(trials),
        "outcome": outcome_code(detected, kind),
        "latency": clock,
        "calls": ledger.calls,
        "retries": ledger.retries,
        "tokens": ledger.tokens,
        "first_failure_agent": lookup[ledger.first_agent],
        "first_failure_mode": mode_names[ledger.first_mode],
        "degradation": kind_names[ledger.first_kind],
        "caught_at": lookup[ledger.caught_at],
        "ended_at": lookup[ledger.ended_at],
    }
    extra = None if scenario.pattern == "sequential" else {"branches_delivered": delivered}
    return trial_table(columns, extra)

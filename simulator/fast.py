"""The vectorised engine: the same model as the SimPy engine for the patterns whose timing does
not interact (sequential, fanout, hybrid), run for all trials at once with numpy.

It exists for the sliders: a 5-agent chain runs hundreds of thousands of trials a second here.
``tests/test_engines.py`` holds its outcomes and latencies to the SimPy engine's distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import DEGRADATIONS, OUTCOMES, Agent, Scenario
from .randomness import draw_latencies

NO_KIND = -1
#: first_failure_mode codes
NONE, LOUD, SILENT = 0, 1, 2


@dataclass
class StageResult:
    """What one agent's hand-off did in every trial at once."""

    wrong: np.ndarray
    kind: np.ndarray
    detected: np.ndarray
    calls: np.ndarray
    latency: np.ndarray
    fail_mode: np.ndarray
    fail_kind: np.ndarray
    caught: np.ndarray


def run_stage(
    scenario: Scenario,
    agent: Agent,
    gen: np.random.Generator,
    shared_u: np.ndarray,
    in_wrong: np.ndarray,
    in_kind: np.ndarray,
) -> StageResult:
    """Run one agent, with its retries and its hand-off checks, for every trial."""
    size = in_wrong.shape[0]
    d = scenario.defenses
    retries = scenario.retries_for(agent)
    catch_by_kind = np.array([d.catch_probability(k) for k in DEGRADATIONS])
    kinds = np.array([DEGRADATIONS.index(k) for k in agent.degradations])
    r, s = agent.reliability, agent.silent_share

    pending = np.ones(size, dtype=bool)
    wrong = np.zeros(size, dtype=bool)
    kind = np.full(size, NO_KIND, dtype=np.int8)
    calls = np.zeros(size, dtype=np.int64)
    latency = np.zeros(size)
    fail_mode = np.zeros(size, dtype=np.int8)
    fail_kind = np.full(size, NO_KIND, dtype=np.int8)
    caught = np.zeros(size, dtype=bool)

    for attempt in range(retries + 1):
        if attempt:
            latency += np.where(pending, d.backoff * 2 ** (attempt - 1), 0.0)
        u = gen.random(size)
        if scenario.correlation:
            u = np.where(gen.random(size) < scenario.correlation, shared_u, u)
        failed = u >= r
        silent = gen.random(size) < s
        loud = failed & ~silent
        out_wrong = in_wrong | (failed & silent)
        new_kind = kinds[gen.integers(0, len(kinds), size)]
        out_kind = np.where(in_wrong, in_kind, np.where(failed & silent & ~in_wrong, new_kind, NO_KIND)).astype(np.int8)
        # an agent fed a wrong payload passes it on unless it fails loudly itself
        out_wrong &= ~loud
        check = gen.random(size)
        catch = np.where(out_wrong, catch_by_kind[np.maximum(out_kind, 0)], d.false_reject_rate)
        rejected = ~loud & (check < catch)

        latency += np.where(pending, draw_latencies(agent.latency, gen, size), 0.0)
        latency += np.where(pending & ~loud, d.handoff_latency, 0.0)
        calls += pending
        first = pending & (fail_mode == NONE)
        fail_mode = np.where(
            first & loud, LOUD, np.where(first & failed & silent & ~in_wrong, SILENT, fail_mode)
        ).astype(np.int8)
        fail_kind = np.where(first & failed & silent & ~in_wrong, new_kind, fail_kind).astype(np.int8)
        caught |= pending & rejected & out_wrong
        done = pending & ~loud & ~rejected
        wrong = np.where(done, out_wrong, wrong)
        kind = np.where(done, np.where(out_wrong, out_kind, NO_KIND), kind).astype(np.int8)
        pending &= ~done
    return StageResult(wrong, kind, pending, calls, latency, fail_mode, fail_kind, caught)


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
        self.index = {a.name: i for i, a in enumerate(agents)}

    def add(self, agent: Agent, stage: StageResult, ran: np.ndarray, ends_run: bool = True):
        i = self.index[agent.name]
        calls = np.where(ran, stage.calls, 0)
        self.calls += calls
        self.retries += np.maximum(calls - 1, 0)
        self.tokens += calls * agent.tokens_per_call
        new = ran & (self.first_agent < 0) & (stage.fail_mode != NONE)
        self.first_agent[new] = i
        self.first_mode[new] = stage.fail_mode[new]
        self.first_kind[new] = stage.fail_kind[new]
        self.caught_at[ran & (self.caught_at < 0) & stage.caught] = i
        if ends_run:
            self.ended_at[ran & (self.ended_at < 0) & stage.detected] = i


def _fan_in(scenario: Scenario, b_wrong, b_kind, b_done, b_ok):
    """What the synthesizer receives: start time, branches present, and its input.

    Replicas: it starts at the K-th delivery and uses the first K. Distinct subtasks: it waits
    for every branch to finish and uses all that delivered; fewer than all is ``partial``.
    """
    trials, width = b_ok.shape
    quorum = scenario.quorum
    n_ok = b_ok.sum(axis=1)
    enough = n_ok >= quorum
    if scenario.redundant:
        arrival = np.where(b_ok, b_done, np.inf)
        order = np.argsort(arrival, axis=1, kind="stable")
        included = np.zeros_like(b_ok)
        included[np.arange(trials)[:, None], order[:, :quorum]] = True
        included &= b_ok
        kth = np.take_along_axis(arrival, order[:, quorum - 1 : quorum], axis=1)[:, 0]
        start = np.where(enough, kth, b_done.max(axis=1))
        present = np.where(enough, included.sum(axis=1), n_ok)
    else:
        included, start, present = b_ok, b_done.max(axis=1), n_ok
    in_wrong = (b_wrong & included).any(axis=1)
    first_bad = np.argmax(b_wrong & included, axis=1)
    in_kind = np.where(in_wrong, b_kind[np.arange(trials), first_bad], NO_KIND).astype(np.int8)
    partial = enough & (present < width) & (not scenario.redundant)
    return start, present, enough, partial, in_wrong, in_kind


def run_vectorised(scenario: Scenario, trials: int, gen: np.random.Generator) -> pd.DataFrame:
    """All trials of a sequential, fanout or hybrid scenario; one row per trial."""
    agents = scenario.agents
    ledger = _Ledger(trials, agents)
    shared_u = gen.random(trials)
    wrong = np.zeros(trials, dtype=bool)
    kind = np.full(trials, NO_KIND, dtype=np.int8)
    detected = np.zeros(trials, dtype=bool)
    clock = np.zeros(trials)
    delivered = np.full(trials, np.nan)
    names = [a.name for a in agents] + ["fan_in", "human_gate"]

    def step(agent: Agent, alive, in_wrong, in_kind, ends_run=True):
        stage = run_stage(scenario, agent, gen, shared_u, in_wrong, in_kind)
        ledger.add(agent, stage, alive, ends_run)
        return stage

    if scenario.pattern == "sequential":
        for agent in agents:
            alive = ~detected
            stage = step(agent, alive, wrong, kind)
            clock += np.where(alive, stage.latency, 0.0)
            wrong, kind = np.where(alive, stage.wrong, wrong), np.where(alive, stage.kind, kind)
            detected |= alive & stage.detected
    else:
        if scenario.pattern == "hybrid":
            head = step(agents[0], ~detected, wrong, kind)
            clock += head.latency
            wrong, kind, detected = head.wrong, head.kind, head.detected.copy()
        workers = scenario.workers
        alive = ~detected
        b_wrong = np.empty((trials, len(workers)), dtype=bool)
        b_kind = np.empty((trials, len(workers)), dtype=np.int8)
        b_done = np.empty((trials, len(workers)))
        b_ok = np.empty((trials, len(workers)), dtype=bool)
        for j, agent in enumerate(workers):
            stage = step(agent, alive, wrong, kind, ends_run=False)
            b_wrong[:, j], b_kind[:, j] = stage.wrong, stage.kind
            b_done[:, j], b_ok[:, j] = stage.latency, ~stage.detected
        start, present, enough, partial, in_wrong, in_kind = _fan_in(scenario, b_wrong, b_kind, b_done, b_ok)
        fan_in_failed = alive & ~enough
        partial &= alive
        if scenario.defenses.completeness:
            ledger.caught_at[partial & (ledger.caught_at < 0)] = len(agents)
            fan_in_failed |= partial
        else:
            in_kind = np.where(partial & ~in_wrong, DEGRADATIONS.index("missing_field"), in_kind).astype(np.int8)
            in_wrong = in_wrong | partial
        ledger.ended_at[fan_in_failed & (ledger.ended_at < 0)] = len(agents)
        delivered = np.where(alive, present, np.nan)
        detected |= fan_in_failed
        clock += np.where(alive, start, 0.0)
        alive = ~detected
        synth = step(agents[-1], alive, in_wrong, in_kind)
        clock += np.where(alive, synth.latency, 0.0)
        wrong, kind = np.where(alive, synth.wrong, in_wrong), np.where(alive, synth.kind, in_kind)
        detected |= alive & synth.detected

    d = scenario.defenses
    if d.human_gate:
        alive = ~detected
        clock += np.where(alive, gen.exponential(d.human_delay, trials) if d.human_delay else 0.0, 0.0)
        stopped = alive & wrong & (gen.random(trials) < d.human_catch_rate)
        ledger.caught_at[stopped & (ledger.caught_at < 0)] = len(agents) + 1
        ledger.ended_at[stopped & (ledger.ended_at < 0)] = len(agents) + 1
        detected |= stopped

    outcome_codes = np.where(detected, 2, np.where(wrong, 1, 0))
    lookup = np.array(names + [None], dtype=object)
    mode_names = np.array([None, "loud", "silent"], dtype=object)
    kind_names = np.array(list(DEGRADATIONS) + [None], dtype=object)
    frame = pd.DataFrame(
        {
            "trial": np.arange(trials),
            "outcome": pd.Categorical.from_codes(outcome_codes, categories=list(OUTCOMES)),
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
    )
    if scenario.pattern != "sequential":
        frame["branches_delivered"] = delivered
    return frame

"""Closed forms the simulation is held to, and the statistics a lesson needs.

Chains multiply; a stage with retries and hand-off checks is a small absorbing Markov chain;
fan-in is a multinomial sum over branch outcomes; the mesh is an M/M/c queue. Where a closed
form stops holding (correlated failures with retries, a binding step budget, a finite TTL)
the docstring says so and the simulation is the reference.
"""

from __future__ import annotations

import math
from itertools import product

from .params import DEGRADATIONS, Agent, ParameterError, Scenario, check_count, check_probability
from .rules import (
    INCOMPLETE_FLAGGED,
    NO_KIND,
    SHORT,
    attempt_probabilities,
    catch_probability,
    fan_in,
    first_wrong,
    kind_code,
    kind_name,
    synthesis_input,
)

Z95 = 1.959963984540054


def chain_reliability(p: float, n: int) -> float:
    """End-to-end success of ``n`` independent agents in a chain, each right with ``p``: p**n."""
    return check_probability("p", p) ** check_count("n", n, 0)


def required_reliability(target: float, n: int) -> float:
    """The per-agent reliability a chain of ``n`` needs to reach ``target``: target**(1/n)."""
    return check_probability("target", target) ** (1.0 / check_count("n", n, 1))


def k_of_n(p: float, k: int, n: int) -> float:
    """Probability that at least ``k`` of ``n`` independent branches succeed."""
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def retry_success(p: float, retries: int) -> float:
    """Success with retries when every failure is loud: 1 - (1 - p)**(retries + 1)."""
    return 1 - (1 - p) ** (retries + 1)


def correlated_chain(p: float, n: int, rho: float) -> float:
    """Chain success when each agent shares the trial's common cause with probability ``rho``.

    Each attempt uses a shared uniform draw with probability ``rho`` and its own otherwise,
    so marginals stay ``p``. Without retries: p*(rho + (1-rho)*p)**n + (1-p)*((1-rho)*p)**n.
    At rho = 0 this is p**n; at rho = 1 it is p (everything fails together).
    """
    a = (1 - rho) * p
    return p * (rho + a) ** n + (1 - p) * a**n


def correlated_retry_success(p: float, retries: int, rho: float) -> float:
    """One agent with loud failures and ``retries``, under the common-cause knob above.

    Independence predicts 1 - (1-p)**(r+1); a shared bad draw makes every retry fail too.
    """
    a = (1 - rho) * (1 - p)
    return 1 - ((1 - p) * (rho + a) ** (retries + 1) + p * a ** (retries + 1))


def pass_at_k(p: float, k: int) -> float:
    """pass@k: at least one of ``k`` independent attempts succeeds."""
    return 1 - (1 - p) ** k


def pass_hat_k(p: float, k: int) -> float:
    """pass^k under independence: all ``k`` repeated runs succeed, p**k."""
    return p**k


def pass_hat_k_estimate(successes: int, runs: int, k: int) -> float:
    """Unbiased estimate of pass^k from ``successes`` out of ``runs``: C(c,k) / C(n,k)."""
    if k > runs:
        raise ParameterError("k", f"must be at most the number of runs ({runs})")
    return math.comb(successes, k) / math.comb(runs, k)


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a rate; sensible at 0 or n successes, unlike the normal one."""
    if trials <= 0:
        return (0.0, 1.0)
    phat = successes / trials
    denom = 1 + z**2 / trials
    centre = (phat + z**2 / (2 * trials)) / denom
    half = z * math.sqrt(phat * (1 - phat) / trials + z**2 / (4 * trials**2)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def runs_needed(reliability: float, margin: float, z: float = Z95) -> int:
    """Shadow-mode runs needed to pin ``reliability`` down to ± ``margin`` (normal approximation)."""
    check_probability("reliability", reliability)
    if not 0 < margin < 1:
        raise ParameterError("margin", f"must be between 0 and 1 (got {margin!r})")
    return math.ceil(z**2 * reliability * (1 - reliability) / margin**2)


def runs_to_claim(target: float, z: float = Z95) -> int:
    """Fewest flawless runs whose Wilson lower bound reaches ``target`` (the "rule of three" idea)."""
    check_probability("target", target)
    n = 1
    while wilson_interval(n, n, z)[0] < target:
        n = n * 2 if wilson_interval(2 * n, 2 * n, z)[0] < target else n + 1
    return n


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability an arriving event waits in an M/M/c queue."""
    load = arrival_rate / service_rate
    rho = load / servers
    if rho >= 1:
        return 1.0
    top = load**servers / math.factorial(servers) / (1 - rho)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def mmc_mean_sojourn(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in system (wait plus service) of an M/M/c queue; infinite when overloaded."""
    if arrival_rate >= servers * service_rate:
        return math.inf
    wait = erlang_c(servers, arrival_rate, service_rate) / (servers * service_rate - arrival_rate)
    return wait + 1 / service_rate


# --- the stage model: one agent with retries and hand-off checks ------------------------------


def stage_outcomes(scenario: Scenario, agent: Agent, input_wrong: str | None) -> dict:
    """Exact outcome distribution of one agent's hand-off without correlation.

    ``input_wrong`` is None for a right input, else the degradation kind it carries. Returns
    ``{"correct": p, "detected": p, <kind>: p, ...}``: the chance of each way it ends. The
    per-attempt chances and the rejection chances are the ones the engines draw against.
    """
    d = scenario.defenses
    right, silent, loud = attempt_probabilities(agent.reliability, agent.silent_share)
    if input_wrong is None:
        per_kind = silent / len(agent.degradations)
        step_end = {"correct": right * (1 - d.false_reject_rate)}
        for kind in agent.degradations:
            step_end[kind] = step_end.get(kind, 0.0) + per_kind * (1 - catch_probability(d, kind))
        retry = loud + right * d.false_reject_rate + sum(per_kind * catch_probability(d, k) for k in agent.degradations)
    else:
        caught = catch_probability(d, input_wrong)
        step_end = {input_wrong: (1 - loud) * (1 - caught)}
        retry = loud + (1 - loud) * caught
    attempts = scenario.retries_for(agent) + 1
    geometric = sum(retry**j for j in range(attempts))
    ends: dict = {"correct": 0.0, "detected": 0.0}
    for key, value in step_end.items():
        ends[key] = ends.get(key, 0.0) + value * geometric
    ends["detected"] = retry**attempts
    return ends


def _through(scenario: Scenario, agent: Agent, dist: dict) -> dict:
    """Push a distribution over {correct, kinds} through one agent; detected mass accumulates."""
    out: dict = {"detected": dist.get("detected", 0.0)}
    for state, mass in dist.items():
        if state == "detected" or mass == 0:
            continue
        for key, p in stage_outcomes(scenario, agent, None if state == "correct" else state).items():
            out[key] = out.get(key, 0.0) + mass * p
    return out


def _gate(scenario: Scenario, dist: dict) -> dict:
    d = scenario.defenses
    if not d.human_gate:
        return dist
    out = dict(dist)
    for kind in DEGRADATIONS:
        if kind in out:
            out["detected"] += out[kind] * d.human_catch_rate
            out[kind] *= 1 - d.human_catch_rate
    return out


def _fan_in(scenario: Scenario, branch_dists: list[dict]) -> dict:
    """Combine parallel branch outcomes under the fan-in rule (exact enumeration).

    Exact for distinct subtasks with any quorum; for replicas only with ``fan_in='all'``,
    because which K replicas arrive first depends on timing.
    """
    quorum, width = scenario.quorum, len(branch_dists)
    if scenario.redundant and quorum < width:
        raise ParameterError(
            "fan_in", "replicas with a quorum race each other; simulate them (or use k_of_n when failures are loud)"
        )
    out: dict = {"detected": 0.0}
    keys = [[k for k, v in dist.items() if v > 0] for dist in branch_dists]
    for combo in product(*keys):
        mass = math.prod(dist[k] for dist, k in zip(branch_dists, combo))
        delivered = [k for k in combo if k != "detected"]
        verdict = fan_in(len(delivered), width, quorum, scenario.redundant, scenario.defenses.completeness)
        if verdict in (SHORT, INCOMPLETE_FLAGGED):
            out["detected"] += mass
            continue
        merged = NO_KIND
        for k in delivered:
            merged = first_wrong(merged, kind_code(None if k == "correct" else k))
        kind = kind_name(synthesis_input(merged, verdict)) or "correct"
        out[kind] = out.get(kind, 0.0) + mass
    return out


def expected_outcomes(scenario: Scenario) -> dict[str, float]:
    """Exact outcome rates of a sequential, fanout or hybrid scenario, without correlation.

    Fan-out is exact for distinct subtasks under any fan-in, and for replicas under ``all``.
    """
    if scenario.correlation:
        raise ParameterError(
            "correlation", "the closed form assumes independent agents; use correlated_chain for chains"
        )
    start = {"correct": 1.0, "detected": 0.0}
    if scenario.pattern == "sequential":
        dist = start
        for agent in scenario.agents:
            dist = _through(scenario, agent, dist)
    elif scenario.pattern in ("fanout", "hybrid"):
        dist = _through(scenario, scenario.agents[0], start) if scenario.pattern == "hybrid" else start
        ready = {k: v for k, v in dist.items() if k != "detected"}
        total = sum(ready.values())
        merged: dict = {"detected": dist["detected"]}
        for state, mass in ready.items():
            seed = {state: 1.0, "detected": 0.0}
            fanned = _fan_in(scenario, [_through(scenario, w, seed) for w in scenario.workers])
            for k, v in fanned.items():
                merged[k] = merged.get(k, 0.0) + mass * v
        assert math.isclose(sum(merged.values()), dist["detected"] + total, rel_tol=1e-9)
        dist = _through(scenario, scenario.agents[-1], merged)
    else:
        raise ParameterError(
            "pattern", f"no closed form for {scenario.pattern}; see hierarchical_outcomes or mmc_mean_sojourn"
        )
    dist = _gate(scenario, dist)
    silent = sum(v for k, v in dist.items() if k not in ("correct", "detected"))
    return {"correct": dist.get("correct", 0.0), "silent_failure": silent, "detected_failure": dist["detected"]}


def hierarchical_outcomes(scenario: Scenario) -> dict[str, float]:
    """Exact rates for the hierarchical pattern with no hand-off checks and a budget that never binds.

    Each routing round ends right, wrong or detected; with re-routing a detected round is
    repeated, so a subtask ends right with P(right)/(1 - P(detected)). A wrong framing makes
    every subtask wrong. Subtask counts are uniform between ``min_subtasks`` and
    ``max_subtasks``; all specialists must be identical. With checks on, a wrong payload's
    kind decides how often it is caught, so the simulation is the reference there.
    """
    d = scenario.defenses
    if d.catch_rate or d.completeness or d.checkpoints or d.human_gate or d.false_reject_rate or scenario.correlation:
        raise ParameterError("defenses", "the hierarchical closed form covers independent runs without hand-off checks")
    plan, agents = scenario.hierarchy, scenario.agents
    orchestrator, specialist = agents[0], agents[1]
    accuracy = plan.routing_accuracy if len(agents) > 2 else 1.0
    frame = stage_outcomes(scenario, orchestrator, None)
    good = stage_outcomes(scenario, specialist, None)
    bad = stage_outcomes(scenario, specialist, "wrong_value")
    wrong_total = lambda ends: 1 - ends["correct"] - ends["detected"]

    def subtask(framed_right: bool):
        if framed_right:
            right = accuracy * good["correct"]
            detected = accuracy * good["detected"] + (1 - accuracy) * bad["detected"]
        else:
            right, detected = 0.0, bad["detected"]
        if plan.reroute:
            return (right / (1 - detected), 0.0) if detected < 1 else (0.0, 1.0)
        return right, detected

    synth_good = stage_outcomes(scenario, orchestrator, None)
    synth_bad = stage_outcomes(scenario, orchestrator, "wrong_value")
    counts = range(plan.min_subtasks, plan.max_subtasks + 1)
    correct, detected = 0.0, frame["detected"]
    for framed_right, mass in ((True, frame["correct"]), (False, wrong_total(frame))):
        right, sub_detected = subtask(framed_right)
        for n in counts:
            share = mass / len(counts)
            all_right, none_detected = right**n, (1 - sub_detected) ** n
            correct += share * all_right * synth_good["correct"]
            detected += share * (1 - none_detected)
            detected += share * (
                all_right * synth_good["detected"] + (none_detected - all_right) * synth_bad["detected"]
            )
    return {"correct": correct, "silent_failure": 1 - correct - detected, "detected_failure": detected}

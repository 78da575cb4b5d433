"""The event-driven mesh against queueing theory, and its load behaviour."""

import numpy as np
import pytest

from simulator import Latency, Mesh, backlog_curve, mmc_mean_sojourn, simulate, uniform_scenario


def mesh(servers, rate, mean_service=1.0, **mesh_options):
    return uniform_scenario(
        "mesh", servers, 1.0, latency=Latency("exponential", mean_service), mesh=Mesh(arrival_rate=rate, **mesh_options)
    )


@pytest.mark.slow
@pytest.mark.parametrize("servers,rate", [(1, 0.5), (3, 2.1), (4, 3.4)])
def test_mesh_latency_agrees_with_mmc(servers, rate):
    events = 40_000
    result = simulate(mesh(servers, rate), trials=events, seed=servers)
    sojourn = result.trials["latency"].to_numpy()[2_000:]  # drop the warm-up from an empty system
    # successive sojourns are correlated, so the standard error comes from 20 batch means
    batches = np.array_split(sojourn, 20)
    se = np.std([b.mean() for b in batches], ddof=1) / np.sqrt(len(batches))
    expected = mmc_mean_sojourn(servers, rate, 1.0)
    assert abs(sojourn.mean() - expected) <= 4 * se, (
        f"simulated {sojourn.mean():.3f} vs M/M/c {expected:.3f} (SE {se:.3f})"
    )


def test_throughput_backlog_and_missed_events_under_load():
    light = simulate(mesh(2, 0.5, ttl=5.0), trials=5_000, seed=1).stats()
    heavy = simulate(mesh(2, 2.5, ttl=5.0), trials=5_000, seed=1).stats()
    assert heavy["mean_backlog"] > 5 * light["mean_backlog"]
    assert heavy["missed_events"] > 50 * max(light["missed_events"], 1) / 50 and heavy["missed_events"] > 500
    assert heavy["throughput"] == pytest.approx(2.0, rel=0.05)  # saturated at c * mu
    assert light["throughput"] == pytest.approx(0.5, rel=0.05)


def test_events_nobody_subscribes_to_are_missed_silently():
    scenario = uniform_scenario(
        "mesh", 2, 1.0, mesh=Mesh(1.0, ("schema_change", "freshness"), (("schema_change",),) * 2)
    )
    result = simulate(scenario, trials=4_000, seed=3)
    unhandled = result.trials[result.trials["event_type"] == "freshness"]
    assert unhandled["missed"].all() and (unhandled["missed_reason"] == "no_subscriber").all()
    assert (unhandled["outcome"] == "silent_failure").all()
    assert 0.45 < len(unhandled) / 4_000 < 0.55


@pytest.mark.parametrize("servers,rate,seed", [(1, 0.5, 1), (2, 1.5, 4), (3, 2.4, 9)])
def test_the_queue_measure_counts_every_second_an_event_waits(servers, rate, seed):
    """The area under the queue curve is the events' total waiting time (exactly), and the peak
    counts an event that waited at all. The run used to sample the queue just before an arrival
    joined it and just after a claim left it: one waiting event read as a peak of 0, and an M/M/1
    queue with a theoretical mean of 0.5 as 0.32."""
    result = simulate(mesh(servers, rate, ttl=30.0), trials=3_000, seed=seed)
    waits, stats = result.trials["wait"], result.mesh_stats
    assert stats["mean_backlog"] * stats["horizon"] == pytest.approx(waits.sum(), rel=1e-9)
    assert (stats["peak_backlog"] >= 1) == bool((waits > 0).any())
    _, levels, _, _ = backlog_curve(result)
    assert stats["peak_backlog"] == max(levels) and min(levels) == 0
    assert stats["longest_backlog"] <= stats["horizon"]


@pytest.mark.slow
@pytest.mark.parametrize("servers,rate", [(1, 0.5), (3, 2.1)])
def test_the_mean_queue_agrees_with_mmc(servers, rate):
    """Little's law: the mean queue is the arrival rate times the mean wait, Lq = lambda x (W - 1/mu)."""
    result = simulate(mesh(servers, rate), trials=40_000, seed=servers + 10)
    waits = result.trials["wait"].to_numpy()[2_000:]  # drop the warm-up from an empty system
    batches = np.array_split(waits, 20)  # successive waits are correlated: batch means for the SE
    se = np.std([b.mean() for b in batches], ddof=1) / np.sqrt(len(batches))
    expected_wait = mmc_mean_sojourn(servers, rate, 1.0) - 1.0
    assert abs(waits.mean() - expected_wait) <= 4 * se, f"mean wait {waits.mean():.3f} vs M/M/c {expected_wait:.3f}"
    queue = result.mesh_stats["mean_backlog"]
    assert abs(queue - rate * expected_wait) <= 4 * rate * se + 0.05 * rate * expected_wait, (
        f"mean queue {queue:.3f} vs M/M/c {rate * expected_wait:.3f}"
    )

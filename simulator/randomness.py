"""Random streams and latency draws. No global random state anywhere in the kit.

Every run gets its own streams from a :class:`numpy.random.SeedSequence`, so the same seed
gives the same numbers on any machine, and sweeps spawn independent child streams.
"""

from __future__ import annotations

import random
from functools import partial

import numpy as np

from .params import Latency, Run
from .settings import check_setting


def check_seed(seed):
    """``seed`` as the streams take it: ``None``, a ``SeedSequence``, or a whole number of at least 0
    (a numpy integer becomes a Python ``int``, so results print and compare the same)."""
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed
    return check_setting(Run, "seed", seed)


def seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def numpy_stream(seed) -> np.random.Generator:
    """A numpy Generator for the vectorised engine."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed)))


def python_stream(seed) -> random.Random:
    """A ``random.Random`` for the SimPy engine: a scalar draw costs ~50 ns against ~600 ns from numpy."""
    state = seed_sequence(seed).generate_state(4, dtype=np.uint32)
    return random.Random(int.from_bytes(state.tobytes(), "little"))


def child_seeds(seed, count: int) -> list[np.random.SeedSequence]:
    """Independent streams for the runs of a sweep."""
    return seed_sequence(seed).spawn(count)


def draw_latency(latency: Latency, rng: random.Random) -> float:
    """One attempt's duration in simulated seconds."""
    if latency.mean == 0 or latency.kind == "fixed":
        return latency.mean
    if latency.kind == "exponential":
        return rng.expovariate(1.0 / latency.mean)
    if latency.kind == "lognormal":
        mu, sigma = latency.lognormal_mu_sigma
        return rng.lognormvariate(mu, sigma)
    return rng.uniform(latency.mean * (1 - latency.cv), latency.mean * (1 + latency.cv))


def latency_sampler(latency: Latency, rng: random.Random):
    """A no-argument callable drawing what :func:`draw_latency` draws, with the branching done once."""
    if latency.mean == 0 or latency.kind == "fixed":
        return partial(float, latency.mean)
    if latency.kind == "exponential":
        return partial(rng.expovariate, 1.0 / latency.mean)
    if latency.kind == "lognormal":
        return partial(rng.lognormvariate, *latency.lognormal_mu_sigma)
    return partial(rng.uniform, latency.mean * (1 - latency.cv), latency.mean * (1 + latency.cv))


def draw_latencies(latency: Latency, gen: np.random.Generator, size: int) -> np.ndarray:
    """``size`` durations at once, from the same distribution as :func:`draw_latency`."""
    if latency.mean == 0 or latency.kind == "fixed":
        return np.full(size, latency.mean)
    if latency.kind == "exponential":
        return gen.exponential(latency.mean, size)
    if latency.kind == "lognormal":
        mu, sigma = latency.lognormal_mu_sigma
        return gen.lognormal(mu, sigma, size)
    return gen.uniform(latency.mean * (1 - latency.cv), latency.mean * (1 + latency.cv), size)

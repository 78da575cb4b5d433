"""Helpers the tests import: the repository root and statistical assertions.

Statistical checks use fixed seeds and a tolerance of a few standard errors.
"""

from __future__ import annotations

import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIGMAS = 4.0  # tolerance in standard errors: a false alarm about once in 16,000 checks


def assert_rate(observed: float, expected: float, trials: int, label: str = "rate", sigmas: float = SIGMAS):
    """``observed`` is within ``sigmas`` binomial standard errors of ``expected``."""
    se = math.sqrt(max(expected * (1 - expected), 1e-12) / trials)
    assert abs(observed - expected) <= sigmas * se + 1e-12, (
        f"{label}: simulated {observed:.4f}, expected {expected:.4f}, tolerance {sigmas} x SE {se:.4f}"
    )


def assert_same_rate(a: float, b: float, n_a: int, n_b: int, label: str = "rate", sigmas: float = SIGMAS):
    """Two simulated rates agree within ``sigmas`` standard errors of their difference."""
    pooled = (a * n_a + b * n_b) / (n_a + n_b)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / n_a + 1 / n_b))
    assert abs(a - b) <= sigmas * se + 1e-12, f"{label}: {a:.4f} vs {b:.4f}, tolerance {sigmas} x SE {se:.4f}"

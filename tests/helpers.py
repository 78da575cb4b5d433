"""Helpers the tests import: the repository root, statistical assertions and one check of live views.

Statistical checks use fixed seeds and a tolerance of a few standard errors.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIGMAS = 4.0  # tolerance in standard errors: a false alarm about once in 16,000 checks
#: Set to 1 by ``.ci/run``, which installs Chromium and bubblewrap: there a missing part is a broken
#: machine, and the tests that need it fail instead of skipping (a skip would pass CI unseen).
REQUIRE_PARTS = "ORCHLAB_REQUIRE_PARTS"


def missing_part(reason: str):
    """Skip a test for want of a system part (Chromium, bubblewrap), or fail it under ``.ci/run``."""
    if os.environ.get(REQUIRE_PARTS) == "1":
        pytest.fail(f"{reason} ({REQUIRE_PARTS}=1: .ci/run installs this part, so it must work here)")
    pytest.skip(reason)


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


def another_value(control):
    """A valid value for a slider, drop-down or checkbox other than its current one."""
    if isinstance(control.value, bool):
        return not control.value
    if hasattr(control, "options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(control.value) + 1) % len(values)]
    step = control.step
    return control.value + step if control.value + step <= control.max else control.value - step


def assert_each_move_redraws_each_figure_once(box, monkeypatch, name: str):
    """Move every control of an explorer once: each figure that changes gets one plotly message (the
    browser redraws a figure once per message) and keeps a wrapped title."""
    import plotly.graph_objects as go

    from explorers.style import wrap_title

    sent: list[tuple[int, str]] = []
    for kind in ("update", "relayout", "restyle", "animate"):
        original = getattr(go.FigureWidget, f"_send_{kind}_msg")

        def record(self, *args, _original=original, _kind=kind, **kwargs):
            sent.append((id(self), _kind))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(go.FigureWidget, f"_send_{kind}_msg", record)
    for label, control in box.controls.items():
        sent.clear()
        control.value = another_value(control)
        per_figure = {figure: [kind for fid, kind in sent if fid == figure] for figure, _ in sent}
        assert all(len(kinds) == 1 for kinds in per_figure.values()), f"{name}: moving {label!r} sent {per_figure}"
        for figure in box.figures:
            title = figure.layout.title.text or ""
            assert title == wrap_title(title), f"{name}: after moving {label!r} the title is not wrapped: {title!r}"

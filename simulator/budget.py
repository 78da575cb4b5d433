"""The memory a run needs, estimated before it starts, so a run too big for the machine is
refused in one line with the size it would take instead of dying half way with a MemoryError.

The figures are peak resident bytes per trial measured on both engines, rounded up; the test
``tests/test_params_budget.py`` holds real runs to stay under the estimate.
"""

from __future__ import annotations

from .params import Scenario
from .settings import ParameterError

#: The most memory one run may take: room for the notebook or shell around it on a laptop.
MEMORY_BUDGET = 2 * 1024**3
#: Vectorised engine: the trial table and the per-trial arrays of one stage.
VECTORISED_TRIAL = 380
#: Vectorised fan-in: per branch, the arrays of every trial (twice that for replicas, which are sorted).
BRANCH = 20
REPLICA_BRANCH = 32
#: SimPy engine: one row object per trial, and per traced event.
SIMPY_TRIAL = 1200
TRACE_EVENT = 300


def bytes_per_trial(scenario: Scenario, engine: str, trace: bool = False) -> int:
    """Estimated peak memory per trial of ``scenario`` on ``engine`` (``vectorised`` or ``simpy``)."""
    if engine == "vectorised":
        width = len(scenario.workers) if scenario.pattern in ("fanout", "hybrid") else 0
        return VECTORISED_TRIAL + width * (REPLICA_BRANCH if scenario.redundant else BRANCH)
    events = 2 * len(scenario.agents) + 4 if trace else 0  # a work and a hand-off per agent, a few marks
    return SIMPY_TRIAL + events * TRACE_EVENT


def check_memory(scenario: Scenario, trials: int, engine: str, trace: bool = False) -> None:
    """Refuse ``trials`` when the run would need more than :data:`MEMORY_BUDGET`, saying how many fit."""
    per_trial = bytes_per_trial(scenario, engine, trace)
    need = trials * per_trial
    if need > MEMORY_BUDGET:
        fit = MEMORY_BUDGET // per_trial
        shape = f"{scenario.pattern} of {len(scenario.agents)} agents" + (" (replicas)" if scenario.redundant else "")
        raise ParameterError(
            "trials",
            f"{trials:,} trials of this {shape} need about {need / 1e9:.1f} GB of memory, more than the "
            f"{MEMORY_BUDGET / 1e9:.1f} GB a run may use; ask for at most {fit:,} trials",
        )

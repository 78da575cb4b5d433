"""The memory model that refuses runs too big: real runs stay under its estimate.

Each case runs in a fresh interpreter and compares the growth of its peak resident memory
(``VmHWM``) with :func:`simulator.budget.bytes_per_trial`. The runs are large enough (80 to
400 MB) that the allocator's reuse of freed memory does not hide them; the estimate may be cautious,
but never more than four times the real figure, so it does not refuse runs that would fit.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import uniform_scenario
from simulator.budget import MEMORY_BUDGET, bytes_per_trial, check_memory
from simulator.params import ParameterError

PROBE = """
import json, sys
from simulator import simulate, uniform_scenario

def peak_kib():  # VmHWM starts afresh at exec, unlike ru_maxrss, which a child inherits from its parent
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])

kwargs = json.loads(sys.argv[1])
trials, engine = kwargs.pop("trials"), kwargs.pop("engine")
simulate(uniform_scenario(**kwargs), trials=100, seed=1, engine=engine).stats()  # load the code paths first
before = peak_kib()
simulate(uniform_scenario(**kwargs), trials=trials, seed=2, engine=engine).stats()
print((peak_kib() - before) * 1024 / trials)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
@pytest.mark.parametrize(
    "case",
    [
        dict(pattern="fanout", agents=40, redundant=True, trials=80_000, engine="vectorised"),
        dict(pattern="fanout", agents=12, trials=300_000, engine="vectorised"),
        dict(pattern="sequential", agents=5, trials=400_000, engine="vectorised"),
    ],
)
def test_real_runs_stay_under_the_estimate(case):
    measured = float(
        subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(case)], capture_output=True, text=True, check=True, timeout=300
        ).stdout
    )
    kwargs = {k: v for k, v in case.items() if k not in ("trials", "engine")}
    estimate = bytes_per_trial(uniform_scenario(**kwargs), case["engine"])
    assert measured <= estimate <= 4 * measured, (measured, estimate)


def test_the_refusal_says_how_many_trials_fit():
    scenario = uniform_scenario("fanout", 200, redundant=True)
    fit = MEMORY_BUDGET // bytes_per_trial(scenario, "vectorised")
    check_memory(scenario, fit, "vectorised")  # the largest run that fits is allowed
    with pytest.raises(ParameterError, match=f"ask for at most {fit:,} trials") as info:
        check_memory(scenario, fit + 1, "vectorised")
    assert info.value.field == "trials"

"""Running learner code, for a future exercise that must: never in the grader's process.

No exercise today runs learner code; every answer is parsed as data. When one has to, it
goes through :func:`run_isolated`: a fresh ``python -I`` process with a CPU-time limit, an
address-space limit, no inherited environment beyond a minimal one, a wall-clock timeout,
and a working folder of its own. Only the JSON the code prints crosses back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

PRELUDE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
"""


@dataclass(frozen=True)
class IsolatedResult:
    """What came back: the parsed JSON, or why there is none."""

    ok: bool
    value: object = None
    error: str = ""


def run_isolated(code: str, *, timeout: float = 5.0, memory_mb: int = 256) -> IsolatedResult:
    """Run ``code`` in its own limited process; it must print one JSON document on stdout."""
    cpu = max(1, int(timeout))
    prelude = PRELUDE.format(cpu=cpu, memory=memory_mb * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="orchlab-sandbox-") as folder:
        try:
            proc = subprocess.run(
                [sys.executable, "-I", "-c", prelude + "\n" + code],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={"PATH": os.defpath, "HOME": folder},
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return IsolatedResult(False, error=f"stopped after {timeout:g} s")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        if proc.returncode < 0:
            last = f"killed by the limits (signal {-proc.returncode})"
        return IsolatedResult(False, error=last[:300])
    try:
        return IsolatedResult(True, json.loads(proc.stdout))
    except json.JSONDecodeError:
        return IsolatedResult(False, error="the code did not print one JSON document")

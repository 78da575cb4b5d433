"""Running untrusted code (learner Python or SQL) in a bubblewrap sandbox; only its JSON comes back.

:func:`run_isolated` runs ``python -I`` under bubblewrap (Debian's ``bubblewrap``): read-only
``/usr`` and interpreter folders and nothing else of the host (not the kit: no ``rubrics/``,
no ``grader/``), private size-capped ``/tmp``, ``/dev/shm`` and working folder, no network,
its own PID, IPC, UTS, cgroup and user namespaces, a cleared environment, no capabilities,
uid ``nobody``, and rlimits on processes, file size, CPU, address space and open files.
The grader reads back at most ``max_output`` bytes and, at the deadline, kills the
sandbox's init, which ends every process in it. ``docs/sandbox.md`` says what is promised.

Where bubblewrap is missing or cannot create a sandbox, :func:`run_isolated` raises
:class:`SandboxUnavailable` with one line that says why and how to install it; it never
runs code unconfined. :func:`sandbox_available` answers the same question beforehand.

Example: a learner's query on a throwaway copy of a DuckDB file; the SQL travels as an input
file, never pasted into the code, and ``json`` is imported for the code already::

    code = (
        "import duckdb\\n"
        "con = duckdb.connect('warehouse.duckdb', read_only=True, config={\\n"
        "    'enable_external_access': False, 'threads': 1, 'memory_limit': '256MB'})\\n"
        "rows = con.execute(open('query.sql').read()).fetchall()\\n"
        "print(json.dumps({'rows': rows}, default=str))"
    )
    inputs = {"warehouse.duckdb": "/path/to/warehouse.duckdb", "query.sql": "/path/to/answer.sql"}
    result = run_isolated(code, inputs=inputs, timeout=10, memory_mb=1024)  # DuckDB wants > 256 MB
    result.ok, result.value, result.error  # (True, {'rows': [[1234]]}, '') or (False, None, why)

``inputs`` maps a plain file name to a host file; each is copied into the working folder
(the code's cwd, ``/sandbox``) before the run, so nothing the code does reaches the original.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import select
import selectors
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .sandbox_command import LIMITS, SandboxUnavailable, bwrap_command, rlimits

__all__ = ["IsolatedResult", "LIMITS", "SandboxUnavailable", "run_isolated", "sandbox_available"]

INSTALL_HINT = (
    "install bubblewrap to run code-running checks: `sudo apt-get install bubblewrap` "
    "(Debian/Ubuntu; .ci/run does this in CI)"
)
SETUP_HINT = "so no code is run; the sandbox needs user namespaces, which this system may forbid"
READY = b"\0orchlab-sandbox-ready\n"  # the prelude's first bytes on stderr: bubblewrap's setup is over


@dataclass(frozen=True)
class IsolatedResult:
    """What came back: the parsed JSON, or why there is none."""

    ok: bool
    value: object = None
    error: str = ""


PRELUDE = """\
import os, resource
os.write(2, {ready!r})
for _limit, _value in {limits!r}:
    resource.setrlimit(_limit, (_value, _value))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu} + 1))
del os, resource, _limit, _value
import json
with open("/orchlab/code.py", encoding="utf-8") as _source:
    _code = compile(_source.read(), "<submitted code>", "exec")
del _source
exec(_code, {{"__name__": "__main__", "json": json}})
"""


def sandbox_available() -> tuple[bool, str]:
    """``(True, "")`` if sandboxed runs work here, else ``(False, one line saying why and how to fix it)``."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, f"bubblewrap (bwrap) is not on the PATH, so no code is run; {INSTALL_HINT}"
    return _probe(bwrap)


@cache
def _probe(bwrap: str) -> tuple[bool, str]:
    try:
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bubblewrap at {bwrap} does not start ({exc}), so no code is run; {INSTALL_HINT}"
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
    if numbers < (0, 8):  # --size, --disable-userns and --perms on tmpfs came in 0.8.0
        return False, f"{version or bwrap} is too old: the sandbox needs bubblewrap 0.8 or newer; {INSTALL_HINT}"
    try:
        result = _run(bwrap, "print(json.dumps(1))", timeout=10.0, memory_mb=256, inputs={}, max_output=100)
    except SandboxUnavailable as exc:
        return False, str(exc)
    if result.ok and result.value == 1:
        return True, ""
    return False, f"bubblewrap could not run a trial script here ({result.error}), {SETUP_HINT}"


def run_isolated(
    code: str,
    *,
    timeout: float = 5.0,
    memory_mb: int = 256,
    inputs: Mapping[str, str | Path] | None = None,
    max_output: int = 1_000_000,
) -> IsolatedResult:
    """Run ``code`` in the sandbox; it must print one JSON document on stdout.

    ``inputs`` maps file names to host files copied into the working folder first. Raises
    :class:`SandboxUnavailable` (no sandbox here) or :class:`ValueError` (a bad argument).
    """
    if not isinstance(code, str):
        raise ValueError(f"code must be a str, not {type(code).__name__}")
    if not (isinstance(timeout, int | float) and 0 < timeout <= 3600):
        raise ValueError(f"timeout must be a number of seconds in (0, 3600], not {timeout!r}")
    if not (isinstance(memory_mb, int) and 32 <= memory_mb <= 65_536):
        raise ValueError(f"memory_mb must be an int in [32, 65536], not {memory_mb!r}")
    if not (isinstance(max_output, int) and max_output > 0):
        raise ValueError(f"max_output must be a positive int, not {max_output!r}")
    ok, why = sandbox_available()  # the first call runs one trial script; the answer is cached
    if not ok:
        raise SandboxUnavailable(why)
    return _run(shutil.which("bwrap") or "bwrap", code, timeout, memory_mb, dict(inputs or {}), max_output)


def _run(bwrap: str, code: str, timeout: float, memory_mb: int, inputs: dict, max_output: int) -> IsolatedResult:
    opened: list[int] = []
    try:
        files = [(_open_input(name, path), name) for name, path in inputs.items()]
        opened += [fd for fd, _ in files]
        input_bytes = sum(os.fstat(fd).st_size for fd, _ in files)
        cpu = max(1, math.ceil(timeout))
        prelude = PRELUDE.format(ready=READY, limits=rlimits(memory_mb, input_bytes), cpu=cpu)
        prelude_fd, code_fd = _data_fd(prelude), _data_fd(code)
        opened += [prelude_fd, code_fd]
        status_read, status_write = os.pipe()
        opened += [status_read, status_write]
        command, pass_fds = bwrap_command(bwrap, files, input_bytes, prelude_fd, code_fd, status_write)
        return _supervise(command, pass_fds, status_read, timeout, max_output)
    finally:
        for fd in opened:
            os.close(fd)


def _open_input(name: str, path: str | Path) -> int:
    if not isinstance(name, str) or name in {"", ".", ".."} or "/" in name or "\0" in name or len(name) > 200:
        raise ValueError(f"input name {name!r} must be a plain file name (no '/', not '.' or '..', < 200 chars)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, TypeError, ValueError) as exc:
        raise ValueError(f"input {name!r}: cannot open {path!r} ({exc})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(f"input {name!r}: {path!r} is not a regular file")
    return fd


def _data_fd(text: str) -> int:
    """An open, unlinked file holding ``text``, for bubblewrap to copy in."""
    with tempfile.TemporaryFile() as handle:
        handle.write(text.encode("utf-8", "surrogatepass"))
        handle.flush()
        handle.seek(0)
        return os.dup(handle.fileno())


def _supervise(command: list[str], pass_fds: list[int], status_fd: int, timeout: float, max_output: int):
    """Start the sandbox, read at most ``max_output`` bytes of stdout, and kill it all at the deadline."""
    started = time.monotonic()
    pipe = subprocess.PIPE
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, pass_fds=pass_fds, env={}, start_new_session=True
    )
    out, err, status = bytearray(), bytearray(), bytearray()
    ready, child_pid, stopped = False, 0, ""
    deadline = started + timeout + LIMITS.grace
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, "out")
        selector.register(proc.stderr, selectors.EVENT_READ, "err")
        selector.register(status_fd, selectors.EVENT_READ, "status")
        streams = 2
        while streams:
            left = deadline - time.monotonic()
            if left <= 0:
                stopped = f"stopped after {timeout:g} s"
                break
            for key, _ in selector.select(min(left, 1.0)):
                chunk = os.read(key.fd, 65_536)
                if key.data == "status":
                    status += chunk
                    child_pid = child_pid or _child_pid(status)
                    if not chunk or child_pid:
                        selector.unregister(key.fd)
                elif not chunk:
                    selector.unregister(key.fileobj)
                    streams -= 1
                elif key.data == "out":
                    out += chunk
                else:
                    err += chunk
                    if not ready and READY in err:
                        ready, deadline = True, time.monotonic() + timeout
                        del err[: err.index(READY) + len(READY)]
                    del err[: -LIMITS.stderr_tail]
            if len(out) > max_output:
                stopped = f"stopped: the code printed more than {max_output:,} bytes"
                break
    if stopped and not child_pid and select.select([status_fd], [], [], 0)[0]:
        child_pid = _child_pid(status + os.read(status_fd, 65_536))
    _end(proc, child_pid, killing=bool(stopped))
    proc.stdout.close()
    proc.stderr.close()
    if stopped:
        return IsolatedResult(False, error=stopped)
    return _outcome(proc.returncode, bytes(out), err.decode("utf-8", "replace"), ready, timeout)


def _child_pid(status: bytearray) -> int:
    for line in status.decode("utf-8", "replace").splitlines():
        try:
            return int(json.loads(line).get("child-pid", 0))
        except (ValueError, AttributeError):
            continue
    return 0


def _end(proc: subprocess.Popen, child_pid: int, *, killing: bool) -> None:
    """Wait for the sandbox; when ``killing``, kill its init first, which ends every process in it."""
    for pid in (child_pid, proc.pid) if killing else ():
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    try:
        proc.wait(timeout=LIMITS.grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _await_init(child_pid)


def _await_init(pid: int) -> None:
    """Wait until the sandbox's init is a zombie or gone (bubblewrap may return a moment earlier)."""
    stop = time.monotonic() + LIMITS.grace
    while pid and time.monotonic() < stop:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            return
        if state in (b"Z", b"X"):
            return
        time.sleep(0.002)


def _last_error(err: str) -> str:
    """The exception a traceback ends with, all its lines (DuckDB's span several), else the last line."""
    lines = [line for line in err.splitlines() if line.strip()]
    frames = [i for i, line in enumerate(lines) if line.startswith("  File ")]
    start = frames[-1] + 1 if frames else len(lines) - 1
    while 0 <= start < len(lines) and lines[start].startswith(" "):
        start += 1
    return " ".join(line.strip() for line in lines[max(start, 0) :])[:300]


def _outcome(returncode: int, out: bytes, err: str, ready: bool, timeout: float) -> IsolatedResult:
    last = _last_error(err) or f"exit code {returncode}"
    if not ready:
        raise SandboxUnavailable(f"bubblewrap could not set up the sandbox ({last}), {SETUP_HINT}")
    if returncode > 128:
        number = returncode - 128
        if number == signal.SIGXCPU:
            return IsolatedResult(False, error=f"stopped by the CPU-time limit ({math.ceil(timeout)} s)")
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        return IsolatedResult(False, error=f"killed by the limits (signal {number}, {name})")
    if returncode != 0:
        return IsolatedResult(False, error=last)
    try:
        return IsolatedResult(True, json.loads(out))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, an int past Python's digit limit
        return IsolatedResult(False, error="the code did not print one JSON document")

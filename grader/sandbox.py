"""Running untrusted code (learner Python or SQL) in a bubblewrap sandbox; only its JSON comes back.

:func:`run_isolated` starts ``python -I`` inside `bubblewrap <https://github.com/containers/bubblewrap>`_
(Debian's ``bubblewrap``): a read-only view of ``/usr`` and of this interpreter and its
site-packages only (the kit's own folders, ``rubrics/`` and ``grader/`` included, are not
there), a private size-capped ``/tmp``, ``/dev/shm`` and working folder, no network
(loopback included), its own PID, IPC, UTS, cgroup and user namespaces, a fresh ``/proc``
and a minimal ``/dev``, a cleared environment, no capabilities and the uid ``nobody``
(when the grader is root, bubblewrap keeps only the right to change uid, and setpriv and
unshare drop to nobody in a user namespace of the code's own, so the kernel's process
limit applies and counts this sandbox alone). Inside, rlimits cap processes, file size,
CPU time, address space and open files, and cannot be raised again. The grader reads at
most ``max_output`` bytes back, and at the deadline it kills the sandbox's init, which
ends every process in it. ``docs/sandbox.md`` lists what is promised and how it is tested.

Where bubblewrap is missing or cannot create a sandbox, :func:`run_isolated` raises
:class:`SandboxUnavailable` with one line that says why and how to install it; it never
runs code unconfined. :func:`sandbox_available` answers the same question beforehand.

Example: a learner's query against a throwaway copy of a DuckDB file. The SQL travels as an
input file, never pasted into the code, and ``json`` is already imported for the code::

    from grader.sandbox import run_isolated

    code = (
        "import duckdb\\n"
        "con = duckdb.connect('warehouse.duckdb', read_only=True, config={\\n"
        "    'enable_external_access': False, 'threads': 1, 'memory_limit': '256MB'})\\n"
        "rows = con.execute(open('query.sql').read()).fetchall()\\n"
        "print(json.dumps({'rows': rows}, default=str))"
    )
    result = run_isolated(
        code,
        inputs={"warehouse.duckdb": "/path/to/warehouse.duckdb", "query.sql": "/path/to/answer.sql"},
        timeout=10,
        memory_mb=1024,  # DuckDB reserves address space: 256 MB is too little for its defaults
    )
    result.ok, result.value, result.error  # (True, {'rows': [[1234]]}, '') or (False, None, why)

``inputs`` maps a plain file name to a host file; each is copied into the working folder
(the code's cwd, ``/sandbox``) before the run, so nothing the code does reaches the original.
"""

from __future__ import annotations

import json
import math
import os
import select
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["IsolatedResult", "LIMITS", "SandboxUnavailable", "run_isolated", "sandbox_available"]

INSTALL_HINT = (
    "install bubblewrap to run code-running checks: `sudo apt-get install bubblewrap` "
    "(Debian/Ubuntu; .ci/run does this in CI)"
)
NOBODY = 65534
WORKDIR = "/sandbox"
KIT_ROOT = Path(__file__).resolve().parents[1]
READY = b"\0orchlab-sandbox-ready\n"  # the prelude's first bytes on stderr: bubblewrap's setup is over


@dataclass(frozen=True)
class Limits:
    """Fixed limits of every sandboxed run (time and memory are per call)."""

    tasks: int = 32  # processes and threads (RLIMIT_NPROC, counted per user namespace): bounds memory too
    file_mb: int = 64  # largest file the code may write (RLIMIT_FSIZE), beyond the inputs' size
    scratch_mb: int = 64  # room in the working folder beyond the inputs, and the size of /tmp
    shm_mb: int = 1  # size of /dev/shm
    open_files: int = 256  # RLIMIT_NOFILE
    stderr_tail: int = 65_536  # bytes of stderr kept, from the end, to explain a failure
    grace: float = 2.0  # seconds for bubblewrap's setup and shutdown beyond ``timeout``


LIMITS = Limits()


@dataclass(frozen=True)
class IsolatedResult:
    """What came back: the parsed JSON, or why there is none."""

    ok: bool
    value: object = None
    error: str = ""


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here, so the code is not run at all."""


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
        result = _run(bwrap, "print(json.dumps(1))", timeout=10.0, memory_mb=256, inputs={}, max_output=100)
    except SandboxUnavailable as exc:
        return False, str(exc)
    if result.ok and result.value == 1:
        return True, ""
    return False, f"bubblewrap could not run a trial script here ({result.error}); {INSTALL_HINT}"


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
        prelude = PRELUDE.format(ready=READY, limits=_rlimits(memory_mb, input_bytes), cpu=cpu)
        prelude_fd, code_fd = _data_fd(prelude), _data_fd(code)
        opened += [prelude_fd, code_fd]
        status_read, status_write = os.pipe()
        opened += [status_read, status_write]
        command, pass_fds = _command(bwrap, files, input_bytes, prelude_fd, code_fd, status_write)
        return _supervise(command, pass_fds, status_read, timeout, max_output)
    finally:
        for fd in opened:
            os.close(fd)


def _open_input(name: str, path: str | Path) -> int:
    if not isinstance(name, str) or name in {"", ".", ".."} or "/" in name or "\0" in name or len(name) > 200:
        raise ValueError(
            f"input name {name!r} must be a plain file name (no '/', not '.' or '..', 200 characters at most)"
        )
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


def _rlimits(memory_mb: int, input_bytes: int) -> list[tuple[int, int]]:
    import resource

    return [
        (resource.RLIMIT_NPROC, LIMITS.tasks),
        (resource.RLIMIT_FSIZE, LIMITS.file_mb * 2**20 + input_bytes),
        (resource.RLIMIT_AS, memory_mb * 2**20),
        (resource.RLIMIT_NOFILE, LIMITS.open_files),
        (resource.RLIMIT_CORE, 0),
    ]


def _python_dirs() -> list[str]:
    """The folders this interpreter needs: its prefixes (a venv and its base), outside ``/usr``."""
    dirs: list[str] = []
    for prefix in (sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix):
        path = os.path.realpath(prefix)
        if not _under(path, "/usr") and path not in dirs:
            dirs.append(path)
    return dirs


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _command(bwrap, files, input_bytes, prelude_fd, code_fd, status_fd) -> tuple[list[str], list[int]]:
    mb = 2**20
    python = [os.path.abspath(sys.executable), "-I", "-B", "/orchlab/prelude.py"]
    if os.geteuid() == 0:
        # Root's processes are exempt from RLIMIT_NPROC, so bubblewrap keeps only the right to change
        # uid, setpriv drops to nobody for good, and unshare gives the code a user namespace of its
        # own, in which the kernel counts this sandbox's processes apart from any other sandbox's.
        namespaces = ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        payload = [_tool("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        payload += ["--inh-caps=-all", "--no-new-privs", "--", _tool("unshare"), "--user", "--", *python]
    else:
        namespaces = ["--unshare-user", "--disable-userns", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        namespaces += ["--cap-drop", "ALL"]
        payload = python
    args = [
        bwrap,
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        *namespaces,
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
        "--setenv", "HOME", WORKDIR,
        "--setenv", "TMPDIR", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "TZ", "UTC",
        "--ro-bind", "/usr", "/usr",
    ]  # fmt: skip
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    made: set[str] = set()
    folders = _python_dirs()
    for folder in folders:
        args += _parents(folder, made) + ["--ro-bind", folder, folder]
    kit = str(KIT_ROOT)
    if any(_under(kit, folder) for folder in folders):  # the kit inside the interpreter's folders: mask it
        args += ["--tmpfs", kit]
        for folder in folders:
            if _under(folder, kit) and folder != kit:
                args += _parents(folder, {kit}) + ["--ro-bind", folder, folder]
    args += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--perms", "1777", "--size", str(LIMITS.shm_mb * mb), "--tmpfs", "/dev/shm",
        "--perms", "1777", "--size", str(LIMITS.scratch_mb * mb), "--tmpfs", "/tmp",
        "--perms", "1777", "--size", str(LIMITS.scratch_mb * mb + input_bytes), "--tmpfs", WORKDIR,
    ]  # fmt: skip
    for fd, name in files:  # world-writable because, under root, bubblewrap makes them root's
        args += ["--perms", "0666", "--file", str(fd), f"{WORKDIR}/{name}"]
    args += [
        "--perms", "0755", "--dir", "/orchlab",
        "--perms", "0444", "--ro-bind-data", str(prelude_fd), "/orchlab/prelude.py",
        "--perms", "0444", "--ro-bind-data", str(code_fd), "/orchlab/code.py",
        "--remount-ro", "/",
        "--chdir", WORKDIR,
        "--json-status-fd", str(status_fd),
        "--", *payload,
    ]  # fmt: skip
    return args, [prelude_fd, code_fd, status_fd] + [fd for fd, _ in files]


def _parents(folder: str, made: set[str]) -> list[str]:
    """Make the folders above ``folder`` traversable (bubblewrap would create them mode 0700)."""
    args = []
    parts = Path(folder).parts
    for depth in range(2, len(parts)):
        parent = str(Path(*parts[:depth]))
        if parent not in made and not _under(parent, "/usr"):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if path is None:
        raise SandboxUnavailable(f"the grader runs as root and needs util-linux's {name}, which is missing")
    return os.path.realpath(path)


def _supervise(command: list[str], pass_fds: list[int], status_fd: int, timeout: float, max_output: int):
    """Start the sandbox, read at most ``max_output`` bytes of stdout, and kill it all at the deadline."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=pass_fds,
        env={"PATH": os.defpath},
        start_new_session=True,
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
    if killing:
        for pid in (child_pid, proc.pid):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    try:
        proc.wait(timeout=LIMITS.grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _await_init(child_pid)


def _await_init(pid: int) -> None:
    """Wait until the sandbox's init is a zombie or gone: by then the kernel has ended all its processes.

    (bubblewrap returns as soon as its init reports the exit code, a moment before the init is reaped.)
    """
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
        raise SandboxUnavailable(f"bubblewrap could not set up the sandbox ({last}); {INSTALL_HINT}")
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

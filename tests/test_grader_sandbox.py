"""The sandbox holds: each test is an escape a hostile submission has tried, and it must fail.

Every run is bounded by ``run_isolated``'s own timeout (one to five seconds here). Without
bubblewrap these tests skip with the same line the sandbox refuses with (under ``.ci/run``,
which installs bubblewrap, they fail instead). Each harmful probe
first checks that it really is confined (see :func:`probe`), so a broken sandbox fails these
tests instead of letting them kill, fill or overwrite the machine that runs them.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from grader import sandbox, sandbox_command
from grader.sandbox import LIMITS, SandboxUnavailable, run_isolated, sandbox_available
from tests.helpers import REQUIRE_PARTS, ROOT, missing_part

AVAILABLE, WHY = sandbox_available()


@pytest.fixture
def working_sandbox():
    """Skips the test, or fails it under .ci/run, when bubblewrap cannot run a sandbox here."""
    if not AVAILABLE:
        missing_part(WHY)


needs_sandbox = pytest.mark.usefixtures("working_sandbox")


def host_processes_with(needle: bytes) -> list[int]:
    """Host pids whose command line contains ``needle``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def host_processes_in_namespace(link: str) -> list[int]:
    """Host pids, zombies aside, whose PID namespace is ``link`` (as ``/proc/<pid>/ns/pid`` reads)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "pid") == link and b") Z " not in (entry / "stat").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def probe(code: str) -> str:
    """``code``, run only if the sandbox hides this process and the kit; else it prints "UNCONFINED"."""
    guard = (
        "import os as _os\n"
        f"if _os.path.exists('/proc/{os.getpid()}/environ') or _os.path.exists({str(ROOT / 'rubrics')!r}):\n"
        "    print(json.dumps('UNCONFINED'))\n"
        "    raise SystemExit(0)\n"
        "del _os\n"
    )
    return guard + code


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- what the sandbox is for ---------------------------------------------------------------


@needs_sandbox
def test_json_comes_back():
    result = run_isolated("print(json.dumps({'chain': round(0.95 ** 3, 3)}))")
    assert result.ok and result.value == {"chain": 0.857}


@needs_sandbox
def test_anything_but_json_is_refused():
    assert run_isolated("print('hello')").error == "the code did not print one JSON document"
    assert "ZeroDivisionError" in run_isolated("1 / 0").error
    assert "SyntaxError" in run_isolated("def (:").error
    for unreadable in ("print('1' * 5000)", "print('[' * 100_000)", "import sys; sys.stdout.buffer.write(b'\\xff')"):
        assert run_isolated(unreadable).error == "the code did not print one JSON document", unreadable
    assert not run_isolated("print(json.dumps('\\ud800'))\nimport sys; sys.exit(3)").ok


@needs_sandbox
def test_long_code_and_odd_text_are_handled():
    big = "x = 0\n" + "x += 1\n" * 60_000 + "print(json.dumps(x))"  # 420 kB: more than one argv entry holds
    assert run_isolated(big, timeout=10).value == 60_000
    odd = run_isolated("print(json.dumps('\\ud800'))\ns = '\ud800'")
    assert not odd.ok and odd.error


@needs_sandbox
def test_duckdb_query_runs_on_a_throwaway_copy(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE orders_daily AS SELECT range AS id, range % 12 = 0 AS null_customer FROM range(1200)")
    before = sha256(warehouse)
    code = (
        "import duckdb\n"
        "con = duckdb.connect('warehouse.duckdb')\n"
        "con.execute('SET enable_external_access = false')\n"
        "share = con.execute('SELECT avg(null_customer::INT) FROM orders_daily').fetchone()[0]\n"
        "con.execute('DROP TABLE orders_daily')\n"
        "con.close()\n"
        "print(json.dumps({'share': round(share, 4)}))"
    )
    result = run_isolated(code, inputs={"warehouse.duckdb": warehouse}, timeout=20, memory_mb=1024)
    assert result.ok, result.error
    assert result.value == {"share": round(100 / 1200, 4)}
    assert sha256(warehouse) == before  # the DROP hit the copy only
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders_daily").fetchone()[0] == 1200


@needs_sandbox
def test_inputs_are_copied_in_and_bad_inputs_are_named(tmp_path):
    data = tmp_path / "numbers.txt"
    data.write_text("1 2 3")
    result = run_isolated("import os\nprint(json.dumps([os.getcwd(), open('n.txt').read()]))", inputs={"n.txt": data})
    assert result.value == ["/sandbox", "1 2 3"]
    for name in ("../n.txt", "a/b", "", ".", ".."):
        with pytest.raises(ValueError, match="plain file name"):
            run_isolated("print(1)", inputs={name: data})
    with pytest.raises(ValueError, match=r"'missing'.*cannot open"):
        run_isolated("print(1)", inputs={"missing": tmp_path / "nope"})
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"'f'.*not a regular file"):
        run_isolated("print(1)", inputs={"f": fifo})
    with pytest.raises(ValueError, match=r"'d'.*not a regular file"):
        run_isolated("print(1)", inputs={"d": tmp_path})
    with pytest.raises(ValueError, match="timeout"):
        run_isolated("print(1)", timeout=0)


def test_refuses_to_run_without_bubblewrap(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.setattr(sandbox.subprocess, "Popen", lambda *a, **k: pytest.fail("code ran unconfined"))
    available, why = sandbox_available()
    assert not available
    assert "sudo apt-get install bubblewrap" in why and "bwrap" in why
    with pytest.raises(SandboxUnavailable) as refused:
        run_isolated("print(1)")
    assert str(refused.value) == why


def test_a_missing_part_skips_on_a_laptop_and_fails_under_ci(monkeypatch):
    """.ci/run installs bubblewrap and Chromium and sets the switch: a test that then finds one
    missing fails, so a sandbox that stopped working cannot pass CI as a row of skips."""
    monkeypatch.delenv(REQUIRE_PARTS, raising=False)
    with pytest.raises(pytest.skip.Exception, match="bwrap is not installed"):
        missing_part("bwrap is not installed")
    monkeypatch.setenv(REQUIRE_PARTS, "1")
    with pytest.raises(pytest.fail.Exception, match="bwrap is not installed"):
        missing_part("bwrap is not installed")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci.index(f"export {REQUIRE_PARTS}=1") < ci.index("make test")


def test_an_old_bubblewrap_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho bubblewrap 0.6.1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name, *args, **kwargs: str(fake))
    available, why = sandbox_available()
    assert not available and "bubblewrap 0.6.1 is too old" in why and "0.8 or newer" in why
    with pytest.raises(SandboxUnavailable, match="too old"):
        run_isolated("print(1)")


@needs_sandbox
def test_a_sandbox_that_cannot_be_set_up_refuses_to_run(monkeypatch):
    real = sandbox.bwrap_command

    def broken(*args):
        command, fds = real(*args)
        return [command[0], "--no-such-option", *command[1:]], fds

    monkeypatch.setattr(sandbox, "bwrap_command", broken)
    sandbox._probe.cache_clear()
    try:
        available, why = sandbox_available()
        assert not available and "could not set up the sandbox" in why and "no code is run" in why
        with pytest.raises(SandboxUnavailable, match="no code is run"):
            run_isolated("print(1)")
    finally:
        sandbox._probe.cache_clear()


# --- limits -----------------------------------------------------------------------------


@needs_sandbox
def test_endless_loop_is_stopped():
    result = run_isolated("while True:\n    pass", timeout=2)
    assert not result.ok and ("stopped" in result.error or "killed" in result.error)


@needs_sandbox
def test_sleeper_is_stopped_at_the_wall_clock_deadline():
    started = time.monotonic()
    result = run_isolated("import time\ntime.sleep(30)", timeout=1)
    assert result.error == "stopped after 1 s"
    assert time.monotonic() - started < 1 + 2 * LIMITS.grace  # setup time and the kill, on a loaded machine


@needs_sandbox
def test_memory_hog_is_stopped():
    result = run_isolated("x = bytearray(2_000_000_000)\nprint('{}')", memory_mb=128)
    assert not result.ok and "MemoryError" in result.error


@needs_sandbox
def test_writing_200_mb_is_refused_by_the_file_size_limit():
    code = """
import errno
written, outcomes = 0, {}
for where in ("/sandbox/big", "/tmp/big"):
    written = 0
    try:
        with open(where, "wb") as handle:
            for _ in range(200):
                handle.write(b"x" * 2**20)
                handle.flush()
                written += 2**20
        outcomes[where] = ["no error", written]
    except OSError as exc:
        outcomes[where] = [errno.errorcode[exc.errno], written]
    import os; os.remove(where)
print(json.dumps(outcomes))
"""
    result = run_isolated(probe(code), timeout=10)
    assert result.ok, result.error
    for where, (error, written) in result.value.items():
        assert error == "EFBIG", where
        assert written <= LIMITS.file_mb * 2**20, where


@needs_sandbox
def test_many_files_cannot_fill_the_disk():
    code = """
import errno
total = 0
try:
    for i in range(10):
        with open(f"/tmp/part{i}", "wb") as handle:
            for _ in range(40):
                handle.write(b"x" * 2**20)
                handle.flush()
                total += 2**20
    print(json.dumps(["no error", total]))
except OSError as exc:
    print(json.dumps([errno.errorcode[exc.errno], total]))
"""
    result = run_isolated(probe(code), timeout=10)
    assert result.ok, result.error
    assert result.value[0] == "ENOSPC" and result.value[1] <= LIMITS.scratch_mb * 2**20


@needs_sandbox
def test_limits_cannot_be_raised_and_no_privilege_is_left():
    code = """
import os, resource
raised = []
for name in ("RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NOFILE"):
    limit = getattr(resource, name)
    soft, hard = resource.getrlimit(limit)
    for attempt in ((hard, resource.RLIM_INFINITY), (resource.RLIM_INFINITY, resource.RLIM_INFINITY)):
        try:
            resource.setrlimit(limit, attempt)
            raised.append(name)
        except (ValueError, OSError):
            pass
try:
    os.setuid(0)
    raised.append("setuid")
except OSError:
    pass
caps = [line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff")]
print(json.dumps({"raised": raised, "uid": os.getuid(), "euid": os.geteuid(), "caps": caps}))
"""
    result = run_isolated(probe(code))
    assert result.ok, result.error
    assert result.value["raised"] == []
    assert result.value["uid"] != 0 and result.value["euid"] != 0
    assert int(result.value["caps"][0], 16) == 0


# --- the escapes ----------------------------------------------------------------------------


@needs_sandbox
def test_cannot_write_the_kits_files_or_any_host_path(tmp_path):
    token = uuid.uuid4().hex
    own_module = ROOT / "grader" / "sandbox.py"
    before = sha256(own_module)
    site = Path(sys.prefix)
    targets = {
        "module": str(own_module),
        "kit": str(ROOT / f"escape-{token}"),
        "venv": str(site / f"escape-{token}.pth"),
        "usr": f"/usr/escape-{token}",
        "root": f"/escape-{token}",
        "host_tmp": str(tmp_path / f"escape-{token}"),
    }
    code = f"""
targets = {targets!r}
outcome = {{}}
for name, path in targets.items():
    try:
        with open(path, "a"):  # opening for append is the test; nothing is written
            outcome[name] = "writable"
    except OSError as exc:
        outcome[name] = type(exc).__name__
with open("/tmp/escape-{token}", "w") as handle:
    handle.write("inside")
print(json.dumps(outcome))
"""
    result = run_isolated(probe(code))
    assert result.ok, result.error
    assert all(value not in {"writable", "UNCONFINED"} for value in result.value.values()), result.value
    assert sha256(own_module) == before
    for path in [*targets.values(), f"/tmp/escape-{token}"]:
        if path != str(own_module):
            assert not Path(path).exists(), path  # the sandbox's /tmp is its own, too


@needs_sandbox
def test_cannot_read_rubrics_grader_or_any_kit_folder():
    rubric_names = sorted(path.name for path in (ROOT / "rubrics").glob("*.yaml"))
    assert rubric_names, "the kit has rubrics to protect"
    probes = [str(ROOT / "rubrics" / rubric_names[0]), str(ROOT / "grader" / "sandbox.py"), str(ROOT / "tests")]
    probes += [str(ROOT / "exercises"), str(ROOT / "README.md")]
    code = f"""
import os
readable = []
for path in {probes!r}:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        readable.append(path)
    except OSError:
        pass
found = []
for top in ("/",):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/dev", "/usr")]
        found += [os.path.join(folder, f) for f in files if f in {rubric_names!r}]
        found += [os.path.join(folder, d) for d in dirs if d == "rubrics"]
print(json.dumps({{"readable": readable, "found": found}}))
"""
    result = run_isolated(probe(code), timeout=20)
    assert result.ok, result.error
    assert result.value == {"readable": [], "found": []}


@needs_sandbox
def test_a_kit_inside_the_interpreters_folders_is_still_masked(monkeypatch):
    stand_in = Path(sys.base_prefix) / "include"  # a folder of the bound interpreter that Python can run without
    if not stand_in.is_dir() or not any(stand_in.iterdir()):
        pytest.skip(f"{stand_in} is not a non-empty folder here")
    monkeypatch.setattr(sandbox_command, "KIT_ROOT", stand_in)
    result = run_isolated(f"import os\nprint(json.dumps(os.listdir({str(stand_in)!r})))")
    assert result.ok and result.value == [], result


@needs_sandbox
def test_cannot_read_the_graders_environment_through_proc(monkeypatch):
    secret = f"orchlab-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("ORCHLAB_RUBRIC_KEY", secret)
    me, parent = os.getpid(), os.getppid()
    code = f"""
import os
seen, leaks = [], []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        seen.append(int(pid))
        for part in ("environ", "cmdline"):
            try:
                if {secret!r}.encode() in open(f"/proc/{{pid}}/{{part}}", "rb").read():
                    leaks.append([pid, part])
            except OSError:
                pass
direct = []
for pid in ({me}, {parent}):
    try:
        open(f"/proc/{{pid}}/environ", "rb").read()
        direct.append(pid)
    except OSError:
        pass
print(json.dumps({{"seen": seen, "leaks": leaks, "direct": direct, "env": sorted(os.environ)}}))
"""
    result = run_isolated(probe(code))
    assert result.ok, result.error
    assert result.value["leaks"] == [] and result.value["direct"] == []
    assert me not in result.value["seen"] and max(result.value["seen"]) < 100  # only the sandbox's own pids
    assert result.value["env"] == ["HOME", "LANG", "PATH", "PWD", "TMPDIR", "TZ"]


@needs_sandbox
def test_no_network_not_even_loopback():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    abstract = f"\0orchlab-test-{uuid.uuid4().hex}"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(abstract)
    unix.listen(1)
    unix.settimeout(0.5)
    code = f"""
import socket
outcome = {{}}
for name, family, address in (
    ("tcp", socket.AF_INET, ("127.0.0.1", {port})),
    ("abstract", socket.AF_UNIX, {abstract!r}),
    ("outside", socket.AF_INET, ("1.1.1.1", 53)),
):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        s.connect(address)
        outcome[name] = "connected"
    except OSError as exc:
        outcome[name] = type(exc).__name__
print(json.dumps(outcome))
"""
    try:
        result = run_isolated(probe(code), timeout=5)
        for server in (listener, unix):
            with pytest.raises(TimeoutError):
                server.accept()
    finally:
        listener.close()
        unix.close()
    assert result.ok, result.error
    assert "connected" not in result.value.values(), result.value


@needs_sandbox
def test_fork_bomb_is_contained_and_other_runs_go_on():
    bomb = """
import os, time
forked = refused = 0
for _ in range(2000):
    try:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        forked += 1
    except OSError:
        refused += 1
print(json.dumps({"forked": forked, "refused": refused, "ns": os.readlink("/proc/self/ns/pid")}))
"""
    results = {}
    thread = threading.Thread(target=lambda: results.setdefault("bomb", run_isolated(probe(bomb), timeout=5)))
    thread.start()
    time.sleep(0.3)  # the bomb is running: another sandbox and the host must still work
    neighbour = run_isolated("import os\nif os.fork() == 0: os._exit(0)\nos.wait()\nprint(json.dumps('fine'))")
    host = subprocess.run(["true"], timeout=5)
    thread.join(timeout=15)
    bomb_result = results["bomb"]
    assert bomb_result.ok, bomb_result.error
    assert 0 < bomb_result.value["forked"] < LIMITS.tasks
    assert bomb_result.value["refused"] >= 2000 - LIMITS.tasks
    assert neighbour.value == "fine" and host.returncode == 0
    assert host_processes_in_namespace(bomb_result.value["ns"]) == []  # its sleeping children are gone


SURVIVOR = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        later = "import time; time.sleep({delay}); " + "".join(
            f"open({{p!r}}, 'w').write('survived'); " for p in {paths!r}
        )
        os.execv(sys.executable, [sys.executable, "-c", later, {marker!r}])
    os._exit(0)
os.wait()
time.sleep(0.3)
print(json.dumps(os.readlink("/proc/self/ns/pid")), flush=True)
{ending}
"""


@needs_sandbox
@pytest.mark.parametrize("ending", ["time.sleep(60)", "pass"], ids=["killed-at-timeout", "exits-normally"])
def test_no_process_outlives_the_run(tmp_path, ending):
    marker = f"orchlab-survivor-{uuid.uuid4().hex}"
    paths = [str(tmp_path / "late"), "/tmp/" + marker, "/sandbox/late"]
    delay = 2.0
    code = SURVIVOR.format(delay=delay, paths=paths, marker=marker, ending=ending)
    result = run_isolated(probe(code), timeout=1.5)
    if ending == "pass":
        assert result.ok and str(result.value).startswith("pid:["), result
        assert host_processes_in_namespace(result.value) == []
    else:
        assert result.error == "stopped after 1.5 s"
    assert host_processes_with(marker.encode()) == []
    time.sleep(delay + 0.5)  # long enough for a survivor to have written its file
    assert host_processes_with(marker.encode()) == []
    assert not (tmp_path / "late").exists() and not Path("/tmp", marker).exists()


@needs_sandbox
def test_the_sandbox_dies_with_a_killed_grader(tmp_path):
    marker = f"orchlab-orphan-{uuid.uuid4().hex}"
    code = (
        f"import os, sys\nos.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(20)', {marker!r}])"
    )
    script = tmp_path / "grade.py"
    script.write_text(f"from grader.sandbox import run_isolated\nrun_isolated({probe(code)!r}, timeout=20)\n")
    grader = subprocess.Popen([sys.executable, str(script)], cwd=ROOT)
    try:
        for _ in range(300):  # up to 15 s for the grader to start on a loaded machine
            if host_processes_with(marker.encode()):
                break
            time.sleep(0.05)
        assert host_processes_with(marker.encode()), "the sandboxed code did not start"
    finally:
        grader.kill()
        grader.wait()
    for _ in range(40):
        if not host_processes_with(marker.encode()):
            break
        time.sleep(0.05)
    assert host_processes_with(marker.encode()) == []


@needs_sandbox
def test_cannot_signal_or_trace_the_grader():
    canary_command = ["sleep", "30"]
    if os.geteuid() == 0 and shutil.which(
        "setpriv"
    ):  # the canary shares the sandbox's uid: only the PID namespace protects it
        canary_command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *canary_command]
    canary = subprocess.Popen(canary_command)
    me = os.getpid()
    code = f"""
import ctypes, os, signal
outcome = {{}}
for name, pid in (("grader", {me}), ("canary", {canary.pid})):
    try:
        os.kill(pid, signal.SIGKILL)
        outcome[name] = "signalled"
    except OSError as exc:
        outcome[name] = type(exc).__name__
    try:
        os.killpg(pid, signal.SIGKILL)
        outcome[name + "_group"] = "signalled"
    except OSError as exc:
        outcome[name + "_group"] = type(exc).__name__
libc = ctypes.CDLL(None, use_errno=True)
outcome["ptrace"] = libc.ptrace(16, {me}, None, None)  # PTRACE_ATTACH
for name, pid in (("parent", os.getppid()), ("everyone", -1)):
    try:
        os.kill(pid, signal.SIGKILL)
        outcome[name] = "signalled"
    except OSError as exc:
        outcome[name] = type(exc).__name__
print(json.dumps(outcome), flush=True)
"""
    try:
        result = run_isolated(probe(code), timeout=3)
        assert canary.poll() is None, "a process outside the sandbox was killed"
    finally:
        canary.kill()
        canary.wait()
    assert result.ok, result.error  # kill(-1) reached nothing outside, not even bubblewrap
    assert {key: result.value[key] for key in ("grader", "canary", "grader_group", "canary_group")} == dict.fromkeys(
        ("grader", "canary", "grader_group", "canary_group"), "ProcessLookupError"
    )
    assert result.value["ptrace"] == -1
    again = run_isolated(
        probe(
            f"import os\ntry:\n    os.kill({me}, 9)\n    print(json.dumps('signalled'))\n"
            "except OSError as exc:\n    print(json.dumps(type(exc).__name__))"
        )
    )
    assert again.value == "ProcessLookupError"


@needs_sandbox
def test_flooding_stdout_is_cut_off_and_the_grader_stays_small():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.monotonic()
    result = run_isolated(probe("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)"), timeout=20)
    assert result.error == f"stopped: the code printed more than {1_000_000:,} bytes"
    assert time.monotonic() - started < 10
    small = run_isolated("print(json.dumps('y' * 100))", max_output=50)
    assert "printed more than 50 bytes" in small.error
    errors = run_isolated(probe("import sys\nwhile True:\n    sys.stderr.write('e' * 65536)"), timeout=2)
    assert not errors.ok and ("stopped" in errors.error)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 64 * 1024, f"the grader grew by {grown} KiB while reading a flood"


@needs_sandbox
def test_cannot_read_host_secrets_or_reach_shared_memory():
    token = uuid.uuid4().hex
    home_secret = Path.home() / f".orchlab-sandbox-secret-{token}"
    host_shm = Path("/dev/shm") / f"orchlab-{token}"
    try:
        home_secret.write_text("private")
        home_secret.chmod(0o600)
    except OSError:
        home_secret = None
    code = f"""
import errno, os
outcome = {{}}
for name, path in (("shadow", "/etc/shadow"), ("passwd", "/etc/passwd"), ("home", {str(home_secret)!r}),
                   ("ssh", {str(Path.home() / ".ssh")!r})):
    try:
        open(path, "rb").read(1) if not os.path.isdir(path) else os.listdir(path)
        outcome[name] = "read"
    except OSError as exc:
        outcome[name] = type(exc).__name__
with open("/dev/shm/orchlab-{token}", "w") as handle:
    handle.write("inside")
try:
    with open("/dev/shm/big", "wb") as handle:
        handle.write(b"x" * 8 * 2**20)
    outcome["shm_big"] = "written"
except OSError as exc:
    outcome["shm_big"] = errno.errorcode[exc.errno]
print(json.dumps(outcome))
"""
    try:
        result = run_isolated(probe(code))
    finally:
        if home_secret is not None:
            home_secret.unlink()
    assert result.ok, result.error
    assert "read" not in result.value.values(), result.value
    assert result.value["shm_big"] in {"ENOSPC", "EFBIG"}
    assert not host_shm.exists()


@needs_sandbox
def test_sandbox_runs_as_nobody_with_its_own_namespaces():
    code = """
import os
print(json.dumps({"pid": os.getpid(), "uid": os.getuid(), "ns": {n: os.readlink(f"/proc/self/ns/{n}")
       for n in ("pid", "net", "ipc", "uts", "mnt")}}))
"""
    result = run_isolated(probe(code))
    assert result.ok, result.error
    assert result.value["pid"] <= 3 and result.value["uid"] == 65534
    for name, link in result.value["ns"].items():
        assert link != os.readlink(f"/proc/self/ns/{name}"), name


def test_an_interpreter_under_tmp_is_bound_after_the_scratch_tmp(monkeypatch):
    """A kit cloned under /tmp (mktemp -d) has its .venv there: the sandbox's own /tmp must not hide it.
    bubblewrap mounts in argument order, so the scratch tmpfs must come before the binds inside it."""

    monkeypatch.setattr(sandbox_command, "_python_dirs", lambda: ["/tmp/tmp.kit/.venv", "/opt/python"])
    args, _ = sandbox_command.bwrap_command("bwrap", [], 0, 3, 4, 5)
    scratch = next(i for i in range(len(args) - 1) if args[i] == "--tmpfs" and args[i + 1] == "/tmp")
    bound = [i for i in range(len(args) - 2) if args[i] == "--ro-bind" and args[i + 2] == "/tmp/tmp.kit/.venv"]
    assert bound and all(i > scratch for i in bound), "the scratch /tmp is mounted over the interpreter"

"""The bubblewrap command line of one sandboxed run, and the fixed limits it applies.

:mod:`grader.sandbox` runs it; this module only decides what the sandbox can see and do.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LIMITS", "Limits", "NOBODY", "SandboxUnavailable", "WORKDIR", "bwrap_command", "rlimits"]

NOBODY = 65534
WORKDIR = "/sandbox"
KIT_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": WORKDIR,
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "TZ": "UTC",
}


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


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here, so the code is not run at all."""


def rlimits(memory_mb: int, input_bytes: int) -> list[tuple[int, int]]:
    """The (resource, value) pairs the prelude sets as both soft and hard limits."""
    import resource  # POSIX only: imported here so that the grader still imports elsewhere

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
    """``path`` is ``folder`` or inside it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def bwrap_command(bwrap, files, input_bytes, prelude_fd, code_fd, status_fd) -> tuple[list[str], list[int]]:
    """bubblewrap's arguments for one run, and the descriptors it must inherit (see docs/sandbox.md)."""
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
        *(x for key, value in ENVIRONMENT.items() for x in ("--setenv", key, value)),
        "--ro-bind", "/usr", "/usr",
        # the scratch /tmp before the interpreter's folders: a kit (and its .venv) cloned under /tmp
        # is bound on top of it, instead of being hidden by it
        "--perms", "1777", "--size", str(LIMITS.scratch_mb * mb), "--tmpfs", "/tmp",
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
    """The absolute path of a util-linux tool inside ``/usr``, which the sandbox sees too."""
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if path is None:
        raise SandboxUnavailable(f"the grader runs as root and needs util-linux's {name}, which is missing")
    return os.path.realpath(path)

"""A supervised process pool: a time limit per job, stuck or dead workers replaced, no orphans.

``concurrent.futures`` cannot stop one stuck task, and a worker it loses breaks the whole pool.
Here each worker is a forked process fed through its own pipe; the parent watches every job's
deadline, kills a worker that overruns and starts a fresh one, and reports that job as
``"timeout"`` (or the worker's exit) instead of a result. Workers end with their parent: Linux
kills them when it dies (``PR_SET_PDEATHSIG``), and each also checks its parent's pid while idle.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait

PR_SET_PDEATHSIG = 1
DEPTH = 2  # jobs queued per worker, so a worker never waits for the parent between jobs
IDLE_CHECK = 1.0  # seconds between an idle worker's checks that its parent is alive


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; exit now if the parent is already gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the idle pid check below still applies
        pass
    if os.getppid() != parent:
        os._exit(0)


def _serve(func: Callable, conn, parent: int) -> None:
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    while True:
        if not conn.poll(IDLE_CHECK):
            if os.getppid() != parent:
                os._exit(0)
            continue
        try:
            item = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if item is None:
            os._exit(0)
        index, job = item
        try:
            outcome = func(job)
        except BaseException as exc:  # func should not raise; if it does, say so for this job only
            outcome = f"{type(exc).__name__}: {exc}"
        try:
            conn.send((index, outcome))
        except Exception as exc:
            conn.send((index, f"its result could not be sent back ({type(exc).__name__})"))


class _Worker:
    def __init__(self, func: Callable, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(func, child, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.queue: deque[int] = deque()  # indices sent, oldest first
        self.started = time.monotonic()  # when the oldest queued job began

    def send(self, index: int, job) -> None:
        if not self.queue:
            self.started = time.monotonic()
        self.queue.append(index)
        self.conn.send((index, job))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """``with Pool(func, workers, time_limit) as pool: for outcome in pool.run(jobs): ...``

    ``run`` yields, in input order, ``func(job)`` or a string saying why there is none
    (``"timeout"``, or how the worker ended). ``func`` must be a top-level function.
    """

    def __init__(self, func: Callable, workers: int, time_limit: float):
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.func, self.size, self.limit = func, max(1, workers), time_limit
        self.workers: list[_Worker] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            worker.process.join(0.5)
            worker.stop()
        self.workers = []

    def run(self, jobs: Iterable) -> Iterator:
        jobs = list(jobs)
        pending = deque(range(len(jobs)))
        done: dict[int, object] = {}
        next_out = 0
        while len(self.workers) < min(self.size, len(jobs)):
            self.workers.append(_Worker(self.func, self.context))
        while next_out < len(jobs):
            for depth in range(1, DEPTH + 1):  # one job to every worker before any gets a second
                for worker in self.workers:
                    if pending and len(worker.queue) < depth:
                        worker.send(pending[0], jobs[pending.popleft()])
            busy = {w.conn: w for w in self.workers if w.queue}
            now = time.monotonic()
            deadline = min((w.started + self.limit for w in busy.values()), default=now)
            for conn in wait(list(busy), timeout=max(0.0, deadline - now)):
                self._collect(busy[conn], done, pending)
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.queue and now - worker.started > self.limit:
                    done[worker.queue.popleft()] = "timeout"
                    self._replace(worker, pending)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _collect(self, worker: _Worker, done: dict, pending: deque) -> None:
        try:
            index, outcome = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            why = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
            done[worker.queue.popleft()] = why
            self._replace(worker, pending)
            return
        worker.queue.remove(index)
        worker.started = time.monotonic()
        done[index] = outcome

    def _replace(self, worker: _Worker, pending: deque) -> None:
        """Kill ``worker`` and start a fresh one; jobs it had queued go back to the front of the line."""
        pending.extendleft(reversed(worker.queue))
        worker.stop()
        self.workers[self.workers.index(worker)] = _Worker(self.func, self.context)

"""The same four strategies for real: threads writing to one SQLite database.

Each writer thread has its own connection and makes ``updates`` read-modify-write
increments, holding ``hold`` seconds between its read and its write (the agent "thinking").
Blind overwrite loses updates; optimistic locking, event sourcing and agent-scoped state
lose none. The database file is left behind for a learner to open.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd

from .shared_state import STRATEGIES, _check

SETUP = """
PRAGMA journal_mode = WAL;
DROP TABLE IF EXISTS shared_record;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS agent_state;
CREATE TABLE shared_record (id INTEGER PRIMARY KEY, value INTEGER NOT NULL, version INTEGER NOT NULL);
INSERT INTO shared_record VALUES (1, 0, 0);
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, agent INTEGER NOT NULL, delta INTEGER NOT NULL);
CREATE TABLE agent_state (agent INTEGER PRIMARY KEY, value INTEGER NOT NULL);
"""


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 60000")
    return db


def _writer(
    path: Path, strategy: str, agent: int, updates: int, hold: float, conflicts: list, start: threading.Barrier
):
    db = _connect(path)
    start.wait()
    for _ in range(updates):
        if strategy == "blind_overwrite":
            (value,) = db.execute("SELECT value FROM shared_record WHERE id = 1").fetchone()
            time.sleep(hold)
            db.execute("UPDATE shared_record SET value = ? WHERE id = 1", (value + 1,))
        elif strategy == "optimistic_locking":
            while True:
                value, version = db.execute("SELECT value, version FROM shared_record WHERE id = 1").fetchone()
                time.sleep(hold)
                cursor = db.execute(
                    "UPDATE shared_record SET value = ?, version = version + 1 WHERE id = 1 AND version = ?",
                    (value + 1, version),
                )
                if cursor.rowcount == 1:
                    break
                conflicts[agent] += 1
        elif strategy == "event_sourcing":
            time.sleep(hold)
            db.execute("INSERT INTO events (agent, delta) VALUES (?, 1)", (agent,))
        else:
            (value,) = db.execute("SELECT value FROM agent_state WHERE agent = ?", (agent,)).fetchone()
            time.sleep(hold)
            db.execute("UPDATE agent_state SET value = ? WHERE agent = ?", (value + 1, agent))
    db.close()


def replay_events(path: str | Path) -> int:
    """Event sourcing's state: the sum of the logged deltas."""
    db = _connect(Path(path))
    (total,) = db.execute("SELECT COALESCE(SUM(delta), 0) FROM events").fetchone()
    db.close()
    return int(total)


def run_sqlite_contention(
    strategy: str, path: str | Path, writers: int = 4, updates: int = 25, hold: float = 0.002
) -> dict:
    """Run one strategy against a fresh database at ``path``; returns what was lost and retried."""
    _check(strategy, writers, updates, 1.0)
    path = Path(path)
    db = _connect(path)
    db.executescript(SETUP)
    db.executemany("INSERT INTO agent_state VALUES (?, 0)", [(i,) for i in range(writers)])
    db.close()
    conflicts = [0] * writers
    start = threading.Barrier(writers)
    threads = [
        threading.Thread(target=_writer, args=(path, strategy, i, updates, hold, conflicts, start))
        for i in range(writers)
    ]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    db = _connect(path)
    if strategy == "event_sourcing":
        final = replay_events(path)
    elif strategy == "agent_scoped":
        (final,) = db.execute("SELECT SUM(value) FROM agent_state").fetchone()
    else:
        (final,) = db.execute("SELECT value FROM shared_record WHERE id = 1").fetchone()
    db.close()
    expected = writers * updates
    return dict(
        strategy=strategy,
        writers=writers,
        updates=updates,
        expected_total=expected,
        final_value=int(final),
        lost_updates=expected - int(final),
        conflict_retries=sum(conflicts),
        seconds=seconds,
        database=str(path),
    )


def compare_sqlite(folder: str | Path, writers: int = 4, updates: int = 25, hold: float = 0.002) -> pd.DataFrame:
    """Every strategy against its own database file in ``folder``, one row each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return pd.DataFrame([run_sqlite_contention(s, folder / f"{s}.sqlite", writers, updates, hold) for s in STRATEGIES])

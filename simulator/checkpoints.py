"""State checkpoints in a real SQLite file, and resuming a run from them.

Each accepted hand-off becomes one row (run, trial, step, agent, wrong, degradation, time).
Learners open the file with ``sqlite3`` or pandas; :func:`resume_trial` re-runs only the
agents whose hand-off is not in the file.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pandas as pd

from .params import ParameterError
from .rules import kind_code

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, scenario TEXT NOT NULL, pattern TEXT NOT NULL, seed TEXT, trials INTEGER
);
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id TEXT NOT NULL, trial INTEGER NOT NULL, step INTEGER NOT NULL, agent TEXT NOT NULL,
    wrong INTEGER NOT NULL, degradation TEXT, sim_time REAL NOT NULL,
    PRIMARY KEY (run_id, trial, step)
);
"""


class CheckpointStore:
    """Buffers one run's checkpoint rows and writes them in a single transaction on close."""

    def __init__(
        self, path: str | Path, scenario_name: str, pattern: str, seed, trials: int, run_id: str | None = None
    ):
        self.path = Path(path)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self._rows: list[tuple] = []
        self._run = (self.run_id, scenario_name, pattern, None if seed is None else str(seed), trials)

    def write(self, trial: int, step: int, agent: str, wrong: bool, degradation: str | None, sim_time: float):
        self._rows.append((self.run_id, trial, step, agent, int(wrong), degradation, sim_time))

    def close(self):
        with sqlite3.connect(self.path) as db:
            db.executescript(SCHEMA)
            db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)", self._run)
            db.execute("DELETE FROM checkpoints WHERE run_id = ?", (self.run_id,))
            db.executemany("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)", self._rows)
        db.close()


def read_checkpoints(path: str | Path, run_id: str | None = None) -> pd.DataFrame:
    """The checkpoint rows of one run (or of every run in the file) as a DataFrame."""
    path = Path(path)
    if not path.exists():
        raise ParameterError("checkpoint_path", f"no checkpoint file at {path}")
    with sqlite3.connect(path) as db:
        query = "SELECT * FROM checkpoints" + (" WHERE run_id = ?" if run_id else "") + " ORDER BY run_id, trial, step"
        frame = pd.read_sql_query(query, db, params=(run_id,) if run_id else None)
    db.close()
    frame["wrong"] = frame["wrong"].astype(bool)
    return frame


def saved_handoffs(path: str | Path, run_id: str, trial: int) -> dict:
    """Agent name -> the payload (a kind code) it handed off, for one trial of one run."""
    rows = read_checkpoints(path, run_id)
    rows = rows[rows["trial"] == trial]
    return {r.agent: kind_code(r.degradation if r.wrong else None) for r in rows.itertuples()}

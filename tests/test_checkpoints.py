"""Checkpoints land in a real SQLite file, and resuming re-runs only what was not saved."""

import sqlite3

from simulator import read_checkpoints, resume_trial, simulate, uniform_scenario


def test_every_accepted_handoff_is_a_row(tmp_path):
    path = tmp_path / "run.sqlite"
    result = simulate(
        pattern="sequential", agents=4, reliability=0.8, trials=300, seed=1, checkpoints=True, checkpoint_path=path
    )
    rows = read_checkpoints(path, result.run_id)
    per_trial = rows.groupby("trial").size().reindex(range(300), fill_value=0)
    finished = result.trials.set_index("trial")["outcome"] != "detected_failure"
    assert (per_trial[finished] == 4).all()
    assert (per_trial[~finished] < 4).all()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT trials FROM runs WHERE run_id = ?", (result.run_id,)).fetchone() == (300,)


def test_resume_reruns_only_unsaved_agents(tmp_path):
    scenario = uniform_scenario("sequential", 5, 0.75, silent_share=0.0, checkpoints=True)
    result = simulate(scenario, trials=200, seed=3, checkpoint_path=tmp_path / "c.sqlite")
    failed = result.trials[result.trials["outcome"] == "detected_failure"]
    assert len(failed) > 10
    for row in failed.head(10).itertuples():
        stopped_at = int(row.ended_at.split("_")[1])
        resumed = resume_trial(result, row.trial, seed=row.trial)
        assert resumed["restored"] == [f"agent_{i}" for i in range(1, stopped_at)]
        assert resumed["rerun"][0] == row.ended_at
        assert not set(resumed["rerun"]) & set(resumed["restored"])
        assert resumed["calls"] >= len(resumed["rerun"])

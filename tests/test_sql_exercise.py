"""Exercise 06: a learner's completeness cross-check in SQL is screened, run only in the sandbox on
copies of real warehouses, and held against injected impact-count faults.

The screen and the refusals need no sandbox. Everything that runs SQL skips, with the sandbox's
own reason, where the sandbox (bubblewrap, with ``inputs=``) is not available (and fails under
``.ci/run``, which installs bubblewrap).
"""

from __future__ import annotations

import json

import pytest

from grader import grade_answers, grade_file, load_rubric
from grader.checks.impact_faults import FAULTS, warehouses
from grader.checks.sql_cross_check import caught_by_fault, measure, read_counts
from grader.checks.sql_query import MAX_SQL_CHARS, Refused, run_query, sandbox_status, screen_sql
from tests.helpers import ROOT, missing_part

SEEDS = (0, 41)
EXERCISE = ROOT / "exercises" / "06_completeness_sql.ipynb"
SOLUTION = ROOT / "tests" / "grader_solutions" / "06_completeness_sql.ipynb"

#: Every input of every completed run is an edge; walk down from each alert, count distinct models.
CORRECT = """
WITH RECURSIVE edges AS (
    SELECT DISTINCT parent, e.job_name AS child
    FROM lineage.run_events AS e, unnest(e.inputs) AS i(parent)
    WHERE e.event_type = 'COMPLETE'
),
downstream(incident_id, model) AS (
    SELECT a.incident_id, edges.child FROM ops.alerts AS a JOIN edges ON edges.parent = a.table_name
    UNION
    SELECT d.incident_id, edges.child FROM downstream AS d JOIN edges ON edges.parent = d.model
)
SELECT a.incident_id, count(DISTINCT d.model) AS affected_models
FROM ops.alerts AS a LEFT JOIN downstream AS d USING (incident_id)
GROUP BY a.incident_id
"""
#: The impact agent's own silent fault, written as a cross-check: it agrees with the fault it should catch.
NAIVE = """
SELECT a.incident_id, count(DISTINCT e.job_name) AS affected_models
FROM ops.alerts AS a
JOIN lineage.run_events AS e ON e.event_type = 'COMPLETE' AND list_contains(e.inputs, a.table_name)
GROUP BY a.incident_id
"""
#: Two unnests in one SELECT are zipped, not crossed: a model's second input loses its edge.
ZIPPED = CORRECT.replace(
    "SELECT DISTINCT parent, e.job_name AS child\n    FROM lineage.run_events AS e, unnest(e.inputs) AS i(parent)",
    "SELECT DISTINCT unnest(e.inputs) AS parent, unnest(e.outputs) AS child\n    FROM lineage.run_events AS e",
)
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT 'INC-001', count(*) FROM r"


# ---- the screen (no sandbox needed) -------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1;",
        "select incident_id, 0 from ops.alerts ;  -- trailing semicolon and comment",
        "SELECT ';' AS not_a_second_statement",
        "SELECT 1 -- ; DROP TABLE ops.alerts",
        "SELECT 1 /* ; DROP /* nested */ TABLE */",
        "SELECT $$; DROP TABLE ops.alerts$$",
        "SELECT E'it''s \\' ; fine'",
        'SELECT 1 AS "a ""quoted"" name"',
        "FROM ops.alerts SELECT incident_id",
        "(SELECT 1)",
        "WITH x AS (SELECT 1 AS n) SELECT n FROM x",
        "SELECT * FROM ops.alerts WHERE table_name = 'orders_api.customers'",
    ],
)
def test_one_read_only_query_passes_the_screen(sql):
    assert screen_sql(sql).strip()


REFUSALS = [
    ("SELECT 1; SELECT 2", "more than one statement"),
    ("SELECT 1; DROP TABLE ops.alerts", "more than one statement"),
    ("CREATE TABLE mine AS SELECT 1", "CREATE is not a query"),
    ("DROP TABLE ops.alerts", "DROP is not a query"),
    ("ALTER TABLE ops.alerts ADD COLUMN x INTEGER", "ALTER is not a query"),
    ("INSERT INTO ops.alerts VALUES (1)", "INSERT is not a query"),
    ("UPDATE ops.alerts SET current = 0", "UPDATE is not a query"),
    ("DELETE FROM ops.alerts", "DELETE is not a query"),
    ("TRUNCATE ops.alerts", "TRUNCATE is not a query"),
    ("WITH x AS (SELECT 1) INSERT INTO ops.alerts SELECT * FROM x", "it uses INSERT"),
    ("WITH x AS (SELECT 1) DELETE FROM ops.alerts", "it uses DELETE"),
    ("ATTACH 'other.duckdb' AS other", "ATTACH is not a query"),
    ("DETACH other", "DETACH is not a query"),
    ("COPY ops.alerts TO 'alerts.csv'", "COPY is not a query"),
    ("EXPORT DATABASE 'out'", "EXPORT is not a query"),
    ("PRAGMA database_list", "PRAGMA is not a query"),
    ("INSTALL httpfs", "INSTALL is not a query"),
    ("LOAD httpfs", "LOAD is not a query"),
    ("SET enable_external_access = true", "SET is not a query"),
    ("CALL pragma_version()", "CALL is not a query"),
    ("EXPLAIN SELECT 1", "EXPLAIN is not a query"),
    ('"select" 1', "is not a query"),
    ("SELECT * FROM read_csv('/etc/passwd')", "calls read_csv"),
    ("SELECT * FROM read_csv_auto('x.csv')", "calls read_csv_auto"),
    ("SELECT * FROM read_parquet('s3://bucket/x.parquet')", "calls read_parquet"),
    ("SELECT * FROM read_json('x.json')", "calls read_json"),
    ("SELECT content FROM read_text('/etc/hostname')", "calls read_text"),
    ("SELECT * FROM \"read_blob\"('/etc/hostname')", "calls read_blob"),
    ("SELECT * FROM glob('/*')", "calls glob"),
    ("SELECT * FROM parquet_scan('x.parquet')", "calls parquet_scan"),
    ("SELECT * FROM sqlite_scan('x.db', 't')", "calls sqlite_scan"),
    ("SELECT * FROM query('DROP TABLE ops.alerts')", "calls query"),
    ("SELECT * FROM '/etc/passwd'", "reads the file '/etc/passwd'"),
    ("SELECT * FROM ops.alerts JOIN 'extra.csv' USING (incident_id)", "reads the file 'extra.csv'"),
    ("SELECT 'https://example.com/x.csv' AS u", "network address"),
    ("SELECT 1 AS load", "it uses LOAD"),
    ("", "there is no query"),
    ("   \n ", "there is no query"),
    ("-- only a comment\n/* and another */", "only comments"),
    ("SELECT 'never closed", "string literal is never closed"),
    ("SELECT 1 /* never closed", "comment is never closed"),
    ('SELECT "never closed', "quoted name"),
    ("SELECT 1" + " " * MAX_SQL_CHARS, "longer than"),
    ("SELECT 1\x00", "NUL"),
]


@pytest.mark.parametrize("sql,reason", REFUSALS, ids=[r[1] + f"-{i}" for i, r in enumerate(REFUSALS)])
def test_each_kind_of_refusal_says_why(sql, reason):
    with pytest.raises(Refused, match=None) as caught:
        screen_sql(sql)
    assert reason in str(caught.value)


def test_a_refused_query_makes_the_submission_ungradable_before_anything_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("ORCHLAB_WAREHOUSE_CACHE", str(tmp_path))
    rubric = load_rubric("completeness_sql")
    for sql, reason in (
        ("DROP TABLE ops.alerts", "DROP is not a query"),
        ("SELECT 1; SELECT 2", "more than one statement"),
        ("SELECT * FROM read_csv('/etc/passwd')", "calls read_csv"),
    ):
        result = grade_answers({"cross_check": sql}, rubric)
        assert not result.gradable and result.to_dict()["score"] is None
        assert "answer 'cross_check'" in result.errors[0] and reason in result.errors[0]
    assert list(tmp_path.iterdir()) == [], "a refused query must not cost a warehouse build"


def test_the_blank_exercise_is_empty_in_batch_and_not_answered_in_the_notebook():
    strict = grade_file(EXERCISE)
    assert not strict.gradable and "empty" in strict.errors[0]
    partial = grade_file(EXERCISE, partial=True)
    assert partial.gradable and partial.score == 0
    assert all(c.feedback == "Not answered yet." for c in partial.criteria)


def test_exercise_and_solution_differ_only_in_the_answer():
    blank, solved = (json.loads(p.read_text(encoding="utf-8")) for p in (EXERCISE, SOLUTION))
    assert blank["metadata"] == solved["metadata"] and blank["metadata"]["orchlab"]["exercise"] == "completeness_sql"
    assert len(blank["cells"]) == len(solved["cells"])
    answers = 0
    for a, b in zip(blank["cells"], solved["cells"]):
        if "answer:cross_check" in a["metadata"].get("tags", []):
            answers += 1
            assert a["cell_type"] == "raw" and "SELECT" in "".join(b["source"])
        else:
            assert a == b
    assert answers == 1


@pytest.mark.parametrize(
    "result,problem",
    [
        ({"columns": ["n"], "rows": [[3]]}, "returns 1 column"),
        ({"columns": ["id", "n"], "rows": [["INC-001", 2.5]]}, "whole number"),
        ({"columns": ["id", "n"], "rows": [["INC-001", "many"]]}, "whole number"),
        ({"columns": ["id", "n"], "rows": [["INC-001", 3], ["INC-001", 4]]}, "more than one row"),
        ({"columns": ["id", "n"], "rows": [["orders_daily", 3]]}, "no row names an incident"),
    ],
)
def test_a_result_of_the_wrong_shape_is_explained(result, problem):
    with pytest.raises(ValueError, match=problem):
        read_counts(result, {"INC-001", "INC-002"})


def test_counts_may_come_back_as_integers_floats_or_decimal_text():
    result = {"columns": ["id", "n"], "rows": [["INC-001", 13], ["INC-002", 4.0], ["INC-003", "5"]]}
    assert read_counts(result, {"INC-001", "INC-002", "INC-003"}) == {"INC-001": 13, "INC-002": 4, "INC-003": 5}


# ---- in the sandbox, on real warehouses --------------------------------------------------------


@pytest.fixture(scope="module")
def copies():
    ok, reason = sandbox_status()
    if not ok:
        missing_part(reason)
    return {f"seed{seed}.duckdb": warehouses(seed)[1] for seed in SEEDS}


def test_the_learners_copy_has_no_answer_key(copies):
    run = run_query("SELECT count(*) FROM truth.incidents", copies)
    assert "truth" in run.error and not run.results.get("seed0.duckdb", {}).get("rows")
    run = run_query("SELECT count(*) FROM ops.alerts", copies)
    assert run.results["seed0.duckdb"]["rows"] == [[12]]


def test_a_correct_query_catches_every_count_fault_and_never_cries_wolf(copies):
    m = measure(CORRECT, SEEDS)
    assert not (m.refused or m.error or m.unavailable)
    caught = caught_by_fault(m)
    assert set(caught) == set(FAULTS)
    for fault, (hits, cases) in caught.items():
        assert cases > 0, f"{fault} never differs from the truth: it tests nothing"
        assert hits == cases, fault
    assert m.wrong() == [] and len(m.truth) == 24
    assert m.counts[(0, "INC-001")] == 13


def test_a_naive_direct_children_query_misses_the_fault_it_mirrors(copies):
    caught = caught_by_fault(measure(NAIVE, SEEDS))
    assert caught["direct_children_only"][0] == 0
    assert caught["two_levels_only"][0] == 0 and caught["counts_paths"][0] == 0
    missed = sum(cases - hits for hits, cases in caught.values())
    assert missed > 0.9 * sum(cases for _, cases in caught.values())


def test_zipped_unnests_lose_second_inputs(copies):
    m = measure(ZIPPED, SEEDS)
    caught = caught_by_fault(m)
    assert caught["first_input_only"][0] == 0 < caught["first_input_only"][1]
    assert caught["two_levels_only"][0] == caught["two_levels_only"][1]
    assert m.wrong(), "the zipped query is wrong wherever a model reads the alerted tree second"


@pytest.mark.parametrize(
    "sql,reason",
    [
        ("SELECT 1; DROP TABLE ops.alerts", "2 statements"),
        ("DROP TABLE ops.alerts", "DROP statement"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH statement"),
        ("COPY ops.alerts TO 'out.csv'", "COPY statement"),
        ("SET enable_external_access = true", "SET statement"),
    ],
)
def test_the_sandbox_refuses_on_its_own_what_the_screen_refuses(copies, sql, reason):
    run = run_query(sql, copies, screen=False)
    assert reason in run.refused


def test_an_endless_query_is_stopped_by_the_time_limit(copies):
    run = run_query(ENDLESS, copies, seconds=1.0)
    assert "time limit" in run.error and not run.results.get("seed41.duckdb")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT content FROM read_text('/etc/hostname')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM 'https://example.com/data.csv'",
        "SELECT * FROM read_parquet('s3://bucket/data.parquet')",
    ],
)
def test_host_files_and_the_network_are_out_of_reach_even_past_the_screen(copies, sql):
    run = run_query(sql, copies, screen=False)
    assert "disabled by configuration" in run.error or "Permission" in run.error, run


def test_the_solution_notebook_grades_to_full_marks(copies):
    result = grade_file(SOLUTION)
    assert result.gradable, result.errors
    assert result.score == result.max_score == load_rubric("completeness_sql").max_score


def test_feedback_names_what_a_naive_query_missed(copies):
    result = grade_answers({"cross_check": NAIVE}, load_rubric("completeness_sql"))
    assert result.gradable and result.criterion("one_read_only_query").passed
    missed = result.criterion("catches_direct_children")
    assert not missed.passed and "INC-001 in the lesson's warehouse" in missed.feedback
    assert (
        "the faulty agent that stops at direct children said 4, the truth is 13, your query said 4" in missed.feedback
    )
    assert not result.criterion("no_false_alarms").passed


def test_a_query_that_fails_is_graded_with_its_error(copies):
    rubric = load_rubric("completeness_sql")
    result = grade_answers({"cross_check": "SELECT incident_id, nope FROM ops.alerts"}, rubric)
    assert result.gradable and result.score == 0
    assert "Binder Error" in result.criterion("one_read_only_query").feedback
    slow = grade_answers({"cross_check": ENDLESS}, rubric)
    assert slow.gradable and "time limit" in slow.criterion("one_read_only_query").feedback

"""Learner code, if an exercise ever runs any, stays in a limited process and only JSON returns."""

import os

from grader.sandbox import run_isolated


def test_json_comes_back():
    result = run_isolated("print(json.dumps({'chain': round(0.95 ** 3, 3)}))")
    assert result.ok and result.value == {"chain": 0.857}


def test_endless_loop_is_stopped():
    result = run_isolated("while True:\n    pass", timeout=2)
    assert not result.ok and ("stopped" in result.error or "killed" in result.error)


def test_memory_hog_is_stopped():
    result = run_isolated("x = bytearray(2_000_000_000)\nprint('{}')", memory_mb=128)
    assert not result.ok and "MemoryError" in result.error


def test_no_secrets_and_no_grader_state_leak(tmp_path, monkeypatch):
    monkeypatch.setenv("ORCHLAB_SECRET", "answer-key")
    result = run_isolated("import os\nprint(json.dumps({'env': sorted(os.environ), 'cwd': os.getcwd()}))")
    assert result.ok and "ORCHLAB_SECRET" not in result.value["env"]
    assert result.value["cwd"] != os.getcwd()


def test_anything_but_json_is_refused():
    assert run_isolated("print('hello')").error == "the code did not print one JSON document"
    assert "ZeroDivisionError" in run_isolated("1 / 0").error

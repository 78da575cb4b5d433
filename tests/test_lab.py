"""`make lab` really starts JupyterLab: a 200 from it on a free loopback port."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_first_lesson(root, tmp_path):
    port, token = free_port(), "orchlab-test-token"
    (root / "notebooks" / "_lesson_output").mkdir(exist_ok=True)  # what a lesson run leaves behind
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS=--port {port} --no-browser --token {token}"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/lab/tree/notebooks/00_start_here.ipynb?token={token}"
        deadline, status = time.time() + 120, None
        while time.time() < deadline and status is None:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited early:\n{proc.stdout.read().decode()[-2000:]}")
            try:
                status = urllib.request.urlopen(url, timeout=5).status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        api = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents/notebooks/00_start_here.ipynb?token={token}"
        )
        assert api.status == 200
        listing = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"))
        shown = {item["name"] for item in listing["content"]}
        assert "00_start_here.ipynb" in shown
        assert not shown & {"_lesson_output", "__pycache__"}, f"run-time files in the file browser: {sorted(shown)}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

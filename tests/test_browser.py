"""Real-browser tests: lessons 02 and 06 in JupyterLab, and the ``orchlab demo`` dashboard in Voilà.

The suite starts its own servers on free loopback ports and drives the system Chromium (Debian's
``chromium`` package, found on the PATH) with Playwright's sync API; it never downloads a browser.
For each page it runs the notebook, moves the first slider with the arrow keys and checks that the
figure next to that slider received new data and that no error appeared, neither in an output
area nor in the kernel's messages (an exception inside a slider callback shows up only there).

Screenshots land in ``test-artifacts/`` (git-ignored). ``ORCHLAB_UPDATE_DOCS_SCREENSHOT=1`` also
copies the lesson-02 explorer picture to ``docs/lesson02_slider.png``, the one in the README.

All browser tests live in this one module so that ``pytest -n 2 --dist loadscope`` gives them one
worker and JupyterLab starts once.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "lesson02_slider.png"
LESSONS = {"lesson02": "notebooks/02_compound_reliability.ipynb", "lesson06": "notebooks/06_orders_daily_incident.ipynb"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
SLIDER = ".widget-slider .noUi-handle"
INSTALL_HINT = ("Chromium is not on the PATH, so the browser tests are skipped. Install it with "
                "`sudo apt-get install chromium` (Debian/Ubuntu; .ci/run does this in CI). "
                "Do not run `playwright install`: the tests use the system Chromium.")

# ---------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A child process in its own process group, logging to a file; ``stop`` ends the whole group."""

    def __init__(self, name: str, command: list[str], env: dict, cwd: Path, log: Path):
        self.name, self.log = name, log
        self._log_file = open(log, "wb")
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def check_alive(self):
        if self.proc.poll() is not None:
            pytest.fail(f"{self.name} exited with code {self.proc.returncode}:\n{self.tail()}")

    def wait_for_http(self, url: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        pytest.fail(f"{self.name} did not answer {url} within {timeout:.0f} s:\n{self.tail()}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        # kernels live in the same process group; make sure none outlives the server
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log_file.close()


def jupyter_env(home: Path) -> dict:
    """Private runtime, config, data and workspace folders, with the settings a test run needs.

    - no news or update checks (the "receive official Jupyter news?" toast would cover the page),
    - no autosave, so running a lesson never writes outputs back into the repository.
    """
    config, data = home / "config", home / "data"
    settings = config / "lab" / "user-settings" / "@jupyterlab"
    for plugin, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    data.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(data), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTERLAB_SETTINGS_DIR": str(config / "lab" / "user-settings"), "PYTHONUNBUFFERED": "1"}


def as_root_flags() -> list[str]:
    return ["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="module")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api", reason="install the test extras: pip install -e '.[test]'")
    ARTIFACTS.mkdir(exist_ok=True)
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, chromium):
    """JupyterLab on a free loopback port with a token, serving the repository."""
    home = tmp_path_factory.mktemp("jupyterlab")
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
               *as_root_flags()]
    server = Server("JupyterLab", command, jupyter_env(home), ROOT, home / "jupyterlab.log")
    try:
        server.wait_for_http(f"http://127.0.0.1:{port}/api/status?token={token}")
        yield {"base": f"http://127.0.0.1:{port}", "token": token, "server": server}
    finally:
        server.stop()
        if ARTIFACTS.is_dir():
            shutil.copy(server.log, ARTIFACTS / "jupyterlab.log")
    # Autosave is off; if anything still saved a notebook, its outputs are now in the working tree.
    saved = re.findall(r"Saving file at (\S+)", server.tail(10**7))
    assert not saved, f"JupyterLab saved {saved} during the browser run; check `git diff` for outputs"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, chromium):
    """``orchlab demo`` (Voilà) on a free loopback port."""
    home = tmp_path_factory.mktemp("voila")
    port = free_port()
    command = [sys.executable, "-m", "simulator.cli", "demo", "--port", str(port), "--no-browser"]
    server = Server("orchlab demo", command, jupyter_env(home), ROOT, home / "demo.log")
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # Voilà moves to another port if this one was taken meanwhile
            found = re.search(r"Voil.? is running at:\s*(http://\S+?/)\s", server.tail(20000))
            if found:
                url = found.group(1).replace("localhost", "127.0.0.1")
                break
            server.check_alive()
            time.sleep(0.25)
        server.wait_for_http(url)
        yield {"url": url, "server": server}
    finally:
        server.stop()
        if ARTIFACTS.is_dir():
            shutil.copy(server.log, ARTIFACTS / "demo.log")


# ---------------------------------------------------------------------------------------------
# pages


def _kernel_frame(frame) -> tuple[str, dict, dict] | None:
    """(channel, header, content) of one kernel websocket frame, in either Jupyter wire format."""
    try:
        if isinstance(frame, (bytes, bytearray)):  # v1.kernel.websocket.jupyter.org: offsets, then parts
            count = struct.unpack_from("<Q", frame, 0)[0]
            offsets = [struct.unpack_from("<Q", frame, 8 * (i + 1))[0] for i in range(count)] + [len(frame)]
            part = lambda i: bytes(frame[offsets[i]:offsets[i + 1]])  # noqa: E731
            return part(0).decode(), json.loads(part(1)), json.loads(part(4))
        message = json.loads(frame)
        return message.get("channel", ""), message.get("header", {}), message.get("content", {})
    except (ValueError, struct.error, IndexError, UnicodeDecodeError):
        return None


class Watched:
    """A page plus what its kernels reported: errors and stderr tracebacks, with their text."""

    def __init__(self, browser, name: str):
        self.name = name
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.kernel_errors: list[str] = []
        self.page_errors: list[str] = []
        self.page.on("websocket", self._watch)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def _watch(self, ws):
        if "/channels" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload):
        parsed = _kernel_frame(payload)
        if not parsed or parsed[0] != "iopub":
            return
        _, header, content = parsed
        kind = header.get("msg_type")
        if kind == "error":
            self.kernel_errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif kind == "stream" and content.get("name") == "stderr" and re.search(r"Traceback|Error", content.get("text", "")):
            self.kernel_errors.append(content["text"][-800:])

    def screenshot(self, stem: str) -> Path:
        path = ARTIFACTS / f"{stem}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, request):
    page = Watched(browser, request.node.name)
    yield page
    page.close()


@contextmanager
def screenshot_on_failure(page: Watched, stem: str):
    """Keep a picture of the page when a check fails: test-artifacts/<stem>_failure.png."""
    try:
        yield
    except BaseException:
        try:
            page.screenshot(f"{stem}_failure")
        except Exception:  # the page may be gone; the failure itself is what matters
            pass
        raise


ERRORS_IN_PAGE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
    if (/Traceback|Error/.test(el.innerText)) found.push(el.innerText.slice(0, 800));
  }
  for (const el of document.querySelectorAll('.jp-RenderedText')) {
    if (/Traceback \\(most recent call last\\)|^\\w*(Error|Exception)\\b/m.test(el.innerText)) found.push(el.innerText.slice(0, 800));
  }
  return [...new Set(found)];
}"""


def assert_no_errors(page: Watched, where: str):
    shown = page.page.evaluate(ERRORS_IN_PAGE)
    assert not shown, f"{where}: error output on the page:\n" + "\n---\n".join(shown)
    assert not page.kernel_errors, f"{where}: the kernel reported errors:\n" + "\n---\n".join(page.kernel_errors)
    assert not page.page_errors, f"{where}: uncaught errors in the page's JavaScript:\n" + "\n".join(page.page_errors)


# Everything the figure beside a slider shows, read from plotly.js's own `data` on each `.js-plotly-plot`.
# "Beside" means the smallest ancestor of the slider that also holds a plot: the explorer's widget box.
FIGURE_DATA = """(handle) => {
  let box = handle;
  while (box && !box.querySelector('.js-plotly-plot')) box = box.parentElement;
  if (!box) return null;
  const plain = (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value);
  const plots = [...box.querySelectorAll('.js-plotly-plot')].filter((p) => Array.isArray(p.data));
  if (!plots.length) return null;
  return JSON.stringify(plots.map((p) => p.data.map((t) => {
    const { uid, ...rest } = t;
    return rest;
  })), plain);
}"""


# Traces that lost x or y on the way to the page. Every kit figure gives its traces both; plotly 7's
# FigureWidget drops them in the browser when one batch_update before display sets different
# properties on different traces, which draws curves shifted or at zero without any error.
TRACES_MISSING_XY = """(handle) => {
  let box = handle;
  while (box && !box.querySelector('.js-plotly-plot')) box = box.parentElement;
  const has = (v) => v != null && v.length > 0;
  const missing = [];
  [...box.querySelectorAll('.js-plotly-plot')].forEach((plot, p) => (plot.data || []).forEach((t, i) => {
    if (['scatter', 'bar', undefined].includes(t.type) && !(has(t.x) && has(t.y))) {
      missing.push(`figure ${p + 1}, trace ${i} (${t.name || 'unnamed'}): x ${has(t.x) ? 'ok' : 'missing'}, y ${has(t.y) ? 'ok' : 'missing'}`);
    }
  }));
  return missing;
}"""


def move_first_slider_and_check(page: Watched, where: str, stem: str) -> Path:
    """Move the first slider with the keyboard; the figure next to it must get new data, with no errors."""
    handle = page.page.locator(SLIDER).first
    handle.wait_for(state="visible", timeout=60_000)
    handle.scroll_into_view_if_needed()
    page.page.wait_for_function(FIGURE_DATA, arg=handle.element_handle(), timeout=30_000)
    before = handle.evaluate(FIGURE_DATA)
    assert before, f"{where}: no rendered plotly figure next to the first slider"
    # noUiSlider rounds aria-valuenow to one decimal; aria-valuetext carries the slider's own readout
    low, now, high = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuenow", "aria-valuemax"))
    shown = handle.get_attribute("aria-valuetext")
    key = "ArrowRight" if high - now >= now - low else "ArrowLeft"
    handle.focus()
    for _ in range(3):
        handle.press(key)
    try:
        page.page.wait_for_function(f"(h) => ({FIGURE_DATA})(h) !== {json.dumps(before)}", arg=handle.element_handle(),
                                    timeout=20_000)
    except Exception:
        pytest.fail(f"{where}: the figure's data did not change after {key} x3 on the first slider "
                    f"(value {shown} -> {handle.get_attribute('aria-valuetext')}); kernel errors: {page.kernel_errors}")
    assert handle.get_attribute("aria-valuetext") != shown, f"{where}: the slider did not move"
    time.sleep(1.0)  # let the last update land before the error check and the picture
    handle.evaluate(MARK_EXPLORER)  # scroll the slider's widget box to the top of the view for the picture
    time.sleep(0.3)
    shot = page.screenshot(stem)
    assert_no_errors(page, f"{where} after the slider move")
    missing = handle.evaluate(TRACES_MISSING_XY)
    assert not missing, (f"{where}: the figure next to the first slider is drawn without some of its data "
                         f"(see {shot.name}):\n" + "\n".join(missing))
    return shot


MARK_EXPLORER = """(handle) => {
  let box = handle;
  while (box && !box.querySelector('.js-plotly-plot')) box = box.parentElement;
  box.setAttribute('data-orchlab-explorer', '');
  box.scrollIntoView({block: 'start'});
}"""


# ---------------------------------------------------------------------------------------------
# JupyterLab

KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-Item')]
  .some((el) => /\\|\\s*Idle\\s*$/.test(el.textContent.trim()))"""

# Run All is done when no cell waits ([*]) and every code cell has an execution count, or a cell failed.
RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
  if (!prompts.length || prompts.some((t) => t.includes('*'))) return false;
  const failed = document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  return Boolean(failed) || prompts.every((t) => /\\[\\d+\\]/.test(t));
}"""


def open_and_run_lesson(page: Watched, lab: dict, notebook: str):
    url = f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}"
    page.page.goto(url, wait_until="domcontentloaded")
    page.page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    page.page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.page.get_by_role("menuitem", name="Run", exact=True).click()
    page.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.page.wait_for_function(RUN_FINISHED, timeout=150_000, polling=250)
    except Exception:
        pytest.fail(f"{notebook}: Run All Cells did not finish within 150 s; kernel errors: {page.kernel_errors}")
    page.page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    assert_no_errors(page, f"{notebook} after Run All Cells")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(LESSONS))
def test_lesson_slider_updates_figure(jupyterlab, watched, stem):
    notebook = LESSONS[stem]
    if not (ROOT / notebook).exists():
        pytest.fail(f"{notebook} is missing")
    with screenshot_on_failure(watched, stem):
        open_and_run_lesson(watched, jupyterlab, notebook)
        shot = move_first_slider_and_check(watched, notebook, f"{stem}_after_slider")
    assert shot.stat().st_size > 10_000
    if stem == "lesson02":  # the explorer alone, for the README
        explorer = ARTIFACTS / "lesson02_explorer.png"
        watched.page.locator("[data-orchlab-explorer]").first.screenshot(path=str(explorer))
        if os.environ.get("ORCHLAB_UPDATE_DOCS_SCREENSHOT") == "1":
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copy(explorer, DOCS_SCREENSHOT)


# ---------------------------------------------------------------------------------------------
# orchlab demo (Voilà)


@pytest.mark.browser
@pytest.mark.slow
def test_demo_dashboard_slider_updates_figure(demo_server, watched):
    with screenshot_on_failure(watched, "demo"):
        watched.page.goto(demo_server["url"], wait_until="domcontentloaded", timeout=120_000)
        # Voilà executes the whole notebook before it shows the widgets.
        watched.page.locator(SLIDER).first.wait_for(state="visible", timeout=120_000)
        titles = watched.page.locator("h2").all_inner_texts()
        assert any("Compound reliability" in t for t in titles), titles
        assert watched.page.locator(".widget-slider").count() >= 4, "the demo should show all four explorers"
        assert not watched.page.get_by_text("from explorers.reliability import").count(), "sources should be stripped"
        assert_no_errors(watched, "orchlab demo after it rendered")
        move_first_slider_and_check(watched, "orchlab demo", "demo_after_slider")


def test_demo_command_serves_demo_notebook_with_voila():
    """No browser needed: the command line ``orchlab demo`` hands to Voilà."""
    from explorers.demo import DEMO_NOTEBOOK, voila_command
    from simulator.cli import build_parser

    args = build_parser().parse_args(["demo", "--port", "9999", "--no-browser"])
    command = voila_command(args)
    assert command[1:4] == ["-m", "voila", str(DEMO_NOTEBOOK)] and DEMO_NOTEBOOK.is_file()
    assert {"--port=9999", "--Voila.ip=127.0.0.1", "--strip_sources=True", "--no-browser"} <= set(command)

"""Real-browser tests: lessons 02 and 06 in JupyterLab, lesson 02 in Notebook 7, the grader's
"Check my answers" button in both, and the ``orchlab demo`` dashboard in Voilà.

The suite starts its own servers on free loopback ports and drives the system Chromium (Debian's
``chromium`` package, found on the PATH) with Playwright's sync API; it never downloads a browser.
For each lesson page it runs the notebook, moves the first slider with the arrow keys and checks that
the figure next to that slider received new data and that no error appeared, neither in an output
area nor in the kernel's messages (an exception inside a slider callback shows up only there).
For the check button it opens a copy of a solved exercise (and one with a wrong answer) under
``test-artifacts/browser-exercises/``, runs it, clicks the button and reads the score it shows.

The layout test opens lessons 00, 01, 02, 04 and 05 in JupyterLab at 1024x768 (file browser open)
and 1920x1080, and lesson 02 in Notebook 7, runs them and checks from bounding boxes that no figure
or control overflows its output area, that figures fill it, that no two axis titles overlap and
neither an axis title nor the legend runs into the figure's title, that no title is clipped and that
every slider's readout is fully visible. The speed report (Run All and
input-to-redraw medians of every control, ``test-artifacts/browser_timings.json``) is written by
the same runs and by ``test_run_all_and_redraw_times_are_reported``; it is never asserted.

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
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from orchlab.lab import JUPYTER_CONFIG
from tests.helpers import ROOT, missing_part

ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "lesson02_slider.png"
LESSONS = {
    "lesson02": "notebooks/02_compound_reliability.ipynb",
    "lesson03": "notebooks/03_partial_failures.ipynb",
    "lesson06": "notebooks/06_orders_daily_incident.ipynb",
    "lesson07": "notebooks/07_incident_lab.ipynb",
}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
SLIDER = ".widget-slider .noUi-handle"
INSTALL_HINT = (
    "Chromium is not on the PATH, so the browser tests are skipped. Install it with "
    "`sudo apt-get install chromium` (Debian/Ubuntu; .ci/run does this in CI). "
    "Do not run `playwright install`: the tests use the system Chromium."
)


class FrontEnd(NamedTuple):
    name: str
    url: str  # a notebook's page, after the server's base URL
    known_page_errors: frozenset[str] = frozenset()  # the front end's own, not the kit's; see assert_no_errors
    keyboard_sliders: bool = True  # arrow keys reach a focused slider


# The two notebook front ends the one Jupyter server offers.
UIS = {
    "lab": FrontEnd("JupyterLab", "/lab/tree/{path}?reset&token={token}"),
    "nb7": FrontEnd(
        "Notebook 7",
        "/notebooks/{path}?token={token}",
        frozenset(
            {
                # Notebook 7.6's notebook page throws these while it starts, for any notebook and with
                # empty user settings too: its shortcuts plugin reads the settings schema of a plugin the
                # page does not load, and (now and then) its file-browser restorer calls a command that
                # only the tree page registers. Both come from notebook_core, not from the kit's code.
                "Cannot read properties of undefined (reading 'schema')",
                "Command 'filebrowser:open-path' not registered.",
            }
        ),
        # Notebook 7 takes keyboard shortcuts before the focused element does (JupyterLab starts
        # its app with bubblingKeydown, Notebook 7 does not), so in command mode the arrow keys move
        # to another cell and never reach a focused slider. Learners there drag; so does the test.
        keyboard_sliders=False,
    ),
}
# Screenshot stem -> (front end, lesson). The stems are also the test ids.
LESSON_PAGES = {"lesson02": ("lab", "lesson02"), "lesson06": ("lab", "lesson06"), "nb7_lesson02": ("nb7", "lesson02")}
LESSON_PAGES["lesson07"] = ("lab", "lesson07")  # the incident lab: its first slider re-runs real investigations
LESSON_PAGES["lesson03"] = ("lab", "lesson03")  # its first slider's moves are drawn in place (explorers.redraw)
EXERCISE, SOLVED_EXERCISE = "reliability_math", ROOT / "tests" / "grader_solutions" / "02_reliability_math.ipynb"
EXERCISE_COPIES = ARTIFACTS / "browser-exercises"  # inside the server's root_dir (ROOT) and git-ignored
WRONG_ANSWERS = {"five_at_85": "0.5"}  # 0.85**5 is 0.4437; the rubric allows +-0.005

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
        self._log_file = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

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
    return {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(data),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(config / "lab" / "user-settings"),
        "PYTHONUNBUFFERED": "1",
    }


def as_root_flags() -> list[str]:
    return ["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing_part(INSTALL_HINT)
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
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        f"--config={JUPYTER_CONFIG}",  # what `orchlab lab` (make lab) passes: the learner's settings
        *as_root_flags(),
    ]
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


def lab_api(lab: dict, path: str, method: str = "GET"):
    request = urllib.request.Request(
        f"{lab['base']}{path}", method=method, headers={"Authorization": f"token {lab['token']}"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        body = reply.read()
    return json.loads(body) if body else None


@pytest.fixture
def lab(jupyterlab):
    """The module's JupyterLab server; after the test, every kernel it started is shut down.

    So each test gets a kernel of its own (Notebook 7 and JupyterLab opening the same lesson would
    otherwise share one), and finished lessons do not keep their memory. Ask for ``lab`` before
    ``watched`` so that the page closes first.
    """
    yield jupyterlab
    for session in lab_api(jupyterlab, "/api/sessions"):
        try:
            lab_api(jupyterlab, f"/api/sessions/{session['id']}", "DELETE")
        except urllib.error.HTTPError as exc:  # already gone
            if exc.code != 404:
                raise


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, chromium):
    """``orchlab demo`` (Voilà) on a free loopback port."""
    home = tmp_path_factory.mktemp("voila")
    port = free_port()
    command = [sys.executable, "-m", "orchlab", "demo", "--port", str(port), "--no-browser"]
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
            part = lambda i: bytes(frame[offsets[i] : offsets[i + 1]])
            return part(0).decode(), json.loads(part(1)), json.loads(part(4))
        message = json.loads(frame)
        return message.get("channel", ""), message.get("header", {}), message.get("content", {})
    except (ValueError, struct.error, IndexError, UnicodeDecodeError):
        return None


class Watched:
    """A page plus what its kernels reported: errors and stderr tracebacks, with their text."""

    def __init__(self, browser, name: str, viewport: dict | None = None):
        self.name = name
        self.context = browser.new_context(viewport=viewport or VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.kernel_errors: list[str] = []
        self.kernel_heard = False  # a kernel's status message came over this page's websocket
        self.page_errors: list[str] = []
        self.known_page_errors: frozenset[str] = frozenset()  # set by open_and_run from the front end
        self.page.on("websocket", self._watch)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.requested_hosts: set[str] = set()  # every host the page asked for something
        self.page.on("request", lambda request: self.requested_hosts.add(urlsplit(request.url).hostname or ""))

    def _watch(self, ws):
        if "/channels" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload):
        parsed = _kernel_frame(payload)
        if not parsed or parsed[0] != "iopub":
            return
        _, header, content = parsed
        kind = header.get("msg_type")
        if kind == "status":
            self.kernel_heard = True
        elif kind == "error":
            self.kernel_errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif (
            kind == "stream"
            and content.get("name") == "stderr"
            and re.search(r"Traceback|Error", content.get("text", ""))
        ):
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
    page_errors = [e for e in page.page_errors if e not in page.known_page_errors]
    assert not page_errors, f"{where}: uncaught errors in the page's JavaScript:\n" + "\n".join(page_errors)


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


ON_TOP = """(el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return Boolean(hit) && el.contains(hit);
}"""


def bring_into_view(locator, where: str, what: str, timeout: float = 15):
    """Scroll ``locator`` into view and wait until it stays there, on top, where a click would land.

    Notebook 7 scrolls its notebook back once, about half a second after a first scroll following
    Run All Cells, so one scroll is not enough there.
    """
    deadline = time.monotonic() + timeout
    while True:
        locator.scroll_into_view_if_needed()
        time.sleep(0.3)
        box = locator.bounding_box()
        if locator.evaluate(ON_TOP):
            time.sleep(0.5)
            if locator.bounding_box() == box and locator.evaluate(ON_TOP):
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{where}: could not bring {what} into view and keep it there")


def move_first_slider_and_check(page: Watched, where: str, stem: str, keyboard: bool = True) -> Path:
    """Move the first slider with the keyboard (else the mouse); the figure next to it must get new data,
    with no errors."""
    handle = page.page.locator(SLIDER).first
    handle.wait_for(state="visible", timeout=60_000)
    bring_into_view(handle, where, "the first slider")
    page.page.wait_for_function(FIGURE_DATA, arg=handle.element_handle(), timeout=30_000)
    before = handle.evaluate(FIGURE_DATA)
    assert before, f"{where}: no rendered plotly figure next to the first slider"
    # noUiSlider rounds aria-valuenow to one decimal; aria-valuetext carries the slider's own readout
    low, now, high = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuenow", "aria-valuemax"))
    shown = handle.get_attribute("aria-valuetext")
    key = "ArrowRight" if high - now >= now - low else "ArrowLeft"
    if keyboard:
        how = f"{key} x3"
        handle.focus()
        for _ in range(3):
            handle.press(key)
    else:  # drag the handle a sixth of the track's width towards the farther end
        width = handle.evaluate("(h) => h.closest('.noUi-target').getBoundingClientRect().width")
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        dx = width / 6 * (1 if key == "ArrowRight" else -1)
        how = f"a drag of {dx:+.0f} px"
        page.page.mouse.move(x, y)
        page.page.mouse.down()
        page.page.mouse.move(x + dx, y, steps=8)
        page.page.mouse.up()
    try:
        page.page.wait_for_function(
            f"(h) => ({FIGURE_DATA})(h) !== {json.dumps(before)}", arg=handle.element_handle(), timeout=20_000
        )
    except Exception:
        pytest.fail(
            f"{where}: the figure's data did not change after {how} on the first slider "
            f"(value {shown} -> {handle.get_attribute('aria-valuetext')}); kernel errors: {page.kernel_errors}; "
            f"page errors: {page.page_errors}; traces per figure beside it before the move: "
            f"{[len(figure) for figure in json.loads(before)]}"
        )
    assert handle.get_attribute("aria-valuetext") != shown, f"{where}: the slider did not move"
    time.sleep(1.0)  # let the last update land before the error check and the picture
    handle.evaluate(MARK_EXPLORER)  # scroll the slider's widget box to the top of the view for the picture
    time.sleep(0.3)
    shot = page.screenshot(stem)
    assert_no_errors(page, f"{where} after the slider move")
    missing = handle.evaluate(TRACES_MISSING_XY)
    assert not missing, (
        f"{where}: the figure next to the first slider is drawn without some of its data "
        f"(see {shot.name}):\n" + "\n".join(missing)
    )
    return shot


MARK_EXPLORER = """(handle) => {
  let box = handle;
  while (box && !box.querySelector('.js-plotly-plot')) box = box.parentElement;
  box.setAttribute('data-orchlab-explorer', '');
  box.scrollIntoView({block: 'start'});
}"""


# ---------------------------------------------------------------------------------------------
# JupyterLab and Notebook 7

# JupyterLab's status bar says "Python 3 (ipykernel) | Idle"; Notebook 7 has no status bar, but its
# notebook toolbar has an execution indicator with data-status="idle" (see wait_for_kernel_idle).
KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-Item')]
  .some((el) => /\\|\\s*Idle\\s*$/.test(el.textContent.trim()))
  || Boolean(document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]'))"""

# Run All is done when no cell waits ([*]) and every code cell has an execution count, or a cell failed.
RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
  if (!prompts.length || prompts.some((t) => t.includes('*'))) return false;
  const failed = document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  return Boolean(failed) || prompts.every((t) => /\\[\\d+\\]/.test(t));
}"""


def wait_for_kernel_idle(page: Watched, where: str, timeout: float = 60):
    """Until the page shows its kernel idle, after having heard from it.

    The toolbar's indicator says "idle" before a kernel is even started, until it turns to
    "connecting"; by the time the kernel's first message arrives that start-up state is gone.
    """
    deadline = time.monotonic() + timeout
    while not (page.kernel_heard and page.page.evaluate(KERNEL_IDLE)):
        if time.monotonic() > deadline:
            pytest.fail(f"{where}: the kernel was not idle within {timeout:.0f} s; kernel errors: {page.kernel_errors}")
        page.page.wait_for_timeout(100)  # not time.sleep: Playwright delivers websocket events while it waits


class RunTimes(NamedTuple):
    open_s: float  # page load to the kernel idle: JupyterLab's own start and the kernel's
    run_all_s: float  # "Run All Cells" clicked to every cell run and the kernel idle again


def open_and_run(page: Watched, lab: dict, notebook: str, ui: str = "lab") -> RunTimes:
    """Open ``notebook`` (a path under the server's root) in JupyterLab or Notebook 7 and Run All Cells.

    Both front ends have a Run menu with "Run All Cells" and the same notebook and cell markup.
    """
    started = time.monotonic()
    front_end = UIS[ui]
    page.known_page_errors = front_end.known_page_errors
    url = lab["base"] + front_end.url.format(path=notebook, token=lab["token"])
    page.page.goto(url, wait_until="domcontentloaded")
    page.page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    where = f"{notebook} in {front_end.name}"
    wait_for_kernel_idle(page, f"{where}, before Run All Cells")
    opened = time.monotonic()
    page.page.get_by_role("menuitem", name="Run", exact=True).click()
    page.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.page.wait_for_function(RUN_FINISHED, timeout=150_000, polling=250)
    except Exception:
        prompts = page.page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        pytest.fail(
            f"{where}: Run All Cells did not finish within 150 s; code cell prompts: {prompts}; "
            f"kernel errors: {page.kernel_errors}"
        )
    wait_for_kernel_idle(page, f"{where}, after Run All Cells")
    finished = time.monotonic()
    assert_no_errors(page, f"{where} after Run All Cells")
    return RunTimes(opened - started, finished - opened)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(LESSON_PAGES))
def test_lesson_slider_updates_figure(lab, watched, stem):
    ui, lesson = LESSON_PAGES[stem]
    notebook = LESSONS[lesson]
    if not (ROOT / notebook).exists():
        pytest.fail(f"{notebook} is missing")
    with screenshot_on_failure(watched, stem):
        open_and_run(watched, lab, notebook, ui)
        shot = move_first_slider_and_check(
            watched, f"{notebook} in {UIS[ui].name}", f"{stem}_after_slider", keyboard=UIS[ui].keyboard_sliders
        )
    assert shot.stat().st_size > 10_000
    if stem == "lesson02":  # the explorer alone, for the README
        explorer = ARTIFACTS / "lesson02_explorer.png"
        watched.page.locator("[data-orchlab-explorer]").first.screenshot(path=str(explorer))
        if os.environ.get("ORCHLAB_UPDATE_DOCS_SCREENSHOT") == "1":
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copy(explorer, DOCS_SCREENSHOT)


def exercise_copy(name: str, answers: dict[str, str]) -> Path:
    """The solved exercise, with ``answers`` ({answer name: cell text}) swapped in, saved under
    ``EXERCISE_COPIES`` as ``<name>.ipynb``; its kernel's working folder is that folder, as a learner's is."""
    notebook = json.loads(SOLVED_EXERCISE.read_text(encoding="utf-8"))
    cells = {
        tag[len("answer:") :]: cell
        for cell in notebook["cells"]
        for tag in cell.get("metadata", {}).get("tags", [])
        if tag.startswith("answer:")
    }
    assert set(answers) <= set(cells), f"no answer cells {set(answers) - set(cells)} in {SOLVED_EXERCISE.name}"
    for answer, text in answers.items():
        cells[answer]["source"] = text
    EXERCISE_COPIES.mkdir(parents=True, exist_ok=True)
    path = EXERCISE_COPIES / f"{name}.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui, variant", [("lab", "solved"), ("lab", "wrong"), ("nb7", "solved")])
def test_check_button_shows_the_score(lab, watched, ui, variant):
    """Run the exercise, press "Check my answers": the feedback shows the grader's score for the saved file."""
    from grader.engine import grade_file

    stem = f"check_button_{ui}" + ("" if variant == "solved" else f"_{variant}")
    path = exercise_copy(stem, WRONG_ANSWERS if variant == "wrong" else {})
    expected = grade_file(path, EXERCISE, partial=True)
    assert expected.gradable, expected.errors
    if variant == "solved":
        assert expected.score == expected.max_score > 0, "the solution notebook should earn full marks"
    else:
        assert expected.score < expected.max_score, f"{WRONG_ANSWERS} should lose points"
    where = f"{path.name} in {UIS[ui].name}"
    with screenshot_on_failure(watched, stem):
        open_and_run(watched, lab, path.relative_to(ROOT).as_posix(), ui)
        button = watched.page.get_by_role("button", name="Check my answers")
        button.wait_for(state="visible", timeout=30_000)
        button.click()
        heading = watched.page.locator(".orchlab-report h3")
        heading.wait_for(state="visible", timeout=30_000)
        wait_for_kernel_idle(watched, f"{where}, after Check my answers", timeout=30)  # the callback is done
        heading.evaluate("(h) => h.closest('.orchlab-report').scrollIntoView({block: 'center'})")
        time.sleep(0.3)
        watched.screenshot(stem)
        assert heading.inner_text().strip() == f"{EXERCISE}: {expected.score:g} / {expected.max_score:g}", where
        report = watched.page.locator(".orchlab-report").inner_text()
        assert f"Checked {path.name} as saved at" in report, f"{where}: the check read another file:\n{report}"
        assert_no_errors(watched, f"{where} after Check my answers")


# ---------------------------------------------------------------------------------------------
# orchlab demo (Voilà)


def demo_ready_seconds(page: Watched, url: str) -> float:
    """Seconds from opening the dashboard to its first slider on screen with its figure drawn."""
    started = time.monotonic()
    page.page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    handle = page.page.locator(SLIDER).first
    handle.wait_for(state="visible", timeout=120_000)
    page.page.wait_for_function(FIGURE_DATA, arg=handle.element_handle(), timeout=60_000)
    return time.monotonic() - started


@pytest.mark.browser
@pytest.mark.slow
def test_demo_dashboard_slider_updates_figure(demo_server, watched, browser, record_property):
    with screenshot_on_failure(watched, "demo"):
        # the first page after the server starts may wait for the preheated kernels to finish running
        first = demo_ready_seconds(watched, demo_server["url"])
        report_timing("demo", "first_page_after_start_s", first)
        # the instructor opens the page before class: by then the pool is warm (measured, not asserted)
        time.sleep(30)
        warm = Watched(browser, "demo_warm")
        try:
            ready = demo_ready_seconds(warm, demo_server["url"])
            report_timing("demo", "page_ready_warm_s", ready)
            record_property("demo_ready_s", round(ready, 2))
            readout = warm.page.locator(".widget-html").filter(has_text="agents at").first.inner_text()
            assert "44" not in readout.split("the chain ends right")[-1][:8], (
                f"the first panel opens at the answer its cue asks the room to guess: {readout}"
            )
        finally:
            warm.close()
        titles = watched.page.locator("h2").all_inner_texts()
        assert any("Compound reliability" in t for t in titles), titles
        assert watched.page.locator(".widget-slider").count() >= 4, "the demo should show all four explorers"
        assert not watched.page.get_by_text("from explorers.reliability import").count(), "sources should be stripped"
        assert_no_errors(watched, "orchlab demo after it rendered")
        assert watched.requested_hosts <= {"127.0.0.1", ""}, f"the demo asked the network: {watched.requested_hosts}"
        move_first_slider_and_check(watched, "orchlab demo", "demo_after_slider")


def test_demo_command_serves_demo_notebook_with_voila():
    """No browser needed: the command line ``orchlab demo`` hands to Voilà."""
    from orchlab.demo import DEMO_NOTEBOOK, voila_command
    from orchlab.main import build_parser

    args = build_parser()[0].parse_args(["demo", "--port", "9999", "--no-browser"])
    command = voila_command(args)
    assert command[1:4] == ["-m", "voila", str(DEMO_NOTEBOOK)] and DEMO_NOTEBOOK.is_file()
    assert {"--port=9999", "--Voila.ip=127.0.0.1", "--strip_sources=True", "--no-browser"} <= set(command)
    assert {"--preheat_kernel=True", "--pool_size=1"} <= set(command), "a page should find its kernel ready"
    assert any(part.startswith("--VoilaKernelManager.fill_delay=") for part in command), "refill after the page"
    lean = [part for part in command if part.startswith("--VoilaConfiguration.extension_allowlist=")]
    assert len(lean) == 1 and "anywidget" in lean[0] and "jupyterlab-plotly" not in lean[0], command
    assert "--template=orchlab-dashboard" in command
    template = ROOT / "orchlab" / "jupyter_data" / "voila" / "templates" / "orchlab-dashboard" / "index.html.j2"
    assert template.is_file() and "cdn.jsdelivr.net" in template.read_text(), "the template drops the CDN links"
    # another notebook may hold static figures, which need plotly's renderer extension: all extensions load
    other = build_parser()[0].parse_args(["demo", "--notebook", str(ROOT / "notebooks" / "00_start_here.ipynb")])
    assert not any("extension_allowlist" in part for part in voila_command(other))


# ---------------------------------------------------------------------------------------------
# plotly's widget front end: compiled once per page

# Import each figure's module the way anywidget does (a Blob URL per model) and count the Blob URLs.
# The figures that share the carrier's import come first, and one of them is initialised on a
# stand-in for anywidget's model and sent, before the carrier's module has even arrived, what a
# figure built in a cell sends: an added trace, the whole state before display, then an update (a
# slider moved during Run All); then the carrier comes and the figure is drawn.
IMPORT_LIKE_ANYWIDGET = """async ({sharing, carrier}) => {
  const made = [];
  const create = URL.createObjectURL;
  URL.createObjectURL = (blob) => { made.push(blob.size); return create.call(URL, blob); };
  const load = async (source) => (await import(create.call(URL, new Blob([source], {type: 'text/javascript'})))).default();
  const widgets = [];
  for (const source of sharing) widgets.push(await load(source));
  const state = {_widget_data: [{type: 'scatter', x: [1, 2, 3], y: [1, 2, 3]}], _widget_layout: {height: 300},
    _config: {}, _last_layout_edit_id: 0, _last_trace_edit_id: 0};
  const listeners = {};
  const model = {
    get: (key) => state[key] ?? null,
    set: (key, value) => { state[key] = value; (listeners['change:' + key] || []).slice().forEach((f) => f()); },
    on: (event, f) => (listeners[event] ||= []).push(f),
    off: (event, f) => { listeners[event] = (listeners[event] || []).filter((g) => g !== f); },
    save_changes: () => {},
    send: () => {},
  };
  const returned = widgets[0].initialize({model});
  // A trace added, then the whole state that already holds it (as before display), then an update.
  model.set('_py2js_addTraces', {trace_data: [{type: 'scatter', x: [1, 2, 3], y: [3, 3, 3]}]});
  model.set('_py2js_addTraces', null);
  model.set('_widget_data', [...state._widget_data, {type: 'scatter', x: [1, 2, 3], y: [3, 3, 3]}]);
  model.set('_py2js_update', {style_data: {y: [[9, 8, 7]]}, layout_data: {}, style_traces: [0]});
  model.set('_py2js_update', null);
  widgets.push(await load(carrier));
  const el = document.createElement('div');
  el.style.width = '600px';
  document.body.appendChild(el);
  await widgets[0].render({model, el});
  for (let i = 0; i < 600 && !(el.data && el._fullLayout); i++) await new Promise((r) => setTimeout(r, 50));
  URL.createObjectURL = create;
  const drawn_y = el.data ? Array.from(el.data[0].y) : null;
  model.set('_py2js_update', {style_data: {y: [[5, 5, 5]]}, layout_data: {}, style_traces: [0]});
  model.set('_py2js_update', null);
  await new Promise((r) => setTimeout(r, 300));
  return {
    reported_back: Object.keys(state).filter((key) => key.startsWith('_js2py')),
    inner_imports: made.length,
    initialize_waits: returned !== undefined,
    every_figure_a_widget: widgets.every((w) => typeof w.initialize === 'function' && typeof w.render === 'function'),
    drawn_y,
    traces: el.data ? el.data.length : null,
  };
}"""


def in_place_moves() -> list[tuple[str, dict, list, dict, list, dict, list]]:
    """Every move of every explorer that goes out as a redraw in place: the figure before the move,
    the edits (traces and axis ranges), and what the browser drew before it (the figure at its last full drawing and every
    move in place since), all as plotly JSON (see :mod:`explorers.redraw`)."""
    import plotly.graph_objects as go
    import plotly.io as pio
    from _plotly_utils.utils import PlotlyJSONEncoder

    import explorers
    from explorers.warmup import steps_from
    from tests.helpers import another_value

    moves, pending, drawn, since = [], [], {}, {}
    original, original_update = go.FigureWidget._send_animate_msg, go.FigureWidget._send_update_msg

    def record(self, styles_data, relayout_data, trace_indexes, animation_opts):
        as_json = json.loads(json.dumps([styles_data, relayout_data], cls=PlotlyJSONEncoder))
        pending.append((self, *as_json, trace_indexes))
        return original(self, styles_data, relayout_data, trace_indexes, animation_opts)

    def drawn_in_full(figure):
        drawn[id(figure)], since[id(figure)] = json.loads(pio.to_json(figure)), []

    def record_update(self, *args, **kwargs):
        out = original_update(self, *args, **kwargs)
        drawn_in_full(self)
        return out

    go.FigureWidget._send_animate_msg = record
    go.FigureWidget._send_update_msg = record_update
    try:
        from explorers.incident_lab import defense_explorer, lesson_warehouse

        boxes = {name: getattr(explorers, name) for name in explorers.__all__ if name.endswith("_explorer")}
        boxes["defense_explorer"] = lambda: defense_explorer(lesson_warehouse(seed=0), runs=12, seed=0)
        for name, build in boxes.items():
            box = build()
            for figure in box.figures:  # first shown: drawn in full from its data
                drawn_in_full(figure)
            for label, control in box.controls.items():
                # two steps on, then one back: the step back finds bars in slots kept from the step before;
                # then three steps one way, as a learner explores, which mixes full drawings and moves in place
                values = []
                for step in range(6):
                    before = {id(f): json.loads(pio.to_json(f)) for f in box.figures}
                    pending.clear()
                    values.append(control.value)
                    if step < 3:
                        control.value = another_value(control) if step < 2 else values[1]
                    elif ahead := steps_from(control, control.value, +1) or steps_from(control, control.value, -1):
                        control.value = ahead[0]
                    for f, edits, layout, traces in pending:
                        move = (before[id(f)], edits, layout, traces, drawn[id(f)], since[id(f)][:])
                        moves.append((f"{name}: {label}", *move))
                        since[id(f)].append((edits, layout, traces))
    finally:
        go.FigureWidget._send_animate_msg, go.FigureWidget._send_update_msg = original, original_update
    return moves


# Plotly.update on the figure as it was before the move, and Plotly.animate on the figure as the browser
# had it (drawn in full at its last full drawing, then every move in place since), then both drawings
# compared element by element with their attributes sorted (the two paths set some attributes in a
# different order). Ids, clip paths and trace and legend uids are random per plot; a full redraw writes
# the default opacity out, and styles an empty bar (a slot kept with no bar in it, path "M0,0Z") with no
# outline; an axis range set in place leaves an identity "scale(1,1)" in some transforms.
SAME_PICTURE = """async ([figure, edits, layout, traces, drawnFigure, since]) => {
  const draw = async (from) => {
    const el = document.createElement('div');
    el.style.width = '900px';
    document.body.appendChild(el);
    await Plotly.newPlot(el, structuredClone(from.data), structuredClone(from.layout));
    return el;
  };
  const full = await draw(figure), inPlace = await draw(drawnFigure);
  for (const [data, layout, traces] of since) await Plotly.animate(inPlace, {data, layout, traces}, %s);
  const restyle = {};
  edits.forEach((edit, i) => Object.entries(edit).forEach(([key, value]) => {
    (restyle[key] ??= traces.map(() => undefined))[i] = value;
  }));
  await Plotly.update(full, restyle, layout, traces);
  await Plotly.animate(inPlace, {data: edits, layout, traces}, %s);
  const value = (v) => v.replace(/clip[0-9a-f]{6,}/g, 'clip').replace(/(trace|legend)[0-9a-f]{6}/g, '$1').replace(/scale\\(1,1\\)/g, '');
  const canon = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    const blank = node.getAttribute('d') === 'M0,0Z';  // a bar with no position: drawn as nothing, whatever its style
    const attrs = [...node.attributes].filter((a) => a.name !== 'id' && !(a.name === 'style' && (blank || a.value === 'opacity: 1;')))
      .filter((a) => !(a.name === 'transform' && a.value === 'scale(1,1)'))
      .map((a) => `${a.name}="${value(a.value)}"`).sort().join(' ');
    return `<${node.localName} ${attrs}>${[...node.childNodes].map(canon).join('')}</${node.localName}>`;
  };
  const svg = (el) => [...el.querySelectorAll('svg.main-svg')].map(canon).join('');
  const a = svg(full), b = svg(inPlace);
  full.remove(); inPlace.remove();
  if (a === b) return null;
  let i = 0;
  while (a[i] === b[i]) i++;
  return `full redraw: ...${a.slice(Math.max(0, i - 120), i + 80)}\nin place:    ...${b.slice(Math.max(0, i - 120), i + 80)}`;
}"""


@contextmanager
def same_picture_page(browser):
    """A blank page with plotly.js loaded, and :data:`SAME_PICTURE` filled in with the kit's in-place options."""
    from explorers.redraw import IN_PLACE

    page = browser.new_page()
    try:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(
            path=str(next(Path(sys.modules["plotly"].__file__).parent.glob("package_data/plotly.min.js")))
        )
        yield page, SAME_PICTURE % (json.dumps(IN_PLACE), json.dumps(IN_PLACE))
    finally:
        page.close()


@pytest.mark.browser
def test_a_redraw_in_place_draws_what_a_full_redraw_draws(browser):
    """Every explorer move the kit draws with Plotly.animate (no redraw) must leave the same SVG as
    plotly's own Plotly.update of the same change would."""
    moves = in_place_moves()
    assert len({label for label, *_ in moves}) >= 8, "the explorers' data-only moves no longer go in place"
    with same_picture_page(browser) as (page, script):
        different = {label: diff for label, *move in moves if (diff := page.evaluate(script, move))}
    assert not different, "\n\n".join(f"{label}\n{diff}" for label, diff in different.items())


@pytest.mark.browser
def test_plotly_styles_a_bar_slot_only_when_it_draws_the_figure_in_full(browser):
    """Why :func:`explorers.redraw.redraws_in_place` tracks the slots styled at the last full drawing:
    a slot empty then and filled in place is drawn without its outline; a slot emptied in place and
    filled again keeps it. If plotly changes this, the rule (and this test) can change with it."""

    def bars(y):
        layout = {"xaxis": {"range": [0, 4]}, "yaxis": {"range": [0, 10]}, "width": 500, "height": 300}
        return {"data": [{"type": "bar", "x": [1, 2, 3], "y": y, "marker": {"line": {"width": 1}}}], "layout": layout}

    with same_picture_page(browser) as (page, script):
        fill = [{"y": [4, 5, 7]}]
        empty_at_full_drawing = page.evaluate(script, [bars([4, 5, None]), fill, {}, [0], bars([4, 5, None]), []])
        emptied_in_place = [[[{"y": [4, 5, None]}], {}, [0]]]
        kept_its_style = page.evaluate(script, [bars([4, 5, None]), fill, {}, [0], bars([4, 5, 6]), emptied_in_place])
    assert empty_at_full_drawing and "stroke-width: 0px" in empty_at_full_drawing.split("in place:")[1]
    assert kept_its_style is None


@pytest.mark.browser
def test_plotly_front_end_arrives_once_and_is_compiled_once_per_page(browser):
    """Only the kernel's carrier figure brings plotly's bundle, and the page imports it once. A
    figure does not hold anywidget's 2 s initialisation deadline while it waits for plotly.js, and
    an update that arrives meanwhile is drawn, not lost. Once drawn, the figure sends nothing back
    to the kernel on its own."""
    from explorers.shared_frontend import CarrierFigure, SharedFrontEndFigure

    carrier = CarrierFigure()._esm
    sharing = [SharedFrontEndFigure()._esm for _ in range(2)]
    assert len(carrier) > 1_000_000 and all(len(module) < 10_000 for module in sharing)
    page = browser.new_page()
    try:
        page.goto("about:blank")
        found = page.evaluate(IMPORT_LIKE_ANYWIDGET, {"sharing": sharing, "carrier": carrier})
    finally:
        page.close()
    expected = {
        "inner_imports": 1,
        "initialize_waits": False,
        "every_figure_a_widget": True,
        "drawn_y": [9, 8, 7],
        "reported_back": [],  # no trace or layout deltas after a draw (explorers.shared_frontend)
    }
    assert found == {**expected, "traces": 2}, "an update lost, a trace added twice, or plotly's deltas sent"


# ---------------------------------------------------------------------------------------------
# Layout at real window sizes: figures and controls follow the notebook's width

GEOMETRY_LESSONS = {
    "lesson00": "notebooks/00_start_here.ipynb",  # the first figure a learner sees
    "lesson01": "notebooks/01_coordination_patterns.ipynb",
    "lesson02": "notebooks/02_compound_reliability.ipynb",
    "lesson04": "notebooks/04_state_synchronization.ipynb",
    "lesson05": "notebooks/05_when_orchestration_helps.ipynb",
}
WINDOWS = {"1024x768": {"width": 1024, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
# Case id -> (front end, lesson, window). JupyterLab at both sizes (file browser open), Notebook 7 once.
GEOMETRY_CASES = {
    **{f"lab_{lesson}_{size}": ("lab", lesson, size) for lesson in GEOMETRY_LESSONS for size in WINDOWS},
    "nb7_lesson02_1024x768": ("nb7", "lesson02", "1024x768"),
}

# Every problem of layout on the page, found from bounding boxes (one string per problem).
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const R = (el) => el.getBoundingClientRect();
  const name = (el) => (el.closest('.jp-Cell') ? 'cell ' + [...document.querySelectorAll('.jp-Cell')].indexOf(el.closest('.jp-Cell')) : '?');
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
                            Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  for (const area of document.querySelectorAll('.jp-OutputArea-output')) {
    const box = R(area);
    if (!box.width) continue;
    const parts = area.querySelectorAll('.js-plotly-plot .main-svg, .widget-slider, .widget-dropdown, .widget-checkbox, .widget-html, .widget-button, .widget-radio');
    for (const el of parts) {
      const r = R(el);
      if (!r.width) continue;
      if (r.right > box.right + 1 || r.left < box.left - 1) {
        const plot = el.closest('.js-plotly-plot');
        const why = plot ? ` (figure "${plot.querySelector('.gtitle')?.textContent.slice(0, 40)}": element ${plot.clientWidth} px, drawn ${plot._fullLayout?.width} px, layout width ${plot.layout?.width}, responsive ${Boolean(plot._responsiveChartHandler)}, hidden ${!plot.offsetParent})` : '';
        problems.push(`${name(area)}: ${el.className.baseVal ?? el.className} spans ${r.left.toFixed(0)}-${r.right.toFixed(0)} px, its output area ${box.left.toFixed(0)}-${box.right.toFixed(0)} px${why}`);
      }
    }
    for (const plot of area.querySelectorAll('.js-plotly-plot')) {
      const svg = plot.querySelector('.main-svg');
      if (!svg) continue;
      const s = R(svg);
      if (s.width < 0.85 * box.width - 40) {
        problems.push(`${name(area)}: a figure ${s.width.toFixed(0)} px wide in an output area of ${box.width.toFixed(0)} px (fixed width?)`);
      }
      const title = plot.querySelector('.gtitle');
      if (title) {
        const t = R(title);
        if (t.width && (t.left < s.left - 1 || t.right > s.right + 1 || t.top < s.top - 1)) {
          problems.push(`${name(area)}: the title "${title.textContent.slice(0, 60)}" is clipped (${t.left.toFixed(0)}-${t.right.toFixed(0)} px in a figure ${s.left.toFixed(0)}-${s.right.toFixed(0)} px)`);
        }
      }
      const titles = [...plot.querySelectorAll('text')].filter((el) => /^[xy]\\d*title$/.test(el.getAttribute('class') || '') && R(el).width && el.textContent.trim());
      const legend = plot.querySelector('.legend .bg');
      for (const other of legend && R(legend).width ? [title, ...titles] : []) {
        // plotly wraps a legend across the top upwards, into the title, in a narrow figure
        if (other && R(other).width && overlap(R(legend), R(other)) > 4) {
          problems.push(`${name(area)}: the legend of "${title?.textContent.slice(0, 40)}" covers "${other.textContent.slice(0, 60)}"`);
        }
      }
      for (const axisTitle of title && R(title).width ? titles : []) {
        // a y axis title longer than its plot is tall runs up into the figure's title
        if (overlap(R(title), R(axisTitle)) > 4) {
          problems.push(`${name(area)}: the title "${title.textContent.slice(0, 60)}" and the axis title "${axisTitle.textContent}" overlap`);
        }
      }
      for (let i = 0; i < titles.length; i++) {
        for (let j = i + 1; j < titles.length; j++) {
          if (overlap(R(titles[i]), R(titles[j])) > 4) {
            problems.push(`${name(area)}: axis titles "${titles[i].textContent}" and "${titles[j].textContent}" overlap`);
          }
        }
      }
    }
    for (const slider of area.querySelectorAll('.widget-slider')) {
      const readout = slider.querySelector('.widget-readout');
      if (!readout) continue;
      const r = R(readout);
      const s = R(slider);
      const cut = readout.scrollWidth > readout.clientWidth + 1;
      if (!r.width || r.right > Math.min(s.right, box.right) + 1 || cut) {
        problems.push(`${name(area)}: the readout "${readout.textContent}" of "${slider.querySelector('.widget-label')?.textContent}" is not fully visible`);
      }
    }
  }
  return problems;
}"""

OPEN_FILE_BROWSER = """() => {
  const panel = document.querySelector('#filebrowser');
  if (panel && panel.offsetWidth > 0) return true;
  const tab = document.querySelector('.jp-SideBar.jp-mod-left [data-id="filebrowser"]');
  if (tab) tab.click();
  return false;
}"""


def scroll_through(page: Watched):
    """Scroll the whole notebook once, so every figure gets laid out at the page's width."""
    page.page.evaluate(
        """async () => {
          const scroller = document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook');
          if (!scroller) return;
          for (let y = 0; y <= scroller.scrollHeight; y += 500) { scroller.scrollTop = y; await new Promise(r => setTimeout(r, 60)); }
          scroller.scrollTop = 0;
        }"""
    )


def geometry_problems(page: Watched) -> list[str]:
    """Layout problems over the whole notebook: JupyterLab renders only the cells in view, so look
    screen by screen."""
    found: list[str] = []
    height = page.page.evaluate(
        "() => (document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook') || document.body).scrollHeight"
    )
    for y in range(0, int(height) + 1, 400):
        page.page.evaluate(
            f"() => {{ const s = document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook'); if (s) s.scrollTop = {y}; }}"
        )
        page.page.wait_for_timeout(250)
        found += page.page.evaluate(LAYOUT_PROBLEMS)
    # leave the first explorer in view for the screenshot
    page.page.evaluate(
        "() => { const s = document.querySelector('.widget-slider'); if (s) s.scrollIntoView({block: 'start'}); }"
    )
    page.page.wait_for_timeout(300)
    return sorted(set(found))


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(GEOMETRY_CASES))
def test_figures_and_controls_fit_the_notebook(lab, browser, case, record_property):
    ui, lesson, size = GEOMETRY_CASES[case]
    notebook = GEOMETRY_LESSONS[lesson]
    page = Watched(browser, case, viewport=WINDOWS[size])
    try:
        with screenshot_on_failure(page, f"geometry_{case}"):
            times = open_and_run(page, lab, notebook, ui)
            record_property("run_all_s", round(times.run_all_s, 1))
            report_timing(case, "open_s", times.open_s)
            report_timing(case, "run_all_s", times.run_all_s)
            if ui == "lab":
                page.page.wait_for_function(OPEN_FILE_BROWSER, timeout=10_000)
                assert page.page.evaluate("() => document.querySelector('#filebrowser').offsetWidth") > 150
            page.page.wait_for_timeout(800)  # figures answer the resize on the next frame
            problems = geometry_problems(page)
            page.screenshot(f"geometry_{case}")
            if SPEED_REPORT and ui == "lab" and size == "1920x1080":  # the speed report: every control
                measure_redraws(page, f"{lesson}_lab")
            assert not problems, f"{notebook} in {UIS[ui].name} at {size}:\n" + "\n".join(problems)
            assert_no_errors(page, f"{notebook} at {size}")
    finally:
        page.close()


TIMINGS_REPORT = ARTIFACTS / "browser_timings.json"
# The speed report moves every control several times and takes minutes per lesson, so `make bench`
# asks for it (ORCHLAB_SPEED_REPORT=1) and `make test` checks layout and behaviour only.
SPEED_REPORT = os.environ.get("ORCHLAB_SPEED_REPORT") == "1"


def report_timing(case: str, key: str, value) -> None:
    """Add one measured figure to test-artifacts/browser_timings.json (the suite's speed report)."""
    ARTIFACTS.mkdir(exist_ok=True)
    data = json.loads(TIMINGS_REPORT.read_text()) if TIMINGS_REPORT.exists() else {}
    data.setdefault(case, {})[key] = round(value, 3) if isinstance(value, float) else value
    data[case]["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    TIMINGS_REPORT.write_text(json.dumps(data, indent=1, sort_keys=True))


# Input to redrawn figure, measured inside the page: a key press on a slider handle (or a new choice in
# a drop-down) until the data of the figure beside it has changed. Reported, never asserted. Each move
# reaches a setting not seen before (a slider keeps going the way it has more room, a drop-down goes
# on through its options), as a learner exploring does, and comes LOOK_MS after the last one had
# redrawn: the time a learner takes to look at the figure, which the kit spends working out the
# settings one move away (explorers/warmup.py). A move back to a setting already seen costs less.
LOOK_MS = 1000
MEASURE_CONTROLS = """async ({moves, box, skip, look}) => {
  // What the figures beside a control show, by reference: plotly replaces a trace's arrays when new
  // data arrives and draws them in the same task, so a new reference means a redrawn figure. (Comparing
  // by value would cost more per frame than some redraws and inflate every figure measured.) The title
  // and the explorer's readout line count too: a move whose numbers happen not to change still answers
  // with new text, and a move that changes nothing on screen would wait out the limit unmeasured.
  const snapshot = (el) => {
    let b = el;
    while (b && !b.querySelector('.js-plotly-plot')) b = b.parentElement;
    if (!b) return null;
    return [...b.querySelectorAll('.js-plotly-plot')].flatMap((p) => [
      p.layout && p.layout.title && p.layout.title.text,
      ...(p.data || []).flatMap((t) => [t.x, t.y, t.text, t.marker && t.marker.color]),
    ]).concat([...b.querySelectorAll('.widget-html-content')].map((h) => h.textContent));
  };
  const same = (a, b) => a && b && a.length === b.length && a.every((v, i) => v === b[i]);
  const waitChange = (el, before, limit) => new Promise((resolve) => {
    const t0 = performance.now();
    const poll = () => {
      if (!same(snapshot(el), before)) return resolve(performance.now() - t0);
      if (performance.now() - t0 > limit) return resolve(null);
      requestAnimationFrame(poll);
    };
    poll();
  });
  const out = {};
  const scope = box ? document.querySelector(box) : document;
  const controls = [...scope.querySelectorAll('.widget-slider, .widget-dropdown')];
  for (const control of controls) {
    const label = (control.querySelector('.widget-label')?.textContent || '?').trim();
    if (skip.includes(label) || !snapshot(control)) continue;  // measured at an earlier scroll position
    const times = [];
    let way = null;  // the slider's direction, kept so that every move reaches a new value
    for (let i = 0; i < moves; i++) {
      const before = snapshot(control);
      const handle = control.querySelector('.noUi-handle');
      const select = control.querySelector('select');
      const started = performance.now();
      if (handle) {
        const now = Number(handle.getAttribute('aria-valuenow'));
        const min = Number(handle.getAttribute('aria-valuemin')), max = Number(handle.getAttribute('aria-valuemax'));
        if (way === null) way = max - now >= now - min ? 1 : -1;
        if ((way > 0 && now >= max) || (way < 0 && now <= min)) way = -way;
        const key = way > 0 ? 'ArrowRight' : 'ArrowLeft';
        handle.focus();
        handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
      } else if (select) {
        select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
        select.dispatchEvent(new Event('change', {bubbles: true}));
      } else continue;
      const took = await waitChange(control, before, 5000);
      if (took !== null) times.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, look));
    }
    times.sort((a, b) => a - b);
    if (times.length) out[label] = {median_ms: Math.round(times[Math.floor(times.length / 2)]), moves: times.length};
  }
  return out;
}"""


def measure_redraws(page: Watched, case: str, moves: int = 5) -> dict:
    """Median input-to-redraw time of every slider and drop-down on the page, into the speed report."""
    found: dict = {}
    height = page.page.evaluate(
        "() => (document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook')).scrollHeight"
    )
    for y in range(0, int(height) + 1, 600):
        page.page.evaluate(
            f"() => {{ const s = document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook'); s.scrollTop = {y}; }}"
        )
        page.page.wait_for_timeout(200)
        for label, value in page.page.evaluate(
            MEASURE_CONTROLS, {"moves": moves, "box": None, "skip": list(found), "look": LOOK_MS}
        ).items():
            found.setdefault(label, value)
    report_timing(case, "redraw_median_ms", {k: v["median_ms"] for k, v in sorted(found.items())})
    return found


SPEED_ONLY_LESSONS = {
    "lesson03": "notebooks/03_partial_failures.ipynb",
    "lesson06": "notebooks/06_orders_daily_incident.ipynb",
    "lesson07": "notebooks/07_incident_lab.ipynb",
}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not SPEED_REPORT, reason="the browser speed report runs under make bench (ORCHLAB_SPEED_REPORT=1)")
@pytest.mark.parametrize("lesson", sorted(SPEED_ONLY_LESSONS))
def test_run_all_and_redraw_times_are_reported(lab, browser, lesson):
    """The lessons the layout test does not open, for the speed report (Run All and every control)."""
    page = Watched(browser, lesson, viewport=WINDOWS["1920x1080"])
    try:
        with screenshot_on_failure(page, f"speed_{lesson}"):
            times = open_and_run(page, lab, SPEED_ONLY_LESSONS[lesson], "lab")
            report_timing(f"{lesson}_lab", "open_s", times.open_s)
            report_timing(f"{lesson}_lab", "run_all_s", times.run_all_s)
            assert measure_redraws(page, f"{lesson}_lab"), "no control with a figure beside it was measured"
            assert_no_errors(page, f"{lesson} after the controls moved")
    finally:
        page.close()

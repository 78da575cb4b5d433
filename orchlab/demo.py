"""``orchlab demo``: the instructor dashboard, served with Voilà.

Voilà runs ``notebooks/demo.ipynb`` in a kernel of its own for each page (one is kept waiting
with the notebook already run) and shows only its outputs (sources stripped), so the room sees
four live interactives and no code: compound reliability, the silent-failure chain, state
contention and the orders_daily incident. Each browser tab gets
its own kernel, so two instructors can demo from one server without stepping on each other.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from orchlab.args import fail, whole
from orchlab.paths import DEMO_NOTEBOOK

NAME = "demo"
DEFAULT_PORT = 8866  # Voilà's own default, so bookmarks from other Voilà apps feel familiar
#: Seconds Voilà waits after a page takes the waiting kernel before it starts the next one.
REFILL_DELAY_S = 10
#: Voilà's lab template without its CDN stylesheets (found through ``JUPYTER_PATH``, see :func:`run`).
TEMPLATE = "orchlab-dashboard"
JUPYTER_DATA = Path(__file__).with_name("jupyter_data")
#: The front-end extensions the kit's dashboard needs: widgets, anywidget (plotly's figures) and Voilà's manager.
DASHBOARD_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8", "anywidget")


def demo_notebook(args: argparse.Namespace) -> Path:
    return Path(args.notebook).resolve() if getattr(args, "notebook", None) else DEMO_NOTEBOOK


def voila_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m voila ...`` command line for these arguments."""
    notebook = demo_notebook(args)
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={args.port}",
        f"--Voila.ip={args.ip}",
        "--strip_sources=True",  # the room sees outputs, not code
        f"--theme={args.theme}",
        f"--template={TEMPLATE}",
        # Tracebacks help on a laptop that presents; Voilà hides them by default for public servers.
        "--show_tracebacks=True",
        # One kernel is kept started with the notebook already run, so a page needs no run of its own.
        "--preheat_kernel=True",
        "--pool_size=1",
        # The pool refills once the page that took its kernel has loaded: a refill runs the whole
        # notebook, and on a small laptop that would compete with the page for the processor.
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY_S}",
    ]
    if notebook == DEMO_NOTEBOOK:
        # The dashboard's figures are all live widgets: Voilà need not load plotly's 4.8 MB renderer for
        # static figures, nor extensions for code (sources are stripped) or for Notebook 7's menus.
        command.append(f"--VoilaConfiguration.extension_allowlist={json.dumps(list(DASHBOARD_EXTENSIONS))}")
    if args.no_browser:
        command.append("--no-browser")
    return command


def run(args: argparse.Namespace) -> int:
    notebook = demo_notebook(args)
    if not notebook.is_file():
        return fail(NAME, f"--notebook: cannot find {notebook}; give a notebook file of the kit")
    print(
        f"orchlab demo: serving {notebook.name} with Voilà on http://{args.ip}:{args.port}/ "
        "(a kernel with the notebook already run waits for each page; Ctrl-C stops)",
        flush=True,
    )
    command = voila_command(args)
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_DATA), *filter(None, [os.environ.get("JUPYTER_PATH")])])
    # The kernel starts in the notebook's folder, like in JupyterLab, so relative paths in a lesson still work.
    os.chdir(notebook.parent)
    os.execv(sys.executable, command)
    return 0  # pragma: no cover


def register(subparsers) -> argparse.ArgumentParser:
    demo = subparsers.add_parser(
        NAME,
        help="serve the instructor dashboard (four live interactives) with Voilà",
        description="Serve notebooks/demo.ipynb as a dashboard with Voilà: compound reliability, the silent-failure "
        "chain, state contention and the orders_daily incident, with sliders and no code on screen. "
        "Voilà keeps one kernel with the notebook already run, so a page shows its sliders in a few seconds.",
    )
    demo.add_argument(
        "--port",
        type=whole(1, 65535),
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; Voilà tries the next ones if it is taken)",
    )
    demo.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.add_argument(
        "--theme",
        choices=("light", "dark"),
        default="light",
        help="page theme (default light, which projectors show best)",
    )
    demo.add_argument(
        "--notebook",
        metavar="PATH",
        help="serve another notebook instead, e.g. notebooks/02_compound_reliability.ipynb",
    )
    return demo

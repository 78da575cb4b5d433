"""``orchlab lab``: JupyterLab on the first lesson (what ``make lab`` runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from orchlab.args import fail, whole
from orchlab.paths import FIRST_LESSON, KIT_ROOT

#: Jupyter settings for the learner's lab: run-time files hidden from the file browser.
JUPYTER_CONFIG = Path(__file__).with_name("jupyter_config.py")

NAME = "lab"


def register(subparsers):
    lab = subparsers.add_parser(
        NAME,
        help="open JupyterLab on the first lesson",
        description="Open JupyterLab on notebooks/00_start_here.ipynb.",
    )
    lab.add_argument("--port", type=whole(1, 65535), default=8888, help="port to listen on (default 8888)")
    lab.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    lab.add_argument("--token", help="access token (default: Jupyter makes one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return lab


def run(args) -> int:
    if not FIRST_LESSON.exists():
        return fail(NAME, f"cannot find {FIRST_LESSON}; run orchlab lab from an editable install of the kit")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        str(FIRST_LESSON),
        f"--ServerApp.root_dir={KIT_ROOT}",
        f"--config={JUPYTER_CONFIG}",
        f"--port={args.port}",
        f"--ServerApp.ip={args.ip}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if args.token is not None:
        command.append(f"--IdentityProvider.token={args.token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root; Jupyter refuses without this
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # pragma: no cover

"""Where the kit's own files are, for the subcommands that serve them."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = KIT_ROOT / "notebooks"
FIRST_LESSON = NOTEBOOKS / "00_start_here.ipynb"
DEMO_NOTEBOOK = NOTEBOOKS / "demo.ipynb"

"""How subcommands print a result: JSON for programs, a text table for people."""

from __future__ import annotations

import json


def emit(payload, fmt: str, table) -> None:
    """Print ``payload`` as JSON when ``fmt`` is ``json``, else the text ``table()`` returns."""
    if fmt == "json":
        print(json.dumps(payload, indent=2, default=str, allow_nan=False))
    else:
        print(table())

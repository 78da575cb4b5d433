"""The per-trial table, built in one place for every engine and pattern.

One row per trial (per event in the mesh): the columns of :data:`TRIAL_COLUMNS` in that order,
``outcome`` a categorical over :data:`OUTCOMES`, then any pattern-specific columns.
"""

from __future__ import annotations

import pandas as pd

from .params import OUTCOMES

TRIAL_COLUMNS = (
    "trial",
    "outcome",
    "latency",
    "calls",
    "retries",
    "tokens",
    "first_failure_agent",
    "first_failure_mode",
    "degradation",
    "caught_at",
    "ended_at",
)


def trial_table(columns: dict, extra: pd.DataFrame | dict | None = None) -> pd.DataFrame:
    """The trials table from its columns; ``outcome`` is given as outcome codes (``rules.CORRECT``...).

    ``columns`` maps every name of :data:`TRIAL_COLUMNS` to a sequence; ``extra`` adds the
    pattern's own columns after them, in their order.
    """
    missing = [c for c in TRIAL_COLUMNS if c not in columns]
    if missing:
        raise KeyError(f"trial table lacks {', '.join(missing)}")
    data = {c: columns[c] for c in TRIAL_COLUMNS}
    data["outcome"] = pd.Categorical.from_codes(data["outcome"], categories=list(OUTCOMES))
    frame = pd.DataFrame(data)
    if extra is not None and len(extra):
        extra = pd.DataFrame(extra)
        for name in extra.columns:
            frame[name] = extra[name].to_numpy()
    return frame


class TrialRows:
    """Rows appended one trial at a time (a tuple in :data:`TRIAL_COLUMNS` order), made a table once."""

    def __init__(self, extra_columns: tuple[str, ...] = ()):
        self.rows: list[tuple] = []
        self.extras: list[dict] = []
        self.extra_columns = extra_columns
        self.append = self.rows.append

    def add_extra(self, extra: dict | None):
        """The pattern's own columns for the row just appended (call for every row; missing ones are NaN)."""
        self.extras.append(extra or {})

    def table(self) -> pd.DataFrame:
        columns = dict(zip(TRIAL_COLUMNS, map(list, zip(*self.rows)))) if self.rows else {c: [] for c in TRIAL_COLUMNS}
        extra = pd.DataFrame.from_records(self.extras, columns=self.extra_columns) if self.extra_columns else None
        return trial_table(columns, extra)

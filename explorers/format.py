"""One way to show each kind of number, in figures, readouts, tables and screen-reader text.

pct(0.4437)          -> '44.4%'        shares and reliabilities, always as percentages
rate(3.2208)         -> '3.22/s'       events or updates per simulated second
seconds(12.345)      -> '12.3 s'       simulated times
count(3000.0)        -> '3,000'        whole things
plural(1, "subscriber") -> '1 subscriber'
spoken(0.8999999999999999) -> '0.9'    a value for aria text, without float noise
tidy(table)          -> a copy for display: shares as %, times to 0.1 s, counts whole, no NaN
"""

from __future__ import annotations

import math

import pandas as pd

#: How an empty cell reads in a table.
MISSING = "–"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: 0.4437 -> '44.4%'."""
    return MISSING if _missing(x) else f"{100 * x:.{digits}f}%"


def rate(x: float | None, unit: str = "/s", digits: int = 2) -> str:
    """Things per simulated second: 3.2208 -> '3.22/s'."""
    return MISSING if _missing(x) else f"{x:.{digits}f}{unit}"


def seconds(x: float | None, digits: int = 1) -> str:
    """A simulated time: 12.345 -> '12.3 s'."""
    return MISSING if _missing(x) else f"{x:,.{digits}f} s"


def count(x: float | None) -> str:
    """A whole number with thousands separators: 3000.0 -> '3,000'."""
    return MISSING if _missing(x) else f"{round(x):,}"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 subscriber', '3 subscribers' (``many`` for irregular plurals)."""
    return f"{count(n)} {noun if n == 1 else (many or noun + 's')}"


def spoken(x: float, digits: int = 3) -> str:
    """A value for screen-reader text: rounded, trailing zeros dropped (0.8999999999999999 -> '0.9')."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


#: Column name endings and the formatter each kind of column gets in :func:`tidy`.
SHARE_COLUMNS = ("rate", "share", "reliability", "correct", "silent_failure", "detected_failure")
TIME_COLUMNS = ("latency", "_s", "time", "wait")
COUNT_COLUMNS = ("count", "calls_total", "updates", "events", "lost", "retries", "total", "tokens", "value")


def column_kind(name: str) -> str:
    """'share', 'time', 'count' or 'other', read from a column's name."""
    low = str(name).lower()
    if any(low.endswith(k) or low.startswith(k) for k in SHARE_COLUMNS):
        return "share"
    if any(low.endswith(k) or low.startswith(k) for k in TIME_COLUMNS):
        return "time"
    if any(k in low for k in COUNT_COLUMNS):
        return "count"
    return "other"


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    """A display copy of ``table``: shares as percentages, times to 0.1 s, counts as whole numbers,
    other floats to three significant figures, and a dash instead of NaN."""
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            out[name] = column.map(lambda v: MISSING if _missing(v) else v)
            continue
        kind = column_kind(name)
        if kind == "share" and column.dropna().between(0, 1).all():
            out[name] = column.map(pct)
        elif kind == "time":
            out[name] = column.map(seconds)
        elif kind == "count" or pd.api.types.is_integer_dtype(column):
            out[name] = column.map(count)
        else:
            out[name] = column.map(lambda v: MISSING if _missing(v) else f"{v:.3g}")
    return out


__all__ = ["pct", "rate", "seconds", "count", "plural", "spoken", "tidy", "column_kind", "MISSING"]

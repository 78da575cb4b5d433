"""One way to show each kind of number, in figures, readouts, tables and screen-reader text.

pct(0.4437)          -> '44.4%'        shares and reliabilities, always as percentages
small_pct(1e-5, 2)   -> '<0.01%'       a share too small for its precision, never shown as zero
rate(3.2208)         -> '3.22/s'       events or updates per simulated second
seconds(12.345)      -> '12.3 s'       simulated times
count(3000.0)        -> '3,000'        whole things
plural(1, "subscriber") -> '1 subscriber'
spoken(0.8999999999999999) -> '0.9'    a value for aria text, without float noise
tidy(table)          -> a copy for display: shares as %, times to 0.1 s, counts whole, no NaN
"""

from __future__ import annotations

import html
import math

import pandas as pd

#: How an empty cell reads in a table.
MISSING = "–"


def _missing(x) -> bool:
    """None, NaN, or pandas' NA and NaT (DuckDB's nullable integer and time columns hold those)."""
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: 0.4437 -> '44.4%'."""
    return MISSING if _missing(x) else f"{100 * x:.{digits}f}%"


def small_pct(x: float | None, digits: int = 1) -> str:
    """:func:`pct`, except that a share above zero too small to show at this precision reads as below
    the smallest step ('<0.01%' with two digits) instead of as zero ('0.00%')."""
    smallest = 10**-digits / 100
    return f"<{pct(smallest, digits)}" if x is not None and 0 < x < smallest / 2 else pct(x, digits)


def small_pct_html(x: float | None, digits: int = 1) -> str:
    """:func:`small_pct` for HTML (a readout): '&lt;0.01%'."""
    return html.escape(small_pct(x, digits))


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


#: Words in a column's name that say what kind of number it holds (see :func:`column_kind`).
SHARE_WORDS = ("rate", "share", "reliability", "correct", "silent_failure", "detected_failure", "utilization")
TIME_WORDS = ("latency", "time", "seconds", "wait", "duration", "horizon")
RATE_WORDS = ("throughput", "per_s")
COUNT_WORDS = ("tokens", "count", "updates", "events", "total", "runs", "trials")


def column_kind(name: str, values: pd.Series) -> str:
    """'share', 'time', 'rate', 'count' or 'number', from a column's name and values."""
    low = str(name).lower()
    numbers = values.dropna().astype(float)
    whole = bool(len(numbers)) and bool((numbers == numbers.round()).all())
    if any(w in low for w in RATE_WORDS):
        return "rate"
    if any(w in low for w in SHARE_WORDS) and numbers.between(0, 1).all():
        return "share"
    if any(w in low for w in TIME_WORDS) or low.endswith("_s"):
        return "time"
    if whole or any(w in low for w in COUNT_WORDS):
        return "count"
    return "number"


def number(x: float | None) -> str:
    """A number of no known kind: whole numbers as counts, others to three significant figures."""
    if _missing(x):
        return MISSING
    return count(x) if float(x).is_integer() and abs(x) < 1e15 else f"{x:.3g}"


FORMATTERS = {
    "share": pct,
    "time": seconds,
    "rate": rate,
    "count": count,
    "number": number,
}


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    """A display copy of ``table``: shares as percentages, times to 0.1 s, rates per second,
    whole numbers without decimals, other numbers to three significant figures, a dash for NaN."""
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            out[name] = column.map(lambda v: MISSING if _missing(v) else v)
        else:
            out[name] = column.map(FORMATTERS[column_kind(name, column)])
    return out


def show(table: pd.DataFrame):
    """A table for a lesson cell: :func:`tidy` numbers, text columns never cut short."""
    from IPython.display import HTML  # only where a notebook shows it

    with pd.option_context("display.max_colwidth", None):
        return HTML(tidy(table).to_html(na_rep=MISSING, escape=True))


__all__ = [
    "pct",
    "small_pct",
    "small_pct_html",
    "rate",
    "seconds",
    "count",
    "plural",
    "spoken",
    "tidy",
    "show",
    "column_kind",
    "MISSING",
]

"""A learner's SQL, screened here and run only in the sandbox, against throwaway copies of warehouses.

Two layers. :func:`screen_sql` is a conservative screen in the grader's process: it reads the
text (never runs it) and refuses anything that is not exactly one read-only query, with a
reason. :func:`run_query` then hands the text to :func:`grader.sandbox.run_isolated`, which
copies each warehouse into the sandbox's private folder; there DuckDB opens the copy read-only
with external access switched off and the configuration locked, checks again that the text
parses to exactly one SELECT statement, runs it under a time limit, and prints only JSON.
The screen gives clear reasons; the sandbox and the locked DuckDB are the barrier.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field

MAX_SQL_CHARS = 20_000
MAX_ROWS = 2_000
QUERY_SECONDS = 5.0
SANDBOX_MEMORY_MB = 1536  # DuckDB reserves address space well beyond its own memory_limit

#: Words of statements that write, load, attach or configure. A statement has to start with a
#: query word to pass at all, so these are the ones that could still hide inside one.
FORBIDDEN_WORDS = frozenset(
    """
    insert update delete merge upsert create drop alter truncate into attach detach copy export
    import pragma install load set reset call checkpoint vacuum execute prepare
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
#: Table and scalar functions that read files, other databases or the network, or run SQL text.
FORBIDDEN_FUNCTIONS = frozenset(
    """
    glob query query_table getenv load_extension sniff_csv read_text read_blob
    csv_scan parquet_scan json_scan sqlite_scan postgres_scan mysql_scan iceberg_scan delta_scan
    sqlite_attach postgres_attach mysql_attach duckdb_secrets which_secret
    """.split()  # noqa: SIM905
)
FORBIDDEN_PREFIXES = ("read_", "parquet_", "iceberg_", "delta_", "http", "s3", "gcs", "azure", "sqlite_", "postgres_")
STARTS = frozenset({"select", "with", "from", "values", "("})

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class Refused(ValueError):
    """The text is not exactly one read-only query; the message says why in one line."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | quoted | string | symbol
    text: str


def _tokens(sql: str) -> list[Token]:
    """Words, quoted identifiers, string literals and symbols outside comments."""
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            depth, i = 1, i + 2
            while depth:
                if i >= n:
                    raise Refused("a /* comment is never closed")
                if sql.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif ch == "'" or (ch in "eE" and sql.startswith("'", i + 1)):
            escaped = ch != "'"
            i += 2 if escaped else 1
            start = i
            while True:
                if i >= n:
                    raise Refused("a string literal is never closed")
                if (escaped and sql[i] == "\\") or sql.startswith("''", i):
                    i += 2
                elif sql[i] == "'":
                    break
                else:
                    i += 1
            out.append(Token("string", sql[start:i]))
            i += 1
        elif ch == '"':
            end = i + 1
            while True:
                end = sql.find('"', end)
                if end < 0:
                    raise Refused('a "quoted name" is never closed')
                if sql.startswith('""', end):
                    end += 2
                    continue
                break
            out.append(Token("quoted", sql[i + 1 : end].replace('""', '"')))
            i = end + 1
        elif ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(0), tag.end())
            if end < 0:
                raise Refused("a $$ string is never closed")
            out.append(Token("string", sql[tag.end() : end]))
            i = end + len(tag.group(0))
        elif word := _WORD.match(sql, i):
            out.append(Token("word", word.group(0)))
            i = word.end()
        else:
            out.append(Token("symbol", ch))
            i += 1
    return out


def _forbidden_function(name: str) -> bool:
    name = name.lower()
    return name in FORBIDDEN_FUNCTIONS or name.startswith(FORBIDDEN_PREFIXES) or name.endswith("_scan")


def screen_sql(text: str) -> str:
    """The query without a trailing semicolon, or :class:`Refused` with the reason.

    Conservative on purpose: a query that only *names* a forbidden word (an alias called
    ``load``) is refused too, with a reason that says which word.
    """
    if not isinstance(text, str) or not text.strip():
        raise Refused("there is no query")
    if len(text) > MAX_SQL_CHARS:
        raise Refused(f"the query is longer than {MAX_SQL_CHARS:,} characters")
    if "\x00" in text:
        raise Refused("the query contains a NUL character")
    tokens = _tokens(text)
    if not tokens:
        raise Refused("there is no query, only comments")
    while tokens and tokens[-1] == Token("symbol", ";"):
        tokens.pop()
    if Token("symbol", ";") in tokens:
        raise Refused("more than one statement: a ';' is followed by more SQL; write a single query")
    first = tokens[0].text.lower() if tokens[0].kind in ("word", "symbol") else ""
    if first not in STARTS:
        what = first.upper() if tokens[0].kind == "word" else repr(tokens[0].text)
        raise Refused(f"{what} is not a query: only one read-only SELECT (or WITH ... SELECT) is graded")
    for position, token in enumerate(tokens):
        if token.kind in ("word", "quoted") and token.text.lower() in FORBIDDEN_WORDS:
            raise Refused(
                f"it uses {token.text.upper()!s}, which belongs to a statement that changes, loads or configures "
                "something; a cross-check only reads (rename an alias that happens to use this word)"
            )
        if token.kind in ("word", "quoted") and _forbidden_function(token.text):
            raise Refused(f"it calls {token.text}, which reads files, other databases or the network")
        if token.kind == "string":
            before = tokens[position - 1].text.lower() if position else ""
            if "://" in token.text:
                raise Refused(f"it names a network address ('{token.text[:60]}'); only the warehouse may be read")
            if before in ("from", "join"):
                raise Refused(f"it reads the file '{token.text[:60]}' as a table; only the warehouse may be read")
    return text.strip().rstrip(";").strip()


#: Runs inside the sandbox. The query and settings arrive as JSON literals; only JSON leaves.
SANDBOX_PROGRAM = r"""
import json, threading
import duckdb

QUERY = json.loads({query!r})
FILES = json.loads({files!r})
SECONDS = {seconds!r}
MAX_ROWS = {max_rows!r}
CONFIG = {{
    "access_mode": "READ_ONLY",
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "threads": 1,
    "memory_limit": "256MB",
    "lock_configuration": True,
}}


def plain(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:200]


def run(path):
    con = duckdb.connect(path, read_only=True, config=CONFIG)
    try:
        statements = con.extract_statements(QUERY)
        if len(statements) != 1:
            return {{"refused": f"{{len(statements)}} statements; write a single query"}}
        kind = str(statements[0].type).rsplit(".", 1)[-1]
        if kind != "SELECT":
            return {{"refused": f"DuckDB reads it as a {{kind}} statement: only one read-only SELECT (or WITH ... SELECT) is graded"}}
        timer = threading.Timer(SECONDS, con.interrupt)
        timer.start()
        try:
            cursor = con.execute(QUERY)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchmany(MAX_ROWS + 1)
        except duckdb.InterruptException:
            return {{"error": f"stopped after the {{SECONDS:g}} s time limit"}}
        finally:
            timer.cancel()
        if len(rows) > MAX_ROWS:
            return {{"error": f"the query returned more than {{MAX_ROWS}} rows"}}
        return {{"columns": columns, "rows": [[plain(v) for v in row] for row in rows]}}
    except duckdb.Error as exc:
        return {{"error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]}}
    finally:
        con.close()


results = {{}}
for name in FILES:  # one failure is enough: later copies would only repeat it (or its time limit)
    results[name] = run(name)
    if "columns" not in results[name]:
        break
print(json.dumps(results))
"""


@dataclass
class QueryRun:
    """What one sandboxed run gave back, per warehouse: columns and rows, or an error."""

    refused: str = ""  # not one read-only query: ungradable
    error: str = ""  # the sandbox itself failed (time, memory, crash)
    unavailable: str = ""  # no sandbox that can take the warehouse copies
    results: dict[str, dict] = field(default_factory=dict)


def sandbox_status() -> tuple[bool, str]:
    """Whether the sandbox can run a query against copied warehouses, and if not, why."""
    from .. import sandbox

    if "inputs" not in inspect.signature(sandbox.run_isolated).parameters:
        return False, "the grader's sandbox cannot copy a warehouse in yet (run_isolated has no inputs=)"
    available = getattr(sandbox, "sandbox_available", None)
    if available is None:
        return False, "the grader's sandbox cannot report whether it is available (no sandbox_available())"
    return available()


def run_query(sql: str, warehouses: dict[str, str], *, seconds: float = QUERY_SECONDS, screen: bool = True) -> QueryRun:
    """Screen ``sql`` and run it in the sandbox once against a copy of each warehouse.

    ``warehouses`` maps a file name (``lesson.duckdb``) to the path of the warehouse to copy.
    ``screen=False`` skips the outside screen; tests use it to show the sandbox holds alone.
    """
    if screen:
        try:
            sql = screen_sql(sql)
        except Refused as exc:
            return QueryRun(refused=str(exc))
    ok, reason = sandbox_status()
    if not ok:
        return QueryRun(unavailable=reason)
    from .. import sandbox

    names = sorted(warehouses)
    code = SANDBOX_PROGRAM.format(
        query=json.dumps(sql), files=json.dumps(names), seconds=float(seconds), max_rows=MAX_ROWS
    )
    try:
        result = sandbox.run_isolated(
            code,
            timeout=seconds * len(names) + 10.0,
            memory_mb=SANDBOX_MEMORY_MB,
            inputs={name: str(warehouses[name]) for name in names},
        )
    except getattr(sandbox, "SandboxUnavailable", RuntimeError) as exc:
        return QueryRun(unavailable=str(exc))
    if not result.ok:
        return QueryRun(error=result.error)
    value = result.value if isinstance(result.value, dict) else {}
    run = QueryRun(results={name: value[name] for name in names if isinstance(value.get(name), dict)})
    for answer in run.results.values():
        if answer.get("refused"):
            run.refused = answer["refused"]
        elif answer.get("error"):
            run.error = answer["error"]
    return run


__all__ = ["Refused", "screen_sql", "run_query", "sandbox_status", "QueryRun", "QUERY_SECONDS"]

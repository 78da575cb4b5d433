"""Reading untrusted input as data only: bounded files, guarded YAML, whitelisted arithmetic.

Nothing from a submission is imported, executed or unpickled. Files are size-checked before
they are read and must be UTF-8 text; YAML goes through ``yaml.safe_load`` only after its
size, aliases and nesting are checked; numbers written as expressions ("0.95**3", "0.9^(1/5)",
"86 %") go through a small evaluator over Python's ``ast`` that allows numbers and + - * / **
and nothing else.
"""

from __future__ import annotations

import ast
import errno
import math
import operator
import os
import re
import stat
from pathlib import Path

import yaml

MAX_FILE_BYTES = 5 * 1024 * 1024  # a notebook of answers is kilobytes; 5 MB is generous
MAX_YAML_CHARS = 20_000
MAX_YAML_ALIASES = 20
MAX_YAML_DEPTH = 12
MAX_YAML_NODES = 2_000
MAX_EXPRESSION_CHARS = 120
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class UnsafeInput(ValueError):
    """Input refused before it was parsed; the message says why in one line."""


def read_text(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text, refusing anything but a regular file, over ``limit`` bytes, binary, or not UTF-8.

    The file is opened without blocking and checked on the open handle, so a FIFO, a device or
    a socket named like a notebook is refused instead of hanging the grader.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnsafeInput(f"cannot open the file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeInput(f"not a regular file (it is {file_kind(info.st_mode)}); only files are graded")
        if info.st_size > limit:
            raise UnsafeInput(
                f"file is {info.st_size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit for a submission"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeInput(f"file grew past the {limit / 1e6:.0f} MB limit while it was read")
    if b"\x00" in data[:65536]:
        raise UnsafeInput("file is binary (it contains NUL bytes), not a notebook or text answer")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeInput(f"file is not UTF-8 text (bad byte at offset {exc.start})") from None
    return text.removeprefix("\ufeff")


def strip_html_comments(text: str, replacement: str = "") -> str:
    """``text`` with each ``<!-- ... -->`` replaced, in one pass (linear in the text's length).

    A regex such as ``<!--.*?-->`` rescans the rest of the text from every unclosed ``<!--``,
    which is quadratic on hostile answers; an unclosed comment here ends the scan and is kept.
    """
    if "<!--" not in text:
        return text
    parts, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts += [text[pos:start], replacement]
        pos = end + 3
    parts.append(text[pos:])
    return "".join(parts)


def _inside(target: Path, roots: frozenset[str]) -> bool:
    """Whether ``target`` is one of ``roots`` or lies below one: a walk up its parents, so a batch
    given thousands of files costs a set lookup per level, not a comparison per root."""
    return any(str(p) in roots for p in (target, *target.parents))


def refusal(path: str | os.PathLike, roots: frozenset[str] = frozenset()) -> str | None:
    """Why ``path`` must not be read, or None: only regular files inside ``roots`` (the resolved
    folders and files the grader was given) are read; links that dangle, loop or lead out are not."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot look at the file: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            return "a symbolic link to a file that does not exist (a dangling link); nothing was read"
        except (RuntimeError, OSError) as exc:
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
                return "a symbolic link that loops back on itself; nothing was read"
            return f"a symbolic link that cannot be followed ({exc.strerror or exc}); nothing was read"
    else:
        target = path.resolve()
    if roots and not _inside(target, roots):
        return "a symbolic link to a file outside the folders given to the grader; it was not read"
    try:
        info = os.stat(target)
    except OSError as exc:
        return f"cannot look at the file: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode) and path.is_symlink():
        return "a symbolic link to a folder; folders reached through links are not searched"
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file (it is {file_kind(info.st_mode)}); only files are graded"
    return None


def file_kind(mode: int) -> str:
    """``"a FIFO (named pipe)"``, ``"a folder"``... for a message about what a path is."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a regular file"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def printable(text: object, limit: int = 10_000) -> str:
    """``text`` safe to store, print or put in a table: lone surrogates (from non-UTF-8 file names or
    ``"\\ud800"`` in JSON) become U+FFFD and control characters (newlines included) are escaped."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _SURROGATE.search(text) else text
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def storable(text: object) -> str:
    """``text`` that SQLite, JSON and UTF-8 files accept: lone surrogates become U+FFFD (newlines stay)."""
    text = str(text)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _SURROGATE.search(text) else text


#: libyaml's safe loader when PyYAML was built with it (about 4 times faster), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _WordsLoader(_SAFE_LOADER):
    """The safe loader, except that a yes, no, on, off, true or false stays the word as written."""


_WordsLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: node.value)


def safe_yaml(text: str, *, what: str = "YAML", booleans: bool = True) -> object:
    """``yaml.safe_load`` behind a size, alias, depth and node-count guard (no YAML bombs).

    With ``booleans=False`` a value YAML would read as true or false keeps the word as written
    (a learner's unquoted ``no`` is an answer to quote back, not ``False``)."""
    if len(text) > MAX_YAML_CHARS:
        raise UnsafeInput(f"{what} is {len(text)} characters, over the {MAX_YAML_CHARS} allowed")
    aliases = depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=_SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise UnsafeInput(f"{what} uses more than {MAX_YAML_ALIASES} aliases (*refs); write it out instead")
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                nodes += 1
                if depth > MAX_YAML_DEPTH:
                    raise UnsafeInput(f"{what} nests deeper than {MAX_YAML_DEPTH} levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
            if nodes > MAX_YAML_NODES:
                raise UnsafeInput(f"{what} has more than {MAX_YAML_NODES} values")
        value = yaml.load(text, Loader=_SAFE_LOADER if booleans else _WordsLoader)  # safe loaders, C or Python
    except UnsafeInput:
        raise
    except ValueError as exc:  # Python's own limit on integer digits, met inside the YAML loader
        raise ValueError(f"{what} holds a number too long to read ({str(exc).split(':')[0]})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        last_line = text.count("\n") + 1  # libyaml marks the end of the text one line past the last
        where = f" (line {min(mark.line + 1, last_line)})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{what} does not parse{where}: {problem}") from None
    if aliases and _expanded_size(value, MAX_YAML_NODES) > MAX_YAML_NODES:
        raise UnsafeInput(f"{what} expands to more than {MAX_YAML_NODES} values through its aliases")
    return value


def _expanded_size(value, budget: int) -> int:
    """Values counted as if every alias were copied out, stopping once over ``budget``."""
    count, stack = 0, [value]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def evaluate_arithmetic(text: str) -> float:
    """A number from a pure arithmetic expression: ``0.95**3``, ``0.9^(1/5)``, ``86 %``, ``1 - 0.05*3``.

    Only numbers, parentheses, + - * / and powers are allowed (``^`` reads as a power, a
    trailing ``%`` divides by 100). Names, calls, attributes, strings and everything else are
    refused, so nothing a learner writes can run.
    """
    source = text.strip().replace("×", "*").replace("−", "-").replace("^", "**")
    source = re.sub(r"^(?:≈|~|=)\s*", "", source)
    percent = source.endswith("%")
    source = source.rstrip("%").strip()
    if re.fullmatch(r"\d+,\d+", source):  # a decimal comma: 0,857
        source = source.replace(",", ".")
    if not source:
        raise ValueError("no number given")
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"expression is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise ValueError(f"{text.strip()!r} is not a number or an arithmetic expression") from None
    try:
        value = _eval(tree.body)
    except ZeroDivisionError:
        raise ValueError(f"{text.strip()!r} divides by zero (0 to a negative power counts too)") from None
    except (ArithmeticError, MemoryError, RecursionError):
        raise ValueError(f"{text.strip()!r} is too large to work out; write the number itself") from None
    if isinstance(value, complex) or math.isnan(value) or math.isinf(value):
        raise ValueError(f"{text.strip()!r} does not come to a finite real number")
    return value / 100 if percent else float(value)


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            if abs(right) > 100 or abs(left) > 1e6:
                raise ValueError("powers are limited to exponents up to 100 and bases up to a million")
            left = float(left)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ValueError("division by zero")
        result = _BINARY[type(node.op)](left, right)
        if isinstance(result, complex):
            raise ValueError("the expression has no real value")
        if abs(result) > 1e12:
            raise ValueError("the expression's value is too large to be a probability or a count")
        return result
    found = {
        ast.Name: lambda n: f"the word '{n.id}'",
        ast.Call: lambda n: "a function call",
        ast.Attribute: lambda n: "an attribute",
        ast.Constant: lambda n: f"{type(n.value).__name__} {n.value!r}",
    }
    what = found.get(type(node), lambda n: type(n).__name__)(node)
    raise ValueError(f"only numbers and + - * / ** are allowed (found {what})")

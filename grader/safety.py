"""Reading untrusted input as data only: bounded files, guarded YAML, whitelisted arithmetic.

Nothing from a submission is imported, executed or unpickled. Files are size-checked before
they are read and must be UTF-8 text; YAML goes through ``yaml.safe_load`` only after its
size, aliases and nesting are checked; numbers written as expressions ("0.95**3", "0.9^(1/5)",
"86 %") go through a small evaluator over Python's ``ast`` that allows numbers and + - * / **
and nothing else.
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
from pathlib import Path

import yaml

MAX_FILE_BYTES = 5 * 1024 * 1024  # a notebook of answers is kilobytes; 5 MB is generous
MAX_YAML_CHARS = 20_000
MAX_YAML_ALIASES = 20
MAX_YAML_DEPTH = 12
MAX_YAML_NODES = 2_000
MAX_EXPRESSION_CHARS = 120


class UnsafeInput(ValueError):
    """Input refused before it was parsed; the message says why in one line."""


def read_text(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text, refusing anything over ``limit`` bytes, binary, or not UTF-8."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise UnsafeInput(f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit for a submission")
    with open(path, "rb") as handle:
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


def safe_yaml(text: str, *, what: str = "YAML") -> object:
    """``yaml.safe_load`` behind a size, alias, depth and node-count guard (no YAML bombs)."""
    if len(text) > MAX_YAML_CHARS:
        raise UnsafeInput(f"{what} is {len(text)} characters, over the {MAX_YAML_CHARS} allowed")
    aliases = depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
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
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
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
    value = _eval(tree.body)
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

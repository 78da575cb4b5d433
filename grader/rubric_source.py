"""Rubric YAML read with line numbers, and the list of problems found while parsing it.

The YAML is composed to nodes first, so every mapping and list remembers the line of each of
its entries; a problem in a rubric is then reported as ``file:line: what is wrong``. Parsing
goes on after a problem, so an author sees every problem of a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .errors import RubricError


class LineDict(dict):
    """A YAML mapping that knows its own line and the line of each key."""

    line: int = 0
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that knows its own line and the line of each item."""

    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers (1-based)."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value", key_node.start_mark)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} appears twice", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(item, deep=True) for item in node.value)
    out.line, out.lines = node.start_mark.line + 1, [item.start_mark.line + 1 for item in node.value]
    return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_with_lines(text: str, where: str):
    """The YAML document with :class:`LineDict`/:class:`LineList` containers, or RubricError."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RubricError(f"{where}{line}: not valid YAML: {what}") from None


def line_of(container, key) -> int:
    """The line of ``key`` in a LineDict/LineList (0 when the data did not come from YAML)."""
    if isinstance(container, (LineDict, LineList)):
        return container.line_of(key)
    return 0


@dataclass(frozen=True)
class Problem:
    line: int
    where: str  # "criteria[2] (pattern): check" - the path inside the rubric
    message: str

    def format(self, path: str) -> str:
        at = f"{path}:{self.line}" if self.line else path
        return f"{at}: {self.where}: {self.message}" if self.where else f"{at}: {self.message}"


@dataclass
class Problems:
    """Problems collected while parsing one rubric."""

    path: str
    items: list[Problem] = field(default_factory=list)

    def add(self, line: int, where: str, message: str) -> None:
        self.items.append(Problem(int(line or 0), where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [p.format(self.path) for p in sorted(self.items, key=lambda p: p.line)]

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.lines()
            more = f" (and {len(shown) - 1} more problems; run `orchlab rubric check`)" if len(shown) > 1 else ""
            raise RubricError(shown[0] + more, problems=shown)


__all__ = ["LineDict", "LineList", "Problem", "Problems", "load_with_lines", "line_of"]

"""Build a typed check spec from a rubric's ``check:`` mapping, collecting every problem with its line.

The field table is the dataclasses in :mod:`grader.checks.specs`; nothing here knows a
particular rubric. Unknown keys, wrong types, empty lists, malformed ``near`` items and
concept names the rubric does not define are problems, never silent defaults.
"""

from __future__ import annotations

import difflib
from dataclasses import MISSING, dataclass
from typing import Any

from ..rubric_source import Problems, line_of
from ..safety import evaluate_arithmetic
from ..specs import CHECK_SPECS, MODELS, SCOPES, TEXT_SPECS, Group, Near, Spec, spec_fields


@dataclass
class Context:
    problems: Problems
    where: str
    concepts: set
    answer_kind: str
    options: dict  # the answer's options (choice checks)


def _suggest(word: str, known) -> str:
    close = difflib.get_close_matches(str(word), list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Bad(Exception):
    pass


def _as_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"{what} should be a whole number, not {value!r}")
    return value


def _as_float(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"{what} should be a number, not {value!r}")
    return float(value)


def _as_list(value, what: str, allow_empty: bool = False) -> list:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _Bad(f"{what} should be a list, not {type(value).__name__}")
    if not value and not allow_empty:
        raise _Bad(f"{what} is an empty list, which would check nothing; remove it or add items")
    return value


def _concept(value, ctx: Context, what: str) -> str:
    if not isinstance(value, str):
        raise _Bad(f"{what} should be a concept name, not {value!r}")
    if value not in ctx.concepts:
        raise _Bad(f"{what}: concept {value!r} is not defined under concepts:{_suggest(value, ctx.concepts)}")
    return value


def _item(value, ctx: Context, what: str):
    if isinstance(value, str):
        return _concept(value, ctx, what)
    if isinstance(value, dict):
        extra = set(value) - {"near", "window"}
        if extra:
            raise _Bad(f"{what}: unknown key {sorted(extra)[0]!r} in a near item (keys: near, window)")
        pair = value.get("near")
        if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            raise _Bad(f"{what}: near takes a list of two concept names, e.g. near: [count_word, downstream_thing]")
        window = _as_int(value.get("window", 8), f"{what}: window")
        if window < 0 or window > 40:
            raise _Bad(f"{what}: window is a number of words between 0 and 40, not {window}")
        return Near(_concept(pair[0], ctx, what), _concept(pair[1], ctx, what), window)
    raise _Bad(f"{what} should be a concept name or {{near: [a, b], window: n}}, not {value!r}")


def _value(kind: str, value, ctx: Context, what: str, spec_options: dict | None):
    if kind == "str":
        if not isinstance(value, str):
            raise _Bad(f"{what} should be text, not {value!r}")
        return value
    if kind == "int":
        return _as_int(value, what)
    if kind == "float":
        return _as_float(value, what)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Bad(f"{what} should be true or false, not {value!r}")
        return value
    if kind == "str_list":
        items = _as_list(value, what)
        if not all(isinstance(i, str) for i in items):
            raise _Bad(f"{what} should be a list of names")
        return tuple(items)
    if kind == "int_list":
        return tuple(_as_int(i, what) for i in _as_list(value, what))
    if kind == "int_pair":
        items = _as_list(value, what)
        if len(items) != 2:
            raise _Bad(f"{what} should be [lowest, highest]")
        lo, hi = (_as_int(i, what) for i in items)
        if lo > hi:
            raise _Bad(f"{what}: lowest {lo} is above highest {hi}")
        return (lo, hi)
    if kind == "concept":
        return _concept(value, ctx, what)
    if kind == "concept_list":
        return tuple(_concept(v, ctx, what) for v in _as_list(value, what))
    if kind == "item":
        return _item(value, ctx, what)
    if kind == "item_list":
        return tuple(_item(v, ctx, f"{what}[{i}]") for i, v in enumerate(_as_list(value, what)))
    if kind == "scope":
        if value not in SCOPES:
            raise _Bad(f"{what} should be one of {', '.join(SCOPES)}, not {value!r}")
        return value
    if kind == "model":
        if value not in MODELS:
            raise _Bad(f"{what} should be one of {', '.join(MODELS)}, not {value!r}{_suggest(value, MODELS)}")
        return value
    if kind == "expression":
        try:
            evaluate_arithmetic(str(value))
        except ValueError as exc:
            raise _Bad(f"{what}: {exc}") from None
        return str(value)
    if kind == "options":
        accepted = _as_list(value, what)
        if not ctx.options:
            raise _Bad("a choice check reads an answer with options")
        for option in accepted:
            if option not in ctx.options:
                raise _Bad(f"{what}: {option!r} is not an option of the answer{_suggest(option, ctx.options)}")
        return tuple(accepted)
    if kind == "option_concepts":
        if not isinstance(value, dict) or not value:
            raise _Bad(f"{what} should be a mapping of option name -> concept name")
        return {str(k): _concept(v, ctx, f"{what}.{k}") for k, v in value.items()}
    if kind == "option_list":
        names = _as_list(value, what)
        for name in names:
            if spec_options is not None and name not in spec_options:
                raise _Bad(f"{what}: {name!r} is not one of options:{_suggest(name, spec_options or {})}")
        return tuple(names)
    if kind == "groups":
        if not isinstance(value, dict) or not value:
            raise _Bad(f"{what} should be a mapping of group name -> {{label, any, weak}}")
        groups = {}
        for name, group in value.items():
            if not isinstance(group, dict):
                raise _Bad(f"{what}.{name} should be a mapping with label, any and weak")
            extra = set(group) - {"label", "any", "weak"}
            if extra:
                raise _Bad(
                    f"{what}.{name}: unknown key {sorted(extra)[0]!r}{_suggest(sorted(extra)[0], ['label', 'any', 'weak'])}"
                )
            if "any" not in group:
                raise _Bad(f"{what}.{name}: missing 'any'")
            groups[str(name)] = Group(
                str(group.get("label", name)),
                tuple(_item(v, ctx, f"{what}.{name}.any") for v in _as_list(group["any"], f"{what}.{name}.any")),
                tuple(
                    _item(v, ctx, f"{what}.{name}.weak")
                    for v in _as_list(group.get("weak", []), f"{what}.{name}.weak", True)
                ),
            )
        return groups
    raise AssertionError(f"unknown parameter kind {kind}")  # a bug in specs.py, not in a rubric


def build_spec(raw, ctx: Context) -> Spec | None:
    """The typed spec for one ``check:`` mapping, or None after recording its problems."""
    problems, where = ctx.problems, ctx.where
    if not isinstance(raw, dict):
        problems.add(line_of(raw, 0), where, "check should be a mapping with a type")
        return None
    kind = raw.get("type")
    if kind not in CHECK_SPECS:
        problems.add(
            line_of(raw, "type"),
            where,
            f"unknown check type {kind!r}{_suggest(kind, CHECK_SPECS)} (types: {', '.join(CHECK_SPECS)})",
        )
        return None
    cls = CHECK_SPECS[kind]
    skip = {"type"}
    if kind == "text":
        analyzer = raw.get("analyzer")
        if analyzer not in TEXT_SPECS:
            problems.add(
                line_of(raw, "analyzer"),
                where,
                f"unknown analyzer {analyzer!r}{_suggest(analyzer, TEXT_SPECS)} (analyzers: {', '.join(TEXT_SPECS)})",
            )
            return None
        cls, skip = TEXT_SPECS[analyzer], {"type", "analyzer"}
    allowed = {f.name: f for f in spec_fields(cls)}
    values: dict[str, Any] = {}
    ok = True
    for key in raw:
        if key in skip:
            continue
        if key not in allowed:
            problems.add(
                line_of(raw, key),
                where,
                f"unknown key {key!r}{_suggest(key, allowed)} for a {kind} check"
                f"{' (' + cls.analyzer + ')' if kind == 'text' else ''}; keys: {', '.join(allowed)}",
            )
            ok = False
    options = raw.get("options") if isinstance(raw.get("options"), dict) else None
    for name, f in allowed.items():
        if name not in raw:
            if f.default is MISSING and f.default_factory is MISSING:
                problems.add(
                    raw.line if hasattr(raw, "line") else 0,
                    where,
                    f"a {kind} check needs '{name}' ({f.metadata['doc']})",
                )
                ok = False
            continue
        try:
            values[name] = _value(f.metadata["kind"], raw[name], ctx, name, options)
        except _Bad as exc:
            problems.add(line_of(raw, name), where, str(exc))
            ok = False
    if not ok:
        return None
    return _finish(cls, values, ctx, raw)


def _finish(cls, values: dict, ctx: Context, raw) -> Spec | None:
    problems, where = ctx.problems, ctx.where
    if cls.type == "numeric":
        if "abs_tol" not in values and "rel_tol" not in values:
            problems.add(raw.line if hasattr(raw, "line") else 0, where, "a numeric check needs abs_tol or rel_tol")
            return None
        values["expected_value"] = evaluate_arithmetic(values["expected"])
    if cls.type == "choice" and ctx.answer_kind == "mapping" and not values.get("key"):
        problems.add(line_of(raw, "expected"), where, "a choice on a mapping answer needs 'key'")
        return None
    if cls.type == "text" and cls.analyzer == "choice_in_prose" and not values.get("accept"):
        problems.add(line_of(raw, "accept"), where, "choice_in_prose needs at least one option under accept")
        return None
    if (
        cls.type == "text"
        and cls.analyzer == "concepts"
        and not any(values.get(k) for k in ("all_of", "any_of", "none_of"))
    ):
        problems.add(
            raw.line if hasattr(raw, "line") else 0,
            where,
            "a concepts check needs all_of, any_of or none_of; without them it passes everything",
        )
        return None
    if (
        cls.type == "simulation"
        and values["model"] == "handoff_contracts"
        and values.get("measure") not in ("accepts_right", "catch", "silent_rate")
    ):
        problems.add(
            line_of(raw, "measure"), where, "handoff_contracts needs measure: accepts_right, catch or silent_rate"
        )
        return None
    return cls(**values)


__all__ = ["Context", "build_spec"]

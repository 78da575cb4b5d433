"""Scenarios as YAML data: the shipped ones by name, or a learner's or instructor's file.

A file is read within limits (its size, its nesting), then every value goes through the spec of
the parameter field it sets (:mod:`simulator.settings`), the same check a scenario built in
Python gets. An error is one line naming the file, the field and what is allowed.
"""

from __future__ import annotations

import math
import os
import stat
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .contracts import CONTRACTS
from .params import Agent, Defenses, Hierarchy, Mesh, Scenario, check_applies
from .settings import ParameterError, clip, from_data, is_name, settings_of, shown, spec_of

#: A scenario file is a few kilobytes; anything past this is refused unread.
MAX_BYTES = 256 * 1024
#: A scenario nests four levels deep (agents, an agent, its latency); this leaves room and no more.
MAX_DEPTH = 12
#: The agent settings a ``defaults:`` section may give for every agent at once.
AGENT_DEFAULTS = ("reliability", "silent_share", "latency", "tokens_per_call")
SECTIONS = {"defenses": Defenses, "mesh": Mesh, "hierarchy": Hierarchy}
SCALARS = ("name", "description", "pattern", "fan_in", "redundant", "correlation")
TOP_LEVEL = (*SCALARS, "alert", "defaults", "agents", *SECTIONS)


class ScenarioError(ValueError):
    """A scenario file is missing or invalid; the message names the file and the field."""


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that come with the kit."""
    folder = resources.files("simulator") / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scenario(source: str | Path) -> Scenario:
    """A shipped scenario by name (``"orders_daily"``) or a YAML file by path."""
    text, label = _read(source)
    raw = _parse(text, label)
    try:
        return _build(raw)
    except ParameterError as exc:
        raise ScenarioError(f"{label}: field {exc.field}: {exc.reason}") from None


def _read(source: str | Path) -> tuple[str, str]:
    """The text of a scenario file or shipped scenario, and the label its errors start with."""
    if not isinstance(source, (str, Path)):
        raise ScenarioError(f"scenario: give a shipped scenario name or a YAML file path (got {shown(source)})")
    name = str(source)
    if not name.strip():
        raise ScenarioError("scenario: give a shipped scenario name (such as orders_daily) or a YAML file path, not ''")
    if not name.isprintable():
        raise ScenarioError(f"{shown(name)}: a scenario name or path must be printable text on one line")
    path = Path(name)
    label = clip(name, 300)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read it ({exc.strerror})") from None
    if info is None:
        if path.suffix in (".yaml", ".yml") or os.sep in name:
            raise ScenarioError(f"{label}: no such scenario file")
        if name not in shipped_scenarios():
            have = ", ".join(shipped_scenarios())
            raise ScenarioError(f"{label}: no shipped scenario of that name and no such file (have: {have})")
        return (resources.files("simulator") / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml"
    return _read_file(path, info, label), label


def _read_file(path: Path, info: os.stat_result, label: str) -> str:
    """At most :data:`MAX_BYTES` of a regular file, without ever blocking on a pipe or device."""
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{label}: is a folder, not a scenario file; give the path of a .yaml file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{label}: is not a regular file (a device, pipe or socket); give a .yaml file")
    if info.st_size > MAX_BYTES:
        raise ScenarioError(f"{label}: is {info.st_size:,} bytes; a scenario file may have at most {MAX_BYTES:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read it ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped after the first look
            raise ScenarioError(f"{label}: is not a regular file; give a .yaml file")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ScenarioError(f"{label}: is larger than {MAX_BYTES:,} bytes, the most a scenario file may have")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{label}: not a UTF-8 text file") from None


def _parse(text: str, label: str) -> Any:
    """YAML data, refusing deep nesting before building anything (the builder recurses)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ScenarioError(
                        f"{label}: nested more than {MAX_DEPTH} levels deep; a scenario needs 4 (agents, agent, latency)"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=loader)
    except ScenarioError:
        raise
    except yaml.MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        problem = " ".join(str(exc.problem or exc.context or "unreadable").split())
        raise ScenarioError(f"{label}: not valid YAML ({clip(problem, 120)}{where})") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{label}: not valid YAML ({clip(' '.join(str(exc).split()), 120)})") from None
    except ValueError as exc:  # a value YAML recognised but Python cannot build
        if "digits" in str(exc):
            raise ScenarioError(f"{label}: holds a number of more than 4,300 digits; settings need a few") from None
        raise ScenarioError(
            f"{label}: holds a value that cannot be read ({clip(' '.join(str(exc).split()), 120)})"
        ) from None
    except RecursionError:
        raise ScenarioError(f"{label}: nested too deeply to read") from None


def _build(raw: Any) -> Scenario:
    """A :class:`Scenario` from YAML data; every value is checked by its field's spec."""
    if not isinstance(raw, dict):
        raise ParameterError("(top level)", f"must be a mapping of scenario settings ({', '.join(TOP_LEVEL)})")
    for key in raw:
        if key not in TOP_LEVEL:
            raise ParameterError(_key(key), f"is not a scenario setting (allowed: {', '.join(TOP_LEVEL)})")
    for key in ("name", "pattern", "agents"):
        if key not in raw:
            raise ParameterError(key, f"is required: {spec_of(Scenario, key).allowed()}")
    values = {key: spec_of(Scenario, key).load(key, raw[key]) for key in SCALARS if key in raw}
    pattern = values["pattern"]
    for key in raw:
        if key in settings_of(Scenario):
            check_applies(pattern, key)
    if isinstance(raw.get("defenses"), dict):
        for key in raw["defenses"]:
            if key in settings_of(Defenses):
                _within("defenses", check_applies, pattern, key)
    for section, kind in SECTIONS.items():
        if section in raw:
            values[section] = from_data(kind, raw[section], section)
    defaults = _defaults(raw.get("defaults", {}))
    agents, contracts = _agents(raw["agents"], defaults)
    values["description"] = values.get("description", "").strip()
    return Scenario(agents=agents, contracts=contracts, context={"alert": _alert(raw.get("alert", {}))}, **values)


def _defaults(raw: Any) -> dict:
    if not isinstance(raw, dict):
        raise ParameterError("defaults", f"must be a mapping with any of {', '.join(AGENT_DEFAULTS)}")
    loaded = {}
    for key, value in raw.items():
        if key not in AGENT_DEFAULTS:
            raise ParameterError(f"defaults.{_key(key)}", f"is not a default (allowed: {', '.join(AGENT_DEFAULTS)})")
        loaded[key] = spec_of(Agent, key).load(f"defaults.{key}", value)
    return loaded


def _agents(raw: Any, defaults: dict) -> tuple[tuple[Agent, ...], dict[str, str]]:
    spec = spec_of(Scenario, "agents")
    if not isinstance(raw, list) or not 0 < len(raw) <= spec.most:
        raise spec.refuse("agents", raw)
    agents, contracts = [], {}
    for i, item in enumerate(raw):
        settings = dict(item) if isinstance(item, dict) else item
        contract = settings.pop("contract", None) if isinstance(settings, dict) else None
        agent = from_data(Agent, settings, f"agents.{i}", extra=defaults)
        if contract is not None:
            if contract not in CONTRACTS:
                raise ParameterError(
                    f"agents.{i}.contract", f"must be one of {', '.join(CONTRACTS)} (got {shown(contract)})"
                )
            contracts[agent.name] = contract
        agents.append(agent)
    return tuple(agents), contracts


def _alert(raw: Any) -> dict:
    """The page that starts an incident: a flat mapping of names to plain values."""
    if not isinstance(raw, dict):
        raise ParameterError("alert", "must be a mapping of names to values (table, column, metric, ...)")
    for key, value in raw.items():
        if not is_name(key):
            raise ParameterError(f"alert.{_key(key)}", "must be named by a name of 1 to 100 printable characters")
        plain = (
            value is None or isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value))
        )
        if (
            not plain
            or (isinstance(value, str) and len(value) > 1000)
            or (isinstance(value, int) and abs(value) > 2**63)
        ):
            raise ParameterError(
                f"alert.{key}", f"must be a short text, a finite number or true/false (got {shown(value)})"
            )
    return dict(raw)


def _within(prefix: str, check, *args) -> None:
    try:
        check(*args)
    except ParameterError as exc:
        raise exc.within(prefix) from None


def _key(key: Any) -> str:
    return key if is_name(key) else shown(key)

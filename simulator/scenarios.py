"""Scenarios as YAML data: the shipped ones by name, or a learner's or instructor's file.

A file is checked by pydantic; an error names the file, the field and what is wrong.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .params import (
    DEGRADATIONS,
    LATENCY_KINDS,
    PATTERNS,
    Agent,
    Defenses,
    Hierarchy,
    Latency,
    Mesh,
    ParameterError,
    Scenario,
)


class ScenarioError(ValueError):
    """A scenario file is missing or invalid; the message names the file and the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LatencySpec(_Model):
    kind: Literal[LATENCY_KINDS] = "lognormal"  # type: ignore[valid-type]
    mean: float = Field(2.0, ge=0)
    cv: float = Field(0.5, ge=0)


class AgentSpec(_Model):
    name: str = Field(min_length=1)
    reliability: float | None = Field(None, ge=0, le=1)
    silent_share: float | None = Field(None, ge=0, le=1)
    latency: LatencySpec | None = None
    retries: int | None = Field(None, ge=0, le=20)
    tokens_per_call: int | None = Field(None, ge=0)
    degradations: list[Literal[DEGRADATIONS]] | None = None  # type: ignore[valid-type]
    contract: str | None = None


class DefaultsSpec(_Model):
    reliability: float = Field(0.9, ge=0, le=1)
    silent_share: float = Field(0.5, ge=0, le=1)
    latency: LatencySpec = LatencySpec()
    tokens_per_call: int = Field(0, ge=0)


class ScenarioFile(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    pattern: Literal[PATTERNS]  # type: ignore[valid-type]
    fan_in: str = "all"
    redundant: bool = False
    correlation: float = Field(0.0, ge=0, le=1)
    alert: dict[str, Any] = {}
    defaults: DefaultsSpec = DefaultsSpec()
    agents: list[AgentSpec] = Field(min_length=1)
    defenses: dict[str, Any] = {}
    mesh: dict[str, Any] = {}
    hierarchy: dict[str, Any] = {}


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that come with the kit."""
    folder = resources.files("simulator") / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scenario(source: str | Path) -> Scenario:
    """A shipped scenario by name (``"orders_daily"``) or a YAML file by path."""
    text, label = _read(source)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{label}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{label}: expected a mapping of scenario fields at the top level")
    try:
        spec = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ScenarioError(f"{label}: field {where}: {first['msg']}") from None
    try:
        return _build(spec)
    except (ParameterError, TypeError) as exc:
        field = getattr(exc, "field", "")
        raise ScenarioError(f"{label}: field {field}: {getattr(exc, 'reason', exc)}") from None


def _read(source: str | Path) -> tuple[str, str]:
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except UnicodeDecodeError:
            raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    name = str(source)
    if name not in shipped_scenarios():
        raise ScenarioError(f"{name}: no shipped scenario of that name (have: {', '.join(shipped_scenarios())})")
    return (resources.files("simulator") / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml"


def _build(spec: ScenarioFile) -> Scenario:
    base = spec.defaults
    agents = []
    for a in spec.agents:
        latency = a.latency or base.latency
        agents.append(
            Agent(
                name=a.name,
                reliability=base.reliability if a.reliability is None else a.reliability,
                silent_share=base.silent_share if a.silent_share is None else a.silent_share,
                latency=Latency(latency.kind, latency.mean, latency.cv),
                retries=a.retries,
                tokens_per_call=base.tokens_per_call if a.tokens_per_call is None else a.tokens_per_call,
                degradations=tuple(a.degradations) if a.degradations else DEGRADATIONS,
            )
        )
    unknown = set(spec.defenses) - set(Defenses.__dataclass_fields__)
    if unknown:
        raise ParameterError(
            f"defenses.{sorted(unknown)[0]}", f"is not a defense (have: {', '.join(Defenses.__dataclass_fields__)})"
        )
    mesh = dict(spec.mesh)
    for key in ("event_types",):
        if key in mesh:
            mesh[key] = tuple(mesh[key])
    if "subscriptions" in mesh and mesh["subscriptions"] is not None:
        mesh["subscriptions"] = tuple(tuple(s) for s in mesh["subscriptions"])
    return Scenario(
        pattern=spec.pattern,
        agents=tuple(agents),
        defenses=Defenses(**spec.defenses),
        fan_in=spec.fan_in,
        redundant=spec.redundant,
        correlation=spec.correlation,
        mesh=Mesh(**mesh),
        hierarchy=Hierarchy(**spec.hierarchy),
        name=spec.name,
        description=spec.description.strip(),
        contracts={a.name: a.contract for a in spec.agents if a.contract},
        context={"alert": spec.alert},
    )

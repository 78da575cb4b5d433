"""A small interpreter for learner-written hand-off contracts (YAML or a dict), never exec.

A contract names, per agent, its fields and what each must satisfy::

    lineage:
      source_table:   {type: qualified_name}
      upstream_path:  {type: list, items: qualified_name, min_items: 1, ends_with: source_table}
      tables_traced:  {type: int, min: 1, count_of: upstream_path}
    source:
      last_api_change: {type: [timestamp, "no change detected"], not_before: checked_since}

Types: str, int, float, bool, timestamp (ISO 8601), list, qualified_name (schema.table); a
string in a type list that is not a type name is an allowed literal. Options: required /
optional, nullable, min, max, min_length, max_length, min_items, max_items, items, one_of,
allow (extra literals), count_of (an int equal to a list's length), ends_with (a list whose
last item equals another field), not_before (a timestamp no earlier than another field or a
date). ``_extra: forbid`` (or ``additionalProperties: false``) rejects unknown fields. A
JSON-schema-like block (``properties:`` with a ``required:`` list) is read too.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

TYPES = {
    "str": "str",
    "string": "str",
    "text": "str",
    "int": "int",
    "integer": "int",
    "float": "float",
    "number": "float",
    "decimal": "float",
    "bool": "bool",
    "boolean": "bool",
    "timestamp": "timestamp",
    "datetime": "timestamp",
    "date-time": "timestamp",
    "date_time": "timestamp",
    "iso8601": "timestamp",
    "iso_8601": "timestamp",
    "list": "list",
    "array": "list",
    "qualified_name": "qualified_name",
    "table_name": "qualified_name",
    "table": "qualified_name",
}
OPTIONS = {
    "type",
    "required",
    "optional",
    "nullable",
    "min",
    "max",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "items",
    "one_of",
    "enum",
    "allow",
    "count_of",
    "ends_with",
    "not_before",
    "description",
    "example",
    "examples",
    "format",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
}
ALIASES = {"enum": "one_of", "minimum": "min", "maximum": "max", "minItems": "min_items", "maxItems": "max_items"}
_QUALIFIED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
_EXTRA_KEYS = {"_extra", "additionalproperties", "additional_properties", "extra"}
MAX_FIELDS = 50


@dataclass
class FieldRule:
    name: str
    types: tuple[str, ...] = ()
    literals: tuple = ()
    required: bool = True
    nullable: bool = False
    options: dict = field(default_factory=dict)
    unknown_types: tuple[str, ...] = ()  # type names the interpreter does not know (a typo: qualifed_name)


#: The type names a contract may use, as the learner is told when one is unknown.
KNOWN_TYPES = ", ".join(dict.fromkeys(TYPES.values()))
_TYPE_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$")


def _misspelt_type(item: str) -> str | None:
    """The type name a type entry misspells ("qualifed_name" -> "qualified_name"), or None when it
    is no near miss (then it is an allowed literal, such as "no change detected" or "orders_api")."""
    if not _TYPE_LIKE.match(item):
        return None
    close = difflib.get_close_matches(item.lower(), list(TYPES), n=1, cutoff=0.8)
    return close[0] if close else None


def _literal_note(literals: tuple) -> str:
    """For a rule made only of literals, what to say if one of them was meant as a type."""
    named = [str(v) for v in literals if isinstance(v, str) and _TYPE_LIKE.match(v)]
    if not named:
        return ""
    return f"; if '{named[0]}' is meant as a type, it is not one (known types: {KNOWN_TYPES})"


@dataclass
class AgentContract:
    agent: str
    fields: dict[str, FieldRule]
    forbid_extra: bool = False


def _agent_name(key) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_")
    return re.sub(r"_?(agent|handoff|hand_off|contract)$", "", name) or name


def parse_contracts(data, agents: tuple[str, ...]) -> tuple[dict[str, AgentContract], list[str]]:
    """Contracts per agent, and the problems found (unknown types or options, bad references)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return {}, ["the contract should be a mapping with one entry per agent (lineage, source, impact)"]
    contracts: dict[str, AgentContract] = {}
    for key, block in data.items():
        agent = _agent_name(key)
        if agent not in agents:
            problems.append(f"'{key}' is not one of the agents ({', '.join(agents)})")
            continue
        if not isinstance(block, dict):
            problems.append(f"{agent}: list its fields as a mapping of field name to rules")
            continue
        contracts[agent] = _agent_contract(agent, block, problems)
    for agent in agents:
        if agent not in contracts:
            problems.append(f"no contract for the {agent} agent, so everything it sends is accepted")
    return contracts, problems


def _agent_contract(agent: str, block: dict, problems: list[str]) -> AgentContract:
    forbid = False
    fields_block = block
    required_list = None
    if "properties" in block or "fields" in block:
        fields_block = block.get("properties") or block.get("fields") or {}
        required_list = block.get("required") if isinstance(block.get("required"), list) else None
    for key in list(block):
        if str(key).lower() in _EXTRA_KEYS:
            value = block[key]
            forbid = value is False or str(value).lower() in ("forbid", "false", "no", "reject")
    rules: dict[str, FieldRule] = {}
    if not isinstance(fields_block, dict):
        problems.append(f"{agent}: fields should be a mapping")
        return AgentContract(agent, rules, forbid)
    for name, spec in list(fields_block.items())[:MAX_FIELDS]:
        name = str(name)
        if name.lower() in _EXTRA_KEYS or (fields_block is block and name in ("required", "properties", "fields")):
            continue
        rule = _field_rule(agent, name, spec, problems)
        if required_list is not None:
            rule.required = name in required_list
        rules[name] = rule
    for rule in rules.values():
        for option in ("count_of", "ends_with"):
            ref = rule.options.get(option)
            if ref is not None and ref not in rules:
                problems.append(f"{agent}.{rule.name}: {option} names '{ref}', which is not a field of {agent}")
        ref = rule.options.get("not_before")
        if isinstance(ref, str) and ref not in rules and _timestamp(ref) is None:
            problems.append(f"{agent}.{rule.name}: not_before should name a field or an ISO date (got '{ref}')")
    return AgentContract(agent, rules, forbid)


def _field_rule(agent: str, name: str, spec, problems: list[str]) -> FieldRule:
    where = f"{agent}.{name}"
    if isinstance(spec, (str, list)):
        spec = {"type": spec}
    elif spec is None:
        spec = {}
    elif not isinstance(spec, dict):
        problems.append(f"{where}: write a type name or a mapping of rules")
        return FieldRule(name)
    rule = FieldRule(name)
    types: list[str] = []
    literals: list = []
    raw_types = spec.get("type", [])
    generic = (
        re.fullmatch(r"\s*(?:list|List|array)\[\s*(\w+)\s*\]\s*", str(raw_types))
        if isinstance(raw_types, str)
        else None
    )
    if generic:  # list[str], a pydantic habit: a list whose items have that type
        raw_types = "list"
        if "items" not in spec and generic.group(1).lower() in TYPES:
            spec = {**spec, "items": generic.group(1)}
    items = raw_types if isinstance(raw_types, list) else re.split(r"\s*\|\s*|\s+or\s+", str(raw_types))
    unknown: list[str] = []
    for item in items:
        if isinstance(item, dict) and "literal" in item:
            literals.append(item["literal"])
        elif isinstance(item, str) and item.strip().lower() in TYPES:
            types.append(TYPES[item.strip().lower()])
        elif isinstance(item, str) and item.strip().lower() in ("null", "none"):
            rule.nullable = True
        elif isinstance(item, str) and _misspelt_type(item.strip()):
            unknown.append(item.strip())
            problems.append(
                f"{where}: unknown type '{item.strip()}' - did you mean '{_misspelt_type(item.strip())}'? "
                f"(known types: {KNOWN_TYPES})"
            )
        elif isinstance(item, str) and item.strip():
            literals.append(item.strip().strip("\"'"))
        elif item not in ("", None):
            literals.append(item)
    if str(spec.get("format", "")).lower() in ("date-time", "datetime", "timestamp"):
        types = ["timestamp"]
    rule.types, rule.literals = tuple(types), tuple(literals) + tuple(spec.get("allow") or ())
    rule.unknown_types = tuple(unknown)
    if "required" in spec:
        rule.required = bool(spec["required"])
    if spec.get("optional"):
        rule.required = False
    rule.nullable = rule.nullable or bool(spec.get("nullable"))
    for key, value in spec.items():
        if key not in OPTIONS:
            problems.append(f"{where}: unknown rule '{key}' (ignored)")
        elif key not in (
            "type",
            "required",
            "optional",
            "nullable",
            "allow",
            "description",
            "example",
            "examples",
            "format",
        ):
            rule.options[ALIASES.get(key, key)] = value
    return rule


def _timestamp(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _type_ok(kind: str, value) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "timestamp":
        return _timestamp(value) is not None
    if kind == "list":
        return isinstance(value, list)
    if kind == "qualified_name":
        return isinstance(value, str) and bool(_QUALIFIED.match(value))
    return False


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def validate(contract: AgentContract, payload: dict) -> list[str]:
    """Why ``payload`` breaks the contract (empty when it is accepted)."""
    reasons: list[str] = []
    for name, rule in contract.fields.items():
        if name not in payload:
            if rule.required:
                reasons.append(f"{name} is missing")
            continue
        value = payload[name]
        if value is None:
            if not rule.nullable:
                reasons.append(f"{name} is null")
            continue
        if value in rule.literals if isinstance(value, (str, int, float)) else False:
            continue
        if rule.types and not any(_type_ok(t, value) for t in rule.types):
            reasons.append(f"{name}={value!r} is not {' or '.join(rule.types)}")
            continue
        if rule.unknown_types and not rule.types:
            reasons.append(f"{name} has the unknown type '{rule.unknown_types[0]}', which no value can pass")
            continue
        if not rule.types and rule.literals:
            reasons.append(f"{name}={value!r} is not one of the allowed values{_literal_note(rule.literals)}")
            continue
        reasons += _check_options(name, rule, value, payload)
    if contract.forbid_extra:
        reasons += [f"{key} is not in the contract" for key in payload if key not in contract.fields]
    return reasons


def _check_options(name: str, rule: FieldRule, value, payload: dict) -> list[str]:
    out = []
    opts = rule.options
    number = _number(value)
    if number is not None:
        if _number(opts.get("min")) is not None and number < opts["min"]:
            out.append(f"{name}={value} is below {opts['min']}")
        if _number(opts.get("max")) is not None and number > opts["max"]:
            out.append(f"{name}={value} is above {opts['max']}")
    if isinstance(value, str):
        if _number(opts.get("min_length")) is not None and len(value) < opts["min_length"]:
            out.append(f"{name} is shorter than {opts['min_length']} characters")
        if _number(opts.get("max_length")) is not None and len(value) > opts["max_length"]:
            out.append(f"{name} is longer than {opts['max_length']} characters")
    if isinstance(opts.get("one_of"), list) and value not in opts["one_of"]:
        out.append(f"{name}={value!r} is not one of the allowed values")
    if isinstance(value, list):
        if _number(opts.get("min_items")) is not None and len(value) < opts["min_items"]:
            out.append(f"{name} has {len(value)} items, fewer than {opts['min_items']}")
        if _number(opts.get("max_items")) is not None and len(value) > opts["max_items"]:
            out.append(f"{name} has {len(value)} items, more than {opts['max_items']}")
        items = TYPES.get(str(opts.get("items", "")).lower())
        if items and not all(_type_ok(items, v) for v in value):
            out.append(f"{name} has items that are not {items}")
        ref = opts.get("ends_with")
        if isinstance(ref, str) and ref in payload and (not value or value[-1] != payload[ref]):
            out.append(f"{name} does not end with {ref}")
    ref = opts.get("count_of")
    if isinstance(ref, str) and isinstance(payload.get(ref), list) and value != len(payload[ref]):
        out.append(f"{name}={value!r} but {ref} lists {len(payload[ref])}")
    ref = opts.get("not_before")
    if ref is not None:
        moment = _timestamp(value)
        floor = _timestamp(payload.get(ref)) if isinstance(ref, str) and ref in payload else _timestamp(ref)
        if moment is not None and floor is not None and moment < floor:
            out.append(f"{name}={value!r} is before {ref}")
    return out

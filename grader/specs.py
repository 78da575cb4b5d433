"""Typed check specs: each check kind's parameters as a frozen dataclass, parsed when a rubric loads.

A field's ``metadata`` says what kind of value it takes (``kind``) and what it means (``doc``);
:func:`build_spec` reads those to refuse unknown keys, wrong types, empty lists and undefined
concepts with the rubric's line, and the authoring guide lists the same table.
"""

# ruff: noqa: RUF009 - param() wraps dataclasses.field to attach the validation kind and the doc line
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

SCOPES = ("answer", "paragraph", "sentence")


def param(kind: str, doc: str, default=MISSING, **extra):
    """A spec field: ``kind`` drives validation, ``doc`` is what the guide says about it."""
    meta = {"kind": kind, "doc": doc, **extra}
    if default is MISSING:
        return field(metadata=meta)
    if isinstance(default, (list, dict, tuple)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Near:
    """Two concepts at most ``window`` words apart in one sentence, both said un-negated."""

    first: str
    second: str
    window: int = 8

    def describe(self) -> str:
        return f"{self.first} near {self.second}"


Item = str | Near  # a checklist item: a concept name or a proximity pair


class Spec:
    """Base of every check spec. ``get`` reads a parameter by name for callers that predate specs.

    ``reasons`` are the failure reasons the check can return; a criterion may give feedback for each.
    """

    type = ""
    reasons: tuple = ()

    def get(self, key: str, default=None):
        return getattr(self, key, default)


@dataclass(frozen=True, kw_only=True)
class ChoiceSpec(Spec):
    type = "choice"
    reasons = ("missing_key", "unanswered", "unknown_option")
    expected: tuple = param("options", "the accepted option name, or a list of them")
    key: str = param("str", "for a mapping answer: the entry whose value is the choice", "")


@dataclass(frozen=True, kw_only=True)
class NumericSpec(Spec):
    type = "numeric"
    expected: str = param("expression", "the right value, as a number or arithmetic (0.95**3)")
    abs_tol: float = param("float", "accepted absolute difference", 0.0)
    rel_tol: float = param("float", "accepted relative difference", 0.0)
    probability: bool = param("bool", "read 1 < x <= 100 as a percentage (86 means 0.86)", True)
    whole_percent: bool = param(
        "bool", "also accept a whole percentage that rounds from the right value (86 % for 0.857)", True
    )
    expected_value: float = field(default=0.0, metadata={"kind": "computed", "doc": "computed from expected"})


@dataclass(frozen=True, kw_only=True)
class SimulationSpec(Spec):
    type = "simulation"
    reasons = ("unknown_option", "error")
    model: str = param("model", "handoff_contracts, shared_state or sql_cross_check")
    measure: str = param(
        "str",
        "handoff_contracts: accepts_right, catch or silent_rate; sql_cross_check: runs, worked_example, "
        "catch or agrees",
        "",
    )
    faults: tuple = param("str_list", "sql_cross_check catch: the faulty impact agents the query must catch", ())
    seeds: tuple = param("int_list", "sql_cross_check: the warehouse seeds the query runs on", (0, 41))
    seconds: float = param("float", "sql_cross_check: time limit of the learner's query, in seconds", 5.0)
    injections: tuple = param("str_list", "handoff_contracts catch: the injected failures that must be caught", ())
    trials: int = param("int", "simulated incidents", 4000)
    seed: int = param("int", "simulator seed", 7)
    max_silent: float = param("float", "silent_rate: highest silent-failure rate that passes", 0.02)
    min_catch_rate: float = param("float", "silent_rate fallback without the simulator", 0.8)
    agents: int = param("int", "shared_state: writers", 4)
    updates: int = param("int", "shared_state: updates per writer", 50)
    contention: float = param("float", "shared_state: share of writes to the same record", 0.8)
    max_lost: int = param("int", "shared_state: most lost updates that pass", 0)


@dataclass(frozen=True, kw_only=True)
class TextSpec(Spec):
    """Settings every text analyzer shares."""

    type = "text"
    analyzer = ""
    reasons = ("keyword_list", "too_short", "missing", "said_forbidden")
    min_words: int = param(
        "int", "an answer shorter than this that also misses the point fails as too_short (0: off)", 8
    )
    none_of: tuple = param("item_list", "saying any of these fails the criterion (reason said_forbidden)", ())


@dataclass(frozen=True, kw_only=True)
class ChoiceInProseSpec(TextSpec):
    analyzer = "choice_in_prose"
    reasons = TextSpec.reasons + ("wrong_choice", "no_parallel", "only_rejections", "wrong_target")
    options: dict = param("option_concepts", "option name -> the concept that names it")
    accept: tuple = param("option_list", "options that pass")
    weak_accept: tuple = param("option_list", "options that pass flagged for review", ())
    compatible: tuple = param("option_list", "options that fail as no_parallel (say more)", ())
    reject: tuple = param("option_list", "options that fail as wrong_choice when chosen", ())
    targets: dict = param(
        "option_concepts", "option -> the concept it must be tied to in the same clause (prose mapping)", {}
    )


@dataclass(frozen=True, kw_only=True)
class ChainFiguresSpec(TextSpec):
    analyzer = "chain_figures"
    reasons = TextSpec.reasons + ("missing_figure", "one_side", "wrong_figure", "additive", "parallel_misconception")
    chain_context: Item = param("item", "what marks a sentence as about the chain")
    parallel_context: str = param("concept", "what marks a sentence as about parallel work")
    differences: tuple = param("concept_list", "what parallel changes (or keeps): any one passes the other half")
    context_free: tuple = param("concept_list", "differences that need no parallel context", ())
    base: float = param("float", "per-agent reliability", 0.95)
    exponents: tuple = param("int_pair", "[lowest, highest] chain length a power may have", (2, 10))
    bare_exponents: tuple = param("int_pair", "chain lengths a bare figure may stand for", (3, 6))


@dataclass(frozen=True)
class Group:
    label: str
    any: tuple
    weak: tuple = ()


@dataclass(frozen=True, kw_only=True)
class FieldCoverageSpec(TextSpec):
    analyzer = "field_coverage"
    reasons = TextSpec.reasons + ("vague",)
    groups: dict = param("groups", "name -> {label, any: [items], weak: [items]}: every group must be said")
    vague: Item | None = param("item", "words that mark an unverifiable output (reason vague)", None)


@dataclass(frozen=True, kw_only=True)
class ControlPresenceSpec(TextSpec):
    analyzer = "control_presence"
    reasons = TextSpec.reasons + ("not_a_control", "negated")
    controls: tuple = param("item_list", "any one of these passes")
    not_controls: tuple = param("item_list", "said instead of a control: reason not_a_control", ())
    vetoes: tuple = param(
        "item_list",
        "a control said in the same clause as one of these does not count ('validate it on the dashboard')",
        (),
    )


@dataclass(frozen=True, kw_only=True)
class ConceptsSpec(TextSpec):
    analyzer = "concepts"
    reasons = TextSpec.reasons + ("negated", "wrong_figure")
    all_of: tuple = param("item_list", "every item must be said", ())
    any_of: tuple = param("item_list", "at least one item must be said", ())
    scope: str = param("scope", "where all_of items must meet: answer, paragraph or sentence", "answer")
    negated_ok: tuple = param(
        "item_list", "items that count even when negated (true in negative form: 'ten checks aren't significant')", ()
    )
    powers_of: float = param(
        "float",
        "a per-agent reliability (0.95): every power of it the answer states must come out right, and no "
        "whole-system figure may reach it (reason wrong_figure); 0 switches it off",
        0.0,
    )


TEXT_SPECS: dict[str, type[TextSpec]] = {
    spec.analyzer: spec
    for spec in (ChoiceInProseSpec, ChainFiguresSpec, FieldCoverageSpec, ControlPresenceSpec, ConceptsSpec)
}
CHECK_SPECS: dict[str, type[Spec]] = {
    "choice": ChoiceSpec,
    "numeric": NumericSpec,
    "simulation": SimulationSpec,
    "text": TextSpec,
}
MODELS = ("handoff_contracts", "shared_state", "sql_cross_check")


def spec_fields(cls) -> list:
    """The fields an author may write for ``cls`` (computed ones excluded)."""
    return [f for f in fields(cls) if f.metadata.get("kind") != "computed"]


__all__ = [
    "CHECK_SPECS",
    "TEXT_SPECS",
    "MODELS",
    "SCOPES",
    "Near",
    "Item",
    "Group",
    "Spec",
    "ChoiceSpec",
    "NumericSpec",
    "SimulationSpec",
    "TextSpec",
    "ChoiceInProseSpec",
    "ChainFiguresSpec",
    "FieldCoverageSpec",
    "ControlPresenceSpec",
    "ConceptsSpec",
    "spec_fields",
]

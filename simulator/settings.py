"""Each parameter's allowed values, stated once, in the metadata of its dataclass field.

A field made by :func:`number`, :func:`probability`, :func:`choice`, :func:`switch`, :func:`text`,
:func:`names` or :func:`part` carries a :class:`Spec`: its range and a line of help beside the
field's default. The dataclasses in :mod:`simulator.params` check themselves with it
(:func:`validate`), the scenario loader reads YAML data with it (:func:`from_data`), and
``orchlab simulate`` builds its number flags, their help and their defaults from it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


class ParameterError(ValueError):
    """A parameter is out of range; ``field`` names it, the message says what is allowed."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message

    def within(self, prefix: str) -> ParameterError:
        """The same error with its field named from ``prefix`` (``agents.2`` + ``reliability``)."""
        return ParameterError(f"{prefix}.{self.field}" if prefix else self.field, self.reason)


def shown(value: Any, limit: int = 40) -> str:
    """``value`` as a short one-line text for an error message, whatever its size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 120:
        return f"a whole number of about {int(value.bit_length() * math.log10(2))} digits"
    return clip(repr(value), limit)


def clip(text: str, limit: int) -> str:
    """``text`` on one line (unprintable characters escaped), cut to ``limit`` ending in ``...``."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _grouped(x: float) -> str:
    """1000000 -> '1,000,000'; 0.5 -> '0.5'."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


@dataclass(frozen=True)
class Spec:
    """What one field accepts. ``patterns`` lists the patterns it has an effect on (empty: all)."""

    help: str = ""
    patterns: tuple[str, ...] = ()

    def allowed(self) -> str:
        raise NotImplementedError

    def refuse(self, name: str, value: Any, detail: str = "") -> ParameterError:
        return ParameterError(name, f"must be {self.allowed()}{detail} (got {shown(value)})")

    def check(self, name: str, value: Any) -> Any:
        """``value`` normalised (e.g. a tuple for a list), or :class:`ParameterError`."""
        raise NotImplementedError

    def load(self, name: str, raw: Any) -> Any:
        """A value read from YAML data; by default the data must already be the value."""
        return self.check(name, raw)


@dataclass(frozen=True)
class Number(Spec):
    """A finite number in ``[low, high]``, a whole one when ``whole``; ``None`` too when ``optional``."""

    low: float = 0.0
    high: float = math.inf
    whole: bool = False
    unit: str = ""
    optional: bool = False
    probability: bool = False

    def span(self) -> str:
        """'0 to 20' or 'at least 0', as the CLI help writes a range."""
        if math.isinf(self.high):
            return f"at least {_grouped(self.low)}"
        return f"{_grouped(self.low)} to {_grouped(self.high)}"

    def allowed(self) -> str:
        if self.probability:
            what = "a probability"
        else:
            what = ("a whole number" if self.whole else "a number") + (f" of {self.unit}" if self.unit else "")
        if math.isinf(self.high):
            return f"{what} of at least {_grouped(self.low)}"
        return f"{what} from {_grouped(self.low)} to {_grouped(self.high)}"

    def check(self, name: str, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.refuse(name, value)
        if isinstance(value, numbers.Integral):
            if not self.low <= value <= self.high:  # compare as integers: a huge int never becomes inf
                raise self.refuse(name, value)
            return int(value) if self.whole else float(value)
        value = float(value)
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise self.refuse(name, value)
        if self.whole:
            if not value.is_integer():
                raise self.refuse(name, value)
            return int(value)
        return value

    def parse(self, name: str, text: str) -> Any:
        """A number written as text (a CLI flag, or YAML text such as ``1e-3``): ASCII digits only."""
        if not text.isascii():
            raise self.refuse(name, text, " written in ASCII digits")
        try:
            value = int(text) if self.whole else float(text)
        except ValueError:  # also Python's limit on the digits of an int
            raise self.refuse(name, text) from None
        return self.check(name, value)

    def load(self, name: str, raw: Any) -> Any:
        return self.parse(name, raw) if isinstance(raw, str) else self.check(name, raw)


@dataclass(frozen=True)
class Choice(Spec):
    """One of a fixed set of words."""

    options: tuple[str, ...] = ()

    def allowed(self) -> str:
        return f"one of {', '.join(self.options)}"

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, str) or value not in self.options:
            raise self.refuse(name, value)
        return value


@dataclass(frozen=True)
class Switch(Spec):
    """On or off."""

    def allowed(self) -> str:
        return "true or false"

    def check(self, name: str, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if getattr(getattr(value, "dtype", None), "kind", "") == "b":  # a numpy bool from a widget
            return bool(value)
        raise self.refuse(name, value)


MAX_NAME = 100


def is_name(value: Any) -> bool:
    """A name: 1 to 100 printable characters on one line."""
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME and value.isprintable()


@dataclass(frozen=True)
class Text(Spec):
    """A name (one printable line of up to 100 characters) or, with ``free``, any text up to 10,000."""

    free: bool = False

    def allowed(self) -> str:
        return "text of at most 10,000 characters" if self.free else f"a name of 1 to {MAX_NAME} printable characters"

    def check(self, name: str, value: Any) -> Any:
        ok = isinstance(value, str) and len(value) <= 10_000 if self.free else is_name(value)
        if not ok:
            raise self.refuse(name, value)
        return value


@dataclass(frozen=True)
class Names(Spec):
    """A non-empty list of names (distinct unless told), drawn from ``options`` when given; kept as a tuple."""

    options: tuple[str, ...] = ()
    most: int = 50
    distinct: bool = True

    def allowed(self) -> str:
        drawn = f"drawn from {', '.join(self.options)}" if self.options else f"of up to {MAX_NAME} printable characters"
        return f"a list of 1 to {self.most}{' distinct' if self.distinct else ''} names {drawn}"

    def check(self, name: str, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not 0 < len(value) <= self.most:
            raise self.refuse(name, value)
        for i, item in enumerate(value):
            if not is_name(item) or (self.options and item not in self.options):
                each = f"one of {', '.join(self.options)}" if self.options else Text().allowed()
                raise ParameterError(f"{name}.{i}", f"must be {each} (got {shown(item)})")
        if self.distinct and len(set(value)) != len(value):
            raise self.refuse(name, value, " (a name appears twice)")
        return tuple(value)


@dataclass(frozen=True)
class Part(Spec):
    """A nested parameter dataclass (read from a YAML mapping)."""

    kind: type = object

    def allowed(self) -> str:
        return f"{_a(self.kind.__name__)} with the settings {', '.join(settings_of(self.kind))}"

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, self.kind):
            raise self.refuse(name, value)
        return value

    def load(self, name: str, raw: Any) -> Any:
        return from_data(self.kind, raw, name)


@dataclass(frozen=True)
class Parts(Spec):
    """A list of 1 to ``most`` nested parameter dataclasses, kept as a tuple."""

    kind: type = object
    most: int = 1000

    def allowed(self) -> str:
        return f"a list of 1 to {self.most} {self.kind.__name__} settings"

    def check(self, name: str, value: Any) -> Any:
        if isinstance(value, (str, dict)) or not isinstance(value, (list, tuple)):
            raise self.refuse(name, value)
        if not 0 < len(value) <= self.most:
            raise ParameterError(name, f"must be {self.allowed()} (got {len(value):,})")
        for i, item in enumerate(value):
            if not isinstance(item, self.kind):
                raise ParameterError(f"{name}.{i}", f"must be {_a(self.kind.__name__)} (got {shown(item)})")
        return tuple(value)

    def load(self, name: str, raw: Any) -> Any:
        if not isinstance(raw, list):
            raise self.refuse(name, raw)
        return self.check(name, [from_data(self.kind, item, f"{name}.{i}") for i, item in enumerate(raw)])


@dataclass(frozen=True)
class NameLists(Spec):
    """``None``, or one list of names per agent (``Names`` each); kept as a tuple of tuples."""

    each: Names = Names()
    most: int = 1000

    def allowed(self) -> str:
        return f"a list with one entry per agent, each {self.each.allowed()}"

    def check(self, name: str, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not 0 < len(value) <= self.most:
            raise self.refuse(name, value)
        return tuple(self.each.check(f"{name}.{i}", item) for i, item in enumerate(value))


def _a(noun: str) -> str:
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


def number(default, low, high=math.inf, *, help, whole=False, unit="", patterns=()):
    return _field(default, Number(help, tuple(patterns), low, high, whole, unit, default is None))


def probability(default: float, *, help: str, patterns=()):
    return _field(default, Number(help, tuple(patterns), 0.0, 1.0, probability=True))


def choice(default, options, *, help: str, patterns=()):
    return _field(default, Choice(help, tuple(patterns), tuple(options)))


def switch(default: bool, *, help: str, patterns=()):
    return _field(default, Switch(help, tuple(patterns)))


def text(default=MISSING, *, help: str, free: bool = False, patterns=()):
    return _field(default, Text(help, tuple(patterns), free))


def names(default, *, help: str, options=(), most: int = 50, distinct: bool = True, patterns=()):
    return _field(default, Names(help, tuple(patterns), tuple(options), most, distinct))


def part(kind: type, *, help: str, patterns=()) -> dict:
    """The metadata of a nested part: ``field(default_factory=kind, metadata=part(kind, help=...))``."""
    return {"spec": Part(help, tuple(patterns), kind)}


def parts(kind: type, *, help: str, most: int):
    return _field(MISSING, Parts(help, (), kind, most))


def name_lists(*, help: str):
    return _field(None, NameLists(help))


def _field(default, spec: Spec):
    return field(default=default, metadata={"spec": spec})


def spec_of(cls: type, name: str) -> Spec:
    """The :class:`Spec` of field ``name`` of the parameter dataclass ``cls``."""
    return cls.__dataclass_fields__[name].metadata["spec"]


def default_of(cls: type, name: str) -> Any:
    """The default of field ``name`` of ``cls`` (the one place each default is written)."""
    f = cls.__dataclass_fields__[name]
    return f.default_factory() if f.default is MISSING else f.default


def settings_of(cls: type) -> list[str]:
    """The names of the fields of ``cls`` that carry a :class:`Spec`."""
    return [f.name for f in fields(cls) if "spec" in f.metadata]


def check_setting(cls: type, name: str, value: Any) -> Any:
    """``value`` checked against field ``name`` of ``cls``, without building a ``cls``."""
    return spec_of(cls, name).check(name, value)


def validate(instance) -> None:
    """Check every field of a frozen parameter dataclass against its spec, normalising in place."""
    for f in fields(instance):
        spec = f.metadata.get("spec")
        if spec is not None:
            object.__setattr__(instance, f.name, spec.check(f.name, getattr(instance, f.name)))


def from_data(cls: type, data: Any, where: str = "", extra: dict | None = None):
    """A ``cls`` from a YAML mapping; errors name the field by its path from ``where``.

    ``extra`` holds values already read (such as defaults) that the mapping may override.
    """
    allowed = settings_of(cls)
    if not isinstance(data, dict):
        raise ParameterError(where or "(top level)", f"must be a mapping with the settings {', '.join(allowed)}")
    values = dict(extra or {})
    for key, raw in data.items():
        if key not in allowed:
            where_key = f"{where}.{_key(key)}" if where else _key(key)
            raise ParameterError(where_key, f"is not a setting here (allowed: {', '.join(allowed)})")
        values[key] = spec_of(cls, key).load(f"{where}.{key}" if where else key, raw)
    for f in fields(cls):
        if f.init and f.name not in values and f.default is MISSING and f.default_factory is MISSING:
            name = f"{where}.{f.name}" if where else f.name
            raise ParameterError(name, f"is required: {spec_of(cls, f.name).allowed()}")
    try:
        return cls(**values)
    except ParameterError as exc:
        raise exc.within(where) from None


def _key(key: Any) -> str:
    return key if is_name(key) else shown(key)

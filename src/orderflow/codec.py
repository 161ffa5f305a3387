"""The order as a JSON document and back (保存形式): :func:`dumps` / :func:`loads`.

Stores call this on every save and load, so the converters are built once, at import, from
cattrs' generated functions (one straight-line function per class). Every attrs class reachable
from :class:`~orderflow.domain.order.Order` is found by walking the field types (and the
subclasses of a base-typed field), so a new value class or field is covered, or refused at import.

Format rules:

- a top-level ``"schema"`` (:data:`SCHEMA`) on every document; older documents go through the
  migrations registered with :func:`register_migration`;
- ``Decimal`` as an exact string (``"1080"``), ``Money`` as ``{"amount": "1080", "currency":
  "JPY"}``, aware datetimes as ISO 8601 with their offset, dates ISO, enums by value (a
  ``Decimal``-valued enum as its string, ``"0.08"``), tuples as lists;
- members typed by a base class carry a tag naming their class: effects ``"kind"``
  (:attr:`Effect.kind <orderflow.domain.effects.Effect.kind>`), history events ``"name"``
  (:attr:`OrderEvent.name <orderflow.domain.order.OrderEvent.name>`; ``kind`` is a field of
  ``notice_failed``);
- a notice's facts (any value) are tagged when they are not plain JSON: ``{"money": …}``,
  ``{"datetime": …}``, ``{"date": …}``, ``{"decimal": …}``.

Reading is strict: an unknown field, a missing one, a wrong type or a value the classes refuse
raises :class:`~orderflow.errors.CodecError` naming the path (``payment.ledger[2].amount``); no
other exception escapes :func:`from_data` or :func:`loads`. A document is first decoded by a fast
converter; only when that fails is it decoded again with cattrs' detailed validation, to find the
path.
"""

from __future__ import annotations

import enum
import json
import sys
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from orderflow.domain import events as _events  # noqa: F401  (the event classes must exist)
from orderflow.domain.effects import Effect
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderEvent
from orderflow.errors import CodecError, InvalidValue

__all__ = ["SCHEMA", "Upgrade", "dumps", "from_data", "loads", "register_migration", "to_data"]

SCHEMA: int = 1
"""The version of the document format this orderflow writes (the top-level ``"schema"``)."""

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
"""A migration: takes a document of one schema, returns it in the next schema's form."""

_TAGS: dict[type, str] = {Effect: "kind", OrderEvent: "name"}
"""Base classes whose members are told apart by a tag, and the tag's field (the ClassVar)."""

_FACTS = tuple[tuple[str, object], ...]
_LEAVES = (str, int, bool, datetime, date, Decimal, Money)


# -- errors -----------------------------------------------------------------------------------


class _Bad(Exception):
    """A hook refused a value: ``rel`` is the path below the value being structured."""

    def __init__(self, rel: str, value: object, expected: str) -> None:
        super().__init__(rel, expected)
        self.rel = rel
        self.value = value
        self.expected = expected


class _Shape:
    """What a value is, without showing it (for containers and text where a class was due)."""

    def __init__(self, value: object) -> None:
        kind = type(value).__name__
        size = f" of {len(value)}" if isinstance(value, str | bytes | list | dict) else ""
        self.text = f"<{kind}{size}>"

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


class _Note:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


_MISSING = _Note("nothing (the field is missing)")
_UNKNOWN = _Note("an unknown field")


def _shown(value: object) -> object:
    """A scalar as it is (masked later by the field's name); a container by its shape only."""
    if value is None or type(value) in (int, bool, float):
        return value
    if type(value) is str and len(value) <= 200:
        return value
    return _Shape(value)


def _join(path: str, name: str) -> str:
    if not name:
        return path
    if name.startswith("["):
        return f"{path}{name}"
    return f"{path}.{name}" if path else name


# -- leaf hooks -------------------------------------------------------------------------------


def _str(value: object, _: object) -> str:
    if type(value) is str:
        return value
    raise _Bad("", _shown(value), "a text")


def _int(value: object, _: object) -> int:
    if type(value) is int:
        return value
    raise _Bad("", _shown(value), "a whole number")


def _bool(value: object, _: object) -> bool:
    if type(value) is bool:
        return value
    raise _Bad("", _shown(value), "true or false")


def _decimal(value: object, _: object = None) -> Decimal:
    if type(value) is str:
        try:
            number = Decimal(value)
        except ArithmeticError:
            pass
        else:
            if number.is_finite():
                return number
    raise _Bad("", _shown(value), "a decimal number as a string, such as '1080'")


def _datetime(value: object, _: object = None) -> datetime:
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment
    raise _Bad("", _shown(value), "an ISO 8601 date and time with its offset")


def _date(value: object, _: object = None) -> date:
    if type(value) is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Bad("", _shown(value), "an ISO 8601 date such as '2026-11-22'")


def _money(value: object, _: object = None) -> Money:
    if type(value) is dict and len(value) == 2:
        amount, currency = value.get("amount"), value.get("currency")
        if type(amount) is str and type(currency) is str:
            try:
                return Money(Decimal(amount), currency)
            except (InvalidValue, ArithmeticError):
                pass
    raise _money_error(value)


def _money_error(value: object) -> _Bad:
    if type(value) is not dict:
        return _Bad("", _shown(value), "an amount such as {'amount': '1080', 'currency': 'JPY'}")
    for key in value:
        if key not in ("amount", "currency"):
            return _Bad(str(key), _UNKNOWN, "only the fields amount and currency")
    for key in ("amount", "currency"):
        if key not in value:
            return _Bad(key, _MISSING, f"the {key} of the amount")
    if type(value["currency"]) is not str:
        return _Bad("currency", _shown(value["currency"]), "a currency code such as 'JPY'")
    try:
        Money(_decimal(value["amount"]), value["currency"])
    except _Bad as error:
        return _Bad("amount", error.value, error.expected)
    except InvalidValue as error:
        return _Bad(error.field, _shown(error.value), error.expected)
    return _Bad("", _Shape(value), "an amount")  # pragma: no cover (it was readable)


def _unstructure_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _unstructure_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise CodecError("datetime", moment, "an aware datetime (with its offset)")
    return moment.isoformat()


def _unstructure_fact(key: str, value: object) -> object:
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is Money:
        return {"money": _unstructure_money(value)}
    if type(value) is datetime:
        return {"datetime": _unstructure_datetime(value)}
    if type(value) is date:
        return {"date": value.isoformat()}
    if type(value) is Decimal:
        return {"decimal": str(value)}
    raise CodecError(f"facts.{key}", value, "text, a number, Money, Decimal, a date or a datetime")


_FACT_READERS: dict[str, Callable[[object], object]] = {
    "money": _money,
    "datetime": _datetime,
    "date": _date,
    "decimal": _decimal,
}


def _structure_fact(value: object) -> object:
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is dict and len(value) == 1:
        [(tag, inner)] = value.items()
        reader = _FACT_READERS.get(tag)
        if reader is not None:
            try:
                return reader(inner)
            except _Bad as error:
                raise _Bad(_join(tag, error.rel), error.value, error.expected) from None
    raise _Bad("", _shown(value), "a fact: text, a number, or {'money'|'datetime'|'date': …}")


# -- the converters ----------------------------------------------------------------------------


def _subclasses(cls: type) -> list[type]:
    """``cls`` and its attrs subclasses (the classes modules define, not attrs' replaced ones)."""
    found = [cls]
    sub: type
    for sub in cls.__subclasses__():
        module = sys.modules.get(sub.__module__)
        if attrs.has(sub) and getattr(module, sub.__name__, None) is sub:
            found.extend(_subclasses(sub))
    return found


def _hints(cls: type) -> dict[str, Any]:
    """The fields' types, resolved (``Order.outbox`` names ``Effect`` only for type checkers)."""
    attrs.resolve_types(cls, localns={"Effect": Effect, "Order": Order})
    return {field.name: field.type for field in attrs.fields(cls)}


def _reachable() -> tuple[list[type], list[type[enum.Enum]]]:
    """Every attrs class and enum reachable from Order; refuses a type the codec cannot write."""
    classes: dict[type, None] = {}
    enums: dict[type[enum.Enum], None] = {}
    todo: list[Any] = [Order]
    while todo:
        kind = todo.pop()
        if kind in classes or kind in enums:
            continue
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            enums[kind] = None
        elif kind is Money or kind in _LEAVES or kind is type(None):
            continue
        elif attrs.has(kind):
            subs = _subclasses(kind)
            if len(subs) > 1 and kind not in _TAGS:
                raise TypeError(f"codec: {kind.__qualname__} has subclasses but no tag")
            classes[kind] = None
            todo.extend(subs[1:])
            for name, hint in _hints(kind).items():
                if hint == _FACTS:
                    continue
                if typing.get_origin(hint) is None and not isinstance(hint, type):
                    raise TypeError(f"codec: {kind.__qualname__}.{name}: {hint!r}")
                todo.append(hint)
        elif typing.get_origin(kind) in (tuple, typing.Union) or type(kind).__name__ == "UnionType":
            todo.extend(a for a in typing.get_args(kind) if a is not Ellipsis)
        else:
            raise TypeError(f"codec: no rule for {kind!r}")
    return list(classes), list(enums)


CLASSES, ENUMS = _reachable()


def _enum_hooks(
    cls: type[enum.Enum],
) -> tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]:
    out = {m: (m.value if type(m.value) in (str, int) else str(m.value)) for m in cls}
    back = {(type(v), v): m for m, v in out.items()}
    choices = ", ".join(repr(v) for v in out.values())

    def structure(value: object, _: object) -> enum.Enum:
        if type(value) is str or type(value) is int:
            found = back.get((type(value), value))
            if found is not None:
                return found
        raise _Bad("", _shown(value), f"one of {choices}")

    return out.__getitem__, structure


def _is_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple


def _build(detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=detailed)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook(date, _date)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(Money, _money)
    conv.register_unstructure_hook(Money, _unstructure_money)
    for members in ENUMS:
        out, back = _enum_hooks(members)
        conv.register_unstructure_hook(members, out)
        conv.register_structure_hook(members, back)

    def tuple_structure(kind: Any) -> Callable[[Any, Any], Any]:
        args = typing.get_args(kind)
        same = len(args) == 2 and args[1] is Ellipsis
        items = [args[0]] if same else list(args)
        hooks = [conv.get_structure_hook(a) for a in items]

        def structure(value: object, _: object) -> tuple[Any, ...]:
            if type(value) is not list or (not same and len(value) != len(items)):
                size = "" if same else f" of {len(items)}"
                raise _Bad("", _shown(value), f"a list{size}")
            if not detailed:
                if same:
                    hook, arg = hooks[0], items[0]
                    return tuple([hook(x, arg) for x in value])
                return tuple([h(x, a) for h, a, x in zip(hooks, items, value, strict=True)])
            out, errors = [], []
            for index, x in enumerate(value):
                at = 0 if same else index
                try:
                    out.append(hooks[at](x, items[at]))
                except Exception as error:
                    note = IterableValidationNote(f"index {index}", index, items[at])
                    error.__notes__ = [*getattr(error, "__notes__", []), note]
                    errors.append(error)
            if errors:
                raise IterableValidationError("while structuring a list", errors, kind)
            return tuple(out)

        return structure

    def tuple_unstructure(kind: Any) -> Callable[[Any], Any]:
        args = typing.get_args(kind)
        same = len(args) == 2 and args[1] is Ellipsis
        items = [args[0]] if same else list(args)
        if all(a in (str, int, bool) for a in items):
            return list
        hooks = [conv.get_unstructure_hook(a) for a in items]
        if same:
            hook = hooks[0]
            return lambda value: [hook(x) for x in value]
        return lambda value: [h(x) for h, x in zip(hooks, value, strict=True)]

    conv.register_structure_hook_factory(_is_tuple, tuple_structure)
    conv.register_unstructure_hook_factory(_is_tuple, tuple_unstructure)

    def facts_structure(value: object, _: object) -> tuple[tuple[str, object], ...]:
        if type(value) is not list:
            raise _Bad("", _shown(value), "a list of [name, value] pairs")
        out = []
        for index, pair in enumerate(value):
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise _Bad(f"[{index}]", _shown(pair), "a [name, value] pair")
            try:
                out.append((pair[0], _structure_fact(pair[1])))
            except _Bad as error:
                raise _Bad(_join(f"[{index}][1]", error.rel), error.value, error.expected) from None
        return tuple(out)

    conv.register_structure_hook_func(lambda kind: kind == _FACTS, facts_structure)
    conv.register_unstructure_hook_func(
        lambda kind: kind == _FACTS,
        lambda facts: [[key, _unstructure_fact(key, value)] for key, value in facts],
    )
    for cls in CLASSES:
        _register_class(conv, cls, detailed)
    for base, tag in _TAGS.items():
        _register_tagged(conv, base, tag)
    return conv


def _register_class(conv: cattrs.Converter, cls: type, detailed: bool) -> None:
    tag = next((t for b, t in _TAGS.items() if issubclass(cls, b)), None)
    made: dict[str, Callable[..., Any]] = {}

    def structure(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise _Bad("", _shown(value), f"an object ({cls.__name__})")
        fn = made.get("s")
        if fn is None:
            fn = made["s"] = make_dict_structure_fn(
                cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=detailed
            )
        return fn(value, cls)

    def unstructure(value: Any) -> dict[str, Any]:
        fn = made.get("u")
        if fn is None:
            fn = made["u"] = make_dict_unstructure_fn(cls, conv)
        data: dict[str, Any] = fn(value)
        if tag is not None:
            data[tag] = getattr(cls, tag)
        return data

    conv.register_structure_hook(cls, structure)
    conv.register_unstructure_hook(cls, unstructure)


def _register_tagged(conv: cattrs.Converter, base: type, tag: str) -> None:
    members = {getattr(cls, tag): cls for cls in _subclasses(base)}
    if len(members) != len(_subclasses(base)):
        raise TypeError(f"codec: two subclasses of {base.__name__} share a {tag}")
    for cls in members.values():
        if tag in attrs.fields_dict(cls):
            raise TypeError(f"codec: {cls.__name__} has a field named {tag!r}, the tag")
    names = ", ".join(sorted(members))
    structure_hooks = {name: conv.get_structure_hook(cls) for name, cls in members.items()}
    unstructure_hooks = {cls: conv.get_unstructure_hook(cls) for cls in members.values()}

    def structure(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise _Bad("", _shown(value), f"an object with a {tag!r}")
        rest = dict(value)
        name = rest.pop(tag, _MISSING)
        hook = structure_hooks.get(name) if type(name) is str else None
        if hook is None:
            raise _Bad(tag, _shown(name), f"one of {names}")
        return hook(rest, members[name])

    def unstructure(value: Any) -> Any:
        return unstructure_hooks[type(value)](value)

    conv.register_structure_hook(base, structure)
    conv.register_unstructure_hook(base, unstructure)


_FAST = _build(detailed=False)
_DETAILED = _build(detailed=True)
_STRUCTURE_ORDER = _FAST.get_structure_hook(Order)
_UNSTRUCTURE_ORDER = _FAST.get_unstructure_hook(Order)


# -- errors with their path --------------------------------------------------------------------


def _locate(error: BaseException, path: str, cls: type | None) -> CodecError:
    """The first failure under ``error`` (a cattrs validation tree) as a CodecError at its path."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        inner = error.cl if isinstance(error, ClassValidationError) else cls
        with_notes, without = error.group_exceptions()
        for sub, note in with_notes:
            step = f"[{note.index}]" if isinstance(note, IterableValidationNote) else note.name
            return _locate(sub, _join(path, step), inner)
        for sub in without:
            return _locate(sub, path, inner)
    if isinstance(error, _Bad):
        return CodecError(_join(path, error.rel), error.value, error.expected)
    if isinstance(error, ForbiddenExtraKeysError):
        known = ", ".join(attrs.fields_dict(error.cl))
        field = _join(path, sorted(error.extra_fields)[0])
        return CodecError(field, _UNKNOWN, f"only the fields of {error.cl.__name__}: {known}")
    if isinstance(error, KeyError):
        return CodecError(path, None, "a value (the field is missing)")
    if isinstance(error, InvalidValue):
        return CodecError(_join(path, _relative(error.field, cls)), error.value, error.expected)
    return CodecError(path, _Note(type(error).__name__), "a value the order can hold")


def _relative(field: str, cls: type | None) -> str:
    """A validator's field name (``customer.email``, ``lines[0].unit_price``) below ``cls``."""
    names = attrs.fields_dict(cls) if cls is not None and attrs.has(cls) else {}
    parts = field.split(".")
    if parts[0].split("[")[0] in names:
        return field
    if parts[-1].split("[")[0] in names:
        return parts[-1]
    return ""


def _explain(document: dict[str, Any]) -> CodecError:
    try:
        _DETAILED.structure(document, Order)
    except _Bad as error:
        return CodecError(error.rel, error.value, error.expected)
    except Exception as error:
        return _locate(error, "", Order)
    return CodecError("", _Shape(document), "a document the fast reader accepts")


# -- migrations --------------------------------------------------------------------------------

_MIGRATIONS: dict[int, Upgrade] = {}


def register_migration(from_schema: int, upgrade: Upgrade) -> Callable[[], None]:
    """Read documents of ``from_schema`` by upgrading them with ``upgrade`` to the next schema.

    ``upgrade`` gets the document (a dict, ``"schema"`` included) and returns it in the form of
    schema ``from_schema + 1``; the codec sets the new ``"schema"`` itself. Migrations run in
    order, so a document of schema 0 goes through those from 0, 1, … up to :data:`SCHEMA`.
    Returns a function that undoes the registration (putting back what was registered before).
    """
    if type(from_schema) is not int or not 0 <= from_schema < SCHEMA:
        raise InvalidValue("from_schema", from_schema, f"a schema from 0 to {SCHEMA - 1}")
    before = _MIGRATIONS.get(from_schema)
    _MIGRATIONS[from_schema] = upgrade

    def undo() -> None:
        if before is None:
            _MIGRATIONS.pop(from_schema, None)
        else:
            _MIGRATIONS[from_schema] = before

    return undo


def _current(data: object) -> dict[str, Any]:
    """The document's fields at the current schema (migrated if older), without ``schema``."""
    if type(data) is not dict:
        raise CodecError("", _Shape(data), "an order document (a JSON object)")
    schema = data.get("schema", _MISSING)
    if type(schema) is not int or schema < 0:
        raise CodecError("schema", _shown(schema), f"the document's schema version ({SCHEMA})")
    if schema > SCHEMA:
        raise CodecError("schema", schema, f"a schema up to {SCHEMA} (a newer orderflow wrote it)")
    document: dict[str, Any] = data
    while schema < SCHEMA:
        upgrade = _MIGRATIONS.get(schema)
        if upgrade is None:
            raise CodecError("schema", schema, f"a schema with a registered migration to {SCHEMA}")
        try:
            document = upgrade(dict(document))
        except Exception as error:
            raise CodecError("schema", schema, "a document its migration can upgrade") from error
        if type(document) is not dict:
            raise CodecError("schema", schema, "a migration that returns a dict")
        schema += 1
        document["schema"] = schema
    document = dict(document)
    del document["schema"]
    return document


# -- the public functions ------------------------------------------------------------------------


def to_data(order: Order) -> dict[str, Any]:
    """``order`` as JSON-ready data: dicts, lists, text, numbers, booleans and None."""
    if type(order) is not Order:
        raise CodecError("", _Shape(order), "an Order")
    data: dict[str, Any] = {"schema": SCHEMA}
    data.update(_UNSTRUCTURE_ORDER(order))
    return data


def from_data(data: object) -> Order:
    """The order a document holds; raises :class:`~orderflow.errors.CodecError` for anything else.

    The error's ``field`` is the path in the document (``payment.ledger[2].amount``).
    """
    document = _current(data)
    try:
        order: Order = _STRUCTURE_ORDER(document, Order)
    except Exception:
        pass
    else:
        return order
    raise _explain(document)


def dumps(order: Order) -> bytes:
    """``order`` as compact UTF-8 JSON; the same order always gives the same bytes."""
    return json.dumps(to_data(order), ensure_ascii=False, separators=(",", ":")).encode()


def loads(text: bytes | str) -> Order:
    """The order a JSON document holds (see :func:`from_data`); only CodecError is raised."""
    try:
        data = json.loads(text)
    except Exception:
        raise CodecError("", _Shape(text), "a JSON document in UTF-8") from None
    return from_data(data)

"""The codec's converters: strict leaf hooks and cattrs' generated functions, built once.

Every attrs class and enum reachable from :class:`~orderflow.domain.order.Order` is found by
walking the field types (and the subclasses of a base-typed field); a type with no rule is refused
at import. Two converters are built: a fast one (``detailed_validation=False``) for every read,
and a detailed one, used only after a failure, whose cattrs validation tree gives the path.
"""

from __future__ import annotations

import enum
import sys
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from orderflow.domain import events as _events  # noqa: F401  (the event classes must exist)
from orderflow.domain.effects import Effect
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderEvent
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import CodecError, InvalidValue

TAGS: dict[type, str] = {Effect: "kind", OrderEvent: "name"}
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
    """A decimal as written (``str(number)``): not `` 1080 ``, ``1_080``, ``+1080``, ``１``."""
    if type(value) is str:
        try:
            number = Decimal(value)
        except ArithmeticError:
            pass
        else:
            if number.is_finite() and str(number) == value:
                return number
    raise _Bad("", _shown(value), _DECIMAL)


_DECIMAL = "a decimal number as a string as orderflow writes it, such as '1080' or '0.08'"


def _amount(value: object) -> Money:
    """A ``Money`` whose amount is as written (``str(money.amount)``: not ``1080.0`` for yen)."""
    if type(value) is dict and len(value) == 2:
        amount, currency = value.get("amount"), value.get("currency")
        if type(amount) is str and type(currency) is str:
            money = Money(_decimal(amount), currency)
            if str(money.amount) == amount:
                return money
            raise _Bad("amount", amount, _AMOUNT)
    raise _Bad("", _shown(value), "an amount")


def _datetime(value: object, _: object = None) -> datetime:
    """A moment as written (``isoformat()``): no ``Z``, no space for ``T``, no basic form."""
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None and moment.isoformat() == value:
                moment.astimezone(UTC)  # every store keeps (and compares) the UTC instant
                return moment
        except (ValueError, OverflowError):
            pass
    raise _Bad("", _shown(value), _MOMENT)


_MOMENT = "an ISO 8601 date and time with its offset, within years 1 to 9999 in UTC"


def _date(value: object, _: object = None) -> date:
    """A day as the writer writes it (``2026-11-22``), not ``20261122`` or ``2026-W47-7``."""
    if type(value) is str:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if day.isoformat() == value:
                return day
    raise _Bad("", _shown(value), "an ISO 8601 date such as '2026-11-22'")


def _money(value: object, _: object = None) -> Money:
    try:
        return _amount(value)
    except (_Bad, InvalidValue, ArithmeticError):
        pass
    raise _money_error(value)


_AMOUNT = "the amount as orderflow writes it for its currency, such as '1080' (JPY) or '10.80'"


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
        _amount(value)
    except _Bad as error:
        return _Bad("amount", _shown(value["amount"]), error.expected)
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
    """Every attrs class and enum reachable from Order (and PurchaseOrder); refuses the rest."""
    classes: dict[type, None] = {}
    enums: dict[type[enum.Enum], None] = {}
    todo: list[Any] = [PurchaseOrder, Order]
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
            if len(subs) > 1 and kind not in TAGS:
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
"""Every attrs class and every enum a document may hold (found from Order, at import)."""


def enum_values(cls: type[enum.Enum]) -> dict[enum.Enum, str | int]:
    """Member → what a document holds: the value, or its string (``TaxRate`` → ``"0.08"``)."""
    return {m: (m.value if type(m.value) in (str, int) else str(m.value)) for m in cls}


def _enum_hooks(
    cls: type[enum.Enum],
) -> tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]:
    out = enum_values(cls)
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

    conv.register_structure_hook_factory(_is_tuple, _tuple_structure(conv, detailed))
    conv.register_unstructure_hook_factory(_is_tuple, _tuple_unstructure(conv))
    conv.register_structure_hook_func(lambda kind: kind == _FACTS, _facts_structure)
    conv.register_unstructure_hook_func(
        lambda kind: kind == _FACTS,
        lambda facts: [[key, _unstructure_fact(key, value)] for key, value in facts],
    )
    for cls in CLASSES:
        _register_class(conv, cls, detailed)
    for base, tag in TAGS.items():
        _register_tagged(conv, base, tag)
    return conv


def _tuple_structure(
    conv: cattrs.Converter, detailed: bool
) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """The structure hook factory of tuple types: a JSON list, of the declared length."""

    def factory(kind: Any) -> Callable[[Any, Any], Any]:
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
            return _detailed_tuple(kind, value, hooks, items, same)

        return structure

    return factory


def _detailed_tuple(
    kind: Any, value: list[Any], hooks: list[Any], items: list[Any], same: bool
) -> tuple[Any, ...]:
    """A list structured item by item, every bad item's error kept with its index."""
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


def _tuple_unstructure(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    """The unstructure hook factory of tuple types: a list."""

    def factory(kind: Any) -> Callable[[Any], Any]:
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

    return factory


def _facts_structure(value: object, _: object) -> tuple[tuple[str, object], ...]:
    """A notice effect's facts: a list of [name, value] pairs."""
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


def _register_class(conv: cattrs.Converter, cls: type, detailed: bool) -> None:
    tag = next((t for b, t in TAGS.items() if issubclass(cls, b)), None)
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


FAST = _build(detailed=False)
"""The converter of every read and write."""
DETAILED = _build(detailed=True)
"""The converter that explains a failed read (cattrs' detailed validation)."""

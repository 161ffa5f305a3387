"""The fast writer behind :func:`orderflow.codec.dumps`: JSON text from cached fragments.

A store saves an order on every step, and between two saves most of its parts are the very same
objects (the lines, the customer, each event of the history, each entry of the ledger). The text
of each part is therefore kept by identity: :data:`_CACHE` maps ``id(value)`` to ``(value,
text)``; holding ``value`` keeps its id from being reused while the entry lives, and a hit is
checked with ``is``. The dict is cleared when it reaches :data:`LIMIT` entries. Every class that
may be cached is a frozen attrs class (checked at import), so a value's text never changes. Only
plain dict operations touch the cache, so threads at worst lose an entry.

One writer function per class (and per tuple type) is generated at import from the same field
types as the cattrs converter, producing exactly the text ``json.dumps`` gives for the converter's
output, with ``ensure_ascii=False`` and ``separators=(",", ":")``: JSON fragments of nested values
do not depend on where they stand, so a document is the concatenation of its parts' fragments.
The writers accept only the exact types the fields declare; anything else raises, and
:func:`orderflow.codec.dumps` then writes the order the reference way (cattrs, then ``json``).
"""

from __future__ import annotations

import enum
import itertools
import json
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

import attrs

from orderflow.codec._convert import _FACTS, CLASSES, TAGS, _hints, _subclasses, enum_values
from orderflow.domain.money import Money
from orderflow.domain.order import Order

__all__ = ["LIMIT", "clear_cache", "order_fields"]

LIMIT = 8192
"""Entries the fragment cache holds before it is cleared."""

_CACHE: dict[int, tuple[object, str]] = {}
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_FROZEN: object = Order.__setattr__
"""What every frozen attrs class has for ``__setattr__``: the classes whose text may be kept."""


class _Slow(Exception):
    """A value of a type the fast writer does not write: the reference path will."""


def _slow(*_: object) -> str:
    raise _Slow


def clear_cache() -> None:
    """Forget every cached fragment (for measurements; never needed for correctness)."""
    _CACHE.clear()


def _make_room() -> None:
    """Forget the older half of the cache: the parts of the orders saved longest ago."""
    try:
        old = list(itertools.islice(_CACHE, len(_CACHE) // 2))
    except RuntimeError:  # another thread changed it meanwhile, and is making room itself
        return
    for key in old:
        _CACHE.pop(key, None)


def _keep(value: object, text: str) -> None:
    if len(_CACHE) >= LIMIT:
        _make_room()
    _CACHE[id(value)] = (value, text)


def _when(value: object) -> str:
    if type(value) is datetime and value.tzinfo is not None:
        return '"' + value.isoformat() + '"'  # digits, '-', ':', 'T', '+', '.': nothing to escape
    raise _Slow


def _day(value: object) -> str:
    if type(value) is date:
        return '"' + value.isoformat() + '"'
    raise _Slow


def _money(value: object) -> str:
    if type(value) is Money:
        amount = encode_basestring(str(value.amount))
        return '{"amount":' + amount + ',"currency":' + encode_basestring(value.currency) + "}"
    raise _Slow


def _when_kept(value: object) -> str:
    """:func:`_when` through the cache (for an order's own fields, written on every save)."""
    hit = _CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _when(value)
    _keep(value, text)
    return text


def _money_kept(value: object) -> str:
    """:func:`_money` through the cache (for an order's own fields, written on every save)."""
    hit = _CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _money(value)
    _keep(value, text)
    return text


def _fact(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is Money:
        return '{"money":' + _money(value) + "}"
    if type(value) is datetime:
        return '{"datetime":' + _when(value) + "}"
    if type(value) is date:
        return '{"date":' + _day(value) + "}"
    if type(value) is Decimal:
        return '{"decimal":' + encode_basestring(str(value)) + "}"
    raise _Slow


def _facts(value: object) -> str:
    if type(value) is not tuple:
        raise _Slow
    parts = []
    for pair in value:
        if type(pair) is not tuple or len(pair) != 2:
            raise _Slow
        parts.append("[" + encode_basestring(pair[0]) + "," + _fact(pair[1]) + "]")
    return "[" + ",".join(parts) + "]"


_CACHED_HEAD = """\
    hit = _get(id(v))
    if hit is not None and hit[0] is v:
        return hit[1]"""
_CACHED_TAIL = """\
    if len(_CACHE) >= LIMIT:
        _make_room()
    _CACHE[id(v)] = (v, text)
    return text"""


class _Generator:
    """Writes the source of the writer functions, one per class and per tuple type."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.names: dict[object, str] = {}
        self.namespace: dict[str, Any] = {
            "_get": _CACHE.get,
            "_CACHE": _CACHE,
            "LIMIT": LIMIT,
            "_Slow": _Slow,
            "_slow": _slow,
            "_es": encode_basestring,
            "_ir": int.__repr__,
            "_str": str,
            "_Decimal": Decimal,
            "_when": _when,
            "_day": _day,
            "_money": _money,
            "_when_kept": _when_kept,
            "_money_kept": _money_kept,
            "_make_room": _make_room,
            "_facts": _facts,
        }
        self.tables: list[tuple[str, dict[type, str]]] = []

    def constant(self, value: object) -> str:
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def expr(self, kind: Any, var: str, kept: bool = False) -> str:
        """Python code for the JSON text of ``var``, a value of the field type ``kind``.

        ``kept``: an order's own field, whose datetimes and amounts go through the cache too.
        """
        if kept and kind in (datetime, Money):
            return f"{'_when_kept' if kind is datetime else '_money_kept'}({var})"
        if kind is str:
            return f"_es({var})"
        if kind is int:
            return f"(_ir({var}) if type({var}) is int else _slow())"
        if kind is bool:
            return f'("true" if {var} is True else "false" if {var} is False else _slow())'
        if kind is Decimal:
            return f"(_es(_str({var})) if type({var}) is _Decimal else _slow())"
        if kind is datetime:
            return f"_when({var})"
        if kind is date:
            return f"_day({var})"
        if kind is Money:
            return f"_money({var})"
        if kind == _FACTS:
            return f"_facts({var})"
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            texts = {member: _JSON(value) for member, value in enum_values(kind).items()}
            return f"{self.constant(texts)}[{var}]"
        if kind in TAGS:
            writers = {cls: self.writer(cls) for cls in _subclasses(kind)}
            table = self.constant(writers)
            self.tables.append((table, writers))
            return f"{table}[type({var})]({var})"
        if isinstance(kind, type) and attrs.has(kind):
            return (
                f"({self.writer(kind)}({var}) if type({var}) is {self.constant(kind)} else _slow())"
            )
        if typing.get_origin(kind) is tuple:
            return f"{self.tuple_writer(kind)}({var})"
        args = typing.get_args(kind)
        if len(args) == 2 and type(None) in args:
            inner = args[0] if args[1] is type(None) else args[1]
            return f'("null" if {var} is None else {self.expr(inner, var, kept)})'
        return "_slow()"

    def writer(self, cls: type) -> str:
        """The name of the (cached) writer of ``cls``, generating it the first time."""
        name = self.names.get(cls)
        if name is not None:
            return name
        name = self.names[cls] = f"_w_{cls.__name__}_{len(self.names)}"
        if cls is Order:
            self.source.append(
                f"def {name}(v):\n{_CACHED_HEAD}\n"
                f"    text = '{{' + {self.body(cls)}(v) + '}}'\n{_CACHED_TAIL}\n"
            )
            return name
        if cls.__setattr__ is not _FROZEN:
            raise TypeError(f"codec: {cls.__qualname__} is not frozen, its text cannot be kept")
        lines, text = self.fields(cls)
        tag = next((t for b, t in TAGS.items() if issubclass(cls, b)), None)
        if tag is not None:
            text.append((f"{encode_basestring(tag)}:{_JSON(getattr(cls, tag))}", ""))
        self.source.append(
            f"def {name}(v):\n{_CACHED_HEAD}\n{lines}"
            f"    text = {self.joined('{', text, '}')}\n{_CACHED_TAIL}\n"
        )
        return name

    def body(self, cls: type) -> str:
        """The name of the writer of an order's fields, without braces (and not cached)."""
        name = self.names.get(("body", cls))
        if name is None:
            name = self.names["body", cls] = f"_b_{cls.__name__}"
            lines, text = self.fields(cls, kept=True)
            self.source.append(f"def {name}(v):\n{lines}    return {self.joined('', text, '')}\n")
        return name

    def fields(self, cls: type, kept: bool = False) -> tuple[str, list[tuple[str, str]]]:
        """Statements computing each field's text (``t0``, ``t1`` …), and the parts to join."""
        hints = _hints(cls)
        lines, parts = [], []
        for index, field in enumerate(a for a in attrs.fields(cls) if a.init):
            code = self.expr(hints[field.name], "x", kept)
            lines.append(f"    x = v.{field.name}\n    t{index} = {code}\n")
            parts.append((f"{encode_basestring(field.name)}:", f"t{index}"))
        return "".join(lines), parts

    def joined(self, opening: str, parts: list[tuple[str, str]], closing: str) -> str:
        """An f-string: ``opening``, the parts (text then a variable) by commas, ``closing``.

        Constant text is bound to a name, so the f-string never holds quotes or braces itself.
        """
        code, pending = [], opening
        for index, (text, variable) in enumerate(parts):
            pending += ("," if index else "") + text
            if variable:
                code.append("{" + self.constant(pending) + "}{" + variable + "}")
                pending = ""
        pending += closing
        if pending:
            code.append("{" + self.constant(pending) + "}")
        return 'f"' + "".join(code) + '"'

    def tuple_writer(self, kind: Any) -> str:
        """The name of the (cached) writer of a tuple type, generating it the first time."""
        name = self.names.get(kind)
        if name is not None:
            return name
        args = typing.get_args(kind)
        if not args:  # tuple[()]: no field of an order has it
            return "_slow"
        name = self.names[kind] = f"_t{len(self.names)}"
        if len(args) == 2 and args[1] is Ellipsis:
            item = self.expr(args[0], "e")
            self.source.append(
                f"def {name}(v):\n    if type(v) is not tuple:\n        raise _Slow\n"
                f"    if not v:\n        return '[]'\n{_CACHED_HEAD}\n"
                f"    text = '[' + ','.join([{item} for e in v]) + ']'\n{_CACHED_TAIL}\n"
            )
        else:
            items = " + ',' + ".join(self.expr(arg, f"v[{i}]") for i, arg in enumerate(args))
            self.source.append(
                f"def {name}(v):\n    if type(v) is not tuple or len(v) != {len(args)}:\n"
                f"        raise _Slow\n    return '[' + {items} + ']'\n"
            )
        return name


def _generate() -> Callable[[Order], str]:
    generator = _Generator()
    body = generator.body(Order)
    for cls in CLASSES:
        generator.writer(cls)
    namespace = generator.namespace
    exec(compile("\n".join(generator.source), "<orderflow.codec writers>", "exec"), namespace)
    for table, writers in generator.tables:
        namespace[table] = {cls: namespace[name] for cls, name in writers.items()}
    fields: Callable[[Order], str] = namespace[body]
    return fields


order_fields = _generate()
"""An order's fields as JSON text without the braces: ``"number":"1001",…,"split_from":null``.

Raises (``_Slow``, ``TypeError``, ``KeyError`` …) for a value of a type its field does not
declare; the caller then writes the order the reference way.
"""

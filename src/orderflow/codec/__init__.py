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

:func:`dumps` writes the text itself (``_text``): one generated writer per class, and the text of
each frozen part kept by identity, so that saving an order again writes only what changed; the
bytes are exactly those of ``json.dumps(to_data(order), ensure_ascii=False, separators=(",",
":"))``.

Reading is strict: an unknown field, a missing one, a wrong type or a value the classes refuse
raises :class:`~orderflow.errors.CodecError` naming the path (``payment.ledger[2].amount``); no
other exception escapes :func:`from_data` or :func:`loads`. A document is first decoded by a fast
converter; only when that fails is it decoded again with cattrs' detailed validation, to find the
path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from orderflow.codec._convert import (
    _MISSING,
    _UNKNOWN,
    CLASSES,
    DETAILED,
    ENUMS,
    FAST,
    _Bad,
    _join,
    _Note,
    _Shape,
    _shown,
)
from orderflow.codec._text import order_fields
from orderflow.domain._text import first_unprintable
from orderflow.domain.order import Order
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import CodecError, InvalidValue

__all__ = [
    "CLASSES",
    "ENUMS",
    "SCHEMA",
    "Upgrade",
    "dumps",
    "dumps_text",
    "from_data",
    "loads",
    "purchase_order_from_text",
    "purchase_order_to_text",
    "register_migration",
    "to_data",
]

SCHEMA: int = 2
"""The version of the document format this orderflow writes (the top-level ``"schema"``)."""

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
"""A migration: takes a document of one schema, returns it in the next schema's form."""


_STRUCTURE_ORDER = FAST.get_structure_hook(Order)
_OPENING = '{"schema":' + json.dumps(SCHEMA) + ","
_UNSTRUCTURE_ORDER = FAST.get_unstructure_hook(Order)


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
        DETAILED.structure(document, Order)
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
    if not callable(upgrade):
        raise InvalidValue("upgrade", upgrade, "a function of a document (a dict), returning it")
    before = _MIGRATIONS.get(from_schema)
    _MIGRATIONS[from_schema] = upgrade

    def undo() -> None:
        if before is None:
            _MIGRATIONS.pop(from_schema, None)
        else:
            _MIGRATIONS[from_schema] = before

    return undo


def _recipes_on_lines(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 → 2: every line gains its set recipe, unknown (``"recipe": null``).

    An order placed under schema 1 reads its set lines' recipes from the shop's settings, as
    it did then. Anything not shaped like lines is left for the reader to refuse.
    """
    lines = document.get("lines")
    if type(lines) is list:
        document["lines"] = [
            {**line, "recipe": line.get("recipe")} if type(line) is dict else line for line in lines
        ]
    return document


_MIGRATIONS[1] = _recipes_on_lines


def _current(data: object) -> dict[str, Any]:
    """The document's fields at the current schema (migrated if older), without ``schema``."""
    if type(data) is not dict:
        raise CodecError("", _Shape(data), "an order document (a JSON object)")
    schema = data.get("schema", _MISSING)
    if type(schema) is not int or schema < 0:
        shown = _MISSING if schema is _MISSING else _shown(schema)
        raise CodecError("schema", shown, f"the document's schema version ({SCHEMA})")
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
    return _counted(_structured(_current(data)))


def _structured(document: Any) -> Order:
    try:
        return _STRUCTURE_ORDER(document, Order)  # type: ignore[no-any-return]
    except Exception:
        repaired = _repaired(document, _without_nul)
    if repaired is not document:
        try:
            return _STRUCTURE_ORDER(repaired, Order)  # type: ignore[no-any-return]
        except Exception:
            pass
    flattened = _repaired(repaired, _on_one_line)
    if flattened is not repaired:
        try:
            return _STRUCTURE_ORDER(flattened, Order)  # type: ignore[no-any-return]
        except Exception:
            pass
    raise _explain(document if flattened is repaired else flattened)


_COUNT_LIMIT = 2**63
"""A version or sequence number a database's BIGINT holds (the stores write both)."""


def _counted(order: Order) -> Order:
    """``order`` if its version and sequence are counts a store can write (0 to 2⁶³ − 1)."""
    for name in ("version", "seq"):
        value = getattr(order, name)
        if not 0 <= value < _COUNT_LIMIT:
            raise CodecError(name, value, f"a whole number from 0 to {_COUNT_LIMIT - 1}")
    return order


def _repaired(document: Any, repair: Callable[[Any], Any]) -> Any:
    """``document`` through ``repair`` (:func:`_without_nul` or :func:`_on_one_line`).

    As it is if too deep to walk.
    """
    try:
        return repair(document)
    except RecursionError:  # nested past any order: the reader's error says so
        return document


def _without_nul(value: Any) -> Any:
    """``value`` with every U+0000 in its texts read as U+FFFD (the same object if none).

    Texts refuse NUL now (PostgreSQL cannot store it); a document an older orderflow wrote may
    hold one, and is read with the replacement character rather than refused.
    """
    return _texts_mapped(value, lambda text: text.replace("\x00", "\ufffd"))


def _on_one_line(value: Any) -> Any:
    """``value`` with the characters a one-line text refuses read as a space or U+FFFD.

    A line break or a tab becomes a space, ESC or U+200B … U+FFFD
    (:func:`~orderflow.domain._text.first_unprintable`); the same object if there is none.
    Names, address parts and line texts refuse them now; a document an older orderflow wrote
    may hold one, and is read on one line rather than refused (tried only when the document is
    refused as it is: a reason's line breaks are kept otherwise).
    """
    return _texts_mapped(value, _one_line)


def _texts_mapped(value: Any, fix: Callable[[str], str]) -> Any:
    """``value`` (a decoded JSON document) with ``fix`` applied to every text in it.

    The same object wherever nothing changed, so an untouched document is not copied.
    """
    if isinstance(value, str):
        fixed = fix(value)
        return value if fixed == value else fixed
    if isinstance(value, list):
        items = [_texts_mapped(v, fix) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = {k: _texts_mapped(v, fix) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    return value


def _one_line(text: str) -> str:
    if first_unprintable(text) is None:
        return text
    return "".join(_printed(char) for char in text)


def _printed(char: str) -> str:
    if first_unprintable(char) is None:
        return char
    return " " if char.isspace() else "\ufffd"


def dumps(order: Order) -> bytes:
    """``order`` as compact UTF-8 JSON; the same order always gives the same bytes.

    The bytes are those of ``json.dumps(to_data(order), ensure_ascii=False, separators=(",",
    ":"))``, written from the cached text of the order's unchanged parts (see ``_text``).
    """
    return dumps_text(order).encode()


def dumps_text(order: Order) -> str:
    """The text of :func:`dumps`, before encoding (for a database's text or JSON column)."""
    if type(order) is Order:
        try:
            return _OPENING + order_fields(order) + "}"
        except Exception:  # a value of a type its field does not declare
            pass
    return _dumps_data(order).decode()


def _dumps_data(order: Order) -> bytes:
    """What :func:`dumps` gives, the reference way: cattrs' data, then ``json``."""
    return json.dumps(to_data(order), ensure_ascii=False, separators=(",", ":")).encode()


def loads(text: bytes | str) -> Order:
    """The order a JSON document holds (see :func:`from_data`); only CodecError is raised."""
    try:
        data = json.loads(text)
    except Exception:
        raise CodecError("", _Shape(text), "a JSON document in UTF-8") from None
    return from_data(data)


# -- purchase orders (発注) ------------------------------------------------------------------------


def purchase_order_to_text(po: PurchaseOrder) -> str:
    """A purchase order as compact JSON text (with the top-level ``"schema"``)."""
    if type(po) is not PurchaseOrder:
        raise CodecError("", _Shape(po), "a PurchaseOrder")
    data: dict[str, Any] = {"schema": SCHEMA}
    data.update(FAST.unstructure(po))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def purchase_order_from_text(text: bytes | str) -> PurchaseOrder:
    """The purchase order a JSON document holds; only :class:`CodecError` is raised."""
    try:
        data = json.loads(text)
    except Exception:
        raise CodecError("", _Shape(text), "a JSON document in UTF-8") from None
    document = _current(data)
    try:
        return FAST.structure(document, PurchaseOrder)
    except Exception:
        repaired = _repaired(document, _without_nul)
    if repaired is not document:
        try:
            return FAST.structure(repaired, PurchaseOrder)
        except Exception:
            pass
    flattened = _repaired(repaired, _on_one_line)
    if flattened is not repaired:
        try:
            return FAST.structure(flattened, PurchaseOrder)
        except Exception:
            document = flattened  # what is wrong besides is named below
    try:
        DETAILED.structure(document, PurchaseOrder)
    except _Bad as error:
        raise CodecError(error.rel, error.value, error.expected) from None
    except Exception as error:
        raise _locate(error, "", PurchaseOrder) from None
    raise CodecError("", _Shape(document), "a document the fast reader accepts")

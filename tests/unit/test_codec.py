"""The codec: every order the desk makes goes to JSON and back; bad documents fail clearly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import Order, OrderStatus, codec
from orderflow.domain.effects import Effect, Notify
from orderflow.domain.events import NoticeFailed
from orderflow.domain.order import OrderEvent
from orderflow.errors import CodecError, InvalidValue
from tests.builders import CTX, shop, to_booked
from tests.strategies import orders, shops_orders

FLOWS = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def booked() -> Order:
    return to_booked(shop())


def document(order: Order) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(codec.dumps(order))
    return data


def error_of(data: object) -> CodecError:
    with pytest.raises(CodecError) as caught:
        codec.from_data(data)
    return caught.value


# -- round trips -------------------------------------------------------------------------------


@FLOWS
@given(orders())
def test_every_order_goes_to_data_and_back(order: Order) -> None:
    assert codec.from_data(codec.to_data(order)) == order
    text = codec.dumps(order)
    assert codec.loads(text) == order
    assert codec.dumps(codec.loads(text)) == text
    assert codec.loads(text.decode()) == order


def test_the_strategy_reaches_every_status_and_leaves_effects_pending() -> None:
    statuses: set[OrderStatus] = set()
    pending: list[Order] = []

    @settings(max_examples=150, database=None, suppress_health_check=list(HealthCheck))
    @given(shops_orders())
    def collect(found: list[Order]) -> None:
        statuses.update(o.status for o in found)
        pending.extend(o for o in found if o.outbox)

    collect()
    assert statuses == set(OrderStatus)
    assert pending


def test_a_document_has_its_schema_and_plain_json_values(booked: Order) -> None:
    data = codec.to_data(booked)
    assert data["schema"] == codec.SCHEMA == 2  # 2: lines carry their set recipe
    assert data["status"] == "booked"
    assert data["lines"][0]["unit_price"] == {"amount": "1080", "currency": "JPY"}
    assert data["lines"][0]["tax_rate"] == "0.08"
    assert data["placed_at"] == "2026-11-22T00:00:00+00:00"
    assert data["history"][0]["name"] == "placed"
    assert json.loads(json.dumps(data)) == data  # nothing but JSON types
    assert codec.dumps(booked) == codec.dumps(booked)


def test_every_member_class_has_a_tag_and_comes_back_as_itself() -> None:
    effects = [c for c in codec.CLASSES if issubclass(c, Effect)]
    events = [c for c in codec.CLASSES if issubclass(c, OrderEvent)]
    assert len(effects) > 20 and len(events) > 30
    assert NoticeFailed in events and Notify in effects


def test_a_notice_s_facts_keep_their_types(booked: Order) -> None:
    facts = (("total", booked.payment.captured), ("at", CTX.at), ("day", CTX.at.date()), ("n", 2))
    order = attrs.evolve(booked, outbox=(Notify(f"{booked.number}:99", notice="x", facts=facts),))
    assert codec.loads(codec.dumps(order)) == order


# -- errors ----------------------------------------------------------------------------------


def test_an_unknown_field_is_named(booked: Order) -> None:
    data = document(booked)
    data["payment"]["ledger"][0]["colour"] = "red"
    assert error_of(data).field == "payment.ledger[0].colour"
    data = document(booked)
    data["extra"] = 1
    assert error_of(data).field == "extra"


def test_a_wrong_type_deep_inside_is_named(booked: Order) -> None:
    data = document(booked)
    data["payment"]["ledger"][1]["amount"] = ["1080"]
    error = error_of(data)
    assert error.field == "payment.ledger[1].amount"
    assert "amount" in error.expected
    data = document(booked)
    data["payment"]["ledger"][1]["amount"]["amount"] = 1080
    assert error_of(data).field == "payment.ledger[1].amount.amount"
    data = document(booked)
    data["history"][3]["at"] = "yesterday"
    assert error_of(data).field == "history[3].at"
    data = document(booked)
    data["lines"][1]["quantity"] = "2"
    assert error_of(data).field == "lines[1].quantity"


def test_values_the_classes_refuse_are_named_and_personal_data_is_masked(booked: Order) -> None:
    data = document(booked)
    data["lines"][0]["quantity"] = 0
    assert error_of(data).field == "lines[0].quantity"
    data = document(booked)
    data["customer"]["email"] = "taro.yamada.example.jp"
    error = error_of(data)
    assert error.field == "customer.email"
    assert "taro.yamada" not in str(error)
    data = document(booked)
    data["ship_to"]["phone"] = "03-9876-543"
    error = error_of(data)
    assert error.field == "ship_to.phone"
    assert "9876" not in str(error)
    data = document(booked)
    del data["ship_to"]["name"]
    assert error_of(data).field == "ship_to.name"
    data = document(booked)
    data["history"][0]["name"] = "no_such_event"
    assert error_of(data).field == "history[0].name"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_garbage_values_only_raise_codec_errors(value: object) -> None:
    with pytest.raises(CodecError):
        codec.from_data(value)
    with pytest.raises(CodecError):
        codec.from_data({"schema": 1, "number": value})


@given(st.binary() | st.text())
def test_garbage_bytes_only_raise_codec_errors(text: bytes | str) -> None:
    with pytest.raises(CodecError):
        codec.loads(text)


@settings(max_examples=200)
@given(st.data())
def test_a_damaged_document_only_raises_codec_errors(booked: Order, data: st.DataObject) -> None:
    doc = document(booked)
    node: Any = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.booleans()):
            node = child
            continue
        node[key] = data.draw(JSON)
        break
    try:
        order = codec.from_data(doc)
    except CodecError:
        return
    assert codec.from_data(codec.to_data(order)) == order


def test_deep_nesting_only_raises_codec_errors() -> None:
    with pytest.raises(CodecError):
        codec.loads("[" * 100_000 + "]" * 100_000)
    nested: dict[str, Any] = {}
    for _ in range(5000):
        nested = {"proposal": nested}
    with pytest.raises(CodecError):
        codec.from_data({"schema": 1, **nested})


# -- schema and migrations -------------------------------------------------------------------


@pytest.fixture
def no_migrations() -> Iterator[None]:
    saved = dict(codec._MIGRATIONS)
    yield
    codec._MIGRATIONS.clear()
    codec._MIGRATIONS.update(saved)


def test_an_older_document_is_migrated(booked: Order, no_migrations: None) -> None:
    old = document(booked)
    old["schema"] = 0
    old["note"] = old.pop("remarks")  # what schema 0 called it
    with pytest.raises(CodecError) as caught:
        codec.from_data(old)
    assert caught.value.field == "schema"

    def upgrade(data: dict[str, Any]) -> dict[str, Any]:
        data["remarks"] = data.pop("note")
        return data

    undo = codec.register_migration(0, upgrade)
    assert codec.from_data(old) == booked
    assert codec.loads(json.dumps(old)) == booked
    undo()
    with pytest.raises(CodecError):
        codec.from_data(old)


def test_a_failing_migration_is_a_codec_error(booked: Order, no_migrations: None) -> None:
    def broken(data: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("nope")

    codec.register_migration(0, broken)
    old = document(booked)
    old["schema"] = 0
    assert error_of(old).field == "schema"


def test_a_newer_or_missing_schema_is_refused(booked: Order) -> None:
    data = document(booked)
    data["schema"] = codec.SCHEMA + 1
    assert error_of(data).field == "schema"
    del data["schema"]
    assert error_of(data).field == "schema"
    with pytest.raises(InvalidValue):
        codec.register_migration(codec.SCHEMA, lambda data: data)


def test_a_missing_schema_is_told_as_missing(booked: Order) -> None:
    data = document(booked)
    del data["schema"]
    assert str(error_of(data)) == (
        "schema: expected the document's schema version (2), got nothing (the field is missing)"
    )


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-09:00"])
def test_a_moment_off_the_calendar_in_utc_is_refused(
    booked: Order, moment: str, tmp_path: Any
) -> None:
    """A time Python cannot carry to UTC would raise OverflowError in every store's save."""
    data = document(booked)
    data["placed_at"] = moment
    error = error_of(data)
    assert error.field == "placed_at"
    assert "UTC" in error.expected
    data["placed_at"] = "0001-01-01T00:00:00+00:00"  # the calendar's edges themselves are read
    assert codec.from_data(data).placed_at.year == 1


def test_a_schema_1_document_is_read_with_plain_recipes(booked: Order) -> None:
    data = codec.to_data(booked)
    old = {**data, "schema": 1, "lines": [dict(line) for line in data["lines"]]}
    for line in old["lines"]:
        del line["recipe"]  # schema 1 had no recipes on lines
    read = codec.from_data(old)
    assert [line.recipe for line in read.lines] == [None] * len(booked.lines)  # unknown
    assert read.lines == tuple(attrs.evolve(line, recipe=None) for line in booked.lines)
    assert attrs.evolve(read, lines=booked.lines) == booked
    assert "recipe" not in old["lines"][0]  # the caller's document is not changed


@pytest.mark.parametrize(("name", "value"), [("version", -1), ("version", 2**63), ("seq", -5)])
def test_a_count_no_store_can_write_is_refused_naming_it(name: str, value: int) -> None:
    """A version of -1 was read and then saved as a DuplicateOrder; 2**70 as an OverflowError."""
    import json

    from orderflow import codec
    from orderflow.errors import CodecError
    from tests.builders import place, shop

    document = json.loads(codec.dumps(place(shop())))
    document[name] = value
    with pytest.raises(CodecError) as caught:
        codec.loads(json.dumps(document))
    assert caught.value.field == name


@pytest.mark.parametrize(
    "amount", [" 1080 ", "1_080", "+1080", "１０８０", "1080.0", "1.08e3", "01080", "1080\n"]
)
def test_an_amount_the_writer_never_writes_is_refused_naming_its_path(
    booked: Order, amount: str
) -> None:
    # Decimal() reads all of these, the writer writes none of them: a stored document is read
    # as written ("1080"), never as a person might type it
    data = document(booked)
    written = data["lines"][0]["unit_price"]["amount"]
    assert written == str(booked.lines[0].unit_price.amount)
    data["lines"][0]["unit_price"]["amount"] = amount
    error = error_of(data)
    assert error.field == "lines[0].unit_price.amount"
    assert "1080" in error.expected


@pytest.mark.parametrize("text", [" 0.05", "5E-2_0", "+0.05", "０.05", "0.05 "])
def test_a_decimal_fact_the_writer_never_writes_is_refused(booked: Order, text: str) -> None:
    facts = (("rate", Decimal("0.05")),)
    order = attrs.evolve(booked, outbox=(Notify(f"{booked.number}:99", notice="x", facts=facts),))
    data = document(order)
    assert codec.from_data(data) == order
    raw = json.dumps(data).replace('"0.05"', json.dumps(text))
    with pytest.raises(CodecError) as caught:
        codec.loads(raw)
    assert caught.value.field.startswith("outbox[0].facts")


def test_a_name_an_older_orderflow_stored_on_two_lines_is_read_on_one(booked: Order) -> None:
    # Names and address parts are refused with a line break, a tab or an invisible character
    # now; an order stored before keeps being read (and can be cancelled, shipped, booked)
    data = document(booked)
    data["ship_to"]["name"] = "山田\n太郎"
    data["customer"]["name"] = "山田\u200b太郎"
    data["lines"][0]["name"] = "緑茶\r\n100g"
    data["history"][0]["at"] = data["history"][0]["at"]
    order = codec.from_data(data)
    assert order.ship_to.name == "山田 太郎"
    assert order.customer.name == "山田\ufffd太郎"
    assert order.lines[0].name == "緑茶  100g"
    assert order.lines[1:] == booked.lines[1:]
    data["lines"][0]["quantity"] = 0  # anything else wrong is still named
    assert error_of(data).field == "lines[0].quantity"


@pytest.mark.parametrize(
    "moment",
    [
        "20261122T000000+0000",
        "2026-11-22 00:00:00+00:00",
        "2026-11-22T00:00:00Z",
        "2026-11-22T00:00+00:00",
        "2026-11-22T00:00:00.000000+00:00",
    ],
)
def test_a_moment_the_writer_never_writes_is_refused_naming_its_path(
    booked: Order, moment: str
) -> None:
    # fromisoformat reads all of these; the writer writes isoformat() only
    data = document(booked)
    assert data["history"][0]["at"] == booked.history[0].at.isoformat()
    data["history"][0]["at"] = moment
    assert error_of(data).field == "history[0].at"


@pytest.mark.parametrize("day", ["20261122", "2026-W47-7", "2026-326"])
def test_a_day_the_writer_never_writes_is_refused_naming_its_path(booked: Order, day: str) -> None:
    data = document(booked)
    [(index, event)] = [(i, e) for i, e in enumerate(data["history"]) if "on" in e][:1]
    assert event["on"] == "2026-11-22"
    event["on"] = day
    assert error_of(data).field == f"history[{index}].on"

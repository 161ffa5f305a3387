"""dumps' fast writer: the very bytes of ``json.dumps(to_data(order))``, from cached parts."""

from __future__ import annotations

import json
import threading
from datetime import datetime

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from orderflow import Money, Order, OrderStatus, codec
from orderflow.codec import _text
from orderflow.domain._values import replace
from orderflow.domain.effects import Notify
from orderflow.errors import CodecError
from orderflow.testing.store_contracts import sample_orders
from tests.builders import CTX, shop, to_booked
from tests.strategies import orders

FLOWS = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def reference(order: Order) -> bytes:
    """What dumps wrote before the fast writer: cattrs' data, then json."""
    return json.dumps(codec.to_data(order), ensure_ascii=False, separators=(",", ":")).encode()


def fast(order: Order) -> bytes:
    """The generated writers alone: no falling back to the reference way."""
    opening = '{"schema":' + json.dumps(codec.SCHEMA) + ","
    return (opening + _text.order_fields(order) + "}").encode()


@pytest.fixture(scope="module")
def booked() -> Order:
    return to_booked(shop())


def same_bytes_every_way(order: Order) -> bytes:
    expected = reference(order)
    assert fast(order) == expected
    assert codec.dumps(order) == expected
    assert codec.dumps(order) == expected  # again, from the cached parts
    _text.clear_cache()
    assert codec.dumps(order) == expected
    return expected


@FLOWS
@given(orders())
def test_dumps_writes_the_bytes_json_writes(order: Order) -> None:
    same_bytes_every_way(order)
    if order.proposal is not None:
        same_bytes_every_way(order.proposal)


def test_the_sample_orders_of_every_status() -> None:
    samples = sample_orders()
    assert {order.status for order in samples} == set(OrderStatus)
    for order in samples:
        same_bytes_every_way(order)


def test_an_order_saved_again_is_written_from_its_unchanged_parts(booked: Order) -> None:
    before = codec.dumps(booked)
    grown = attrs.evolve(booked, history=(*booked.history, booked.history[-1]), version=9)
    assert codec.dumps(grown) == reference(grown) != before
    ledger = booked.payment.ledger
    paid = attrs.evolve(booked.payment, ledger=(*ledger, attrs.evolve(ledger[-1], key="x:1")))
    changed = attrs.evolve(grown, payment=paid, status=OrderStatus.CANCELLED, remarks="再送")
    assert codec.dumps(changed) == reference(changed)
    assert codec.dumps(booked) == before


def test_a_notice_s_facts_are_written_as_json_writes_them(booked: Order) -> None:
    facts = (
        ("total", booked.payment.captured),
        ("at", CTX.at),
        ("day", CTX.at.date()),
        ("rate", booked.lines[0].tax_rate.value),
        ("n", 2),
        ("yes", True),
        ("none", None),
        ("text", 'a "quoted"\n\\ 名前 \u2028'),
    )
    order = attrs.evolve(booked, outbox=(Notify(f"{booked.number}:99", notice="x", facts=facts),))
    same_bytes_every_way(order)


class Name(str):
    """Text of a class of its own: json writes it as text."""


def test_values_of_types_the_fields_do_not_declare_are_written_the_reference_way(
    booked: Order,
) -> None:
    odd = replace(booked, points_taken=True, remarks=Name("名前"), version=2**70)
    assert codec.dumps(odd) == reference(odd)
    assert b'"points_taken":true' in codec.dumps(odd)
    with pytest.raises(Exception):  # noqa: B017  (the fast writer refuses it)
        fast(odd)
    naive = replace(booked, booked_at=datetime(2026, 11, 22))
    with pytest.raises(CodecError):
        codec.dumps(naive)
    floated = Notify(f"{booked.number}:99", facts=(("x", 1.5),))
    with pytest.raises(CodecError):
        codec.dumps(attrs.evolve(booked, outbox=(floated,)))
    money = replace(booked, shipping_fee=Money._exact(booked.shipping_fee.amount + 1, "JPY"))
    assert codec.dumps(money) == reference(money)


def test_the_cache_keeps_at_most_its_limit(booked: Order) -> None:
    history = tuple(
        attrs.evolve(booked.history[0], reason=str(i)) for i in range(_text.LIMIT + 100)
    )
    big = attrs.evolve(booked, history=history)
    assert codec.dumps(big) == reference(big)
    assert len(_text._CACHE) <= _text.LIMIT
    assert codec.dumps(big) == reference(big)


def test_threads_writing_while_the_cache_is_emptied_agree() -> None:
    samples = sample_orders()
    expected = [reference(order) for order in samples]
    failures: list[int] = []

    def write() -> None:
        for _ in range(30):
            for index, order in enumerate(samples):
                if codec.dumps(order) != expected[index]:
                    failures.append(index)

    def empty() -> None:
        for _ in range(300):
            _text._make_room()
            _text.clear_cache()

    threads = [threading.Thread(target=write) for _ in range(3)] + [threading.Thread(target=empty)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures

"""返金待ち → 返金振込済: money owed back by transfer, listed until its transfer is recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from orderflow import Money, PaymentMethod
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore
from orderflow.testing import FakeShop, Fault
from orderflow.testing.shop import desk_on
from tests.builders import finish, pay_in_full, place, shop, to_booked
from tests.postgres import new_database


def refused_refund(s: FakeShop, amount: int = 1000) -> None:
    """Order 1001 booked, and a refund of ``amount`` the gateway refuses."""
    to_booked(s)
    s.gateway.fail_next("refund", Fault.DECLINE)
    with pytest.raises(PaymentDeclined):
        s.desk.refund("1001", Money.yen(amount), reason="お詫び")


def listed(s: FakeShop) -> list[str]:
    return [o.number for o in s.desk.refunds_to_transfer()]


def test_a_refused_card_refund_waits_until_its_transfer_is_recorded_then_the_hold_goes() -> None:
    s = shop()
    refused_refund(s)
    assert listed(s) == ["1001"]
    order = s.desk.record_refund_transfer("1001", Money.yen(600), reference="T-1")
    assert order.payment.refund_to_transfer == Money.yen(400)
    assert [h.code for h in order.open_holds] == ["refund_failed"]  # not all paid yet
    assert listed(s) == ["1001"]
    again = s.desk.record_refund_transfer("1001", Money.yen(600), reference="T-1")
    assert again.version == order.version  # once per reference
    done = s.desk.record_refund_transfer("1001", Money.yen(400), reference="T-2")
    assert done.payment.refund_paid == Money.yen(1000)
    assert done.payment.refund_to_transfer == Money.yen(0)
    assert not done.open_holds and listed(s) == []
    assert done.history[-2].name == "refund_transferred"


def test_a_cancelled_bank_transfer_order_owing_its_deposit_is_listed_though_closed() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    pay_in_full(s)
    cancelled = s.desk.cancel("1001", reason="customer request")
    owed = cancelled.payment.refund_owed
    assert owed.amount > 0 and listed(s) == ["1001"]
    s.desk.record_refund_transfer("1001", owed, reference="T-9")
    assert listed(s) == []


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        (Money.yen(1001), "T-1", "amount"),  # more than is owed
        (Money.yen(0), "T-1", "amount"),
        (1000, "T-1", "amount"),
        (Money.yen(500), "", "reference"),
        (Money.yen(500), "T\n1", "reference"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    amount: object, reference: str, field: str
) -> None:
    s = shop()
    refused_refund(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as raised:
        s.desk.record_refund_transfer("1001", amount, reference=reference)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert s.desk.get("1001") == before


def test_the_list_comes_from_the_sqlite_store_s_index(tmp_path: Path) -> None:
    s = shop()
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        s.desk = desk_on(s, store=store)
        refused_refund(s)
        assert listed(s) == ["1001"]
        s.desk.record_refund_transfer("1001", Money.yen(1000), reference="T-1")
        assert listed(s) == []


def _forget_the_index(execute: Callable[[str], object]) -> None:
    """Tables as an orderflow of index version 1 left them: tracking numbers only."""
    execute("DELETE FROM order_tracking")
    execute("DELETE FROM order_index_version")


def _after_reopening(s: FakeShop, store: OrderStore) -> None:
    s.desk = desk_on(s, store=store)
    assert listed(s) == ["1001"]  # indexed again when opened
    order = s.desk.get("1001")
    assert order.payment.refund_to_transfer == Money.yen(1000)


def test_a_sqlite_file_of_an_older_index_is_indexed_again_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    s = shop()
    with SQLiteStore(path) as store:
        s.desk = desk_on(s, store=store)
        refused_refund(s)
    with sqlite3.connect(path) as conn:
        _forget_the_index(conn.execute)
    with SQLiteStore(path) as store:
        _after_reopening(s, store)


def test_a_postgres_database_of_an_older_index_is_indexed_again(postgres_uri: str) -> None:
    import psycopg

    conninfo = new_database(postgres_uri)
    s = shop()
    s.desk = desk_on(s, store=PostgresStore(conninfo))
    refused_refund(s)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        _forget_the_index(conn.execute)
    _after_reopening(s, PostgresStore(conninfo))


def test_a_cod_excess_waits_for_the_cash_before_it_can_be_transferred() -> None:
    """Found by review: the excess was listed and transferable before the parcel collected it."""
    from tests.integration.test_partial_shipment import _per_parcel

    _, desk = _per_parcel(method=PaymentMethod.COD, at_last=True)
    order = desk.drop_missing("1001")  # the parcel has not left: nothing collected yet
    assert order.payment.refund_owed.amount > 0 and order.payment.received == Money.yen(0)
    assert order.payment.refund_to_transfer == Money.yen(0)
    assert desk.refunds_to_transfer() == []
    with pytest.raises(InvalidValue):
        desk.record_refund_transfer("1001", order.payment.refund_owed, reference="T-1")
    desk.recall("1001")
    cancelled = desk.cancel("1001", reason="customer")
    assert cancelled.payment.refund_paid == Money.yen(0)
    assert cancelled.payment.refund_paid <= cancelled.payment.refund_owed


def test_a_reference_recorded_again_with_another_amount_is_refused() -> None:
    s = shop()
    refused_refund(s)
    s.desk.record_refund_transfer("1001", Money.yen(600), reference="T-1")
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as raised:
        s.desk.record_refund_transfer("1001", Money.yen(400), reference="T-1")
    assert raised.value.field == "amount" and "600" in str(raised.value)
    assert s.desk.get("1001") == before


def test_a_postpay_refund_paid_by_transfer_is_no_longer_refundable() -> None:
    # 後払い: a refund owed back by transfer leaves the claim as it was (the customer pays
    # the provider the whole claim and gets the transfer), so it is not refundable again.
    s = shop()
    place(s, payment_method=PaymentMethod.POSTPAY, token=None)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    booked = finish(s)
    paid = booked.payment.captured
    order = s.desk.refund("1001", Money.yen(1000), reason="お詫び", by_transfer=True)
    assert s.desk.refundable(order) == paid - Money.yen(1000)
    with pytest.raises(InvalidValue, match="amount") as refused:
        s.desk.refund("1001", paid, reason="お詫び", request_id="G-2")
    assert str(paid - Money.yen(1000)) in str(refused.value)
    rest = s.desk.refund("1001", paid - Money.yen(1000), reason="お詫び", request_id="G-3")
    assert s.desk.refundable(rest) == Money.yen(0)
    assert rest.payment.refunded + rest.payment.refund_owed == paid  # everything back, once

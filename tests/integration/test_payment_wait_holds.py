"""入金待ち and 入金不足 lift themselves when the money is recorded; a person cannot clear them
before shipping while the money is missing.

Before, a person clearing ``payment_pending`` (or ``payment_shortfall``) of an order whose
transfer had not come put it on the ready-to-instruct list, and ``instruct_shipping`` then
refused it (``MoveBlocked``: the payment is not confirmed): the warehouse list showed an order
nobody could ship, with no hold saying why.
"""

from __future__ import annotations

from datetime import date

import pytest

from orderflow import Deposit, Money, OrderStatus, PaymentMethod, QueueQuery
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, place


def _bank_order(number: str = "1001") -> tuple[FakeShop, str]:
    s = fake_shop(dict(STOCK))  # auto_advance: paid in full, it is allocated by itself
    place(s, number, payment_method=PaymentMethod.BANK_TRANSFER)
    order = s.desk.accept(number)
    account = order.payment.instruction("account")
    assert account is not None
    return s, account


def _deposit(account: str, amount: Money, reference: str) -> Deposit:
    return Deposit(account, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 24), reference)


def _ready(s: FakeShop) -> int:
    return s.desk.queue_counts()["ready_to_instruct"]


def test_payment_pending_is_not_cleared_by_hand_while_the_transfer_has_not_come() -> None:
    s, account = _bank_order()
    before = s.desk.get("1001")
    assert [h.code for h in before.open_holds] == ["payment_pending"]
    with pytest.raises(InvalidValue) as raised:
        s.desk.clear_hold("1001", "payment_pending")
    assert raised.value.field == "code"
    message = str(raised.value)
    assert "lifts itself" in message and "reconcile_deposits" in message
    assert s.desk.get("1001") == before and _ready(s) == 0

    total = s.desk.totals(before).total
    paid = s.desk.reconcile_deposits([_deposit(account, total, "R1")]).orders[0]
    assert not paid.open_holds and paid.status is OrderStatus.ALLOCATED  # lifted by the money
    assert _ready(s) == 1


def test_payment_shortfall_is_not_cleared_by_hand_before_shipping() -> None:
    s, account = _bank_order()
    s.desk.reconcile_deposits([_deposit(account, Money.yen(1000), "R1")])
    before = s.desk.get("1001")
    assert [h.code for h in before.open_holds] == ["payment_shortfall"]
    with pytest.raises(InvalidValue) as raised:
        s.desk.clear_hold("1001", "payment_shortfall")
    assert raised.value.field == "code" and "apply_deposit" in str(raised.value)
    assert s.desk.get("1001") == before
    assert s.desk.queue(QueueQuery.ready_to_instruct()) == []


def test_a_konbini_order_s_wait_names_record_konbini_payment() -> None:
    s = fake_shop(dict(STOCK))
    place(s, payment_method=PaymentMethod.KONBINI)
    with pytest.raises(InvalidValue, match="record_konbini_payment"):
        s.desk.clear_hold("1001", "payment_pending")


def test_after_shipping_a_person_may_still_waive_a_shortfall() -> None:
    """The bank took the transfer back after the parcel left: a person collects the money, or
    clears the hold and books the sale (the bank-transfer page)."""
    s, account = _bank_order()
    total = s.desk.totals(s.desk.get("1001")).total
    paid = _deposit(account, total, "R1")
    s.desk.reconcile_deposits([paid])
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    s.desk.deliver("1001", "1001-S1")
    taken_back = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 25), "R1", cancelled=True)
    [order] = s.desk.reconcile_deposits([taken_back]).taken_back
    assert [h.code for h in order.open_holds] == ["payment_shortfall"]
    assert not s.desk.clear_hold("1001", "payment_shortfall").open_holds
    assert s.desk.book("1001").status is OrderStatus.BOOKED


def test_a_hold_of_the_shop_s_own_is_still_cleared_on_an_unpaid_order() -> None:
    s, _ = _bank_order()
    s.desk.raise_hold("1001", "check", "確認")
    order = s.desk.clear_hold("1001", "check")
    assert [h.code for h in order.open_holds] == ["payment_pending"]

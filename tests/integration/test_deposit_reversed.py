"""A transfer the bank takes back (取消, 組戻し) after an order took it no longer counts.

Before, the 取消 was only reported: the order went on counting the money as received, shipped
on it, and a cancelled order listed the money as owed back (``refunds_to_transfer``), so a
person following the list paid back money the bank had already taken back.
"""

from __future__ import annotations

from datetime import date

import pytest

from orderflow import (
    Address,
    Customer,
    Deposit,
    Money,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from orderflow.domain.events import DepositReversed
from orderflow.errors import InvalidValue, MoveBlocked
from orderflow.testing import FakeShop, fake_shop

TOTAL = Money.yen(2160)


def _shop(number: str = "2002") -> tuple[FakeShop, str]:
    shop = fake_shop({("TOKYO", "TEA-1"): 10})
    desk = shop.desk
    desk.place(
        number=number,
        customer=Customer("C1", "見本 花子", "hanako@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678"),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    account = desk.accept(number).payment.instruction("account")
    assert account is not None and desk.totals(desk.get(number)).total == TOTAL
    return shop, account


def _delivered(shop: FakeShop) -> None:
    shop.desk.instruct_shipping("2002")
    shop.desk.ship("2002", "2002-S1", "1234-5678-9013")
    shop.desk.deliver("2002", "2002-S1")


def _deposit(account: str, reference: str, amount: Money = TOTAL) -> Deposit:
    return Deposit(account, amount, "ﾐﾎﾝ ﾊﾅｺ", date(2026, 11, 24), reference)


def _back(deposit: Deposit) -> Deposit:
    return Deposit(
        deposit.account,
        deposit.amount,
        deposit.payer_name,
        date(2026, 11, 25),
        deposit.reference,
        cancelled=True,
    )


def test_taken_back_before_shipping_holds_the_order_until_paid_again() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    desk.reconcile_deposits([paid])
    assert desk.get("2002").status is OrderStatus.ALLOCATED

    report = desk.reconcile_deposits([_back(paid)])
    [order] = report.taken_back
    assert report.taken_by == {"R-1": ["2002"]} and report.not_taken_back == {}
    assert order.payment.received == Money.yen(0) and order.payment.refund_owed == Money.yen(0)
    assert [h.code for h in order.open_holds] == ["payment_shortfall"]
    assert isinstance(order.history[-2], DepositReversed)
    assert shop.notifier.sent[-1].kind == "payment_shortfall"
    with pytest.raises(MoveBlocked):
        desk.instruct_shipping("2002")

    again = desk.reconcile_deposits([_back(paid)])  # the bank's file read again: nothing more
    assert again.taken_back[0].version == order.version

    desk.reconcile_deposits([_deposit(account, "R-2")])  # the customer pays again
    order = desk.get("2002")
    assert order.payment.received == TOTAL and not order.open_holds
    assert desk.instruct_shipping("2002").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_second_payment_taken_back_is_no_longer_owed_back() -> None:
    shop, account = _shop()
    desk = shop.desk
    first, second = _deposit(account, "R-1"), _deposit(account, "R-2")
    desk.reconcile_deposits([first])
    assert desk.apply_deposit("2002", second).payment.refund_to_transfer == TOTAL  # 過入金

    [order] = desk.reconcile_deposits([_back(second)]).taken_back
    assert order.payment.received == TOTAL and order.payment.refund_to_transfer == Money.yen(0)
    assert not order.open_holds and desk.refunds_to_transfer() == []
    assert desk.instruct_shipping("2002").status is OrderStatus.SHIPPING_INSTRUCTED


def test_taken_back_after_shipping_holds_the_sale_until_paid() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    desk.reconcile_deposits([paid])
    _delivered(shop)

    [order] = desk.reconcile_deposits([_back(paid)]).taken_back
    assert order.status is OrderStatus.DELIVERED and order.payment.received == Money.yen(0)
    assert [h.code for h in order.open_holds] == ["payment_shortfall"]
    with pytest.raises(MoveBlocked):
        desk.book("2002")
    desk.reconcile_deposits([_deposit(account, "R-2")])
    assert desk.book("2002").status is OrderStatus.BOOKED


def test_a_cancelled_order_owes_back_only_what_the_bank_left() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    desk.reconcile_deposits([paid])
    assert desk.cancel("2002", reason="お客様都合").payment.refund_to_transfer == TOTAL

    [order] = desk.reconcile_deposits([_back(paid)]).taken_back
    assert order.payment.received - order.payment.refund_owed == Money.yen(0)
    assert order.payment.refund_to_transfer == Money.yen(0) and not order.open_holds
    assert desk.refunds_to_transfer() == []


def test_a_cancelled_order_paid_back_before_the_bank_took_it_says_what_to_collect() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    desk.reconcile_deposits([paid])
    desk.cancel("2002", reason="お客様都合")
    desk.record_refund_transfer("2002", TOTAL, reference="T-1")

    [order] = desk.reconcile_deposits([_back(paid)]).taken_back
    [hold] = order.open_holds
    assert hold.code == "deposit_reversed" and "2160" in hold.message
    assert order.payment.refund_to_transfer == Money.yen(0)


def test_a_booked_order_is_left_to_the_books() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    desk.reconcile_deposits([paid])
    _delivered(shop)
    booked = desk.book("2002")

    report = desk.reconcile_deposits([_back(paid)])
    assert report.taken_back == [] and report.not_taken_back == {"R-1": ["2002"]}
    assert desk.get("2002") == booked


def test_a_reversal_of_another_amount_is_left_to_a_person() -> None:
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1")
    before = desk.reconcile_deposits([paid]).orders[0]
    odd = _back(_deposit(account, "R-1", Money.yen(1000)))
    report = desk.reconcile_deposits([odd, _deposit(account, "R-2")])
    assert report.reversed == (odd,) and report.not_taken_back == {"R-1": ["2002"]}
    assert report.taken_back == [] and desk.get("2002").payment.received == TOTAL * 2
    assert before.payment.received == TOTAL


def test_a_cancel_after_an_over_payment_paid_back_and_taken_back_says_what_to_collect() -> None:
    """Over-paid by ¥500, ¥250 of it transferred back, then the bank took the transfer back:
    the customer owes the ¥250 the shop paid back. A person cannot clear the shortfall before
    shipping (it lifts itself when the money comes); cancelled, the order is held with what to
    collect; a deposit of it settles the order."""
    shop, account = _shop()
    desk = shop.desk
    paid = _deposit(account, "R-1", TOTAL + Money.yen(500))
    desk.reconcile_deposits([paid])
    desk.record_refund_transfer("2002", Money.yen(250), reference="T-1")
    [order] = desk.reconcile_deposits([_back(paid)]).taken_back
    assert order.payment.received - order.payment.refund_owed == Money.yen(-250)
    with pytest.raises(InvalidValue, match="code"):
        desk.clear_hold("2002", "payment_shortfall")
    assert desk.get("2002") == order

    order = desk.cancel("2002", reason="お客様都合")
    [hold] = order.open_holds
    assert hold.code == "deposit_reversed" and "250" in hold.message
    assert order.payment.refund_to_transfer == Money.yen(0)

    settled = desk.apply_deposit("2002", _deposit(account, "R-2", Money.yen(250)))
    assert settled.payment.received - settled.payment.refund_owed == Money.yen(0)
    assert settled.payment.refund_to_transfer == Money.yen(0) and not settled.open_holds

"""An over-payment owed back and not transferred yet is owed no more once the order needs it.

Before, a bank transfer order paid ¥100 too much (a ``refund`` notice: ¥100 comes back) whose
total then went up by ¥1,080 asked the customer for ¥1,080 while ``refunds_to_transfer`` still
listed the ¥100 (told to pay money they had paid; a total up by ¥50 asked for ¥50 and still
paid back ¥100). And an over-payment the bank took back (取消) stopped being owed back without a
word to the customer, who had been told it would come back.
"""

from __future__ import annotations

from datetime import date

from orderflow import Address, Customer, Deposit, Money, OrderLine, PaymentMethod
from orderflow.domain.changes import OrderChange
from orderflow.testing import FakeShop, fake_shop

TOTAL = Money.yen(2160)


def _shop() -> tuple[FakeShop, str]:
    shop = fake_shop({("TOKYO", "TEA-1"): 10, ("TOKYO", "CUP-1"): 10})
    desk = shop.desk
    desk.place(
        number="2002",
        customer=Customer("C1", "見本 花子", "hanako@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678"),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    account = desk.accept("2002").payment.instruction("account")
    assert account is not None and desk.totals(desk.get("2002")).total == TOTAL
    return shop, account


def _deposit(account: str, reference: str, amount: Money, *, back: bool = False) -> Deposit:
    return Deposit(account, amount, "ﾐﾎﾝ ﾊﾅｺ", date(2026, 11, 24), reference, cancelled=back)


def _overpaid(shop: FakeShop, account: str) -> None:
    shop.desk.reconcile_deposits([_deposit(account, "R1", TOTAL + Money.yen(100))])
    assert shop.desk.get("2002").payment.refund_to_transfer == Money.yen(100)
    assert [n.kind for n in shop.notifier.sent][-1] == "refund"


def _told(shop: FakeShop, kind: str) -> list[dict[str, object]]:
    sent = [dict(n.facts) for n in shop.notifier.sent if n.kind == kind]
    return [{k: v for k, v in facts.items() if k != "name"} for facts in sent]


def test_a_total_up_by_more_than_the_excess_asks_only_for_what_is_missing() -> None:
    shop, account = _shop()
    _overpaid(shop, account)
    shop.desk.change("2002", OrderChange(quantities={"L1": 3}))  # ¥3,240 now
    order = shop.desk.get("2002")
    assert order.payment.refund_to_transfer == Money.yen(0)
    assert shop.desk.refunds_to_transfer() == []
    [short] = _told(shop, "payment_shortfall")
    assert short["shortfall"] == Money.yen(980)  # 3,240 - 2,260 paid
    assert [h.code for h in order.open_holds] == ["payment_shortfall"]
    assert _told(shop, "refund_withdrawn") == [{"amount": Money.yen(100), "owed": Money.yen(0)}]
    shop.desk.reconcile_deposits([_deposit(account, "R2", Money.yen(980))])
    order = shop.desk.get("2002")
    assert not order.open_holds and order.payment.received == Money.yen(3240)
    assert shop.desk.refunds_to_transfer() == []


def test_a_total_up_by_less_than_the_excess_pays_back_the_rest() -> None:
    shop, account = _shop()
    _overpaid(shop, account)
    shop.desk.change(
        "2002", OrderChange(add_lines=(OrderLine("L2", "CUP-1", "茶托", Money.yen(54), 1),))
    )  # ¥2,214 now
    order = shop.desk.get("2002")
    assert not order.open_holds and _told(shop, "payment_shortfall") == []
    assert order.payment.refund_to_transfer == Money.yen(46)
    assert _told(shop, "refund_withdrawn") == [{"amount": Money.yen(54), "owed": Money.yen(46)}]


def test_an_excess_already_transferred_back_is_asked_for_again() -> None:
    shop, account = _shop()
    _overpaid(shop, account)
    shop.desk.record_refund_transfer("2002", Money.yen(100), reference="T1")
    shop.desk.change("2002", OrderChange(quantities={"L1": 3}))
    [short] = _told(shop, "payment_shortfall")
    assert short["shortfall"] == Money.yen(1080)
    assert _told(shop, "refund_withdrawn") == []


def test_an_over_payment_the_bank_takes_back_corrects_the_refund_told() -> None:
    shop, account = _shop()
    shop.desk.reconcile_deposits([_deposit(account, "R1", TOTAL)])
    shop.desk.reconcile_deposits([_deposit(account, "R2", Money.yen(100))])
    assert _told(shop, "refund") == [{"amount": Money.yen(100), "paid_back_by": "transfer"}]
    shop.desk.reconcile_deposits([_deposit(account, "R2", Money.yen(100), back=True)])
    assert shop.desk.refunds_to_transfer() == []
    assert _told(shop, "refund_withdrawn") == [{"amount": Money.yen(100), "owed": Money.yen(0)}]
    assert not shop.desk.get("2002").open_holds

"""Payments beyond the card's happy path, used as a shop developer would: one test per defect.

Bank transfers (入金消込), 代引き fee tables, deposits read from a bank's own API: each test drives
the public API on the fakes and checks what the shop sees.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orderflow import (
    CodFeeTable,
    Deposit,
    Money,
    OrderChange,
    OrderStatus,
    PaymentMethod,
    normalize_payer_name,
    payer_search_key,
    payment_confirmed,
)
from orderflow.domain.order import Payment
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import STOCK, place


def _shop() -> FakeShop:
    return fake_shop(dict(STOCK), points={"C1": 1000})


def _deposit(s: FakeShop, number: str, reference: str) -> Deposit:
    order = s.desk.get(number)
    account = order.payment.instruction("account")
    assert account is not None
    return Deposit(account, s.desk.totals(order).total, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 24), reference)


def _stuck_and_waiting(s: FakeShop) -> None:
    """1001 waits for its transfer and is stuck (the points provider keeps refusing to give
    back points a change returned: ``effect_refused``); 1002 waits for its transfer."""
    place(s, "1001", payment_method=PaymentMethod.BANK_TRANSFER, points_used=100)
    s.desk.accept("1001")
    place(s, "1002", payment_method=PaymentMethod.BANK_TRANSFER)
    s.desk.accept("1002")
    s.points.fail_next("restore", Fault.DECLINE, times=100)
    s.desk.change("1001", OrderChange(points_used=0))  # refused three times: effect_refused
    assert "effect_refused" in [h.code for h in s.desk.get("1001").open_holds]


def test_one_stuck_order_does_not_stop_the_other_deposits_of_a_reconciliation() -> None:
    s = _shop()
    _stuck_and_waiting(s)
    stuck, other = _deposit(s, "1001", "R1"), _deposit(s, "1002", "R2")

    report = s.desk.reconcile_deposits([stuck, other])  # raised EffectsPending for 1001

    assert s.desk.get("1002").payment.received == other.amount, (
        "1002's transfer was not applied because another order was stuck"
    )
    assert [o.number for o in report.orders] == ["1002"]
    assert report.retry == (stuck,)
    assert [number for number, _ in report.errors] == ["1001"]
    assert "EffectsPending" in report.errors[0][1]
    assert s.desk.get("1001").payment.received == Money.yen(0)

    s.points.clear_faults()  # the provider works again: the stuck order is finished
    s.desk.resume("1001")
    again = s.desk.reconcile_deposits([stuck, other])  # the file read again
    assert again.retry == () and again.reconciliation.repeated == (other,)
    assert s.desk.get("1001").payment.received == stuck.amount


def test_one_stuck_order_taking_back_a_reversed_deposit_does_not_stop_the_others() -> None:
    s = _shop()
    place(s, "1001", payment_method=PaymentMethod.BANK_TRANSFER, points_used=100)
    s.desk.accept("1001")
    paid = _deposit(s, "1001", "R1")
    s.desk.reconcile_deposits([paid])
    place(s, "1002", payment_method=PaymentMethod.BANK_TRANSFER)
    s.desk.accept("1002")
    s.points.fail_next("restore", Fault.DECLINE, times=100)
    s.desk.change("1001", OrderChange(points_used=0))  # refused three times: effect_refused
    reversal = Deposit(paid.account, paid.amount, paid.payer_name, paid.on, "R1", cancelled=True)
    other = _deposit(s, "1002", "R2")

    report = s.desk.reconcile_deposits([reversal, other])

    assert s.desk.get("1002").payment.received == other.amount
    assert report.retry == (reversal,)
    assert [number for number, _ in report.errors] == ["1001"]


@pytest.mark.parametrize("flag", ["0", "1", 0, 1, None])
def test_a_deposit_whose_cancel_flag_is_not_true_or_false_is_refused_naming_it(
    flag: object,
) -> None:
    """A bank's API or CSV gives 取消区分 as text ("0"): it counted as a 取消, and nothing was
    applied."""
    with pytest.raises(InvalidValue) as refused:
        Deposit("101-1000001", Money.yen(3040), "ﾔﾏﾀﾞ", date(2026, 11, 24), "R1", cancelled=flag)  # type: ignore[arg-type]
    assert refused.value.field == "cancelled"


@pytest.mark.parametrize(
    ("brackets", "field"),
    [
        (((Money.yen(10_000), Money.yen(-330)),), "brackets[0]"),
        (((Money.yen(0), Money.yen(330)),), "brackets[0]"),
        (
            ((Money.yen(10_000), Money.yen(330)), (Money.yen(10_000), Money.yen(440))),
            "brackets",
        ),
    ],
    ids=["negative-fee", "no-amount", "same-bound-twice"],
)
def test_a_cod_fee_table_that_cannot_be_a_carriers_is_refused(
    brackets: tuple[tuple[Money, Money], ...], field: str
) -> None:
    """A negative fee lowered the order's total (a ¥4,180 order placed at ¥3,850); a bound given
    twice left its second fee unreachable."""
    with pytest.raises(InvalidValue) as refused:
        CodFeeTable(brackets)
    assert refused.value.field == field


def test_a_free_cod_bracket_is_taken() -> None:
    table = CodFeeTable(((Money.yen(10_000), Money.yen(0)), (Money.yen(30_000), Money.yen(440))))
    assert table.fee_for(Money.yen(5_000)) == Money.yen(0)


@pytest.mark.parametrize(
    ("raw", "display", "typed"),
    [
        ("ﾄﾞ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "(同)ヤマダシヨウジ", "ヤマダ ショウジ"),  # 合同会社: ド)
        ("ﾔﾏﾀﾞｼﾖｳｼﾞ(ﾄﾞ", "ヤマダシヨウジ(同)", "ヤマダ ショウジ"),
        ("ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ)ﾁﾊﾞｼﾃﾝ", "ヤマダシヨウジ(株)チバシテン", "ヤマダショウジ チバシテン"),
        ("ﾒ)ｻﾄｳｼﾖｳﾃﾝ", "(名)サトウシヨウテン", "サトウ ショウテン"),  # 合名会社
        ("ｼ)ｻﾄｳｼﾖｳﾃﾝ", "(資)サトウシヨウテン", "サトウ ショウテン"),  # 合資会社
        ("ﾄｸﾋ)ﾐﾄﾞﾘﾉｶｲ", "(特非)ミドリノカイ", "ミドリノカイ"),  # 特定非営利活動法人
        ("ﾌｸ)ﾋｶﾘｴﾝ", "(福)ヒカリエン", "ヒカリエン"),  # 社会福祉法人
        ("カ)ヤマダシヨウジ", "(株)ヤマダシヨウジ", "ヤマダ ショウジ"),  # an API's full width
    ],
    ids=["do-prefix", "do-suffix", "ka-middle", "me", "shi", "tokuhi", "fuku", "full-width"],
)
def test_payer_names_with_the_banks_corporate_marks_are_found_by_what_people_type(
    raw: str, display: str, typed: str
) -> None:
    """The 全銀 法人略語 (ド for 合同会社, メ, シ, トクヒ …) and a mark in the middle of a name,
    ``(ｶ)``, were left in: the key of a 合同会社's transfer was ドヤマダシヨウジ, which no
    operator typing the company's name finds."""
    assert normalize_payer_name(raw) == display
    assert payer_search_key(raw) == payer_search_key(typed)


@pytest.mark.parametrize(
    ("method", "waits"),
    [
        (PaymentMethod.KONBINI, "payment_pending"),
        (PaymentMethod.BANK_TRANSFER, "payment_pending"),
        (PaymentMethod.POSTPAY, "postpay_review"),
    ],
    ids=["konbini", "bank", "postpay-review"],
)
def test_a_change_to_a_method_that_waits_reserves_no_stock_before_it_is_paid(
    method: PaymentMethod, waits: str
) -> None:
    """An accepted order waiting for its money keeps no stock (as at acceptance); a change of
    method cleared the old wait and allocated the order before the new one's wait was raised:
    stock held for an unpaid order (a transfer has no deadline to give it back)."""
    s = _shop()
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    start = PaymentMethod.BANK_TRANSFER if method is not PaymentMethod.BANK_TRANSFER else None
    place(s, "1001", payment_method=start or PaymentMethod.KONBINI)
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.UNALLOCATED and not order.allocations

    order = s.desk.change("1001", OrderChange(payment_method=method)).order

    assert [h.code for h in order.open_holds] == [waits]
    assert order.status is OrderStatus.UNALLOCATED, "stock reserved for an order not paid"
    assert not order.allocations and s.inventory.stock("TOKYO", "TEA-1").reserved == 0
    if method is PaymentMethod.POSTPAY:
        reference = order.payment.instruction("reference")
        assert reference is not None
        s.postpay.decide(reference, CreditStatus.APPROVED)
        order = s.desk.refresh_postpay("1001")
    elif method is PaymentMethod.KONBINI:
        total = s.desk.totals(order).total
        order = s.desk.record_konbini_payment("1001", reference="K1", amount=total)
    else:
        [order] = s.desk.reconcile_deposits([_deposit(s, "1001", "R1")]).orders
    assert order.status is OrderStatus.ALLOCATED and not order.open_holds  # paid: it goes on


def _card_held_authorization_failed() -> FakeShop:
    """A card order whose re-authorization the card refused: held ``authorization_failed``."""
    s = fake_shop(dict(STOCK), decline_tokens=frozenset({"tok_closed"}))
    place(s, "1001")
    s.desk.accept("1001")
    s.desk.raise_hold("1001", "customer_call", "お客様へ確認")
    s.clock.advance(timedelta(days=28))
    s.gateway.fail_next("authorize", Fault.DECLINE)  # the card expired since
    s.desk.reauthorize_expiring()
    assert "authorization_failed" in [h.code for h in s.desk.get("1001").open_holds]
    return s


def test_a_new_card_for_a_card_order_is_authorized_and_the_old_one_voided() -> None:
    """The customer gives another card: OrderChange(token=...) was accepted and ignored (the
    order kept the refused card and its hold, the customer was told of a change)."""
    s = _card_held_authorization_failed()
    before = s.desk.get("1001")
    total = s.desk.totals(before).total

    order = s.desk.change("1001", OrderChange(token="tok_new")).order

    assert order.payment.token == "tok_new"
    assert [c.request[2] for c in s.gateway.calls_to("authorize")][-1] == "tok_new"
    assert "authorization_failed" not in [h.code for h in order.open_holds]
    assert list(s.gateway.live_authorizations().values()) == [total]  # the old one voided
    assert s.desk.payment_confirmed(order)


def test_a_new_card_the_gateway_refuses_changes_nothing() -> None:
    s = _card_held_authorization_failed()
    before = s.desk.get("1001")

    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", OrderChange(token="tok_closed"))

    order = s.desk.get("1001")
    assert order.payment.token == before.payment.token
    assert [h.code for h in order.open_holds] == [h.code for h in before.open_holds]


def test_the_same_card_again_is_no_change() -> None:
    s = fake_shop(dict(STOCK))
    place(s, "1001")
    order = s.desk.get("1001")
    sent = len(s.notifier.sent)

    again = s.desk.change("1001", OrderChange(token=order.payment.token)).order

    assert again.version == s.desk.get("1001").version == order.version, "saved a change"
    assert len(s.notifier.sent) == sent, "the customer was told of a change"


def test_a_transfer_made_before_the_order_held_its_reused_account_is_not_its() -> None:
    """Virtual accounts are reused: a transfer dated before the account went to this order was
    made to the order that held it then. It was credited to the new holder (whose goods then
    shipped on another customer's money)."""
    s = fake_shop(dict(STOCK))
    place(s, "1001", payment_method=PaymentMethod.BANK_TRANSFER)
    s.desk.accept("1001")
    first = s.desk.get("1001")
    account = first.payment.instruction("account")
    assert account is not None
    s.desk.cancel("1001", reason="お客様都合")  # the account goes back to the bank's pool
    s.clock.advance(timedelta(days=2))
    place(s, "1002", payment_method=PaymentMethod.BANK_TRANSFER)
    s.desk.accept("1002")
    assert s.desk.get("1002").payment.instruction("account") == account  # reused
    total = s.desk.totals(first).total
    day = s.clock.now().date()
    paid_before = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", day - timedelta(days=2), "R-old")

    report = s.desk.reconcile_deposits([paid_before])

    assert report.unmatched == (paid_before,), "another customer's transfer credited to 1002"
    assert s.desk.get("1002").payment.received == Money.yen(0)
    paid_now = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", day, "R-new")  # the day it was given: its
    matched = s.desk.reconcile_deposits([paid_now]).reconciliation.matched
    assert [m.order_number for m in matched] == ["1002"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((None, Money.yen(1)), "payment"),
        ((Payment(PaymentMethod.CARD, "JPY", "tok", ()), 100), "total"),
        ((Payment(PaymentMethod.CARD, "JPY", "tok", ()), Money.yen(1), "2026-11-24"), "now"),
    ],
    ids=["no-payment", "total-as-int", "now-as-text"],
)
def test_payment_confirmed_refuses_what_is_not_a_payment_naming_it(
    args: tuple[object, ...], field: str
) -> None:
    """The pure rule let AttributeError out, or answered False for a text ``now``."""
    with pytest.raises(InvalidValue) as refused:
        payment_confirmed(*args)  # type: ignore[arg-type]
    assert refused.value.field == field

"""Bank transfer, konbini and 後払い combined with changes, splits and returns: one test per defect.

Each drives the desk on the fakes through a sequence a shop meets and checks what the shop sees:
the order's holds and payment, the provider's claim, the deposit report, the held list.
"""

from __future__ import annotations

from datetime import date

import pytest

from orderflow import (
    Deposit,
    Disposition,
    MatchKind,
    Money,
    OrderChange,
    OrderStatus,
    PaymentMethod,
    QueueQuery,
    ReturnReason,
)
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, TRACKING, place

NUMBER = "1001"


def _shop() -> FakeShop:
    return fake_shop(dict(STOCK))


def _total(s: FakeShop, number: str = NUMBER) -> Money:
    return s.desk.totals(s.desk.get(number)).total


def _deposit(s: FakeShop, amount: Money, reference: str, number: str = NUMBER) -> Deposit:
    account = s.desk.get(number).payment.instruction("account")
    assert account is not None
    return Deposit(account, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 24), reference)


def test_a_postpay_amend_sent_to_review_is_decided_by_refresh_postpay() -> None:
    s = _shop()
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    s.postpay.decide(reference, CreditStatus.PENDING)  # the provider reviews the higher amount

    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 3})).order
    assert [h.code for h in order.open_holds] == ["postpay_review"]
    assert not s.desk.payment_confirmed(order), "an amount under review counted as approved"

    s.postpay.decide(reference, CreditStatus.APPROVED)
    order = s.desk.refresh_postpay(NUMBER)

    assert not order.open_holds, "the review hold stayed after the provider approved"
    assert s.desk.payment_confirmed(order)
    assert s.postpay.claims[reference]["amount"] == _total(s)
    s.desk.instruct_shipping(NUMBER)
    s.desk.ship(NUMBER, f"{NUMBER}-S1", TRACKING)
    assert s.postpay.billable() == {reference: _total(s)}


def test_a_postpay_amend_declined_after_review_is_not_shipped() -> None:
    s = _shop()
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    s.postpay.decide(reference, CreditStatus.PENDING)
    s.desk.change(NUMBER, OrderChange(quantities={"L1": 3}))

    s.postpay.decide(reference, CreditStatus.DECLINED)
    order = s.desk.refresh_postpay(NUMBER)

    assert order.status is OrderStatus.CANCELLED  # the shop's default: a declined 後払い cancels
    assert s.postpay.claims[reference]["cancelled"]
    assert s.postpay.billable() == {}


def test_amends_under_review_at_the_last_parcel_are_all_decided_by_one_refresh() -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 0, ("TOKYO", "CAKE-1"): 5})
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    order = s.desk.ship_available(NUMBER)
    s.desk.ship(NUMBER, order.shipments[0].shipment_id, TRACKING)
    s.postpay.decide(reference, CreditStatus.PENDING)  # the smaller claim goes to review
    order = s.desk.drop_missing(NUMBER, reason="廃番")
    assert "postpay_review" in [h.code for h in order.open_holds]

    s.postpay.decide(reference, CreditStatus.APPROVED)
    order = s.desk.refresh_postpay(NUMBER)

    assert "postpay_review" not in [h.code for h in order.open_holds]
    assert s.desk.payment_confirmed(order), "a request under review was left undecided"
    assert s.postpay.billable() == {reference: _total(s)}


def test_a_split_parent_leaves_the_held_list() -> None:
    s = _shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    waiting = s.desk.accept(NUMBER)
    assert [h.code for h in waiting.open_holds] == ["payment_pending"]

    parts = s.desk.split(NUMBER, [{"L1": 2}, {"L2": 1, "L3": 1}], reason="羊羹の入荷待ち")

    parent = s.desk.get(NUMBER)
    assert parent.status is OrderStatus.CANCELLED
    assert not parent.open_holds, "the split parent still waits for a transfer nobody asks"
    held = s.desk.queue(QueueQuery.held())
    assert held == [p.number for p in parts]
    assert s.desk.queue_counts()["held"] == 2


def test_a_deposit_after_a_return_is_reported_as_the_order_counts_it() -> None:
    s = _shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    s.desk.accept(NUMBER)
    s.desk.reconcile_deposits([_deposit(s, _total(s), "D1")])
    s.desk.instruct_shipping(NUMBER)
    s.desk.ship(NUMBER, f"{NUMBER}-S1", TRACKING)
    s.desk.deliver(NUMBER, f"{NUMBER}-S1")
    s.desk.request_return(NUMBER, {"L2": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return(NUMBER, "R1", [Disposition("L2", 1, "TOKYO")])
    before = s.desk.get(NUMBER).payment.refund_owed

    report = s.desk.reconcile_deposits([_deposit(s, Money.yen(1000), "D2")])

    (match,) = report.reconciliation.matched
    order = s.desk.get(NUMBER)
    assert order.payment.refund_owed - before == Money.yen(1000)  # the order owes it all back
    assert match.kind is MatchKind.OVER, "the report called an over-payment short"
    assert match.excess == Money.yen(1000)


def test_a_paid_konbini_order_cannot_grow_past_what_the_shop_still_keeps() -> None:
    from orderflow.errors import InvalidValue

    s = _shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.accept(NUMBER)
    paid = _total(s)
    s.desk.record_konbini_payment(NUMBER, reference="K1", amount=paid)
    s.desk.change(NUMBER, OrderChange(quantities={"L1": 1}))  # the excess is owed back
    smaller = s.desk.get(NUMBER)
    assert smaller.payment.refund_to_transfer == paid - _total(s)

    with pytest.raises(InvalidValue) as refused:  # back up: the excess is owed back already,
        s.desk.change(NUMBER, OrderChange(quantities={"L1": 2}))  # and no number can ask more
    assert refused.value.field == "total"
    order = s.desk.get(NUMBER)
    assert not any(h.code == "payment_shortfall" for h in order.open_holds), (
        "a konbini order was held for a shortfall no number can pay"
    )
    assert s.desk.payment_confirmed(order)
    assert order.version == smaller.version  # refused: nothing changed


def test_a_konbini_number_issued_after_a_refusal_lifts_the_refusals_hold() -> None:
    from orderflow.testing import Fault

    s = _shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.accept(NUMBER)
    s.konbini.fail_next("issue", Fault.DECLINE)
    refused = s.desk.change(NUMBER, OrderChange(quantities={"L1": 3})).order
    assert "konbini_reissue_failed" in [h.code for h in refused.open_holds]
    assert refused.payment.instruction("amount") != str(_total(s).amount)  # the old number

    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 4})).order  # a number this time
    assert order.payment.instruction("amount") == str(_total(s).amount)
    assert "konbini_reissue_failed" not in [h.code for h in order.open_holds]

    order = s.desk.record_konbini_payment(NUMBER, reference="K1", amount=_total(s))
    assert not order.open_holds, "a paid order stayed held for a refusal a new number undid"
    assert order.status is OrderStatus.ALLOCATED


def _island_transfer_order() -> FakeShop:
    """Order 1001 placed by bank transfer to 佐渡 (離島: the review adds a surcharge)."""
    from orderflow import Address, OrderLine, TaxRate

    s = _shop()
    sado = Address("952-0000", "新潟県", "佐渡市", "1-2-3", "山田 太郎", "03-1234-5678")
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED)
    place(s, order_lines=[tea], ship_to=sado, payment_method=PaymentMethod.BANK_TRANSFER)
    return s


def test_a_transfer_order_whose_total_the_review_moved_is_asked_the_new_amount() -> None:
    from orderflow.i18n import format_money

    s = _island_transfer_order()
    asked = _total(s)
    order = s.desk.accept(NUMBER)  # 離島: the review adds the island surcharge
    new_total = _total(s)
    assert new_total > asked

    requests = [n for n in s.notifier.sent if n.kind == "payment_request_bank"]
    assert [n.fact("total") for n in requests] == [asked, new_total], (
        "the customer was left with the old amount to transfer"
    )
    assert format_money(new_total, "ja") in requests[-1].body
    account = order.payment.instruction("account_number")
    assert account is not None and account in requests[-1].body

    s.desk.change(NUMBER, OrderChange(quantities={"L1": 3}))  # a change asks again, too
    last = [n for n in s.notifier.sent if n.kind == "payment_request_bank"][-1]
    assert last.fact("total") == _total(s)
    s.desk.change(NUMBER, OrderChange(delivery_slot="午前中"))  # the same total: asked once
    assert [n.kind for n in s.notifier.sent].count("payment_request_bank") == 3


def test_clearing_a_refused_konbini_reissue_asks_for_the_number_again() -> None:
    from orderflow.testing import Fault

    s = _shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.accept(NUMBER)
    s.konbini.fail_next("issue", Fault.DECLINE)
    s.desk.change(NUMBER, OrderChange(quantities={"L1": 3}))
    slips = len(s.konbini.slips)

    order = s.desk.clear_hold(NUMBER, "konbini_reissue_failed")

    assert len(s.konbini.slips) == slips + 1, "clearing the hold asked the provider for nothing"
    assert order.payment.instruction("amount") == str(_total(s).amount)
    assert [h.code for h in order.open_holds] == ["payment_pending"]
    order = s.desk.record_konbini_payment(NUMBER, reference="K1", amount=_total(s))
    assert not order.open_holds and order.status is OrderStatus.ALLOCATED


def test_a_transfer_paid_before_the_review_added_a_fee_is_told_the_shortfall() -> None:
    s = _island_transfer_order()
    paid = _total(s)
    s.desk.reconcile_deposits([_deposit(s, paid, "D1")])  # paid in full, as asked, at once
    sent = len(s.notifier.sent)

    order = s.desk.accept(NUMBER)  # 離島: the review adds the island surcharge

    assert "payment_shortfall" in [h.code for h in order.open_holds]
    told = [n for n in s.notifier.sent[sent:] if n.kind == "payment_shortfall"]
    assert len(told) == 1, "the order waits for money the customer was never asked for"
    assert told[0].fact("shortfall") == _total(s) - paid
    s.desk.change(NUMBER, OrderChange(delivery_slot="午前中"))  # the same total: told once
    assert [n.kind for n in s.notifier.sent].count("payment_shortfall") == 1

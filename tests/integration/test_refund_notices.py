"""返金: each refund tells how the money comes back; a refused one is owed by transfer."""

from __future__ import annotations

import pytest

from orderflow import (
    Disposition,
    Money,
    OrderChange,
    OrderLine,
    PartialPayment,
    PaymentMethod,
    PaymentOp,
    ReturnReason,
    ShopSettings,
    TaxRate,
)
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.notices.blocks import refund_note
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import address, customer, finish, pay_in_full, place, shop


def booked(method: PaymentMethod) -> FakeShop:
    """A shop whose order 1001, paid by ``method``, is booked."""
    s = shop()
    place(s, payment_method=method)
    pay_in_full(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)
    return s


@pytest.mark.parametrize(
    "method",
    [PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI, PaymentMethod.COD],
)
def test_a_goodwill_refund_sends_one_refund_notice_with_the_way_back(
    method: PaymentMethod,
) -> None:
    s = booked(method)
    before = len(s.notifier.sent)
    order = s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    sent = s.notifier.sent[before:]
    assert [n.kind for n in sent] == ["refund"]
    notice = sent[0]
    assert notice.order is not None and notice.order.payment_method is method
    assert refund_note(method, notice.locale) in notice.text
    assert "1,000" in notice.text
    if method is not PaymentMethod.CARD:  # owed back by transfer, and said so
        assert order.payment.refund_owed == Money.yen(1000)
        assert refund_note(method, notice.locale) != refund_note(PaymentMethod.CARD, "ja")


def test_a_refused_card_refund_is_owed_by_transfer_and_cannot_be_paid_twice() -> None:
    s = booked(PaymentMethod.CARD)
    captured = s.desk.get("1001").payment.captured
    s.gateway.fail_next("refund", Fault.DECLINE)
    before = len(s.notifier.sent)
    with pytest.raises(PaymentDeclined) as raised:
        s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    assert raised.value.code == "refund_refused"
    order = s.desk.get("1001")
    assert [h.code for h in order.open_holds] == ["refund_failed"]
    assert order.payment.refunded == Money.yen(0)
    assert order.payment.refund_owed == Money.yen(1000)  # a person transfers it
    assert s.desk.refundable(order) == captured - Money.yen(1000)
    [notice] = s.notifier.sent[before:]
    assert notice.kind == "refund"
    assert refund_note(PaymentMethod.CARD, notice.locale, by_transfer=True) in notice.text
    assert refund_note(PaymentMethod.CARD, notice.locale) not in notice.text
    # the whole capture again through the gateway: only what was not owed back yet may go
    with pytest.raises(InvalidValue):
        s.desk.refund("1001", captured, reason="all of it")
    s.desk.refund("1001", captured - Money.yen(1000), reason="the rest")
    assert s.desk.refundable(s.desk.get("1001")) == Money.yen(0)
    refunded = sum(c["refunded"].amount for c in s.gateway.captures.values())
    assert refunded == (captured - Money.yen(1000)).amount


def per_parcel_order() -> FakeShop:
    """Order 1001 captured per parcel (分納): ¥3,280 with the first parcel, ¥1,080 with the last."""
    s = fake_shop(
        {("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10},
        settings=ShopSettings(partial_payment=PartialPayment.PER_SHIPMENT),
    )
    lines = [
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
    ]
    s.desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines, token="tok_ok")
    s.desk.accept("1001")
    s.desk.ship_available("1001")
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    s.desk.ship("1001", "1001-S2", "1234-5678-9024")
    s.desk.deliver("1001", "1001-S1")
    order = s.desk.deliver("1001", "1001-S2")
    captures = [e.amount for e in order.payment.ledger if e.op is PaymentOp.CAPTURE]
    assert captures == [Money.yen(3280), Money.yen(1080)]
    return s


def test_a_refund_paid_from_two_parcels_captures_sends_one_notice_of_the_whole_amount() -> None:
    s = per_parcel_order()
    before = len(s.notifier.sent)
    order = s.desk.refund("1001", Money.yen(2000), reason="お詫び")
    refunds = [e.amount for e in order.payment.ledger if e.op is PaymentOp.REFUND]
    assert refunds == [Money.yen(1080), Money.yen(920)]  # the newest capture first
    sent = s.notifier.sent[before:]
    assert [n.kind for n in sent] == ["refund"]  # not ¥1,080 and then ¥920
    assert dict(sent[0].facts)["amount"] == Money.yen(2000)
    assert "2,000" in sent[0].text


def test_a_return_paid_from_two_parcels_captures_sends_one_refund_notice() -> None:
    s = per_parcel_order()
    s.desk.request_return("1001", {"L1": 1, "L2": 1}, ReturnReason.DEFECTIVE)
    before = len(s.notifier.sent)
    order = s.desk.receive_return(
        "1001", "R1", [Disposition("L1", 1, "TOKYO"), Disposition("L2", 1, "TOKYO")]
    )
    paid_back = order.returns[0].paid_back
    assert paid_back == Money.yen(2200 + 1080)
    sent = s.notifier.sent[before:]
    assert [(n.kind, dict(n.facts).get("amount")) for n in sent] == [
        ("refund", paid_back),
        ("return_refunded", None),
    ]


def test_a_part_the_gateway_refuses_is_owed_by_transfer_and_the_rest_told_on_its_own() -> None:
    s = per_parcel_order()
    s.gateway.fail_next("refund", Fault.DECLINE)  # the newest capture's part
    before = len(s.notifier.sent)
    with pytest.raises(PaymentDeclined):
        s.desk.refund("1001", Money.yen(2000), reason="お詫び")
    order = s.desk.get("1001")
    assert order.payment.refund_owed == Money.yen(1080)
    assert order.payment.refunded == Money.yen(920)
    sent = [(n.kind, dict(n.facts)) for n in s.notifier.sent[before:]]
    assert [(kind, facts["amount"], facts.get("paid_back_by")) for kind, facts in sent] == [
        ("refund", Money.yen(1080), "transfer"),
        ("refund", Money.yen(920), None),
    ]


def test_a_paid_konbini_order_whose_rest_is_dropped_is_told_the_excess_comes_by_transfer() -> None:
    """分納 of an order paid at the konbini, the rest dropped: ¥1,080 is owed back, and the
    customer (who has no account on file) hears of it and is asked for one."""
    s = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10})
    lines = [
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
    ]
    order = s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines,
        payment_method=PaymentMethod.KONBINI,
    )
    total = order.totals(s.desk.settings.tax).total
    s.desk.record_konbini_payment("1001", amount=total, reference="K-1")
    s.desk.accept("1001")
    s.desk.ship_available("1001")
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    before = len(s.notifier.sent)
    order = s.desk.drop_missing("1001")
    assert order.payment.refund_owed == Money.yen(1080)
    refunds = [n for n in s.notifier.sent[before:] if n.kind == "refund"]
    assert [(dict(n.facts)["amount"], dict(n.facts)["paid_back_by"]) for n in refunds] == [
        (Money.yen(1080), "transfer")
    ]
    assert refund_note(PaymentMethod.KONBINI, refunds[0].locale) in refunds[0].text


def test_a_paid_bank_transfer_order_changed_to_less_is_told_the_excess_comes_back() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    pay_in_full(s)
    before = len(s.notifier.sent)
    order = s.desk.change("1001", OrderChange(quantities={"L1": 1})).order
    owed = order.payment.refund_owed
    assert owed.amount > 0
    refunds = [n for n in s.notifier.sent[before:] if n.kind == "refund"]
    assert [(dict(n.facts)["amount"], dict(n.facts)["paid_back_by"]) for n in refunds] == [
        (owed, "transfer")
    ]

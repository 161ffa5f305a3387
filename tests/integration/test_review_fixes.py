"""Defects a review of the effect engine found, each pinned by the behaviour that fixes it."""

from datetime import timedelta

import pytest

from orderflow import Money, OrderChange, OrderLine, OrderStatus, PaymentMethod, ShopSettings
from orderflow.domain.payments import HoldCode
from orderflow.errors import EffectsPending, MoveBlocked, PaymentDeclined
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import address, customer

NUMBER = "1001"
TRACKING = "123456789013"


def shop() -> FakeShop:
    return fake_shop(
        {("TOKYO", "TEA-1"): 5, ("TOKYO", "MUG-1"): 5},
        settings=ShopSettings(auto_advance=False),
        points={"C1": 2000},
    )


def lines() -> list[OrderLine]:
    return [
        OrderLine("L1", "TEA-1", "茶", Money.yen(1000), 2),
        OrderLine("L2", "MUG-1", "湯呑", Money.yen(3000), 1),
    ]


def place(s: FakeShop, **changes: object) -> None:
    args: dict[str, object] = {
        "number": NUMBER,
        "customer": customer(),
        "ship_to": address(),
        "lines": lines(),
        "token": "tok_ok",
        "shipping_fee": Money.yen(880),
    }
    args.update(changes)
    s.desk.place(**args)  # type: ignore[arg-type]


def to_instructed(s: FakeShop, **changes: object) -> str:
    place(s, **changes)
    s.desk.accept(NUMBER)
    s.desk.allocate(NUMBER)
    return s.desk.instruct_shipping(NUMBER).shipments[0].shipment_id


def test_an_order_whose_capture_was_refused_is_not_booked() -> None:
    s = shop()
    shipment = to_instructed(s)
    s.gateway.fail_next("capture", Fault.DECLINE)
    s.desk.ship(NUMBER, shipment, TRACKING)
    s.desk.deliver(NUMBER, shipment)
    with pytest.raises(MoveBlocked, match="capture_failed"):
        s.desk.book(NUMBER)
    assert s.accounting.entries == []
    order = s.desk.clear_hold(NUMBER, HoldCode.CAPTURE_FAILED)  # asks the card again
    assert order.payment.captured == s.desk.totals(order).total
    assert s.desk.book(NUMBER).status is OrderStatus.BOOKED


def test_a_lapsed_authorization_refused_at_shipping_can_still_be_collected() -> None:
    s = shop()
    shipment = to_instructed(s)
    s.clock.advance(timedelta(days=31))
    s.gateway.fail_next("authorize", Fault.DECLINE)
    order = s.desk.ship(NUMBER, shipment, TRACKING)
    assert [h.code for h in order.open_holds] == [HoldCode.CAPTURE_FAILED]
    order = s.desk.clear_hold(NUMBER, HoldCode.CAPTURE_FAILED)
    assert order.payment.captured == s.desk.totals(order).total
    assert not order.open_holds


def test_a_change_to_cash_on_delivery_takes_effect_and_leaves_no_proposal() -> None:
    s = shop()
    place(s)
    s.desk.accept(NUMBER)
    order = s.desk.change(NUMBER, OrderChange(payment_method=PaymentMethod.COD)).order
    assert order.payment.method is PaymentMethod.COD
    assert order.proposal is None
    assert order.fees.amount > 0  # the COD fee
    assert s.gateway.live_authorizations() == {}


@pytest.mark.parametrize("method", [PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI])
def test_leaving_a_transfer_or_konbini_for_a_card_lifts_the_wait_for_money(
    method: PaymentMethod,
) -> None:
    s = shop()
    place(s, payment_method=method)
    s.desk.accept(NUMBER)
    s.desk.change(NUMBER, OrderChange(payment_method=PaymentMethod.CARD, token="tok_ok"))
    order = s.desk.allocate(NUMBER)
    assert not order.open_holds
    assert s.desk.instruct_shipping(NUMBER).status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_declined_order_whose_clean_up_was_refused_can_be_placed_again() -> None:
    s = shop()
    s.gateway.decline_tokens = frozenset({"tok_bad"})
    s.points.fail_next("restore", Fault.DECLINE)
    s.notifier.fail_next("send", Fault.DECLINE)
    with pytest.raises(PaymentDeclined):
        place(s, token="tok_bad", points_used=100)
    place(s, token="tok_good", points_used=100)
    order = s.desk.get(NUMBER)
    assert order.status is OrderStatus.ORDERED
    assert s.points.balances["C1"] == 1900  # taken once, given back once, taken again


def test_a_short_paid_konbini_order_that_expires_withdraws_its_number_and_owes_the_money() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.accept(NUMBER)
    s.desk.record_konbini_payment(NUMBER, reference="K1", amount=Money.yen(1000))
    s.clock.advance(timedelta(days=8))
    [order] = s.desk.expire_unpaid()
    assert order.status is OrderStatus.CANCELLED
    assert all(slip["cancelled"] for slip in s.konbini.slips.values())
    assert order.payment.refund_owed == Money.yen(1000)


def test_a_split_part_whose_payment_is_refused_is_held_not_dropped() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    s.desk.accept(NUMBER)
    s.desk.allocate(NUMBER)
    s.konbini.fail_next("issue", Fault.DECLINE)
    parts = s.desk.split(NUMBER, [{"L1": 2}, {"L2": 1}])
    assert [p.status for p in parts] == [OrderStatus.ALLOCATED, OrderStatus.ALLOCATED]
    assert [h.code for h in parts[0].open_holds] == [HoldCode.PAYMENT_REFUSED]


def test_a_stuck_obligation_stops_later_commands_instead_of_queueing_them() -> None:
    s = shop()
    shipment = to_instructed(s)
    s.desk.ship(NUMBER, shipment, TRACKING)
    s.desk.deliver(NUMBER, shipment)
    s.accounting.fail_next("post", Fault.DECLINE, times=50)
    order = s.desk.book(NUMBER)
    assert [h.code for h in order.open_holds] == [HoldCode.EFFECT_REFUSED]
    with pytest.raises(EffectsPending):
        s.desk.refund(NUMBER, Money.yen(500), reason="r", request_id="R1")
    assert s.desk.get(NUMBER).requests == ()  # the request id is not spent
    assert s.desk.resume_pending() == []  # nothing finished while the provider refuses
    s.accounting.clear_faults()  # the accounting system works again
    assert s.desk.resume(NUMBER).outbox == ()
    s.desk.clear_hold(NUMBER, HoldCode.EFFECT_REFUSED)
    refunded = s.desk.refund(NUMBER, Money.yen(500), reason="r", request_id="R1")
    assert refunded.payment.refunded == Money.yen(500)
    # the sale posted once (not again for the refused tries), then the refund's 売上値引 entry
    assert [e.reference for _, e in s.accounting.entries] == [NUMBER, f"{NUMBER}/G1"]

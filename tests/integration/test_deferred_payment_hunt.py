"""後払い, konbini and 代引き when the order then moves on: one test per defect found.

Each drives the desk on the fakes through a sequence a shop meets and checks what the shop sees:
the order's holds, outbox and payment, and what the provider was asked.
"""

from __future__ import annotations

from orderflow import Address, Money, OrderChange, OrderLine, OrderStatus, PaymentMethod
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import STOCK, TRACKING, place

NUMBER = "1001"


def _shop() -> FakeShop:
    return fake_shop(dict(STOCK))


def _last_parcel_under_review() -> tuple[FakeShop, str]:
    """A 後払い order shipped in part whose rest is dropped: the smaller claim goes to review."""
    s = fake_shop({("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 0, ("TOKYO", "CAKE-1"): 5})
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    order = s.desk.ship_available(NUMBER)
    s.desk.ship(NUMBER, order.shipments[0].shipment_id, TRACKING)
    s.postpay.decide(reference, CreditStatus.PENDING)
    return s, reference


def test_a_claim_declined_after_an_amend_review_is_cancelled_once() -> None:
    s = _shop()
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    s.postpay.decide(reference, CreditStatus.PENDING)  # the provider reviews the higher amount
    s.desk.change(NUMBER, OrderChange(quantities={"L1": 3}))
    s.postpay.decide(reference, CreditStatus.DECLINED)

    order = s.desk.refresh_postpay(NUMBER)

    assert order.status is OrderStatus.CANCELLED
    assert [c.request for c in s.postpay.calls_to("cancel")] == [(reference,)], (
        "the declined claim was cancelled twice (the second refused)"
    )
    assert not order.open_holds, "a cancelled order was left held effect_refused"
    assert order.outbox == ()
    assert order.payment.voided == order.payment.authorized  # what it held before the amend


def test_a_claim_under_review_at_the_last_parcel_is_not_reported_until_approved() -> None:
    s, reference = _last_parcel_under_review()

    order = s.desk.drop_missing(NUMBER, reason="廃番")

    assert [h.code for h in order.open_holds] == ["postpay_review"], (
        "a provider review called a person (effect_refused)"
    )
    assert order.outbox == ()
    assert s.postpay.calls_to("report_shipment") == [], "reported a claim under review"
    s.postpay.decide(reference, CreditStatus.APPROVED)
    order = s.desk.refresh_postpay(NUMBER)
    assert not order.open_holds
    total = s.desk.totals(order).total
    assert s.postpay.billable() == {reference: total}
    assert order.payment.captured == total


def test_a_claim_declined_after_the_last_parcel_left_does_not_block_the_order() -> None:
    s, reference = _last_parcel_under_review()
    s.desk.drop_missing(NUMBER, reason="廃番")
    s.postpay.decide(reference, CreditStatus.DECLINED)

    order = s.desk.refresh_postpay(NUMBER)  # was EffectsPending: a report refused for ever

    assert order.outbox == ()
    assert "effect_refused" not in [h.code for h in order.open_holds]
    assert "postpay_review" not in [h.code for h in order.open_holds]
    assert order.open_holds, "a shipped order whose claim was declined waits for a person"
    assert s.postpay.claims[reference]["cancelled"]
    assert s.postpay.billable() == {}


def _amend_refused(s: FakeShop) -> None:
    """A 後払い order whose claim the provider would not raise for more units (L1 ×3)."""
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    s.postpay.fail_next("amend", Fault.DECLINE)
    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 3})).order
    assert [h.code for h in order.open_holds] == ["postpay_declined"]


def test_a_change_back_to_what_the_claim_holds_lifts_the_refused_amends_hold() -> None:
    s = _shop()
    _amend_refused(s)

    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 2})).order  # as it was

    assert s.desk.payment_confirmed(order)
    assert not order.open_holds, "held 'choose another method' though the claim holds it all"
    assert order.status is OrderStatus.ALLOCATED  # it went on by itself
    s.desk.instruct_shipping(NUMBER)
    s.desk.ship(NUMBER, f"{NUMBER}-S1", TRACKING)
    reference = order.payment.instruction("reference")
    assert s.postpay.billable() == {reference: s.desk.totals(order).total}


def test_an_amend_approved_after_a_refused_one_lifts_its_hold() -> None:
    s = _shop()
    _amend_refused(s)

    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 4})).order  # approved now

    assert s.desk.payment_confirmed(order)
    assert not order.open_holds, "held 'choose another method' though the provider approved"
    assert order.status is OrderStatus.ALLOCATED


ISLAND = Address("952-0001", "新潟県", "佐渡市両津", "1-2-3", "山田 太郎", "03-1234-5678")
"""佐渡: the review adds the island surcharge (¥1,100) to the ¥880 given at order."""


def test_a_cod_fee_follows_the_island_fee_the_review_adds_at_acceptance() -> None:
    s = fake_shop({("TOKYO", "MUG-1"): 5})
    mugs = [OrderLine("L1", "MUG-1", "湯呑", Money.yen(2250), 4)]
    order = place(s, order_lines=mugs, payment_method=PaymentMethod.COD, ship_to=ISLAND, token=None)
    assert order.fees == Money.yen(330)  # ¥9,880 before the fee: up to ¥10,000

    order = s.desk.accept(NUMBER)

    assert order.shipping_fee == Money.yen(1980)
    assert order.fees == Money.yen(440), "¥10,980 before the fee pays the ¥440 bracket"
    assert s.desk.totals(order).total == Money.yen(9000 + 1980 + 440)
    s.desk.clear_hold(NUMBER, "remote_island")
    order = s.desk.instruct_shipping(NUMBER)
    assert order.shipments[0].cod_amount == Money.yen(11420)  # as a change of address says


def test_a_claim_declined_after_review_tells_the_customer_the_order_is_cancelled() -> None:
    s = _shop()
    s.postpay.decisions["C1"] = CreditStatus.PENDING
    place(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.accept(NUMBER)
    reference = s.desk.get(NUMBER).payment.instruction("reference")
    assert reference is not None
    told = len(s.notifier.sent)
    s.postpay.decide(reference, CreditStatus.DECLINED)

    order = s.desk.refresh_postpay(NUMBER)  # the shop's default: a declined 後払い cancels

    assert order.status is OrderStatus.CANCELLED
    kinds = [n.kind for n in s.notifier.sent[told:]]
    assert kinds == ["cancellation"], f"told {kinds}: to choose another method for an order gone"
    assert dict(s.notifier.sent[-1].facts)["reason"] == "The payment was not approved."


def test_a_refused_amend_asks_the_customer_for_another_method_once() -> None:
    """The hold says "choose another method": the customer is told (the notice a declined
    credit check sends), not left waiting while a person wonders who will ask them."""
    s = _shop()
    _amend_refused(s)
    told = [n for n in s.notifier.sent if n.kind == "payment_failed"]
    assert len(told) == 1 and told[0].order_number == NUMBER
    s.postpay.fail_next("amend", Fault.DECLINE)
    order = s.desk.change(NUMBER, OrderChange(quantities={"L1": 4})).order  # refused again
    assert [h.code for h in order.open_holds] == ["postpay_declined"]
    assert len([n for n in s.notifier.sent if n.kind == "payment_failed"]) == 1  # still held

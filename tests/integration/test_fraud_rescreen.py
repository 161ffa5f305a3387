"""The fraud screen (不正検知) judges a card order again when what it judged changes.

At order, a card order is screened before it is authorized. A bank-transfer order switched to a
card was never screened, and a card order sent to another address (配送先変更 after approval,
the classic pattern) was screened for the old one: both are screened again.
"""

import attrs
import pytest

from orderflow import FraudVerdict, HoldCode, OrderChange, OrderStatus, PaymentMethod
from orderflow.errors import MoveBlocked, OutcomeUnknown, PaymentDeclined
from orderflow.testing import Fault
from tests.builders import address, place, shop

ELSEWHERE = attrs.evolve(address(), postal_code="530-0001", prefecture="大阪府", city="大阪市北区")


def _holds(s: object, number: str = "1001") -> list[str]:
    return [h.code for h in s.desk.get(number).open_holds]  # type: ignore[attr-defined]


def test_a_switch_to_a_card_is_screened_and_a_reject_changes_nothing() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    assert s.fraud.calls_to("screen") == []  # a transfer is not screened at order
    s.fraud.verdicts["C1"] = FraudVerdict.REJECT
    switch = OrderChange(payment_method=PaymentMethod.CARD, token="tok_ok")
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", switch)
    order = s.desk.get("1001")
    assert len(s.fraud.calls_to("screen")) == 1
    assert s.gateway.calls_to("authorize") == []  # rejected before the card was asked
    assert order.payment.method is PaymentMethod.BANK_TRANSFER
    assert order.status is OrderStatus.ORDERED
    assert not order.outbox


def test_a_switch_under_review_takes_effect_held_for_a_person() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    s.fraud.verdicts["C1"] = FraudVerdict.REVIEW
    s.desk.change("1001", OrderChange(payment_method=PaymentMethod.CARD, token="tok_ok"))
    order = s.desk.get("1001")
    assert order.payment.method is PaymentMethod.CARD
    assert order.payment.authorized == s.desk.totals(order).total
    assert _holds(s) == [HoldCode.FRAUD_REVIEW]


def test_a_switch_under_review_refused_by_the_card_leaves_no_hold() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    s.fraud.verdicts["C1"] = FraudVerdict.REVIEW
    s.gateway.fail_next("authorize", Fault.DECLINE)
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", OrderChange(payment_method=PaymentMethod.CARD, token="tok_ok"))
    order = s.desk.get("1001")
    assert order.payment.method is PaymentMethod.BANK_TRANSFER
    assert HoldCode.FRAUD_REVIEW not in _holds(s)  # the card that was under review is not used


def test_another_card_is_screened_before_it_is_authorized() -> None:
    s = shop()
    place(s)
    s.fraud.verdicts["C1"] = FraudVerdict.REJECT
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", OrderChange(token="tok_other"))
    order = s.desk.get("1001")
    assert order.payment.token == "tok_ok"
    assert len(s.gateway.calls_to("authorize")) == 1  # the one at order


@pytest.mark.parametrize("verdict", [FraudVerdict.REVIEW, FraudVerdict.REJECT])
def test_a_card_order_sent_elsewhere_is_screened_again_and_held(verdict: FraudVerdict) -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.fraud.verdicts["C1"] = verdict
    s.desk.change("1001", OrderChange(ship_to=ELSEWHERE))
    calls = s.fraud.calls_to("screen")
    assert len(calls) == 2
    assert _holds(s) == [HoldCode.FRAUD_REVIEW]
    with pytest.raises(MoveBlocked, match="fraud_review"):
        s.desk.instruct_shipping("1001")
    s.desk.clear_hold("1001", HoldCode.FRAUD_REVIEW, actor="risk:tanaka")
    assert s.desk.instruct_shipping("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_card_order_sent_elsewhere_and_accepted_goes_on() -> None:
    s = shop()
    place(s)
    s.desk.change("1001", OrderChange(ship_to=ELSEWHERE))
    assert len(s.fraud.calls_to("screen")) == 2
    assert _holds(s) == []


def test_other_changes_are_not_screened_again() -> None:
    s = shop()
    place(s)
    s.desk.change("1001", OrderChange(quantities={"L1": 3}))
    s.desk.change("1001", OrderChange(ship_to=attrs.evolve(address(), line1="1-2-30")))
    assert len(s.fraud.calls_to("screen")) == 2  # the order's, and the new street's
    s.desk.change("1001", OrderChange(quantities={"L1": 1}))
    assert len(s.fraud.calls_to("screen")) == 2


def test_a_screen_timed_out_on_an_address_change_is_asked_again_by_resume() -> None:
    s = shop()
    place(s)
    s.fraud.fail_next("screen", Fault.TIMEOUT_AFTER)
    s.fraud.verdicts["C1"] = FraudVerdict.REVIEW
    with pytest.raises(OutcomeUnknown):
        s.desk.change("1001", OrderChange(ship_to=ELSEWHERE))
    s.desk.resume("1001")
    order = s.desk.get("1001")
    assert order.ship_to == ELSEWHERE
    assert not order.outbox
    assert _holds(s) == [HoldCode.FRAUD_REVIEW]
    keys = {c.key for c in s.fraud.calls_to("screen")}
    assert len(keys) == 2  # the order's screen, and the new address's asked twice with one key

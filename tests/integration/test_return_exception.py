"""Shop staff may take a return back outside the policy (例外対応), saying why.

The policy decides for the customer; a person at the shop makes an exception (a defect found
late, a regular customer, an item the shop excluded) and the history says who and why.
"""

from datetime import timedelta

import pytest

from orderflow import Requester, ReturnPolicy, ReturnReason, ReturnStatus, ShopSettings
from orderflow.domain.events import ReturnRequested
from orderflow.errors import InvalidValue, ReturnRefused
from orderflow.testing import FakeShop
from tests.builders import delivered, shop

STAFF = Requester.operator("sato")


def _late(settings: ShopSettings | None = None) -> FakeShop:
    s = shop(settings=settings)
    delivered(s)
    s.clock.advance(timedelta(days=40))  # past both windows (8 and 30 days)
    return s


def test_staff_take_a_late_return_with_the_exception_recorded() -> None:
    s = _late()
    with pytest.raises(ReturnRefused):
        s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE, requester=STAFF)
    order = s.desk.request_return(
        "1001",
        {"L1": 1},
        ReturnReason.DEFECTIVE,
        requester=STAFF,
        exception="初期不良の申し出が遅れたため",
    )
    assert order.returns[-1].status is ReturnStatus.REQUESTED
    event = order.history[-1]
    assert isinstance(event, ReturnRequested)
    assert event.exception == "初期不良の申し出が遅れたため"
    assert event.actor == "operator:sato"
    assert [n.kind for n in s.notifier.sent][-1] == "return_accepted"


def test_an_exception_passes_the_excluded_and_unwanted_rules_too() -> None:
    policy = ReturnPolicy(excluded_skus={"CAKE-1"}, accepts_customer_reason=False)
    s = shop(settings=ShopSettings(auto_advance=False, return_policy=policy))
    delivered(s)
    with pytest.raises(ReturnRefused):
        s.desk.request_return("1001", {"L3": 1}, ReturnReason.CUSTOMER, requester=STAFF)
    order = s.desk.request_return(
        "1001", {"L3": 1}, ReturnReason.CUSTOMER, requester=STAFF, exception="常連のお客様"
    )
    assert order.returns[-1].status is ReturnStatus.REQUESTED
    assert not order.returns[-1].shop_pays_shipping  # the customer's reason: their cost still


def test_the_customer_cannot_make_an_exception() -> None:
    s = _late()
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as caught:
        s.desk.request_return(
            "1001", {"L1": 1}, ReturnReason.DEFECTIVE, exception="please", requester=None
        )
    assert caught.value.field == "exception"
    assert "staff" in str(caught.value)
    assert s.desk.get("1001") == before


def test_an_exception_does_not_return_what_never_arrived() -> None:
    s = shop()
    from tests.builders import place

    place(s)
    with pytest.raises(ReturnRefused) as caught:
        s.desk.request_return(
            "1001", {"L1": 1}, ReturnReason.DEFECTIVE, requester=STAFF, exception="x"
        )
    assert caught.value.rule == "not_delivered"


@pytest.mark.parametrize("bad", [3, "x" * 1001, "a\x00b"])
def test_a_bad_exception_is_refused_naming_it(bad: object) -> None:
    s = _late()
    with pytest.raises(InvalidValue) as caught:
        s.desk.request_return(
            "1001",
            {"L1": 1},
            ReturnReason.DEFECTIVE,
            requester=STAFF,
            exception=bad,  # type: ignore[arg-type]
        )
    assert caught.value.field == "exception"

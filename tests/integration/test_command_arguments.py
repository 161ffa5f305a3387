"""The desk checks a command's every argument before anything is saved or sent.

交換, キャンセル, 注文変更 and 入荷: a refused call leaves the stored orders, the stock, the
providers' recorded calls and the notices as they were; an empty collection is never taken for
"not given".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from orderflow import (
    Money,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ReturnReason,
    ShopSettings,
)
from orderflow.errors import (
    InvalidValue,
    OrderflowError,
    PaymentDeclined,
    ProviderTimeout,
    ReturnRefused,
    UnknownSku,
)
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.fakes import Fault
from tests.builders import STOCK, TRACKING, place, shop

NEW = OrderLine("N1", "MUG-1", "湯呑(青)", Money.yen(2200), 1)


def world(s: FakeShop) -> tuple[object, ...]:
    """Everything a command could change: orders, stock, every provider's calls, notices."""
    fakes = (
        s.gateway,
        s.amazon_pay,
        s.fraud,
        s.postpay,
        s.bank,
        s.konbini,
        s.points,
        s.inventory,
        s.accounting,
        s.notifier,
        *s.warehouses.values(),
    )
    return (
        dict(s.store.orders),
        dict(s.inventory.on_hand),
        dict(s.inventory.reserved),
        [len(fake.calls) for fake in fakes],
        list(s.notifier.sent),
    )


def refused(
    s: FakeShop, call: Callable[[], object], error: type[OrderflowError], field: str | None
) -> None:
    """``call`` raises ``error`` (naming ``field``) and changes nothing at all."""
    before = world(s)
    with pytest.raises(error) as caught:
        call()
    assert world(s) == before, "a refused call changed something"
    if field is not None:
        assert isinstance(caught.value, InvalidValue)
        assert caught.value.field == field


def delivered(s: FakeShop) -> None:
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")


def exchange(s: FakeShop, **overrides: Any) -> tuple[Order, Order]:
    args: dict[str, Any] = {
        "lines": {"L2": 1},
        "new_lines": [NEW],
        "reason": ReturnReason.WRONG_ITEM,
        "request_id": "EX-1",
        "token": "tok_ok",
    }
    args.update(overrides)
    return s.desk.exchange("1001", args.pop("lines"), args.pop("new_lines"), **args)


# -- 交換 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        pytest.param({"new_lines": [None]}, InvalidValue, "new_lines[0]", id="new-line-None"),
        pytest.param({"new_lines": []}, InvalidValue, "new_lines", id="no-new-lines"),
        pytest.param({"token": None}, InvalidValue, "token", id="no-token-for-the-card"),
        pytest.param({"token": None, "tokn": "tok_ok"}, InvalidValue, "tokn", id="misspelt"),
        pytest.param({"channel": "web"}, InvalidValue, "channel", id="the-exchanges-own"),
        pytest.param({"customer": None}, InvalidValue, "customer", id="customer-keyword"),
        pytest.param(
            {"payment_method": "card"}, InvalidValue, "payment_method", id="method-as-text"
        ),
        pytest.param({"shipping_fee": 880.0}, InvalidValue, "shipping_fee", id="float-fee"),
        pytest.param(
            {"new_lines": [OrderLine("N1", "NO-SUCH", "?", Money.yen(100), 1)]},
            UnknownSku,
            "new_lines[0].sku",
            id="unknown-sku",
        ),
        pytest.param({"lines": {"L2": 5}}, InvalidValue, "lines[L2]", id="too-many-back"),
        pytest.param({"lines": {}}, InvalidValue, "lines", id="nothing-back"),
        pytest.param({"reason": "defective"}, InvalidValue, "reason", id="reason-as-text"),
        pytest.param({"requester": 0}, InvalidValue, "requester", id="requester-zero"),
    ],
)
def test_a_bad_exchange_saves_no_return_places_no_order_and_sends_nothing(
    overrides: dict[str, Any], error: type[OrderflowError], field: str
) -> None:
    s = shop()
    delivered(s)
    refused(s, lambda: exchange(s, **overrides), error, field)
    # asked again and again under new request ids: still nothing
    for again in ("EX-2", "EX-3"):
        refused(s, partial(exchange, s, request_id=again, **overrides), error, field)
    assert s.desk.get("1001").returns == ()


def test_an_exchange_the_return_policy_refuses_places_no_order() -> None:
    s = fake_shop(
        dict(STOCK),
        settings=ShopSettings(auto_advance=False),
    )
    delivered(s)
    s.clock.advance(timedelta(days=40))  # past every return window
    refused(s, lambda: exchange(s), ReturnRefused, None)


def test_an_exchange_whose_new_card_is_declined_requests_no_return_and_can_be_asked_again() -> None:
    s = fake_shop(
        dict(STOCK),
        settings=ShopSettings(auto_advance=False),
        decline_tokens=frozenset({"tok_declined"}),
    )
    delivered(s)
    before = s.desk.get("1001")
    sent = len(s.notifier.sent)
    with pytest.raises(PaymentDeclined):
        exchange(s, token="tok_declined")
    assert s.desk.get("1001") == before  # no return, the request id not used up
    assert [n.kind for n in s.notifier.sent[sent:]] == ["payment_failed"]  # no return notice
    assert s.desk.get("1001-X1").status is OrderStatus.CANCELLED  # the number stays free
    with pytest.raises(PaymentDeclined):  # a new request id after a refusal: still no return
        exchange(s, token="tok_declined", request_id="EX-2")
    assert s.desk.get("1001") == before
    old, new = exchange(s, token="tok_ok")  # another card, the same request id
    assert [(r.return_id, r.exchange) for r in old.returns] == [("R1", "1001-X1")]
    assert (new.number, new.exchange_for, new.status) == ("1001-X1", "1001", OrderStatus.ORDERED)
    kinds = [n.kind for n in s.notifier.sent[sent:]]
    assert kinds[-2:] == ["order_confirmation", "return_accepted"]


def test_an_exchange_whose_new_order_timed_out_is_finished_by_asking_again() -> None:
    s = shop()
    delivered(s)
    before = s.desk.get("1001")
    s.gateway.fail_next("authorize", Fault.TIMEOUT_AFTER)
    with pytest.raises(ProviderTimeout):
        exchange(s)
    assert s.desk.get("1001") == before  # the return waits for the new order's payment
    _, new = exchange(s)
    again_old, again_new = exchange(s)
    assert [(r.return_id, r.exchange) for r in again_old.returns] == [("R1", "1001-X1")]
    assert again_new.number == new.number == "1001-X1" and new.exchange_for == "1001"
    assert len(s.gateway.work_done) == len(set(s.gateway.work_done))
    authorized = [c for c in s.gateway.calls_to("authorize") if c.request[0] == "1001-X1"]
    assert {c.key for c in authorized} == {authorized[0].key}  # one authorization, one key
    assert [n.kind for n in s.notifier.sent].count("return_accepted") == 1


def test_exchange_returns_the_old_order_with_its_return_and_the_new_order() -> None:
    s = shop()
    delivered(s)
    old, new = exchange(  # every payment keyword of place the exchange passes on
        s,
        payment_method=PaymentMethod.BANK_TRANSFER,
        token=None,
        shipping_fee=Money.yen(0),
        discount=Money.yen(100),
        points_used=0,
        remarks="交換品",
        address_from_amazon=False,
    )
    assert old == s.desk.get("1001") and new == s.desk.get("1001-X1")
    assert new.payment.method is PaymentMethod.BANK_TRANSFER
    assert (new.discount, new.remarks) == (Money.yen(100), "交換品")

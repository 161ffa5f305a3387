"""An adapter answering a value of the wrong type is a crash of the adapter, never a decision.

A gateway answering a text for an authorization, a 後払い provider a dict for its credit
decision, an inventory a text for the units it reserved: the desk raises EffectInterrupted (the
effect stays pending under its key, ``resume`` asks again once the adapter is fixed); the order
is not declined, no customer is told anything, and no exception but orderflow's escapes.
"""

from __future__ import annotations

from typing import Any

import pytest

from orderflow import OrderStatus, PaymentMethod
from orderflow.errors import EffectInterrupted
from tests.builders import place, shop


def _answering(port: Any, method: str, value: object) -> None:
    def wrong(**kwargs: object) -> object:
        return value

    setattr(port, method, wrong)


def test_a_gateway_answering_a_text_for_an_authorization_is_interrupted_not_declined() -> None:
    s = shop()
    real = s.gateway.authorize
    _answering(s.gateway, "authorize", "auth-1")
    with pytest.raises(EffectInterrupted) as raised:
        place(s)
    assert "Authorization" in str(raised.value.__cause__)
    order = s.desk.get("1001")
    assert "authorize" in [e.kind for e in order.outbox]  # pending, under its key
    assert not s.notifier.sent  # nobody was told of a decline
    s.gateway.authorize = real  # type: ignore[method-assign]
    resumed = s.desk.resume("1001")
    assert not resumed.outbox and resumed.status is OrderStatus.ORDERED
    assert [method for method, _ in s.gateway.work_done] == ["authorize"]  # once, its key


def test_a_postpay_provider_answering_a_dict_is_interrupted_not_declined() -> None:
    s = shop()
    _answering(s.postpay, "register", {"status": "approved"})
    with pytest.raises(EffectInterrupted):
        place(s, payment_method=PaymentMethod.POSTPAY)
    order = s.desk.get("1001")
    assert order.status is not OrderStatus.CANCELLED
    assert "postpay_register" in [e.kind for e in order.outbox]
    assert not any(n.kind == "payment_failed" for n in s.notifier.sent)


def test_an_inventory_answering_a_text_for_units_is_interrupted() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    _answering(s.inventory, "reserve", "2")
    with pytest.raises(EffectInterrupted):
        s.desk.allocate("1001")
    assert "reserve" in [e.kind for e in s.desk.get("1001").outbox]

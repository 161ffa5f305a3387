"""Two workers driving one order at once: a command and a sweep finishing the same effects."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import attrs
import pytest

from orderflow import Order, OrderStatus
from orderflow.errors import ConcurrencyError, EffectInterrupted, OutcomeUnknown
from orderflow.testing import FakeShop
from tests.builders import customer
from tests.integration.test_engine_regressions import NUMBER, allocated, new_shop


def _other_worker_finishes_first(s: FakeShop, times: int = 1) -> list[int]:
    """Before each of the command's next ``times`` drive saves, another worker resumes the order."""
    original = s.store.save
    raced: list[int] = []

    def save(order: Order, *, expected_version: int) -> None:
        stored = s.store.get(order.number)
        if len(raced) < times and stored.outbox and order.outbox != stored.outbox:
            raced.append(expected_version)
            s.store.save = original  # type: ignore[method-assign]
            try:
                s.desk.resume(order.number)  # the sweep, with the same keys
            finally:
                s.store.save = save  # type: ignore[method-assign]
        original(order, expected_version=expected_version)

    s.store.save = save  # type: ignore[method-assign]
    return raced


def _instructions(s: FakeShop) -> list[Any]:
    return [key for method, key in s.warehouses["TOKYO"].work_done if method == "instruct"]


def test_a_command_whose_effects_a_sweep_finished_returns_the_stored_order() -> None:
    s = new_shop()
    allocated(s)
    raced = _other_worker_finishes_first(s)

    order = s.desk.instruct_shipping(NUMBER)

    assert raced
    assert order == s.desk.get(NUMBER)
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.outbox
    assert len(_instructions(s)) == 1
    assert len(order.shipments) == 1


def test_a_drive_that_keeps_losing_gives_up_with_the_race_error() -> None:
    s = new_shop()
    allocated(s)
    original = s.store.save
    lost: list[int] = []

    def save(order: Order, *, expected_version: int) -> None:
        stored = s.store.get(NUMBER)
        driving = order.status is OrderStatus.SHIPPING_INSTRUCTED and stored.outbox
        if driving and order.outbox != stored.outbox:
            lost.append(expected_version)
            raise ConcurrencyError(NUMBER, expected_version, expected_version + 1)
        original(order, expected_version=expected_version)

    s.store.save = save  # type: ignore[method-assign]

    with pytest.raises(ConcurrencyError):
        s.desk.instruct_shipping(NUMBER)

    assert len(lost) == 3
    s.store.save = original  # type: ignore[method-assign]
    finished = s.desk.resume(NUMBER)
    assert finished.status is OrderStatus.SHIPPING_INSTRUCTED and not finished.outbox
    assert len(_instructions(s)) == 1


def test_a_sweep_logs_what_it_could_not_finish_and_names_the_adapters_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = new_shop()
    allocated(s)
    original = s.warehouses["TOKYO"].instruct
    armed = [True]

    def instruct(*args: Any, **kwargs: Any) -> Any:
        if armed[0]:
            raise KeyError("api_key")  # an adapter's bug, not an orderflow error
        return original(*args, **kwargs)

    s.warehouses["TOKYO"].instruct = instruct  # type: ignore[method-assign]
    with pytest.raises(EffectInterrupted) as crashed:
        s.desk.instruct_shipping(NUMBER)
    assert crashed.value.cause == "KeyError"
    assert "(KeyError)" in str(crashed.value) and "api_key" not in str(crashed.value)

    with caplog.at_level(logging.WARNING, logger="orderflow.desk"):
        assert s.desk.resume_pending() == []
    (record,) = [r for r in caplog.records if r.name == "orderflow.desk"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith(f"order {NUMBER} left pending: EffectInterrupted: ")
    assert "(KeyError)" in message and "api_key" not in message

    armed[0] = False
    (finished,) = s.desk.resume_pending()
    assert finished.status is OrderStatus.SHIPPING_INSTRUCTED and not finished.outbox


def test_a_claim_that_cannot_be_given_back_does_not_keep_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from orderflow.errors import StoreError
    from orderflow.testing import Fault
    from tests.builders import place

    s = new_shop()
    for number in ("1001", "1002"):
        place(s, number, customer=attrs.evolve(customer(), id=f"C{number}"))
        s.gateway.fail_next("capture", Fault.TIMEOUT_BEFORE, times=99)
        s.desk.accept(number)
        s.desk.allocate(number)
        s.desk.instruct_shipping(number)
        with pytest.raises(OutcomeUnknown):
            s.desk.ship(
                number, f"{number}-S1", {"1001": "123456789013"}.get(number, "123456789024")
            )
    original = s.store.release_claim

    def release_claim(number: str) -> None:
        if number == "1001":
            raise StoreError("the database went away")
        original(number)

    s.store.release_claim = release_claim  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="orderflow.desk"):
        assert s.desk.resume_pending() == []  # the captures still time out: both stay pending
    assert "order 1001: claim not given back" in caplog.text
    now = s.clock.now()
    assert s.store.claim_pending(now=now, lease=timedelta(minutes=5)) == ["1002"]

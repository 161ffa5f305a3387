"""A receipt whose process dies between allocating a 分納 order and instructing the rest."""

from datetime import timedelta
from typing import Any

import pytest

from orderflow import Customer, Money, OrderLine, OrderStatus, ShopSettings
from orderflow.testing import Fault, fake_shop
from tests.builders import address, customer


class Crash(Exception):
    """The process died here."""


@pytest.mark.parametrize("nth", [1, 2, 3])
@pytest.mark.parametrize("after", [False, True], ids=["before-save", "after-save"])
def test_the_receipt_sweep_instructs_what_a_crashed_receipt_left(nth: int, after: bool) -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10}, settings=ShopSettings())
    desk = s.desk
    desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        token="tok",
        lines=[
            OrderLine("L1", "MUG-1", "湯呑", Money.yen(5000), 1),
            OrderLine("L2", "TEA-1", "緑茶", Money.yen(1080), 2),
        ],
    )
    desk.accept("1001")
    desk.allocate("1001")
    desk.ship_available("1001")
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    original = s.store.save
    saves = [0]

    def save(*args: Any, **kwargs: Any) -> None:
        saves[0] += 1
        if saves[0] == nth:
            if after:
                original(*args, **kwargs)
            raise Crash
        original(*args, **kwargs)

    s.store.save = save  # type: ignore[method-assign]
    with pytest.raises(Crash):
        desk.receive("TOKYO", "TEA-1", 3, receipt_id="IN-1")
    s.store.save = original  # type: ignore[method-assign]

    desk.resume_pending()
    desk.fill_backorders()

    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.outbox
    assert [sh.shipment_id for sh in order.shipments] == ["1001-S1", "1001-S2"]
    assert sum(line.quantity for line in order.shipments[1].lines) == 1  # the missing tea
    instructed = [k for m, k in s.warehouses["TOKYO"].work_done if m == "instruct"]
    assert len(instructed) == 2
    assert desk.fill_backorders() == []  # nothing left to do


def _uninstructed(s: Any, numbers: tuple[str, ...]) -> None:
    """Orders shipped in part whose receipt died after allocating, before instructing the rest."""
    original = s.store.save

    def crashing(order: Any, **kwargs: Any) -> None:
        original(order, **kwargs)
        raise Crash

    for number in numbers:
        s.desk.place(
            number=number,
            customer=Customer(f"C{number}", "山田 太郎", "taro@example.jp"),  # not a duplicate
            ship_to=address(),
            token="tok",
            lines=[
                OrderLine("L1", "MUG-1", "湯呑", Money.yen(5000), 1),
                OrderLine("L2", "TEA-1", "緑茶", Money.yen(1080), 2),
            ],
        )
        s.desk.accept(number)
        s.desk.allocate(number)
        s.desk.ship_available(number)
        s.store.save = crashing
        with pytest.raises(Crash):
            s.desk.receive("TOKYO", "TEA-1", 2, receipt_id=f"IN-{number}")
        s.store.save = original
        s.desk.resume_pending()


def test_a_warehouse_that_does_not_answer_stops_one_order_not_the_sweep() -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 10}, settings=ShopSettings())
    _uninstructed(s, ("1001", "1002"))
    s.warehouses["TOKYO"].fail_next("instruct", Fault.TIMEOUT_BEFORE)

    served = s.desk.fill_backorders()  # 1001's instruction times out; 1002 goes on

    assert [o.number for o in served] == ["1001", "1002"]  # both decided
    assert len(s.desk.get("1002").shipments) == 2 and not s.desk.get("1002").outbox
    first = s.desk.get("1001")
    assert [e.kind for e in first.outbox] == ["instruct"]  # pending, for resume
    (finished,) = s.desk.resume_pending()
    assert finished.number == "1001" and len(finished.shipments) == 2


def test_an_order_the_sweep_cannot_instruct_is_not_reported_served() -> None:
    s = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 10}, settings=ShopSettings())
    _uninstructed(s, ("1001",))
    s.clock.advance(timedelta(days=31))  # the authorization lapsed: 出荷指示 is refused

    assert s.desk.fill_backorders() == []
    assert s.desk.fill_backorders() == []
    assert len(s.desk.get("1001").shipments) == 1

"""A sweep whose lease ran out before it came to an order claims again instead of driving it.

``resume_pending`` claims ``batch`` orders for ``lease`` and drives them one after another. A
provider that answers slowly (a time-out of 30 s an order, 100 orders) outlasts the lease: the
claims of the orders not reached yet lapse, and another worker claims them. The first worker
drove them all the same, so two workers drove one order at once, which the claims are there
to prevent (a real provider answers the twin request "in progress").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from orderflow import Customer, Money, OrderLine
from orderflow.errors import OutcomeUnknown
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import address


def test_orders_whose_claim_lapsed_are_left_to_the_worker_that_claimed_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    inventory.receive("TOKYO", "TEA-1", 10, reason="入荷")
    shop = fake_shop()
    first = desk_on(shop, store=SQLiteStore(path), inventory=inventory)
    for number in ("1001", "1002", "1003"):
        shop.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
        with pytest.raises(OutcomeUnknown):
            first.place(
                number=number,
                customer=Customer(f"C{number}", "山田 太郎", "taro@example.jp"),
                ship_to=address(),
                lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
                token="tok_visa",
            )
    other = SQLiteStore(path)  # a second worker on the same file
    driven: list[str] = []
    taken_by_other: list[str] = []
    slow = shop.gateway.authorize

    def authorize(**kwargs: Any) -> Any:
        driven.append(kwargs["order_number"])
        shop.clock.advance(timedelta(minutes=2))  # a slow provider: two of them outlast the lease
        if len(driven) == 2:  # the second worker's sweep claims what lapsed meanwhile
            now = shop.clock.now()
            taken_by_other.extend(other.claim_pending(now=now, lease=timedelta(hours=1), limit=10))
        return slow(**kwargs)

    monkeypatch.setattr(shop.gateway, "authorize", authorize)
    first.resume_pending(lease=timedelta(minutes=3), batch=10)
    assert "1003" in taken_by_other
    assert driven == ["1001", "1002"]  # not 1003: its claim had lapsed and was the other's
    assert first.get("1003").outbox  # left pending for the worker that holds it

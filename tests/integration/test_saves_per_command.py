"""At most two saves per command on the happy path (issue 7): the decision, then the answers.

A command saves what it decided (the new order with its outbox) before any outside call, and
once more when its effects are answered; no command of a plain lifecycle saves more than that,
whatever the payment method, on the fakes' store and on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orderflow import Money, OrderDesk, OrderStatus, PaymentMethod
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, address, customer, lines


class _Counted:
    """Counts the calls of a store's ``add`` and ``save`` (each one is a write of an order)."""

    def __init__(self, store: Any) -> None:
        self.writes = 0
        for name in ("add", "save"):
            setattr(store, name, self._counting(getattr(store, name)))

    def _counting(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.writes += 1
            return method(*args, **kwargs)

        return counted


def _writes_per_command(desk: OrderDesk, store: Any, method: PaymentMethod) -> dict[str, int]:
    counted = _Counted(store)
    token = "tok_ok" if method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY) else None
    steps: list[tuple[str, Callable[[], object]]] = [
        (
            "place",
            lambda: desk.place(
                number="1001",
                customer=customer(),
                ship_to=address(),
                lines=lines(),
                token=token,
                payment_method=method,
                shipping_fee=Money.yen(880),
            ),
        ),
        ("accept", lambda: desk.accept("1001")),  # review and allocation (auto-advance)
        ("instruct_shipping", lambda: desk.instruct_shipping("1001")),
        ("ship", lambda: desk.ship("1001", "1001-S1", TRACKING)),
        ("deliver", lambda: desk.deliver("1001", "1001-S1")),
        ("book", lambda: desk.book("1001")),
    ]
    out: dict[str, int] = {}
    for name, step in steps:
        counted.writes = 0
        step()
        out[name] = counted.writes
    assert desk.get("1001").status is OrderStatus.BOOKED  # the happy path, all of it
    return out


METHODS = [PaymentMethod.CARD, PaymentMethod.POSTPAY, PaymentMethod.COD, PaymentMethod.AMAZON_PAY]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.value)
def test_no_command_of_a_lifecycle_saves_more_than_twice_on_the_fakes(
    method: PaymentMethod,
) -> None:
    shop = fake_shop(dict(STOCK))
    writes = _writes_per_command(shop.desk, shop.store, method)
    assert all(1 <= count <= 2 for count in writes.values()), writes
    assert writes["place"] == 2  # the order as decided, then with its payment's answers


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.COD], ids=lambda m: m.value)
def test_no_command_of_a_lifecycle_saves_more_than_twice_on_sqlite(
    method: PaymentMethod, tmp_path: Path
) -> None:
    path = tmp_path / "shop.sqlite3"
    with SQLiteStore(path) as store, SQLiteInventory(path) as inventory:
        for (warehouse, sku), units in STOCK.items():
            inventory.receive(warehouse, sku, units, reason="test")
        desk = desk_on(fake_shop(), store=store, inventory=inventory)
        writes = _writes_per_command(desk, store, method)
    assert all(1 <= count <= 2 for count in writes.values()), writes

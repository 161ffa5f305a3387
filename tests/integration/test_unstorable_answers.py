"""A provider's answer holding text no database can store (U+0000, a lone surrogate).

An adapter that decodes a provider's bytes with ``errors="surrogateescape"``, or passes on a NUL
a provider sent, made the order unsavable after the provider had done the work: on SQLite a
lone surrogate raised ``UnicodeEncodeError`` (not orderflow's) from the save; on PostgreSQL,
whose ``jsonb`` refuses U+0000, a decline's message or a reference with a NUL raised
``StoreError`` and left the order pending, and every ``resume`` asked again, got the same
answer and failed again. Now a refusal's code and message keep their text with U+FFFD in place
of what cannot be stored (a person reads them), and an answer orderflow would keep (an
authorization's reference, a capture's) that holds such text is the adapter's bug:
``EffectInterrupted``, the effect pending under its key, nothing decided from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orderflow import Money, OrderStatus, QueueQuery
from orderflow.domain.purchasing import PurchaseOrder, PurchaseOrderStatus
from orderflow.errors import EffectInterrupted, InvalidValue, PaymentDeclined
from orderflow.ports import Authorization, OrderStore, PurchaseOrderStore
from orderflow.stores import (
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)
from orderflow.testing import FakePaymentGateway, FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import TRACKING, address, customer, lines, shop

ODD = ("\x00", "\udcff")
"""A NUL (PostgreSQL cannot store it) and a lone surrogate (no database can: not UTF-8)."""


class OddGateway(FakePaymentGateway):
    """A card gateway whose answers carry ``odd`` text until ``odd`` is emptied."""

    def __init__(self, odd: str) -> None:
        super().__init__()
        self.odd = odd
        self.decline = False

    def authorize(
        self, *, key: str, order_number: str, amount: Money, token: str | None
    ) -> Authorization:
        if self.decline:
            raise PaymentDeclined(f"カードが拒否{self.odd}されました", code=f"do_not{self.odd}")
        given = super().authorize(key=key, order_number=order_number, amount=amount, token=token)
        return Authorization(given.reference + self.odd, given.amount, given.expires_at)

    def capture(self, *, key: str, authorization: str, amount: Money) -> str:
        return super().capture(key=key, authorization=authorization, amount=amount) + self.odd


def _shop(odd: str) -> FakeShop:
    s = shop()
    s.gateway = OddGateway(odd)
    s.gateway.now = s.clock.now
    return s


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> OrderStore:
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "shop.sqlite3")
    return PostgresStore(request.getfixturevalue("fresh_postgres_db"))


@pytest.mark.parametrize("odd", ODD, ids=["nul", "surrogate"])
def test_a_decline_with_unstorable_text_is_a_decline(store: OrderStore, odd: str) -> None:
    s = _shop(odd)
    assert isinstance(s.gateway, OddGateway)
    s.gateway.decline = True
    desk = desk_on(s, store=store)
    with pytest.raises(PaymentDeclined) as declined:
        desk.place(**_order())
    assert declined.value.code == "do_not\ufffd"
    order = desk.get("1001")
    assert order.status is OrderStatus.CANCELLED and not order.outbox
    assert "カードが拒否\ufffdされました" in str(order.history)


@pytest.mark.parametrize("odd", ODD, ids=["nul", "surrogate"])
def test_a_reference_with_unstorable_text_is_the_adapters_bug(store: OrderStore, odd: str) -> None:
    s = _shop(odd)
    assert isinstance(s.gateway, OddGateway)
    desk = desk_on(s, store=store)
    with pytest.raises(EffectInterrupted):
        desk.place(**_order())
    assert desk.get("1001").outbox  # the authorization stays pending under its key
    s.gateway.odd = ""  # the adapter is mended: the next sweep finishes the order
    assert [o.number for o in desk.resume_pending()] == ["1001"]
    assert desk.get("1001").status is OrderStatus.ORDERED and not desk.get("1001").outbox
    desk.accept("1001")
    desk.allocate("1001")
    desk.instruct_shipping("1001")
    s.gateway.odd = odd
    with pytest.raises(EffectInterrupted):
        desk.ship("1001", "1001-S1", TRACKING)
    s.gateway.odd = ""
    assert [o.number for o in desk.resume_pending()] == ["1001"]
    assert desk.get("1001").status is OrderStatus.SHIPPED


def _order() -> dict[str, Any]:
    return {
        "number": "1001",
        "customer": customer(),
        "ship_to": address(),
        "lines": lines(),
        "token": "tok_ok",
    }


@pytest.fixture(params=["sqlite", "postgres"])
def purchase_orders(request: pytest.FixtureRequest, tmp_path: Path) -> PurchaseOrderStore:
    if request.param == "sqlite":
        return SQLitePurchaseOrderStore(tmp_path / "shop.sqlite3")
    return PostgresPurchaseOrderStore(request.getfixturevalue("fresh_postgres_db"))


@pytest.mark.parametrize("odd", ODD, ids=["nul", "surrogate"])
def test_a_suppliers_reference_with_unstorable_text_is_the_adapters_bug(
    purchase_orders: PurchaseOrderStore, odd: str
) -> None:
    s = shop()
    sent = s.supplier.send

    def send(*, key: str, purchase_order: PurchaseOrder) -> str:
        return sent(key=key, purchase_order=purchase_order) + odd

    s.supplier.send = send  # type: ignore[method-assign]
    desk = desk_on(s, store=s.store, purchase_orders=purchase_orders)
    with pytest.raises(EffectInterrupted):
        desk.order_from_supplier("TEA-1", 3, "ACME", send=True)
    (pending,) = purchase_orders.pending()
    s.supplier.send = sent  # type: ignore[method-assign]
    desk.resume_purchase_orders()
    assert purchase_orders.get(pending.number).status is PurchaseOrderStatus.SENT


@pytest.mark.parametrize("odd", ODD, ids=["nul", "surrogate"])
def test_a_work_list_asked_with_unstorable_text_is_refused_naming_the_field(
    store: OrderStore, odd: str
) -> None:
    """Before, PostgreSQL raised StoreError (naming no field) where SQLite answered []."""
    desk = desk_on(shop(), store=store)
    with pytest.raises(InvalidValue) as refused:
        desk.queue(QueueQuery.ready_to_instruct(), after=f"1001{odd}")
    assert refused.value.field == "after"
    with pytest.raises(InvalidValue) as refused:
        QueueQuery.held(f"fraud_review{odd}")
    assert refused.value.field == "code"

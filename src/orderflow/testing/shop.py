"""A whole shop on fakes: every port faked and a desk wired to them (tests, demos, benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from orderflow.adapters.carriers import JapanPost, Sagawa, Yamato
from orderflow.desk import OrderDesk
from orderflow.settings import ShopSettings
from orderflow.testing.fakes import (
    FakeAccounting,
    FakeBank,
    FakeFraudScreen,
    FakeInventory,
    FakeKonbini,
    FakeNotifier,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeWarehouse,
    FixedClock,
    InMemoryOrderStore,
)

__all__ = ["FakeShop", "fake_shop"]


@attrs.define
class FakeShop:
    """The fakes behind one desk, so a test can inspect or sabotage any of them."""

    desk: OrderDesk
    store: InMemoryOrderStore
    gateway: FakePaymentGateway
    inventory: FakeInventory
    warehouses: dict[str, FakeWarehouse]
    accounting: FakeAccounting
    notifier: FakeNotifier
    clock: FixedClock
    amazon_pay: FakePaymentGateway
    fraud: FakeFraudScreen
    postpay: FakePostpay
    bank: FakeBank
    konbini: FakeKonbini
    points: FakePoints


def fake_shop(
    stock: Mapping[tuple[str, str], int] | None = None,
    *,
    settings: ShopSettings | None = None,
    decline_tokens: frozenset[str] = frozenset(),
    points: Mapping[str, int] | None = None,
) -> FakeShop:
    """A desk on in-memory fakes, with the real Yamato, Sagawa and Japan Post carrier adapters.

    Every payment port is faked: card and Amazon Pay gateways, a fraud screen (accepting
    everyone until told otherwise), a 後払い provider, a bank with a pool of virtual accounts
    and a konbini service. ``points`` gives customers (by id) their point balances.

    ``stock`` maps (warehouse, SKU) to units on hand; the warehouses are those of ``settings``
    (``TOKYO`` alone by default).
    """
    settings = settings or ShopSettings()
    clock = FixedClock()
    store = InMemoryOrderStore()
    gateway = FakePaymentGateway(decline_tokens=decline_tokens)
    gateway.now = clock.now
    amazon_pay = FakePaymentGateway(decline_tokens=decline_tokens)
    amazon_pay.now = clock.now
    fraud = FakeFraudScreen()
    postpay = FakePostpay()
    bank = FakeBank()
    konbini = FakeKonbini()
    point_system = FakePoints(dict(points or {}))
    inventory = FakeInventory(dict(stock or {}))
    warehouses = {code: FakeWarehouse(code) for code in settings.warehouses}
    accounting = FakeAccounting()
    notifier = FakeNotifier()
    desk = OrderDesk(
        store=store,
        gateway=gateway,
        inventory=inventory,
        warehouses=warehouses,
        carriers={c.code: c() for c in (Yamato, Sagawa, JapanPost)},
        accounting=accounting,
        notifier=notifier,
        clock=clock,
        amazon_pay=amazon_pay,
        fraud=fraud,
        postpay=postpay,
        bank=bank,
        konbini=konbini,
        points=point_system,
        settings=settings,
    )
    return FakeShop(
        desk,
        store,
        gateway,
        inventory,
        warehouses,
        accounting,
        notifier,
        clock,
        amazon_pay,
        fraud,
        postpay,
        bank,
        konbini,
        point_system,
    )

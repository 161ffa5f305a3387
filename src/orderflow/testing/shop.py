"""A whole shop on fakes: every port faked and a desk wired to them (tests, demos, benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from orderflow.adapters.carriers import JapanPost, Sagawa, Yamato
from orderflow.desk import OrderDesk
from orderflow.errors import InvalidValue
from orderflow.ports import Inventory, OrderStore, PurchaseOrderStore
from orderflow.settings import ShopSettings
from orderflow.testing.carrier_events import FakeCarrierEvents
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
from orderflow.testing.purchasing_fakes import FakeSupplier, InMemoryPurchaseOrderStore

__all__ = ["FakeShop", "desk_on", "fake_shop"]


@attrs.define
class FakeShop:
    """The fakes behind one desk, so a test can inspect or sabotage any of them."""

    desk: OrderDesk
    """The desk wired to these fakes (and to the real Yamato, Sagawa and Japan Post adapters)."""
    store: InMemoryOrderStore
    """The in-memory order store ``fake_shop`` wires in (``orders`` holds every order); a desk from
    ``desk_on`` with another store does not use it."""
    gateway: FakePaymentGateway
    """The card gateway; it declines the tokens given as ``decline_tokens`` and reads time from
    ``clock``."""
    inventory: FakeInventory
    """Stock per (warehouse, SKU): ``on_hand`` and ``reserved`` (引当); ``put`` adds units."""
    warehouses: dict[str, FakeWarehouse]
    """Warehouse code → its fake, one per ``settings.warehouses``; ``mark_shipped`` makes a recall
    too late."""
    accounting: FakeAccounting
    """The accounting fake: the journal entries posted (計上) are in ``entries``."""
    notifier: FakeNotifier
    """The notifier fake: every notice sent to customers is in ``sent``."""
    clock: FixedClock
    """The shop's time (``fake_shop``'s ``clock``), standing still, by default at 2026-11-22
    00:00 UTC, until ``advance`` or ``set`` moves it on."""
    amazon_pay: FakePaymentGateway
    """The Amazon Pay gateway (a second card-style fake, declining the same ``decline_tokens``)."""
    fraud: FakeFraudScreen
    """The fraud screen (不正検知): accepts everyone unless ``verdicts`` names the customer's id or
    e-mail."""
    postpay: FakePostpay
    """The 後払い provider: approves unless ``decisions`` names the customer id; ``decide`` settles
    a pending claim."""
    bank: FakeBank
    """The bank issuing virtual accounts from a pool of 1,000 numbers, reused once released."""
    konbini: FakeKonbini
    """The konbini provider issuing payment numbers; payments reach the shop through the desk."""
    points: FakePoints
    """The points system: ``balances`` per customer id (from ``fake_shop``'s ``points``) and
    ``provisional`` 仮ポイント."""
    carrier_feed: FakeCarrierEvents = attrs.field(factory=FakeCarrierEvents)
    """Yamato's tracking feed (``desk.poll_carrier_events`` polls it)."""
    supplier: FakeSupplier = attrs.field(factory=FakeSupplier)
    """The supplier ``ACME`` (発注)."""
    purchase_orders: PurchaseOrderStore = attrs.field(factory=InMemoryPurchaseOrderStore)
    """The in-memory purchase-order store (発注) the desk keeps purchase orders in, unless
    ``desk_on`` is given another."""


def fake_shop(
    stock: Mapping[tuple[str, str], int] | None = None,
    *,
    settings: ShopSettings | None = None,
    decline_tokens: frozenset[str] = frozenset(),
    points: Mapping[str, int] | None = None,
    clock: FixedClock | None = None,
) -> FakeShop:
    """A desk on in-memory fakes, with the real Yamato, Sagawa and Japan Post carrier adapters.

    Every payment port is faked: card and Amazon Pay gateways, a fraud screen (accepting
    everyone until told otherwise), a 後払い provider, a bank with a pool of virtual accounts
    and a konbini service. One supplier, ``ACME``, takes purchase orders (発注). ``points``
    gives customers (by id) their point balances.

    ``stock`` maps (warehouse, SKU) to units on hand; the warehouses are those of ``settings``
    (``TOKYO`` alone by default). ``clock`` is the shop's time, read by the desk and the card
    gateways: a ``FixedClock`` of the test's (``FixedClock(datetime.now(UTC))`` for a suite on
    the wall clock, moved on with ``set`` or ``advance``); None: one standing at 2026-11-22
    00:00 UTC.
    """
    if clock is None:
        clock = FixedClock()
    elif not isinstance(clock, FixedClock):
        raise InvalidValue(
            "clock", clock, "a FixedClock (orderflow.testing), or None for 2026-11-22 00:00 UTC"
        )
    settings = settings or ShopSettings()
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
    parts = FakeShop(
        None,  # type: ignore[arg-type]  # wired just below
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
    parts.desk = desk_on(parts, store=store, inventory=inventory, settings=settings)
    return parts


def desk_on(
    shop: FakeShop,
    *,
    store: OrderStore,
    inventory: Inventory | None = None,
    settings: ShopSettings | None = None,
    purchase_orders: PurchaseOrderStore | None = None,
) -> OrderDesk:
    """A desk on ``shop``'s fakes but another store (and inventory): a SQLite file, PostgreSQL.

    ``desk_on(fake_shop(), store=SQLiteStore("shop.sqlite3"))`` runs real orders on a real
    database with every provider faked.
    """
    return OrderDesk(
        store=store,
        gateway=shop.gateway,
        inventory=shop.inventory if inventory is None else inventory,
        warehouses=shop.warehouses,
        carriers={c.code: c() for c in (Yamato, Sagawa, JapanPost)},
        accounting=shop.accounting,
        notifier=shop.notifier,
        clock=shop.clock,
        amazon_pay=shop.amazon_pay,
        fraud=shop.fraud,
        postpay=shop.postpay,
        bank=shop.bank,
        konbini=shop.konbini,
        points=shop.points,
        suppliers={shop.supplier.code: shop.supplier},
        purchase_orders=shop.purchase_orders if purchase_orders is None else purchase_orders,
        settings=settings or shop.desk.settings,
        carrier_feeds={"yamato": shop.carrier_feed},
    )

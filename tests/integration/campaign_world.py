"""The campaign's world: the shop on fakes, its stock and ports, and what a flow carries."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs

from orderflow import (
    AllocationStrategy,
    Clawback,
    CodSplit,
    GrantAt,
    Money,
    PartialPayment,
    PointsGrant,
    ReturnPolicy,
    ShopSettings,
    TaxRate,
)
from orderflow.testing import FakeShop, Fault, fake_shop

SKUS = {"TEA-1": (1080, TaxRate.REDUCED), "MUG-1": (3300, TaxRate.STANDARD), "CAKE-1": (1620, None)}
SETS = {"GIFT-1": (("TEA-1", 2), ("MUG-1", 1))}
"""セット商品: the set SKU the orders sometimes hold (the inventory knows only its components)."""
SET_PRICES = {"GIFT-1": 5400}
WAREHOUSES = ("TOKYO", "OSAKA")
CARRIER_NUMBERS = ["123456789013", "445566778812", "200000000001"]
POINTS = 2000
TOLERANCES = (timedelta(days=3650), timedelta(days=3650), timedelta(days=1), timedelta(hours=1))
"""How far ahead of the shop's clock a flow's shop takes carrier events."""
FAULTS = (Fault.DECLINE, Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER, Fault.DUPLICATE)
PORTS: dict[str, tuple[str, ...]] = {
    "gateway": ("authorize", "capture", "void", "refund"),
    "amazon_pay": ("authorize", "capture", "void", "refund"),
    "fraud": ("screen",),
    "postpay": ("register", "amend", "report_shipment", "cancel"),
    "bank": ("issue_account", "release_account"),
    "konbini": ("issue", "cancel"),
    "inventory": ("reserve", "release", "commit", "receive"),
    "TOKYO": ("instruct", "recall"),
    "OSAKA": ("instruct", "recall"),
    "accounting": ("post",),
    "notifier": ("send",),
    "points": ("redeem", "restore", "grant", "confirm", "revoke"),
    "supplier": ("send", "cancel"),
}
CRASHABLE = {
    **PORTS,
    "inventory": (*PORTS["inventory"], "reserve_many", "release_many", "commit_many"),
    "store": ("save", "add"),
    "purchase_orders": ("save", "add"),
}


class Crash(Exception):
    """What the campaign throws to simulate a process dying around a port call."""


@attrs.define
class Flow:
    """One random flow: its shop, its orders and its random source."""

    seed: int
    rng: random.Random
    shop: FakeShop
    numbers: list[str] = attrs.field(factory=list)
    received: dict[tuple[str, str], int] = attrs.field(factory=dict)
    next_number: int = 1001
    crash_restore: list[Callable[[], None]] = attrs.field(factory=list)
    receipts: dict[str, tuple[str, str]] = attrs.field(factory=dict)
    """Receipt id → (warehouse, SKU) of the receipts the flow reported."""
    po_receipts: dict[tuple[str, str], dict[str, int]] = attrs.field(factory=dict)
    """(purchase order, receipt id) → the units that receipt reported (to report it again)."""
    counted: set[str] = attrs.field(factory=set)
    """Receipts whose units are in ``received``."""
    journeys: dict[tuple[str, str, str], list[Any]] = attrs.field(factory=dict)
    """(order, shipment, tracking number) → the parcel's carrier events."""
    sent: dict[str, int] = attrs.field(factory=dict)
    """Tracking number → how far into its journey the carrier has reported."""
    retry: list[Any] = attrs.field(factory=list)
    """Carrier events a failed batch gave back, to give again."""
    broken: list[str] = attrs.field(factory=list)
    """Laws found broken during the flow (checked on the spot)."""


def _fake(shop: FakeShop, name: str) -> Any:
    if name in WAREHOUSES:
        return shop.warehouses[name]
    return getattr(shop, name)


class StaleReads:
    """The inventory as the desk sees it: an armed stock read may be stale (the last-unit race).

    While ``stale`` reads are left, each read may overstate what is available by a unit that
    another order has just taken: the plan asks for it and the (atomic) reservation is answered
    short; for a set, one component comes short of the others and the rest must go back.
    """

    def __init__(self, inner: Any, rng: random.Random, chance: float = 0.5) -> None:
        self.inner = inner
        self.rng = rng
        self.chance = chance
        self.stale = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def available(self, warehouse: str, sku: str) -> int:
        """What the inventory has, or one more while a stale read is armed."""
        real: int = self.inner.available(warehouse, sku)
        if self.stale > 0:
            self.stale -= 1
            return real + (self.rng.random() < self.chance)
        return real


RECIPES = [(("TEA-1", 2), ("MUG-1", 1)), (("TEA-1", 1), ("MUG-1", 2)), (("TEA-1", 3),)]
"""What the shop may make GIFT-1 of, as the flow goes on."""


def change_recipe(flow: Flow) -> None:
    """The shop changes GIFT-1's recipe while orders hold it: each keeps what it reserved."""
    desk = flow.shop.desk
    sets = {"GIFT-1": flow.rng.choice(RECIPES)}
    desk.settings = attrs.evolve(desk.settings, sets=sets)
    desk.rules = attrs.evolve(desk.rules, settings=desk.settings)
    desk.executor.rules = desk.rules


def arm_stale_reads(flow: Flow, reads: int) -> None:
    """The next ``reads`` stock reads of the desk may be stale (when the desk reads through us)."""
    inventory = flow.shop.desk.ports.inventory
    if isinstance(inventory, StaleReads):
        inventory.stale = reads


def _points_grant(rng: random.Random) -> PointsGrant | None:
    """How the flow's shop grants points (now and then it grants none)."""
    if rng.random() < 0.15:
        return None
    days = rng.choice([0, 0, 3, 10])
    confirm = rng.choice([None, None, days, days + 7])
    return PointsGrant(at=rng.choice(list(GrantAt)), days=days, confirm_days=confirm)


def new_flow(seed: int, folder: Path | None = None) -> Flow:
    """A shop with stock in two warehouses, every payment port, points and a fraud screen.

    With ``folder`` the orders and the stock live in a SQLite file there (the providers stay
    fakes): see :mod:`tests.integration.campaign_sqlite`.
    """
    rng = random.Random(seed)
    stock = {(w, s): rng.randint(0, 4) for w in WAREHOUSES for s in SKUS}
    # journeys run days ahead of the shop's clock: a wide tolerance lets them through as they
    # come (out of order); the default and a narrow one refuse what is too far ahead (given
    # again later). Drawn apart, so the flow's own draws stay as they were.
    tolerance = random.Random(f"tolerance:{seed}").choice(TOLERANCES)
    settings = ShopSettings(
        warehouses=WAREHOUSES,
        auto_advance=rng.random() < 0.6,
        allocation=list(AllocationStrategy)[seed % len(AllocationStrategy)],
        warehouse_locations={"TOKYO": "東京都", "OSAKA": "大阪府"},
        sets=SETS,
        points_grant=_points_grant(rng),
        carrier_clock_tolerance=tolerance,
        points_clawback=rng.choice(list(Clawback)),
        partial_payment=rng.choice(list(PartialPayment)),
        cod_split=rng.choice(list(CodSplit)),
        return_policy=ReturnPolicy(
            return_fee=Money.yen(rng.choice([0, 330])),
            free_shipping_threshold=rng.choice([None, Money.yen(3000)]),
            accepts_customer_reason=rng.random() < 0.9,
        ),
        konbini_grace=timedelta(hours=rng.choice([0, 0, 12, 24])),
    )
    shop = fake_shop(stock, settings=settings, points={"C1": POINTS, "C2": POINTS})
    if folder is not None:
        from tests.integration.campaign_sqlite import on_sqlite

        on_sqlite(shop, folder, stock)
    shop.desk.ports.inventory = StaleReads(shop.desk.ports.inventory, random.Random(seed))
    return Flow(seed, rng, shop, received=dict(stock))

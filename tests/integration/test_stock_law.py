"""A Hypothesis law: stock is conserved per SKU and warehouse, whatever orders, receipts and
cancels come, and nothing ships that was not reserved.

Rules run in any order: orders are placed (one or two lines over three SKUs) and accepted,
stock is received (a receipt sometimes reported twice), orders are allocated, instructed,
shipped, cancelled, or drop the units they wait for. After every step, per (warehouse, SKU):
on hand = received − shipped, reserved = what the orders hold and have not shipped, and the
inventory's committed units are exactly the units in shipped parcels.

セット商品: a random set of the three SKUs is sold too; its lines hold and ship component units,
and a stock read may be stale (the last-unit race), so a component can come short of the others.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from functools import partial

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from orderflow import Customer, Money, OrderLine, OrderStatus, ShipmentStatus, ShopSettings
from orderflow.domain.sets import components
from orderflow.errors import OrderflowError
from orderflow.testing import fake_shop
from tests.builders import address
from tests.integration.campaign_world import StaleReads

WAREHOUSES = ("TOKYO", "OSAKA")
SKUS = ("TEA", "MUG", "JAM")
TRACKING = "123456789013"


class StockLaw(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        stock = {(w, s): 1 for w in WAREHOUSES for s in SKUS}
        self.shop = fake_shop(stock, settings=ShopSettings(warehouses=WAREHOUSES))
        self.received = dict(stock)
        self.receipts: dict[str, tuple[str, str, int]] = {}
        self.numbers: list[str] = []
        self.stale: StaleReads | None = None

    @initialize(
        recipe=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 3), min_size=1, max_size=3),
        seed=st.integers(0, 2**16),
    )
    def sets(self, recipe: dict[str, int], seed: int) -> None:
        """The shop sells the set ``GIFT`` of a random recipe; its stock reads may go stale."""
        settings = ShopSettings(warehouses=WAREHOUSES, sets={"GIFT": tuple(sorted(recipe.items()))})
        self.shop = fake_shop(dict(self.received), settings=settings)
        self.stale = StaleReads(self.shop.desk.ports.inventory, random.Random(seed), 0.8)
        self.shop.desk.ports.inventory = self.stale

    @rule(reads=st.integers(1, 6))
    def race(self, reads: int) -> None:
        """The next stock reads may overstate by a unit another order just took."""
        assert self.stale is not None
        self.stale.stale = reads

    def _try(self, action: Callable[[], object]) -> None:
        with contextlib.suppress(OrderflowError):  # a refusal is an answer: the law holds after
            action()

    @rule(
        skus=st.lists(st.sampled_from((*SKUS, "GIFT")), min_size=1, max_size=2, unique=True),
        quantity=st.integers(1, 3),
        maker=st.booleans(),
    )
    def place(self, skus: list[str], quantity: int, maker: bool) -> None:
        number = f"{1001 + len(self.numbers)}"
        lines = [
            OrderLine(f"L{i}", sku, sku, Money.yen(500), quantity) for i, sku in enumerate(skus)
        ]
        if maker:  # メーカー直送: a line the supplier ships; never our stock
            lines.append(OrderLine("D1", "CHAIR", "椅子", Money.yen(9800), 1, supplier="ACME"))
        who = Customer(f"C{number}", "見本 花子", f"c{number}@example.jp")
        self.shop.desk.place(
            number=number, customer=who, ship_to=address(), lines=lines, token="tok"
        )
        self.numbers.append(number)
        self._try(lambda: self.shop.desk.accept(number))

    @rule(
        warehouse=st.sampled_from(WAREHOUSES),
        sku=st.sampled_from(SKUS),
        units=st.integers(1, 4),
        again=st.booleans(),
    )
    def receive(self, warehouse: str, sku: str, units: int, again: bool) -> None:
        if again and self.receipts:
            receipt = sorted(self.receipts)[0]
            warehouse, sku, units = self.receipts[receipt]
        else:
            receipt = f"R{len(self.receipts)}"
            self.receipts[receipt] = (warehouse, sku, units)
            self.received[(warehouse, sku)] = self.received.get((warehouse, sku), 0) + units
        self.shop.desk.receive(warehouse, sku, units, receipt_id=receipt)

    def _next_step(self, number: str) -> None:
        """The step a shop would take next with this order."""
        desk = self.shop.desk
        order = desk.get(number)
        status = order.status
        if status in (OrderStatus.UNALLOCATED, OrderStatus.PARTIALLY_ALLOCATED):
            self._try(lambda: desk.allocate(number))
        elif status is OrderStatus.ALLOCATED:
            self._try(lambda: desk.instruct_shipping(number))
        for shipment in order.shipments:
            sid = shipment.shipment_id
            if shipment.status is ShipmentStatus.INSTRUCTED and shipment.warehouse.startswith(
                "supplier:"
            ):
                for po in desk.open_purchase_orders("ACME"):
                    if po.shipment_id == sid:
                        self._try(partial(desk.supplier_shipped, po.number, TRACKING))
                return
            if shipment.status is ShipmentStatus.INSTRUCTED:
                self._try(partial(desk.ship, number, sid, TRACKING))
                return
            if shipment.status is ShipmentStatus.SHIPPED:
                self._try(partial(desk.deliver, number, sid))
                return

    @precondition(lambda self: self.numbers)
    @rule(pick=st.integers(0, 30))
    def forward(self, pick: int) -> None:
        self._next_step(self.numbers[pick % len(self.numbers)])

    @precondition(lambda self: self.numbers)
    @rule(
        pick=st.integers(0, 30),
        move=st.sampled_from(["allocate", "cancel", "drop", "ship_available", "bundle"]),
    )
    def act(self, pick: int, move: str) -> None:
        number = self.numbers[pick % len(self.numbers)]
        desk = self.shop.desk
        if move == "allocate":
            self._try(lambda: desk.allocate(number))
        elif move == "ship_available":  # 分納: what is reserved now, the rest later
            self._try(lambda: desk.ship_available(number))
        elif move == "bundle":  # 同梱: orders of one recipient in one parcel
            for group in desk.bundle_candidates()[:1]:
                self._try(partial(desk.bundle, list(group)))
        elif move == "cancel":
            self._try(lambda: desk.cancel(number, reason="law"))
        else:
            self._try(lambda: desk.drop_missing(number))

    @invariant()
    def stock_is_conserved_and_nothing_ships_unreserved(self) -> None:
        inventory = self.shop.inventory
        sets = self.shop.desk.settings.sets
        held: dict[tuple[str, str], int] = {}
        shipped: dict[tuple[str, str], int] = {}
        for order in self.shop.store.orders.values():  # a set line counts its component units
            assert not order.set_parts, f"{order.number} holds components not made into sets"
            for a in order.allocations:
                for sku, per in components(sets, order.line(a.line_id).sku):
                    key = (a.warehouse, sku)
                    held[key] = held.get(key, 0) + a.quantity * per
            for s in order.shipments:
                if s.warehouse.startswith("supplier:"):  # shipped by the maker: none of ours
                    assert all(order.line(x.line_id).supplier for x in s.lines), s
                    continue
                if s.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
                    continue
                for line in s.lines:
                    assert order.line(line.line_id).supplier is None, (order.number, line)
                    for sku, per in components(sets, order.line(line.line_id).sku):
                        key = (s.warehouse, sku)
                        shipped[key] = shipped.get(key, 0) + line.quantity * per
                        held[key] = held.get(key, 0) - line.quantity * per
            if order.status is OrderStatus.CANCELLED:
                assert not order.allocations, f"{order.number} cancelled holding stock"
        committed: dict[tuple[str, str], int] = {}
        for method, done_key in inventory.work_done:
            if method == "commit":
                call = next(c for c in inventory.calls if c.key == done_key)
                warehouse, sku, units = call.request
                committed[(warehouse, sku)] = committed.get((warehouse, sku), 0) + units
        for key in set(inventory.on_hand) | set(self.received):
            on_hand = inventory.on_hand.get(key, 0)
            reserved = inventory.reserved.get(key, 0)
            assert 0 <= reserved <= on_hand, key
            assert reserved == held.get(key, 0), (key, reserved, held.get(key, 0))
            assert on_hand == self.received.get(key, 0) - shipped.get(key, 0), key
            assert committed.get(key, 0) == shipped.get(key, 0), key


TestStockLaw = StockLaw.TestCase
TestStockLaw.settings = settings(
    max_examples=120,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

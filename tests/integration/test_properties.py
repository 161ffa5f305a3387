"""Laws that hold for any sequence of commands, with faults injected along the way.

- an order only ever moves along a declared transition;
- stock is never negative, reserved stock is what the orders hold, and units are conserved;
- captured ≤ authorized, refunded ≤ captured, nothing below zero;
- a cancelled order holds no stock and no live authorization;
- no outside system ever does the work of one idempotency key twice.
"""

from collections.abc import Callable

import hypothesis
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderflow import TRANSITIONS, Money, Move, OrderLine, OrderStatus, ShipmentStatus, ShopSettings
from orderflow.errors import OrderflowError, OutcomeUnknown, PaymentDeclined
from orderflow.testing import Fault, fake_shop
from tests.builders import address, customer

SKUS = ("TEA-1", "MUG-1", "CAKE-1")
WAREHOUSES = ("TOKYO", "OSAKA")
MOVE_NAMES = {m.value for m in Move}

numbers = st.sampled_from(["1001", "1002"])
faultable = st.sampled_from(
    [
        ("gateway", "authorize"),
        ("gateway", "capture"),
        ("gateway", "void"),
        ("inventory", "reserve"),
        ("inventory", "release"),
        ("inventory", "commit"),
        ("accounting", "post"),
        ("TOKYO", "instruct"),
        ("OSAKA", "instruct"),
    ]
)


class OrderWorld(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        stock = {(w, s): 2 for w in WAREHOUSES for s in SKUS}
        self.shop = fake_shop(stock, settings=ShopSettings(warehouses=WAREHOUSES))
        self.received = dict(stock)

    # -- helpers ------------------------------------------------------------------------

    def attempt(self, number: str | None, action: Callable[[], object]) -> None:
        """Run a command; retry after unknown outcomes; a refusal must change nothing."""
        for _ in range(6):
            before = self.shop.store.orders.get(number) if number else None
            try:
                action()
                return
            except OutcomeUnknown:
                continue
            except PaymentDeclined:
                return
            except OrderflowError:
                after = self.shop.store.orders.get(number) if number else None
                if before is not None and after is not None and after.version != before.version:
                    # only the settlement of finished calls may be saved (a recall too late)
                    assert after.intents == () and after.history == before.history
                else:
                    assert after == before
                return
        raise AssertionError("an unknown outcome did not settle after retries")

    # -- rules --------------------------------------------------------------------------

    @rule(
        number=numbers,
        picks=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3),
        declined=st.integers(0, 9).map(lambda n: n == 0),
    )
    def place(self, number: str, picks: list[tuple[str, int]], declined: bool) -> None:
        lines = [
            OrderLine(f"L{i}", sku, sku, Money.yen(100 * (i + 1)), qty)
            for i, (sku, qty) in enumerate(picks)
        ]
        token = "tok_bad" if declined else "tok_ok"
        self.shop.gateway.decline_tokens = frozenset({"tok_bad"})
        self.attempt(
            None,
            lambda: self.shop.desk.place(
                number=number, customer=customer(), ship_to=address(), lines=lines, token=token
            ),
        )

    def next_step(self, number: str) -> Callable[[], object] | None:
        """The natural next command for the order, if it is not final."""
        desk = self.shop.desk
        order = self.shop.store.orders.get(number)
        if order is None or order.status.is_final:
            return None
        pending = [s for s in order.shipments if s.status is not ShipmentStatus.DELIVERED]
        first_instructed = next(
            (s.shipment_id for s in pending if s.status is ShipmentStatus.INSTRUCTED), ""
        )
        first_pending = pending[0].shipment_id if pending else ""
        steps: dict[OrderStatus, Callable[[], object]] = {
            OrderStatus.ORDERED: lambda: desk.accept(number),
            OrderStatus.UNALLOCATED: lambda: desk.allocate(number),
            OrderStatus.PARTIALLY_ALLOCATED: lambda: desk.allocate(number),
            OrderStatus.ALLOCATED: lambda: desk.instruct_shipping(number),
            OrderStatus.SHIPPING_INSTRUCTED: lambda: desk.ship(
                number, first_instructed, "123456789013"
            ),
            OrderStatus.SHIPPED: lambda: desk.deliver(number, first_pending),
            OrderStatus.DELIVERED: lambda: desk.book(number),
        }
        return steps[order.status]

    @rule(number=numbers, times=st.integers(1, 4))
    def advance(self, number: str, times: int) -> None:
        """Take the natural next step(s), so that sequences reach the later statuses."""
        for _ in range(times):
            step = self.next_step(number)
            if step is None:
                return
            self.attempt(number, step)

    @rule(number=numbers)
    def accept(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.accept(number))

    @rule(number=numbers)
    def allocate(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.allocate(number))

    @rule(number=numbers)
    def release(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.release(number))

    @rule(number=numbers)
    def instruct(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.instruct_shipping(number))

    @rule(number=numbers, too_late=st.booleans())
    def recall(self, number: str, too_late: bool) -> None:
        if too_late and number in self.shop.store.orders:
            for shipment in self.shop.store.orders[number].shipments:
                self.shop.warehouses[shipment.warehouse].mark_shipped(shipment.shipment_id)
        self.attempt(number, lambda: self.shop.desk.recall(number))

    @rule(number=numbers, index=st.integers(1, 2))
    def ship(self, number: str, index: int) -> None:
        self.attempt(
            number, lambda: self.shop.desk.ship(number, f"{number}-S{index}", "123456789013")
        )

    @rule(number=numbers, index=st.integers(1, 2))
    def deliver(self, number: str, index: int) -> None:
        self.attempt(number, lambda: self.shop.desk.deliver(number, f"{number}-S{index}"))

    @rule(number=numbers)
    def book(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.book(number))

    @rule(number=numbers)
    def cancel(self, number: str) -> None:
        self.attempt(number, lambda: self.shop.desk.cancel(number, reason="test"))

    @rule(number=numbers, hold=st.booleans())
    def hold(self, number: str, hold: bool) -> None:
        if hold:
            self.attempt(number, lambda: self.shop.desk.raise_hold(number, "check", "確認"))
        else:
            self.attempt(number, lambda: self.shop.desk.clear_hold(number, "check"))

    @rule(warehouse=st.sampled_from(WAREHOUSES), sku=st.sampled_from(SKUS), units=st.integers(1, 3))
    def receive_stock(self, warehouse: str, sku: str, units: int) -> None:
        self.shop.inventory.put(warehouse, sku, units)
        self.received[(warehouse, sku)] += units

    @rule(
        where=faultable,
        kind=st.sampled_from([Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER, Fault.DUPLICATE]),
    )
    def inject_fault(self, where: tuple[str, str], kind: Fault) -> None:
        name, method = where
        fake = self.shop.warehouses[name] if name in WAREHOUSES else getattr(self.shop, name)
        fake.fail_next(method, kind)

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def moves_follow_the_machine(self) -> None:
        for order in self.shop.store.orders.values():
            hypothesis.event(f"reached {order.status.name}")
            for event in order.history:
                if event.name in MOVE_NAMES:
                    assert event.to_status in TRANSITIONS[event.from_status][Move(event.name)]
                else:
                    assert event.from_status is event.to_status

    @invariant()
    def stock_is_never_negative_and_is_conserved(self) -> None:
        inventory = self.shop.inventory
        expected_reserved: dict[tuple[str, str], int] = {}
        shipped: dict[tuple[str, str], int] = {}
        for order in self.shop.store.orders.values():
            sku = {line.line_id: line.sku for line in order.lines}
            for a in order.allocations:
                key = (a.warehouse, sku[a.line_id])
                expected_reserved[key] = expected_reserved.get(key, 0) + a.quantity
            for shipment in order.shipments:
                if shipment.status is not ShipmentStatus.INSTRUCTED:
                    for line in shipment.lines:
                        key = (shipment.warehouse, sku[line.line_id])
                        shipped[key] = shipped.get(key, 0) + line.quantity
                        if order.status in (OrderStatus.SHIPPING_INSTRUCTED,):
                            expected_reserved[key] -= line.quantity
            if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.BOOKED):
                for shipment in order.shipments:
                    for line in shipment.lines:
                        expected_reserved[(shipment.warehouse, sku[line.line_id])] -= line.quantity
        for key, received in self.received.items():
            on_hand = inventory.on_hand.get(key, 0)
            reserved = inventory.reserved.get(key, 0)
            assert 0 <= reserved <= on_hand
            assert reserved == expected_reserved.get(key, 0), key
            assert on_hand == received - shipped.get(key, 0), key

    @invariant()
    def money_never_breaks_the_ledger(self) -> None:
        for order in self.shop.store.orders.values():
            p = order.payment
            assert Money.yen(0) <= p.captured <= p.authorized
            assert p.refunded <= p.captured
            assert p.voided <= p.authorized
            assert p.open_authorization >= Money.yen(0)

    @invariant()
    def a_cancelled_order_holds_nothing(self) -> None:
        live = self.shop.gateway.live_authorizations()
        for order in self.shop.store.orders.values():
            if order.status is OrderStatus.CANCELLED:
                assert order.allocations == ()
                assert order.payment.open_authorization == Money.yen(0)
                for entry in order.payment.ledger:
                    assert entry.reference not in live

    @invariant()
    def no_key_does_work_twice(self) -> None:
        s = self.shop
        for fake in (s.gateway, s.inventory, s.accounting, *s.warehouses.values()):
            keys = [key for _, key in fake.work_done]
            assert len(keys) == len(set(keys))


OrderWorld.TestCase.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
TestOrderWorld = OrderWorld.TestCase

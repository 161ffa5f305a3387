"""Laws that hold for any sequence of commands, with faults injected along the way.

- an order only ever moves along a declared transition;
- stock is never negative, reserved stock is what the orders hold, and units are conserved;
- captured ≤ authorized, refunded ≤ captured, nothing below zero;
- a cancelled order holds no stock and no live authorization;
- no outside system ever does the work of one idempotency key twice.
"""

from collections.abc import Callable
from datetime import timedelta

import hypothesis
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderflow import (
    TRANSITIONS,
    CreditStatus,
    Deposit,
    Money,
    Move,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShipmentStatus,
    ShopSettings,
)
from orderflow.errors import MoveBlocked, OrderflowError, OutcomeUnknown, PaymentDeclined
from orderflow.testing import Fault, fake_shop
from tests.builders import address, customer

SKUS = ("TEA-1", "MUG-1", "CAKE-1")
WAREHOUSES = ("TOKYO", "OSAKA")
MOVE_NAMES = {m.value for m in Move}

numbers = st.sampled_from(["1001", "1002", "1001-1", "1001-2"])
faultable = st.sampled_from(
    [
        ("gateway", "authorize"),
        ("gateway", "capture"),
        ("gateway", "void"),
        ("inventory", "reserve"),
        ("inventory", "release"),
        ("inventory", "commit"),
        ("gateway", "refund"),
        ("amazon_pay", "authorize"),
        ("amazon_pay", "capture"),
        ("amazon_pay", "void"),
        ("postpay", "register"),
        ("postpay", "report_shipment"),
        ("postpay", "cancel"),
        ("bank", "issue_account"),
        ("bank", "release_account"),
        ("konbini", "issue"),
        ("konbini", "cancel"),
        ("accounting", "post"),
        ("TOKYO", "instruct"),
        ("OSAKA", "instruct"),
    ]
)
methods = st.sampled_from(list(PaymentMethod))


class OrderWorld(RuleBasedStateMachine):
    AUTO_ADVANCE = False

    def __init__(self) -> None:
        super().__init__()
        stock = {(w, s): 2 for w in WAREHOUSES for s in SKUS}
        settings = ShopSettings(warehouses=WAREHOUSES, auto_advance=self.AUTO_ADVANCE)
        self.shop = fake_shop(stock, settings=settings)
        self.received = dict(stock)

    # -- helpers ------------------------------------------------------------------------

    def attempt(self, number: str | None, action: Callable[[], object]) -> None:
        """Run a command; after an unknown outcome resume as the docs say; bad input changes
        nothing, and a refusal from a provider is recorded with nothing left pending."""
        before = self.shop.store.orders.get(number) if number else None
        try:
            action()
            if self.shop.store.pending():  # a sweep left one pending: the scheduler resumes
                self.resume()
        except OutcomeUnknown:
            self.resume()
        except PaymentDeclined:
            self.resume()
        except MoveBlocked as blocked:
            after = self.shop.store.orders.get(number) if number else None
            if "already left" in str(blocked):  # a recall too late: answered and recorded
                assert after is not None and before is not None
                assert after.outbox == () and after.status is before.status
            else:
                assert after == before
        except OrderflowError:
            after = self.shop.store.orders.get(number) if number else None
            assert after == before

    def resume(self) -> None:
        for _ in range(8):
            self.shop.desk.resume_pending()
            if not self.shop.store.pending():
                return
        raise AssertionError("pending effects did not finish after resuming")

    # -- rules --------------------------------------------------------------------------

    @rule(
        number=numbers,
        picks=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3),
        luck=st.integers(0, 9),
        method=methods,
    )
    def place(
        self, number: str, picks: list[tuple[str, int]], luck: int, method: PaymentMethod
    ) -> None:
        """A new order; luck 0 is declined everywhere, 1-2 waits for a 後払い review."""
        declined = luck == 0
        lines = [
            OrderLine(f"L{i}", sku, sku, Money.yen(100 * (i + 1)), qty)
            for i, (sku, qty) in enumerate(picks)
        ]
        token = "tok_bad" if declined else "tok_ok"
        self.shop.gateway.decline_tokens = frozenset({"tok_bad"})
        self.shop.amazon_pay.decline_tokens = frozenset({"tok_bad"})
        self.shop.postpay.decisions["C1"] = (
            CreditStatus.DECLINED
            if declined
            else CreditStatus.PENDING
            if luck <= 2
            else CreditStatus.APPROVED
        )
        self.attempt(
            None,
            lambda: self.shop.desk.place(
                number=number,
                customer=customer(),
                ship_to=address(),
                lines=lines,
                token=token,
                payment_method=method,
            ),
        )

    @rule(number=numbers, share=st.sampled_from([1, 2, 3]), reference=st.integers(0, 3))
    def pay(self, number: str, share: int, reference: int) -> None:
        """Money comes in: all, half or a third more than due, references sometimes repeated."""
        order = self.shop.store.orders.get(number)
        if order is None:
            return
        total = self.shop.desk.totals(order).total
        amount = {1: total, 2: Money.yen(int(total.amount) // 2 or 1), 3: total + Money.yen(300)}[
            share
        ]
        account = order.payment.instruction("account")
        if order.payment.method is PaymentMethod.BANK_TRANSFER and account:
            deposit = Deposit(account, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", order.placed_at.date(), f"R{reference}")
            self.attempt(number, lambda: self.shop.desk.reconcile_deposits([deposit]))
        elif order.payment.method is PaymentMethod.KONBINI:
            self.attempt(
                number,
                lambda: self.shop.desk.record_konbini_payment(
                    number, reference=f"K{reference}", amount=amount
                ),
            )

    @rule(number=numbers, amount=st.integers(1, 20_000))
    def refund(self, number: str, amount: int) -> None:
        self.attempt(
            number, lambda: self.shop.desk.refund(number, Money.yen(amount), reason="return")
        )

    @rule(days=st.integers(1, 30))
    def time_passes(self, days: int) -> None:
        """Days go by: authorizations near expiry are renewed, unpaid konbini orders expire."""
        self.shop.clock.advance(timedelta(days=days))
        self.attempt(None, self.shop.desk.reauthorize_expiring)
        self.attempt(None, self.shop.desk.expire_unpaid)

    @rule(number=numbers, decision=st.sampled_from(list(CreditStatus)))
    def postpay_decides(self, number: str, decision: CreditStatus) -> None:
        order = self.shop.store.orders.get(number)
        reference = order.payment.instruction("reference") if order else None
        claim = self.shop.postpay.claims.get(reference or "")
        if claim is not None and claim["status"] is CreditStatus.PENDING:
            self.shop.postpay.decide(reference or "", decision)
            self.attempt(number, lambda: self.shop.desk.refresh_postpay(number))

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

    @rule(number=numbers, quantity=st.integers(1, 4), add=st.booleans())
    def change(self, number: str, quantity: int, add: bool) -> None:
        """Change the first line's quantity, or add a line."""
        order = self.shop.store.orders.get(number)
        if order is None:
            return
        first = order.lines[0].line_id
        change = (
            OrderChange(
                add_lines=(OrderLine(f"N{order.version}", "MUG-1", "mug", Money.yen(700), 1),)
            )
            if add
            else OrderChange(quantities={first: quantity})
        )
        self.attempt(number, lambda: self.shop.desk.change(number, change))

    @rule(number=numbers)
    def split(self, number: str) -> None:
        """Split the first unit of the first line off into its own order."""
        order = self.shop.store.orders.get(number)
        if order is None:
            return
        first = order.lines[0]
        rest = {line.line_id: line.quantity for line in order.lines}
        rest[first.line_id] -= 1
        rest = {k: v for k, v in rest.items() if v}
        parts = [{first.line_id: 1}, rest]
        self.attempt(number, lambda: self.shop.desk.split(number, parts))

    @rule(number=numbers)
    def cancel_a_unit(self, number: str) -> None:
        order = self.shop.store.orders.get(number)
        if order is None:
            return
        line = order.lines[-1].line_id
        self.attempt(number, lambda: self.shop.desk.cancel(number, reason="unit", lines={line: 1}))

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
            hypothesis.event(f"{order.payment.method.value} reached {order.status.name}")
            if order.split_from:
                hypothesis.event("a split part exists")
            if any(e.name == "changed" for e in order.history):
                hypothesis.event("an order was changed")
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
            # owed back by transfer: never more than the shop holds (a refused card refund too)
            assert p.refund_owed <= p.received + p.captured - p.refunded
            assert p.refund_paid <= p.refund_owed
            keys = [e.key for e in p.ledger]
            assert len(keys) == len(set(keys)), "one ledger entry per request"

    @invariant()
    def a_cancelled_order_holds_nothing(self) -> None:
        live = {
            **self.shop.gateway.live_authorizations(),
            **{f"amazon:{k}": v for k, v in self.shop.amazon_pay.live_authorizations().items()},
        }
        for order in self.shop.store.orders.values():
            if order.status is not OrderStatus.CANCELLED:
                continue
            assert order.allocations == ()
            assert order.payment.open_authorization == Money.yen(0)
            for entry in order.payment.ledger:
                gateway_ref = (
                    f"amazon:{entry.reference}"
                    if order.payment.method is PaymentMethod.AMAZON_PAY
                    else entry.reference
                )
                assert gateway_ref not in live
            claim = order.payment.instruction("reference")
            if claim and claim in self.shop.postpay.claims:
                provider_claim = self.shop.postpay.claims[claim]
                # a declined claim bills nobody; any other must have been cancelled
                if provider_claim["status"] is not CreditStatus.DECLINED:
                    assert provider_claim["cancelled"]
                assert order.payment.voided == order.payment.authorized
            slip = order.payment.instruction("payment_number")
            if slip and not order.payment.received:
                assert self.shop.konbini.slips[slip]["cancelled"]
            account = order.payment.instruction("account")
            if account:
                assert self.shop.bank.held.get(account) != order.number

    @invariant()
    def no_key_does_work_twice(self) -> None:
        s = self.shop
        fakes = (s.gateway, s.amazon_pay, s.postpay, s.bank, s.konbini, s.inventory, s.accounting)
        for fake in (*fakes, *s.warehouses.values()):
            keys = [key for _, key in fake.work_done]
            assert len(keys) == len(set(keys))


class AutoAdvancingWorld(OrderWorld):
    """The same laws when problem-free orders go on by themselves."""

    AUTO_ADVANCE = True


OrderWorld.TestCase.settings = settings(max_examples=500, stateful_step_count=50, deadline=None)
AutoAdvancingWorld.TestCase.settings = settings(
    max_examples=250, stateful_step_count=50, deadline=None
)
TestOrderWorld = OrderWorld.TestCase
TestAutoAdvancingWorld = AutoAdvancingWorld.TestCase

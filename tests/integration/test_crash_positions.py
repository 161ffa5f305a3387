"""A crash at every port-call position of whole lifecycles, then the command run again.

Each lifecycle runs once cleanly while every port call is counted (the order store's writes
included). Then, for every position and for a crash before and after the call's work, it runs
again with the process "dying" there; the caller does what the docs say — run the same command
again (with the same request id where the command takes one) — and goes on. The end state must be
the clean run's: the orders, the stock, the money at every provider, the journal, the points and
the notices.
"""

from collections.abc import Callable
from typing import Any

import pytest

from orderflow import (
    Deposit,
    Money,
    Order,
    OrderChange,
    OrderLine,
    PaymentMethod,
    ShopSettings,
)
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, TRACKING, address, customer, lines

Step = Callable[[FakeShop], object]


class Crash(Exception):
    pass


def place(method: PaymentMethod) -> Step:
    def run(s: FakeShop) -> object:
        return s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=lines(),
            token="tok_visa",
            payment_method=method,
            shipping_fee=Money.yen(880),
            points_used=300,
        )

    return run


def pay(s: FakeShop) -> object:
    order = s.store.get("1001")
    total = s.desk.totals(order).total
    if order.payment.method is PaymentMethod.KONBINI:
        return s.desk.record_konbini_payment("1001", reference="K1", amount=total)
    account = order.payment.instruction("account")
    if account:
        deposit = Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", s.clock.now().date(), "D1")
        return s.desk.reconcile_deposits([deposit])
    return None


def lifecycle(method: PaymentMethod) -> list[Step]:
    return [
        place(method),
        pay,
        lambda s: s.desk.accept("1001"),
        lambda s: s.desk.instruct_shipping("1001"),
        lambda s: s.desk.ship("1001", "1001-S1", TRACKING),
        lambda s: s.desk.deliver("1001", "1001-S1"),
        lambda s: s.desk.book("1001"),
        lambda s: s.desk.refund("1001", Money.yen(500), reason="return", request_id="R1"),
    ]


def changed_and_cancelled(method: PaymentMethod) -> list[Step]:
    return [
        place(method),
        lambda s: s.desk.accept("1001"),
        lambda s: s.desk.change("1001", OrderChange(quantities={"L1": 1}), request_id="C1"),
        lambda s: s.desk.cancel("1001", reason="x", lines={"L2": 1}, request_id="C2"),
        lambda s: s.desk.cancel("1001", reason="customer", request_id="C3"),
    ]


def split_then_ship(method: PaymentMethod) -> list[Step]:
    return [
        place(method),
        lambda s: s.desk.accept("1001"),
        lambda s: s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}]),
        lambda s: s.desk.instruct_shipping("1001-1"),
        lambda s: s.desk.ship("1001-1", "1001-1-S1", TRACKING),
    ]


def parcel_taken_back(method: PaymentMethod) -> list[Step]:
    """分納: the first parcel left, the second (the cakes received later) is taken back and its
    units dropped."""

    def short(s: FakeShop) -> object:
        many = [*lines()[:2], OrderLine("L3", "CAKE-1", "羊羹", Money.yen(1620), 7)]
        return s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=many,
            token="tok_visa",
            payment_method=method,
            shipping_fee=Money.yen(880),
            points_used=300,
        )

    return [
        short,
        lambda s: s.desk.accept("1001"),
        lambda s: s.desk.ship_available("1001"),
        lambda s: s.desk.ship("1001", "1001-S1", TRACKING),
        lambda s: s.desk.receive("TOKYO", "CAKE-1", 5, receipt_id="R1"),
        lambda s: s.desk.recall("1001", shipment_id="1001-S2", request_id="P1"),
        lambda s: s.desk.drop_unshipped("1001", request_id="P2"),
        lambda s: s.desk.deliver("1001", "1001-S1"),
    ]


METHODS = [
    PaymentMethod.CARD,
    PaymentMethod.POSTPAY,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.KONBINI,
    PaymentMethod.COD,
    PaymentMethod.AMAZON_PAY,
]
FLOWS = (
    [(f"lifecycle-{m.value}", lifecycle(m)) for m in METHODS]
    + [(f"change-cancel-{m.value}", changed_and_cancelled(m)) for m in METHODS]
    + [
        ("split-card", split_then_ship(PaymentMethod.CARD)),
        ("split-postpay", split_then_ship(PaymentMethod.POSTPAY)),
        ("parcel-taken-back-card", parcel_taken_back(PaymentMethod.CARD)),
        ("parcel-taken-back-cod", parcel_taken_back(PaymentMethod.COD)),
    ]
)


def new_shop() -> FakeShop:
    s = fake_shop(dict(STOCK), settings=ShopSettings(), points={"C1": 1000})
    return s


def _ports(s: FakeShop) -> dict[str, Any]:
    return {
        "gateway": s.gateway,
        "amazon_pay": s.amazon_pay,
        "fraud": s.fraud,
        "postpay": s.postpay,
        "bank": s.bank,
        "konbini": s.konbini,
        "inventory": s.inventory,
        "TOKYO": s.warehouses["TOKYO"],
        "accounting": s.accounting,
        "notifier": s.notifier,
        "points": s.points,
        "store": s.store,
    }


METHODS_CALLED = {
    "gateway": ("authorize", "capture", "void", "refund"),
    "amazon_pay": ("authorize", "capture", "void", "refund"),
    "fraud": ("screen",),
    "postpay": ("register", "amend", "report_shipment", "cancel", "decision"),
    "bank": ("issue_account", "release_account"),
    "konbini": ("issue", "cancel"),
    "inventory": ("reserve", "release", "commit", "available"),
    "TOKYO": ("instruct", "recall"),
    "accounting": ("post",),
    "notifier": ("send",),
    "points": ("redeem", "restore"),
    "store": ("add", "save"),
}


def instrument(s: FakeShop, crash_at: int | None, after: bool) -> list[str]:
    """Count every port call; die at call number ``crash_at`` (before or after its work)."""
    seen: list[str] = []
    for name, target in _ports(s).items():
        for method in METHODS_CALLED[name]:
            original = getattr(target, method)

            def counted(
                *args: Any, _o: Any = original, _n: str = f"{name}.{method}", **kwargs: Any
            ) -> Any:
                seen.append(_n)
                if len(seen) - 1 != crash_at:
                    return _o(*args, **kwargs)
                if not after:
                    raise Crash(_n)
                _o(*args, **kwargs)
                raise Crash(_n)

            setattr(target, method, counted)
    return seen


def run(steps: list[Step], crash_at: int | None = None, after: bool = False) -> FakeShop:
    s = new_shop()
    instrument(s, crash_at, after)
    for step in steps:
        for _ in range(3):
            try:
                step(s)
                break
            except Crash:
                continue  # the docs: run the same command again
            except Exception as error:  # a crash the desk wrapped (EffectInterrupted)
                if isinstance(error.__cause__, Crash):
                    continue
                break  # a refusal the clean run has too
    return s


def observable(s: FakeShop) -> tuple[object, ...]:
    def order_view(o: Order) -> tuple[object, ...]:
        return (
            o.number,
            o.status,
            o.lines,
            o.allocations,
            o.shipments,
            o.points_taken,
            [(e.op, e.amount, e.outcome, e.reference) for e in o.payment.ledger],
            [(h.code, h.is_open) for h in o.holds],
            o.outbox,
            o.payment.instructions,
        )

    return (
        sorted((order_view(o) for o in s.store.orders.values()), key=lambda v: str(v[0])),
        dict(s.inventory.on_hand),
        {k: v for k, v in s.inventory.reserved.items() if v},
        s.gateway.live_authorizations(),
        s.amazon_pay.live_authorizations(),
        sorted((c["amount"], c["refunded"]) for c in s.gateway.captures.values()),
        sorted(
            (r, c["amount"], c["cancelled"], c["reported"]) for r, c in s.postpay.claims.items()
        ),
        dict(s.bank.held),
        {n: slip["cancelled"] for n, slip in s.konbini.slips.items()},
        [e for _, e in s.accounting.entries],
        dict(s.points.balances),
        sorted(s.warehouses["TOKYO"].instructed),
        [(n.kind, n.order_number) for n in s.notifier.sent],
    )


def positions(steps: list[Step]) -> int:
    s = new_shop()
    seen = instrument(s, None, False)
    for step in steps:
        step(s)
    return len(seen)


CASES = [
    (label, position, after)
    for label, steps in FLOWS
    for position in range(positions(steps))
    for after in (False, True)
]


def test_the_positions_cover_every_port() -> None:
    called = set()
    for _, steps in FLOWS:
        s = new_shop()
        seen = instrument(s, None, False)
        for step in steps:
            step(s)
        called.update(seen)
    for name in (
        "gateway.authorize",
        "gateway.capture",
        "gateway.void",
        "gateway.refund",
        "postpay.register",
        "postpay.report_shipment",
        "postpay.cancel",
        "bank.issue_account",
        "bank.release_account",
        "konbini.issue",
        "inventory.reserve",
        "inventory.release",
        "inventory.commit",
        "TOKYO.instruct",
        "TOKYO.recall",
        "accounting.post",
        "notifier.send",
        "points.redeem",
        "points.restore",
        "store.add",
        "store.save",
        "fraud.screen",
        "amazon_pay.capture",
    ):
        assert name in called, name
    assert len(CASES) > 500


@pytest.mark.parametrize("flow", [label for label, _ in FLOWS])
def test_a_crash_anywhere_then_the_same_command_gives_the_clean_end(flow: str) -> None:
    steps = dict(FLOWS)[flow]
    clean = observable(run(steps))
    for label, position, after in CASES:
        if label != flow:
            continue
        crashed = run(steps, position, after)
        assert not crashed.store.pending(), (position, after)
        assert observable(crashed) == clean, f"crash {'after' if after else 'before'} call "
        f"#{position}"

"""The benchmark scenarios; each returns (value, unit)."""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from orderflow import (
    Address,
    Customer,
    Deposit,
    Money,
    OpenAccount,
    Order,
    OrderLine,
    PaymentMethod,
    TaxRate,
    next_moves,
    reconcile,
)
from orderflow.testing import fake_shop

ADDRESS = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
CUSTOMER = Customer("C1", "山田 太郎", "taro@example.jp")
LINES = (
    OrderLine("L1", "TEA-1", "緑茶 100g", Money.yen(1080), 2, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
    OrderLine("L3", "CAKE-1", "羊羹", Money.yen(1620), 1, TaxRate.REDUCED),
)
STOCK = {("TOKYO", line.sku): 10**9 for line in LINES}


def parcel_number(n: int) -> str:
    """The ``n``-th parcel's Yamato tracking number (12 digits, mod 7 check digit): each parcel
    its own, as labels are (one number on two parcels in transit is refused)."""
    body = 10**10 + n
    return f"{body}{body % 7}"


def _best(rounds: int, fn: Callable[[], float]) -> float:
    results = []
    for _ in range(rounds):
        gc.collect()
        results.append(fn())
    return min(results)


def lifecycles_per_s() -> tuple[float, str]:
    """place → accept (review, allocate) → instruct → ship → deliver → book; 3 lines, card."""
    count = 2000

    customers = [Customer(f"C{i}", "山田 太郎", "taro@example.jp") for i in range(count)]

    def one_round() -> float:
        shop = fake_shop(STOCK)
        desk = shop.desk
        fee = Money.yen(880)
        start = time.perf_counter()
        for i in range(count):
            number = f"{i}"
            desk.place(
                number=number,
                customer=customers[i],
                ship_to=ADDRESS,
                lines=LINES,
                token="tok",
                shipping_fee=fee,
            )
            desk.accept(number)  # reviewed and allocated (auto-advance)
            desk.instruct_shipping(number)
            desk.ship(number, f"{number}-S1", parcel_number(i))
            desk.deliver(number, f"{number}-S1")
            desk.book(number)
        return time.perf_counter() - start

    return round(count / _best(5, one_round)), "lifecycles/s"


def _placed_order() -> Order:
    shop = fake_shop(STOCK)
    return shop.desk.place(
        number="1001",
        customer=CUSTOMER,
        ship_to=ADDRESS,
        lines=LINES,
        token="tok",
        shipping_fee=Money.yen(880),
    )


def next_moves_us() -> tuple[float, str]:
    """Which moves may this order make now (allocated order: the hold guard is checked)."""
    shop = fake_shop(STOCK)
    order = _placed_order()
    shop.store.add(order)
    allocated = shop.desk.accept(order.number)
    count = 200_000

    def one_round() -> float:
        start = time.perf_counter()
        for _ in range(count):
            next_moves(allocated)
        return time.perf_counter() - start

    return round(_best(5, one_round) / count * 1e6, 3), "us"


def deep_size(obj: object, seen: set[int] | None = None) -> int:
    """Bytes held by ``obj`` and everything it references that is not shared module state."""
    seen = set() if seen is None else seen
    if id(obj) in seen or obj is None or isinstance(obj, (bool, type)):
        return 0
    if type(obj).__module__ == "enum" or hasattr(type(obj), "_member_map_"):
        return 0  # enum members are shared singletons
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, (str, bytes, int, float, Decimal)):
        return size
    if isinstance(obj, dict):
        return size + sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    if isinstance(obj, (tuple, list, set, frozenset)):
        return size + sum(deep_size(item, seen) for item in obj)
    for name in getattr(type(obj), "__slots__", ()):
        if name != "__weakref__" and hasattr(obj, name):
            size += deep_size(getattr(obj, name), seen)
    if hasattr(obj, "__dict__"):
        size += deep_size(vars(obj), seen)
    return size


def order_bytes() -> tuple[float, str]:
    """Memory of one placed 3-line order at rest (everything it references, shared enums aside)."""
    order = _placed_order()
    return deep_size(order), "bytes"


SCENARIOS: dict[str, Callable[[], tuple[float, str]]] = {
    "lifecycles_per_s": lifecycles_per_s,
    "next_moves_us": next_moves_us,
    "order_bytes": order_bytes,
}


def _reconcile_world(
    orders: int, deposits: int, seed: int = 7
) -> tuple[list[Deposit], dict[str, OpenAccount]]:
    """Open orders holding accounts, and deposits: exact, short, over, repeated, unknown."""
    rng = random.Random(seed)
    accounts = {
        f"101-{n:07d}": OpenAccount(
            f"101-{n:07d}", f"{n}", Money.yen(rng.randrange(1_000, 50_000)), Money.yen(0)
        )
        for n in range(orders)
    }
    numbers = list(accounts)
    day = date(2026, 11, 22)
    out: list[Deposit] = []
    for i in range(deposits):
        roll = rng.random()
        if roll < 0.05 and out:
            out.append(out[rng.randrange(len(out))])  # the same deposit reported again
            continue
        if roll < 0.15:
            # a number no open order holds now (reused, its old order is closed)
            account = f"101-{orders + rng.randrange(orders):07d}"
            amount = Money.yen(rng.randrange(1_000, 50_000))
        else:
            account = numbers[rng.randrange(len(numbers))]
            due = accounts[account].due
            amount = (
                due
                if roll < 0.75
                else Money.yen(max(1, int(due.amount) // 2))
                if roll < 0.9
                else due + Money.yen(500)
            )
        out.append(Deposit(account, amount, "ﾔﾏﾀﾞ ﾀﾛｳ", day, f"R{i:07d}"))
    return out, accounts


def reconcile_s() -> tuple[float, str]:
    """Match 100,000 deposits against 100,000 open orders (pure reconciliation)."""
    deposits, accounts = _reconcile_world(100_000, 100_000)

    def one_round() -> float:
        start = time.perf_counter()
        reconcile(deposits, accounts)
        return time.perf_counter() - start

    return round(_best(3, one_round), 3), "s"


def reconcile_apply_per_s() -> tuple[float, str]:
    """The desk reconciling deposits and saving each paid order (10,000 orders, fakes)."""
    count = 10_000

    def one_round() -> float:
        shop = fake_shop(STOCK)
        shop.bank.free = [f"{n:07d}" for n in range(1_000_001, 1_000_001 + count)]
        deposits = []
        for i in range(count):
            order = shop.desk.place(
                number=f"B{i}",
                customer=Customer(f"C{i}", "山田 太郎", "taro@example.jp"),
                ship_to=ADDRESS,
                lines=LINES,
                payment_method=PaymentMethod.BANK_TRANSFER,
            )
            account = order.payment.instruction("account") or ""
            total = shop.desk.totals(order).total
            deposits.append(Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", date(2026, 11, 22), f"R{i}"))
        start = time.perf_counter()
        shop.desk.reconcile_deposits(deposits)
        return time.perf_counter() - start

    return round(count / _best(3, one_round)), "deposits/s"


SCENARIOS["reconcile_s"] = reconcile_s
SCENARIOS["reconcile_apply_per_s"] = reconcile_apply_per_s


def _big_order_seconds_per_line(lines: int) -> float:
    """Seconds per line for place → accept → instruct → ship of one order of ``lines`` lines."""
    skus = [f"SKU-{n}" for n in range(lines)]
    order_lines = [OrderLine(f"L{n}", sku, "品", Money.yen(100), 1) for n, sku in enumerate(skus)]
    stock = {("TOKYO", sku): 10**6 for sku in skus}

    def one_round() -> float:
        shop = fake_shop(stock)
        desk = shop.desk
        desk.review_rules = ()  # a big order is held for review otherwise
        start = time.perf_counter()
        desk.place(
            number="1001", customer=CUSTOMER, ship_to=ADDRESS, lines=order_lines, token="tok"
        )
        desk.accept("1001")
        desk.instruct_shipping("1001")
        desk.ship("1001", "1001-S1", parcel_number(0))
        return time.perf_counter() - start

    return _best(5, one_round) / lines


def lines_2000_vs_20() -> tuple[float, str]:
    """Cost per line of a 2,000-line order ÷ that of a 20-line order (1 means linear)."""
    small = min(_big_order_seconds_per_line(20) for _ in range(20))
    big = _big_order_seconds_per_line(2000)
    return round(big / small, 2), "ratio"


SCENARIOS["lines_2000_vs_20"] = lines_2000_vs_20


from persistence import (  # noqa: E402
    postgres_lifecycles_per_s,
    sqlite_lifecycles_per_s,
    sqlite_vs_raw,
    timed_sweeps_ms,
)

SCENARIOS["sqlite_lifecycles_per_s"] = sqlite_lifecycles_per_s
SCENARIOS["sqlite_vs_raw"] = sqlite_vs_raw
SCENARIOS["postgres_lifecycles_per_s"] = postgres_lifecycles_per_s
SCENARIOS["timed_sweeps_ms"] = timed_sweeps_ms

from fulfilment import allocate_100k_lines_s, receive_sweep_s  # noqa: E402

SCENARIOS["allocate_100k_lines_s"] = allocate_100k_lines_s
SCENARIOS["receive_sweep_s"] = receive_sweep_s

from journals import journal_export_s  # noqa: E402

SCENARIOS["journal_export_s"] = journal_export_s
from carrier_events import carrier_events_per_s  # noqa: E402

SCENARIOS["carrier_events_per_s"] = carrier_events_per_s

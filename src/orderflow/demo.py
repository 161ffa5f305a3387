"""The demo: a few orders through the whole flow, each order's timeline printed.

Yen by Babel, times in Asia/Tokyo. Every provider is a fake; the orders and the stock live in
memory, or in a SQLite file (``python -m orderflow demo --db shop.sqlite3``): run it twice and
the second run finds the first run's orders in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from orderflow.demo_after import after_shipping
from orderflow.demo_text import HEADINGS, pad, print_order
from orderflow.desk import OrderDesk
from orderflow.domain.address import Address, Customer
from orderflow.domain.changes import OrderChange
from orderflow.domain.deposits import Deposit
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, PaymentMethod
from orderflow.domain.policy import Requester
from orderflow.domain.queues import QueueQuery
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRate
from orderflow.i18n import LOCALES, format_money
from orderflow.papers import PickingList, picking_list
from orderflow.ports import WorkLists
from orderflow.settings import GrantAt, PointsGrant, ShopSettings
from orderflow.testing.shop import FakeShop, desk_on, fake_shop

__all__ = ["run_demo"]


def _customer(n: int, name: str) -> tuple[Customer, Address]:
    address = Address("150-0001", "東京都", "渋谷区神宮前", f"{n}-2-3", name, "03-1234-5678")
    return Customer(f"C{n}", name, f"customer{n}@example.jp"), address


def _lines() -> list[OrderLine]:
    return [
        OrderLine("L1", "TEA-100", "静岡煎茶 100g", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-01", "有田焼 湯呑", Money.yen(3300), 1),
        OrderLine("L3", "YOKAN-1", "羊羹 1本", Money.yen(1620), 1, TaxRate.REDUCED),
    ]


def _step(shop: FakeShop, minutes: int, action: Callable[[], Order]) -> Order:
    shop.clock.advance(timedelta(minutes=minutes))
    return action()


def _straight_through(shop: FakeShop) -> Order:
    desk = shop.desk
    customer, address = _customer(1, "山田 太郎")
    desk.place(
        number="1001",
        customer=customer,
        ship_to=address,
        lines=_lines(),
        token="tok_visa",
        shipping_fee=Money.yen(880),
    )
    _step(shop, 5, lambda: desk.accept("1001"))  # reviewed, nothing to hold: allocated at once
    instructed = _step(shop, 60, lambda: desk.instruct_shipping("1001"))
    _PICKING.append(picking_list([instructed], "TOKYO", wave="1", locations=_BINS))
    _step(shop, 180, lambda: desk.ship("1001", "1001-S1", "4455-6677-8812"))
    _step(shop, 60 * 20, lambda: desk.deliver("1001", "1001-S1"))
    return _step(shop, 60 * 24, lambda: desk.book("1001"))


def _short_then_completed(shop: FakeShop) -> Order:
    desk = shop.desk
    customer, address = _customer(2, "佐藤 花子")
    lines = [
        OrderLine("L1", "TEA-100", "静岡煎茶 100g", Money.yen(1080), 1, TaxRate.REDUCED),
        OrderLine("L2", "KYUSU-9", "常滑焼 急須", Money.yen(5500), 1),
    ]
    desk.place(
        number="1002",
        customer=customer,
        ship_to=address,
        lines=lines,
        token="tok_master",
        shipping_fee=Money.yen(880),
    )
    _step(shop, 5, lambda: desk.accept("1002"))  # the teapot is out of stock: 中途引当
    arrival = shop.clock.now().date() + timedelta(days=2)  # 入荷予定日, told to the customer
    _step(shop, 30, lambda: desk.expect_arrival("1002", "L2", arrival))
    shop.clock.advance(timedelta(days=2))
    # the supplier's delivery arrives in Osaka: the receipt fills the waiting order by itself
    desk.receive("OSAKA", "KYUSU-9", 3, receipt_id="PO-7-1")
    _step(shop, 30, lambda: desk.instruct_shipping("1002", carrier="sagawa"))
    _step(shop, 120, lambda: desk.ship("1002", "1002-S1", "1234-5678-9013"))
    _step(shop, 5, lambda: desk.ship("1002", "1002-S2", "2000-0000-0001"))
    _step(shop, 60 * 18, lambda: desk.deliver("1002", "1002-S1"))
    _step(shop, 60 * 3, lambda: desk.deliver("1002", "1002-S2"))
    return _step(shop, 60 * 24, lambda: desk.book("1002"))


def _cancelled(shop: FakeShop, locale: str) -> Order:
    desk = shop.desk
    customer, address = _customer(3, "鈴木 一郎")
    desk.place(
        number="1003",
        customer=customer,
        ship_to=address,
        lines=_lines()[:1],
        token="tok_jcb",
        shipping_fee=Money.yen(880),
    )
    _step(shop, 5, lambda: desk.accept("1003"))
    reason = "お客様のご都合" if locale == "ja" else "the customer changed their mind"
    return _step(shop, 30, lambda: desk.cancel("1003", reason=reason, actor="call_centre"))


def _other_methods(shop: FakeShop) -> list[Order]:
    """One order for each other method: 後払い, 振込, コンビニ, 代引き, Amazon Pay."""
    desk = shop.desk
    later = shop.clock.advance
    orders = []
    methods = [
        (PaymentMethod.POSTPAY, "高橋 美咲"),
        (PaymentMethod.BANK_TRANSFER, "伊藤 健"),
        (PaymentMethod.KONBINI, "渡辺 陽子"),
        (PaymentMethod.COD, "小林 誠"),
        (PaymentMethod.AMAZON_PAY, "中村 翔"),
    ]
    for n, (method, name) in enumerate(methods, start=4):
        number = f"100{n}"
        customer, address = _customer(n, name)
        later(timedelta(hours=1))
        order = desk.place(
            number=number,
            customer=customer,
            ship_to=address,
            lines=_lines()[:2],
            payment_method=method,
            token="tok_amazon" if method is PaymentMethod.AMAZON_PAY else None,
            shipping_fee=Money.yen(880),
            address_from_amazon=method is PaymentMethod.AMAZON_PAY,
        )
        total = desk.totals(order).total
        if method is PaymentMethod.BANK_TRANSFER:
            # ¥1,000 short at first, with a stranger's deposit in the same batch; then the rest
            account = order.payment.instruction("account") or ""
            later(timedelta(days=1))
            _deposits(
                desk,
                [
                    Deposit(account, total - Money.yen(1000), "ｲﾄｳ ｹﾝ", date(2026, 12, 1), "D1"),
                    Deposit("101-9999999", Money.yen(5000), "ｽｽﾞｷ ﾊﾅｺ", date(2026, 12, 1), "X1"),
                ],
            )
            later(timedelta(days=1))
            _deposits(desk, [Deposit(account, Money.yen(1000), "ｲﾄｳ ｹﾝ", date(2026, 12, 2), "D2")])
        if method is PaymentMethod.KONBINI:
            later(timedelta(hours=5))
            desk.record_konbini_payment(number, reference="K-0001", amount=total)
        later(timedelta(minutes=5))
        desk.accept(number)
        later(timedelta(hours=1))
        desk.instruct_shipping(number)
        later(timedelta(hours=2))
        desk.ship(number, f"{number}-S1", "4455-6677-8812")
        later(timedelta(hours=20))
        desk.deliver(number, f"{number}-S1")
        later(timedelta(days=1))
        orders.append(desk.book(number))
    return orders


def _bundled(shop: FakeShop) -> list[Order]:
    """同梱: the same customer orders twice before the first ships; one box for both."""
    desk = shop.desk
    customer, address = _customer(12, "小林 誠")
    for number, line in (
        ("1012", OrderLine("L1", "TEA-100", "静岡煎茶 100g", Money.yen(1080), 1, TaxRate.REDUCED)),
        ("1013", OrderLine("L1", "MUG-01", "有田焼 湯呑", Money.yen(3300), 1)),
    ):
        desk.place(
            number=number, customer=customer, ship_to=address, lines=[line], token="tok_visa"
        )
        _step(shop, 20, lambda n=number: desk.accept(n))  # type: ignore[misc]
    for hold in desk.get("1013").open_holds:  # a second order within days: a person looks
        _step(shop, 5, lambda h=hold: desk.clear_hold("1013", h.code, actor="operator:kato"))  # type: ignore[misc]
    _step(shop, 1, lambda: desk.allocate("1013"))
    members = desk.bundle_candidates()[0]
    desk.bundle(list(members))
    _step(shop, 30, lambda: desk.instruct_shipping("1012"))  # one instruction, one box
    _step(shop, 90, lambda: desk.ship("1012", "1012-S1", "4455-6677-8812"))
    _step(shop, 60 * 20, lambda: desk.deliver("1013", "1013-S1"))
    return [_step(shop, 60 * 24, lambda n=n: desk.book(n)) for n in members]  # type: ignore[misc]


def _held_then_released(shop: FakeShop, locale: str) -> Order:
    """An order with a remark: held at review, read by a person, released, and on it goes."""
    desk = shop.desk
    customer, address = _customer(9, "加藤 由美")
    shop.clock.advance(timedelta(hours=1))
    desk.place(
        number="1009",
        customer=customer,
        ship_to=address,
        lines=_lines()[1:2],
        token="tok_visa",
        shipping_fee=Money.yen(880),
        remarks="ギフト包装をお願いします",
    )
    _step(shop, 5, lambda: desk.accept("1009"))  # held: remarks
    return _step(shop, 20, lambda: desk.clear_hold("1009", "remarks", actor="operator:kato"))


def _changed(shop: FakeShop, locale: str, out: Callable[[str], None]) -> Order:
    """A customer adds a mug before allocation: the preview's delta, then the change."""
    desk = shop.desk
    customer, address = _customer(10, "吉田 大輔")
    shop.clock.advance(timedelta(hours=1))
    desk.place(
        number="1010",
        customer=customer,
        ship_to=address,
        lines=_lines()[:1],
        token="tok_visa",
        shipping_fee=Money.yen(880),
    )
    change = OrderChange(quantities={"L1": 3}, add_lines=(_lines()[1],))
    who = Requester.customer()
    preview = desk.change("1010", change, requester=who, dry_run=True)
    words = HEADINGS[locale]
    out(
        f"■ {words['preview']} 1010: {format_money(preview.before.total, locale)} → "
        f"{format_money(preview.after.total, locale)} ({words['delta']} "
        f"{format_money(preview.delta, locale)}, {words['points']} "
        f"{preview.points_to_grant_before} → {preview.points_to_grant_after})"
    )
    _step(shop, 10, lambda: desk.change("1010", change, requester=who).order)
    return _step(shop, 5, lambda: desk.accept("1010"))


def _split(shop: FakeShop, locale: str, out: Callable[[str], None]) -> list[Order]:
    """docs/changes.md's worked example: three lines at 8% and 10%, ¥880, 333 points, 2 + 1."""
    desk = shop.desk
    customer, address = _customer(11, "山本 直子")
    shop.clock.advance(timedelta(hours=1))
    parent = desk.place(
        number="1011",
        customer=customer,
        ship_to=address,
        lines=_lines(),
        token="tok_visa",
        shipping_fee=Money.yen(880),
        points_used=333,
    )
    _step(shop, 5, lambda: desk.accept("1011"))
    shop.clock.advance(timedelta(minutes=30))
    parts = desk.split("1011", [{"L1": 2, "L2": 1}, {"L3": 1}], reason="羊羹の入荷待ち")
    words = HEADINGS[locale]
    before = desk.totals(parent)
    out(f"■ {words['split']} 1011 → {', '.join(p.number for p in parts)}")
    rows = [("1011", before)] + [(p.number, desk.totals(p)) for p in parts]
    for number, t in rows:
        taxes = " / ".join(
            f"{line.rate.percent}% {format_money(line.tax, locale)}" for line in t.tax.lines
        )
        out(
            f"  {number:<7} {words['items']} {format_money(t.items, locale):>8}  "
            f"{words['shipping']} {format_money(t.shipping_fee, locale):>6}  "
            f"{words['points']} {t.points_used.amount:>4}  {words['tax']} {taxes:<24} "
            f"{words['total']} {format_money(t.total, locale):>8}"
        )
    out("")
    return parts


_UNMATCHED: list[Deposit] = []
_PICKING: list[PickingList] = []
_BINS = {"TEA-100": "A-01-2", "MUG-01": "B-03-1", "YOKAN-1": "A-02-4"}


def _deposits(desk: OrderDesk, deposits: list[Deposit]) -> Order:
    report = desk.reconcile_deposits(deposits)
    _UNMATCHED.extend(report.unmatched)
    return report.orders[0]


def run_demo(
    locale: str = "ja", out: Callable[[str], None] = print, db: str | None = None
) -> list[Order]:
    """Run the demo; returns the demo's orders (so tests can check them).

    With ``db`` the orders are kept in that SQLite file (or PostgreSQL URL); when it already
    holds orders (an earlier run), they are read back and printed instead.
    """
    if locale not in LOCALES:
        raise SystemExit(f"--locale must be one of {', '.join(LOCALES)}")
    if db is not None:
        from orderflow.cli import open_inventory, open_store

        store = open_store(db, create=True)  # a SQLite file's path or a PostgreSQL URL
        earlier = _stored_orders(store)
        if earlier:
            return _show_earlier(earlier, db, locale, out)
    settings = ShopSettings(
        warehouses=("TOKYO", "OSAKA"),
        locale=locale,
        points_grant=PointsGrant(at=GrantAt.DELIVERY, days=7),  # points 7 days after delivery
    )
    stock = {
        ("TOKYO", "TEA-100"): 30,
        ("TOKYO", "MUG-01"): 10,
        ("TOKYO", "YOKAN-1"): 8,
        ("OSAKA", "TEA-100"): 5,
    }
    shop = fake_shop(stock, settings=settings, points={"C11": 1000})
    if db is not None:  # the orders and the stock in the file; the providers stay fakes
        inventory = open_inventory(db, create=True)
        for (warehouse, sku), units in stock.items():
            inventory.receive(warehouse, sku, units, reason="初期在庫")
        inventory.receive("OSAKA", "KYUSU-9", 1, reason="入荷")
        inventory.adjust("OSAKA", "KYUSU-9", -1, reason="棚卸: 破損")  # known, none in stock
        shop.desk = desk_on(shop, store=store, inventory=inventory)
    _UNMATCHED.clear()
    _PICKING.clear()
    shop.inventory.skus.add("KYUSU-9")
    words = HEADINGS[locale]
    out(words["title"])
    out("")
    orders = [_straight_through(shop), _short_then_completed(shop), _cancelled(shop, locale)]
    orders += _other_methods(shop)
    orders += _bundled(shop)
    orders.append(_held_then_released(shop, locale))
    orders.append(_changed(shop, locale, out))
    out("")
    parts = _split(shop, locale, out)
    orders += parts
    for order in orders:
        print_order(order, shop, locale, out)
        out("")
    reference, entry = shop.accounting.entries[0]
    out(f"■ {words['journal']} {reference} ({entry.reference}, {entry.date.isoformat()})")
    for line in entry.lines:
        side = "借方" if line.side.value == "debit" and locale == "ja" else line.side.value
        side = "貸方" if line.side.value == "credit" and locale == "ja" else side
        account = f"{line.account}/{line.sub_account}" if line.sub_account else line.account
        amount = format_money(line.amount, locale)
        out(
            f"  {pad(side, 7)} {pad(account, 18)} {pad(line.tax_category, 16)} "
            f"{' ' * max(0, 10 - len(amount))}{amount}"
        )
    out("")
    for paper in _PICKING:
        out(f"■ {words['picking']} {paper.warehouse} (wave {paper.wave})")
        for row in paper.rows:
            out(
                f"  {pad(row.location or '-', 8)} {pad(row.sku, 9)} {pad(row.name, 16)}"
                f" ×{row.quantity}  {row.order_number} {row.shipment_id}"
            )
    out("")
    out(f"■ {words['unmatched']}: {len(_UNMATCHED)}")
    for deposit in _UNMATCHED:
        out(
            f"  {deposit.on.isoformat()} {deposit.account} {format_money(deposit.amount, locale)}"
            f" {deposit.payer_display}"
        )
    out("")
    orders.append(after_shipping(shop, locale, out))  # corrected delivery, return, points
    out("")
    out(f"■ {words['notices']}: {len(shop.notifier.sent)}")
    for notice in shop.notifier.sent:
        out(f"  [{notice.order_number}] {notice.subject}")
    return [shop.desk.get(order.number) for order in orders]  # as they ended


def _stored_orders(store: WorkLists) -> list[str]:
    numbers: list[str] = []
    for status in OrderStatus:
        numbers += store.queue(QueueQuery.by_status(status), limit=1000)
    return sorted(numbers)


def _show_earlier(
    numbers: list[str], db: str, locale: str, out: Callable[[str], None]
) -> list[Order]:
    from orderflow.cli import describe_db, open_store

    shop = fake_shop(settings=ShopSettings(warehouses=("TOKYO", "OSAKA"), locale=locale))
    with open_store(db) as store:
        desk = desk_on(shop, store=store)
        shop.desk = desk
        orders = [desk.get(number) for number in numbers]
    words = HEADINGS[locale]
    out(f"■ {words['earlier'].format(count=len(orders), db=describe_db(db))}")
    out("")
    for order in orders:
        print_order(order, shop, locale, out)
        out("")
    return orders

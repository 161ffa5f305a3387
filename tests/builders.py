"""Shared builders for the tests: a customer, an address, lines, a shop on fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from orderflow import (
    Address,
    Context,
    Customer,
    Money,
    Order,
    OrderDesk,
    OrderLine,
    PaymentMethod,
    ShopSettings,
    TaxRate,
)
from orderflow.testing import FakeShop, fake_shop

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
CTX = Context(T0, "test")


def address() -> Address:
    return Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")


def customer() -> Customer:
    return Customer("C1", "山田 太郎", "taro@example.jp")


def one_short(teas: int = 2) -> FakeShop:
    """Order 1001 accepted: ``teas`` teas (one in stock: 中途引当) and a mug, by card.

    The start of a 分納: ``desk.ship_available("1001")`` sends the tea and the mug.
    """
    s = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 5})
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), teas),
            OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
        ],
        token="tok_visa",
    )
    s.desk.accept("1001")
    return s


def allocated_tea(
    desk: OrderDesk, number: str, customer_id: str, ship_to: Address | None = None
) -> None:
    """Order ``number`` of one tea for customer ``customer_id``, accepted, holds cleared (a
    repeat customer's duplicate check), allocated."""
    desk.place(
        number=number,
        customer=Customer(customer_id, "山田 太郎", f"{customer_id}@example.jp"),
        ship_to=ship_to or address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
        token="tok_visa",
    )
    desk.accept(number)
    for hold in desk.get(number).open_holds:
        desk.clear_hold(number, hold.code)
    desk.allocate(number)


def lines() -> list[OrderLine]:
    return [
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
        OrderLine("L3", "CAKE-1", "羊羹", Money.yen(1620), 1, TaxRate.REDUCED),
    ]


STOCK = {("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5}
TRACKING = "1234-5678-9013"  # a valid Yamato number (check digit 3)


def shop(
    stock: dict[tuple[str, str], int] | None = None, settings: ShopSettings | None = None
) -> FakeShop:
    """A shop on fakes; the tests drive every step themselves unless settings say otherwise."""
    settings = settings or ShopSettings(auto_advance=False)
    return fake_shop(dict(STOCK if stock is None else stock), settings=settings)


def place(
    s: FakeShop,
    number: str = "1001",
    order_lines: Sequence[OrderLine] | None = None,
    **kwargs: object,
) -> Order:
    args: dict[str, Any] = {
        "customer": customer(),
        "ship_to": address(),
        "token": "tok_ok",
        "shipping_fee": Money.yen(880),
    }
    args.update(kwargs)
    return s.desk.place(
        number=number, lines=list(lines() if order_lines is None else order_lines), **args
    )


def to_allocated(s: FakeShop, number: str = "1001") -> Order:
    place(s, number)
    s.desk.accept(number)
    return s.desk.allocate(number)


def to_booked(s: FakeShop, number: str = "1001") -> Order:
    to_allocated(s, number)
    return finish(s, number)


def delivered(s: FakeShop, number: str = "1001", **kwargs: object) -> Order:
    """An order placed (a card one unless ``kwargs`` say otherwise), paid as its method needs,
    accepted, allocated, shipped in one parcel and delivered (着荷済)."""
    place(s, number, None, **kwargs)
    pay_in_full(s, number)
    s.desk.accept(number)
    s.desk.allocate(number)
    s.desk.instruct_shipping(number)
    s.desk.ship(number, f"{number}-S1", TRACKING)
    return s.desk.deliver(number, f"{number}-S1")


def finish(s: FakeShop, number: str = "1001") -> Order:
    """From 引当済 to 計上済: instruct, ship, deliver, book (one shipment)."""
    s.desk.instruct_shipping(number)
    s.desk.ship(number, f"{number}-S1", TRACKING)
    s.desk.deliver(number, f"{number}-S1")
    return s.desk.book(number)


def pay_in_full(s: FakeShop, number: str = "1001") -> Order:
    """Whatever the method needs for the payment to be confirmed."""
    from orderflow import Deposit, PaymentMethod

    order = s.desk.get(number)
    total = s.desk.totals(order).total
    if order.payment.method is PaymentMethod.BANK_TRANSFER:
        account = order.payment.instruction("account")
        assert account is not None
        s.desk.reconcile_deposits([Deposit(account, total, "ﾔﾏﾀﾞ ﾀﾛｳ", T0.date(), f"R-{number}")])
    elif order.payment.method is PaymentMethod.KONBINI:
        s.desk.record_konbini_payment(number, reference=f"K-{number}", amount=total)
    return s.desk.get(number)


def card_order(
    order_lines: Sequence[OrderLine],
    *,
    shipping: int = 0,
    discount: int = 0,
    fees: int = 0,
    points: int = 0,
    method: PaymentMethod = PaymentMethod.CARD,
) -> Order:
    """Order 1001 (by card unless ``method`` says) as the pure domain places it: yen amounts."""
    from orderflow.domain.lifecycle import new_order

    order, _ = new_order(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=order_lines,
        payment_method=method,
        ctx=CTX,
        shipping_fee=Money.yen(shipping),
        discount=Money.yen(discount),
        fees=Money.yen(fees),
        points_used=points,
    )
    return order

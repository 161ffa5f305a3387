"""A shop that sells in dollars or euros: amounts in cents, yen-only features refused.

Each test is a defect found by running whole lifecycles in a USD shop: a yen amount read as
cents, a yen table that made a command impossible to finish, a yen-only payment method that
took a dollar order.
"""

from __future__ import annotations

import pytest

from orderflow import (
    Address,
    Customer,
    Money,
    OrderLine,
    PaymentMethod,
    Prefecture,
    ShippingFeeTable,
    ShopSettings,
    TaxRate,
)
from orderflow.domain.changes import OrderChange
from orderflow.domain.payments import CodFeeTable
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from orderflow.zengin import read_transfer_notice


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


DOLLAR_FEES = ShippingFeeTable(usd("8.80"), {Prefecture.HOKKAIDO: usd("13.20")}, usd("11.00"))
CUSTOMER = Customer("C1", "John Smith", "john@example.com")
TOKYO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "John Smith", "03-1234-5678")
SAPPORO = Address("060-0001", "北海道", "札幌市中央区", "1-2-3", "John Smith", "011-123-4567")
OSHIMA = Address("100-0101", "東京都", "大島町", "1-2-3", "John Smith", "04992-1-2345")
LINES = [
    OrderLine("L1", "TEA", "Green tea", usd("10.99"), 3, TaxRate.REDUCED),
    OrderLine("L2", "MUG", "Mug", usd("24.50"), 1),
]


def dollar_shop(**settings: object) -> FakeShop:
    options: dict[str, object] = {"currency": "USD", "shipping_fees": DOLLAR_FEES}
    options.update(settings)
    return fake_shop(
        {("TOKYO", "TEA"): 50, ("TOKYO", "MUG"): 50},
        settings=ShopSettings(**options),  # type: ignore[arg-type]
        points={"C1": 100},
    )


def place(shop: FakeShop, number: str = "U1", **kwargs: object) -> None:
    arguments: dict[str, object] = {
        "number": number,
        "customer": CUSTOMER,
        "ship_to": TOKYO,
        "lines": LINES,
        "token": "tok",
        "shipping_fee": usd("8.80"),
    }
    arguments.update(kwargs)
    shop.desk.place(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "method",
    [PaymentMethod.KONBINI, PaymentMethod.BANK_TRANSFER, PaymentMethod.COD, PaymentMethod.POSTPAY],
)
def test_a_yen_only_payment_method_refuses_a_dollar_order(method: PaymentMethod) -> None:
    """コンビニ, 銀行振込 (全銀), 代引き and 後払い take yen: a dollar order was given a konbini
    number for "$66.27", a Japanese bank account to transfer dollars to, a 後払い claim, and
    代引き failed with a CurrencyMismatch naming ``amount``. Refused at ``place`` naming
    ``payment_method``; nothing is stored or sent."""
    shop = dollar_shop()
    with pytest.raises(InvalidValue) as refused:
        place(shop, payment_method=method, token=None)
    assert refused.value.field == "payment_method"
    assert "JPY" in str(refused.value) and "USD" in str(refused.value)
    assert not shop.store.orders and not shop.notifier.sent
    assert not shop.konbini.slips


def test_a_change_to_a_yen_only_method_is_refused_for_a_dollar_order() -> None:
    """A 注文変更 to konbini (or another yen-only method) is refused as ``place`` refuses it."""
    shop = dollar_shop()
    place(shop)
    before = shop.desk.get("U1")
    with pytest.raises(InvalidValue) as refused:
        shop.desk.change("U1", OrderChange(payment_method=PaymentMethod.KONBINI))
    assert refused.value.field == "payment_method"
    assert shop.desk.get("U1") == before


def test_cards_and_amazon_pay_take_dollars() -> None:
    shop = dollar_shop()
    place(shop, "U1")
    place(shop, "U2", payment_method=PaymentMethod.AMAZON_PAY)
    assert shop.desk.totals(shop.desk.get("U2")).total == usd("66.27")


def test_a_fee_table_in_one_currency_only() -> None:
    """A table with a dollar default took a yen surcharge (its default, ¥0): every island
    address then failed with CurrencyMismatch at review. The surcharge's default is zero in the
    table's currency, and an amount in another currency is refused naming it."""
    table = ShippingFeeTable(usd("8.80"))
    assert table.fee_for(OSHIMA) == usd("8.80")
    with pytest.raises(InvalidValue) as refused:
        ShippingFeeTable(usd("8.80"), {"北海道": Money.yen(1320)})
    assert refused.value.field == "by_prefecture[北海道]"
    with pytest.raises(InvalidValue) as refused:
        ShippingFeeTable(usd("8.80"), {}, Money.yen(1100))
    assert refused.value.field == "island_surcharge"


def test_a_cod_fee_table_in_yen() -> None:
    """代引き is collected in yen: a table in another currency (or mixed) is refused when built,
    not at the first COD order with a CurrencyMismatch naming ``amount``."""
    with pytest.raises(InvalidValue) as refused:
        CodFeeTable([(Money.yen(10_000), Money.yen(330)), (usd("300"), usd("4.40"))])
    assert refused.value.field == "brackets[1]"
    with pytest.raises(InvalidValue) as refused:
        CodFeeTable([(usd("100"), usd("3.30"))])
    assert refused.value.field == "brackets[0]"


def test_the_shop_settings_take_shipping_fees_in_their_currency() -> None:
    """A dollar shop kept the default yen table: accepting an island order, changing any
    address and a return that loses free shipping failed with CurrencyMismatch or kept ¥880 back
    as $8.80. The table must be in the shop's currency, checked when the settings are built."""
    with pytest.raises(InvalidValue) as refused:
        ShopSettings(currency="USD")
    assert refused.value.field == "shipping_fees"
    assert "USD" in str(refused.value)
    with pytest.raises(InvalidValue) as refused:
        ShopSettings(shipping_fees=DOLLAR_FEES)
    assert refused.value.field == "shipping_fees"
    assert ShopSettings(currency="USD", shipping_fees=DOLLAR_FEES).shipping_fees == DOLLAR_FEES


def test_a_dollar_shop_accepts_an_island_order_and_changes_an_address() -> None:
    shop = dollar_shop()
    place(shop, "U1", ship_to=OSHIMA)
    order = shop.desk.accept("U1")
    assert order.shipping_fee == usd("19.80")  # $8.80 and the $11.00 island surcharge
    place(shop, "U2")
    assert shop.desk.change_ship_to("U2", SAPPORO).shipping_fee == usd("13.20")


@pytest.mark.parametrize("currency", ["USD", "EUR"])
def test_a_zengin_file_is_read_in_yen_only(currency: str) -> None:
    """A 全銀 振込入金通知 holds whole yen: read in dollars, ¥12,345 became $12,345.00. Another
    currency is refused naming ``currency``, before any record is read."""
    with pytest.raises(InvalidValue) as refused:
        read_transfer_notice(b"", currency=currency)
    assert refused.value.field == "currency"


def test_a_dollar_desk_refuses_a_zengin_file() -> None:
    shop = dollar_shop()
    with pytest.raises(InvalidValue) as refused:
        shop.desk.import_transfer_notice(b"")
    assert refused.value.field == "currency"


def test_amounts_a_dollar_order_works_out_show_their_cents() -> None:
    """Points used and sums of nothing came back as ``Money(Decimal('12'), 'USD')``: shown
    ``12 USD`` and ``0 USD`` where every other amount shows ``12.00 USD``. Every Money is in its
    currency's minor unit."""
    shop = dollar_shop()
    place(shop, points_used=12)
    order = shop.desk.get("U1")
    totals = shop.desk.totals(order)
    assert str(totals.points_used) == "12.00 USD"
    assert str(order.payment.captured) == "0.00 USD"
    assert str(order.payment.refunded) == "0.00 USD"


def test_a_split_dollar_order_keeps_every_point_and_cent() -> None:
    """Points were shared over the parts in cents and each part's share cut to whole points:
    $57.00 with 3 points split in two came to parts of $30.00 and $28.00 using 1 point each,
    the customer charged $1.00 more and the third point lost. A point is a whole dollar: the
    parts take whole points, and the totals, points and tax add up to the parent's."""
    shop = dollar_shop()
    lines = [
        OrderLine("L1", "TEA", "Green tea", usd("31.00"), 1, TaxRate.REDUCED),
        OrderLine("L2", "MUG", "Mug", usd("29.00"), 1),
        OrderLine("L3", "TEA2", "Black tea", usd("10.01"), 1, TaxRate.REDUCED),
    ]
    shop.inventory.put("TOKYO", "TEA2", 5)
    place(shop, lines=lines, shipping_fee=usd("0.99"), discount=usd("1.37"), points_used=3)
    parent = shop.desk.get("U1")
    whole = shop.desk.totals(parent)
    parts = shop.desk.split("U1", [{"L1": 1}, {"L2": 1}, {"L3": 1}])
    totals = [shop.desk.totals(part) for part in parts]
    assert sum(part.points_used for part in parts) == 3
    assert Money.total((t.total for t in totals), "USD") == whole.total
    assert Money.total((part.discount for part in parts), "USD") == usd("1.37")
    for rate in (TaxRate.STANDARD, TaxRate.REDUCED):
        taxes = [line.tax for t in totals for line in t.tax.lines if line.rate is rate]
        parent_line = whole.tax.for_rate(rate)
        assert parent_line is not None and Money.total(taxes, "USD") == parent_line.tax
    assert shop.points.balances["C1"] == 97  # three points taken, none lost


def test_a_split_whose_parts_cannot_carry_whole_points_is_refused() -> None:
    """$1.50 and $1.50 paid with 3 points: no part can take two whole points without going below
    zero, so the split is refused naming ``parts`` and the order stays as it was."""
    shop = dollar_shop()
    lines = [
        OrderLine("L1", "TEA", "Green tea", usd("1.50"), 1, TaxRate.REDUCED),
        OrderLine("L2", "MUG", "Mug", usd("1.50"), 1),
    ]
    place(shop, lines=lines, shipping_fee=usd("0"), points_used=3)
    before = shop.desk.get("U1")
    with pytest.raises(InvalidValue) as refused:
        shop.desk.split("U1", [{"L1": 1}, {"L2": 1}])
    assert refused.value.field == "parts"
    assert shop.desk.get("U1") == before

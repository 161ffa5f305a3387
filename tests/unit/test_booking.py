from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    AccountMap,
    JournalEntry,
    JournalLine,
    Money,
    OrderLine,
    PriceMode,
    RecognitionBasis,
    Rounding,
    Side,
    TaxRate,
    TaxRule,
    sale_entry,
)
from orderflow.domain.booking import recognition_date
from orderflow.errors import InvalidValue
from tests.builders import T0, card_order


def test_an_unbalanced_entry_is_refused() -> None:
    with pytest.raises(InvalidValue, match="debits equal to credits"):
        JournalEntry(
            date(2026, 11, 22),
            "1001",
            "x",
            (
                JournalLine(Side.DEBIT, "売掛金", Money.yen(100)),
                JournalLine(Side.CREDIT, "売上高", Money.yen(99)),
            ),
        )


def test_presets_differ_only_in_names() -> None:
    assert AccountMap.yayoi().tax_categories[TaxRate.STANDARD] == "課税売上込10%"
    assert AccountMap.freee().tax_categories[TaxRate.STANDARD] == "課税売上10%"
    assert AccountMap.moneyforward().tax_categories[TaxRate.STANDARD] == "課税売上 10%"


order_lines = st.lists(
    st.tuples(st.integers(0, 50_000), st.integers(1, 5), st.sampled_from(list(TaxRate))),
    min_size=1,
    max_size=5,
)


@settings(max_examples=200)
@given(
    order_lines,
    st.integers(0, 2000),
    st.integers(0, 500),
    st.data(),
    st.sampled_from(list(PriceMode)),
    st.sampled_from(list(Rounding)),
)
def test_every_sale_balances_and_debits_what_the_customer_pays(
    raw: list[tuple[int, int, TaxRate]],
    shipping: int,
    fees: int,
    data: st.DataObject,
    mode: PriceMode,
    rounding: Rounding,
) -> None:
    lines = [
        OrderLine(f"L{i}", f"SKU{i}", "品", Money.yen(price), qty, rate)
        for i, (price, qty, rate) in enumerate(raw)
    ]
    charges = sum(price * qty for price, qty, _ in raw) + shipping + fees
    discount = data.draw(st.integers(0, charges))
    points = data.draw(st.integers(0, charges - discount))
    order = card_order(lines, shipping=shipping, fees=fees, discount=discount, points=points)
    rule = TaxRule(mode, rounding)
    entry = sale_entry(order, rule, AccountMap(), date(2026, 11, 22))
    debit, credit = entry.totals()
    assert debit == credit
    totals = order.totals(rule)
    receivable = [ln for ln in entry.lines if ln.account == "売掛金"]
    assert receivable[0].amount == totals.total
    tax_lines = [ln for ln in entry.lines if ln.account == "仮受消費税等"]
    assert sum(ln.amount.amount for ln in tax_lines) == totals.tax_total.amount


def test_recognition_date_follows_the_basis() -> None:
    import attrs

    from orderflow import Shipment, ShipmentLine, ShipmentStatus

    order = card_order([OrderLine("L1", "A", "a", Money.yen(100), 1)])
    shipped = T0 + timedelta(hours=16)  # 2026-11-22 16:00 UTC is 11-23 01:00 in Tokyo
    delivered = T0 + timedelta(days=2)
    shipment = Shipment(
        "1001-S1",
        "TOKYO",
        "yamato",
        (ShipmentLine("L1", 1),),
        ShipmentStatus.DELIVERED,
        "123456789013",
        shipped,
        delivered,
    )
    order = attrs.evolve(order, shipments=(shipment,))
    tokyo = ZoneInfo("Asia/Tokyo")
    assert recognition_date(order, RecognitionBasis.SHIPMENT, tokyo) == date(2026, 11, 23)
    assert recognition_date(order, RecognitionBasis.DELIVERY, tokyo) == date(2026, 11, 24)


small_lines = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 2, 7, 99, 108, 540]),
        st.integers(1, 3),
        st.sampled_from(list(TaxRate)),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300)
@given(
    small_lines,
    st.sampled_from([0, 1, 2, 880]),
    st.sampled_from([0, 1, 330]),
    st.data(),
    st.sampled_from(list(PriceMode)),
    st.sampled_from(list(Rounding)),
    st.sampled_from([AccountMap(), AccountMap.yayoi(), AccountMap.freee()]),
)
def test_no_journal_line_goes_below_zero_with_free_items_and_tiny_amounts(
    raw: list[tuple[int, int, TaxRate]],
    shipping: int,
    fees: int,
    data: st.DataObject,
    mode: PriceMode,
    rounding: Rounding,
    accounts: AccountMap,
) -> None:
    """A free gift, ¥1 of shipping, a coupon: what rounding leaves never makes a line negative
    (every export refuses one: a single such order stopped a month's 弥生 file)."""
    lines = [
        OrderLine(f"L{i}", f"SKU{i}", "品", Money.yen(price), qty, rate)
        for i, (price, qty, rate) in enumerate(raw)
    ]
    charges = sum(price * qty for price, qty, _ in raw) + shipping + fees
    discount = data.draw(st.integers(0, charges))
    order = card_order(lines, shipping=shipping, fees=fees, discount=discount)
    rule = TaxRule(mode, rounding)
    entry = sale_entry(order, rule, accounts, date(2026, 11, 22))
    debit, credit = entry.totals()
    assert debit == credit
    for line in entry.lines:
        assert line.amount.amount >= 0, line
        assert line.tax_amount is None or line.tax_amount.amount >= 0, line


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        # ¥100 against $100 "balanced"
        (
            (
                JournalLine(Side.DEBIT, "売掛金", Money.yen(100)),
                JournalLine(Side.CREDIT, "売上高", Money(Decimal(100), "USD")),
            ),
            "lines[1].amount",
        ),
        # a debit of -¥100 next to a debit of ¥100 "balanced" nothing
        (
            (
                JournalLine(Side.DEBIT, "売掛金", Money.yen(-100)),
                JournalLine(Side.DEBIT, "売上高", Money.yen(100)),
            ),
            "lines[0].amount",
        ),
        (
            (
                JournalLine(Side.DEBIT, "売掛金", 100),  # type: ignore[arg-type]
                JournalLine(Side.CREDIT, "売上高", 100),  # type: ignore[arg-type]
            ),
            "lines[0].amount",
        ),
        ((JournalLine("debit", "売掛金", Money.yen(1)),), "lines[0]"),  # type: ignore[arg-type]
        (("売掛金",), "lines[0]"),
        ([JournalLine(Side.DEBIT, "売掛金", Money.yen(0))], "lines"),
    ],
)
def test_an_entry_refuses_lines_in_two_currencies_below_zero_or_not_lines(
    lines: object, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        JournalEntry(date(2026, 11, 22), "1001", "x", lines)  # type: ignore[arg-type]
    assert refused.value.field == field

"""Sales with tax (GROSS) or without (NET), product accounts, returns, deferred points."""

from collections.abc import Callable
from datetime import date

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    AccountMap,
    JournalEntry,
    Money,
    Order,
    OrderLine,
    PriceMode,
    Rounding,
    Side,
    TaxRate,
    TaxRule,
    sale_entry,
)
from orderflow.domain.booking import (
    AmountForm,
    ProductAccounts,
    points_deferral_entry,
    reversal_entry,
)
from orderflow.errors import InvalidValue
from tests.builders import card_order

DAY = date(2026, 11, 22)
RULE = TaxRule(PriceMode.INCLUSIVE, Rounding.DOWN)


def _order(
    lines: list[OrderLine], shipping: int = 0, fees: int = 0, points: int = 0, discount: int = 0
) -> Order:
    order = card_order(lines, shipping=shipping, fees=fees, discount=discount, points=points)
    return order


def test_the_yayoi_preset_writes_gross_amounts_with_its_inclusive_categories() -> None:
    order = _order([OrderLine("L1", "MUG", "湯呑", Money.yen(1100), 1)], shipping=880)
    entry = sale_entry(order, RULE, AccountMap.yayoi(), DAY)
    credits = [ln for ln in entry.lines if ln.side is Side.CREDIT]
    # 課税売上込10% is paired with the price as the customer sees it, tax included
    assert [(ln.account, ln.amount, ln.tax_category, ln.tax_amount) for ln in credits] == [
        ("売上高", Money.yen(1100), "課税売上込10%", Money.yen(100)),
        ("売上高", Money.yen(880), "課税売上込10%", Money.yen(80)),
    ]
    assert all(ln.account != "仮受消費税等" for ln in entry.lines)  # 弥生 splits the tax itself
    # and the net form pairs net amounts with a tax line, never with a 込 category
    net = sale_entry(order, RULE, AccountMap(), DAY)
    assert {ln.amount for ln in net.lines if ln.account == "売上高"} == {
        Money.yen(1000),
        Money.yen(800),
    }
    assert all("込" not in ln.tax_category for ln in net.lines)


@pytest.mark.parametrize("accounts", [AccountMap.yayoi(), AccountMap.freee()])
def test_a_net_priced_shop_is_written_gross_for_gross_presets(accounts: AccountMap) -> None:
    order = _order([OrderLine("L1", "TEA", "緑茶", Money.yen(1000), 1, TaxRate.REDUCED)])
    entry = sale_entry(order, TaxRule(PriceMode.EXCLUSIVE, Rounding.DOWN), accounts, DAY)
    assert entry.lines[0].amount == Money.yen(1080)
    assert entry.lines[1].amount == Money.yen(1080)
    assert entry.lines[1].tax_amount == Money.yen(80)


order_lines = st.lists(
    st.tuples(
        st.integers(0, 50_000),
        st.integers(1, 5),
        st.sampled_from(list(TaxRate)),
        st.sampled_from(["A", "B", "C"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200)
@given(
    order_lines,
    st.integers(0, 2000),
    st.integers(0, 500),
    st.data(),
    st.sampled_from(list(PriceMode)),
    st.sampled_from(list(Rounding)),
    st.sampled_from(list(AmountForm)),
)
def test_every_form_balances_and_carries_the_tax(
    raw: list[tuple[int, int, TaxRate, str]],
    shipping: int,
    fees: int,
    data: st.DataObject,
    mode: PriceMode,
    rounding: Rounding,
    form: AmountForm,
) -> None:
    lines = [
        OrderLine(f"L{i}", sku, "品", Money.yen(price), qty, rate)
        for i, (price, qty, rate, sku) in enumerate(raw)
    ]
    charges = sum(price * qty for price, qty, _, _ in raw) + shipping + fees
    discount = data.draw(st.integers(0, charges))
    points = data.draw(st.integers(0, charges - discount))
    order = _order(lines, shipping, fees, points, discount)
    accounts = attrs.evolve(
        AccountMap(),
        amounts=form,
        products={
            "B": ProductAccounts(sales="商品売上高", sub_account="茶"),
            "C": ProductAccounts(tax_categories={TaxRate.REDUCED: "課税売上8%(軽)食品"}),
        },
    )
    rule = TaxRule(mode, rounding)
    entry = sale_entry(order, rule, accounts, DAY)
    debit, credit = entry.totals()
    totals = order.totals(rule)
    assert debit == credit
    assert entry.lines[0].amount == totals.total
    if form is AmountForm.GROSS:
        taxes = [ln.tax_amount for ln in entry.lines[1:]]
        signed = sum(
            (t.amount if ln.side is Side.CREDIT else -t.amount)
            for ln, t in zip(entry.lines[1:], taxes, strict=True)
            if t is not None
        )
        assert signed == totals.tax_total.amount
        assert all(ln.account != accounts.tax_payable for ln in entry.lines)
    else:
        tax_lines = [ln for ln in entry.lines if ln.account == accounts.tax_payable]
        assert sum(ln.amount.amount for ln in tax_lines) == totals.tax_total.amount


def test_a_product_gets_its_own_account_and_category() -> None:
    accounts = attrs.evolve(
        AccountMap.freee(),
        products={
            "TEA": ProductAccounts("商品売上高", "茶葉", {TaxRate.REDUCED: "課税売上8%(軽)"})
        },
    )
    order = _order(
        [
            OrderLine("L1", "TEA", "緑茶", Money.yen(1080), 1, TaxRate.REDUCED),
            OrderLine("L2", "CAKE", "羊羹", Money.yen(540), 1, TaxRate.REDUCED),
        ]
    )
    entry = sale_entry(order, RULE, accounts, DAY)
    assert [(ln.account, ln.sub_account, ln.amount) for ln in entry.lines[1:]] == [
        ("商品売上高", "茶葉", Money.yen(1080)),
        ("売上高", "", Money.yen(540)),
    ]


def test_a_reversal_flips_every_line_to_sales_returns() -> None:
    order = _order([OrderLine("L1", "MUG", "湯呑", Money.yen(1100), 1)], shipping=880, points=100)
    accounts = AccountMap.yayoi()
    sale = sale_entry(order, RULE, accounts, DAY)
    back = reversal_entry(sale, date(2026, 11, 30), accounts=accounts)
    assert back.date == date(2026, 11, 30) and back.reference == "1001"
    assert back.totals() == sale.totals()
    assert [(ln.side, ln.account) for ln in back.lines] == [
        (Side.CREDIT, "売掛金"),
        (Side.DEBIT, "売上戻り高"),
        (Side.DEBIT, "売上戻り高"),
        (Side.CREDIT, "売上値引高"),
    ]
    assert [ln.tax_category for ln in back.lines[1:]] == ["課税売上込10%"] * 3


def test_points_deferral_and_release_balance() -> None:
    accounts = AccountMap.moneyforward()
    defer = points_deferral_entry("1001", DAY, Money.yen(30), accounts)
    release = points_deferral_entry("1001", DAY, Money.yen(30), accounts, release=True)
    assert [(ln.side, ln.account) for ln in defer.lines] == [
        (Side.DEBIT, "売上高"),
        (Side.CREDIT, "契約負債"),
    ]
    assert [(ln.side, ln.account) for ln in release.lines] == [
        (Side.DEBIT, "契約負債"),
        (Side.CREDIT, "売上高"),
    ]
    with pytest.raises(InvalidValue, match="positive"):
        points_deferral_entry("1001", DAY, Money.yen(0), accounts)


@pytest.mark.parametrize("accounts", [AccountMap(), AccountMap.yayoi(), AccountMap.freee()])
def test_a_rate_with_only_a_fee_has_no_items_line_and_no_negative_amount(
    accounts: AccountMap,
) -> None:
    """Found by the campaign's journal law: reduced-rate tea, a COD fee at 10 % and points.

    The 10 % rate charged the fee alone; the yen that rounding left was written on an items
    line of no items (売上高 1 with tax −1), which no accounting product imports."""
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED)
    entry = sale_entry(_order([tea], fees=330, points=500), RULE, accounts, DAY)
    debit, credit = entry.totals()
    assert debit == credit
    for line in entry.lines:
        assert line.amount.amount >= 0, line
        assert line.tax_amount is None or line.tax_amount.amount >= 0, line
    standard = accounts.tax_categories[TaxRate.STANDARD]
    sales_at_ten = [
        ln
        for ln in entry.lines
        if ln.account == accounts.sales and not ln.sub_account and ln.tax_category == standard
    ]
    assert sales_at_ten == []  # no item was sold at 10 %


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amounts": "gross"}, "amounts"),  # was taken, and the entries written net
        ({"tax_categories": {TaxRate.STANDARD: "課税売上10%"}}, "tax_categories"),  # KeyError
        ({"tax_categories": "課税売上10%"}, "tax_categories"),
        (
            {"tax_categories": {TaxRate.STANDARD: "a", TaxRate.REDUCED: "b\nc"}},
            "tax_categories[8%]",
        ),
        ({"sales": ""}, "sales"),  # every export of the month refused the entry
        ({"shipping": "  "}, "shipping"),
        ({"returns": None}, "returns"),
        ({"receivable": "売掛\n金"}, "receivable"),
        ({"shipping_sub": "送\t料"}, "shipping_sub"),
        ({"no_tax": 0}, "no_tax"),
        ({"products": {"TEA-1": "茶"}}, "products[TEA-1]"),
        ({"products": []}, "products"),
    ],
)
def test_an_account_map_the_exports_would_refuse_is_refused_when_built(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        AccountMap(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sales": ""}, "sales"),
        ({"sub_account": "茶\r葉"}, "sub_account"),
        ({"tax_categories": {"8%": "課税売上8%(軽)"}}, "tax_categories"),
    ],
)
def test_a_product_s_accounts_are_checked_when_built(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        ProductAccounts(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert ProductAccounts(tax_categories={TaxRate.REDUCED: "課税売上8%(軽)"}).sales is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"recognition": "shipment"}, "recognition"),  # was taken, and booked by delivery
        ({"accounts": "yayoi"}, "accounts"),
        ({"tax": "inclusive"}, "tax"),
    ],
)
def test_shop_settings_refuse_a_booking_setting_of_the_wrong_kind(
    kwargs: dict[str, object], field: str
) -> None:
    from orderflow import ShopSettings

    with pytest.raises(InvalidValue) as refused:
        ShopSettings(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


def _sale() -> JournalEntry:
    return sale_entry(
        _order([OrderLine("L1", "MUG", "湯呑", Money.yen(1100), 1)]), RULE, AccountMap(), DAY
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: points_deferral_entry("1003", DAY, 22, AccountMap()), "amount"),  # type: ignore[arg-type]
        (lambda: points_deferral_entry("1003", DAY, Money.yen(22), "freee"), "accounts"),  # type: ignore[arg-type]
        (lambda: reversal_entry("1001", DAY), "entry"),  # type: ignore[arg-type]
        (lambda: reversal_entry(_sale(), DAY, accounts="freee"), "accounts"),  # type: ignore[arg-type]
    ],
)
def test_reversal_and_deferral_name_a_bad_argument(call: Callable[[], object], field: str) -> None:
    """They raised AttributeError ('int' object has no attribute 'amount')."""
    with pytest.raises(InvalidValue) as refused:
        call()
    assert refused.value.field == field

"""Booking (計上): the sale as a balanced journal entry (仕訳) for the accounting system.

Account and tax-category names differ by accounting product and by shop, so they are data
(:class:`AccountMap`), never hard-coded; presets for 弥生, freee and マネーフォワード are given.
The recognition date follows the shop's basis (出荷基準 or 着荷基準); only the date changes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, localcontext
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from orderflow.domain._arrival import arrived
from orderflow.domain._checks import given
from orderflow.domain._names import (
    check_categories,
    check_line,
    check_member,
    check_name,
    check_products,
)
from orderflow.domain._spread import RateForm, credits_of, spread_credits
from orderflow.domain.bounds import check_date
from orderflow.domain.money import WIDE, Money
from orderflow.domain.order import Order, OrderTotals
from orderflow.domain.tax import PriceMode, TaxLine, TaxRate, TaxRule
from orderflow.errors import InvalidValue

__all__ = [
    "AccountMap",
    "AmountForm",
    "JournalEntry",
    "JournalLine",
    "ProductAccounts",
    "RecognitionBasis",
    "Side",
    "points_deferral_entry",
    "recognition_date",
    "reversal_entry",
    "sale_entry",
]


class Side(enum.Enum):
    """Debit (借方) or credit (貸方)."""

    DEBIT = "debit"
    CREDIT = "credit"


class RecognitionBasis(enum.Enum):
    """When revenue is recognised (売上計上基準)."""

    SHIPMENT = "shipment"
    """出荷基準: the date the last shipment left."""
    DELIVERY = "delivery"
    """着荷基準: the date the last shipment arrived."""


class AmountForm(enum.Enum):
    """How the sales lines of an entry are written: without tax (税抜) or with it (税込)."""

    NET = "net"
    """税抜: sales, fees and reductions without tax, each rate's tax on its own 仮受消費税 line.

    Pair it with tax categories that say the amount excludes tax (弥生's 課税売上別10%), or
    with a ledger that takes the tax lines as written."""
    GROSS = "gross"
    """税込: sales, fees and reductions with their tax, the tax in each line's tax amount and no
    仮受消費税 line: the accounting product splits the tax out by the line's tax category.

    Pair it with tax categories that say the amount includes tax (弥生's 課税売上込10%)."""


_ACCOUNT = check_name(required=True)
_NAME = check_name(required=False)


def _tax_categories(ten: str, eight: str) -> Mapping[TaxRate, str]:
    return MappingProxyType({TaxRate.STANDARD: ten, TaxRate.REDUCED: eight})


@attrs.frozen(slots=True)
class ProductAccounts:
    """A product's own sales account, sub-account or tax categories (per SKU, in an AccountMap).

    ``None`` (or a rate missing from ``tax_categories``) keeps the map's default.
    """

    sales: str | None = attrs.field(
        default=None, validator=check_name(required=True, optional=True)
    )
    """The SKU's own sales account (勘定科目); ``None`` uses ``AccountMap.sales``."""
    sub_account: str = attrs.field(default="", validator=check_name(required=False))
    """The sub-account (補助科目) on the SKU's sales lines; ``""`` writes none."""
    tax_categories: Mapping[TaxRate, str] | None = attrs.field(
        default=None, validator=check_categories(every_rate=False)
    )
    """The SKU's own tax category per rate; ``None``, or a rate missing, uses
    ``AccountMap.tax_categories``."""


@attrs.frozen(slots=True)
class AccountMap:
    """The shop's chart of accounts and tax categories, as its accounting product names them.

    ``amounts`` says whether sales lines are written with or without tax (:class:`AmountForm`);
    the tax categories must say the same. ``products`` maps a SKU to its own sales account,
    sub-account or tax categories (:class:`ProductAccounts`). ``returns`` is the account a
    :func:`reversal_entry` debits instead of the sales accounts (売上戻り高), and
    ``contract_liability`` the one :func:`points_deferral_entry` uses (契約負債).
    """

    receivable: str = attrs.field(default="売掛金", validator=_ACCOUNT)
    """Debited with what the customer pays on a sale (売掛金), credited with what a refund
    pays back."""
    sales: str = attrs.field(default="売上高", validator=_ACCOUNT)
    """Credited with the items' sales per tax rate (売上高), unless ``products`` gives a SKU
    its own account."""
    shipping: str = attrs.field(default="売上高", validator=_ACCOUNT)
    """Credited with the shipping fee (送料), on its own line at the standard rate."""
    shipping_sub: str = attrs.field(default="送料", validator=_NAME)
    """The sub-account (補助科目) on the shipping-fee line; ``""`` writes none."""
    fees: str = attrs.field(default="売上高", validator=_ACCOUNT)
    """Credited with the order's other fees (the COD fee, 代引手数料) and with a return fee kept
    back (返品手数料), on their own lines."""
    fees_sub: str = attrs.field(default="手数料", validator=_NAME)
    """The sub-account (補助科目) on the order's fees line; ``""`` writes none. A return fee
    is always written 返品手数料."""
    reductions: str = attrs.field(default="売上値引高", validator=_ACCOUNT)
    """Debited per rate with price reductions: coupons and points used (値引き) on a sale, and
    goodwill refunds after it (返金, sub-account ``refunds_sub``)."""
    reductions_sub: str = attrs.field(default="クーポン・ポイント", validator=_NAME)
    """The sub-account (補助科目) on the reductions lines; ``""`` writes none."""
    refunds_sub: str = attrs.field(default="返金", validator=_NAME)
    """The sub-account (補助科目) on a goodwill refund's lines: ``reductions`` (売上値引高) is
    debited per rate with what ``desk.refund`` pays back (``goodwill_entry``); ``""`` writes
    none."""
    tax_payable: str = attrs.field(default="仮受消費税等", validator=_ACCOUNT)
    """Each rate's consumption tax (仮受消費税) on its own line, credited on a sale and debited
    on a refund, when ``amounts`` is ``AmountForm.NET``; unused with ``AmountForm.GROSS``."""
    no_tax: str = attrs.field(default="対象外", validator=_NAME)
    """The tax category for lines outside consumption tax (対象外): the receivable line
    and the points deferral lines."""
    tax_categories: Mapping[TaxRate, str] = attrs.field(
        factory=lambda: _tax_categories("課税売上10%", "課税売上8%(軽)"),
        validator=check_categories(every_rate=True),
    )
    """The tax category (税区分) for each of the two rates, on every line that is not 対象外, as
    the accounting product spells it; it must agree with ``amounts`` (tax included or not)."""
    amounts: AmountForm = attrs.field(
        default=AmountForm.NET, validator=check_member(AmountForm, "an AmountForm (NET or GROSS)")
    )
    """Whether sales lines are written without tax (``NET``, the default) or with it
    (``GROSS``)."""
    returns: str = attrs.field(default="売上戻り高", validator=_ACCOUNT)
    """Debited instead of the sales accounts when a return is booked (売上戻り高): by
    ``return_entry``, and by ``reversal_entry`` when given the map."""
    contract_liability: str = attrs.field(default="契約負債", validator=_ACCOUNT)
    """The account for points deferred under 収益認識基準 (契約負債); used only by
    ``points_deferral_entry``."""
    products: Mapping[str, ProductAccounts] = attrs.field(
        factory=lambda: MappingProxyType({}), validator=check_products(ProductAccounts)
    )
    """SKU → its own sales account, sub-account or tax categories; a SKU not in it uses
    the map's defaults. Empty by default."""

    @classmethod
    def yayoi(cls) -> AccountMap:
        """弥生会計's default names, tax included (税区分 課税売上込10% / 課税売上込8%(軽)).

        込 categories say the amount includes tax, so the amounts are gross
        (:attr:`AmountForm.GROSS`) and 弥生 splits 仮受消費税 out itself.
        """
        return cls(
            tax_categories=_tax_categories("課税売上込10%", "課税売上込8%(軽)"),
            amounts=AmountForm.GROSS,
        )

    @classmethod
    def freee(cls) -> AccountMap:
        """freee会計's default names (税区分 課税売上10% / 課税売上8%(軽)), tax included."""
        return cls(
            tax_categories=_tax_categories("課税売上10%", "課税売上8%(軽)"),
            amounts=AmountForm.GROSS,
        )

    @classmethod
    def moneyforward(cls) -> AccountMap:
        """マネーフォワード クラウド会計's names (課税売上 10% / 課税売上 (軽)8%), tax included."""
        return cls(
            tax_payable="仮受消費税",
            tax_categories=_tax_categories("課税売上 10%", "課税売上 (軽)8%"),
            amounts=AmountForm.GROSS,
        )

    def sales_for(self, sku: str, rate: TaxRate) -> tuple[str, str, str]:
        """The account, sub-account and tax category of ``sku``'s sales at ``rate``."""
        product = self.products.get(sku)
        category = self.tax_categories[rate]
        if product is None:
            return self.sales, "", category
        if product.tax_categories is not None and rate in product.tax_categories:
            category = product.tax_categories[rate]
        return product.sales or self.sales, product.sub_account, category


@attrs.frozen(slots=True)
class JournalLine:
    """One line of a journal entry."""

    side: Side
    """Debit (借方) or credit (貸方)."""
    account: str
    """The account (勘定科目) as the accounting product names it, from the ``AccountMap``."""
    amount: Money
    """The line's amount in the order's currency, with or without tax as the map's
    ``amounts`` says."""
    sub_account: str = ""
    """The sub-account (補助科目); ``""`` for none."""
    tax_category: str = ""
    """The tax category (税区分) as the accounting product names it; ``""`` for none."""
    tax_amount: Money | None = None
    """The consumption tax the line contains or stands for; ``None`` when the line states
    none (the export leaves the tax column blank)."""


@attrs.frozen(slots=True)
class JournalEntry:
    """A balanced journal entry (仕訳): debits equal credits, always.

    Checked when built: JournalLines, each amount a Money of zero or more, in one currency.
    """

    date: date
    """The entry's date: for a sale, its recognition date (出荷基準 or 着荷基準)."""
    reference: str
    """What the entry is for: the order number for a sale, ``<order>/<return id>`` for a
    refunded return, ``<order>/<refund id>`` (``G1`` …) for a goodwill refund."""
    memo: str
    """The description (摘要), e.g. ``受注 <number> 売上計上``."""
    lines: tuple[JournalLine, ...]
    """The debit and credit lines: at least one, debits equal to credits."""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lines, tuple) or not self.lines:
            raise InvalidValue("lines", self.lines, "a tuple of at least one JournalLine")
        currency = None
        for i, line in enumerate(self.lines):
            if not isinstance(line, JournalLine) or not isinstance(line.side, Side):
                raise InvalidValue(f"lines[{i}]", line, "a JournalLine with a Side")
            amount = line.amount
            if isinstance(amount, Money) and currency is None:
                currency = amount.currency  # the first line's: every line's
            if not isinstance(amount, Money) or amount.is_negative or amount.currency != currency:
                expected = f"a Money of zero or more in {currency or 'the currency'}"
                raise InvalidValue(f"lines[{i}].amount", amount, expected)
        debit, credit = self.totals()
        if debit != credit:
            raise InvalidValue(
                "lines", f"debits {debit} / credits {credit}", "debits equal to credits"
            )

    def totals(self) -> tuple[Decimal, Decimal]:
        """The sum of the debit lines and of the credit lines."""
        debit = credit = Decimal(0)
        for line in self.lines:
            if line.side is Side.DEBIT:
                debit += line.amount.amount
            else:
                credit += line.amount.amount
        return debit, credit


def recognition_date(order: Order, basis: RecognitionBasis, zone: ZoneInfo) -> date:
    """The date of the sale in the shop's time zone: last shipment shipped or delivered.

    A delivery the carrier reported is dated by the carrier's time of its 配達完了, not by when
    a poll recorded it (a parcel delivered at 23:00 on the 30th, polled at 03:00, arrived on
    the 30th), unless a person undid a delivery of the parcel since.
    """
    stamps: list[datetime] = []
    for shipment in order.shipments:
        stamp = (
            shipment.shipped_at if basis is RecognitionBasis.SHIPMENT else arrived(order, shipment)
        )
        if stamp is None:
            raise InvalidValue(
                "shipments", shipment.shipment_id, f"a shipment with a {basis.value} date"
            )
        stamps.append(stamp)
    if not stamps:
        raise InvalidValue("shipments", (), "at least one shipment to date the sale")
    return max(stamps).astimezone(zone).date()


def _rate_lines(
    line: TaxLine,
    items: list[tuple[tuple[str, str, str], Money]],
    shipping: Money,
    fees: Money,
    rule: TaxRule,
    accounts: AccountMap,
) -> list[JournalLine]:
    """One rate's journal lines: items per (account, sub-account, category), fees, reductions, tax.

    Each line is written from its own amount; whatever rounding leaves (the rate's tax is
    rounded once, on the whole base) goes on the rate's largest credit line, so the lines add up
    exactly to the base (税抜 or 税込, as ``accounts.amounts`` says) and no line of a few yen is
    pushed below zero. Items of ¥0 (a free gift) make no line when the rate charges anything else.
    The sums are of exact amounts (in :data:`~orderflow.domain.money.WIDE`, as the caller sets).
    """
    currency = line.charges.currency
    gross = accounts.amounts is AmountForm.GROSS
    form = RateForm(line.rate, rule, gross, rule.mode is PriceMode.INCLUSIVE)
    category = accounts.tax_categories[line.rate]
    zero = Money.zero(currency).amount
    credits = credits_of(
        form,
        items,
        (
            (shipping, accounts.shipping, accounts.shipping_sub),
            (fees, accounts.fees, accounts.fees_sub),
        ),
        category,
        accounts.sales,
        zero,
    )
    reduction_tax = form.tax_of(line.reduction)
    reduction = form.written(line.reduction, reduction_tax)
    out = [
        JournalLine(
            Side.CREDIT,
            account,
            Money._exact(amount, currency),
            sub,
            cat,
            None if tax is None else Money._exact(tax, currency),
        )
        for account, sub, cat, amount, tax in spread_credits(
            form, credits, line, reduction, reduction_tax or zero, zero
        )
    ]
    if line.reduction.amount:
        column = reduction_tax if gross else None
        out.append(
            JournalLine(
                Side.DEBIT,
                accounts.reductions,
                Money._exact(reduction, currency),
                accounts.reductions_sub,
                category,
                None if column is None else Money._exact(column, currency),
            )
        )
    if not gross:
        out.append(JournalLine(Side.CREDIT, accounts.tax_payable, line.tax, "", category, line.tax))
    return out


def sale_entry(
    order: Order,
    rule: TaxRule,
    accounts: AccountMap,
    on: date,
    totals: OrderTotals | None = None,
) -> JournalEntry:
    """The sale of ``order`` as a journal entry dated ``on``.

    Debit 売掛金 with what the customer pays; credit 売上高 per tax rate (and per product
    account, when ``accounts.products`` gives some SKUs their own), the shipping and COD fees as
    their own lines; price reductions (coupons, points used) as debit lines per rate. With
    :attr:`AmountForm.NET` the amounts are without tax and each rate's 仮受消費税 is its own credit
    line; with :attr:`AmountForm.GROSS` they include tax, each line's tax amount says how much,
    and there is no tax line. Every amount is exact and the entry balances.
    ``totals`` may pass the order's totals under ``rule`` when they are already known.
    """
    given(order, Order, "order", "an Order")
    given(accounts, AccountMap, "accounts", "an AccountMap (ShopSettings.accounts)")
    check_date(on, "on")
    if totals is not None:
        given(totals, OrderTotals, "totals", "the order's OrderTotals under rule, or None")
    totals = order.totals(rule) if totals is None else totals
    currency = order.currency
    zero = Money.zero(currency)
    items_by_rate: dict[TaxRate, dict[tuple[str, str, str], Money]] = {}
    for ol in order.lines:
        groups = items_by_rate.setdefault(ol.tax_rate, {})
        key = accounts.sales_for(ol.sku, ol.tax_rate)
        groups[key] = groups.get(key, zero) + ol.amount
    lines = [JournalLine(Side.DEBIT, accounts.receivable, totals.total, "", accounts.no_tax)]
    with localcontext(WIDE):  # sums of amounts within Money's bound are exact
        for tax_line in totals.tax.lines:
            rate = tax_line.rate
            items = list(items_by_rate.get(rate, {}).items())
            standard = rate is TaxRate.STANDARD
            shipping = order.shipping_fee if standard else zero
            fees = order.fees if standard else zero
            lines.extend(_rate_lines(tax_line, items, shipping, fees, rule, accounts))
    return JournalEntry(on, order.number, f"受注 {order.number} 売上計上", tuple(lines))


def reversal_entry(
    entry: JournalEntry,
    on: date,
    *,
    reference: str | None = None,
    memo: str | None = None,
    accounts: AccountMap | None = None,
) -> JournalEntry:
    """The entry that reverses ``entry`` on ``on`` (a full return, 返品): each line flipped.

    The old entry is never edited. With ``accounts``, the sales lines (items, shipping and COD
    fee, and every product's own sales account) are debited to ``accounts.returns`` (売上戻り高)
    with their sub-account, tax category and tax amount, so the return shows per rate;
    without, to the accounts they were credited to. The reference defaults to the entry's, the
    memo to ``返品 <reference> 売上戻り``.
    """
    if not isinstance(entry, JournalEntry):
        raise InvalidValue("entry", entry, "a JournalEntry")
    check_date(on, "on")
    if reference is not None:
        check_line("reference", reference, required=True, what="a reference, or None")
    if memo is not None:
        check_line("memo", memo, required=False, what="a memo (摘要), or None")
    if accounts is not None and not isinstance(accounts, AccountMap):
        raise InvalidValue("accounts", accounts, "an AccountMap, or None")
    sales: set[str] = set()
    if accounts is not None:
        sales = {accounts.sales, accounts.shipping, accounts.fees}
        sales |= {p.sales for p in accounts.products.values() if p.sales}
    flipped = []
    for line in entry.lines:
        side = Side.CREDIT if line.side is Side.DEBIT else Side.DEBIT
        account = line.account
        if accounts is not None and line.side is Side.CREDIT and account in sales:
            account = accounts.returns
        flipped.append(attrs.evolve(line, side=side, account=account))
    reference = entry.reference if reference is None else reference
    memo = f"返品 {reference} 売上戻り" if memo is None else memo
    return JournalEntry(on, reference, memo, tuple(flipped))


def points_deferral_entry(
    reference: str,
    on: date,
    amount: Money,
    accounts: AccountMap,
    *,
    release: bool = False,
    memo: str | None = None,
) -> JournalEntry:
    """Points granted deferred as a contract liability (収益認識基準), or released later.

    Deferral: debit the sales account, credit ``accounts.contract_liability`` (契約負債), both
    対象外 (the sale's tax is already on the sale). ``release=True`` books the other way, when
    the points are used or lapse. ``amount`` is the value allotted to the points, a positive
    amount; the option is the shop's, off unless it calls this.
    """
    check_line("reference", reference, required=True, what="a reference (the order number)")
    check_date(on, "on")
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidValue("amount", amount, "a positive amount (a Money)")
    if not isinstance(accounts, AccountMap):
        raise InvalidValue("accounts", accounts, "an AccountMap")
    if not isinstance(release, bool):  # "no" would book the release: the other way round
        raise InvalidValue("release", release, "True or False")
    if memo is not None:
        check_line("memo", memo, required=False, what="a memo (摘要), or None")
    debit, credit = accounts.sales, accounts.contract_liability
    if release:
        debit, credit = credit, debit
    text = "ポイント 契約負債 取崩" if release else "ポイント 契約負債 繰延"
    lines = (
        JournalLine(Side.DEBIT, debit, amount, "", accounts.no_tax),
        JournalLine(Side.CREDIT, credit, amount, "", accounts.no_tax),
    )
    return JournalEntry(on, reference, f"{text} {reference}" if memo is None else memo, lines)

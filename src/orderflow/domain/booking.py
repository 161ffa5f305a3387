"""Booking (計上): the sale as a balanced journal entry (仕訳) for the accounting system.

Account and tax-category names differ by accounting product and by shop, so they are data
(:class:`AccountMap`), never hard-coded; presets for 弥生, freee and マネーフォワード are given.
The recognition date follows the shop's basis (出荷基準 or 着荷基準); only the date changes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderTotals
from orderflow.domain.tax import PriceMode, TaxLine, TaxRate, TaxRule
from orderflow.errors import InvalidValue

__all__ = [
    "AccountMap",
    "JournalEntry",
    "JournalLine",
    "RecognitionBasis",
    "Side",
    "recognition_date",
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


def _tax_categories(ten: str, eight: str) -> Mapping[TaxRate, str]:
    return MappingProxyType({TaxRate.STANDARD: ten, TaxRate.REDUCED: eight})


@attrs.frozen(slots=True)
class AccountMap:
    """The shop's chart of accounts and tax categories, as its accounting product names them."""

    receivable: str = "売掛金"
    sales: str = "売上高"
    shipping: str = "売上高"
    shipping_sub: str = "送料"
    fees: str = "売上高"
    fees_sub: str = "手数料"
    reductions: str = "売上値引高"
    reductions_sub: str = "クーポン・ポイント"
    tax_payable: str = "仮受消費税等"
    no_tax: str = "対象外"
    tax_categories: Mapping[TaxRate, str] = attrs.field(
        factory=lambda: _tax_categories("課税売上10%", "課税売上8%(軽)")
    )

    @classmethod
    def yayoi(cls) -> AccountMap:
        """弥生会計's default names (税区分 課税売上込10% / 課税売上込8%(軽))."""
        return cls(tax_categories=_tax_categories("課税売上込10%", "課税売上込8%(軽)"))

    @classmethod
    def freee(cls) -> AccountMap:
        """freee会計's default names (税区分 課税売上10% / 課税売上8%(軽))."""
        return cls(tax_categories=_tax_categories("課税売上10%", "課税売上8%(軽)"))

    @classmethod
    def moneyforward(cls) -> AccountMap:
        """マネーフォワード クラウド会計's default names (課税売上 10% / 課税売上 (軽)8%)."""
        return cls(
            tax_payable="仮受消費税",
            tax_categories=_tax_categories("課税売上 10%", "課税売上 (軽)8%"),
        )


@attrs.frozen(slots=True)
class JournalLine:
    """One line of a journal entry."""

    side: Side
    account: str
    amount: Money
    sub_account: str = ""
    tax_category: str = ""
    tax_amount: Money | None = None


@attrs.frozen(slots=True)
class JournalEntry:
    """A balanced journal entry (仕訳): debits equal credits, always."""

    date: date
    reference: str
    memo: str
    lines: tuple[JournalLine, ...]

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("lines", self.lines, "at least one journal line")
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
    """The date of the sale in the shop's time zone: last shipment shipped or delivered."""
    stamps: list[datetime] = []
    for shipment in order.shipments:
        stamp = shipment.shipped_at if basis is RecognitionBasis.SHIPMENT else shipment.delivered_at
        if stamp is None:
            raise InvalidValue(
                "shipments", shipment.shipment_id, f"a shipment with a {basis.value} date"
            )
        stamps.append(stamp)
    if not stamps:
        raise InvalidValue("shipments", (), "at least one shipment to date the sale")
    return max(stamps).astimezone(zone).date()


def _net(component: Money, rate: TaxRate, rule: TaxRule) -> Money:
    if rule.mode is PriceMode.EXCLUSIVE or not component.amount:
        return component
    return component - rule.tax_on(component, rate)


def _rate_lines(
    line: TaxLine, items: Money, shipping: Money, fees: Money, rule: TaxRule, accounts: AccountMap
) -> list[JournalLine]:
    """One rate's journal lines.

    Whatever rounding leaves goes on the items line, so the rate's lines add up to its base.
    """
    rate = line.rate
    category = accounts.tax_categories[rate]
    shipping_net = _net(shipping, rate, rule)
    fees_net = _net(fees, rate, rule)
    reductions_net = _net(line.reduction, rate, rule)
    items_net = line.net
    if shipping.amount or fees.amount or reductions_net.amount:
        items_net = items_net - shipping_net - fees_net + reductions_net
    inclusive = rule.mode is PriceMode.INCLUSIVE
    out = [
        JournalLine(
            Side.CREDIT,
            accounts.sales,
            items_net,
            "",
            category,
            items - items_net if inclusive else None,
        )
    ]
    if shipping.amount:
        out.append(
            JournalLine(
                Side.CREDIT, accounts.shipping, shipping_net, accounts.shipping_sub, category
            )
        )
    if fees.amount:
        out.append(JournalLine(Side.CREDIT, accounts.fees, fees_net, accounts.fees_sub, category))
    if line.reduction.amount:
        out.append(
            JournalLine(
                Side.DEBIT, accounts.reductions, reductions_net, accounts.reductions_sub, category
            )
        )
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

    Debit 売掛金 with what the customer pays; credit 売上高 per tax rate (without tax), the
    shipping and COD fees as their own lines, 仮受消費税 per rate; price reductions (coupons,
    points used) as debit lines per rate. Every amount is exact and the entry balances.
    ``totals`` may pass the order's totals under ``rule`` when they are already known.
    """
    totals = order.totals(rule) if totals is None else totals
    currency = order.currency
    items_by_rate: dict[TaxRate, Money] = {}
    for ol in order.lines:
        items_by_rate[ol.tax_rate] = (
            items_by_rate.get(ol.tax_rate, Money.zero(currency)) + ol.amount
        )
    lines = [JournalLine(Side.DEBIT, accounts.receivable, totals.total, "", accounts.no_tax)]
    zero = Money.zero(currency)
    for tax_line in totals.tax.lines:
        items = items_by_rate.get(tax_line.rate, zero)
        standard = tax_line.rate is TaxRate.STANDARD
        shipping = order.shipping_fee if standard else zero
        fees = order.fees if standard else zero
        lines.extend(_rate_lines(tax_line, items, shipping, fees, rule, accounts))
    return JournalEntry(on, order.number, f"受注 {order.number} 売上計上", tuple(lines))

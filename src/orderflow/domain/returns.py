"""Returns (返品) as values: the request, what came back, where it went, what was paid back.

A :class:`Return` lives on its order (``Order.returns``): which lines and how many units, why
(:class:`ReturnReason`), its :class:`ReturnStatus`, each unit's :class:`Disposition` once received
(restocked to a warehouse, or written off), and the refund decided (per tax rate, the original
shipping refunded or not, the return fee and a lost free shipping kept back). The shop's
:class:`ReturnPolicy` says which returns it takes; the default follows the law (特定商取引法: the
buyer may return within 8 days of receipt at the buyer's cost) and takes back defective and wrong
items at the shop's cost.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from orderflow._mask import mask_street, masked_repr
from orderflow.domain.money import Money
from orderflow.domain.tax import TaxRate
from orderflow.errors import InvalidValue

__all__ = [
    "Disposition",
    "Return",
    "ReturnLine",
    "ReturnPolicy",
    "ReturnReason",
    "ReturnStatus",
]


class ReturnReason(enum.Enum):
    """Why the goods come back (返品理由)."""

    __hash__ = object.__hash__

    DEFECTIVE = "defective"
    """不良品: broken, spoiled or faulty (the shop's fault)."""
    WRONG_ITEM = "wrong_item"
    """誤配送: not what was ordered (the shop's fault)."""
    CUSTOMER = "customer"
    """お客様都合: the customer changed their mind (size, colour, no longer wanted)."""

    @property
    def shop_at_fault(self) -> bool:
        """The shop's fault: it takes the goods back at its cost."""
        return self is not ReturnReason.CUSTOMER


class ReturnStatus(enum.Enum):
    """Where a return is (返品状況)."""

    __hash__ = object.__hash__

    REQUESTED = "requested"
    """返品受付: accepted under the policy, the goods are on their way back."""
    REFUNDED = "refunded"
    """返品受領・返金済: received, each unit restocked or written off, the refund decided."""
    REFUSED = "refused"
    """返品拒否: the shop would not take what came back (used, incomplete)."""


@attrs.frozen(slots=True)
class ReturnLine:
    """So many units of one order line coming back."""

    line_id: str
    """The order line the units come from (``OrderLine.line_id``)."""
    quantity: int
    """Units of that line coming back: 1 up to what is left to return of it."""


@attrs.frozen(slots=True)
class Disposition:
    """What became of ``quantity`` returned units of one line: restocked or written off.

    ``warehouse`` is where they go back on hand (再入庫); None writes them off (廃棄, damaged).
    """

    line_id: str
    """The order line the units come from (``OrderLine.line_id``)."""
    quantity: int
    """Units this disposition covers, 1 or more; a return's dispositions cover each of its
    units exactly once."""
    warehouse: str | None = None
    """The shop's warehouse they go back on hand in (再入庫), one of the shop's warehouses;
    ``None`` writes them off (廃棄)."""

    @property
    def restocked(self) -> bool:
        """The units go back on hand."""
        return self.warehouse is not None


@attrs.frozen(slots=True)
class Return:
    """One return of an order (返品): requested, then received and refunded (or refused)."""

    return_id: str
    """``R1``, ``R2``… in the order."""
    lines: tuple[ReturnLine, ...]
    """The lines and units coming back."""
    reason: ReturnReason
    """Why they come back; it decides the window, who pays the parcel and the fees."""
    requested_at: datetime
    """When the return was accepted (返品受付)."""
    status: ReturnStatus = ReturnStatus.REQUESTED
    """Where the return is; a new return is ``REQUESTED``."""
    shop_pays_shipping: bool = False
    """The shop pays the parcel back (着払い); else the customer sends it at their cost."""
    request: str = ""
    """The request id it was asked under (an exchange finds its new order by it)."""
    exchange: str = ""
    """交換: the number of the new order placed for it."""
    refund_account: str = attrs.field(default="", repr=masked_repr(mask_street))
    """The account the customer gave for money owed back (bank transfer, konbini, COD); its
    bank, number and holder are the customer's: ``***`` in the repr."""
    received_at: datetime | None = None
    """When the goods came back and were refunded, or refused; ``None`` while requested."""
    dispositions: tuple[Disposition, ...] = ()
    """What became of each unit once received (restocked or written off); empty until then."""
    refund: tuple[tuple[TaxRate, Money, Money], ...] = ()
    """Per rate: what is really paid back for it (as paid, tax included) and the tax in it:
    what the 売上戻り entry takes off the sales. Less than the units are worth when less money
    goes back (see ``withheld``); empty when a 後払い provider refused it (``refund_refused``)."""
    shipping_refunded: bool = False
    """The original shipping and COD fees came back with this return."""
    fee: Money | None = None
    """What the shop kept back (a return fee, a free shipping lost), tax included."""
    paid_back: Money | None = None
    """What the customer gets: the rates' refunds less ``fee``, the money really paid back."""
    points_back: int = 0
    """Points used on the order given back for these units."""
    points_clawed: int = 0
    """Points the order earned taken back for these units."""
    journal: bool = False
    """The reversing entry (売上戻り) was posted (at receipt, or when the 後払い provider agreed,
    if booked; else at booking)."""
    payment_key: str = ""
    """後払い: the key of the provider request the refund waits on (the rest billed again, or
    the claim cancelled): nothing is posted until it agrees. ``""`` once answered, or when the
    refund waits on nothing."""
    refund_refused: bool = False
    """後払い: the provider would not bill the rest, so nothing was paid back and nothing is
    posted (the units' worth is ``withheld``); the order is held ``refund_failed`` for a person
    to pay it back by transfer (``desk.refund(…, by_transfer=True)``)."""
    withheld: tuple[tuple[TaxRate, Money, Money], ...] = ()
    """Per rate: what the units are worth but was not paid back, and the tax in it: the refund
    was capped at what was still refundable, or owed points were settled from it, or the
    後払い provider refused it. It stays in the sales (the shop kept that money)."""

    def units(self, line_id: str) -> int:
        """Units of ``line_id`` in this return."""
        return sum(line.quantity for line in self.lines if line.line_id == line_id)


_OPTIONAL_MONEY = ("free_shipping_threshold", "lost_free_shipping_fee")


def _money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name in _OPTIONAL_MONEY:
        return
    if not isinstance(value, Money) or value.is_negative:
        expected = "a Money of zero or more"
        if attribute.name in _OPTIONAL_MONEY:
            expected += ", or None"
        raise InvalidValue(attribute.name, value, expected)


def _flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValue(attribute.name, value, "True or False")


def _whole_days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 <= value <= 3650:
        raise InvalidValue(attribute.name, value, "a whole number of days from 0 to 3650")


def _skus(value: Iterable[str]) -> frozenset[str]:
    expected = "a collection of SKUs (non-empty texts)"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValue("excluded_skus", value, expected)
    items = list(value)
    if not all(isinstance(sku, str) and sku for sku in items):
        raise InvalidValue("excluded_skus", items, expected)
    return frozenset(items)


def _reasons(value: Iterable[ReturnReason]) -> frozenset[ReturnReason]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValue("refund_shipping_for", value, "a collection of ReturnReason values")
    items = list(value)
    if not all(isinstance(reason, ReturnReason) for reason in items):
        raise InvalidValue("refund_shipping_for", items, "ReturnReason values")
    return frozenset(items)


@attrs.frozen(slots=True)
class ReturnPolicy:
    """Which returns the shop takes, and what the customer pays for them (返品ポリシー).

    The default is the law's (特定商取引法 第15条の3): the customer may return within ``days`` (8)
    days of receipt, sending the goods back at their own cost; defective and wrong items are
    taken back within ``defect_days`` (30) at the shop's cost, whatever the product.

    - ``accepts_customer_reason``: False says 返品不可 for お客様都合 (a shop must state it).
    - ``excluded_skus``: products never taken back for the customer's reason (food, opened
      software); defective and wrong items always are.
    - ``return_fee``: 返品手数料 kept back from a customer-reason refund (tax included).
    - ``refund_shipping_for``: the reasons for which the original shipping (and COD) fee is paid
      back, with the return that brings the last unit back.
    - ``free_shipping_threshold``: 送料無料ライン. When a customer-reason return brings what the
      customer keeps under it, the free shipping is lost: ``lost_free_shipping_fee`` (None: the
      shop's fee to the order's address) is kept back from the refund.
    """

    days: int = attrs.field(default=8, validator=_whole_days)
    """Days a customer-reason return may be asked, the day of receipt counted as the first
    (0 to 3650; 8 by the law). 0 takes none."""
    defect_days: int = attrs.field(default=30, validator=_whole_days)
    """The same window for defective and wrong items (0 to 3650; 30 by default)."""
    accepts_customer_reason: bool = attrs.field(default=True, validator=_flag)
    """False refuses every return for the customer's reason (返品不可)."""
    excluded_skus: frozenset[str] = attrs.field(factory=frozenset, converter=_skus)
    """SKUs never taken back for the customer's reason; empty by default."""
    return_fee: Money = attrs.field(factory=lambda: Money.yen(0), validator=_money)
    """返品手数料 kept back from a customer-reason refund, tax included; ¥0 by default."""
    refund_shipping_for: frozenset[ReturnReason] = attrs.field(
        factory=lambda: frozenset({ReturnReason.DEFECTIVE, ReturnReason.WRONG_ITEM}),
        converter=_reasons,
    )
    """Reasons for which the original shipping and COD fees are paid back; defective and
    wrong items by default."""
    free_shipping_threshold: Money | None = attrs.field(default=None, validator=_money)
    """送料無料ライン, in the items' prices as listed; ``None``: no free-shipping line."""
    lost_free_shipping_fee: Money | None = attrs.field(default=None, validator=_money)
    """Kept back when a customer-reason return loses the free shipping (tax included);
    ``None`` keeps back the shop's fee to the order's address."""

    def check_currency(self, currency: str, field: str = "return_policy") -> None:
        """Refuse (``InvalidValue`` naming ``<field>.<name>``) an amount not in ``currency``.

        A policy's amounts are the shop's: a $3 fee would be kept back from a yen refund as
        ¥300. An amount of zero is the same in every currency.
        """
        for name in ("return_fee", "free_shipping_threshold", "lost_free_shipping_fee"):
            amount = getattr(self, name)
            if amount is not None and amount.amount and amount.currency != currency:
                raise InvalidValue(f"{field}.{name}", amount, f"an amount in {currency}")

    def window(self, reason: ReturnReason) -> int:
        """Days after delivery a return for ``reason`` may be asked."""
        return self.defect_days if reason.shop_at_fault else self.days

    def shop_pays_shipping(self, reason: ReturnReason) -> bool:
        """The shop pays the parcel back: for its own fault."""
        return reason.shop_at_fault

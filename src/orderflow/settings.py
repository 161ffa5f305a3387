"""The shop's settings: everything that is policy rather than law."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from orderflow.domain._checks import instance_of
from orderflow.domain.address import Prefecture
from orderflow.domain.allocation import AllocationPlanner, AllocationStrategy
from orderflow.domain.booking import AccountMap, RecognitionBasis
from orderflow.domain.bounds import MAX_DAYS, check_days
from orderflow.domain.money import Money
from orderflow.domain.payments import DEFAULT_COD_FEES, CodFeeTable
from orderflow.domain.payments.parcels import CodSplit, PartialPayment
from orderflow.domain.policy import CancelPolicy, ChangePolicy
from orderflow.domain.returns import ReturnPolicy
from orderflow.domain.review import ShippingFeeTable, default_shipping_fees
from orderflow.domain.sets import Sets, check_sets
from orderflow.domain.tax import TaxRule
from orderflow.errors import InvalidValue
from orderflow.i18n import DEFAULT_LOCALE, DEFAULT_ZONE, locale_field, zone_field
from orderflow.notices.profile import ShopProfile
from orderflow.notices.templates import NoticeTemplates

__all__ = [
    "Clawback",
    "CodSplit",
    "GrantAt",
    "PartialPayment",
    "PointsGrant",
    "PostpayDeclined",
    "ShopSettings",
]


class PostpayDeclined(enum.Enum):
    """What to do when the 後払い credit check says no."""

    CANCEL = "cancel"
    """Cancel the order and tell the customer."""
    ASK_ANOTHER_METHOD = "ask_another_method"
    """Hold the order and ask the customer to choose another payment method."""


class GrantAt(enum.Enum):
    """The moment points become due (ポイント付与のタイミング), counted from in days."""

    BOOKING = "booking"
    """計上: when the sale is booked."""
    SHIPMENT = "shipment"
    """出荷: when the last shipment left."""
    DELIVERY = "delivery"
    """着荷: when the last shipment arrived."""


class Clawback(enum.Enum):
    """What a clawback (ポイント回収) does with points the customer already spent."""

    RECORD_OWED = "record_owed"
    """Record them as owed (``Order.points_owed``, a ``PointsOwed`` event) for a person."""
    DEDUCT_FROM_REFUND = "deduct_from_refund"
    """Record them as owed, and the next refund of the order pays that many yen less (a point is
    one unit of the shop's currency: a dollar in a dollar shop)."""


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "confirm_days":
        return
    if type(value) is not int or not 0 <= value <= 3650:
        raise InvalidValue(attribute.name, value, "a whole number of days from 0 to 3650")


@attrs.frozen(slots=True)
class PointsGrant:
    """When a shop grants the points its orders earn (ポイント付与).

    ``days`` after ``at`` the points fall due; ``desk.grant_points_due()`` (a sweep any scheduler
    runs) grants them, once per order. With ``confirm_days`` they are granted as 仮ポイント
    (provisional: not spendable) and confirmed ``confirm_days`` after ``at`` (after a return
    window, say); ``confirm_days`` must not come before ``days``.
    """

    at: GrantAt = attrs.field(default=GrantAt.DELIVERY)
    """The moment the days are counted from: 計上, 出荷 or 着荷 (the default)."""
    days: int = attrs.field(default=0, validator=_days)
    """Days after ``at`` the points fall due (0 to 3650; 0: due at that moment)."""
    confirm_days: int | None = attrs.field(default=None, validator=_days)
    """Days after ``at`` 仮ポイント are confirmed (not before ``days``); None: points are granted
    spendable at once."""

    @at.validator
    def _check_at(self, attribute: attrs.Attribute[GrantAt], value: object) -> None:
        if not isinstance(value, GrantAt):
            raise InvalidValue("at", value, "a GrantAt (BOOKING, SHIPMENT or DELIVERY)")

    def __attrs_post_init__(self) -> None:
        if self.confirm_days is not None and self.confirm_days < self.days:
            raise InvalidValue(
                "confirm_days", self.confirm_days, f"{self.days} days or more (the grant's)"
            )

    @property
    def provisional(self) -> bool:
        """Points are granted as 仮ポイント and confirmed later."""
        return self.confirm_days is not None


def _check_grant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, PointsGrant):
        raise InvalidValue("points_grant", value, "a PointsGrant, or None (no points granted)")


def _check_clawback(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Clawback):
        raise InvalidValue("points_clawback", value, "a Clawback")


def _check_returns(instance: ShopSettings, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ReturnPolicy):
        raise InvalidValue("return_policy", value, "a ReturnPolicy")
    value.check_currency(instance.currency)


def _check_choice(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    kind = attribute.type if isinstance(attribute.type, type) else None
    names = {"partial_payment": PartialPayment, "cod_split": CodSplit}
    kind = kind or names[attribute.name]
    if not isinstance(value, kind):
        raise InvalidValue(attribute.name, value, f"a {kind.__name__}")


def _check_carrier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise InvalidValue("carrier", value, "a carrier's code such as 'yamato'")


def _check_rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not Decimal or not value.is_finite() or not 0 <= value <= 1:
        raise InvalidValue("points_rate", value, "a Decimal from 0 to 1")


def _positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_days(value, attribute.name)  # 1 to 3650: a date counted from now stays on the calendar


def _check_tolerance(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= timedelta(days=MAX_DAYS):
        raise InvalidValue(attribute.name, value, f"a timedelta from 0 to {MAX_DAYS} days")


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValue("currency", value, "an ISO 4217 currency code such as 'JPY'")
    Money.zero(value)  # an unknown code: InvalidValue naming ``currency``


def _check_fees(instance: ShopSettings, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ShippingFeeTable):
        raise InvalidValue("shipping_fees", value, "a ShippingFeeTable")
    if value.currency != instance.currency:
        raise InvalidValue(
            "shipping_fees",
            f"a table in {value.currency}",
            f"a ShippingFeeTable in {instance.currency}, the shop's currency "
            "(the default table is in yen)",
        )


def _check_warehouses(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value or not all(isinstance(w, str) for w in value):
        raise InvalidValue(
            "warehouses",
            value,
            "a tuple of warehouse codes in priority order, such as warehouses=('TOKYO',) or"
            " ('TOKYO', 'OSAKA')",
        )


def _check_allocation(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, AllocationStrategy) and not callable(value):
        raise InvalidValue(
            "allocation", value, "an AllocationStrategy or a planner (an AllocationPlanner)"
        )


def _to_locations(value: object) -> Mapping[str, Prefecture]:
    if not isinstance(value, Mapping):
        raise InvalidValue("warehouse_locations", value, "a mapping of warehouse → prefecture")
    out: dict[str, Prefecture] = {}
    for warehouse, where in value.items():
        if not isinstance(warehouse, str) or not warehouse:
            raise InvalidValue("warehouse_locations", warehouse, "warehouse codes as keys")
        if not isinstance(where, Prefecture | str | int):
            raise InvalidValue(f"warehouse_locations[{warehouse}]", where, "a prefecture")
        out[warehouse] = Prefecture.parse(where)
    return MappingProxyType(out)


def _check_shop(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ShopProfile):
        raise InvalidValue("shop", value, "a ShopProfile (orderflow.notices.ShopProfile)")


def _to_templates(value: object) -> NoticeTemplates:
    if isinstance(value, NoticeTemplates):
        return value
    if not isinstance(value, Mapping):
        raise InvalidValue(
            "notice_templates",
            value,
            "a NoticeTemplates, or a mapping of (kind, locale, format) → template",
        )
    try:
        return NoticeTemplates(value)
    except InvalidValue as error:
        raise InvalidValue(
            f"notice_templates: {error.field}", error.value, error.expected
        ) from None


@attrs.frozen(slots=True)
class ShopSettings:
    """How one shop works: currency, tax, warehouses, carrier, booking, language and zone.

    ``warehouses`` lists warehouse codes in priority order (the first is preferred when several
    can ship). ``carrier`` is the code of the carrier used unless a shipment names another.
    The payment settings say when to re-authorize cards, how long konbini numbers live, the COD
    fee table and what a declined 後払い credit check does.

    Checked when built: a locale without a catalog, an unknown time zone, a ``shop`` that is not
    a :class:`~orderflow.notices.ShopProfile` or a template that does not fit its notice raises
    :class:`~orderflow.errors.InvalidValue` naming the field — never later, when a notice is sent.
    """

    warehouses: tuple[str, ...] = attrs.field(default=("TOKYO",), validator=_check_warehouses)
    """Warehouse codes in priority order (the first is preferred); the desk needs a port for
    each."""
    carrier: str = attrs.field(default="yamato", validator=_check_carrier)
    """The code of the carrier used when an instruction names none; the desk needs an adapter for
    it."""
    currency: str = attrs.field(default="JPY", validator=_check_currency)
    """The ISO 4217 code new orders are placed in; ``JPY``: whole yen. A shop in another currency
    takes card and Amazon Pay only (konbini, bank transfer, 代引き and 後払い take yen), reads no
    全銀 file and gives ``shipping_fees`` in its currency."""
    tax: TaxRule = attrs.field(default=TaxRule(), validator=instance_of(TaxRule, "a TaxRule"))
    """消費税: prices with tax (内税, the default) or without (外税), and the rounding (切り捨て by
    default)."""
    allocation: AllocationStrategy | AllocationPlanner = attrs.field(
        default=AllocationStrategy.FEWEST_SHIPMENTS, validator=_check_allocation
    )
    """A built-in strategy, or the shop's own :class:`AllocationPlanner`."""
    warehouse_locations: Mapping[str, Prefecture] = attrs.field(
        factory=dict, converter=_to_locations
    )
    """The prefecture of each warehouse (for :attr:`AllocationStrategy.NEAREST`)."""
    accounts: AccountMap = attrs.field(
        default=AccountMap(),
        validator=instance_of(AccountMap, "an AccountMap (AccountMap(), AccountMap.yayoi() …)"),
    )
    """The chart of accounts and tax categories the journal entries use (勘定科目, as the accounting
    product names them)."""
    recognition: RecognitionBasis = attrs.field(
        default=RecognitionBasis.DELIVERY,
        validator=instance_of(RecognitionBasis, "a RecognitionBasis (DELIVERY or SHIPMENT)"),
    )
    """売上計上基準: the sale's entry is dated the day (in ``zone``) the last shipment arrived
    (着荷基準, the default) or left (出荷基準)."""
    locale: str = attrs.field(default=DEFAULT_LOCALE, validator=locale_field)
    """The customers' language (``ja`` or ``en``: :data:`orderflow.i18n.LOCALES`)."""
    zone: str = attrs.field(default=DEFAULT_ZONE, validator=zone_field)
    """The IANA time zone times are shown in (``Asia/Tokyo``)."""
    reauthorize_within_days: int = attrs.field(default=3, validator=_positive)
    """Card and Amazon Pay: re-authorize when the authorization lapses within this many days
    (1 to 3650)."""
    authorization_days: int = attrs.field(default=30, validator=_positive)
    """How long an authorization lives, in days, when the gateway does not say (its
    ``expires_at``); 1 to 3650."""
    konbini_days: int = attrs.field(default=7, validator=_positive)
    """Days a konbini payment number stays valid (1 to 3650); unpaid orders are cancelled
    after."""
    konbini_grace: timedelta = attrs.field(default=timedelta(0), validator=_check_tolerance)
    """How long after a konbini deadline ``expire_unpaid`` still waits (0 to 3650 days; none by
    default): a provider that reports payments late (確報 the next day) needs a day, or an
    order paid in time is cancelled before its payment is heard of."""
    absent_hold_days: int = attrs.field(default=3, validator=_positive)
    """持戻り: a parcel back at the depot this many days (1 to 3650) holds its order for a
    person."""
    carrier_clock_tolerance: timedelta = attrs.field(
        default=timedelta(days=1), validator=_check_tolerance
    )
    """How far ahead of the desk's clock a carrier event may be stamped (0 to 3650 days, a day
    by default): one further ahead is a wrong date and is refused (``report.ahead``)."""
    cod_fees: CodFeeTable = attrs.field(
        default=DEFAULT_COD_FEES, validator=instance_of(CodFeeTable, "a CodFeeTable")
    )
    """代引手数料 by bracket of the order's total before the fee; above the last bracket a COD order
    is refused."""
    postpay_declined: PostpayDeclined = attrs.field(
        default=PostpayDeclined.CANCEL,
        validator=instance_of(PostpayDeclined, "a PostpayDeclined (CANCEL or ASK_ANOTHER_METHOD)"),
    )
    """What a declined 後払い credit check does: cancel the order (the default) or hold it and ask
    for another method."""
    shipping_fees: ShippingFeeTable = attrs.field(
        factory=default_shipping_fees, validator=_check_fees
    )
    """The fee for a changed address, the 離島 surcharge of the review and a lost free shipping
    of a return, in ``currency``: the default (:func:`default_shipping_fees`) is in yen, so a
    shop in another currency gives its own table (else ``InvalidValue`` naming
    ``shipping_fees``)."""
    cancel_policy: CancelPolicy = attrs.field(
        default=CancelPolicy(), validator=instance_of(CancelPolicy, "a CancelPolicy")
    )
    """Who may cancel until which status (default: the customer before 引当済, staff before
    出荷指示済)."""
    change_policy: ChangePolicy = attrs.field(
        default=ChangePolicy(), validator=instance_of(ChangePolicy, "a ChangePolicy")
    )
    """Whether changes are taken, from whom and until which status (default: as ``cancel_policy``,
    customers from my page or the call centre)."""
    return_policy: ReturnPolicy = attrs.field(default=ReturnPolicy(), validator=_check_returns)
    """Which returns (返品) the shop takes and at whose cost (:class:`ReturnPolicy`)."""
    auto_advance: bool = attrs.field(default=True, validator=instance_of(bool, "True or False"))
    """An order with no open hold goes on by itself: accepted → reviewed → allocated."""
    points_rate: Decimal = attrs.field(default=Decimal("0.01"), validator=_check_rate)
    """Points earned per unit paid for items (1%); a line's ``points_rate`` overrides it."""
    points_grant: PointsGrant | None = attrs.field(default=None, validator=_check_grant)
    """When earned points are granted (a :class:`PointsGrant`); None: orderflow grants none."""
    points_clawback: Clawback = attrs.field(default=Clawback.RECORD_OWED, validator=_check_clawback)
    """What a clawback does with points the customer already spent (:class:`Clawback`)."""
    partial_payment: PartialPayment = attrs.field(
        default=PartialPayment.AT_LAST, validator=_check_choice
    )
    """分納, card and Amazon Pay: capture once at the last unit, or per parcel its share."""
    cod_split: CodSplit = attrs.field(default=CodSplit.FIRST, validator=_check_choice)
    """代引き of several parcels: the first collects the total, or each its share."""
    sets: Sets = attrs.field(factory=dict, converter=check_sets)
    """セット商品: set SKU → ((component SKU, units per set), …); the inventory knows only the
    components (see :mod:`orderflow.domain.sets`)."""
    shop: ShopProfile = attrs.field(factory=ShopProfile, validator=_check_shop)
    """The shop as its notices name it: name and signature per locale, support e-mail, the
    products' English names (:class:`~orderflow.notices.ShopProfile`)."""
    notice_templates: NoticeTemplates = attrs.field(
        factory=NoticeTemplates, converter=_to_templates
    )
    """The shop's own notice templates (:class:`~orderflow.notices.NoticeTemplates`, or the
    mapping one is built from), checked when the settings are built."""

"""The review's tables and lists: which postal codes are islands, the shipping fees, the blacklist.

Values a shop configures once (``ShippingFeeTable``, ``IslandTable``, ``Blacklist``), each checked
when built; the rules that use them are in :mod:`orderflow.domain.review`, which exports them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from orderflow._mask import mask_email, mask_phone, mask_street
from orderflow.domain._checks import instance_of, members
from orderflow.domain.address import Address, Prefecture, normalize_phone
from orderflow.domain.bounds import check_span, check_units
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.order import Order

__all__ = [
    "DEFAULT_ISLAND_PREFIXES",
    "RECENT_SPAN",
    "Blacklist",
    "IslandTable",
    "ShippingFeeTable",
    "check_duplicate_window",
    "check_limits",
    "default_shipping_fees",
    "normalize_address",
]


def _prefixes(value: object) -> frozenset[str]:
    out = set()
    for prefix in members("prefixes", value, "postal-code prefixes"):
        if not isinstance(prefix, str):
            raise InvalidValue("prefixes", prefix, "postal-code prefixes of 1 to 7 digits")
        digits = prefix.replace("-", "")
        if not digits.isdigit() or not 1 <= len(digits) <= 7:
            raise InvalidValue("prefixes", prefix, "postal-code prefixes of 1 to 7 digits")
        out.add(digits)
    return frozenset(out)


DEFAULT_ISLAND_PREFIXES: frozenset[str] = _prefixes(
    [
        # 東京都 伊豆諸島・小笠原: 大島 (100-01xx, 差木地 100-0211 and 波浮港 100-0212),
        # 利島, 新島, 式根島, 神津島, 三宅島, 御蔵島, 八丈島, 青ヶ島, 小笠原
        "10001", "10002", "10003", "10004", "10005", "10006", "10011", "10012",
        "10013", "10014", "10015", "10016", "10017", "10021", "10022",
        # 北海道 利尻・礼文 (097 but 稚内市's mainland 097-00xx), 奥尻, 天売・焼尻
        "09701", "09702", "09703", "09704", "09705", "09706", "09707", "09708",
        "09709", "0971", "0972", "0973", "0974", "0975", "0976", "0977", "0978",
        "0979", "04314", "07836",
        # 新潟県 佐渡, 粟島
        "952", "9580061",
        # 島根県 隠岐 (西ノ島町 浦郷 684-0211)
        "685", "68401", "68402", "68403", "68404",
        # 香川県 小豆島, 直島
        "7614", "76131",
        # 長崎県 対馬, 壱岐, 五島, 新上五島
        "817", "8115", "853", "8574",
        # 鹿児島県 種子島, 屋久島, 奄美群島, 甑島
        "8913", "8914", "8916", "8917", "8918", "8919", "894", "8961",
        # 沖縄県 久米島・大東諸島, 伊平屋 (905-07xx)・伊是名 (905-06xx), 宮古, 八重山
        "9013", "90506", "90507", "906", "907",
    ]
)  # fmt: skip
"""Postal-code prefixes of Japan's main remote-island groups (離島).

Compiled by hand for orderflow from the postal-code areas (Japan Post's 郵便番号データ) of the
island towns named in the comments. It is a default, not an authority: it does not list every
inhabited island, and carriers keep their own surcharge lists. A shop replaces it with its
carrier's list: ``IslandTable(prefixes=...)``.
"""


@attrs.frozen(slots=True)
class IslandTable:
    """Which postal codes are remote islands, by prefix (``952`` is all of 佐渡)."""

    prefixes: frozenset[str] = attrs.field(default=DEFAULT_ISLAND_PREFIXES, converter=_prefixes)
    """Postal-code prefixes of 1 to 7 digits (hyphens dropped); a postal code starting
    with any of them is an island. Defaults to ``DEFAULT_ISLAND_PREFIXES``."""

    def __contains__(self, postal_code: object) -> bool:
        if not isinstance(postal_code, str):
            return False
        return any(postal_code[:n] in self.prefixes for n in range(1, 8))


def _fee_map(value: object) -> Mapping[Prefecture, Money]:
    """Prefecture → fee; a prefecture may be given by name or JIS code (``"北海道"``, 1)."""
    if not isinstance(value, Mapping):
        raise InvalidValue("by_prefecture", value, "a mapping of prefecture → Money")
    out: dict[Prefecture, Money] = {}
    for where, fee in value.items():
        if not isinstance(where, Prefecture | str | int):
            raise InvalidValue("by_prefecture", where, "prefectures as keys (e.g. '北海道')")
        if not isinstance(fee, Money):
            raise InvalidValue(f"by_prefecture[{where}]", fee, "a Money such as Money.yen(1320)")
        out[Prefecture.parse(where)] = fee
    return out


def _check_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise InvalidValue(attribute.name, value, "a Money such as Money.yen(880)")


def _zero_like(default: object) -> Money:
    """No surcharge, in the currency of the table's ``default`` (yen until it is checked)."""
    return Money.zero(default.currency if isinstance(default, Money) else "JPY")


@attrs.frozen(slots=True)
class ShippingFeeTable:
    """送料: a fee per prefecture (else ``default``), plus a surcharge for remote islands.

    Every fee is in ``default``'s currency: another is refused (``InvalidValue`` naming it).
    """

    default: Money = attrs.field(validator=_check_money)
    """The fee to a prefecture not in ``by_prefecture``."""
    by_prefecture: Mapping[Prefecture, Money] = attrs.field(factory=dict, converter=_fee_map)
    """The fee to each prefecture that differs from ``default`` (北海道, 沖縄 …)."""
    island_surcharge: Money = attrs.field(
        default=attrs.Factory(lambda table: _zero_like(table.default), takes_self=True),
        validator=_check_money,
    )
    """Added to the prefecture's fee for a remote-island address (離島); zero by default."""
    islands: IslandTable = attrs.field(
        factory=IslandTable, validator=instance_of(IslandTable, "an IslandTable")
    )
    """Which postal codes count as remote islands."""

    def __attrs_post_init__(self) -> None:
        currency = self.default.currency
        for where, fee in self.by_prefecture.items():
            if fee.currency != currency:
                raise InvalidValue(f"by_prefecture[{where.ja}]", fee, f"an amount in {currency}")
        if self.island_surcharge.currency != currency:
            raise InvalidValue(
                "island_surcharge", self.island_surcharge, f"an amount in {currency}"
            )

    @property
    def currency(self) -> str:
        """The currency of every fee in the table (its ``default``'s)."""
        return self.default.currency

    def is_island(self, address: Address) -> bool:
        """Whether ``address`` is on a remote island."""
        return address.postal_code in self.islands

    def fee_for(self, address: Address) -> Money:
        """The shipping fee to ``address``."""
        fee = self.by_prefecture.get(address.prefecture, self.default)
        return fee + self.island_surcharge if self.is_island(address) else fee


def default_shipping_fees() -> ShippingFeeTable:
    """A plain schedule: ¥880, ¥1,320 to Hokkaido, ¥1,650 to Okinawa, ¥1,100 more to islands."""
    return ShippingFeeTable(
        Money.yen(880),
        {Prefecture.HOKKAIDO: Money.yen(1320), Prefecture.OKINAWA: Money.yen(1650)},
        Money.yen(1100),
    )


_ADDRESS_NOISE = re.compile(r"[\s\-‐‑–—―ー−－]+")
_ADDRESS_UNITS = re.compile(r"(丁目|番地|番|号)")


def normalize_address(address: Address) -> str:
    """An address reduced for comparison: full/half width, hyphens, spaces and 丁目/番/号 alike.

    ``東京都渋谷区神宮前１丁目２番３号`` and ``東京都 渋谷区神宮前 1-2-3`` give the same key.
    """
    if not isinstance(address, Address):
        raise InvalidValue("address", address, "an Address")
    text = f"{address.postal_code}{address.prefecture.ja}{address.city}{address.line1}"
    text = unicodedata.normalize("NFKC", text + address.line2).lower()
    text = _ADDRESS_UNITS.sub("-", text)
    return _ADDRESS_NOISE.sub("", text)


def _str_set(value: object) -> frozenset[str]:
    ids = members("customer_ids", value, "customer ids")
    for one in ids:
        if not isinstance(one, str) or not one:
            raise InvalidValue("customer_ids", one, "customer ids as non-empty texts")
    return frozenset(str(one) for one in ids)


def _lower_set(value: object) -> frozenset[str]:
    out = set()
    for one in members("emails", value, "e-mail addresses"):
        if not isinstance(one, str) or not one.strip():
            raise InvalidValue("emails", one, "e-mail addresses as texts")
        out.add(one.strip().lower())
    return frozenset(out)


def _phone_set(value: object) -> frozenset[str]:
    out = set()
    for one in members("phones", value, "phone numbers"):
        try:
            out.add(normalize_phone(one))
        except InvalidValue as error:
            raise InvalidValue("phones", one, error.expected) from None
    return frozenset(out)


def _address_set(value: object) -> frozenset[str]:
    out = set()
    for one in members("addresses", value, "addresses", shown=f"a {type(value).__name__}"):
        if isinstance(one, Address):
            out.add(normalize_address(one))
        elif isinstance(one, str) and one.strip():
            out.add(one)
        else:
            raise InvalidValue(
                "addresses", one, "Address values, or addresses normalised by normalize_address"
            )
    return frozenset(out)


def _masked_set(masker: Callable[[str], str]) -> Callable[[frozenset[str]], str]:
    """An ``attrs.field(repr=...)`` callable: the set with each member masked (sorted)."""

    def show(value: frozenset[str]) -> str:
        if not value:
            return "frozenset()"
        return f"frozenset({{{', '.join(repr(masker(one)) for one in sorted(value))}}})"

    return show


@attrs.frozen(slots=True)
class Blacklist:
    """Customers a shop will not ship to without a look: by id, e-mail, phone or address.

    Each field takes a collection (a set, list or tuple); a member that is not what the field
    holds is refused with :class:`~orderflow.errors.InvalidValue`. The repr masks the e-mail
    addresses, phone numbers and addresses (a blacklist's repr ends up in logs like any value's).
    """

    customer_ids: frozenset[str] = attrs.field(factory=frozenset, converter=_str_set)
    """Customer ids (``Customer.id``) to hold, compared exactly."""
    emails: frozenset[str] = attrs.field(
        factory=frozenset, converter=_lower_set, repr=_masked_set(mask_email)
    )
    """E-mail addresses, compared without case or surrounding blanks."""
    phones: frozenset[str] = attrs.field(
        factory=frozenset, converter=_phone_set, repr=_masked_set(mask_phone)
    )
    """Phone numbers, normalised (``normalize_phone``) here and compared with the phones of
    the ship-to address and of the customer's own address."""
    addresses: frozenset[str] = attrs.field(
        factory=frozenset, converter=_address_set, repr=_masked_set(mask_street)
    )
    """Normalised addresses (:func:`normalize_address`); Address values are normalised here."""

    def match(self, order: Order) -> str | None:
        """What matched (``customer id``, ``e-mail``, ``phone``, ``address``), or None."""
        if order.customer.id in self.customer_ids:
            return "customer id"
        if order.customer.email.strip().lower() in self.emails:
            return "e-mail"
        # the ship-to address and the customer's own (a gift sent elsewhere): phones and places
        addresses = [order.ship_to] + ([order.customer.address] if order.customer.address else [])
        if any(a.phone in self.phones for a in addresses):
            return "phone"
        if not self.addresses:
            return None
        if any(normalize_address(a) in self.addresses for a in addresses):
            return "address"
        return None


# -- the rules' settings -------------------------------------------------------------------


RECENT_SPAN = timedelta(days=31)
"""How far before an order the desk reads the customer's orders for the review
(``ReviewContext.recent_orders``): the longest duplicate window a rule may have."""


def check_duplicate_window(value: object, field: str) -> None:
    """A window of 0 up to :data:`RECENT_SPAN`: a longer one would miss the older orders."""
    check_span(value, field)
    assert isinstance(value, timedelta)
    if value > RECENT_SPAN:
        raise InvalidValue(
            field,
            value,
            f"a timedelta of at most {RECENT_SPAN.days} days (the review reads the customer's "
            f"orders of the {RECENT_SPAN.days} days before an order)",
        )


def check_limits(value: object, field: str = "limits") -> Mapping[str, int]:
    """SKU → limit; a SKU's limit may be 0 (every order of it is looked at)."""
    if not isinstance(value, Mapping):
        raise InvalidValue(field, value, "a mapping of SKU → the most units of a line")
    for sku, limit in value.items():
        if not isinstance(sku, str) or not sku:
            raise InvalidValue(field, sku, "SKUs as keys")
        check_units(limit, f"{field}[{sku}]", minimum=0)
    return dict(value)

"""Order review (注文確認): a pipeline of rules, each able to hold the order and say why.

Review runs when an order enters 未引当 and again after every change. Each rule looks at the order
(and, for duplicates, the customer's recent orders) and returns a :class:`Finding` or nothing; a
finding becomes a hold with its code and a message in Japanese and English, and may also correct
the shipping fee (離島). An order with no open hold goes on by itself.

A shop adds its own rule by implementing :class:`ReviewRule`: a ``code`` and a ``check``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from orderflow._mask import mask_personal_data_in
from orderflow.domain._review_checks import items_of, of_kind, sku_limits
from orderflow.domain.address import Address, Prefecture, normalize_phone
from orderflow.domain.bounds import check_span, check_units
from orderflow.domain.events import ShippingFeeChanged
from orderflow.domain.lifecycle import Context, Outcome, raise_hold, record_fact
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderEvent
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue

__all__ = [
    "DEFAULT_ISLAND_PREFIXES",
    "Blacklist",
    "BlacklistRule",
    "DuplicateRule",
    "Finding",
    "IslandTable",
    "QuantityRule",
    "RemarksRule",
    "RemoteIslandRule",
    "ReviewContext",
    "ReviewRule",
    "ShippingFeeTable",
    "VariantRule",
    "apply_findings",
    "default_rules",
    "default_shipping_fees",
    "normalize_address",
    "review",
]


@attrs.frozen(slots=True)
class Finding:
    """What a rule found: a hold to raise, and possibly a corrected shipping fee."""

    code: str
    """The hold's reason code: the rule's ``code`` (``remarks``, ``blacklist`` …)."""
    message: str
    """For people, in Japanese."""
    message_en: str
    """The same message in English, shown to people working in English."""
    shipping_fee: Money | None = None
    """When set, the order's shipping fee becomes this (the 離島 surcharge)."""


@attrs.frozen(slots=True)
class ReviewContext:
    """What a rule may know beyond the order: now, and the customer's recent orders."""

    now: datetime
    """When the review runs (the command's ``Context.at``); the built-in rules do not use it."""
    recent_orders: tuple[Order, ...] = ()
    """The customer's recent orders, for duplicate checks; the desk passes those placed from
    31 days before this one on (the order itself may be among them). Empty: none."""


@runtime_checkable
class ReviewRule(Protocol):
    """One check of the review. ``code`` names the hold it raises."""

    @property
    def code(self) -> str:
        """The hold's reason code, such as ``remarks``."""
        ...

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """A finding if the order needs a person (or a corrected fee), else None."""
        ...


def apply_findings(order: Order, findings: Iterable[Finding], ctx: Context) -> Outcome:
    """Raise a hold per finding and take a corrected shipping fee; events for what changed.

    A finding whose hold is open already, or was cleared by a person for the very same message,
    raises nothing again: reviewing after a change only asks about what is new.
    """
    events: list[OrderEvent] = []
    for finding in findings:
        if finding.shipping_fee is not None and finding.shipping_fee != order.shipping_fee:
            fields = {
                "old_fee": str(order.shipping_fee.amount),
                "new_fee": str(finding.shipping_fee.amount),
                "by": finding.code,
            }
            order, added = record_fact(
                order,
                ctx,
                ShippingFeeChanged,
                fields=fields,
                shipping_fee=finding.shipping_fee,
            )
            events.extend(added)
        if any(
            h.code == finding.code and (h.is_open or h.message == finding.message)
            for h in order.holds
        ):
            continue
        order, added = raise_hold(
            order, finding.code, finding.message, ctx, message_en=finding.message_en
        )
        events.extend(added)
    return order, tuple(events)


def review(order: Order, rules: Iterable[ReviewRule], context: ReviewContext) -> list[Finding]:
    """Every rule's finding for ``order``, in the order of the rules."""
    findings = []
    for rule in rules:
        finding = rule.check(order, context)
        if finding is not None:
            findings.append(finding)
    return findings


# -- the built-in rules ------------------------------------------------------------------------


@attrs.frozen(slots=True)
class RemarksRule:
    """備考あり: the customer wrote something (wrapping, a delivery date) a person must read."""

    code: str = "remarks"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when the remarks field is not blank (its e-mails and phone numbers masked)."""
        if not order.remarks.strip():
            return None
        excerpt = mask_personal_data_in(order.remarks.strip())[:40]  # masked, then cut
        return Finding(
            self.code, f"備考欄の確認: {excerpt}", f"read the customer's remarks: {excerpt}"
        )


def _prefixes(value: Iterable[str]) -> frozenset[str]:
    out = set()
    for prefix in value:
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


def _fee_map(value: Mapping[Prefecture, Money]) -> Mapping[Prefecture, Money]:
    return dict(value)


@attrs.frozen(slots=True)
class ShippingFeeTable:
    """送料: a fee per prefecture (else ``default``), plus a surcharge for remote islands."""

    default: Money
    """The fee to a prefecture not in ``by_prefecture``."""
    by_prefecture: Mapping[Prefecture, Money] = attrs.field(factory=dict, converter=_fee_map)
    """The fee to each prefecture that differs from ``default`` (北海道, 沖縄 …)."""
    island_surcharge: Money = attrs.field(factory=lambda: Money.yen(0))
    """Added to the prefecture's fee for a remote-island address (離島); ¥0 by default."""
    islands: IslandTable = attrs.field(factory=IslandTable)
    """Which postal codes count as remote islands."""

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


@attrs.frozen(slots=True)
class RemoteIslandRule:
    """離島・特定住所: recalculate the shipping fee with the island surcharge and hold."""

    fees: ShippingFeeTable = attrs.field(
        factory=default_shipping_fees, validator=of_kind(ShippingFeeTable, "a ShippingFeeTable")
    )
    """The fee schedule the corrected shipping fee comes from."""
    code: str = "remote_island"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold an order to a remote island, with its fee from the table."""
        if not self.fees.is_island(order.ship_to):
            return None
        fee = self.fees.fee_for(order.ship_to)
        where = order.ship_to.postal_code_display
        return Finding(
            self.code,
            f"離島への配送 ({where}): 送料 {fee.amount}円 を確認",
            f"remote island ({where}): confirm the shipping fee of {fee.amount} {fee.currency}",
            shipping_fee=fee,
        )


_ADDRESS_NOISE = re.compile(r"[\s\-‐‑–—―ー−－]+")
_ADDRESS_UNITS = re.compile(r"(丁目|番地|番|号)")


def normalize_address(address: Address) -> str:
    """An address reduced for comparison: full/half width, hyphens, spaces and 丁目/番/号 alike.

    ``東京都渋谷区神宮前１丁目２番３号`` and ``東京都 渋谷区神宮前 1-2-3`` give the same key.
    """
    text = f"{address.postal_code}{address.prefecture.ja}{address.city}{address.line1}"
    text = unicodedata.normalize("NFKC", text + address.line2).lower()
    text = _ADDRESS_UNITS.sub("-", text)
    return _ADDRESS_NOISE.sub("", text)


def _str_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(items_of("customer_ids", value, (str,)))


def _lower_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in items_of("emails", value, (str,)))


def _phone_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_phone(v) for v in items_of("phones", value, (str,)))


def _address_set(value: Iterable[Address | str]) -> frozenset[str]:
    items = items_of("addresses", value, (str, Address))
    return frozenset(v if isinstance(v, str) else normalize_address(v) for v in items)


@attrs.frozen(slots=True)
class Blacklist:
    """Customers a shop will not ship to without a look: by id, e-mail, phone or address."""

    customer_ids: frozenset[str] = attrs.field(factory=frozenset, converter=_str_set)
    """Customer ids (``Customer.id``) to hold, compared exactly."""
    emails: frozenset[str] = attrs.field(factory=frozenset, converter=_lower_set)
    """E-mail addresses, compared without case or surrounding blanks."""
    phones: frozenset[str] = attrs.field(factory=frozenset, converter=_phone_set)
    """Phone numbers, normalised (``normalize_phone``) here and compared with the
    ship-to address's phone."""
    addresses: frozenset[str] = attrs.field(factory=frozenset, converter=_address_set)
    """Normalised addresses (:func:`normalize_address`); Address values are normalised here."""

    def match(self, order: Order) -> str | None:
        """What matched (``customer id``, ``e-mail``, ``phone``, ``address``), or None."""
        if order.customer.id in self.customer_ids:
            return "customer id"
        if order.customer.email.strip().lower() in self.emails:
            return "e-mail"
        if order.ship_to.phone in self.phones:
            return "phone"
        if not self.addresses:
            return None
        addresses = [order.ship_to] + ([order.customer.address] if order.customer.address else [])
        if any(normalize_address(a) in self.addresses for a in addresses):
            return "address"
        return None


@attrs.frozen(slots=True)
class BlacklistRule:
    """ブラックリスト: hold orders from a listed customer, e-mail, phone or address."""

    blacklist: Blacklist = attrs.field(
        factory=Blacklist, validator=of_kind(Blacklist, "a Blacklist")
    )
    """Who to hold; empty by default (the rule then never holds)."""
    code: str = "blacklist"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when the blacklist matches."""
        what = self.blacklist.match(order)
        if what is None:
            return None
        ja = {"customer id": "顧客ID", "e-mail": "メール", "phone": "電話番号", "address": "住所"}
        return Finding(
            self.code,
            f"ブラックリスト該当 ({ja[what]})",
            f"on the blacklist (by {what})",
        )


def _line_key(order: Order) -> Counter[tuple[str, int]]:
    return Counter((line.sku, line.quantity) for line in order.lines)


@attrs.frozen(slots=True)
class DuplicateRule:
    """二重注文の疑い: the same customer ordered the same lines within ``window``."""

    window: timedelta = attrs.field(
        default=timedelta(hours=24), validator=lambda _, a, v: check_span(v, a.name, positive=True)
    )
    """How far apart two orders' ``placed_at`` may be to count as a duplicate; 24 hours by
    default."""
    code: str = "duplicate_suspected"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when a recent order of the same customer has the very same lines."""
        others = [o for o in context.recent_orders if o.number != order.number]
        if not others:
            return None
        mine = _line_key(order)
        for other in others:
            if (
                other.number == order.number
                or other.customer.id != order.customer.id
                or other.status is OrderStatus.CANCELLED
                or abs(order.placed_at - other.placed_at) > self.window
                or _line_key(other) != mine
            ):
                continue
            return Finding(
                self.code,
                f"二重注文の疑い: 注文 {other.number} と同じ内容",
                f"possible duplicate of order {other.number}",
            )
        return None


@attrs.frozen(slots=True)
class QuantityRule:
    """数量異常: a line's quantity above its SKU's limit (or the default limit)."""

    default_limit: int = attrs.field(default=10, validator=lambda _, a, v: check_units(v, a.name))
    """The most units a line may ask for when its SKU is not in ``limits``; 10 by default."""
    limits: Mapping[str, int] = attrs.field(factory=dict, converter=sku_limits)
    """SKU → the most units a line of it may ask for; more holds the order."""
    code: str = "unusual_quantity"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when any line asks for more than its limit."""
        over = [
            line
            for line in order.lines
            if line.quantity > self.limits.get(line.sku, self.default_limit)
        ]
        if not over:
            return None
        text = ", ".join(f"{line.sku}×{line.quantity}" for line in over)
        return Finding(self.code, f"数量が多い注文: {text}", f"unusual quantity: {text}")


def _variant_base(sku: str) -> str:
    return sku.rsplit("-", 1)[0]


@attrs.frozen(slots=True)
class VariantRule:
    """注文間違いの疑い: one product in two sizes or colours; ask the customer.

    ``variant_of`` maps a SKU to its product (default: the SKU without its last ``-part``, so
    ``TSHIRT-NAVY-M`` and ``TSHIRT-NAVY-L`` are variants of ``TSHIRT-NAVY``).
    """

    variant_of: Callable[[str], str] = _variant_base
    """SKU → its product; a SKU that is its own product has no variants."""
    code: str = "variant_check"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when two lines are different variants of one product."""
        seen: dict[str, str] = {}
        for line in order.lines:
            base = self.variant_of(line.sku)
            if base != line.sku and base in seen and seen[base] != line.sku:
                pair = f"{seen[base]} / {line.sku}"
                return Finding(
                    self.code,
                    f"サイズ・色違いの同一商品: {pair} (お客様に確認)",
                    f"the same product in two variants: {pair} (ask the customer)",
                )
            seen.setdefault(base, line.sku)
        return None


def default_rules(
    *,
    fees: ShippingFeeTable | None = None,
    blacklist: Blacklist | None = None,
    duplicate_window: timedelta = timedelta(hours=24),
    quantity_limit: int = 10,
    quantity_limits: Mapping[str, int] | None = None,
) -> Sequence[ReviewRule]:
    """The built-in rules, in the order they run (a bad argument: InvalidValue naming it)."""
    if fees is not None and not isinstance(fees, ShippingFeeTable):
        raise InvalidValue("fees", type(fees).__name__, "a ShippingFeeTable")
    if blacklist is not None and not isinstance(blacklist, Blacklist):
        raise InvalidValue("blacklist", type(blacklist).__name__, "a Blacklist")
    limits = sku_limits({} if quantity_limits is None else quantity_limits, "quantity_limits")
    return (
        RemarksRule(),
        RemoteIslandRule(fees or default_shipping_fees()),
        BlacklistRule(blacklist or Blacklist()),
        DuplicateRule(check_span(duplicate_window, "duplicate_window", positive=True)),
        QuantityRule(check_units(quantity_limit, "quantity_limit"), limits),
        VariantRule(),
    )

"""Order review (注文確認): a pipeline of rules, each able to hold the order and say why.

Review runs when an order enters 未引当 and again after every change. Each rule looks at the order
(and, for duplicates, the customer's recent orders) and returns a :class:`Finding` or nothing; a
finding becomes a hold with its code and a message in Japanese and English, and may also correct
the shipping fee (離島). An order with no open hold goes on by itself.

A shop adds its own rule by implementing :class:`ReviewRule`: a ``code`` and a ``check``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from orderflow._mask import mask_personal_data_in
from orderflow.domain._checks import instance_of
from orderflow.domain._review_checks import (
    HOLD_CODE,
    finding_fee,
    fit_message,
    hold_code,
    hold_message,
    is_hold_code,
    ja_amount,
    rule_limit,
    rule_product_of,
    rule_window,
)
from orderflow.domain._review_discount import DISCOUNT_CAPPED, cap_discount
from orderflow.domain.bounds import check_units
from orderflow.domain.events import ShippingFeeChanged
from orderflow.domain.lifecycle import Context, Outcome, raise_hold, record_fact
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderEvent
from orderflow.domain.review_tables import (
    DEFAULT_ISLAND_PREFIXES,
    Blacklist,
    IslandTable,
    ShippingFeeTable,
    check_duplicate_window,
    check_limits,
    default_shipping_fees,
    normalize_address,
)
from orderflow.domain.status import OrderStatus
from orderflow.errors import CurrencyMismatch, InvalidValue, OrderflowError

__all__ = [
    "DEFAULT_ISLAND_PREFIXES",
    "DISCOUNT_CAPPED",
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
    """What a rule found: a hold to raise, and possibly a corrected shipping fee.

    Checked when built (:class:`~orderflow.errors.InvalidValue` naming the field): a rule of the
    shop's that builds a wrong one is refused at the review, naming the rule.
    """

    code: str = attrs.field(validator=hold_code)
    """The hold's reason code: the rule's ``code`` (``remarks``, ``blacklist`` …)."""
    message: str = attrs.field(validator=hold_message)
    """For people, in Japanese (at most 1,000 characters, as ``desk.raise_hold`` takes)."""
    message_en: str = attrs.field(validator=hold_message)
    """The same message in English, shown to people working in English."""
    shipping_fee: Money | None = attrs.field(default=None, validator=finding_fee)
    """When set, the order's shipping fee becomes this (the 離島 surcharge)."""


@attrs.frozen(slots=True)
class ReviewContext:
    """What a rule may know beyond the order: now, and the customer's recent orders."""

    now: datetime
    """When the review runs (the command's ``Context.at``); the built-in rules do not use it."""
    recent_orders: tuple[Order, ...] = ()
    """The customer's recent orders, for duplicate checks; the desk passes those placed from
    31 days before this one on, ``RECENT_SPAN`` (the order itself may be among them).
    Empty: none."""
    shipping_fees: ShippingFeeTable | None = None
    """The shop's fee table (``ShopSettings.shipping_fees``, which the desk passes): what
    :class:`RemoteIslandRule` built without a table of its own charges. None: the built-in
    table (:func:`default_shipping_fees`)."""


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

    A finding whose hold is open (raised by the review or by a person, with their note) or was
    cleared by a person for the very same message raises nothing again: reviewing after a
    change only asks about what is new.
    """
    events: list[OrderEvent] = []
    for finding in _checked(order, findings, ctx):
        order, added = _apply(order, finding, ctx)
        events.extend(added)
    return order, tuple(events)


def _checked(order: Order, findings: Iterable[Finding], ctx: Context) -> tuple[Finding, ...]:
    """:func:`apply_findings`' arguments checked: an order, a context, findings in its money."""
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(ctx, Context):
        raise InvalidValue("ctx", ctx, "a Context")
    if isinstance(findings, str | bytes | Mapping) or not isinstance(findings, Iterable):
        raise InvalidValue("findings", findings, "a collection of Finding values")
    findings = tuple(findings)
    for index, finding in enumerate(findings):
        if not isinstance(finding, Finding):
            raise InvalidValue(f"findings[{index}]", finding, "a Finding")
        fee = finding.shipping_fee
        if fee is not None and fee.currency != order.currency:
            raise CurrencyMismatch(f"findings[{index}].shipping_fee", order.currency, fee.currency)
    return findings


def _apply(order: Order, finding: Finding, ctx: Context) -> Outcome:
    """One finding: its corrected fee (the discount capped to the charges), then its hold."""
    events: list[OrderEvent] = []
    if finding.shipping_fee is not None and finding.shipping_fee != order.shipping_fee:
        fields = {
            "old_fee": str(order.shipping_fee.amount),
            "new_fee": str(finding.shipping_fee.amount),
            "by": finding.code,
        }
        order, added = record_fact(
            order, ctx, ShippingFeeChanged, fields=fields, shipping_fee=finding.shipping_fee
        )
        events.extend(added)
        order, added = cap_discount(order, ctx)
        events.extend(added)
    if any(h.code == finding.code and h.is_open for h in order.holds):
        return order, tuple(events)  # open (the review's or a person's, with their note): kept
    if any(h.code == finding.code and h.message == finding.message for h in order.holds):
        return order, tuple(events)  # cleared by a person for the very same message
    order, added = raise_hold(
        order, finding.code, finding.message, ctx, message_en=finding.message_en
    )
    return order, (*events, *added)


def check_rules(rules: object) -> tuple[ReviewRule, ...]:
    """``rules`` as a tuple, each a :class:`ReviewRule` (a ``code`` and a ``check``).

    Raises :class:`~orderflow.errors.InvalidValue` naming the first that is not one, so that a
    desk is never built (or given rules) it would fail on at its first accept.
    """
    if isinstance(rules, str | bytes | Mapping) or not isinstance(rules, Iterable):
        raise InvalidValue("review_rules", rules, "a sequence of review rules (ReviewRule)")
    checked = tuple(rules)
    for index, rule in enumerate(checked):
        # what isinstance(rule, ReviewRule) asks, without the runtime protocol's cost (~20 µs a
        # rule, and every review checks its rules)
        if not hasattr(rule, "code") or not callable(getattr(rule, "check", None)):
            raise InvalidValue(f"review_rules[{index}]", rule, "a ReviewRule: a code and a check")
        if not is_hold_code(rule.code):
            raise InvalidValue(
                f"review_rules[{index}].code", rule.code, f"{HOLD_CODE}: {_name(rule)}"
            )
    return checked


def _name(rule: object) -> str:
    """How an error names a rule: its class (and its code, when a text)."""
    code = getattr(rule, "code", None)
    return type(rule).__name__ + (f" (code {code!r})" if isinstance(code, str) else "")


def review(order: Order, rules: Iterable[ReviewRule], context: ReviewContext) -> list[Finding]:
    """Every rule's finding for ``order``, in the order of the rules."""
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if not isinstance(context, ReviewContext):
        raise InvalidValue("context", context, "a ReviewContext")
    return run_rules(order, check_rules(rules), context)


def run_rules(order: Order, rules: Iterable[ReviewRule], context: ReviewContext) -> list[Finding]:
    """:func:`review` of rules already checked (:func:`check_rules`; a desk's ``rules.review``).

    What a rule answers is checked: anything but a :class:`Finding` or None, a finding the
    rule could not build (:class:`~orderflow.errors.InvalidValue` from its fields), or an
    exception it raises (its class shown, its text only in the chained cause), is refused
    with an :class:`~orderflow.errors.InvalidValue` naming the rule (``review_rules[i]``, its
    class and code), and the command that reviewed changes nothing.
    """
    findings = []
    for index, rule in enumerate(rules):
        try:
            finding = rule.check(order, context)
        except InvalidValue as refused:  # a Finding built wrong (or the rule's own refusal)
            raise InvalidValue(
                f"review_rules[{index}].{refused.field}",
                refused.value,
                f"{refused.expected} (in what {_name(rule)} found)",
            ) from refused
        except OrderflowError:
            raise
        except Exception as failed:  # the shop's rule has a bug: named, its text in the cause
            raise InvalidValue(
                f"review_rules[{index}]",
                type(failed).__name__,
                f"{_name(rule)}.check() to give a Finding or None, not to raise",
            ) from failed
        if finding is None:
            continue
        if not isinstance(finding, Finding):
            raise InvalidValue(
                f"review_rules[{index}]",
                finding,
                f"{_name(rule)}.check() to give a Finding or None",
            )
        fee = finding.shipping_fee
        if fee is not None and fee.currency != order.currency:
            raise InvalidValue(
                f"review_rules[{index}].shipping_fee",
                fee,
                f"a fee in the order's currency, {order.currency} (in what {_name(rule)} found)",
            )
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


@attrs.frozen(slots=True)
class _ShopFees(ShippingFeeTable):
    """The table of a :class:`RemoteIslandRule` built without one: it stands for the shop's.

    A class of its own, not one object: a rule copied or unpickled still charges the shop's
    table, and it is not equal to a rule given the built-in table on purpose.
    """


_SHOP_FEES = _ShopFees(**attrs.asdict(default_shipping_fees(), recurse=False))
"""What a :class:`RemoteIslandRule` built without a table holds: it charges the shop's."""


@attrs.frozen(slots=True)
class RemoteIslandRule:
    """離島: the fee recalculated with the island surcharge (the shop's table if none given)."""

    fees: ShippingFeeTable = attrs.field(
        default=_SHOP_FEES,
        validator=instance_of(ShippingFeeTable, "a ShippingFeeTable"),
    )
    """The fee schedule the corrected shipping fee comes from (when not given: the shop's, in
    ``ReviewContext.shipping_fees``, else :func:`default_shipping_fees`)."""
    code: str = "remote_island"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold an order to a remote island, with its fee from the table."""
        fees = self.fees
        if isinstance(fees, _ShopFees) and context.shipping_fees is not None:
            fees = context.shipping_fees
        if not fees.is_island(order.ship_to):
            return None
        fee = fees.fee_for(order.ship_to)
        where = order.ship_to.postal_code_display
        return Finding(
            self.code,
            f"離島への配送 ({where}): 送料 {ja_amount(fee)} を確認",
            f"remote island ({where}): confirm the shipping fee of {fee.amount} {fee.currency}",
            shipping_fee=fee,
        )


@attrs.frozen(slots=True)
class BlacklistRule:
    """ブラックリスト: hold orders from a listed customer, e-mail, phone or address."""

    blacklist: Blacklist = attrs.field(
        factory=Blacklist, validator=instance_of(Blacklist, "a Blacklist")
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

    window: timedelta = attrs.field(default=timedelta(hours=24), validator=rule_window)
    """How far apart two orders' ``placed_at`` may be to count as a duplicate; 24 hours by
    default, at most 31 days (``RECENT_SPAN``, the orders the desk gives the review)."""
    code: str = "duplicate_suspected"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when a recent order of the same customer has the very same lines.

        The parts of one split order (注文分割, the same ``split_from``) are not duplicates of
        each other: a person split them, the very same lines included (3 mugs, 1 + 1 + 1).
        """
        family = order.split_from
        others = [
            o
            for o in context.recent_orders
            if o.number != order.number and (family is None or o.split_from != family)
        ]
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

    default_limit: int = attrs.field(default=10, validator=rule_limit)
    """The most units a line may ask for when its SKU is not in ``limits``; 10 by default."""
    limits: Mapping[str, int] = attrs.field(factory=dict, converter=check_limits)
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
        return Finding(
            self.code,
            fit_message(f"数量が多い注文: {text}"),
            fit_message(f"unusual quantity: {text}"),
        )


def _variant_base(sku: str) -> str:
    return sku.rsplit("-", 1)[0]


@attrs.frozen(slots=True)
class VariantRule:
    """注文間違いの疑い: one product in two sizes or colours; ask the customer.

    ``variant_of`` maps a SKU to its product (default: the SKU without its last ``-part``, so
    ``TSHIRT-NAVY-M`` and ``TSHIRT-NAVY-L`` are variants of ``TSHIRT-NAVY``), or to None: no
    product, no variants (``products.get``).
    """

    variant_of: Callable[[str], str | None] = attrs.field(
        default=_variant_base, validator=rule_product_of
    )
    """SKU → its product; a SKU that is its own product, or has None, has no variants."""
    code: str = "variant_check"
    """The hold's reason code."""

    def check(self, order: Order, context: ReviewContext) -> Finding | None:
        """Hold when two lines are different variants of one product."""
        seen: dict[str, str] = {}
        for line in order.lines:
            base = self._product(line.sku)
            if base is None:  # no product: no variants either
                continue
            if base != line.sku and base in seen and seen[base] != line.sku:
                pair = f"{seen[base]} / {line.sku}"
                return Finding(
                    self.code,
                    fit_message(f"サイズ・色違いの同一商品: {pair} (お客様に確認)"),
                    fit_message(f"the same product in two variants: {pair} (ask the customer)"),
                )
            seen.setdefault(base, line.sku)
        return None

    def _product(self, sku: str) -> str | None:
        """``variant_of(sku)``; its failure or an answer that is no product is refused."""
        try:
            base: object = self.variant_of(sku)
        except OrderflowError:
            raise
        except Exception as failed:  # the shop's function (a dict lookup of an unknown SKU)
            name = type(failed).__name__  # its text (the data it failed on) only in the cause
            expected = f"a product or None (it raised {name})"
            raise InvalidValue("variant_of", sku, expected) from failed
        if base is not None and not isinstance(base, str):
            raise InvalidValue("variant_of", base, f"a product (a text) or None for SKU {sku!r}")
        return base


def default_rules(
    *,
    fees: ShippingFeeTable | None = None,
    blacklist: Blacklist | None = None,
    duplicate_window: timedelta = timedelta(hours=24),
    quantity_limit: int = 10,
    quantity_limits: Mapping[str, int] | None = None,
) -> Sequence[ReviewRule]:
    """The built-in rules, in the order they run (a bad argument: InvalidValue naming it)."""
    check_duplicate_window(duplicate_window, "duplicate_window")
    check_units(quantity_limit, "quantity_limit")
    limits = check_limits({} if quantity_limits is None else quantity_limits, "quantity_limits")
    return (
        RemarksRule(),
        RemoteIslandRule() if fees is None else RemoteIslandRule(fees),
        BlacklistRule(blacklist or Blacklist()),
        DuplicateRule(duplicate_window),
        QuantityRule(quantity_limit, limits),
        VariantRule(),
    )

"""Facts of the order's handling: holds, changes, splits, recalls, refusals (the status stays)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain.events._base import event
from orderflow.domain.order import OrderEvent, OrderTotals

__all__ = [
    "ChangeRequested",
    "Changed",
    "DiscountCapped",
    "EffectRefused",
    "HoldCleared",
    "HoldRaised",
    "PlacementDeclined",
    "RecallRefused",
    "RecallRequested",
    "ReserveShort",
    "ShippingFeeChanged",
    "SplitFrom",
]


# -- facts ------------------------------------------------------------------------------------


@event
class SplitFrom(OrderEvent):
    """注文分割: this order is a part of ``parent``."""

    parent: str = ""
    """The number of the order this part was split from (cancelled; its ``split_into`` names
    the parts)."""
    units: str = ""
    """The parent's units this part took, in the parent's line order: ``L1×2, L3×1`` (empty
    in orders saved before it was kept)."""
    name: ClassVar[str] = "split_from"
    """Kind name: the tag in saved orders, the label key (分割元から作成)."""


@event
class PlacementDeclined(OrderEvent):
    """The payment of a new order was refused: the number is free for another try."""

    code: str = ""
    """Why: the provider's refusal code (``declined`` …), or ``fraud_rejected``,
    ``postpay_declined``, ``points_refused``."""
    detail_text: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The provider's own words (for staff; never sent to the customer)."""
    name: ClassVar[str] = "placement_declined"
    """Kind name: the tag in saved orders, the label key (注文時の決済不成立)."""


@event
class HoldRaised(OrderEvent):
    """保留: the order stops until ``code`` is cleared."""

    code: str = ""
    """The hold's reason code: a review rule's (``remarks``, ``remote_island`` …), a payment's
    (``payment_pending`` …, see ``HoldCode``) or tracking's (``parcel_lost`` …)."""
    name: ClassVar[str] = "hold_raised"
    """Kind name: the tag in saved orders, the label key (保留)."""


@event
class HoldCleared(OrderEvent):
    """The hold ``code`` was cleared."""

    code: str = ""
    """The reason code of the hold that was cleared (as in ``HoldRaised.code``)."""
    name: ClassVar[str] = "hold_cleared"
    """Kind name: the tag in saved orders, the label key (保留解除)."""


@event
class ChangeRequested(OrderEvent):
    """注文変更 asked for (what followed are the events after this one)."""

    request_id: str = ""
    """The caller's ``request_id`` (``""`` without one): a repeat finds its first answer here."""
    before: OrderTotals | None = None
    """The order's totals before the change (what a repeat answers as ``before``)."""
    points_before: int | None = None
    """The points the order earned before the change (a repeat's ``points_to_grant_before``;
    None in orders saved before it was kept)."""
    name: ClassVar[str] = "change_requested"
    """Kind name: the tag in saved orders, the label key (注文変更の依頼)."""

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """The request id, when the caller gave one (the totals are the preview's, not told)."""
        return (("request_id", self.request_id),) if self.request_id else ()


@event
class Changed(OrderEvent):
    """注文変更: what changed, in a few words per field."""

    changes: tuple[tuple[str, str], ...] = ()
    """(what changed, in a few words) pairs: ``quantities`` (``line→units``), ``added``,
    ``removed``, ``ship_to`` (the postal code), ``delivery``, ``payment_method``, ``points_used``,
    ``address_guarantee`` (``lost``); ``dropped`` (``line×units``) for a 分納 remainder; the
    corrections staff make: ``unit_prices`` (``line→price``), ``shipping_fee``, ``discount``."""
    taken_off: tuple[str, ...] = ()
    """The ids of the lines the change took off the order: they stay used (an added line takes
    a line id the order has not used), and are told in ``changes`` already."""
    name: ClassVar[str] = "changed"
    """Kind name: the tag in saved orders, the label key (注文変更)."""

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """What changed, in a few words per field (``taken_off`` is told there already)."""
        return self.changes


@event
class ShippingFeeChanged(OrderEvent):
    """The review corrected the shipping fee (a remote island, a new address)."""

    old_fee: str = ""
    """The fee before, as a decimal amount without currency (``"880"``)."""
    new_fee: str = ""
    """The corrected fee, as a decimal amount without currency (``"1980"``)."""
    by: str = ""
    """The code of the review rule that corrected it (``remote_island``)."""
    name: ClassVar[str] = "shipping_fee_changed"
    """Kind name: the tag in saved orders, the label key (送料変更)."""


@event
class DiscountCapped(OrderEvent):
    """The discount cut to the charges after the review lowered the shipping fee.

    A coupon takes off at most what the order charges (クーポン利用額は請求額まで); the discount
    before is recorded here and a hold (``discount_capped``) raised for a person to confirm.
    """

    old_discount: str = ""
    """The discount before, as a decimal amount without currency (``"5000"``)."""
    new_discount: str = ""
    """The discount now: the order's charges after the corrected fee (``"3060"``)."""
    name: ClassVar[str] = "discount_capped"
    """Kind name: the tag in saved orders, the label key (値引き減額)."""


@event
class RecallRequested(OrderEvent):
    """出荷指示取消 asked of every warehouse (or of one parcel's)."""

    shipment: str = ""
    """The one parcel asked (``desk.recall(number, shipment_id=...)``), or empty: every
    shipment of the order."""
    name: ClassVar[str] = "recall_requested"
    """Kind name: the tag in saved orders, the label key (出荷指示取消の依頼)."""


@event
class RecallRefused(OrderEvent):
    """A parcel had left: the recall is refused and the other shipments are sent again."""

    left: str = ""
    """Ids of the shipments the warehouses could not take back, ``", "``-joined."""
    resent: str = ""
    """The shipments taken back and sent again, each under a new id (``1001-S1→1001-S3``),
    ``", "``-joined: a warehouse is never sent a recalled id again."""
    name: ClassVar[str] = "recall_refused"
    """Kind name: the tag in saved orders, the label key (出荷指示取消不可)."""


@event
class ParcelRecalled(OrderEvent):
    """出荷指示取消 of one parcel: its warehouse (or supplier) took the instruction back.

    The order stays 出荷指示済; the parcel's units wait to be instructed again or dropped
    (``desk.drop_unshipped``).
    """

    shipment: str = ""
    """The shipment taken back (``1001-S2``): it is no longer on the order."""
    name: ClassVar[str] = "parcel_recalled"
    """Kind name: the tag in saved orders, the label key (一部の出荷指示取消)."""


@event
class ReserveShort(OrderEvent):
    """A warehouse reserved less than asked (the last unit went to another order)."""

    line: str = ""
    """The line id that is short."""
    asked: int = 0
    """Units asked of the warehouse (component units for a set line's component)."""
    got: int = 0
    """Units the warehouse reserved: fewer than ``asked``; 0 when it refused."""
    name: ClassVar[str] = "reserve_short"
    """Kind name: the tag in saved orders, the label key (在庫不足)."""


@event
class EffectRefused(OrderEvent):
    """A provider refused something that must be done; it is asked again under a new key."""

    effect: str = ""
    """The refused effect's ``kind`` (``release``, ``void``, ``post_journal`` …)."""
    key: str = ""
    """The refused request's idempotency key (``<order>:<seq>``); the retry has a new one."""
    code: str = ""
    """The provider's refusal code (``refused`` for a plain provider error)."""
    retry: str = ""
    """The key it is asked again under (empty in orders saved before it was recorded)."""
    name: ClassVar[str] = "effect_refused"
    """Kind name: the tag in saved orders, the label key (外部システムが拒否)."""

"""The order's history as typed events: one class per kind of thing that happens (履歴).

Every event has when (``at``, aware UTC), who (``actor``), the status before and after, and why
(``reason``); each kind adds the fields it needs. Moves are named after the status machine's
moves (``Shipped.name == "ship"``); facts leave the status as it is. Test for a kind with
``isinstance``, render one with :func:`orderflow.i18n` labels keyed by its ``name``, and read its
fields directly — ``details`` and ``detail(key)`` exist for rendering and tooling.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import attrs

from orderflow.domain.order import OrderEvent

__all__ = [
    "Accepted",
    "Allocated",
    "ArrivalExpected",
    "Booked",
    "Bundled",
    "Cancelled",
    "CarrierReported",
    "ChangeRequested",
    "Changed",
    "Delivered",
    "DeliveryUndone",
    "EffectRefused",
    "HoldCleared",
    "HoldRaised",
    "JournalPosted",
    "KonbiniReissued",
    "NoticeFailed",
    "PaymentReceived",
    "PaymentSwitchRefused",
    "Placed",
    "PlacementDeclined",
    "PointsChangeRefused",
    "PointsConfirmed",
    "PointsGranted",
    "PointsOwed",
    "PointsOwedSettled",
    "PointsRedeemed",
    "PointsRestored",
    "PointsRevoked",
    "PointsWithheld",
    "PostpayAmended",
    "PostpayRebilled",
    "RecallRefused",
    "RecallRequested",
    "Recalled",
    "RefundOwed",
    "RefundRefused",
    "RefundRequested",
    "Released",
    "ReserveShort",
    "Restocked",
    "ReturnDeclined",
    "ReturnReceived",
    "ReturnRequested",
    "Shipped",
    "ShippingFeeChanged",
    "ShippingInstructed",
    "SplitFrom",
    "StockWaitAccepted",
    "Unbundled",
]

_event = attrs.frozen(slots=True, kw_only=True)

# -- moves ------------------------------------------------------------------------------------


@_event
class Placed(OrderEvent):
    """受注: the order was placed (or placed again after a refused payment)."""

    name: ClassVar[str] = "placed"


@_event
class Accepted(OrderEvent):
    """受注 → 未引当."""

    name: ClassVar[str] = "accept"


@_event
class Allocated(OrderEvent):
    """引当: what the order holds now, line@warehouse×units (引当済 or 中途引当)."""

    reserved: str = ""
    name: ClassVar[str] = "allocate"


@_event
class Released(OrderEvent):
    """引当解除: every reserved unit given back (→ 未引当)."""

    name: ClassVar[str] = "release"


@_event
class ShippingInstructed(OrderEvent):
    """出荷指示: the shipments sent to their warehouses."""

    shipments: str = ""
    name: ClassVar[str] = "instruct_shipping"


@_event
class Recalled(OrderEvent):
    """出荷指示取消: every warehouse took its instruction back (→ 引当済)."""

    name: ClassVar[str] = "recall"


@_event
class Shipped(OrderEvent):
    """出荷: one shipment left with its tracking number (the last one: → 出荷済)."""

    shipment: str = ""
    tracking_number: str = ""
    name: ClassVar[str] = "ship"


@_event
class Delivered(OrderEvent):
    """着荷: one shipment arrived (the last one: → 着荷済)."""

    shipment: str = ""
    name: ClassVar[str] = "deliver"


@_event
class DeliveryUndone(OrderEvent):
    """着荷取消: a person said one shipment was not delivered after all (→ 出荷済)."""

    shipment: str = ""
    name: ClassVar[str] = "undo_delivery"


@_event
class Booked(OrderEvent):
    """計上: the sale is booked; its journal entry is posted (see :class:`JournalPosted`)."""

    name: ClassVar[str] = "book"


@_event
class Cancelled(OrderEvent):
    """キャンセル: the order ended before shipping (or was split into ``split_into``)."""

    split_into: str = ""
    code: str = ""
    """Why, when the system cancelled it (``placement_declined`` …)."""
    name: ClassVar[str] = "cancel"


# -- facts ------------------------------------------------------------------------------------


@_event
class SplitFrom(OrderEvent):
    """注文分割: this order is a part of ``parent``."""

    parent: str = ""
    name: ClassVar[str] = "split_from"


@_event
class PlacementDeclined(OrderEvent):
    """The payment of a new order was refused: the number is free for another try."""

    code: str = ""
    detail_text: str = ""
    """The provider's own words (for staff; never sent to the customer)."""
    name: ClassVar[str] = "placement_declined"


@_event
class HoldRaised(OrderEvent):
    """保留: the order stops until ``code`` is cleared."""

    code: str = ""
    name: ClassVar[str] = "hold_raised"


@_event
class HoldCleared(OrderEvent):
    """The hold ``code`` was cleared."""

    code: str = ""
    name: ClassVar[str] = "hold_cleared"


@_event
class ChangeRequested(OrderEvent):
    """注文変更 asked for (what followed are the events after this one)."""

    name: ClassVar[str] = "change_requested"


@_event
class Changed(OrderEvent):
    """注文変更: what changed, in a few words per field."""

    changes: tuple[tuple[str, str], ...] = ()
    name: ClassVar[str] = "changed"


@_event
class ShippingFeeChanged(OrderEvent):
    """The review corrected the shipping fee (a remote island, a new address)."""

    old_fee: str = ""
    new_fee: str = ""
    by: str = ""
    name: ClassVar[str] = "shipping_fee_changed"


@_event
class RecallRequested(OrderEvent):
    """出荷指示取消 asked of every warehouse."""

    name: ClassVar[str] = "recall_requested"


@_event
class RecallRefused(OrderEvent):
    """A parcel had left: the recall is refused and the other shipments are sent again."""

    left: str = ""
    name: ClassVar[str] = "recall_refused"


@_event
class ReserveShort(OrderEvent):
    """A warehouse reserved less than asked (the last unit went to another order)."""

    line: str = ""
    asked: int = 0
    got: int = 0
    name: ClassVar[str] = "reserve_short"


@_event
class EffectRefused(OrderEvent):
    """A provider refused something that must be done; it is asked again under a new key."""

    effect: str = ""
    key: str = ""
    code: str = ""
    name: ClassVar[str] = "effect_refused"


@_event
class PointsRedeemed(OrderEvent):
    """Points taken from the customer's balance."""

    points: int = 0
    name: ClassVar[str] = "points_redeemed"


@_event
class PointsRestored(OrderEvent):
    """Points given back to the customer's balance."""

    points: int = 0
    name: ClassVar[str] = "points_restored"


@_event
class PointsGranted(OrderEvent):
    """ポイント付与: ``points`` earned by the order were granted (as 仮ポイント if provisional)."""

    points: int = 0
    provisional: bool = False
    name: ClassVar[str] = "points_granted"


@_event
class PointsConfirmed(OrderEvent):
    """仮ポイント確定: the provisional points became spendable."""

    points: int = 0
    name: ClassVar[str] = "points_confirmed"


@_event
class PointsRevoked(OrderEvent):
    """ポイント回収: ``points`` granted points taken back from the balance."""

    points: int = 0
    name: ClassVar[str] = "points_revoked"


@_event
class PointsOwed(OrderEvent):
    """Points to claw back that the customer had already spent: owed, never a negative balance."""

    points: int = 0
    name: ClassVar[str] = "points_owed"


@_event
class PointsOwedSettled(OrderEvent):
    """Owed points settled by paying ``points`` yen less of a refund."""

    points: int = 0
    name: ClassVar[str] = "points_owed_settled"


@_event
class PointsWithheld(OrderEvent):
    """A clawback before the grant: the grant gives ``points`` fewer."""

    points: int = 0
    name: ClassVar[str] = "points_withheld"


@_event
class PointsChangeRefused(OrderEvent):
    """The points system refused more points: the change was dropped."""

    name: ClassVar[str] = "points_change_refused"


@_event
class PaymentSwitchRefused(OrderEvent):
    """The new payment method said no: the change was dropped."""

    name: ClassVar[str] = "payment_switch_refused"


@_event
class PaymentReceived(OrderEvent):
    """入金: money arrived (a deposit, a konbini payment)."""

    amount: str = ""
    name: ClassVar[str] = "payment_received"


@_event
class PostpayAmended(OrderEvent):
    """後払い: the claim's amount changed (``status`` is the provider's decision)."""

    status: str = ""
    name: ClassVar[str] = "postpay_amended"


@_event
class PostpayRebilled(OrderEvent):
    """後払い: the rest was billed again under ``reference`` (a refund after the report)."""

    reference: str = ""
    name: ClassVar[str] = "postpay_rebilled"


@_event
class KonbiniReissued(OrderEvent):
    """コンビニ: a new payment number for a new amount."""

    payment_number: str = ""
    name: ClassVar[str] = "konbini_reissued"


@_event
class JournalPosted(OrderEvent):
    """計上: accounting took the journal entry under ``journal``."""

    journal: str = ""
    name: ClassVar[str] = "journal_posted"


@_event
class NoticeFailed(OrderEvent):
    """A notice could not be sent (the order goes on)."""

    kind: str = ""
    error: str = ""
    name: ClassVar[str] = "notice_failed"


@_event
class RefundRequested(OrderEvent):
    """返金 asked for (what followed are the events after this one)."""

    amount: str = ""
    name: ClassVar[str] = "refund_requested"


@_event
class RefundOwed(OrderEvent):
    """A refund to be paid by bank transfer (transfer, konbini, COD)."""

    amount: str = ""
    name: ClassVar[str] = "refund_owed"


@_event
class RefundRefused(OrderEvent):
    """The provider refused the refund; a person pays it back otherwise."""

    code: str = ""
    name: ClassVar[str] = "refund_refused"


@_event
class ArrivalExpected(OrderEvent):
    """入荷予定: the units ``line`` waits for are expected on ``on``."""

    line: str = ""
    on: date | None = None
    name: ClassVar[str] = "arrival_expected"


@_event
class StockWaitAccepted(OrderEvent):
    """入荷待ち: the customer chose to wait for the missing units."""

    name: ClassVar[str] = "wait_accepted"


@_event
class Bundled(OrderEvent):
    """同梱: the order shares its parcel with ``members`` (their numbers, itself included)."""

    members: str = ""
    name: ClassVar[str] = "bundled"


@_event
class Unbundled(OrderEvent):
    """同梱解除: the order left its parcel (``members`` are those that stay)."""

    members: str = ""
    name: ClassVar[str] = "unbundled"


@_event
class CarrierReported(OrderEvent):
    """配送状況: a carrier event recorded for one shipment (``late``: older than the newest).

    A late event is kept in the history but does not move the shipment's state back.
    """

    shipment: str = ""
    kind: str = ""
    carrier_at: datetime | None = None
    event_id: str = ""
    location: str = ""
    detail_text: str = ""
    late: bool = False
    name: ClassVar[str] = "carrier_reported"


@_event
class ReturnRequested(OrderEvent):
    """返品受付: a return accepted under the policy (its id, lines and reason)."""

    return_id: str = ""
    lines: str = ""
    return_reason: str = ""
    name: ClassVar[str] = "return_requested"


@_event
class ReturnReceived(OrderEvent):
    """返品受領: the goods came back; what was restocked, written off and paid back."""

    return_id: str = ""
    restocked: str = ""
    written_off: str = ""
    paid_back: str = ""
    name: ClassVar[str] = "return_received"


@_event
class ReturnDeclined(OrderEvent):
    """返品拒否: the shop would not take back what came."""

    return_id: str = ""
    name: ClassVar[str] = "return_refused"


@_event
class Restocked(OrderEvent):
    """返品再入庫: returned units back on hand."""

    line: str = ""
    warehouse: str = ""
    quantity: int = 0
    name: ClassVar[str] = "restocked"

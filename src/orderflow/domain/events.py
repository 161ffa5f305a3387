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
    """Kind name (placing is no ``Move``): the tag in saved orders, the label key (注文受付)."""


@_event
class Accepted(OrderEvent):
    """受注 → 未引当."""

    name: ClassVar[str] = "accept"
    """Kind name (``Move.ACCEPT``): the tag in saved orders, the label key (受付確定)."""


@_event
class Allocated(OrderEvent):
    """引当: what the order holds now, line@warehouse×units (引当済 or 中途引当)."""

    reserved: str = ""
    """Reservations as ``line@warehouse×units``, ``", "``-joined: all the order holds after
    the round (from ``lifecycle.allocate`` itself: only the units that call added)."""
    name: ClassVar[str] = "allocate"
    """Kind name (``Move.ALLOCATE``): the tag in saved orders, the label key (在庫引当)."""


@_event
class Released(OrderEvent):
    """引当解除: every reserved unit given back (→ 未引当)."""

    name: ClassVar[str] = "release"
    """Kind name (``Move.RELEASE``): the tag in saved orders, the label key (引当解除)."""


@_event
class ShippingInstructed(OrderEvent):
    """出荷指示: the shipments sent to their warehouses."""

    shipments: str = ""
    """Ids of the shipments this instruction added (``<order>-S1`` …), ``", "``-joined."""
    name: ClassVar[str] = "instruct_shipping"
    """Kind name (``Move.INSTRUCT_SHIPPING``): the tag in saved orders, the label key (出荷指示)."""


@_event
class Recalled(OrderEvent):
    """出荷指示取消: every warehouse took its instruction back (→ 引当済)."""

    name: ClassVar[str] = "recall"
    """Kind name (``Move.RECALL``): the tag in saved orders, the label key (出荷指示取消)."""


@_event
class Shipped(OrderEvent):
    """出荷: one shipment left with its tracking number (the last one: → 出荷済)."""

    shipment: str = ""
    """The shipment that left (``<order>-S1`` …); empty when dropping a 分納 remainder moved
    the order to 出荷済 (every parcel had left already)."""
    tracking_number: str = ""
    """The carrier's tracking number (伝票番号) as reported; empty for a carrier without
    tracking, or with an empty ``shipment``."""
    name: ClassVar[str] = "ship"
    """Kind name (``Move.SHIP``): the tag in saved orders, the label key (出荷)."""


@_event
class Delivered(OrderEvent):
    """着荷: one shipment arrived (the last one: → 着荷済)."""

    shipment: str = ""
    """The shipment that arrived (``<order>-S1`` …); empty when dropping a 分納 remainder
    moved the order to 着荷済 (every parcel had arrived already)."""
    name: ClassVar[str] = "deliver"
    """Kind name (``Move.DELIVER``): the tag in saved orders, the label key (着荷)."""


@_event
class DeliveryUndone(OrderEvent):
    """着荷取消: a person said one shipment was not delivered after all (→ 出荷済)."""

    shipment: str = ""
    """The shipment whose delivery was taken back (``<order>-S1`` …)."""
    name: ClassVar[str] = "undo_delivery"
    """Kind name (``Move.UNDO_DELIVERY``): the tag in saved orders, the label key (着荷取消)."""


@_event
class Booked(OrderEvent):
    """計上: the sale is booked; its journal entry is posted (see :class:`JournalPosted`)."""

    name: ClassVar[str] = "book"
    """Kind name (``Move.BOOK``): the tag in saved orders, the label key (売上計上)."""


@_event
class Cancelled(OrderEvent):
    """キャンセル: the order ended before shipping (or was split into ``split_into``)."""

    split_into: str = ""
    """The parts' order numbers (``<number>-1``, ``-2`` …), ``", "``-joined, when the order
    was split (注文分割); empty for a plain cancel."""
    code: str = ""
    """Set only when placing failed: the code of the ``PlacementDeclined`` that follows
    (``fraud_rejected``, ``postpay_declined`` …); empty for any other cancel."""
    name: ClassVar[str] = "cancel"
    """Kind name (``Move.CANCEL``): the tag in saved orders, the label key (キャンセル)."""


# -- facts ------------------------------------------------------------------------------------


@_event
class SplitFrom(OrderEvent):
    """注文分割: this order is a part of ``parent``."""

    parent: str = ""
    """The number of the order this part was split from (cancelled; its ``split_into`` names
    the parts)."""
    name: ClassVar[str] = "split_from"
    """Kind name: the tag in saved orders, the label key (分割元から作成)."""


@_event
class PlacementDeclined(OrderEvent):
    """The payment of a new order was refused: the number is free for another try."""

    code: str = ""
    """Why: the provider's refusal code (``declined`` …), or ``fraud_rejected``,
    ``postpay_declined``, ``points_refused``."""
    detail_text: str = ""
    """The provider's own words (for staff; never sent to the customer)."""
    name: ClassVar[str] = "placement_declined"
    """Kind name: the tag in saved orders, the label key (注文時の決済不成立)."""


@_event
class HoldRaised(OrderEvent):
    """保留: the order stops until ``code`` is cleared."""

    code: str = ""
    """The hold's reason code: a review rule's (``remarks``, ``remote_island`` …), a payment's
    (``payment_pending`` …, see ``HoldCode``) or tracking's (``parcel_lost`` …)."""
    name: ClassVar[str] = "hold_raised"
    """Kind name: the tag in saved orders, the label key (保留)."""


@_event
class HoldCleared(OrderEvent):
    """The hold ``code`` was cleared."""

    code: str = ""
    """The reason code of the hold that was cleared (as in ``HoldRaised.code``)."""
    name: ClassVar[str] = "hold_cleared"
    """Kind name: the tag in saved orders, the label key (保留解除)."""


@_event
class ChangeRequested(OrderEvent):
    """注文変更 asked for (what followed are the events after this one)."""

    name: ClassVar[str] = "change_requested"
    """Kind name: the tag in saved orders, the label key (注文変更の依頼)."""


@_event
class Changed(OrderEvent):
    """注文変更: what changed, in a few words per field."""

    changes: tuple[tuple[str, str], ...] = ()
    """(what changed, in a few words) pairs: ``quantities`` (``line→units``), ``added``,
    ``removed``, ``ship_to`` (the postal code), ``delivery``, ``payment_method``, ``points_used``,
    ``address_guarantee`` (``lost``); ``dropped`` (``line×units``) for a 分納 remainder."""
    name: ClassVar[str] = "changed"
    """Kind name: the tag in saved orders, the label key (注文変更)."""


@_event
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


@_event
class RecallRequested(OrderEvent):
    """出荷指示取消 asked of every warehouse."""

    name: ClassVar[str] = "recall_requested"
    """Kind name: the tag in saved orders, the label key (出荷指示取消の依頼)."""


@_event
class RecallRefused(OrderEvent):
    """A parcel had left: the recall is refused and the other shipments are sent again."""

    left: str = ""
    """Ids of the shipments the warehouses could not take back, ``", "``-joined."""
    name: ClassVar[str] = "recall_refused"
    """Kind name: the tag in saved orders, the label key (出荷指示取消不可)."""


@_event
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


@_event
class EffectRefused(OrderEvent):
    """A provider refused something that must be done; it is asked again under a new key."""

    effect: str = ""
    """The refused effect's ``kind`` (``release``, ``void``, ``post_journal`` …)."""
    key: str = ""
    """The refused request's idempotency key (``<order>:<seq>``); the retry has a new one."""
    code: str = ""
    """The provider's refusal code (``refused`` for a plain provider error)."""
    name: ClassVar[str] = "effect_refused"
    """Kind name: the tag in saved orders, the label key (外部システムが拒否)."""


@_event
class PointsRedeemed(OrderEvent):
    """Points taken from the customer's balance."""

    points: int = 0
    """Points taken (1 point = 1 yen): all used at placing, or the extra ones of a change."""
    name: ClassVar[str] = "points_redeemed"
    """Kind name: the tag in saved orders, the label key (ポイント利用)."""


@_event
class PointsRestored(OrderEvent):
    """Points given back to the customer's balance."""

    points: int = 0
    """Points given back: on a cancel, a return, or a change or dropped remainder using fewer."""
    name: ClassVar[str] = "points_restored"
    """Kind name: the tag in saved orders, the label key (ポイント返却)."""


@_event
class PointsGranted(OrderEvent):
    """ポイント付与: ``points`` earned by the order were granted (as 仮ポイント if provisional)."""

    points: int = 0
    """Points granted now (what the order earned, less any withheld)."""
    provisional: bool = False
    """True: 仮ポイント, not spendable until confirmed (``PointsConfirmed``)."""
    name: ClassVar[str] = "points_granted"
    """Kind name: the tag in saved orders, the label key (ポイント付与)."""


@_event
class PointsConfirmed(OrderEvent):
    """仮ポイント確定: the provisional points became spendable."""

    points: int = 0
    """Provisional points made spendable (granted less those revoked since)."""
    name: ClassVar[str] = "points_confirmed"
    """Kind name: the tag in saved orders, the label key (仮ポイント確定)."""


@_event
class PointsRevoked(OrderEvent):
    """ポイント回収: ``points`` granted points taken back from the balance."""

    points: int = 0
    """Points actually taken back (no more than the balance still held)."""
    name: ClassVar[str] = "points_revoked"
    """Kind name: the tag in saved orders, the label key (ポイント回収)."""


@_event
class PointsOwed(OrderEvent):
    """Points to claw back that the customer had already spent: owed, never a negative balance."""

    points: int = 0
    """Points that could not be taken back because the customer had spent them."""
    name: ClassVar[str] = "points_owed"
    """Kind name: the tag in saved orders, the label key (ポイント回収不足)."""


@_event
class PointsOwedSettled(OrderEvent):
    """Owed points settled by paying ``points`` yen less of a refund."""

    points: int = 0
    """Owed points settled, each worth 1 yen taken off the refund."""
    name: ClassVar[str] = "points_owed_settled"
    """Kind name: the tag in saved orders, the label key (未回収ポイントを返金から差引)."""


@_event
class PointsWithheld(OrderEvent):
    """A clawback before the grant: the grant gives ``points`` fewer."""

    points: int = 0
    """Points taken off the grant still to come (the order earned them, none granted yet)."""
    name: ClassVar[str] = "points_withheld"
    """Kind name: the tag in saved orders, the label key (付与予定ポイント減算)."""


@_event
class PointsChangeRefused(OrderEvent):
    """The points system refused more points: the change was dropped."""

    name: ClassVar[str] = "points_change_refused"
    """Kind name: the tag in saved orders, the label key (ポイント追加利用不可)."""


@_event
class PaymentSwitchRefused(OrderEvent):
    """The new payment method said no: the change was dropped."""

    name: ClassVar[str] = "payment_switch_refused"
    """Kind name: the tag in saved orders, the label key (決済方法の変更不可)."""


@_event
class PaymentReceived(OrderEvent):
    """入金: money arrived (a deposit, a konbini payment)."""

    amount: str = ""
    """What arrived with this payment, as ``"<amount> <currency>"`` (``"5980 JPY"``)."""
    name: ClassVar[str] = "payment_received"
    """Kind name: the tag in saved orders, the label key (入金確認)."""


@_event
class PostpayAmended(OrderEvent):
    """後払い: the claim's amount changed (``status`` is the provider's decision)."""

    status: str = ""
    """The credit decision (``approved``, ``pending``, ``declined``), or ``refused`` when the
    provider gave none."""
    name: ClassVar[str] = "postpay_amended"
    """Kind name: the tag in saved orders, the label key (後払い請求額の変更)."""


@_event
class PostpayRebilled(OrderEvent):
    """後払い: the rest was billed again under ``reference`` (a refund after the report)."""

    reference: str = ""
    """The new claim's reference at the 後払い provider (the old claim is cancelled)."""
    name: ClassVar[str] = "postpay_rebilled"
    """Kind name: the tag in saved orders, the label key (後払い残額の再請求)."""


@_event
class KonbiniReissued(OrderEvent):
    """コンビニ: a new payment number for a new amount."""

    payment_number: str = ""
    """The new payment number (払込番号) to pay with; the old one, if still open, is withdrawn."""
    name: ClassVar[str] = "konbini_reissued"
    """Kind name: the tag in saved orders, the label key (コンビニ払込番号の再発行)."""


@_event
class JournalPosted(OrderEvent):
    """計上: accounting took the journal entry under ``journal``."""

    journal: str = ""
    """The accounting system's reference for the entry (the sale's, or a return's reversal)."""
    name: ClassVar[str] = "journal_posted"
    """Kind name: the tag in saved orders, the label key (仕訳の連携)."""


@_event
class NoticeFailed(OrderEvent):
    """A notice could not be sent (the order goes on)."""

    kind: str = ""
    """The notice's kind (``shipping``, ``refund``, ``order_confirmation`` …)."""
    error: str = ""
    """The notifier's refusal code (``refused`` for a plain provider error)."""
    name: ClassVar[str] = "notice_failed"
    """Kind name: the tag in saved orders, the label key (通知失敗)."""


@_event
class RefundRequested(OrderEvent):
    """返金 asked for (what followed are the events after this one)."""

    amount: str = ""
    """The amount asked to be paid back, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    name: ClassVar[str] = "refund_requested"
    """Kind name: the tag in saved orders, the label key (返金の依頼)."""


@_event
class RefundOwed(OrderEvent):
    """A refund to be paid by bank transfer (transfer, konbini, COD)."""

    amount: str = ""
    """What the shop owes back by transfer, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    name: ClassVar[str] = "refund_owed"
    """Kind name: the tag in saved orders, the label key (返金予定(振込))."""


@_event
class RefundRefused(OrderEvent):
    """The provider refused the refund; a person pays it back otherwise."""

    code: str = ""
    """The provider's refusal code; ``postpay_rebill_declined`` when 後払い would not bill the
    rest."""
    name: ClassVar[str] = "refund_refused"
    """Kind name: the tag in saved orders, the label key (返金不可)."""


@_event
class ArrivalExpected(OrderEvent):
    """入荷予定: the units ``line`` waits for are expected on ``on``."""

    line: str = ""
    """The id of the line waiting for stock."""
    on: date | None = None
    """The expected arrival date (入荷予定日); never before the day it was recorded."""
    name: ClassVar[str] = "arrival_expected"
    """Kind name: the tag in saved orders, the label key (入荷予定)."""


@_event
class StockWaitAccepted(OrderEvent):
    """入荷待ち: the customer chose to wait for the missing units."""

    name: ClassVar[str] = "wait_accepted"
    """Kind name: the tag in saved orders, the label key (入荷待ちを承諾)."""


@_event
class Bundled(OrderEvent):
    """同梱: the order shares its parcel with ``members`` (their numbers, itself included)."""

    members: str = ""
    """The parcel's order numbers, sorted, ``", "``-joined."""
    name: ClassVar[str] = "bundled"
    """Kind name: the tag in saved orders, the label key (同梱)."""


@_event
class Unbundled(OrderEvent):
    """同梱解除: the order left its parcel (``members`` are those that stay)."""

    members: str = ""
    """The numbers of the orders that stay in the parcel, ``", "``-joined (this one among them
    when another left); empty when a half-made parcel its orders disagree on was undone."""
    name: ClassVar[str] = "unbundled"
    """Kind name: the tag in saved orders, the label key (同梱解除)."""


@_event
class CarrierReported(OrderEvent):
    """配送状況: a carrier event recorded for one shipment (``late``: older than the newest).

    A late event is kept in the history but does not move the shipment's state back.
    """

    shipment: str = ""
    """The shipment the event is about (``<order>-S1`` …)."""
    kind: str = ""
    """Where the carrier says the parcel is: a ``TrackingStatus`` value (``delivered`` …)."""
    carrier_at: datetime | None = None
    """The carrier's time of the event (aware, as reported); ``at`` is when it was recorded."""
    event_id: str = ""
    """The carrier's id of the event: a repeat with the same id is not recorded again."""
    location: str = ""
    """The depot or place (営業所), if the carrier says; else empty."""
    detail_text: str = ""
    """The carrier's words (不在連絡票番号, the reason for a return …); may be empty."""
    late: bool = False
    """True when older than the shipment's newest event: kept, the state not moved back."""
    name: ClassVar[str] = "carrier_reported"
    """Kind name: the tag in saved orders, the label key (配送状況)."""


@_event
class ReturnRequested(OrderEvent):
    """返品受付: a return accepted under the policy (its id, lines and reason)."""

    return_id: str = ""
    """The return's id in the order (``R1``, ``R2`` …)."""
    lines: str = ""
    """What comes back, as ``line×units``, ``","``-joined (no space)."""
    return_reason: str = ""
    """The ``ReturnReason`` value: ``defective``, ``wrong_item`` or ``customer``."""
    name: ClassVar[str] = "return_requested"
    """Kind name: the tag in saved orders, the label key (返品受付)."""


@_event
class ReturnReceived(OrderEvent):
    """返品受領: the goods came back; what was restocked, written off and paid back."""

    return_id: str = ""
    """The return received (``R1`` …)."""
    restocked: str = ""
    """Units going back on hand, as ``line@warehouse×units``, ``","``-joined; empty if none."""
    written_off: str = ""
    """Units written off (廃棄), as a whole number in text (``"0"`` when none)."""
    paid_back: str = ""
    """What the return pays back, as ``"<amount> <currency>"``; the refund that follows pays
    it (owed points come off first)."""
    name: ClassVar[str] = "return_received"
    """Kind name: the tag in saved orders, the label key (返品受領)."""


@_event
class ReturnDeclined(OrderEvent):
    """返品拒否: the shop would not take back what came."""

    return_id: str = ""
    """The return refused (``R1`` …); nothing is paid back for it."""
    name: ClassVar[str] = "return_refused"
    """Kind name, ``return_refused`` (not ``return_declined``): the tag in saved orders, the
    label key (返品拒否)."""


@_event
class Restocked(OrderEvent):
    """返品再入庫: returned units back on hand."""

    line: str = ""
    """The id of the returned line."""
    warehouse: str = ""
    """The warehouse the units went back into (再入庫)."""
    quantity: int = 0
    """Units back on hand; for a set line, those of one component (an event per component)."""
    name: ClassVar[str] = "restocked"
    """Kind name: the tag in saved orders, the label key (返品再入庫)."""

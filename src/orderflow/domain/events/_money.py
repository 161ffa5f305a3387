"""Facts about money and points: payments, refunds, 後払い, konbini, points, the journal."""

from __future__ import annotations

from typing import ClassVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain.events._base import event
from orderflow.domain.money import Money
from orderflow.domain.order import OrderEvent
from orderflow.domain.tax import TaxRate

__all__ = [
    "DepositReversed",
    "GoodwillRefunded",
    "GoodwillSettled",
    "JournalPosted",
    "KonbiniReissued",
    "NoticeFailed",
    "PaymentReceived",
    "PaymentSwitchRefused",
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
    "RefundOwed",
    "RefundRefused",
    "RefundRequested",
    "RefundTransferred",
]


# -- money and points ---------------------------------------------------------------------


@event
class PointsRedeemed(OrderEvent):
    """Points taken from the customer's balance."""

    points: int = 0
    """Points taken (1 point = 1 yen): all used at placing, or the extra ones of a change."""
    name: ClassVar[str] = "points_redeemed"
    """Kind name: the tag in saved orders, the label key (ポイント利用)."""


@event
class PointsRestored(OrderEvent):
    """Points given back to the customer's balance."""

    points: int = 0
    """Points given back: on a cancel, a return, or a change or dropped remainder using fewer."""
    name: ClassVar[str] = "points_restored"
    """Kind name: the tag in saved orders, the label key (ポイント返却)."""


@event
class PointsGranted(OrderEvent):
    """ポイント付与: ``points`` earned by the order were granted (as 仮ポイント if provisional)."""

    points: int = 0
    """Points granted now (what the order earned, less any withheld)."""
    provisional: bool = False
    """True: 仮ポイント, not spendable until confirmed (``PointsConfirmed``)."""
    name: ClassVar[str] = "points_granted"
    """Kind name: the tag in saved orders, the label key (ポイント付与)."""


@event
class PointsConfirmed(OrderEvent):
    """仮ポイント確定: the provisional points became spendable."""

    points: int = 0
    """Provisional points made spendable (granted less those revoked since)."""
    name: ClassVar[str] = "points_confirmed"
    """Kind name: the tag in saved orders, the label key (仮ポイント確定)."""


@event
class PointsRevoked(OrderEvent):
    """ポイント回収: ``points`` granted points taken back from the balance."""

    points: int = 0
    """Points actually taken back (no more than the balance still held)."""
    name: ClassVar[str] = "points_revoked"
    """Kind name: the tag in saved orders, the label key (ポイント回収)."""


@event
class PointsOwed(OrderEvent):
    """Points to claw back that the customer had already spent: owed, never a negative balance."""

    points: int = 0
    """Points that could not be taken back because the customer had spent them."""
    name: ClassVar[str] = "points_owed"
    """Kind name: the tag in saved orders, the label key (ポイント回収不足)."""


@event
class PointsOwedSettled(OrderEvent):
    """Owed points settled by paying ``points`` yen less of a refund."""

    points: int = 0
    """Owed points settled, each worth 1 yen taken off the refund."""
    name: ClassVar[str] = "points_owed_settled"
    """Kind name: the tag in saved orders, the label key (未回収ポイントを返金から差引)."""


@event
class PointsWithheld(OrderEvent):
    """A clawback before the grant: the grant gives ``points`` fewer."""

    points: int = 0
    """Points taken off the grant still to come (the order earned them, none granted yet)."""
    name: ClassVar[str] = "points_withheld"
    """Kind name: the tag in saved orders, the label key (付与予定ポイント減算)."""


@event
class PointsChangeRefused(OrderEvent):
    """The points system refused more points: the change was dropped."""

    name: ClassVar[str] = "points_change_refused"
    """Kind name: the tag in saved orders, the label key (ポイント追加利用不可)."""


@event
class PaymentSwitchRefused(OrderEvent):
    """The new payment method said no: the change was dropped."""

    name: ClassVar[str] = "payment_switch_refused"
    """Kind name: the tag in saved orders, the label key (決済方法の変更不可)."""


@event
class PaymentReceived(OrderEvent):
    """入金: money arrived (a deposit, a konbini payment)."""

    amount: str = ""
    """What arrived with this payment, as ``"<amount> <currency>"`` (``"5980 JPY"``)."""
    name: ClassVar[str] = "payment_received"
    """Kind name: the tag in saved orders, the label key (入金確認)."""


@event
class DepositReversed(OrderEvent):
    """入金取消: the bank took back (取消, 組戻し) a deposit the order had received."""

    amount: str = ""
    """What the bank took back, as ``"<amount> <currency>"`` (``"5980 JPY"``)."""
    reference: str = ""
    """The bank's reference of the deposit (照会番号)."""
    name: ClassVar[str] = "deposit_reversed"
    """Kind name: the tag in saved orders, the label key (入金取消)."""


@event
class PostpayAmended(OrderEvent):
    """後払い: the claim's amount changed (``status`` is the provider's decision)."""

    status: str = ""
    """The credit decision (``approved``, ``pending``, ``declined``), or ``refused`` when the
    provider gave none."""
    name: ClassVar[str] = "postpay_amended"
    """Kind name: the tag in saved orders, the label key (後払い請求額の変更)."""


@event
class PostpayRebilled(OrderEvent):
    """後払い: the rest was billed again under ``reference`` (a refund after the report)."""

    reference: str = ""
    """The new claim's reference at the 後払い provider (the old claim is cancelled)."""
    name: ClassVar[str] = "postpay_rebilled"
    """Kind name: the tag in saved orders, the label key (後払い残額の再請求)."""


@event
class KonbiniReissued(OrderEvent):
    """コンビニ: a new payment number for a new amount."""

    payment_number: str = ""
    """The new payment number (払込番号) to pay with; the old one, if still open, is withdrawn."""
    name: ClassVar[str] = "konbini_reissued"
    """Kind name: the tag in saved orders, the label key (コンビニ払込番号の再発行)."""


@event
class JournalPosted(OrderEvent):
    """計上: accounting took the journal entry under ``journal``."""

    journal: str = ""
    """The accounting system's reference for the entry (the sale's, or a return's reversal)."""
    name: ClassVar[str] = "journal_posted"
    """Kind name: the tag in saved orders, the label key (仕訳の連携)."""


@event
class NoticeFailed(OrderEvent):
    """A notice could not be sent (the order goes on)."""

    kind: str = ""
    """The notice's kind (``shipping``, ``refund``, ``order_confirmation`` …)."""
    error: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The notifier's refusal code (``refused`` for a plain provider error)."""
    name: ClassVar[str] = "notice_failed"
    """Kind name: the tag in saved orders, the label key (通知失敗)."""


@event
class RefundRequested(OrderEvent):
    """返金 asked for (what followed are the events after this one)."""

    amount: str = ""
    """The amount asked to be paid back, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    name: ClassVar[str] = "refund_requested"
    """Kind name: the tag in saved orders, the label key (返金の依頼)."""


@event
class GoodwillRefunded(OrderEvent):
    """返金 (売上値引): a goodwill refund paid back, and what it takes off each tax rate."""

    refund_id: str = ""
    """``G1``, ``G2``… in the order: the journal entry's reference is ``<order>/<refund id>``."""
    amount: str = ""
    """What is paid back, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    rates: tuple[tuple[TaxRate, Money, Money], ...] = ()
    """Per rate: the amount taken off (tax included) and the tax in it (see
    :mod:`orderflow.domain.goodwill`)."""
    journal: bool = False
    """Its entry (売上値引) was posted with it (the order was booked and the money moves); else
    it is posted at booking, after the sale's, or when the 後払い provider agrees."""
    payment_key: str = ""
    """後払い: the key of the provider request the refund waits on (the rest billed again, or
    the claim cancelled); ``""`` when the refund does not wait (``GoodwillSettled`` follows)."""
    name: ClassVar[str] = "goodwill_refunded"
    """Kind name: the tag in saved orders, the label key (返金・売上値引)."""

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """The fields as text, each rate's share as ``10%: 1100 JPY (tax 100 JPY)``."""
        shares = "; ".join(
            f"{rate.value:.0%}: {amount} (tax {tax})" for rate, amount, tax in self.rates
        )
        return (
            ("refund_id", self.refund_id),
            ("amount", self.amount),
            ("rates", shares),
            ("journal", str(self.journal)),
        )


@event
class GoodwillSettled(OrderEvent):
    """後払い: the provider answered the request a goodwill refund waited on."""

    refund_id: str = ""
    """The goodwill refund (``G1`` …)."""
    paid: bool = False
    """The money moves (its entry is posted, now or at booking); ``False``: the provider would
    not bill the rest, the refund was not made and nothing goes in the books."""
    name: ClassVar[str] = "goodwill_settled"
    """Kind name: the tag in saved orders, the label key (返金の確定)."""


@event
class RefundOwed(OrderEvent):
    """A refund to be paid by bank transfer (transfer, konbini, COD)."""

    amount: str = ""
    """What the shop owes back by transfer, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    name: ClassVar[str] = "refund_owed"
    """Kind name: the tag in saved orders, the label key (返金予定(振込))."""


@event
class RefundTransferred(OrderEvent):
    """返金振込済: the shop transferred money it owed back, as a person recorded it."""

    amount: str = ""
    """What was transferred, as ``"<amount> <currency>"`` (``"1200 JPY"``)."""
    reference: str = ""
    """The shop's reference of the transfer (its bank's), once per transfer."""
    name: ClassVar[str] = "refund_transferred"
    """Kind name: the tag in saved orders, the label key (返金済(振込))."""


@event
class RefundRefused(OrderEvent):
    """The provider refused the refund; a person pays it back otherwise."""

    code: str = ""
    """The provider's refusal code; ``postpay_rebill_declined`` when 後払い would not bill the
    rest."""
    name: ClassVar[str] = "refund_refused"
    """Kind name: the tag in saved orders, the label key (返金不可)."""

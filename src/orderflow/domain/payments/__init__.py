"""Payment rules per method (決済方法ごとのルール): what "confirmed" means, holds, the COD fee.

The table of DOMAIN.md, as code:

| method | at order | confirmed when | at shipping |
|---|---|---|---|
| card, Amazon Pay | (screen and) authorize | the authorization covers the total | capture |
| 後払い | credit check | the credit is approved | shipment report |
| bank transfer | issue a virtual account | deposits cover the total | - |
| konbini | issue a number and deadline | paid before the deadline | - |
| COD | add the COD fee | always | the carrier collects |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import pairwise

import attrs

from orderflow.domain.money import Money
from orderflow.domain.order import Payment, PaymentMethod
from orderflow.errors import InvalidValue

__all__ = [
    "DEFAULT_COD_FEES",
    "PAYMENT_WAITS",
    "YEN_ONLY",
    "CodFeeTable",
    "HoldCode",
    "check_method_currency",
    "payment_confirmed",
]


class HoldCode:
    """The reason codes of the holds orderflow raises itself (a shop adds its own freely)."""

    PAYMENT_PENDING = "payment_pending"
    """入金待ち: a bank transfer or konbini payment has not arrived yet."""
    PAYMENT_SHORTFALL = "payment_shortfall"
    """入金不足: deposits so far are less than the total."""
    POSTPAY_REVIEW = "postpay_review"
    """後払い与信審査中: the credit check is pending a manual review."""
    POSTPAY_DECLINED = "postpay_declined"
    """後払い与信NG: the customer must choose another payment method."""
    FRAUD_REVIEW = "fraud_review"
    """不正検知: the fraud screen asks for a person to review the order."""
    AUTHORIZATION_FAILED = "authorization_failed"
    """再オーソリ失敗: the card could not be authorized again before the old one expired."""
    CAPTURE_FAILED = "capture_failed"
    """売上確定失敗: the gateway refused the capture; a person must collect the money."""
    REFUND_FAILED = "refund_failed"
    """返金失敗: the provider refused a refund; a person must pay it back another way."""
    KONBINI_REISSUE_FAILED = "konbini_reissue_failed"
    """コンビニ番号の再発行失敗: the old number stays; a person must follow up."""
    PAYMENT_REFUSED = "payment_refused"
    """決済の開始に失敗: the provider would not open the payment of a split part; a person
    changes its method (or cancels it)."""
    EFFECT_REFUSED = "effect_refused"
    """A provider kept refusing something that must be done (a release, a void…): see history."""
    DEPOSIT_REVERSED = "deposit_reversed"
    """入金取消後の回収: the bank took back (取消) a transfer the shop had already paid (part of)
    back; a person collects what the customer owes (a deposit of it applied to the order
    lifts the hold)."""


PAYMENT_WAITS = (
    HoldCode.PAYMENT_PENDING,
    HoldCode.PAYMENT_SHORTFALL,
    HoldCode.POSTPAY_REVIEW,
    HoldCode.POSTPAY_DECLINED,
    HoldCode.AUTHORIZATION_FAILED,
    HoldCode.KONBINI_REISSUE_FAILED,
    HoldCode.PAYMENT_REFUSED,
)
"""Holds that wait on one payment: a new payment (a new method, a split part) raises its own."""


YEN_ONLY = frozenset(
    {PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI, PaymentMethod.COD, PaymentMethod.POSTPAY}
)
"""The methods that take yen alone: 銀行振込 (a Japanese account, 全銀 files of whole yen),
コンビニ払い, 代引き (collected by a Japanese carrier) and 後払い (an invoice paid in Japan)."""


def check_method_currency(method: PaymentMethod, currency: str, field: str) -> None:
    """Refuse a yen-only method (:data:`YEN_ONLY`) for an order in another currency.

    :class:`~orderflow.errors.InvalidValue` naming ``field``: a konbini number or a Japanese
    account for a dollar total, or a 代引き amount a carrier cannot collect, would be nonsense.
    """
    if method in YEN_ONLY and currency != "JPY":
        raise InvalidValue(
            field,
            method.value,
            f"card or Amazon Pay for an order in {currency}: {method.value} takes JPY only",
        )


def payment_confirmed(
    payment: Payment, total: Money, now: datetime | None = None, authorization_days: int = 30
) -> bool:
    """Whether ``payment`` allows the order (of ``total``) to be instructed to ship.

    A card authorization counts only while it has not lapsed at ``now`` (its ``expires_at``, or
    ``authorization_days`` after it was given) and for what is not captured yet (分納 per
    parcel); money received counts net of what is owed back, against what is still due (the
    total less what returns and goodwill refunds gave back).
    """
    from orderflow.domain.bounds import check_moment
    from orderflow.domain.payments.ledger import claim_amount, claim_pending, live_authorization

    if not isinstance(payment, Payment):
        raise InvalidValue("payment", payment, "a Payment (order.payment)")
    if not isinstance(total, Money):
        raise InvalidValue("total", total, "a Money (desk.totals(order).total)")
    if now is not None:
        check_moment(now, "now")
    method = payment.method
    if method is PaymentMethod.COD or total.amount <= 0:  # nothing to pay: confirmed
        return True
    if method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY):
        owed = total - payment.captured  # 分納 per parcel: the parcels shipped took theirs
        if owed.amount <= 0:
            return True
        live = live_authorization(payment, now, authorization_days)
        return live is not None and live[2] >= owed
    if method is PaymentMethod.POSTPAY:
        reference = payment.instruction("reference")
        if not reference or claim_pending(payment, reference):
            return False
        return claim_amount(payment, reference) >= total
    from orderflow.domain.payments.payback import still_due

    # what returns and goodwill refunds gave back is no longer due (a refund between parcels)
    return payment.received - payment.refund_owed >= still_due(payment, total)


def _brackets(value: object) -> tuple[tuple[Money, Money], ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidValue("brackets", value, "(upper bound, fee) pairs of Money")
    out: list[tuple[Money, Money]] = []
    for index, pair in enumerate(value):
        if not (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and isinstance(pair[0], Money)
            and isinstance(pair[1], Money)
        ):
            raise InvalidValue(f"brackets[{index}]", pair, "an (upper bound, fee) pair of Money")
        for money in pair:
            if money.currency != "JPY":
                raise InvalidValue(
                    f"brackets[{index}]", money, "amounts in JPY (代引き is collected in yen)"
                )
        upper, fee = pair
        if upper.amount <= 0 or fee.is_negative:
            raise InvalidValue(
                f"brackets[{index}]",
                f"{upper} {fee}",
                "an upper bound above 0 and a fee of 0 or more (a fee lowers no total)",
            )
        out.append((upper, fee))
    return tuple(out)


@attrs.frozen(slots=True)
class CodFeeTable:
    """代引手数料: the COD fee by bracket of the amount to collect (upper bound inclusive).

    The amount is the order's total before the fee. Above the last bracket the carrier does not
    take the parcel as COD, and the order is refused.
    """

    brackets: tuple[tuple[Money, Money], ...] = attrs.field(converter=_brackets)
    """``(upper bound, fee)`` pairs, at least one, in strictly rising order of the upper bound
    (above ¥0; a fee of ¥0 or more): an amount up to and including a bound pays that bracket's
    fee."""

    @brackets.validator
    def _check(self, attribute: attrs.Attribute[object], value: object) -> None:
        bounds = [upper.amount for upper, _ in self.brackets]
        if not bounds or any(low >= high for low, high in pairwise(bounds)):
            raise InvalidValue(
                "brackets", value, "brackets in rising order of their upper bound, each once"
            )

    def fee_for(self, amount: Money) -> Money:
        """The fee for collecting ``amount``."""
        for upper, fee in self.brackets:
            if amount <= upper:
                return fee
        limit = self.brackets[-1][0]
        raise InvalidValue("payment_method", "cod", f"an order of at most {limit} for COD")


DEFAULT_COD_FEES = CodFeeTable(
    (
        (Money.yen(10_000), Money.yen(330)),
        (Money.yen(30_000), Money.yen(440)),
        (Money.yen(100_000), Money.yen(660)),
        (Money.yen(300_000), Money.yen(1_100)),
    )
)
"""A common schedule (tax included): ¥330 up to ¥10,000, ¥440 up to ¥30,000, ¥660 up to
¥100,000, ¥1,100 up to ¥300,000. Replace it with your carrier contract's table."""

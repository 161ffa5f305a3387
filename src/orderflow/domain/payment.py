"""The payment and its ledger (決済): the method and every request to the provider.

Amounts authorized, captured, voided, refunded and received are computed from the ledger, never
stored beside it, so they cannot disagree with it. :mod:`orderflow.domain.payments.ledger` reads
it per authorization or claim.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from decimal import Decimal

import attrs

from orderflow._mask import mask_name, mask_personal_data_in, mask_token, masked_repr
from orderflow.domain.money import WIDE, Money

__all__ = ["Payment", "PaymentEntry", "PaymentMethod", "PaymentOp", "PaymentOutcome"]


class PaymentMethod(enum.Enum):
    """How the customer pays (決済方法)."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    CARD = "card"
    """クレジットカード."""
    POSTPAY = "postpay"
    """後払い."""
    BANK_TRANSFER = "bank_transfer"
    """銀行振込 (virtual account)."""
    KONBINI = "konbini"
    """コンビニ前払い."""
    COD = "cod"
    """代引き."""
    AMAZON_PAY = "amazon_pay"
    """Amazonペイメント."""


class PaymentOp(enum.Enum):
    """What a payment-ledger entry records."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    AUTHORIZE = "authorize"
    """オーソリ (card, Amazon Pay) or credit approval (後払い与信): money promised."""
    CAPTURE = "capture"
    """売上確定 (card, Amazon Pay) or the 後払い shipment report: money earned."""
    VOID = "void"
    """An authorization or 後払い claim given back before capture."""
    REFUND = "refund"
    """Captured money paid back through the provider."""
    RECEIVE = "receive"
    """Money received: a bank deposit, a konbini payment, cash collected on delivery."""
    REFUND_OWED = "refund_owed"
    """Money the shop owes back and pays by bank transfer (over-payment, COD return)."""
    REFUND_PAID = "refund_paid"
    """Money owed back that the shop has transferred (返金振込済), as a person recorded it."""


class PaymentOutcome(enum.Enum):
    """What became of a payment request."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    REQUESTED = "requested"
    """Recorded before the call; replaced by the outcome when it is known."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"
    """Timed out: the provider may or may not have done it; a retry with the same key settles it."""


def _mask_detail(text: str) -> str:
    """A ledger entry's detail as its repr shows it: only orderflow's own markers whole.

    A marker (``refund``, ``cod_excess``) is shown; anything else may be a deposit payer's name
    (振込依頼人, in kana, kanji or romaji) or a provider's words, and is masked like a name.
    """
    if _MARKER.fullmatch(text):
        return text
    return mask_name(mask_personal_data_in(text))


_MARKER = re.compile(r"[a-z_]*")


@attrs.frozen(slots=True)
class PaymentEntry:
    """One request to the payment provider and its outcome: a line of the payment ledger."""

    op: PaymentOp
    """What the entry records: an authorization or 与信, a capture, a void, a refund, money
    received, or money owed back."""
    amount: Money
    """How much, in the order's currency; negative only in a ``REFUND_OWED`` entry that takes back
    a 代引き excess recorded as owed but never collected."""
    key: str
    """One per request: the effect's idempotency key, sent to the provider (``<number>:<seq>``),
    or one made from a receipt (``<number>:deposit:<reference>``); an answer recorded again under
    it changes nothing."""
    outcome: PaymentOutcome
    """What came of it; the sums (``authorized``, ``captured`` …) count ``SUCCEEDED`` only."""
    at: datetime
    """When it was recorded (aware UTC); for a konbini payment, when the customer paid if the
    provider said."""
    reference: str = ""
    """The provider's reference (authorization id, transaction id)."""
    detail: str = attrs.field(default="", repr=masked_repr(_mask_detail))
    """Text for staff, at most 200 characters: why the provider refused, the payer's name of a
    deposit, or a marker orderflow reads back (``cod_excess``); "" when there is nothing. The
    repr shows only the markers whole and masks the rest like a name."""
    expires_at: datetime | None = None
    """When an authorization lapses, if the provider says."""
    target: str = ""
    """The authorization or 後払い claim a capture, void or refund applies to."""
    method: PaymentMethod | None = None
    """The method the entry belongs to (an order that changed method keeps the old entries)."""


@attrs.frozen(slots=True)
class Payment:
    """The order's payment and its ledger.

    Authorized, captured, voided and refunded amounts are computed from the ledger, never stored
    beside it, so they cannot disagree with it.
    """

    method: PaymentMethod
    """How the customer pays now; a change of method keeps the ledger (entries carry theirs)."""
    currency: str
    """The ISO 4217 code of the order (``JPY``): every amount of the order must be in it."""
    token: str | None = attrs.field(default=None, repr=masked_repr(mask_token))
    """The provider's stored card token (never a card number); masked in the repr."""
    ledger: tuple[PaymentEntry, ...] = ()
    """Every payment request, receipt and refund owed, oldest first; a pending entry is replaced
    by its outcome, a final one never changes."""
    instructions: tuple[tuple[str, str], ...] = ()
    """What the customer needs to pay: the virtual account, the konbini number and deadline, the
    後払い provider's reference."""
    closed: tuple[str, ...] = ()
    """References handed back for good: voided claims, released accounts, withdrawn numbers."""

    def instruction(self, name: str) -> str | None:
        """One payment instruction (``account_number``, ``deadline``, ``reference`` …)."""
        for key, value in self.instructions:
            if key == name:
                return value
        return None

    def _sum(self, op: PaymentOp) -> Money:
        total = Decimal(0)
        for entry in self.ledger:
            if entry.op is op and entry.outcome is PaymentOutcome.SUCCEEDED:
                total = WIDE.add(total, entry.amount.amount)  # exact in any context
        return Money._exact(total, self.currency)

    @property
    def authorized(self) -> Money:
        """Every successful authorization, added up.

        Renewals and new cards are included, so it exceeds the total once an authorization was
        renewed; what the card still holds is :attr:`open_authorization`.
        """
        return self._sum(PaymentOp.AUTHORIZE)

    @property
    def captured(self) -> Money:
        """Every successful capture (売上確定), added up."""
        return self._sum(PaymentOp.CAPTURE)

    @property
    def voided(self) -> Money:
        """Authorizations given back without capture."""
        return self._sum(PaymentOp.VOID)

    @property
    def refunded(self) -> Money:
        """Captured money paid back."""
        return self._sum(PaymentOp.REFUND)

    @property
    def received(self) -> Money:
        """Money received directly: deposits, konbini payments, cash on delivery."""
        return self._sum(PaymentOp.RECEIVE)

    @property
    def refund_owed(self) -> Money:
        """Money owed back to the customer by bank transfer."""
        return self._sum(PaymentOp.REFUND_OWED)

    @property
    def refund_paid(self) -> Money:
        """Of the money owed back, what the shop has transferred (``record_refund_transfer``)."""
        return self._sum(PaymentOp.REFUND_PAID)

    @property
    def refund_to_transfer(self) -> Money:
        """Money owed back by transfer and not transferred yet (返金待ち), never below zero.

        Never more than the shop holds of the customer's money (received, or captured less
        refunded, less what was transferred): a 代引き excess owed before its parcel collected it
        waits until the cash is in.
        """
        left = self.refund_owed - self.refund_paid
        held = self.received + self.captured - self.refunded - self.refund_paid
        left = min(left, held)
        return left if left.amount > 0 else Money.zero(self.currency)

    @property
    def open_authorization(self) -> Money:
        """Authorized and neither captured nor voided: money still held on the card."""
        return self.authorized - self.captured - self.voided

    def last(self, op: PaymentOp) -> PaymentEntry | None:
        """The latest successful entry of ``op``."""
        for entry in reversed(self.ledger):
            if entry.op is op and entry.outcome is PaymentOutcome.SUCCEEDED:
                return entry
        return None

    def entry(self, key: str) -> PaymentEntry | None:
        """The entry recorded under ``key``, whatever its outcome."""
        for entry in self.ledger:
            if entry.key == key:
                return entry
        return None

    def succeeded(self, key: str) -> PaymentEntry | None:
        """The successful entry recorded under ``key``, if any."""
        for entry in self.ledger:
            if entry.key == key and entry.outcome is PaymentOutcome.SUCCEEDED:
                return entry
        return None

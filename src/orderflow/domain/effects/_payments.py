"""Effects on money: the card and Amazon Pay gateways, 後払い, bank transfer and konbini (決済)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from orderflow.domain.effects._base import Effect, Purpose
from orderflow.domain.money import Money
from orderflow.domain.order import PaymentMethod

__all__ = [
    "Authorize",
    "Capture",
    "CheckCredit",
    "IssueAccount",
    "IssueKonbini",
    "PostpayAmend",
    "PostpayCancel",
    "PostpayRegister",
    "PostpayReport",
    "Refund",
    "ReleaseAccount",
    "Screen",
    "Void",
    "WithdrawKonbini",
]


# -- 決済 ------------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Screen(Effect):
    """不正検知: screen a card order before it is authorized."""

    amount: Money | None = None
    """The order total the screen judges (with the customer and the ship-to address)."""
    purpose: Purpose = Purpose.PLACE
    """What is screened (when ``Rules.screen_cards``): a new card order (``place``), a switch
    to a card (``switch``, before its authorization), a card order sent elsewhere
    (``change``)."""
    kind: ClassVar[str] = "screen"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class Authorize(Effect):
    """オーソリ: hold ``amount`` on the card (or Amazon Pay) with the stored token.

    ``purpose`` says what the domain does with the answer: ``place`` (a refusal cancels the new
    order), ``switch`` (a refusal leaves the order as it was), ``reauthorize`` / ``change`` (a
    refusal holds the order and tells the customer).
    """

    method: PaymentMethod = PaymentMethod.CARD
    """``CARD`` or ``AMAZON_PAY``: it picks the gateway (``Ports.gateway`` or
    ``Ports.amazon_pay``); the token is the order's (the proposed one's on a switch)."""
    amount: Money | None = None
    """What to hold: the total (``place``, ``switch``, ``split``), or what is owed and not yet
    captured (``reauthorize``, ``change``, ``capture``); never None once decided."""
    purpose: Purpose = Purpose.PLACE
    """Why the card is asked (``place``, ``switch``, ``split``, ``change``, ``reauthorize``,
    ``capture``): see ``Purpose`` for what a refusal means."""
    replaces: str = ""
    """The authorization this one replaces (voided once this one succeeds)."""
    kind: ClassVar[str] = "authorize"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class Capture(Effect):
    """売上確定: turn (part of) an authorization into a sale."""

    method: PaymentMethod = PaymentMethod.CARD
    """``CARD`` or ``AMAZON_PAY``: the gateway that holds ``authorization``."""
    authorization: str = ""
    """The reference of the authorization captured (the gateway's answer to ``Authorize``)."""
    amount: Money | None = None
    """What becomes a sale: at most what the authorization still holds; never None once
    decided. A refusal holds the order (``capture_failed``) and keeps the authorization whole."""
    kind: ClassVar[str] = "capture"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class Void(Effect):
    """Give back (part of) an authorization that will not be captured."""

    method: PaymentMethod = PaymentMethod.CARD
    """``CARD`` or ``AMAZON_PAY``: the gateway that holds ``authorization``."""
    authorization: str = ""
    """The reference of the authorization given back."""
    amount: Money | None = None
    """What is given back: what the authorization still holds, or the rest of it after a
    capture; never None once decided."""
    kind: ClassVar[str] = "void"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: money held on the customer's card must be given back."""


@attrs.frozen(slots=True)
class Refund(Effect):
    """返金: pay back (part of) a capture through the gateway."""

    method: PaymentMethod = PaymentMethod.CARD
    """``CARD`` or ``AMAZON_PAY``: the gateway of the capture (its ledger entry's method)."""
    capture: str = ""
    """The reference of the capture paid back from (the newest succeeded one)."""
    amount: Money | None = None
    """What is paid back; never None once decided. A refusal holds the order
    (``refund_failed``); a success tells the customer (a ``refund`` notice)."""
    batch: tuple[str, ...] = ()
    """The keys of every part of one refund paid back from several captures (分納 captured
    per parcel), this one's included; ``()`` for a refund of one part. The customer hears of
    the parts paid back together, in one ``refund`` notice once the last part is answered."""
    kind: ClassVar[str] = "refund"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class PostpayRegister(Effect):
    """後払い: register a claim of ``amount`` and run the real-time credit check."""

    amount: Money | None = None
    """The claim's amount: the order total, or (``rebill``) the rest after the refund;
    never None once decided."""
    purpose: Purpose = Purpose.PLACE
    """Why the claim is registered: ``place``, ``switch``, ``split`` or ``rebill``; see
    ``Purpose`` for what a decline means."""
    replaces: str = ""
    """The claim this one replaces (a refund after the report): cancelled once approved."""
    refund: Money | None = None
    """With ``replaces``: the money paid back by billing only the rest."""
    kind: ClassVar[str] = "postpay_register"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class CheckCredit(Effect):
    """後払い: ask again about a claim under manual review (a query)."""

    reference: str = ""
    """The provider's reference of the claim under review (the payment's ``reference``)."""
    kind: ClassVar[str] = "check_credit"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    query: ClassVar[bool] = True
    """A read: the decision may differ when asked again; what follows from it is saved at once."""


@attrs.frozen(slots=True)
class PostpayAmend(Effect):
    """後払い: change the claim's amount before the shipment report."""

    reference: str = ""
    """The provider's reference of the claim."""
    amount: Money | None = None
    """The claim's new amount (the order's new total); never None once decided."""
    kind: ClassVar[str] = "postpay_amend"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class PostpayReport(Effect):
    """後払い 出荷報告: make the claim billable."""

    reference: str = ""
    """The provider's reference of the claim reported."""
    carrier: str = ""
    """The carrier code of the shipment whose leaving shipped the order (for a rebill: the last
    one with a tracking number)."""
    tracking_number: str = ""
    """Its tracking number (伝票番号), empty when the parcel has none."""
    amount: Money | None = None
    """The total the claim is reported for (the rest, for a rebill), for the record: it is not
    sent to the provider, and the ledger records what the claim holds."""
    rebill: bool = False
    """The claim bills the rest after a refund: the money was captured once already."""
    kind: ClassVar[str] = "postpay_report"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a claim that is not reported is never billed."""


@attrs.frozen(slots=True)
class PostpayCancel(Effect):
    """後払い: cancel a claim (``amount`` is what it held, for the ledger)."""

    reference: str = ""
    """The provider's reference of the claim cancelled."""
    amount: Money | None = None
    """What the claim held when the cancel was decided (zero for a declined or unapproved
    claim); the answer voids what it holds then, if it was not reported."""
    refund: Money | None = None
    """Set when the cancel pays back money already billed (a refund after the report)."""
    kind: ClassVar[str] = "postpay_cancel"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a claim the order no longer needs must not stay at the provider."""


@attrs.frozen(slots=True)
class IssueAccount(Effect):
    """銀行振込: give the order a virtual account (バーチャル口座)."""

    amount: Money | None = None
    """The amount to pay in (the total): sent to the bank and told to the customer."""
    purpose: Purpose = Purpose.PLACE
    """Why: ``place``, ``switch`` or ``split``; a refusal closes the new order, drops the
    switch, or holds the part."""
    kind: ClassVar[str] = "issue_account"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class ReleaseAccount(Effect):
    """Hand a virtual account back for reuse."""

    account: str = ""
    """The virtual account's identifier (the payment instruction ``account``); closed once
    answered."""
    kind: ClassVar[str] = "release_account"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: the account must go back to the bank's pool for other orders."""


@attrs.frozen(slots=True)
class IssueKonbini(Effect):
    """コンビニ: issue a payment number for ``amount`` valid until ``deadline``."""

    amount: Money | None = None
    """The amount the number asks for (the total); told to the customer."""
    deadline: datetime | None = None
    """Last moment to pay (aware UTC): ``settings.konbini_days`` after the decision; never
    None once decided."""
    purpose: Purpose = Purpose.PLACE
    """Why: ``place``, ``switch``, ``split`` or ``reissue`` (a new number for a new amount,
    the old one withdrawn)."""
    kind: ClassVar[str] = "issue_konbini"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class WithdrawKonbini(Effect):
    """コンビニ: withdraw an unpaid payment number."""

    payment_number: str = ""
    """The payment number (払込票番号) that can no longer be paid; closed once answered."""
    kind: ClassVar[str] = "withdraw_konbini"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a number the order no longer uses must not stay payable."""

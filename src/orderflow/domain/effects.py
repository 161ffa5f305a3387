"""Effects: what the domain decided to do in the outside world, as small frozen values.

A command never calls a port. It decides the new order *and* the effects to perform, each with
its idempotency key (``<order number>:<per-order sequence>``), and the two are saved together in
one write (the order's *outbox*). The executor (:mod:`orderflow.app.executor`) then performs the
effects in order and folds each answer back through the domain (:mod:`orderflow.domain.answers`),
which may decide follow-up effects. A retry, a resume after a crash, or a second worker all find the
same effect under the same key, so the provider does the work at most once.

An answer is :class:`Done` (with the provider's reply) or :class:`Refused` (a decline, a provider
refusal): both are facts the domain handles. A time-out is no answer at all: the effect stays
pending and is performed again, with the same key, by the next command or ``resume``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

import attrs

from orderflow.domain.address import Address
from orderflow.domain.booking import JournalEntry
from orderflow.domain.money import Money
from orderflow.domain.order import Order, PaymentMethod, Shipment

__all__ = [
    "Authorize",
    "CancelAtSupplier",
    "Capture",
    "CheckCredit",
    "CheckStock",
    "Commit",
    "ConfirmPoints",
    "CreatePart",
    "Done",
    "Effect",
    "GrantPoints",
    "Instruct",
    "IssueAccount",
    "IssueKonbini",
    "Notify",
    "PostJournal",
    "PostpayAmend",
    "PostpayCancel",
    "PostpayRegister",
    "PostpayReport",
    "Purpose",
    "Recall",
    "ReceivePurchased",
    "RedeemPoints",
    "Refund",
    "Refused",
    "Release",
    "ReleaseAccount",
    "Reserve",
    "Restock",
    "RestorePoints",
    "RevokePoints",
    "Screen",
    "SendToSupplier",
    "Void",
    "WithdrawKonbini",
]


class Purpose(enum.Enum):
    """Why a payment or points effect was decided: it says what the answer means."""

    __hash__ = object.__hash__

    PLACE = "place"
    """受注: a refusal closes the new order (its number stays free)."""
    SWITCH = "switch"
    """A change of payment method: a refusal leaves the order as it was."""
    SPLIT = "split"
    """A part of a split order: a refusal holds the part."""
    CHANGE = "change"
    """The total grew (or more points): a refusal holds the order or drops the change."""
    REAUTHORIZE = "reauthorize"
    """再オーソリ: a refusal holds the order and tells the customer once."""
    CAPTURE = "capture"
    """The authorization lapsed before the capture: a refusal is a capture to collect again."""
    REBILL = "rebill"
    """後払い: bill the rest after a refund; a refusal refuses the refund."""
    REISSUE = "reissue"
    """コンビニ: a new number for a new amount; a refusal holds the order."""


@attrs.frozen(slots=True)
class Effect:
    """One outside call the domain decided on, with the key that makes it happen at most once."""

    key: str
    attempt: int = attrs.field(default=1, kw_only=True)
    """1 for the first request; a refused obligation is asked again under a new key."""

    kind: ClassVar[str] = "effect"
    obligation: ClassVar[bool] = False
    """True for what must happen whatever it takes (give stock or money back, post the journal):
    a refusal is asked again under a fresh key, and after three refusals a person is called."""
    query: ClassVar[bool] = False
    """True for a read whose answer may differ when asked again (stock, a credit decision): the
    order is saved right after its answer is folded, so what was decided from it is kept."""


# -- 在庫 / 倉庫 ----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class CheckStock(Effect):
    """Read the available units of what the order still misses (a query; planning follows)."""

    warehouses: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    kind: ClassVar[str] = "check_stock"
    query: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Reserve(Effect):
    """引当: reserve up to ``quantity`` units of one line in one warehouse."""

    line_id: str = ""
    warehouse: str = ""
    sku: str = ""
    quantity: int = 0
    kind: ClassVar[str] = "reserve"


@attrs.frozen(slots=True)
class Release(Effect):
    """引当解除: give reserved units back."""

    line_id: str = ""
    warehouse: str = ""
    sku: str = ""
    quantity: int = 0
    kind: ClassVar[str] = "release"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Commit(Effect):
    """出荷: reserved units left the warehouse; take them off on-hand stock."""

    shipment_id: str = ""
    line_id: str = ""
    warehouse: str = ""
    sku: str = ""
    quantity: int = 0
    kind: ClassVar[str] = "commit"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Restock(Effect):
    """返品再入庫: returned units go back on hand in ``warehouse`` (an inventory receive)."""

    return_id: str = ""
    line_id: str = ""
    warehouse: str = ""
    sku: str = ""
    quantity: int = 0
    kind: ClassVar[str] = "restock"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Instruct(Effect):
    """出荷指示: tell a warehouse to ship one shipment."""

    shipment: Shipment | None = None
    ship_to: Address | None = None
    kind: ClassVar[str] = "instruct"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Recall(Effect):
    """出荷指示取消: take one shipment's instruction back (the warehouse may say it left)."""

    shipment_id: str = ""
    warehouse: str = ""
    kind: ClassVar[str] = "recall"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class CreatePart(Effect):
    """注文分割: store one part of a split order (with its own pending effects) and finish it.

    The parent is saved closed first, holding its parts as effects: once it is saved, every part
    comes to exist (a repeat finds the part stored and goes on), so the stock and points the
    parent gave up are never held twice or lost.
    """

    part: Order | None = None
    kind: ClassVar[str] = "create_part"
    obligation: ClassVar[bool] = True


# -- 発注 (a purchase order's own effects, keyed ``<po number>:<seq>``) ----------------------------


@attrs.frozen(slots=True)
class SendToSupplier(Effect):
    """発注: send the purchase order to its supplier (EDI, fax or e-mail: the adapter's)."""

    kind: ClassVar[str] = "send_to_supplier"


@attrs.frozen(slots=True)
class CancelAtSupplier(Effect):
    """発注取消: ask the supplier to take back ``lines`` ((line id, units), …) of a sent order."""

    reference: str = ""
    lines: tuple[tuple[str, int], ...] = ()
    kind: ClassVar[str] = "cancel_at_supplier"


@attrs.frozen(slots=True)
class ReceivePurchased(Effect):
    """入荷 against a purchase order: put ``quantity`` units in stock (counted once per key)."""

    warehouse: str = ""
    sku: str = ""
    quantity: int = 0
    kind: ClassVar[str] = "receive_purchased"
    obligation: ClassVar[bool] = True


# -- 決済 ------------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Screen(Effect):
    """不正検知: screen a card order before it is authorized."""

    amount: Money | None = None
    purpose: Purpose = Purpose.PLACE
    kind: ClassVar[str] = "screen"


@attrs.frozen(slots=True)
class Authorize(Effect):
    """オーソリ: hold ``amount`` on the card (or Amazon Pay) with the stored token.

    ``purpose`` says what the domain does with the answer: ``place`` (a refusal cancels the new
    order), ``switch`` (a refusal leaves the order as it was), ``reauthorize`` / ``change`` (a
    refusal holds the order and tells the customer).
    """

    method: PaymentMethod = PaymentMethod.CARD
    amount: Money | None = None
    purpose: Purpose = Purpose.PLACE
    replaces: str = ""
    """The authorization this one replaces (voided once this one succeeds)."""
    kind: ClassVar[str] = "authorize"


@attrs.frozen(slots=True)
class Capture(Effect):
    """売上確定: turn (part of) an authorization into a sale."""

    method: PaymentMethod = PaymentMethod.CARD
    authorization: str = ""
    amount: Money | None = None
    kind: ClassVar[str] = "capture"


@attrs.frozen(slots=True)
class Void(Effect):
    """Give back (part of) an authorization that will not be captured."""

    method: PaymentMethod = PaymentMethod.CARD
    authorization: str = ""
    amount: Money | None = None
    kind: ClassVar[str] = "void"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Refund(Effect):
    """返金: pay back (part of) a capture through the gateway."""

    method: PaymentMethod = PaymentMethod.CARD
    capture: str = ""
    amount: Money | None = None
    kind: ClassVar[str] = "refund"


@attrs.frozen(slots=True)
class PostpayRegister(Effect):
    """後払い: register a claim of ``amount`` and run the real-time credit check."""

    amount: Money | None = None
    purpose: Purpose = Purpose.PLACE
    replaces: str = ""
    """The claim this one replaces (a refund after the report): cancelled once approved."""
    refund: Money | None = None
    """With ``replaces``: the money paid back by billing only the rest."""
    kind: ClassVar[str] = "postpay_register"


@attrs.frozen(slots=True)
class CheckCredit(Effect):
    """後払い: ask again about a claim under manual review (a query)."""

    reference: str = ""
    kind: ClassVar[str] = "check_credit"
    query: ClassVar[bool] = True


@attrs.frozen(slots=True)
class PostpayAmend(Effect):
    """後払い: change the claim's amount before the shipment report."""

    reference: str = ""
    amount: Money | None = None
    kind: ClassVar[str] = "postpay_amend"


@attrs.frozen(slots=True)
class PostpayReport(Effect):
    """後払い 出荷報告: make the claim billable."""

    reference: str = ""
    carrier: str = ""
    tracking_number: str = ""
    amount: Money | None = None
    rebill: bool = False
    """The claim bills the rest after a refund: the money was captured once already."""
    kind: ClassVar[str] = "postpay_report"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class PostpayCancel(Effect):
    """後払い: cancel a claim (``amount`` is what it held, for the ledger)."""

    reference: str = ""
    amount: Money | None = None
    refund: Money | None = None
    """Set when the cancel pays back money already billed (a refund after the report)."""
    kind: ClassVar[str] = "postpay_cancel"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class IssueAccount(Effect):
    """銀行振込: give the order a virtual account (バーチャル口座)."""

    amount: Money | None = None
    purpose: Purpose = Purpose.PLACE
    kind: ClassVar[str] = "issue_account"


@attrs.frozen(slots=True)
class ReleaseAccount(Effect):
    """Hand a virtual account back for reuse."""

    account: str = ""
    kind: ClassVar[str] = "release_account"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class IssueKonbini(Effect):
    """コンビニ: issue a payment number for ``amount`` valid until ``deadline``."""

    amount: Money | None = None
    deadline: datetime | None = None
    purpose: Purpose = Purpose.PLACE
    kind: ClassVar[str] = "issue_konbini"


@attrs.frozen(slots=True)
class WithdrawKonbini(Effect):
    """コンビニ: withdraw an unpaid payment number."""

    payment_number: str = ""
    kind: ClassVar[str] = "withdraw_konbini"
    obligation: ClassVar[bool] = True


# -- ポイント / 会計 / 連絡 ----------------------------------------------------------------


@attrs.frozen(slots=True)
class RedeemPoints(Effect):
    """Take ``points`` from the customer's balance (points used on the order)."""

    points: int = 0
    purpose: Purpose = Purpose.PLACE
    kind: ClassVar[str] = "redeem_points"


@attrs.frozen(slots=True)
class RestorePoints(Effect):
    """Give ``points`` back to the customer's balance."""

    points: int = 0
    kind: ClassVar[str] = "restore_points"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class GrantPoints(Effect):
    """ポイント付与: give the customer ``points`` the order earned (仮ポイント if provisional).

    ``confirm_at`` is when provisional points fall due for confirmation.
    """

    points: int = 0
    provisional: bool = False
    confirm_at: datetime | None = None
    kind: ClassVar[str] = "grant_points"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class ConfirmPoints(Effect):
    """仮ポイント確定: make the order's provisional points spendable."""

    points: int = 0
    kind: ClassVar[str] = "confirm_points"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class RevokePoints(Effect):
    """ポイント回収: take back up to ``points`` granted points; the answer says how many were there.

    What the customer already spent is recorded as owed (never a negative balance).
    """

    points: int = 0
    kind: ClassVar[str] = "revoke_points"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class PostJournal(Effect):
    """計上: post the sale's journal entry to accounting."""

    entry: JournalEntry | None = None
    kind: ClassVar[str] = "post_journal"
    obligation: ClassVar[bool] = True


@attrs.frozen(slots=True)
class Notify(Effect):
    """Send the customer a notice of ``notice`` kind with ``facts``."""

    notice: str = ""
    facts: tuple[tuple[str, object], ...] = ()
    kind: ClassVar[str] = "notify"


# -- answers ----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Done:
    """The provider did it; ``value`` is its reply (a reference, a decision, units reserved…)."""

    value: object = None


@attrs.frozen(slots=True)
class Refused:
    """The provider refused (a decline, an unknown reference, too few points…).

    ``reason`` is the provider's own text: it goes to the order's history for staff, never into a
    notice to the customer.
    """

    code: str
    reason: str = ""


Answer = Done | Refused
"""What performing an effect gave."""

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
    """受注: a refusal closes the new order (its number stays free); a declined 後払い holds it
    instead under ``PostpayDeclined.ASK_ANOTHER_METHOD``."""
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
    """Idempotency key ``<order number>:<seq>`` (``<po number>:<seq>`` for a purchase
    order): the provider does the work once per key; a key is never reused for another request."""
    attempt: int = attrs.field(default=1, kw_only=True)
    """1 for the first request; a refused obligation is asked again under a new key."""

    kind: ClassVar[str] = "effect"
    """The effect's name, one per class: the ``kind`` tag of its stored form, and how errors
    (``OutcomeUnknown``, ``EffectsPending``) and ``effect_refused`` facts name it."""
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
    """Every warehouse of the shop (``settings.warehouses``), to plan the 引当 across them."""
    skus: tuple[str, ...] = ()
    """The SKUs the unreserved lines still need (a set line's component SKUs), sorted.
    The answer maps (warehouse, SKU) to the units available."""
    kind: ClassVar[str] = "check_stock"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    query: ClassVar[bool] = True
    """A read: the reservations planned from it are saved before they are made."""


@attrs.frozen(slots=True)
class Reserve(Effect):
    """引当: reserve up to ``quantity`` units of one line in one warehouse."""

    line_id: str = ""
    """The order line the units are for; what is reserved is held on the order for it."""
    warehouse: str = ""
    """The warehouse the allocation plan chose for these units."""
    sku: str = ""
    """The SKU reserved: the line's own, or one component of a set line (セット商品)."""
    quantity: int = 0
    """Units asked for (component units for a set line: sets × units per set).
    The answer is how many were reserved (0..quantity); a short answer leaves the line short."""
    kind: ClassVar[str] = "reserve"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class Release(Effect):
    """引当解除: give reserved units back."""

    line_id: str = ""
    """The order line the units were held for (for the record: the inventory is not told)."""
    warehouse: str = ""
    """The warehouse holding the reservation."""
    sku: str = ""
    """The SKU given back (a component SKU for a set line)."""
    quantity: int = 0
    """Reserved units given back to available stock (component units for a set line)."""
    kind: ClassVar[str] = "release"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: units held for nothing must go back to available stock."""


@attrs.frozen(slots=True)
class Commit(Effect):
    """出荷: reserved units left the warehouse; take them off on-hand stock."""

    shipment_id: str = ""
    """The shipment that left (for the record: the inventory is not told)."""
    line_id: str = ""
    """The order line shipped (for the record: the inventory is not told)."""
    warehouse: str = ""
    """The warehouse the shipment left; never a ``supplier:`` one (直送 takes no stock)."""
    sku: str = ""
    """The SKU taken off (a component SKU for a set line)."""
    quantity: int = 0
    """Units taken off on-hand stock: the line's units in the shipment (× units per set)."""
    kind: ClassVar[str] = "commit"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: units that left must come off on-hand stock."""


@attrs.frozen(slots=True)
class Restock(Effect):
    """返品再入庫: returned units go back on hand in ``warehouse`` (an inventory receive)."""

    return_id: str = ""
    """The return (返品) the units came back with; named in the inventory's receive reason."""
    line_id: str = ""
    """The order line returned (recorded in the ``restocked`` fact)."""
    warehouse: str = ""
    """The warehouse the returned units go back into, as given when the return was
    received (units written off are not restocked)."""
    sku: str = ""
    """The SKU received (a component SKU for a set line)."""
    quantity: int = 0
    """Units put back on hand (returned sets × units per set for a set line)."""
    kind: ClassVar[str] = "restock"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: returned goods must come back on hand."""


@attrs.frozen(slots=True)
class Instruct(Effect):
    """出荷指示: tell a warehouse to ship one shipment."""

    shipment: Shipment | None = None
    """The shipment to ship (its warehouse, carrier, lines, 代引き amount); never None once
    decided. A ``supplier:<code>`` warehouse sends a drop-ship purchase order instead."""
    ship_to: Address | None = None
    """The delivery address, the order's when the instruction was decided; never None."""
    kind: ClassVar[str] = "instruct"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a decided shipment must reach its warehouse (or supplier)."""


@attrs.frozen(slots=True)
class Recall(Effect):
    """出荷指示取消: take one shipment's instruction back (the warehouse may say it left)."""

    shipment_id: str = ""
    """The shipment whose instruction is taken back."""
    warehouse: str = ""
    """The warehouse asked (a ``supplier:<code>`` one cancels the drop-ship purchase order).
    The answer is True when taken back, False when the parcel already left."""
    kind: ClassVar[str] = "recall"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: every warehouse must answer, so the recall can settle."""


@attrs.frozen(slots=True)
class CreatePart(Effect):
    """注文分割: store one part of a split order (with its own pending effects) and finish it.

    The parent is saved closed first, holding its parts as effects: once it is saved, every part
    comes to exist (a repeat finds the part stored and goes on), so the stock and points the
    parent gave up are never held twice or lost.
    """

    part: Order | None = None
    """The part, a new order carrying its own pending effects (its payment opens); never None
    once decided. The answer is the part's number."""
    kind: ClassVar[str] = "create_part"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: once the parent is saved closed, every part must come to exist."""


# -- 発注 (a purchase order's own effects, keyed ``<po number>:<seq>``) ----------------------------


@attrs.frozen(slots=True)
class SendToSupplier(Effect):
    """発注: send the purchase order to its supplier (EDI, fax or e-mail: the adapter's)."""

    kind: ClassVar[str] = "send_to_supplier"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class CancelAtSupplier(Effect):
    """発注取消: ask the supplier to take back ``lines`` ((line id, units), …) of a sent order."""

    reference: str = ""
    """The supplier's reference for the sent order (its answer to ``SendToSupplier``;
    empty if it gave none)."""
    lines: tuple[tuple[str, int], ...] = ()
    """(purchase-order line id, units) pairs to take back, sorted by line id; the answer
    True cancels them all, False (too late) leaves them on order."""
    kind: ClassVar[str] = "cancel_at_supplier"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class ReceivePurchased(Effect):
    """入荷 against a purchase order: put ``quantity`` units in stock (counted once per key)."""

    warehouse: str = ""
    """The purchase order's warehouse, where the units enter stock."""
    sku: str = ""
    """The SKU received."""
    quantity: int = 0
    """Units of ``sku`` received in this receipt (入荷), put in stock."""
    kind: ClassVar[str] = "receive_purchased"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: goods that came in must enter stock."""


# -- 決済 ------------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Screen(Effect):
    """不正検知: screen a card order before it is authorized."""

    amount: Money | None = None
    """The order total the screen judges (with the customer and the ship-to address)."""
    purpose: Purpose = Purpose.PLACE
    """Always ``PLACE``: only a new card order is screened (when ``Rules.screen_cards``)."""
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


# -- ポイント / 会計 / 連絡 ----------------------------------------------------------------


@attrs.frozen(slots=True)
class RedeemPoints(Effect):
    """Take ``points`` from the customer's balance (points used on the order)."""

    points: int = 0
    """Points to take: the order's ``points_used`` (``place``), or what a change adds
    (``change``); a balance too small is a refusal."""
    purpose: Purpose = Purpose.PLACE
    """``place``: a refusal closes the new order; ``change``: a refusal drops the change, a
    success applies it."""
    kind: ClassVar[str] = "redeem_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class RestorePoints(Effect):
    """Give ``points`` back to the customer's balance."""

    points: int = 0
    """Points given back: all taken (a cancel), what a change or a dropped remainder no longer
    uses, or a return's share."""
    kind: ClassVar[str] = "restore_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: points taken for nothing must go back to the customer."""


@attrs.frozen(slots=True)
class GrantPoints(Effect):
    """ポイント付与: give the customer ``points`` the order earned (仮ポイント if provisional).

    ``confirm_at`` is when provisional points fall due for confirmation.
    """

    points: int = 0
    """Points earned (``points_earned`` less any withheld by a clawback before the grant)."""
    provisional: bool = False
    """True to grant them as 仮ポイント (not spendable until ``ConfirmPoints``), when the
    shop's ``PointsGrant`` has ``confirm_days``."""
    confirm_at: datetime | None = None
    """When provisional points fall due for confirmation (it becomes the order's
    ``points_due_at`` once granted); None when not provisional. Not sent to the points system."""
    kind: ClassVar[str] = "grant_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: points the order earned must reach the customer."""


@attrs.frozen(slots=True)
class ConfirmPoints(Effect):
    """仮ポイント確定: make the order's provisional points spendable."""

    points: int = 0
    """Provisional points still there to confirm (granted less revoked)."""
    kind: ClassVar[str] = "confirm_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: provisional points due must become spendable."""


@attrs.frozen(slots=True)
class RevokePoints(Effect):
    """ポイント回収: take back up to ``points`` granted points; the answer says how many were there.

    What the customer already spent is recorded as owed (never a negative balance).
    """

    points: int = 0
    """Most points to take back; the answer says how many were found, the rest is recorded
    as owed (``points_owed``)."""
    kind: ClassVar[str] = "revoke_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a clawback decided must reach the points system."""


@attrs.frozen(slots=True)
class PostJournal(Effect):
    """計上: post the sale's journal entry to accounting."""

    entry: JournalEntry | None = None
    """The journal entry (仕訳): the sale's at 計上, or a return's reversing entry (売上戻り);
    never None once decided. The answer is its reference in accounting."""
    kind: ClassVar[str] = "post_journal"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: every booked sale and return must reach accounting."""


@attrs.frozen(slots=True)
class Notify(Effect):
    """Send the customer a notice of ``notice`` kind with ``facts``."""

    notice: str = ""
    """The notice kind, one of ``orderflow.notices.NOTICE_KINDS`` (``order_confirmation``,
    ``shipping``, ``refund`` …): it picks the template."""
    facts: tuple[tuple[str, object], ...] = ()
    """(name, value) pairs the template fills in (``total``, ``tracking_number`` …), kept as
    values (Money, datetime) and formatted when rendered; the customer's ``name`` is added."""
    kind: ClassVar[str] = "notify"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


# -- answers ----------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Done:
    """The provider did it; ``value`` is its reply (a reference, a decision, units reserved…)."""

    value: object = None
    """The provider's reply: units available (``CheckStock``) or reserved (``Reserve``), a
    reference, an ``Authorization``, a ``CreditDecision``, True/False (``Recall``), or None."""


@attrs.frozen(slots=True)
class Refused:
    """The provider refused (a decline, an unknown reference, too few points…).

    ``reason`` is the provider's own text: it goes to the order's history for staff, never into a
    notice to the customer.
    """

    code: str
    """A short code: the provider's ``PaymentDeclined.code`` (``declined`` unless it says
    more), or ``refused`` for any other provider error; recorded in the order's facts."""
    reason: str = ""
    """The provider's own words, for staff (empty if it gave none)."""


Answer = Done | Refused
"""What performing an effect gave."""

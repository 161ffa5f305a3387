"""The money ports: card gateway, fraud screen, 後払い, bank transfer, konbini, points."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain.address import Address, Customer
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue

__all__ = [
    "Authorization",
    "BankTransferProvider",
    "CreditDecision",
    "CreditStatus",
    "FraudResult",
    "FraudScreen",
    "FraudVerdict",
    "KonbiniProvider",
    "KonbiniSlip",
    "PaymentGateway",
    "PointsProvider",
    "PostpayProvider",
    "VirtualAccount",
]


@attrs.frozen(slots=True)
class Authorization:
    """A successful authorization (オーソリ): the provider's reference and when it lapses."""

    reference: str
    """The provider's id of the authorization: what capture and void name later."""
    amount: Money
    """The amount held on the card, as the provider says (recorded in the payment ledger)."""
    expires_at: datetime | None = None
    """When the hold lapses (aware); None: the provider does not say, and
    ``ShopSettings.authorization_days`` after it was given counts."""


@runtime_checkable
class PaymentGateway(Protocol):
    """A card-style payment provider: authorize at order, capture at shipping, void, refund."""

    def authorize(
        self, *, key: str, order_number: str, amount: Money, token: str | None
    ) -> Authorization:
        """Hold ``amount`` on the customer's card (stored as ``token``) for ``order_number``.

        Raises :class:`~orderflow.errors.PaymentDeclined` when the card is refused. Same key, same
        answer: a retry must not hold the money twice.
        """
        ...

    def capture(self, *, key: str, authorization: str, amount: Money) -> str:
        """Turn (part of) an authorization into a sale (売上確定); returns the capture reference.

        ``amount`` never exceeds what is authorized and not yet captured.
        """
        ...

    def void(self, *, key: str, authorization: str, amount: Money) -> str:
        """Give back an authorization that will not be captured; returns a reference."""
        ...

    def refund(self, *, key: str, capture: str, amount: Money) -> str:
        """Pay back (part of) a capture; returns the refund reference."""
        ...


class FraudVerdict(enum.Enum):
    """What a fraud screen (不正検知) says about an order."""

    ACCEPT = "accept"
    REVIEW = "review"
    """A person must look: the order is held."""
    REJECT = "reject"
    """The order is cancelled, with a notice."""


@attrs.frozen(slots=True)
class FraudResult:
    """A fraud screen's answer."""

    verdict: FraudVerdict
    """Accept, review (the order is held for a person) or reject (the order is closed)."""
    reason: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The screen's reason, kept (at most 200 characters) in the history and in ``PaymentDeclined``
    when it rejects; empty: none given. Its e-mails and phone numbers are masked in the repr."""


@runtime_checkable
class FraudScreen(Protocol):
    """A fraud-screening service (O-PLUX, ASUKAR, the gateway's own…), asked at order."""

    def screen(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> FraudResult:
        """Judge the order. Same key, same answer."""
        ...


class CreditStatus(enum.Enum):
    """A 後払い credit check's state (与信結果)."""

    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"
    """Under manual review at the provider: ask again later."""


@attrs.frozen(slots=True)
class CreditDecision:
    """A 後払い provider's answer about one claim."""

    status: CreditStatus
    """与信結果: approved, declined, or pending (the order is held and the decision asked again)."""
    reference: str
    """The provider's id of the claim (取引ID)."""
    reason: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """Why it was declined, kept in the payment ledger (and in ``PaymentDeclined`` at order); empty:
    none given or approved. Its e-mails and phone numbers are masked in the repr."""


@runtime_checkable
class PostpayProvider(Protocol):
    """A 後払い service (NP後払い, atone, Paidy, GMO後払い…): it bills the customer after shipping.

    Carrier codes are the adapter's business: ``report_shipment`` receives orderflow's carrier
    code (``yamato``) and the adapter maps it to its provider's code.
    """

    def register(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> CreditDecision:
        """Register the claim and run the real-time credit check (リアルタイム与信)."""
        ...

    def decision(self, reference: str) -> CreditDecision:
        """The claim's current decision (for a pending review)."""
        ...

    def amend(self, *, key: str, reference: str, amount: Money) -> CreditDecision:
        """Change the claim's amount before the shipment report (it may be checked again)."""
        ...

    def report_shipment(
        self, *, key: str, reference: str, carrier: str, tracking_number: str
    ) -> str:
        """Report the shipment (出荷報告): this is what makes the claim billable; a reference."""
        ...

    def cancel(self, *, key: str, reference: str) -> None:
        """Cancel the claim (before or after the shipment report)."""
        ...


@attrs.frozen(slots=True)
class VirtualAccount:
    """A virtual account (バーチャル口座) issued to one order for its bank transfer."""

    bank_code: str
    """The bank's 金融機関コード (4 digits), kept beside its name in the order's payment
    instructions."""
    bank_name: str
    """The bank's name as the customer's payment request shows it."""
    branch_code: str
    """The branch's 支店コード (3 digits): with ``account_number`` it names the account in deposits
    (``account``)."""
    branch_name: str
    """The branch's name as the customer's payment request shows it."""
    account_number: str
    """The 口座番号 the customer transfers to (with ``branch_code``, held by no other open
    order)."""
    holder: str
    """口座名義: the account holder's name, shown to the customer in the payment request."""
    account_type: str = "普通"
    """預金種目: ``普通``, ``当座`` or ``貯蓄`` (translated in an English notice; any other text is
    shown as is)."""

    @property
    def account(self) -> str:
        """``<branch code>-<account number>``: how deposits name the account."""
        return f"{self.branch_code}-{self.account_number}"


@runtime_checkable
class BankTransferProvider(Protocol):
    """The bank (or payment company) that issues virtual accounts; numbers are reused."""

    def issue_account(self, *, key: str, order_number: str, amount: Money) -> VirtualAccount:
        """Give the order a virtual account that no other open order holds. Same key, same one."""
        ...

    def release_account(self, *, key: str, account: str) -> None:
        """Hand the account back for reuse (the order is paid or cancelled)."""
        ...


@attrs.frozen(slots=True)
class KonbiniSlip:
    """A convenience-store payment number (払込票番号) and its deadline."""

    payment_number: str = attrs.field()
    """払込票番号: the number the customer pays with at the store; withdrawn, if still unpaid, when
    the order is cancelled or a new number replaces it."""
    deadline: datetime = attrs.field()
    """支払期限 (aware): unpaid after it, the order is cancelled by ``expire_unpaid``."""
    url: str = ""
    """Where the customer sees the slip (for stores that need a barcode)."""

    @payment_number.validator
    def _check_number(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidValue("payment_number", value, "the slip's payment number (a text)")

    @deadline.validator
    def _check_deadline(self, attribute: attrs.Attribute[datetime], value: object) -> None:
        # an adapter's naive time failed later, in the notice, naming a fact: say it here
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise InvalidValue("deadline", value, "an aware datetime (with its time zone)")


@runtime_checkable
class KonbiniProvider(Protocol):
    """A convenience-store payment service (コンビニ決済): numbers with a deadline."""

    def issue(
        self, *, key: str, order_number: str, amount: Money, deadline: datetime
    ) -> KonbiniSlip:
        """Issue a payment number valid until ``deadline``. Same key, same number."""
        ...

    def cancel(self, *, key: str, payment_number: str) -> None:
        """Withdraw an unpaid number."""
        ...


@runtime_checkable
class PointsProvider(Protocol):
    """The shop's loyalty points (ポイント): spent, given back, granted and taken back.

    Points used are a price reduction, given back on cancel; points an order earns are granted
    (provisional 仮ポイント confirmed later) and taken back on a return.
    A balance never goes negative: ``revoke`` takes what is there and says how much.
    """

    def redeem(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Take ``points`` from the customer's balance; a ProviderError if they lack them."""
        ...

    def restore(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Give ``points`` back to the customer's balance."""
        ...

    def grant(
        self, *, key: str, customer_id: str, points: int, order_number: str, provisional: bool
    ) -> None:
        """ポイント付与: add ``points`` earned by ``order_number``. Same key: granted once.

        Provisional ones (仮ポイント) are kept apart, not spendable, until :meth:`confirm`.
        """
        ...

    def confirm(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """仮ポイント確定: make ``order_number``'s provisional points spendable. Once per key."""
        ...

    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        """ポイント回収: take back up to ``points`` granted for ``order_number``; how many taken.

        The order's provisional points go first, then the balance, never below zero.
        """

"""In-memory fakes of the payment ports: card gateways, fraud screen, 後払い, bank, konbini.

They share the call recording, fault injection and idempotency of :mod:`orderflow.testing.fakes`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from orderflow._mask import mask_token
from orderflow.domain.address import Address, Customer
from orderflow.domain.money import Money
from orderflow.errors import (
    PaymentDeclined,
    ProviderError,
)
from orderflow.ports import (
    Authorization,
    CreditDecision,
    CreditStatus,
    FraudResult,
    FraudVerdict,
    KonbiniSlip,
    VirtualAccount,
)
from orderflow.testing.fakes import _Fake

__all__ = [
    "FakeBank",
    "FakeFraudScreen",
    "FakeKonbini",
    "FakePaymentGateway",
    "FakePoints",
    "FakePostpay",
]


def _describe_request(method: str, request: tuple[Any, ...]) -> str:
    """A gateway request as a repr or an error shows it: the card token masked."""
    if method == "authorize" and len(request) > 2 and isinstance(request[2], str):
        request = (*request[:2], mask_token(request[2]))
    return repr(request)


class FakePaymentGateway(_Fake):
    """A card gateway in memory: authorize, capture, void and refund, checked like a real one.

    ``decline_tokens``: card tokens that are always declined.
    """

    def __init__(
        self, *, decline_tokens: frozenset[str] = frozenset(), auth_days: int = 30
    ) -> None:
        super().__init__()
        self.decline_tokens = decline_tokens
        self.auth_days = auth_days
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        """The gateway's clock, which dates authorizations (``fake_shop`` gives it the shop's)."""
        self.authorizations: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def authorize(
        self, *, key: str, order_number: str, amount: Money, token: str | None
    ) -> Authorization:
        """Hold ``amount``; declined for tokens in ``decline_tokens`` or a missing token."""

        def work() -> Authorization:
            if token is None or token in self.decline_tokens:
                raise PaymentDeclined(
                    "the card issuer refused the authorization", code="card_declined"
                )
            if amount.amount <= 0:
                raise ProviderError(f"authorize: amount must be positive, got {amount}")
            reference = f"AUTH-{next(self._ids)}"
            self.authorizations[reference] = {
                "amount": amount,
                "captured": Money.zero(amount.currency),
                "voided": False,
                "order": order_number,
            }
            return Authorization(reference, amount, self.now() + timedelta(days=self.auth_days))

        return self._run(
            "authorize",
            key,
            (order_number, amount, token),
            work,
        )

    def capture(self, *, key: str, authorization: str, amount: Money) -> str:
        """Capture up to what is left of the authorization."""

        def work() -> str:
            auth = self._authorization(authorization)
            left = auth["amount"] - auth["captured"]
            if auth["voided"] or amount > left or amount.amount <= 0:
                raise ProviderError(f"capture {amount} refused: {left} left on {authorization}")
            auth["captured"] = auth["captured"] + amount
            reference = f"CAP-{next(self._ids)}"
            self.captures[reference] = {
                "amount": amount,
                "refunded": Money.zero(amount.currency),
                "order": auth["order"],
                "authorization": authorization,
            }
            return reference

        return self._run("capture", key, (authorization, amount), work)

    def void(self, *, key: str, authorization: str, amount: Money) -> str:
        """Release an authorization that was not captured."""

        def work() -> str:
            auth = self._authorization(authorization)
            left = auth["amount"] - auth["captured"]
            if auth["voided"] or amount != left or not left:
                raise ProviderError(
                    f"void {amount} refused: {left} is left on {authorization}"
                    + (" (voided)" if auth["voided"] else "")
                )
            auth["voided"] = True
            return f"VOID-{next(self._ids)}"

        return self._run("void", key, (authorization, amount), work)

    def refund(self, *, key: str, capture: str, amount: Money) -> str:
        """Refund up to what was captured and not yet refunded."""

        def work() -> str:
            cap = self.captures.get(capture)
            if cap is None:
                raise ProviderError(f"refund: unknown capture {capture!r}")
            if amount > cap["amount"] - cap["refunded"] or amount.amount <= 0:
                raise ProviderError(f"refund {amount} refused on {capture}")
            cap["refunded"] = cap["refunded"] + amount
            return f"REF-{next(self._ids)}"

        return self._run("refund", key, (capture, amount), work)

    def _authorization(self, reference: str) -> dict[str, Any]:
        with self._lock:
            auth = self.authorizations.get(reference)
        if auth is None:
            raise ProviderError(f"unknown authorization {reference!r}")
        return auth

    def _refusal(self, method: str) -> ProviderError:
        return PaymentDeclined(f"{method} declined on purpose by the fake", code="fake_decline")

    _describer = _describe_request

    def live_authorizations(self) -> dict[str, Money]:
        """Authorizations neither voided nor fully captured: reference → amount still held."""
        out = {}
        with self._lock:
            for reference, auth in self.authorizations.items():
                left = auth["amount"] - auth["captured"]
                if not auth["voided"] and left.amount > 0:
                    out[reference] = left
        return out


class FakeFraudScreen(_Fake):
    """A fraud screen answering ``ACCEPT`` unless told otherwise per customer id or e-mail."""

    def __init__(self, verdicts: dict[str, FraudVerdict] | None = None) -> None:
        super().__init__()
        self.verdicts = dict(verdicts or {})

    def screen(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> FraudResult:
        """The verdict set for the customer's id or e-mail, else ACCEPT."""

        def work() -> FraudResult:
            verdict = self.verdicts.get(customer.id) or self.verdicts.get(customer.email)
            verdict = verdict or FraudVerdict.ACCEPT
            return FraudResult(verdict, "" if verdict is FraudVerdict.ACCEPT else "fake rule")

        return self._run("screen", key, (order_number, customer.id, amount), work)


class FakePostpay(_Fake):
    """A 後払い provider in memory.

    Decides ``APPROVED`` unless a decision is set for the customer id (``decisions``); a pending
    claim is decided later with :meth:`decide`. ``carrier_codes`` maps orderflow's carrier codes to
    the provider's (an unknown carrier is refused, as a real provider would).
    """

    def __init__(
        self,
        decisions: dict[str, CreditStatus] | None = None,
        carrier_codes: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.decisions = dict(decisions or {})
        self.carrier_codes = dict(
            carrier_codes or {"yamato": "11", "sagawa": "12", "japanpost": "13"}
        )
        self.claims: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def register(
        self, *, key: str, order_number: str, customer: Customer, ship_to: Address, amount: Money
    ) -> CreditDecision:
        """Register a claim; decide it by the customer's preset decision."""

        def work() -> CreditDecision:
            reference = f"NP-{next(self._ids)}"
            status = self.decisions.get(customer.id, CreditStatus.APPROVED)
            self.claims[reference] = {
                "order": order_number,
                "amount": amount,
                "status": status,
                "reported": None,
                "cancelled": False,
            }
            return CreditDecision(status, reference)

        return self._run("register", key, (order_number, customer.id, amount), work)

    def decision(self, reference: str) -> CreditDecision:
        """The claim's current decision."""
        with self._lock:
            claim = self._claim(reference)
            return CreditDecision(claim["status"], reference)

    def decide(self, reference: str, status: CreditStatus) -> None:
        """The provider's reviewer decides a pending claim."""
        with self._lock:
            self._claim(reference)["status"] = status

    def amend(self, *, key: str, reference: str, amount: Money) -> CreditDecision:
        """Change the amount of a claim not yet reported."""

        def work() -> CreditDecision:
            claim = self._claim(reference)
            if claim["reported"] or claim["cancelled"]:
                raise ProviderError(f"amend refused: {reference} is reported or cancelled")
            claim["amount"] = amount
            return CreditDecision(claim["status"], reference)

        return self._run("amend", key, (reference, amount), work)

    def report_shipment(
        self, *, key: str, reference: str, carrier: str, tracking_number: str
    ) -> str:
        """Record the shipment report; the claim becomes billable."""

        def work() -> str:
            claim = self._claim(reference)
            if claim["status"] is not CreditStatus.APPROVED or claim["cancelled"]:
                raise ProviderError(f"report refused: {reference} is not an approved claim")
            if carrier not in self.carrier_codes:
                raise ProviderError(f"report refused: unknown carrier {carrier!r}")
            claim["reported"] = (self.carrier_codes[carrier], tracking_number)
            return f"RPT-{reference}"

        return self._run("report_shipment", key, (reference, carrier, tracking_number), work)

    def cancel(self, *, key: str, reference: str) -> None:
        """Cancel the claim."""

        def work() -> None:
            claim = self._claim(reference)
            if claim["cancelled"]:
                raise ProviderError(f"cancel refused: {reference} is already cancelled")
            claim["cancelled"] = True

        self._run("cancel", key, (reference,), work)

    def billable(self) -> dict[str, Money]:
        """Reported, not cancelled claims: reference → amount the customer will be billed."""
        with self._lock:
            return {
                ref: c["amount"]
                for ref, c in self.claims.items()
                if c["reported"] and not c["cancelled"]
            }

    def _claim(self, reference: str) -> dict[str, Any]:
        with self._lock:
            claim = self.claims.get(reference)
        if claim is None:
            raise ProviderError(f"unknown claim {reference!r}")
        return claim


class FakeBank(_Fake):
    """Issues virtual accounts from a small pool, so that numbers are reused as in real life."""

    def __init__(self, pool_size: int = 1000, branch_code: str = "101") -> None:
        super().__init__()
        self.branch_code = branch_code
        self.free = [f"{n:07d}" for n in range(1000001, 1000001 + pool_size)]
        self.held: dict[str, str] = {}
        """account → order number holding it."""

    def issue_account(self, *, key: str, order_number: str, amount: Money) -> VirtualAccount:
        """The lowest free number of the pool."""

        def work() -> VirtualAccount:
            if not self.free:
                raise ProviderError("no virtual account is free")
            number = self.free.pop(0)
            account = VirtualAccount(
                "0009", "オーダーフロー銀行", self.branch_code, "ホンテン", number, "ｵ-ﾀﾞ-ﾌﾛ-(ｶ"
            )
            self.held[account.account] = order_number
            return account

        return self._run("issue_account", key, (order_number, amount), work)

    def release_account(self, *, key: str, account: str) -> None:
        """Put the number back in the pool."""

        def work() -> None:
            if self.held.pop(account, None) is not None:
                self.free.insert(0, account.split("-", 1)[1])

        self._run("release_account", key, (account,), work)


class FakeKonbini(_Fake):
    """Issues konbini payment numbers; the shop learns of payments through the desk."""

    def __init__(self) -> None:
        super().__init__()
        self.slips: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def issue(
        self, *, key: str, order_number: str, amount: Money, deadline: datetime
    ) -> KonbiniSlip:
        """A new number valid until ``deadline``."""

        def work() -> KonbiniSlip:
            number = f"{next(self._ids):011d}"
            self.slips[number] = {"order": order_number, "amount": amount, "cancelled": False}
            return KonbiniSlip(number, deadline, f"https://konbini.example.com/{number}")

        return self._run("issue", key, (order_number, amount, deadline), work)

    def cancel(self, *, key: str, payment_number: str) -> None:
        """Withdraw the number."""

        def work() -> None:
            slip = self.slips.get(payment_number)
            if slip is None:
                raise ProviderError(f"unknown payment number {payment_number!r}")
            slip["cancelled"] = True

        self._run("cancel", key, (payment_number,), work)


class FakePoints(_Fake):
    """Point balances per customer id, and provisional points (仮ポイント) per order."""

    def __init__(self, balances: dict[str, int] | None = None) -> None:
        super().__init__()
        self.balances: dict[str, int] = dict(balances or {})
        """Spendable points per customer id."""
        self.provisional: dict[tuple[str, str], int] = {}
        """(customer id, order number) → provisional points not confirmed yet."""

    def total(self, customer_id: str) -> int:
        """The customer's spendable and provisional points together."""
        with self._lock:
            kept = sum(p for (c, _), p in self.provisional.items() if c == customer_id)
            return self.balances.get(customer_id, 0) + kept

    def redeem(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Take points; refused when the balance is short."""

        def work() -> None:
            balance = self.balances.get(customer_id, 0)
            if points > balance:
                raise ProviderError(f"{customer_id} has {balance} points, not {points}")
            self.balances[customer_id] = balance - points

        self._run("redeem", key, (customer_id, points, order_number), work)

    def restore(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Give points back."""

        def work() -> None:
            self.balances[customer_id] = self.balances.get(customer_id, 0) + points

        self._run("restore", key, (customer_id, points, order_number), work)

    def grant(
        self, *, key: str, customer_id: str, points: int, order_number: str, provisional: bool
    ) -> None:
        """Add points, to the balance or kept apart as provisional."""

        def work() -> None:
            if provisional:
                held = self.provisional.get((customer_id, order_number), 0)
                self.provisional[(customer_id, order_number)] = held + points
            else:
                self.balances[customer_id] = self.balances.get(customer_id, 0) + points

        request = (customer_id, points, order_number, provisional)
        self._run("grant", key, request, work)

    def confirm(self, *, key: str, customer_id: str, points: int, order_number: str) -> None:
        """Move the order's provisional points (up to ``points``) to the balance."""

        def work() -> None:
            held = self.provisional.pop((customer_id, order_number), 0)
            moved = min(held, points)
            if held > moved:
                self.provisional[(customer_id, order_number)] = held - moved
            self.balances[customer_id] = self.balances.get(customer_id, 0) + moved

        self._run("confirm", key, (customer_id, points, order_number), work)

    def revoke(self, *, key: str, customer_id: str, points: int, order_number: str) -> int:
        """Take back up to ``points``: the order's provisional ones first, never below zero."""

        def work() -> int:
            held = self.provisional.pop((customer_id, order_number), 0)
            from_held = min(held, points)
            if held > from_held:
                self.provisional[(customer_id, order_number)] = held - from_held
            balance = self.balances.get(customer_id, 0)
            from_balance = min(balance, points - from_held)
            self.balances[customer_id] = balance - from_balance
            return from_held + from_balance

        return self._run("revoke", key, (customer_id, points, order_number), work)

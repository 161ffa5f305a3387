"""The executor's payment half: the calls to the gateways and the other payment providers.

Mixed into :class:`~orderflow.app.executor.Executor`, the one place that calls a port; each
function makes the one call its effect asks for, with the effect's key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from orderflow.domain.effects import (
    Authorize,
    Capture,
    CheckCredit,
    IssueAccount,
    IssueKonbini,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Purpose,
    Refund,
    ReleaseAccount,
    Screen,
    Void,
    WithdrawKonbini,
)
from orderflow.domain.order import Order, PaymentMethod
from orderflow.errors import ProviderError
from orderflow.ports import PaymentGateway, PostpayProvider

if TYPE_CHECKING:
    from orderflow.app._wiring import Ports

__all__ = ["PaymentPerformers", "wired"]

P = TypeVar("P")


def wired(port: P | None, what: str) -> P:
    """An optional port the effect needs (a refusal, not a crash, when the shop has none)."""
    if port is None:
        raise ProviderError(f"the desk has no {what}")
    return port


class PaymentPerformers:
    """Performs the payment effects (mixed into the executor)."""

    ports: Ports
    """The desk's ports, set by the ``Executor`` this class is mixed into."""

    def _gateway(self, method: PaymentMethod) -> PaymentGateway:
        ports = self.ports
        gateway = ports.amazon_pay if method is PaymentMethod.AMAZON_PAY else ports.gateway
        if gateway is None:
            raise ProviderError(f"no gateway for {method.value}")
        return gateway

    def _postpay(self) -> PostpayProvider:
        return wired(self.ports.postpay, "a 後払い provider")

    def _screen(self, order: Order, e: Screen) -> object:
        assert e.amount is not None
        judged = order.proposal if e.purpose is Purpose.SWITCH and order.proposal else order
        return wired(self.ports.fraud, "a fraud screen").screen(
            key=e.key,
            order_number=order.number,
            customer=judged.customer,
            ship_to=judged.ship_to,
            amount=e.amount,
        )

    def _authorize(self, order: Order, e: Authorize) -> object:
        assert e.amount is not None
        payment = order.proposal.payment if e.purpose is Purpose.SWITCH and order.proposal else None
        token = (payment or order.payment).token
        return self._gateway(e.method).authorize(
            key=e.key, order_number=order.number, amount=e.amount, token=token
        )

    def _capture(self, order: Order, e: Capture) -> object:
        assert e.amount is not None
        return self._gateway(e.method).capture(
            key=e.key, authorization=e.authorization, amount=e.amount
        )

    def _void(self, order: Order, e: Void) -> object:
        assert e.amount is not None
        return self._gateway(e.method).void(
            key=e.key, authorization=e.authorization, amount=e.amount
        )

    def _refund(self, order: Order, e: Refund) -> object:
        assert e.amount is not None
        return self._gateway(e.method).refund(key=e.key, capture=e.capture, amount=e.amount)

    def _postpay_register(self, order: Order, e: PostpayRegister) -> object:
        assert e.amount is not None
        target = order.proposal or order
        return self._postpay().register(
            key=e.key,
            order_number=order.number,
            customer=target.customer,
            ship_to=target.ship_to,
            amount=e.amount,
        )

    def _check_credit(self, order: Order, e: CheckCredit) -> object:
        return self._postpay().decision(e.reference)

    def _postpay_amend(self, order: Order, e: PostpayAmend) -> object:
        assert e.amount is not None
        return self._postpay().amend(key=e.key, reference=e.reference, amount=e.amount)

    def _postpay_report(self, order: Order, e: PostpayReport) -> object:
        return self._postpay().report_shipment(
            key=e.key, reference=e.reference, carrier=e.carrier, tracking_number=e.tracking_number
        )

    def _postpay_cancel(self, order: Order, e: PostpayCancel) -> object:
        self._postpay().cancel(key=e.key, reference=e.reference)
        return None

    def _issue_account(self, order: Order, e: IssueAccount) -> object:
        assert e.amount is not None
        return wired(self.ports.bank, "a bank for virtual accounts").issue_account(
            key=e.key, order_number=order.number, amount=e.amount
        )

    def _release_account(self, order: Order, e: ReleaseAccount) -> object:
        wired(self.ports.bank, "a bank for virtual accounts").release_account(
            key=e.key, account=e.account
        )
        return None

    def _issue_konbini(self, order: Order, e: IssueKonbini) -> object:
        assert e.amount is not None and e.deadline is not None
        return wired(self.ports.konbini, "a konbini provider").issue(
            key=e.key, order_number=order.number, amount=e.amount, deadline=e.deadline
        )

    def _withdraw_konbini(self, order: Order, e: WithdrawKonbini) -> object:
        wired(self.ports.konbini, "a konbini provider").cancel(
            key=e.key, payment_number=e.payment_number
        )
        return None

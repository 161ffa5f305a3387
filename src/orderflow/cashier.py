"""The cashier (決済担当): what each payment method does at order, shipping, cancel and refund.

The desk runs the order's life; at each of those moments it asks the cashier which outside calls
the payment needs (so their keys are recorded with the rest, before any call) and then lets it
make them and write the ledger. The rules of *when* a payment is confirmed are pure and live in
:mod:`orderflow.domain.payments`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from orderflow._runner import Runner
from orderflow.domain import lifecycle
from orderflow.domain._values import replace
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import (
    Order,
    PaymentEntry,
    PaymentMethod,
    PaymentOp,
    PaymentOutcome,
    Shipment,
)
from orderflow.domain.payments import HoldCode
from orderflow.domain.status import OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed, PaymentDeclined
from orderflow.ports import (
    Authorization,
    BankTransferProvider,
    CreditDecision,
    CreditStatus,
    FraudScreen,
    FraudVerdict,
    KonbiniProvider,
    KonbiniSlip,
    PaymentGateway,
    PostpayProvider,
)
from orderflow.settings import PostpayDeclined

__all__ = ["Cashier"]

Request = tuple[str, PaymentOp, Money]
Plan = tuple[dict[str, dict[str, str]], list[Request]]
"""The steps a payment moment needs (with their parameters) and the money requests among them."""

_CARDLIKE = (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY)
_FINAL = (PaymentOutcome.SUCCEEDED, PaymentOutcome.FAILED)
_OPEN = (PaymentOutcome.REQUESTED, PaymentOutcome.UNKNOWN)
_AFTER_SHIPPING = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.BOOKED)


class Cashier:
    """Payment-method behaviour, through the payment ports the shop has."""

    def __init__(
        self,
        runner: Runner,
        *,
        gateway: PaymentGateway | None,
        amazon_pay: PaymentGateway | None,
        fraud: FraudScreen | None,
        postpay: PostpayProvider | None,
        bank: BankTransferProvider | None,
        konbini: KonbiniProvider | None,
    ) -> None:
        self.runner = runner
        self.gateway = gateway
        self.amazon_pay = amazon_pay
        self.fraud = fraud
        self.postpay = postpay
        self.bank = bank
        self.konbini = konbini

    def accepts(self, method: PaymentMethod) -> bool:
        """Whether the shop has the port ``method`` needs."""
        port = {
            PaymentMethod.CARD: self.gateway,
            PaymentMethod.AMAZON_PAY: self.amazon_pay,
            PaymentMethod.POSTPAY: self.postpay,
            PaymentMethod.BANK_TRANSFER: self.bank,
            PaymentMethod.KONBINI: self.konbini,
        }.get(method, True)
        return port is not None

    def _card_gateway(self, order: Order) -> PaymentGateway:
        gateway = self.amazon_pay if order.payment.method is PaymentMethod.AMAZON_PAY else None
        gateway = gateway or self.gateway
        assert gateway is not None
        return gateway

    # -- 受注 ----------------------------------------------------------------------------

    def order_plan(self, order: Order, total: Money, prefix: str = "") -> Plan:
        """The calls a new order's payment needs."""
        method = order.payment.method
        if method in _CARDLIKE:
            steps: dict[str, dict[str, str]] = {}
            if method is PaymentMethod.CARD and self.fraud is not None:
                steps[prefix + "fraud"] = {}
            steps[prefix + "authorize"] = {}
            return steps, [(prefix + "authorize", PaymentOp.AUTHORIZE, total)]
        if method is PaymentMethod.POSTPAY:
            return {prefix + "postpay:register": {}}, [
                (prefix + "postpay:register", PaymentOp.AUTHORIZE, total)
            ]
        if method is PaymentMethod.BANK_TRANSFER:
            return {prefix + "bank:issue": {}}, []
        if method is PaymentMethod.KONBINI:
            return {prefix + "konbini:issue": {}}, []
        return {}, []

    def at_order(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        prefix: str = "",
    ) -> Order:
        """Authorize, check credit or issue payment details; hold what must wait.

        A refused payment leaves the order cancelled (saved) and raises
        :class:`~orderflow.errors.PaymentDeclined`, except a declined 後払い under the
        ``ASK_ANOTHER_METHOD`` policy, which holds the order and asks the customer.
        """
        method = base.payment.method
        if method in _CARDLIKE:
            return self._authorize_at_order(base, result, keys, ctx, total, prefix)
        if method is PaymentMethod.POSTPAY:
            return self._register_postpay(base, result, keys, ctx, total, prefix)
        if method is PaymentMethod.BANK_TRANSFER:
            return self._issue_account(base, result, keys, ctx, total, prefix)
        if method is PaymentMethod.KONBINI:
            return self._issue_konbini(base, result, keys, ctx, total, prefix)
        return result

    def _refuse(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        reason: str,
        code: str,
        notice: str,
        prefix: str = "",
    ) -> PaymentDeclined:
        """Cancel the new order, tell the customer, save; the error for the caller to raise.

        With a ``prefix`` the payment is being opened for an existing order (a change of method,
        a split part): nothing is saved, the caller's command fails as a whole.
        """
        if prefix:
            return PaymentDeclined(reason, code=code)
        cancelled, _ = lifecycle.cancel(result, replace(ctx, actor="system", reason=reason))
        if notice == "cancellation":
            cancelled = self.runner.notify(
                cancelled, notice, ctx, notice, cancelled_at=ctx.at, reason=reason
            )
        else:
            cancelled = self.runner.notify(cancelled, notice, ctx, notice, reason=reason)
        self.runner.finish(base, cancelled, keys)
        return PaymentDeclined(reason, code=code)

    def _authorize_at_order(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        prefix: str = "",
    ) -> Order:
        review = False
        if prefix + "fraud" in keys and self.fraud is not None:
            verdict = self.runner.call(
                base,
                prefix + "fraud",
                keys[prefix + "fraud"],
                self.fraud.screen,
                order_number=base.number,
                customer=base.customer,
                ship_to=base.ship_to,
                amount=total,
            )
            if verdict.verdict is FraudVerdict.REJECT:
                failed = self._entry(
                    PaymentOp.AUTHORIZE, total, keys[prefix + "authorize"], ctx, failed=True
                )
                result, _ = lifecycle.record_payment(result, failed, ctx)
                reason = f"fraud screen rejected the order: {verdict.reason}"
                raise self._refuse(
                    base, result, keys, ctx, reason, "fraud_rejected", "cancellation", prefix=prefix
                )
            review = verdict.verdict is FraudVerdict.REVIEW
        try:
            auth = self.runner.call(
                base,
                prefix + "authorize",
                keys[prefix + "authorize"],
                self._card_gateway(base).authorize,
                order_number=base.number,
                amount=total,
                token=base.payment.token,
            )
        except PaymentDeclined as declined:
            failed = self._entry(
                PaymentOp.AUTHORIZE,
                total,
                keys[prefix + "authorize"],
                ctx,
                failed=True,
                detail=str(declined),
            )
            result, _ = lifecycle.record_payment(result, failed, ctx)
            reason = f"card declined: {declined.reason}"
            raise self._refuse(
                base, result, keys, ctx, reason, declined.code, "payment_failed", prefix=prefix
            ) from declined
        authorized = _authorized(auth, keys[prefix + "authorize"], ctx)
        result, _ = lifecycle.record_payment(result, authorized, ctx)
        if review:
            result, _ = lifecycle.raise_hold(
                result,
                HoldCode.FRAUD_REVIEW,
                "不正検知の審査待ち",
                ctx,
                message_en="fraud screen asks for review",
            )
        return result

    def _register_postpay(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        prefix: str = "",
    ) -> Order:
        assert self.postpay is not None
        key = keys[prefix + "postpay:register"]
        decision = self.runner.call(
            base,
            prefix + "postpay:register",
            key,
            self.postpay.register,
            order_number=base.number,
            customer=base.customer,
            ship_to=base.ship_to,
            amount=total,
        )
        result = _with_instructions(result, reference=decision.reference)
        return self._apply_credit(base, result, keys, ctx, decision, key, total, prefix)

    def _apply_credit(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        decision: CreditDecision,
        key: str,
        total: Money,
        prefix: str = "",
    ) -> Order:
        if decision.status is CreditStatus.APPROVED:
            entry = PaymentEntry(
                PaymentOp.AUTHORIZE,
                total,
                key,
                PaymentOutcome.SUCCEEDED,
                ctx.at,
                decision.reference,
            )
            result, _ = lifecycle.record_payment(result, entry, ctx)
            return lifecycle.clear_holds(result, [HoldCode.POSTPAY_REVIEW], ctx)
        if decision.status is CreditStatus.PENDING:
            result, _ = lifecycle.raise_hold(
                result,
                HoldCode.POSTPAY_REVIEW,
                "後払い与信の審査待ち",
                ctx,
                message_en="credit check under review",
            )
            return result
        failed = self._entry(
            PaymentOp.AUTHORIZE, total, key, ctx, failed=True, detail=decision.reason
        )
        result, _ = lifecycle.record_payment(result, failed, ctx)
        result = lifecycle.clear_holds(result, [HoldCode.POSTPAY_REVIEW], ctx)
        reason = f"後払い credit declined: {decision.reason or 'no reason given'}"
        policy = self.runner.settings.postpay_declined
        if policy is PostpayDeclined.CANCEL and result.status is OrderStatus.ORDERED:
            raise self._refuse(
                base, result, keys, ctx, reason, "postpay_declined", "payment_failed", prefix=prefix
            )
        result, _ = lifecycle.raise_hold(
            result,
            HoldCode.POSTPAY_DECLINED,
            "別の決済方法を選んでください",
            ctx,
            message_en="choose another method",
        )
        return self.runner.notify(result, "payment_failed", ctx, "payment_failed", reason=reason)

    def _issue_account(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        prefix: str = "",
    ) -> Order:
        assert self.bank is not None
        account = self.runner.call(
            base,
            prefix + "bank:issue",
            keys[prefix + "bank:issue"],
            self.bank.issue_account,
            order_number=base.number,
            amount=total,
        )
        result = _with_instructions(
            result,
            account=account.account,
            bank=f"{account.bank_name} ({account.bank_code})",
            branch=f"{account.branch_name} ({account.branch_code})",
            account_type=account.account_type,
            account_number=account.account_number,
            holder=account.holder,
        )
        result, _ = lifecycle.raise_hold(
            result,
            HoldCode.PAYMENT_PENDING,
            "入金待ち",
            ctx,
            message_en="waiting for the bank transfer",
        )
        return self.runner.notify(
            result,
            "payment_request_bank",
            ctx,
            "payment_request",
            total=total,
            bank=account.bank_name,
            branch=account.branch_name,
            account_type=account.account_type,
            account_number=account.account_number,
            holder=account.holder,
        )

    def _issue_konbini(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        prefix: str = "",
    ) -> Order:
        result, slip = self._konbini_slip(base, result, keys, ctx, total, prefix + "konbini:issue")
        result, _ = lifecycle.raise_hold(
            result,
            HoldCode.PAYMENT_PENDING,
            "コンビニ入金待ち",
            ctx,
            message_en="waiting for the konbini payment",
        )
        return self._request_konbini_payment(result, ctx, total, slip, "payment_request")

    # -- 出荷 ------------------------------------------------------------------------------

    def with_cod(
        self, order: Order, shipments: tuple[Shipment, ...], total: Money
    ) -> tuple[Shipment, ...]:
        """代引き: the first shipment carries the whole amount to collect."""
        if order.payment.method is not PaymentMethod.COD or not shipments:
            return shipments
        return (replace(shipments[0], cod_amount=total), *shipments[1:])

    def shipping_plan(self, order: Order, total: Money) -> Plan:
        """The calls the last shipment's departure needs: capture, or the 後払い report."""
        method = order.payment.method
        if method in _CARDLIKE:
            open_amount = order.payment.open_authorization
            amount = min(total, open_amount, key=lambda m: m.amount)
            steps: dict[str, dict[str, str]] = {"capture": {}}
            requests: list[Request] = [("capture", PaymentOp.CAPTURE, amount)]
            if open_amount > amount:
                steps["void:remainder"] = {}
                requests.append(("void:remainder", PaymentOp.VOID, open_amount - amount))
            return steps, requests
        if method is PaymentMethod.POSTPAY:
            claim = order.payment.authorized - order.payment.voided
            return {"postpay:report": {}}, [("postpay:report", PaymentOp.CAPTURE, claim)]
        return {}, []

    def at_shipping(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        shipment: Shipment,
        tracking_number: str | None,
    ) -> Order:
        """Capture the card (and release what is not captured), or report the 後払い shipment."""
        if "capture" in keys:
            authorization = base.payment.last(PaymentOp.AUTHORIZE)
            assert authorization is not None
            result = self._gateway(
                base,
                result,
                keys,
                ctx,
                "capture",
                PaymentOp.CAPTURE,
                authorization=authorization.reference,
            )
            if "void:remainder" in keys:
                result = self._gateway(
                    base,
                    result,
                    keys,
                    ctx,
                    "void:remainder",
                    PaymentOp.VOID,
                    authorization=authorization.reference,
                )
        if "postpay:report" in keys:
            assert self.postpay is not None
            claim = base.payment.instruction("reference")
            assert claim is not None
            amount = _requested(base, keys["postpay:report"])
            reference = self.runner.call(
                base,
                "postpay:report",
                keys["postpay:report"],
                self.postpay.report_shipment,
                reference=claim,
                carrier=shipment.carrier,
                tracking_number=tracking_number or "",
            )
            result = self._record(
                result, PaymentOp.CAPTURE, amount, keys["postpay:report"], ctx, reference
            )
        return result

    def at_delivery(self, order: Order, shipment: Shipment, ctx: Context) -> Order:
        """代引き: the carrier collected the amount on delivery."""
        if shipment.cod_amount is None or not shipment.cod_amount:
            return order
        key = f"{order.number}:cod:{shipment.shipment_id}"
        return self._record(
            order, PaymentOp.RECEIVE, shipment.cod_amount, key, ctx, shipment.shipment_id
        )

    # -- キャンセル ----------------------------------------------------------------------------

    def cancel_plan(self, order: Order, prefix: str = "") -> Plan:
        """The calls a cancel needs: void, cancel a claim, withdraw a number, free an account."""
        payment = order.payment
        method = payment.method
        steps: dict[str, dict[str, str]] = {}
        requests: list[Request] = []
        if method in _CARDLIKE and payment.open_authorization:
            steps[prefix + "void"] = {}
            requests.append((prefix + "void", PaymentOp.VOID, payment.open_authorization))
        elif method is PaymentMethod.POSTPAY and payment.instruction("reference"):
            if not _claim_cancelled(order):
                steps[prefix + "postpay:cancel"] = {}
                held = payment.authorized - payment.voided
                if held:
                    requests.append((prefix + "postpay:cancel", PaymentOp.VOID, held))
        elif method is PaymentMethod.BANK_TRANSFER and payment.instruction("account"):
            steps[prefix + "bank:release"] = {}
        elif (
            method is PaymentMethod.KONBINI
            and payment.instruction("payment_number")
            and not payment.received
        ):
            steps[prefix + "konbini:cancel"] = {}
        return steps, requests

    def at_cancel(
        self, base: Order, result: Order, keys: Mapping[str, str], ctx: Context, prefix: str = ""
    ) -> Order:
        """Give the money back the way the method needs; money already received is owed back."""
        payment = base.payment
        if prefix + "void" in keys:
            authorization = payment.last(PaymentOp.AUTHORIZE)
            assert authorization is not None
            result = self._gateway(
                base,
                result,
                keys,
                ctx,
                prefix + "void",
                PaymentOp.VOID,
                authorization=authorization.reference,
            )
        if prefix + "postpay:cancel" in keys:
            assert self.postpay is not None
            claim = payment.instruction("reference")
            self.runner.call(
                base,
                prefix + "postpay:cancel",
                keys[prefix + "postpay:cancel"],
                self.postpay.cancel,
                reference=claim,
            )
            held = payment.authorized - payment.voided
            if held:
                result = self._record(
                    result, PaymentOp.VOID, held, keys[prefix + "postpay:cancel"], ctx, claim or ""
                )
            else:
                result, _ = lifecycle.record_fact(result, ctx, "postpay_claim_cancelled")
            for entry in payment.ledger:
                if entry.op is PaymentOp.AUTHORIZE and entry.outcome in _OPEN:
                    # the credit check never came back: the claim is gone, and so is the request
                    failed = replace(
                        entry,
                        outcome=PaymentOutcome.FAILED,
                        at=ctx.at,
                        detail="claim cancelled before the credit decision",
                    )
                    result, _ = lifecycle.record_payment(result, failed, ctx)
        if prefix + "bank:release" in keys:
            assert self.bank is not None
            self.runner.call(
                base,
                prefix + "bank:release",
                keys[prefix + "bank:release"],
                self.bank.release_account,
                account=payment.instruction("account"),
            )
        if prefix + "konbini:cancel" in keys:
            assert self.konbini is not None
            self.runner.call(
                base,
                prefix + "konbini:cancel",
                keys[prefix + "konbini:cancel"],
                self.konbini.cancel,
                payment_number=payment.instruction("payment_number"),
            )
        owed = payment.received - payment.refund_owed
        if owed:
            key = f"{base.number}:refund_owed:cancel"
            result = self._record(result, PaymentOp.REFUND_OWED, owed, key, ctx, "")
        return result

    def release_plan(self, order: Order) -> dict[str, dict[str, str]]:
        """At booking: free the virtual account for reuse."""
        if order.payment.method is PaymentMethod.BANK_TRANSFER and order.payment.instruction(
            "account"
        ):
            return {"bank:release": {}}
        return {}

    def release_account(self, base: Order, keys: Mapping[str, str]) -> None:
        """Hand the virtual account back to the bank."""
        if "bank:release" in keys and self.bank is not None:
            self.runner.call(
                base,
                "bank:release",
                keys["bank:release"],
                self.bank.release_account,
                account=base.payment.instruction("account"),
            )

    # -- 返金 ------------------------------------------------------------------------------

    def refundable(self, order: Order) -> Money:
        """What can still be paid back: captured less refunded, or received less owed back."""
        payment = order.payment
        if payment.method in _CARDLIKE or payment.method is PaymentMethod.POSTPAY:
            return payment.captured - payment.refunded
        return payment.received - payment.refund_owed

    def refund_plan(self, order: Order, amount: Money) -> Plan:
        """The calls a refund of ``amount`` needs (none when it is paid by bank transfer)."""
        if order.status not in _AFTER_SHIPPING:
            raise MoveNotAllowed(order.number, order.status.name, "refund", ["cancel"])
        if not isinstance(amount, Money) or amount.amount <= 0:
            raise InvalidValue("amount", amount, "a positive Money")
        limit = self.refundable(order)
        if amount > limit:
            raise InvalidValue("amount", amount.amount, f"no more than {limit} (what was paid)")
        n = _round(order, "refund:")
        in_flight = order.intent(f"refund:{n}")
        if in_flight is not None:
            entry = order.payment.entry(in_flight.key)
            if entry is not None and entry.amount != amount:
                raise InvalidValue(
                    "amount",
                    amount.amount,
                    f"{entry.amount.amount}, the amount of the refund whose outcome is unknown "
                    "(retry it first)",
                )
        method = order.payment.method
        if method in _CARDLIKE:
            return {f"refund:{n}": {}}, [(f"refund:{n}", PaymentOp.REFUND, amount)]
        if method is PaymentMethod.POSTPAY:
            steps: dict[str, dict[str, str]] = {f"postpay:cancel:{n}": {}, f"refund:{n}": {}}
            rest = limit - amount
            if rest:
                steps[f"postpay:register:{n}"] = {}
                steps[f"postpay:report:{n}"] = {}
            return steps, [(f"refund:{n}", PaymentOp.REFUND, amount)]
        return {f"refund:{n}": {}}, [(f"refund:{n}", PaymentOp.REFUND_OWED, amount)]

    def refund(
        self, base: Order, result: Order, keys: Mapping[str, str], ctx: Context, amount: Money
    ) -> Order:
        """Pay back through the provider, or record the amount owed by bank transfer."""
        method = base.payment.method
        step = next(s for s in keys if s.startswith("refund:"))
        if method in _CARDLIKE:
            capture = base.payment.last(PaymentOp.CAPTURE)
            assert capture is not None
            return self._gateway(
                base, result, keys, ctx, step, PaymentOp.REFUND, capture=capture.reference
            )
        if method is PaymentMethod.POSTPAY:
            return self._refund_postpay(base, result, keys, ctx, amount, step)
        return self._record(result, PaymentOp.REFUND_OWED, amount, keys[step], ctx, "")

    def _refund_postpay(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        amount: Money,
        step: str,
    ) -> Order:
        """後払い after the report: register and report the rest, then cancel the old claim.

        The new claim comes first: if its credit check does not approve it, the refund is refused
        (:class:`~orderflow.errors.PaymentDeclined`, the attempt recorded as failed) and the old
        claim stands, untouched.
        """
        assert self.postpay is not None
        n = step.split(":")[1]
        claim = base.payment.instruction("reference")
        new_claim = ""
        if f"postpay:register:{n}" in keys:
            rest = self.refundable(base) - amount
            decision = self.runner.call(
                base,
                f"postpay:register:{n}",
                keys[f"postpay:register:{n}"],
                self.postpay.register,
                order_number=base.number,
                customer=base.customer,
                ship_to=base.ship_to,
                amount=rest,
            )
            if decision.status is not CreditStatus.APPROVED:
                failed = self._entry(
                    PaymentOp.REFUND, amount, keys[step], ctx, failed=True, detail="rebill declined"
                )
                refused, _ = lifecycle.record_payment(result, failed, ctx)
                self.runner.finish(base, refused, keys)
                raise PaymentDeclined(
                    f"the 後払い provider did not approve the remaining {rest} "
                    f"({decision.status.value}); refund by bank transfer instead",
                    code="postpay_rebill_declined",
                )
            new_claim = decision.reference
            last = _last_shipped(base)
            self.runner.call(
                base,
                f"postpay:report:{n}",
                keys[f"postpay:report:{n}"],
                self.postpay.report_shipment,
                reference=new_claim,
                carrier=last.carrier if last else "",
                tracking_number=(last.tracking_number or "") if last else "",
            )
            result = _with_instructions(result, reference=new_claim)
        self.runner.call(
            base,
            f"postpay:cancel:{n}",
            keys[f"postpay:cancel:{n}"],
            self.postpay.cancel,
            reference=claim,
        )
        return self._record(
            result, PaymentOp.REFUND, amount, keys[step], ctx, new_claim or (claim or "")
        )

    # -- 変更に伴う決済 -------------------------------------------------------------------

    def adjust_plan(self, order: Order, total: Money) -> Plan:
        """The calls the payment needs when the total of a same-method order became ``total``.

        Card and Amazon Pay: a new authorization with the stored token (the old one voided) when
        the open authorization no longer covers the total; a smaller total is simply captured
        smaller at shipping. 後払い: an amendment of the claim. Konbini, unpaid: a new number
        for the new amount. Bank transfer and COD need no call.
        """
        payment = order.payment
        method = payment.method
        if method in _CARDLIKE:
            if payment.open_authorization and payment.open_authorization < total:
                return self.reauthorize_plan(order, total)
            return {}, []
        if method is PaymentMethod.POSTPAY and payment.instruction("reference"):
            if payment.authorized - payment.voided != total:
                n = _round(order, "postpay:amend:", event="postpay_amended")
                return {f"postpay:amend:{n}": {"amount": str(total.amount)}}, []
            return {}, []
        if method is PaymentMethod.KONBINI and payment.instruction("payment_number"):
            if payment.received:
                if total > payment.received:
                    raise InvalidValue(
                        "total",
                        total.amount,
                        f"no more than the {payment.received.amount} already paid at the "
                        "store (cancel the order and place a new one)",
                    )
                return {}, []
            n = _round(order, "konbini:reissue:", event="konbini_reissued")
            amount = {"amount": str(total.amount)}
            return {f"konbini:cancel:{n}": {}, f"konbini:reissue:{n}": amount}, []
        return {}, []

    def pending_adjustment(self, order: Order) -> dict[str, dict[str, str]]:
        """The payment-following steps an earlier command started and did not finish."""
        prefixes = (
            "reauthorize:",
            "void:",
            "postpay:amend:",
            "konbini:cancel:",
            "konbini:reissue:",
        )
        return {i.step: dict(i.params) for i in order.intents if i.step.startswith(prefixes)}

    def adjust(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
    ) -> Order:
        """Make the payment follow the new total (see :meth:`adjust_plan`).

        The amounts asked for are those recorded when the steps began, so that finishing an
        interrupted adjustment asks the provider for exactly what it was asked the first time.
        """
        if any(step.startswith("reauthorize:") for step in keys):
            return self.reauthorize(base, result, keys, ctx, total)
        amend = next((step for step in keys if step.startswith("postpay:amend:")), None)
        if amend is not None:
            return self._amend_postpay(base, result, keys, ctx, _param_amount(base, amend), amend)
        reissue = next((step for step in keys if step.startswith("konbini:reissue:")), None)
        if reissue is not None:
            amount = _param_amount(base, reissue)
            return self._reissue_konbini(base, result, keys, ctx, amount, reissue)
        direct = (PaymentMethod.BANK_TRANSFER, PaymentMethod.KONBINI)
        if result.payment.method in direct and result.payment.received:
            return self.settle_received(result, ctx, "change", total, tell=False)
        return result

    def _amend_postpay(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        step: str,
    ) -> Order:
        assert self.postpay is not None
        decision = self.runner.call(
            base,
            step,
            keys[step],
            self.postpay.amend,
            reference=base.payment.instruction("reference"),
            amount=total,
        )
        held = base.payment.authorized - base.payment.voided
        result, _ = lifecycle.record_fact(
            result, ctx, "postpay_amended", details={"status": decision.status.value}
        )
        if decision.status is CreditStatus.APPROVED:
            if total > held:
                return self._record(
                    result, PaymentOp.AUTHORIZE, total - held, keys[step], ctx, decision.reference
                )
            return self._record(
                result, PaymentOp.VOID, held - total, keys[step], ctx, decision.reference
            )
        code, ja, en = (
            (HoldCode.POSTPAY_REVIEW, "後払い与信の審査待ち", "credit check under review")
            if decision.status is CreditStatus.PENDING
            else (
                HoldCode.POSTPAY_DECLINED,
                "別の決済方法を選んでください",
                "choose another method",
            )
        )
        result, _ = lifecycle.raise_hold(result, code, ja, ctx, message_en=en)
        return result

    def _reissue_konbini(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        step: str,
    ) -> Order:
        assert self.konbini is not None
        n = step.rsplit(":", 1)[1]
        self.runner.call(
            base,
            f"konbini:cancel:{n}",
            keys[f"konbini:cancel:{n}"],
            self.konbini.cancel,
            payment_number=base.payment.instruction("payment_number"),
        )
        result, slip = self._konbini_slip(base, result, keys, ctx, total, step)
        result, _ = lifecycle.record_fact(
            result, ctx, "konbini_reissued", details={"payment_number": slip.payment_number}
        )
        return self._request_konbini_payment(result, ctx, total, slip, f"payment_request:{step}")

    def _request_konbini_payment(
        self, order: Order, ctx: Context, total: Money, slip: KonbiniSlip, step: str
    ) -> Order:
        """Tell the customer the number, amount and deadline."""
        return self.runner.notify(
            order,
            "payment_request_konbini",
            ctx,
            step,
            total=total,
            payment_number=slip.payment_number,
            deadline=slip.deadline,
            url=slip.url,
        )

    def _konbini_slip(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        step: str,
    ) -> tuple[Order, KonbiniSlip]:
        """Issue a konbini number for ``total``, valid ``konbini_days``; keep it on the order."""
        assert self.konbini is not None
        deadline = ctx.at + timedelta(days=self.runner.settings.konbini_days)
        slip = self.runner.call(
            base,
            step,
            keys[step],
            self.konbini.issue,
            order_number=base.number,
            amount=total,
            deadline=deadline,
        )
        result = _with_instructions(
            result,
            payment_number=slip.payment_number,
            deadline=slip.deadline.isoformat(),
            url=slip.url,
        )
        return result, slip

    def settle_received(
        self, order: Order, ctx: Context, step: str, total: Money, *, tell: bool = True
    ) -> Order:
        """Money received (deposits, konbini, COD) measured against ``total``.

        Covered: the waiting holds are cleared and any excess not yet owed back is recorded as
        owed. Short: the order is held for the shortfall. With ``tell`` the customer hears which.
        """
        payment = order.payment
        received = payment.received
        waiting = (HoldCode.PAYMENT_PENDING, HoldCode.PAYMENT_SHORTFALL)
        if received >= total:
            order = lifecycle.clear_holds(order, waiting, ctx)
            excess = received - total - payment.refund_owed
            if excess.amount > 0:
                n = sum(1 for e in payment.ledger if e.op is PaymentOp.REFUND_OWED) + 1
                key = f"{order.number}:refund_owed:settle:{n}"
                order = self._record(order, PaymentOp.REFUND_OWED, excess, key, ctx, "")
            if not tell:
                return order
            return self.runner.notify(
                order, "payment_received", ctx, f"payment_received:{step}", total=received
            )
        short = total - received
        order = lifecycle.clear_holds(order, waiting, ctx)
        order, _ = lifecycle.raise_hold(
            order,
            HoldCode.PAYMENT_SHORTFALL,
            f"入金不足: あと{short.amount}{short.currency}",
            ctx,
            message_en=f"short by {short.amount} {short.currency}",
        )
        if not tell:
            return order
        return self.runner.notify(
            order,
            "payment_shortfall",
            ctx,
            f"payment_shortfall:{step}:{received.amount}",
            total=total,
            received=received,
            shortfall=short,
        )

    def switch_plan(self, before: Order, after: Order, total: Money, n: int) -> Plan:
        """A change of payment method: open the new payment, then close the old one."""
        prefix = f"switch:{n}:"
        opened, open_requests = self.order_plan(after, total, prefix)
        closed, close_requests = self.cancel_plan(before, prefix)
        return {**opened, **closed}, [*open_requests, *close_requests]

    def switch(
        self,
        before: Order,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        total: Money,
        n: int,
    ) -> Order:
        """Open the new method's payment (a refusal fails the whole change), then close the old."""
        prefix = f"switch:{n}:"
        result = self.at_order(base, result, keys, ctx, total, prefix)
        old_view = replace(base, payment=replace(before.payment, ledger=base.payment.ledger))
        return self.at_cancel(old_view, result, keys, ctx, prefix)

    # -- 再オーソリ -------------------------------------------------------------------------------

    def needs_reauthorization(self, order: Order, now: datetime) -> bool:
        """A card or Amazon Pay authorization that lapses soon, on an order not shipped yet."""
        payment = order.payment
        if payment.method not in _CARDLIKE or order.status.is_final:
            return False
        if order.status in _AFTER_SHIPPING or not payment.open_authorization:
            return False
        last = payment.last(PaymentOp.AUTHORIZE)
        if last is None:
            return False
        settings = self.runner.settings
        expires = last.expires_at or last.at + timedelta(days=settings.authorization_days)
        return expires <= now + timedelta(days=settings.reauthorize_within_days)

    def reauthorize_plan(self, order: Order, total: Money) -> Plan:
        """A new authorization with the stored token, then the old one voided."""
        n = _round(order, "reauthorize:")
        old = order.payment.open_authorization
        return (
            {f"reauthorize:{n}": {}, f"void:{n}": {}},
            [(f"reauthorize:{n}", PaymentOp.AUTHORIZE, total), (f"void:{n}", PaymentOp.VOID, old)],
        )

    def reauthorize(
        self, base: Order, result: Order, keys: Mapping[str, str], ctx: Context, total: Money
    ) -> Order:
        """Authorize again; void the old one; on a decline, hold the order and tell the customer."""
        step = next(s for s in keys if s.startswith("reauthorize:"))
        void_step = step.replace("reauthorize:", "void:")
        total = _requested(base, keys[step])  # a retry asks for what the first attempt asked
        old = base.payment.last(PaymentOp.AUTHORIZE)
        assert old is not None
        gateway = self._card_gateway(base)
        try:
            auth = self.runner.call(
                base,
                step,
                keys[step],
                gateway.authorize,
                order_number=base.number,
                amount=total,
                token=base.payment.token,
            )
        except PaymentDeclined as declined:
            failed = self._entry(
                PaymentOp.AUTHORIZE, total, keys[step], ctx, failed=True, detail=str(declined)
            )
            result, _ = lifecycle.record_payment(result, failed, ctx)
            result, _ = lifecycle.raise_hold(
                result,
                HoldCode.AUTHORIZATION_FAILED,
                "再オーソリ失敗",
                ctx,
                message_en="the card could not be authorized again",
            )
            return self.runner.notify(
                result, "payment_failed", ctx, f"payment_failed:{step}", reason=declined.reason
            )
        result, _ = lifecycle.record_payment(result, _authorized(auth, keys[step], ctx), ctx)
        result = self._gateway(
            base, result, keys, ctx, void_step, PaymentOp.VOID, authorization=old.reference
        )
        result = lifecycle.clear_holds(result, [HoldCode.AUTHORIZATION_FAILED], ctx)
        return self.runner.notify(
            result,
            "authorization_renewed",
            ctx,
            f"authorization_renewed:{step}",
            total=total,
            expires_at=auth.expires_at or ctx.at,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _entry(
        self,
        op: PaymentOp,
        amount: Money,
        key: str,
        ctx: Context,
        *,
        failed: bool = False,
        detail: str = "",
    ) -> PaymentEntry:
        outcome = PaymentOutcome.FAILED if failed else PaymentOutcome.SUCCEEDED
        return PaymentEntry(op, amount, key, outcome, ctx.at, detail=detail)

    def _gateway(
        self,
        base: Order,
        result: Order,
        keys: Mapping[str, str],
        ctx: Context,
        step: str,
        op: PaymentOp,
        **target: str,
    ) -> Order:
        """One keyed gateway call (capture, void, refund) for the amount its request recorded."""
        amount = _requested(base, keys[step])
        call = getattr(self._card_gateway(base), op.value)
        reference = self.runner.call(base, step, keys[step], call, amount=amount, **target)
        return self._record(result, op, amount, keys[step], ctx, reference)

    def _record(
        self, order: Order, op: PaymentOp, amount: Money, key: str, ctx: Context, reference: str
    ) -> Order:
        entry = PaymentEntry(op, amount, key, PaymentOutcome.SUCCEEDED, ctx.at, reference)
        recorded, _ = lifecycle.record_payment(order, entry, ctx)
        return recorded


def _round(order: Order, prefix: str, *, event: str | None = None) -> int:
    """The number of a repeatable step: the one in flight if its key is recorded, else the next.

    A refund or re-authorization that timed out keeps its intent; the retry must find it and
    reuse its key, never make a new one. A finished round is known by its final ledger entry,
    or, for steps that may end without one, by the history ``event`` every round records.
    """
    numbers = [int(i.step.rsplit(":", 1)[1]) for i in order.intents if i.step.startswith(prefix)]
    if numbers:
        return numbers[0]
    if event is not None:
        return 1 + sum(1 for e in order.history if e.name == event)
    done = {e.key for e in order.payment.ledger if e.outcome in _FINAL}
    n = 1
    while f"{order.number}:{prefix}{n}" in done:
        n += 1
    return n


def _authorized(auth: Authorization, key: str, ctx: Context) -> PaymentEntry:
    """The ledger entry of a successful authorization, with its expiry."""
    return PaymentEntry(
        PaymentOp.AUTHORIZE,
        auth.amount,
        key,
        PaymentOutcome.SUCCEEDED,
        ctx.at,
        auth.reference,
        expires_at=auth.expires_at,
    )


def _param_amount(order: Order, step: str) -> Money:
    """The amount recorded with a step's intent (so that a retry asks for the same)."""
    intent = order.intent(step)
    assert intent is not None, step
    return Money.of(intent.param("amount"), order.currency)


def _requested(order: Order, key: str) -> Money:
    """The amount recorded with the request under ``key``."""
    entry = order.payment.entry(key)
    assert entry is not None, key
    return entry.amount


def _with_instructions(order: Order, **values: str) -> Order:
    kept = tuple((k, v) for k, v in order.payment.instructions if k not in values)
    payment = replace(order.payment, instructions=(*kept, *values.items()))
    return replace(order, payment=payment)


def _claim_cancelled(order: Order) -> bool:
    return any(e.name == "postpay_claim_cancelled" for e in order.history) or bool(
        order.payment.voided
        and order.payment.voided >= order.payment.authorized
        and order.payment.authorized
    )


def _last_shipped(order: Order) -> Shipment | None:
    shipped = [s for s in order.shipments if s.shipped_at is not None]
    return shipped[-1] if shipped else None

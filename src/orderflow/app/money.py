"""返金, 再オーソリ, 後払い, コンビニ入金, 入金消込: money after the order was placed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from orderflow.app._inputs import check_number, check_text
from orderflow.app.base import DeskBase, refund_refused
from orderflow.domain import lifecycle
from orderflow.domain.bounds import check_moment
from orderflow.domain.decisions import money
from orderflow.domain.decisions.cancelling import cancel_order
from orderflow.domain.deposits import Deposit, OpenAccount, Reconciliation, reconcile
from orderflow.domain.events import RefundRefused, RefundRequested
from orderflow.domain.lifecycle import Context
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.outbox import Plan
from orderflow.domain.payments.direct import konbini_lapsed
from orderflow.domain.payments.payback import still_due
from orderflow.domain.queues import (
    ACCOUNT_INDEX,
    DEPOSIT_INDEX,
    REFUND_INDEX,
    open_account,
    tracking_keys,
)
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRate
from orderflow.errors import (
    DepositTaken,
    InvalidValue,
    MoveNotAllowed,
    OrderflowError,
    StoreError,
)
from orderflow.zengin import read_transfer_notice

__all__ = ["DepositReport", "MoneyCommands"]


class DepositReport:
    """What a reconciliation did: the pure matching and the orders it changed."""

    def __init__(
        self,
        reconciliation: Reconciliation,
        orders: list[Order],
        taken_by: dict[str, list[str]] | None = None,
        taken_back: list[Order] | None = None,
        retry: tuple[Deposit, ...] = (),
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.reconciliation = reconciliation
        """Every deposit: matched (exact, short, over), unmatched, repeated, cancelled, reversed."""
        self.orders = orders
        """The orders saved with their new deposits, in the order first touched."""
        self.taken_by = taken_by or {}
        """For each deposit :attr:`reversed`, by reference: the orders that took it."""
        self.taken_back = taken_back or []
        """The orders a deposit was taken back from (:attr:`reversed`), as saved: the money no
        longer counts as received; one left short is held ``payment_shortfall``."""
        self.retry = retry
        """The deposits (and 取消) of orders whose command failed (stuck on an effect a provider
        keeps refusing, saved by another worker first, a provider's silence): maybe not applied.
        Give them again (read the file again) once the order is resolved: they count once."""
        self.errors = errors
        """(order number, error) of each order whose deposits are in :attr:`retry`."""

    @property
    def reversed(self) -> tuple[Deposit, ...]:
        """取消 records of deposits orders took before: the bank took that money back.

        Each order that took it (:attr:`taken_by`) no longer counts it (:attr:`taken_back`),
        except a booked one, whose money is the books', and one whose deposit the 取消 does not
        match in amount (:attr:`not_taken_back`). A person looks: an order left short may have
        shipped on the money.
        """
        return self.reconciliation.reversed

    @property
    def not_taken_back(self) -> dict[str, list[str]]:
        """By reference, the orders that took a reversed deposit and kept it: unchanged.

        A booked order (its money is the books'), or a 取消 of another amount than the deposit.
        """
        back = {o.number for o in self.taken_back}
        left = {
            ref: [n for n in holders if n not in back] for ref, holders in self.taken_by.items()
        }
        return {ref: numbers for ref, numbers in left.items() if numbers}

    @property
    def unmatched(self) -> tuple[Deposit, ...]:
        """Deposits no open order holds the account of: for a person to look at (入金不明)."""
        return self.reconciliation.unmatched


class MoneyCommands(DeskBase):
    """Money after the order was placed."""

    def refund(
        self,
        number: str,
        amount: Money,
        *,
        reason: str,
        actor: str = "operator",
        request_id: str | None = None,
        by_transfer: bool = False,
        rate: TaxRate | None = None,
    ) -> Order:
        """返金: pay back (part of) what was paid, after shipping (a return, a goodwill refund).

        Taken from 出荷済 on, or in 出荷指示済 once a parcel has left (up to what was paid so
        far), unless units still wait for stock (分納: ``MoveBlocked``, as dropping them would
        change the tax rates the refund takes its share of). Before that: ``MoveNotAllowed``.

        Card and Amazon Pay refund through the gateway; 後払い bills only the rest again and
        cancels the old claim (refused, :class:`~orderflow.errors.PaymentDeclined`, if the
        provider will not bill the rest); bank transfer, konbini and COD record the amount as owed
        back by bank transfer. ``by_transfer=True`` records it as owed back by bank transfer
        whatever the method, asking no provider: how a person pays back a 後払い return the
        provider refused (its ``refund_failed`` hold is cleared once
        :meth:`record_refund_transfer` records the transfer). Give a ``request_id`` to make a
        repeat safe: the same id returns the first result and pays nothing more.

        It goes in the books as a price reduction (売上値引, :func:`~orderflow.goodwill_entry`):
        at once when the order is booked, else at booking, after the sale's entry; once each.
        It is shared over the order's tax rates by what each still holds, unless ``rate`` names
        the one it belongs to: ``rate=TaxRate.STANDARD`` for a shipping fee refunded (送料返金),
        up to what that rate still holds (``InvalidValue`` naming ``amount`` beyond it).
        """
        check_text(reason, "reason", required=True, limit=1000, breaks=True)
        if not isinstance(by_transfer, bool):
            raise InvalidValue("by_transfer", by_transfer, "True or False")
        if rate is not None and not isinstance(rate, TaxRate):
            raise InvalidValue("rate", rate, "a TaxRate (TaxRate.STANDARD or REDUCED), or None")

        def decide(order: Order, ctx: Context) -> Order:
            marked, _ = lifecycle.record_fact(
                order, ctx, RefundRequested, fields={"amount": str(amount)}
            )
            return money.goodwill_refund(  # refuses bad input
                marked, amount, ctx, self.rules, by_transfer=by_transfer, rate=rate
            )

        order = self._command(number, decide, actor=actor, reason=reason, request_id=request_id)
        if RefundRefused in self._after(order, RefundRequested):
            raise refund_refused(order)
        return order

    def _moment(self, now: object, field: str = "now") -> datetime:
        """``now`` checked (:func:`~orderflow.domain.bounds.check_moment`), or the clock's now."""
        if now is None:
            return self.executor.now()
        return check_moment(now, field)

    def refundable(self, order: Order) -> Money:
        """What can still be paid back: captured less refunded, or received less owed back.

        Owed points settled off an earlier refund (``Clawback.DEDUCT_FROM_REFUND``) are not:
        those yen paid the debt.
        """
        if not isinstance(order, Order):
            raise InvalidValue("order", order, "an Order (desk.get(number))")
        return money.refund_limit(order)

    def reauthorize_expiring(self, now: datetime | None = None) -> list[Order]:
        """再オーソリ sweep: authorize again every card whose authorization lapses soon.

        ``settings.reauthorize_within_days`` says how soon (an authorization living no longer
        than twice that: halfway through its life). A declined card puts the order on hold
        (``authorization_failed``) and tells the customer once; the sweep leaves it alone until
        the hold is cleared. One order's trouble never stops the sweep. Returns the orders
        touched.
        """
        moment = self._moment(now)
        touched = []
        ahead = timedelta(days=self.rules.settings.reauthorize_within_days)
        for candidate in self._orders_due(moment + ahead):
            if not money.needs_reauthorization(candidate, moment, self.rules):
                continue
            try:
                touched.append(
                    self._command(
                        candidate.number,
                        lambda order, ctx: (
                            money.reauthorize_order(order, self.rules)
                            if money.needs_reauthorization(order, moment, self.rules)
                            else order
                        ),
                        actor="system",
                        reason="authorization expiring",
                    )
                )
            except OrderflowError:
                continue
        return touched

    def record_konbini_payment(
        self, number: str, *, reference: str, amount: Money, paid_at: datetime | None = None
    ) -> Order:
        """コンビニ入金: the provider says the customer paid at the store.

        The same payment reference recorded twice counts once (the provider's report sent again);
        recorded again with another amount it is refused (``InvalidValue`` naming ``amount``) and
        nothing changes: a reference names one payment. Paid in full, the order's payment is
        confirmed, the customer told, and the order goes on by itself.
        """
        check_text(reference, "reference", required=True, limit=200)
        if not isinstance(amount, Money) or amount.amount <= 0:
            raise InvalidValue("amount", amount, "a positive Money")
        if paid_at is not None:
            paid_at = self._moment(paid_at, "paid_at")

        return self._command(
            number,
            lambda order, ctx: money.receive_konbini(
                order, amount, reference, ctx, self.rules, paid_at
            ),
            actor="konbini",
        )

    def expire_unpaid(self, now: datetime | None = None) -> list[Order]:
        """Konbini sweep: cancel every unpaid order past its payment deadline, with a notice.

        An order waits ``ShopSettings.konbini_grace`` past its deadline for a payment the
        provider reports late.

        Each order is judged again as stored when its turn comes: one paid, or given a new
        number (an order change), since the sweep read its list is left alone. Returns the
        orders cancelled.
        """
        moment = self._moment(now)
        cancelled = []
        for order in self._orders_due(moment):
            if not konbini_lapsed(order, moment, self.rules):
                continue
            acted: list[bool] = []

            def decide(current: Order, ctx: Context, acted: list[bool] = acted) -> Order:
                if not konbini_lapsed(current, moment, self.rules):
                    return current
                acted.append(True)
                plan = Plan(current)
                reason = "konbini payment deadline passed"
                return plan.apply(cancel_order(plan, current, ctx, self.rules, reason))

            try:
                done = self._command(order.number, decide, actor="system")
            except OrderflowError:
                continue
            if acted and done.status is OrderStatus.CANCELLED:
                cancelled.append(done)
                self._cancelled(done)
        return cancelled

    def reconcile_deposits(self, deposits: Iterable[Deposit]) -> DepositReport:
        """入金消込: match bank deposits to the open orders holding their virtual accounts.

        Exact: the payment is confirmed and the order goes on by itself. Short: the order stays
        held with the shortfall and the customer is told; later deposits add up. Over: confirmed,
        and the excess is recorded as owed back. Deposits no open order holds are returned as
        unmatched. A deposit whose reference was applied before counts once, also when its order
        has since been booked or cancelled (the store's deposit index, ``TrackingLookup``). A
        deposit the bank reversed (取消) moves nothing: with its original in the same batch,
        neither is applied; of a deposit an order took before, the order gives it up
        (:func:`~orderflow.domain.decisions.money.reverse_deposit`: held when that leaves it
        short), and it comes back in :attr:`DepositReport.reversed` with the orders that took
        it, for a person (a booked order, or a 取消 of another amount, is left as it is:
        :attr:`DepositReport.not_taken_back`). An
        account two open orders hold (a bank adapter that gave it twice) is nobody's: its
        deposits are unmatched, for a person to apply (:meth:`apply_deposit`).

        One order's trouble never stops the others: the deposits (and 取消) of an order whose
        command fails (stuck on an effect a provider keeps refusing, ``EffectsPending``; a
        provider's silence) come back in :attr:`DepositReport.retry`, with why in
        :attr:`DepositReport.errors`; read the file again once it is resolved (each counts once).

        A deposit somebody applies to another order at the same moment (:meth:`apply_deposit`)
        stops the reconciliation with :class:`~orderflow.errors.DepositTaken` once the orders
        before it are saved: reading the file again finishes the rest, each deposit once.
        """
        deposits = _checked_deposits(deposits)
        accounts, seen = self._open_accounts({deposit.account for deposit in deposits})
        for deposit in deposits:  # taken by an order since closed (booked, cancelled)
            if deposit.reference not in seen and self.executor.orders_indexed(
                DEPOSIT_INDEX, deposit.reference
            ):
                seen.add(deposit.reference)
        result = reconcile(deposits, accounts, seen)
        taken_by = {d.reference: self._holders(d.reference) for d in result.reversed}
        failed = _Failed()
        taken_back = self._take_back(result.reversed, taken_by, failed)
        by_order: dict[str, list[Deposit]] = {}
        for match in result.matched:
            by_order.setdefault(match.order_number, []).append(match.deposit)
        saved = []
        for number, matched in by_order.items():

            def decide(order: Order, ctx: Context, matched: list[Deposit] = matched) -> Order:
                for deposit in matched:
                    order = money.receive_deposit(order, deposit, ctx, self.rules)
                return order

            try:
                saved.append(self._command(number, decide, actor="bank"))
            except (DepositTaken, StoreError):  # the file's trouble: read it again
                raise
            except OrderflowError as error:  # this order's: the others go on
                failed.add(number, matched, error)
        return DepositReport(
            result, saved, taken_by, taken_back, tuple(failed.retry), tuple(failed.errors)
        )

    def _take_back(
        self, reversed_: Iterable[Deposit], taken_by: dict[str, list[str]], failed: _Failed
    ) -> list[Order]:
        """Each order that took a deposit the bank reversed gives it up (not a booked one)."""
        saved: list[Order] = []
        for deposit in reversed_:
            for number in taken_by.get(deposit.reference, []):
                if self.executor.load(number).status is OrderStatus.BOOKED:
                    continue  # the books' money: the report leaves it to a person

                def decide(order: Order, ctx: Context, deposit: Deposit = deposit) -> Order:
                    return money.reverse_deposit(order, deposit, ctx, self.rules)

                try:
                    saved.append(self._command(number, decide, actor="bank"))
                except (MoveNotAllowed, InvalidValue):  # booked meanwhile, another amount
                    continue  # left as it is, for a person (not_taken_back)
                except StoreError:
                    raise
                except OrderflowError as error:  # this order's trouble: the others go on
                    failed.add(number, [deposit], error)
        return saved

    def _open_accounts(self, wanted: set[str]) -> tuple[dict[str, OpenAccount], set[str]]:
        """The ``wanted`` virtual accounts open orders hold, and the deposits those received.

        Read off the store's index of accounts (``ACCOUNT_INDEX``), the orders holding the
        accounts deposited to; a store without the index: every open order. An account two
        open orders hold is left out: a person tells whose the money is.
        """
        accounts: dict[str, OpenAccount] = {}
        shared: set[str] = set()
        seen: set[str] = set()
        for order in self._orders_filed(ACCOUNT_INDEX, sorted(wanted)):
            account = open_account(order)
            if account is None or account not in wanted:
                continue
            if account in accounts:
                shared.add(account)
            since = order.payment.instruction("account_since")
            accounts[account] = OpenAccount(  # as the order counts it (settle_received)
                account,
                order.number,
                still_due(order.payment, self.totals(order).total),
                order.payment.received - order.payment.refund_owed,
                date.fromisoformat(since) if since else None,
            )
            seen.update(_deposits_received(order))
        for account in shared:
            del accounts[account]
        return accounts, seen

    def apply_deposit(self, number: str, deposit: Deposit, *, actor: str = "operator") -> Order:
        """入金消込 (手動): apply ``deposit`` to order ``number``, matched by a person.

        For a deposit :meth:`reconcile_deposits` returned as unmatched (入金不明: paid to an
        account the order no longer holds, or after its order was cancelled) once a person
        found its order, by the payer's name (:func:`~orderflow.payer_search_key`) or the
        amount. The order must be paid by bank transfer and not booked; from there the deposit
        counts exactly as a reconciled one: covered, short, or over and owed back (all of it
        for a cancelled order). Applying it again to the same order changes nothing; a deposit
        another order already took, open or closed, is refused
        (:class:`~orderflow.errors.DepositTaken`, an ``InvalidValue`` naming
        ``deposit.reference``; a store that is not a ``TrackingLookup`` can only tell of the open
        orders), also when the other order took it at the same moment (the store refuses the
        second save).
        """
        check_number(number)
        if not isinstance(deposit, Deposit):
            raise InvalidValue("deposit", deposit, "a Deposit (from the bank's report)")
        taken = [holder for holder in self._holders(deposit.reference) if holder != number]
        if taken:
            raise DepositTaken(deposit.reference, taken[0])
        return self._command(
            number,
            lambda order, ctx: money.receive_deposit(order, deposit, ctx, self.rules),
            actor=actor,
        )

    def _holders(self, reference: str) -> list[str]:
        """The orders that took the deposit ``reference`` (open ones only, without the index)."""
        holders = self.executor.orders_indexed(DEPOSIT_INDEX, reference)
        if holders is None:  # a store without the index: the open orders are asked
            holders = [
                o.number for o in self.executor.open_orders() if reference in _deposits_received(o)
            ]
        return holders

    def record_refund_transfer(
        self,
        number: str,
        amount: Money,
        *,
        reference: str,
        actor: str = "operator",
    ) -> Order:
        """返金振込済: the shop transferred ``amount`` of the money order ``number`` owes back.

        Money owed back by transfer (a bank-transfer, konbini or 代引き refund, an over-payment, a
        card refund the gateway refused) waits on :meth:`refunds_to_transfer` until a person
        has paid it and records it here with the transfer's ``reference``: never more than is
        left, once per reference (repeating it changes nothing). When nothing is left, a
        ``refund_failed`` hold is cleared.
        """
        check_number(number)
        if (
            not isinstance(reference, str)
            or not reference.strip()
            or len(reference) > 100
            or not reference.isprintable()
        ):
            raise InvalidValue(
                "reference", reference, "the transfer's reference: 1 to 100 printable characters"
            )
        return self._command(
            number,
            lambda order, ctx: money.record_refund_transfer(order, amount, reference, ctx),
            actor=actor,
        )

    def refunds_to_transfer(self) -> list[Order]:
        """返金待ち: the orders, open or closed, owing money back by transfer not yet made.

        By order number; each order's ``payment.refund_to_transfer`` says how much. A store that
        is not a ``TrackingLookup`` can only tell of the open orders.
        """
        numbers = self.executor.orders_indexed(*REFUND_INDEX)
        if numbers is None:
            return [o for o in self.executor.open_orders() if o.payment.refund_to_transfer.amount]
        return [self.executor.load(number) for number in numbers]

    def import_transfer_notice(self, data: bytes, *, calendar: str = "reiwa") -> DepositReport:
        """Read a 全銀 振込入金通知 file and reconcile its deposits; all or nothing.

        A malformed file raises :class:`~orderflow.zengin.ZenginError` before any order changes.
        The file's amounts are yen: a shop whose ``ShopSettings.currency`` is another takes no
        bank transfers (a yen-only method), and its desk refuses the file (``InvalidValue``
        naming ``currency``).
        """
        if not isinstance(data, bytes | bytearray):
            raise InvalidValue("data", type(data).__name__, "the file's bytes (open it with 'rb')")
        currency = self.settings.currency
        if currency != "JPY":
            raise InvalidValue(
                "currency",
                currency,
                "a shop in JPY (ShopSettings.currency): a 全銀 振込入金通知 is in yen, and a shop "
                f"in {currency} takes no bank transfers",
            )
        notice = read_transfer_notice(data, currency=currency, calendar=calendar)
        return self.reconcile_deposits(notice.deposits())


class _Failed:
    """The deposits of orders whose command failed during a reconciliation, and why."""

    def __init__(self) -> None:
        self.retry: list[Deposit] = []
        self.errors: list[tuple[str, str]] = []

    def add(self, number: str, deposits: list[Deposit], error: OrderflowError) -> None:
        self.retry.extend(deposits)
        self.errors.append((number, f"{type(error).__name__}: {error}"))


def _deposits_received(order: Order) -> set[str]:
    """The references of the bank deposits ``order`` received (as the stores index them)."""
    return {reference for index, reference in tracking_keys(order) if index == DEPOSIT_INDEX}


def _checked_deposits(deposits: Iterable[Deposit]) -> list[Deposit]:
    """``deposits`` as a list, each a :class:`Deposit`; else InvalidValue naming it."""
    if isinstance(deposits, (str, bytes)) or not isinstance(deposits, Iterable):
        raise InvalidValue("deposits", deposits, "Deposit values (from a bank's file)")
    checked = list(deposits)
    for index, deposit in enumerate(checked):
        if not isinstance(deposit, Deposit):
            raise InvalidValue(f"deposits[{index}]", deposit, "a Deposit")
    return checked

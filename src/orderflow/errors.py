"""Every error orderflow raises, in one hierarchy.

Catch :class:`OrderflowError` to catch them all. Each message says what was wrong in words a shop
developer understands: the field, the value, and what was expected. A command that raises leaves
the order exactly as it was (no half-applied change).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from orderflow._mask import mask_contacts_in, mask_emails_in, mask_field

__all__ = [
    "AdapterError",
    "ChangeRefused",
    "CodecError",
    "ConcurrencyError",
    "CurrencyMismatch",
    "DepositTaken",
    "DuplicateOrder",
    "EffectInterrupted",
    "EffectsPending",
    "EmptyOrder",
    "InvalidValue",
    "KeyReused",
    "MoveBlocked",
    "MoveNotAllowed",
    "OrderNotFound",
    "OrderflowError",
    "OutcomeUnknown",
    "PaymentDeclined",
    "PolicyRefused",
    "ProviderError",
    "ProviderTimeout",
    "ReturnRefused",
    "StoreError",
    "UnknownSku",
]


class OrderflowError(Exception):
    """Base of every error raised by orderflow.

    ``str()`` and ``repr()`` never show an e-mail address or a phone number whole
    (``t***@example.jp``, ``090-****-5678``), whatever text a provider put in the message
    (:class:`InvalidValue` masks its value by the field's name instead). An error whose message
    orderflow writes from order numbers and names (:class:`MoveNotAllowed`,
    :class:`OrderNotFound` …) masks the free text in it (a guard's reason, a policy's detail)
    when it is built, so that a zero-padded order number is never taken for a phone number.
    """

    free_text: ClassVar[bool] = True
    """The message is free text (a provider's, a database's): its phone numbers are masked."""

    def __str__(self) -> str:
        return self._masked(super().__str__())

    def __repr__(self) -> str:
        return self._masked(super().__repr__())

    def _masked(self, text: str) -> str:
        return mask_contacts_in(text) if self.free_text else mask_emails_in(text)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as it is (message and attributes), without calling ``__init__`` again.

        The default pickling calls ``type(error)(*error.args)``: most errors here take other
        arguments than their message, so they did not survive a process boundary
        (``multiprocessing``, a task queue) or came back with a garbled message.
        """
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(kind: type[OrderflowError], args: tuple[object, ...]) -> OrderflowError:
    """An error of ``kind`` with ``args``, its attributes set by pickle afterwards."""
    error = kind.__new__(kind)
    error.args = args
    return error


def _given(field: str, value: object) -> str:
    """How an error shows the value given: an amount as itself (``0 JPY``), else masked."""
    from orderflow.domain.money import Money  # money raises these errors: imported when needed

    return str(value) if isinstance(value, Money) else mask_field(field, value)


class InvalidValue(OrderflowError, ValueError):
    """A value failed validation: names the field, the value given, and what was expected.

    The message masks a personal value, chosen by the field's name (``customer.email``,
    ``ship_to.phone``, ``line1``, ``token``, ``name`` …): ``got '090-****-5678'``. The ``value``
    attribute keeps what was given.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: expected {expected}, got {_given(field, value)}")

    def __str__(self) -> str:
        # Masked when built; the expected text's example addresses (a@example.jp) stay readable.
        return ValueError.__str__(self)

    def __repr__(self) -> str:
        return ValueError.__repr__(self)


class CurrencyMismatch(InvalidValue):
    """Two amounts in different currencies were combined (¥ and $ never add up)."""

    def __init__(self, field: str, left: str, right: str) -> None:
        super().__init__(field, right, f"an amount in {left} (mixing currencies is not allowed)")
        self.left = left
        self.right = right


class DepositTaken(InvalidValue):
    """A bank deposit another order already received: one deposit counts on one order only.

    Raised by :meth:`~orderflow.desk.Desk.apply_deposit` when the deposit index shows the other
    order, and by a store's ``save`` when two workers gave the same deposit to two orders at
    once (the second save is refused and changes nothing).
    """

    def __init__(self, reference: str, holder: str) -> None:
        super().__init__(
            "deposit.reference", reference, f"a deposit no other order took (order {holder} has it)"
        )
        self.reference = reference
        self.holder = holder


class EmptyOrder(InvalidValue):
    """An order was given no lines."""

    def __init__(self) -> None:
        super().__init__("lines", (), "at least one order line")


class UnknownSku(InvalidValue):
    """An order line names a SKU that the shop's inventory does not know."""

    def __init__(self, field: str, sku: str) -> None:
        known = (
            "a SKU known to the inventory (one it has received stock of: inventory.receive "
            "or desk.receive)"
        )
        super().__init__(field, sku, known)
        self.sku = sku


class MoveNotAllowed(OrderflowError):
    """The order's status does not allow the move asked for.

    Carries the status, the move asked for and the moves the status allows, so a caller can show
    them or pick another.
    """

    free_text = False

    def __init__(
        self,
        order_number: str,
        status: str,
        move: str,
        allowed: Iterable[str],
        holds: Iterable[str] = (),
        instead: str = "",
    ) -> None:
        self.order_number = order_number
        self.status = status
        self.move = move
        self.allowed = tuple(allowed)
        self.holds = tuple(holds)
        """The codes of the order's open holds (保留), when one may be why it has not moved on."""
        self.instead = instead
        """What a person can do instead, when orderflow knows (a cancel of a shipped order: a
        return or a refund); empty otherwise."""
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (final status)"
        held = (
            f"; open holds: {', '.join(self.holds)} (desk.clear_hold to let it go on)"
            if self.holds
            else ""
        )
        super().__init__(
            f"order {order_number}: move {move!r} is not allowed from status {status}; "
            f"allowed moves: {allowed_text}{held}{f'; {instead}' if instead else ''}"
        )


class MoveBlocked(MoveNotAllowed):
    """The status allows the move, but a guard stops it (an open hold, unconfirmed payment…)."""

    def __init__(
        self, order_number: str, status: str, move: str, allowed: Iterable[str], reason: str
    ) -> None:
        super().__init__(order_number, status, move, allowed)
        self.reason = reason
        self.args = (
            f"order {order_number}: move {move!r} is blocked in status {status}: "
            f"{mask_contacts_in(reason)}",
        )


class PolicyRefused(OrderflowError):
    """The shop's policy does not let this requester do this now (cancel, change…).

    Carries the action, the requester's party and channel, the order's status, what the
    policy allows and, when nobody may do it any more, what works instead.
    """

    free_text = False

    def __init__(
        self,
        order_number: str,
        action: str,
        party: str,
        channel: str,
        status: str,
        allowed: str,
        instead: str = "",
    ) -> None:
        self.order_number = order_number
        self.action = action
        self.party = party
        self.channel = channel
        self.status = status
        self.allowed = allowed
        self.instead = instead
        """What works instead, when orderflow knows (a cancel of a shipped order: a return or a
        refund, as :class:`MoveNotAllowed` says to the shop); empty otherwise."""
        super().__init__(
            f"order {order_number}: {party} may not {action} via {channel} in status {status}; "
            f"the policy allows: {allowed}{f'; {instead}' if instead else ''}"
        )


class ChangeRefused(PolicyRefused):
    """The order cannot be changed now; ``instead`` says what works.

    By default: cancel it and place a new order; the change policy says otherwise when a cancel
    is refused too (a 分納 order drops its waiting units, an instructed one is recalled first).
    """

    def __init__(
        self,
        order_number: str,
        party: str,
        channel: str,
        status: str,
        allowed: str,
        instead: str = "cancel it and place a new order instead",
    ) -> None:
        # ``instead``: from the order's status (cancel and re-order, drop the units waiting
        # for stock, recall the instruction first…)
        super().__init__(order_number, "change", party, channel, status, allowed, instead)
        self.args = (
            f"order {order_number} cannot be changed by {party} via {channel} in status "
            f"{status} (the policy allows: {allowed}); {instead}",
        )


class ReturnRefused(PolicyRefused):
    """The shop's return policy does not take this return (返品不可); ``rule`` names the rule.

    Rules: ``not_delivered`` (nothing to return yet), ``days`` (past the window), ``reason``
    (no returns for the customer's reason), ``excluded`` (a product the shop never takes back).
    """

    def __init__(self, order_number: str, rule: str, detail: str) -> None:
        super().__init__(order_number, "return", "customer", "any", rule, detail)
        self.rule = rule
        self.detail = detail
        self.args = (
            f"order {order_number}: return refused by the policy's {rule!r} rule: "
            f"{mask_contacts_in(detail)}",
        )


class OrderNotFound(OrderflowError, KeyError):
    """No order with that number is stored."""

    free_text = False

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"order {number!r} not found")

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateOrder(OrderflowError):
    """An order with that number already exists."""

    free_text = False

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"order {number!r} already exists")


class ConcurrencyError(OrderflowError):
    """The order changed since it was read (optimistic concurrency on ``Order.version``)."""

    free_text = False

    def __init__(self, number: str, expected: int, actual: int, *, saved: bool = False) -> None:
        self.number = number
        self.expected = expected
        self.actual = actual
        self.saved = saved
        """True when the command's decision was saved and only the answers of its effects lost
        (to other workers saving the order each time): ``desk.resume(number)`` finishes it."""
        if saved:
            super().__init__(
                f"order {number}: the command was saved with its effects, but other workers "
                f"saved the order before each save of their answers (last at version {actual}, "
                f"on version {expected}); desk.resume({number}) finishes it under the same keys. "
                "Do not repeat the command unless it returns the order by itself (one naturally "
                "idempotent, or the same request_id): it would be decided and done again"
            )
            return
        super().__init__(
            f"order {number}: saved at version {actual}, but the change was made on version "
            f"{expected}; reload the order and retry (through the desk: run the same command "
            "again, it reads the order afresh)"
        )


class ProviderError(OrderflowError):
    """An outside system (gateway, carrier, warehouse, accounting) refused or failed a call."""


class PaymentDeclined(ProviderError):
    """The payment provider declined the request (card refused, credit check failed)."""

    def __init__(self, reason: str, *, code: str = "declined") -> None:
        self.reason = reason
        self.code = code
        super().__init__(f"payment declined ({code}): {reason}")


class KeyReused(ProviderError):
    """An idempotency key came back with another request than its first: nothing was done.

    The caller reused an id (a receipt id, say) for something else; ``key`` is the key.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class ProviderTimeout(ProviderError):
    """A call to an outside system got no answer: the work may or may not have been done.

    Retry the same command: the same idempotency key is reused, so the provider does the work at
    most once.
    """


class OutcomeUnknown(ProviderTimeout):
    """An effect's call timed out: it stays pending under its key until it is answered.

    ``desk.resume(number)`` (or the next command on the order, or the ``resume_pending`` sweep)
    performs it again with the same idempotency key, so the provider does the work at most once.
    """

    free_text = False

    def __init__(self, order_number: str, step: str, key: str) -> None:
        self.order_number = order_number
        self.step = step
        self.key = key
        super().__init__(
            f"order {order_number}: {step!r} timed out with idempotency key {key!r}; "
            "desk.resume(number) finishes it with the same key"
        )


class EffectInterrupted(OrderflowError):
    """An adapter raised something that is not an orderflow error while performing an effect.

    The decision was saved before the call, so nothing is lost: fix the adapter (the cause is
    chained) and ``desk.resume(number)`` performs the pending effects with their keys.
    """

    free_text = False

    def __init__(self, order_number: str, step: str, key: str, cause: str = "") -> None:
        self.order_number = order_number
        self.step = step
        self.key = key
        self.cause = cause
        """The class of what the adapter raised (its message, which may hold anything, is in the
        chained ``__cause__``)."""
        raised = f" ({cause})" if cause else ""
        super().__init__(
            f"order {order_number}: {step!r} (key {key!r}) was interrupted by the adapter"
            f"{raised}; once the adapter is fixed, desk.resume(number) finishes it"
        )


class EffectsPending(OrderflowError):
    """The order has effects a provider keeps refusing; no new command runs until they are done.

    The order is held (``effect_refused``) and its history says what was refused. Fix the cause at
    the provider, then ``desk.resume(number)``; the command can be run after that.
    """

    free_text = False

    def __init__(self, order_number: str, step: str) -> None:
        self.order_number = order_number
        self.step = step
        super().__init__(
            f"order {order_number}: {step!r} is still pending (a provider keeps refusing it); "
            "resolve it, desk.resume(number), then run the command again"
        )


class CodecError(InvalidValue):
    """A stored document could not be read back: an unknown field, a wrong type, a bad value.

    ``field`` is the path inside the document (``payment.ledger[2].amount``).
    """


class StoreError(OrderflowError):
    """The database refused or failed a store's request (locked too long, schema missing …).

    The original database error is the ``__cause__``; the message names what was attempted.
    """


class AdapterError(OrderflowError):
    """An adapter registered under the ``orderflow.adapters`` entry point group is broken.

    Its module does not import, the object it names is missing or not callable, it declares no
    port or one orderflow does not know, or it lacks what its port needs. ``entry_point`` is the
    entry point's name, ``distribution`` the package that registered it (``""`` if unknown).
    """

    def __init__(self, entry_point: str, distribution: str, problem: str) -> None:
        self.entry_point = entry_point
        self.distribution = distribution
        self.problem = problem
        source = f" (from {distribution})" if distribution else ""
        super().__init__(f"adapter entry point {entry_point!r}{source}: {problem}")

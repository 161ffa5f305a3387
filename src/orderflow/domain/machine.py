"""The status machine, declared once with python-statemachine, and the table derived from it.

:class:`OrderMachine` is the single source of truth for which moves exist. At import the module
reads that declaration into :data:`TRANSITIONS`, a plain mapping that the domain consults on every
command (a dict lookup costs about 0.1 µs, where running the python-statemachine engine costs
about 120 µs a transition and building a machine bound to a model 200-290 µs: see
``docs/design.md``). The Mermaid diagram (:func:`mermaid`) and the docs are derived from the same
declaration, and ``tests/unit/test_machine.py`` proves that they agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from statemachine import State, StateMachine
from statemachine.contrib.diagram import formatter

from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed

__all__ = [
    "TRANSITIONS",
    "OrderMachine",
    "allowed_moves",
    "check_move",
    "mermaid",
    "mermaid_markdown",
    "targets",
]


class OrderMachine(StateMachine):
    """受注ステータスフロー: the eight statuses and キャンセル, and every move between them.

    Self-transitions are real moves: allocating more stock may still leave an order 中途引当, and
    shipping or delivering one shipment of several leaves the order where it is until the last.
    分納 (partial shipment) ships a 中途引当 order's reserved units: it is 出荷指示済 while units
    still wait, allocates and instructs the rest there, and delivers parcels there meanwhile (and
    takes a wrong delivery of one back, 着荷取消).
    """

    ordered = State("受注", initial=True, value=OrderStatus.ORDERED)
    unallocated = State("未引当", value=OrderStatus.UNALLOCATED)
    partially_allocated = State("中途引当", value=OrderStatus.PARTIALLY_ALLOCATED)
    allocated = State("引当済", value=OrderStatus.ALLOCATED)
    shipping_instructed = State("出荷指示済", value=OrderStatus.SHIPPING_INSTRUCTED)
    shipped = State("出荷済", value=OrderStatus.SHIPPED)
    delivered = State("着荷済", value=OrderStatus.DELIVERED)
    booked = State("計上済", final=True, value=OrderStatus.BOOKED)
    cancelled = State("キャンセル", final=True, value=OrderStatus.CANCELLED)

    accept = ordered.to(unallocated)
    allocate = (
        unallocated.to(allocated)
        | unallocated.to(partially_allocated)
        | partially_allocated.to(allocated)
        | partially_allocated.to.itself()  # type: ignore[no-untyped-call]
        | shipping_instructed.to.itself()  # type: ignore[no-untyped-call]
    )
    release = partially_allocated.to(unallocated) | allocated.to(unallocated)
    instruct_shipping = (
        allocated.to(shipping_instructed)
        | partially_allocated.to(shipping_instructed)
        | shipping_instructed.to.itself()  # type: ignore[no-untyped-call]
    )
    recall = shipping_instructed.to(allocated)
    ship = shipping_instructed.to(shipped) | shipping_instructed.to.itself()  # type: ignore[no-untyped-call]
    deliver = (
        shipped.to(delivered)
        | shipped.to.itself()  # type: ignore[no-untyped-call]
        | shipping_instructed.to.itself()  # type: ignore[no-untyped-call]
    )
    undo_delivery = (
        delivered.to(shipped)
        | shipped.to.itself()  # type: ignore[no-untyped-call]
        | shipping_instructed.to.itself()  # type: ignore[no-untyped-call]
    )
    book = delivered.to(booked)
    cancel = (
        ordered.to(cancelled)
        | unallocated.to(cancelled)
        | partially_allocated.to(cancelled)
        | allocated.to(cancelled)
    )


def _derive() -> Mapping[OrderStatus, Mapping[Move, frozenset[OrderStatus]]]:
    table: dict[OrderStatus, dict[Move, set[OrderStatus]]] = {s: {} for s in OrderStatus}
    for state in OrderMachine.states:
        for transition in state.transitions:
            move = Move(transition.event)
            table[transition.source.value].setdefault(move, set()).add(transition.target.value)
    return MappingProxyType(
        {
            status: MappingProxyType({m: frozenset(t) for m, t in moves.items()})
            for status, moves in table.items()
        }
    )


TRANSITIONS: Mapping[OrderStatus, Mapping[Move, frozenset[OrderStatus]]] = _derive()
"""status → move → the statuses the move may lead to; read from :class:`OrderMachine`."""

_ALLOWED: Mapping[OrderStatus, tuple[Move, ...]] = {
    status: tuple(m for m in Move if m in moves) for status, moves in TRANSITIONS.items()
}


def allowed_moves(status: OrderStatus) -> tuple[Move, ...]:
    """The moves the machine declares from ``status``, in declaration order of :class:`Move`."""
    if not isinstance(status, OrderStatus):
        raise InvalidValue("status", status, "an OrderStatus such as OrderStatus.ORDERED")
    return _ALLOWED[status]


def targets(status: OrderStatus, move: Move) -> frozenset[OrderStatus]:
    """The statuses ``move`` may lead to from ``status`` (empty if the move is not allowed)."""
    return TRANSITIONS[status].get(move, frozenset())


def check_move(order_number: str, status: OrderStatus, move: Move, to: OrderStatus) -> None:
    """Raise :class:`~orderflow.errors.MoveNotAllowed` unless ``status -move-> to`` exists."""
    if to not in TRANSITIONS[status].get(move, ()):
        raise MoveNotAllowed(
            order_number, status.name, move.value, [m.value for m in _ALLOWED[status]]
        )


def mermaid() -> str:
    """The machine as a Mermaid state diagram, rendered from the declaration."""
    return str(formatter.render(OrderMachine, "mermaid"))


def mermaid_markdown() -> str:
    """The diagram as a Markdown ``mermaid`` code block (what the docs site renders)."""
    return f"```mermaid\n{mermaid().strip()}\n```\n"

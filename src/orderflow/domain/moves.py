"""What an order may do next (next_moves) and the guards behind it, pure.

The machine declares the moves of each status; a guard stops some of them for this order (an
open hold stops 出荷指示, a parcel that left stops 出荷指示取消…), and who asks stops more (a
customer asks only for キャンセル, and only while the shop's policy lets them). Each command
checks the same guards, so a move offered here is one the command takes.
"""

from __future__ import annotations

from orderflow.domain.machine import allowed_moves, targets
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.policy import CancelPolicy, Party, Requester
from orderflow.domain.returns import ReturnStatus
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed

__all__ = [
    "check_order_move",
    "next_moves",
    "offered",
    "returns_taken",
    "undoable_delivery",
    "why_not_recalled",
]


def next_moves(
    order: Order,
    *,
    requester: Requester | None = None,
    cancel_policy: CancelPolicy | None = None,
) -> tuple[Move, ...]:
    """The moves this order may make now: declared from its status and not stopped by a guard.

    An open hold stops 出荷指示 (and so does unconfirmed payment, which is itself a hold); so does
    a 中途引当 order's missing stock (分納 is the customer's choice, ``ship_available``). 着荷取消
    needs a delivered shipment whose money the carrier did not collect (代引き) and no return
    taken on it; 着荷 a parcel with the carrier (出荷済); 出荷指示取消 an
    order none of whose parcels left and none of whose units still wait (:func:`why_not_recalled`).

    Without a ``requester`` these are the shop's own moves (as ``desk.cancel`` without one
    decides by the status alone). With one, only the moves that requester may ask for: a
    customer only キャンセル (the rest is the shop's work), and キャンセル only while
    ``cancel_policy`` (the default :class:`~orderflow.domain.policy.CancelPolicy` when None)
    lets them, as ``desk.cancel(..., requester=...)`` would.
    """
    if not isinstance(order, Order):
        raise InvalidValue("order", order, "an Order")
    if requester is not None and not isinstance(requester, Requester):
        raise InvalidValue("requester", requester, "a Requester (such as Requester.customer())")
    if cancel_policy is not None and not isinstance(cancel_policy, CancelPolicy):
        raise InvalidValue("cancel_policy", cancel_policy, "a CancelPolicy")
    moves = _guarded_moves(order)
    if requester is None:
        return moves
    if requester.party is Party.CUSTOMER:
        moves = tuple(m for m in moves if m in _CUSTOMER_MOVES)
    policy = CancelPolicy() if cancel_policy is None else cancel_policy
    if Move.CANCEL in moves and not policy.allows(order, requester):
        moves = tuple(m for m in moves if m is not Move.CANCEL)
    return moves


_CUSTOMER_MOVES = frozenset({Move.CANCEL})
"""The moves a customer asks for themselves (a change, a return are no moves of the status)."""


def _guarded_moves(order: Order) -> tuple[Move, ...]:
    """:func:`next_moves` for the shop: the status's moves less those a guard stops."""
    status = order.status
    moves = allowed_moves(status)
    if status is OrderStatus.PARTIALLY_ALLOCATED or any(h.cleared_at is None for h in order.holds):
        moves = tuple(m for m in moves if m is not Move.INSTRUCT_SHIPPING)
    if status in _DELIVERED_SOME and (
        not any(undoable_delivery(s) for s in order.shipments) or returns_taken(order)
    ):
        moves = tuple(m for m in moves if m is not Move.UNDO_DELIVERY)
    if Move.DELIVER in moves and not any(
        s.status is ShipmentStatus.SHIPPED for s in order.shipments
    ):  # 着荷 is of a parcel with the carrier: none is yet
        moves = tuple(m for m in moves if m is not Move.DELIVER)
    if Move.RECALL in moves and why_not_recalled(order):
        moves = tuple(m for m in moves if m is not Move.RECALL)
    return moves


def offered(order: Order) -> list[str]:
    """The moves a refusal of ``order``'s move lists: those :func:`next_moves` offers the shop.

    Not every move its status declares: 着荷 of an order none of whose parcels is with the
    carrier is refused too, so it is not offered as what works.
    """
    return [m.value for m in _guarded_moves(order)]


def check_order_move(order: Order, move: Move, to: OrderStatus) -> None:
    """Refuse ``move`` of ``order`` unless the machine takes it to ``to``.

    The :class:`~orderflow.errors.MoveNotAllowed` lists what :func:`offered` offers instead.
    """
    if to not in targets(order.status, move):
        raise MoveNotAllowed(order.number, order.status.name, move.value, offered(order))


def why_not_recalled(order: Order) -> str:
    """Why 出荷指示取消 cannot take this order back (a parcel left; 分納 units wait), or ""."""
    if any(s.status is not ShipmentStatus.INSTRUCTED for s in order.shipments):
        if any(s.status is ShipmentStatus.INSTRUCTED for s in order.shipments):
            return (
                "a shipment has already left the warehouse; one still there is taken back "
                "alone with desk.recall(number, shipment_id=...)"
            )
        return "a shipment has already left the warehouse"
    if order.unallocated():
        return (
            "shipped in part (分納): units still wait for stock; desk.drop_missing(number) "
            "drops them, after which the instruction can be recalled"
        )
    return ""


_DELIVERED_SOME = frozenset(s for s in OrderStatus if Move.UNDO_DELIVERY in allowed_moves(s))
"""The statuses from which 着荷取消 is declared (出荷指示済 or 出荷済 with a parcel arrived,
着荷済)."""


def returns_taken(order: Order) -> tuple[str, ...]:
    """The ids of the order's returns not refused: the goods reached the customer (no 着荷取消)."""
    return tuple(r.return_id for r in order.returns if r.status is not ReturnStatus.REFUSED)


def undoable_delivery(shipment: Shipment) -> bool:
    """Whether 着荷取消 may take back ``shipment``'s delivery: delivered, no 代引き money on it."""
    collected = shipment.cod_amount is not None and shipment.cod_amount.amount > 0
    return shipment.status is ShipmentStatus.DELIVERED and not collected

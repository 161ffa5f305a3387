import re

import pytest

from orderflow import TRANSITIONS, Move, OrderMachine, OrderStatus, allowed_moves, mermaid
from orderflow.domain.machine import check_move
from orderflow.errors import MoveNotAllowed
from orderflow.i18n import status_label


def declared() -> set[tuple[OrderStatus, Move, OrderStatus]]:
    """Read the python-statemachine declaration directly."""
    return {
        (t.source.value, Move(t.event), t.target.value)
        for state in OrderMachine.states
        for t in state.transitions
    }


def table() -> set[tuple[OrderStatus, Move, OrderStatus]]:
    return {(s, m, t) for s, moves in TRANSITIONS.items() for m, ts in moves.items() for t in ts}


def test_the_table_is_the_declaration() -> None:
    assert table() == declared()


def test_every_status_and_move_is_declared_once() -> None:
    assert {state.value for state in OrderMachine.states} == set(OrderStatus)
    assert {move for _, move, _ in declared()} == set(Move)
    for state in OrderMachine.states:
        assert state.name == state.value.ja


def test_the_moves_of_domain_md() -> None:
    forward = {
        (OrderStatus.ORDERED, Move.ACCEPT, OrderStatus.UNALLOCATED),
        (OrderStatus.UNALLOCATED, Move.ALLOCATE, OrderStatus.PARTIALLY_ALLOCATED),
        (OrderStatus.UNALLOCATED, Move.ALLOCATE, OrderStatus.ALLOCATED),
        (OrderStatus.PARTIALLY_ALLOCATED, Move.ALLOCATE, OrderStatus.ALLOCATED),
        (OrderStatus.ALLOCATED, Move.INSTRUCT_SHIPPING, OrderStatus.SHIPPING_INSTRUCTED),
        (OrderStatus.SHIPPING_INSTRUCTED, Move.SHIP, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, Move.DELIVER, OrderStatus.DELIVERED),
        (OrderStatus.DELIVERED, Move.BOOK, OrderStatus.BOOKED),
    }
    backward = {
        (OrderStatus.PARTIALLY_ALLOCATED, Move.RELEASE, OrderStatus.UNALLOCATED),
        (OrderStatus.ALLOCATED, Move.RELEASE, OrderStatus.UNALLOCATED),
        (OrderStatus.SHIPPING_INSTRUCTED, Move.RECALL, OrderStatus.ALLOCATED),
    }
    assert forward | backward <= table()
    cancellable = {s for s, m, t in table() if m is Move.CANCEL}
    assert cancellable == {
        OrderStatus.ORDERED,
        OrderStatus.UNALLOCATED,
        OrderStatus.PARTIALLY_ALLOCATED,
        OrderStatus.ALLOCATED,
    }
    assert allowed_moves(OrderStatus.BOOKED) == ()
    assert allowed_moves(OrderStatus.CANCELLED) == ()


def test_the_mermaid_diagram_draws_the_table() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    ids = {state.id: state.value for state in OrderMachine.states}
    edges = set()
    for source, target, label in re.findall(r"^\s*(\w+) --> (\w+) : (.+)$", text, re.M):
        move = Move(label.strip().lower().replace(" ", "_"))
        edges.add((ids[source], move, ids[target]))
    assert edges == table()
    for status in OrderStatus:
        assert f'"{status_label(status)}"' in text


def test_a_refused_move_names_the_status_the_move_and_the_allowed_moves() -> None:
    with pytest.raises(MoveNotAllowed) as caught:
        check_move("1001", OrderStatus.SHIPPED, Move.CANCEL, OrderStatus.CANCELLED)
    error = caught.value
    assert error.status == "SHIPPED"
    assert error.move == "cancel"
    assert error.allowed == ("deliver", "undo_delivery")
    assert "SHIPPED" in str(error) and "'cancel'" in str(error) and "deliver" in str(error)


def test_final_statuses() -> None:
    assert {s for s in OrderStatus if s.is_final} == {OrderStatus.BOOKED, OrderStatus.CANCELLED}


def test_the_moves_of_partial_shipment() -> None:
    """分納: a 中途引当 order ships what is reserved; the rest is reserved and shipped later."""
    partial = {
        (OrderStatus.PARTIALLY_ALLOCATED, Move.INSTRUCT_SHIPPING, OrderStatus.SHIPPING_INSTRUCTED),
        (OrderStatus.SHIPPING_INSTRUCTED, Move.ALLOCATE, OrderStatus.SHIPPING_INSTRUCTED),
        (OrderStatus.SHIPPING_INSTRUCTED, Move.INSTRUCT_SHIPPING, OrderStatus.SHIPPING_INSTRUCTED),
        (OrderStatus.SHIPPING_INSTRUCTED, Move.DELIVER, OrderStatus.SHIPPING_INSTRUCTED),
    }
    assert partial <= table()
    assert (OrderStatus.SHIPPING_INSTRUCTED, Move.DELIVER, OrderStatus.DELIVERED) not in table()

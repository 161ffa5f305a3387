"""``next_moves`` for who asks: a customer's page offers only what the command would take.

``desk.next_moves(number)`` listed キャンセル on a 引当済 order although the shop's
``CancelPolicy`` refuses the customer there (by default the customer cancels before 引当済 only),
so a "cancel" button on my page led to ``PolicyRefused``; it listed the shop's own moves (accept,
出荷指示…) to the customer as well. With ``requester=`` it answers for that requester.
"""

import pytest

from orderflow import (
    CancelPolicy,
    Channel,
    Grant,
    Move,
    OrderStatus,
    Party,
    Requester,
    ShopSettings,
    next_moves,
)
from orderflow.errors import InvalidValue, PolicyRefused
from tests.builders import place, shop, to_allocated


def test_a_customer_is_not_offered_a_cancel_the_policy_refuses() -> None:
    s = shop()
    to_allocated(s)
    customer = Requester.customer()
    assert Move.CANCEL in s.desk.next_moves("1001")  # the shop's own view: unchanged
    assert s.desk.next_moves("1001", requester=customer) == ()
    with pytest.raises(PolicyRefused):  # what the customer would have been told
        s.desk.cancel("1001", reason="客都合", requester=customer)
    operator = Requester.operator("sato")
    assert s.desk.next_moves("1001", requester=operator) == s.desk.next_moves("1001")
    s.desk.cancel("1001", reason="客都合", requester=operator)


def test_a_customer_is_offered_the_cancel_the_policy_takes_and_nothing_of_the_shop() -> None:
    s = shop()
    place(s)
    assert Move.ACCEPT in s.desk.next_moves("1001")
    assert s.desk.next_moves("1001", requester=Requester.customer()) == (Move.CANCEL,)
    s.desk.cancel("1001", reason="客都合", requester=Requester.customer())
    assert s.desk.get("1001").status is OrderStatus.CANCELLED


def test_the_shops_own_cancel_policy_decides_per_channel() -> None:
    policy = CancelPolicy(
        (
            Grant(Party.CUSTOMER, OrderStatus.SHIPPING_INSTRUCTED, (Channel.CALL_CENTRE,)),
            Grant(Party.OPERATOR, OrderStatus.ALLOCATED),
        )
    )
    s = shop(settings=ShopSettings(auto_advance=False, cancel_policy=policy))
    to_allocated(s)
    phone = Requester.customer(Channel.CALL_CENTRE)
    assert s.desk.next_moves("1001", requester=phone) == (Move.CANCEL,)
    assert s.desk.next_moves("1001", requester=Requester.customer()) == ()
    operator_moves = s.desk.next_moves("1001", requester=Requester.operator())
    assert Move.CANCEL not in operator_moves and Move.INSTRUCT_SHIPPING in operator_moves
    with pytest.raises(PolicyRefused):
        s.desk.cancel("1001", reason="客都合", requester=Requester.operator())


def test_the_pure_next_moves_answers_for_a_requester_with_a_policy() -> None:
    s = shop()
    order = to_allocated(s)
    customer = Requester.customer()
    assert next_moves(order, requester=customer) == ()
    assert next_moves(order, requester=customer, cancel_policy=CancelPolicy(())) == ()
    everyone = CancelPolicy((Grant(Party.CUSTOMER, OrderStatus.SHIPPING_INSTRUCTED),))
    assert next_moves(order, requester=customer, cancel_policy=everyone) == (Move.CANCEL,)
    assert next_moves(order) == next_moves(order, requester=None)


def test_a_requester_of_the_wrong_kind_is_refused_naming_it() -> None:
    s = shop()
    place(s)
    with pytest.raises(InvalidValue, match="requester"):
        s.desk.next_moves("1001", requester="customer")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="cancel_policy"):
        next_moves(s.desk.get("1001"), cancel_policy=object())  # type: ignore[arg-type]

"""Laws of cancel and change, over every method, status and requester."""

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import (
    Channel,
    Money,
    Move,
    OrderChange,
    OrderStatus,
    Party,
    PaymentMethod,
    Requester,
    ShopSettings,
)
from orderflow.domain.machine import allowed_moves
from orderflow.errors import ChangeRefused, PolicyRefused
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, pay_in_full, place

REACHABLE = [
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
    OrderStatus.SHIPPING_INSTRUCTED,
]


def world(method: PaymentMethod, status: OrderStatus, points: int, paid: bool) -> FakeShop:
    stock = dict(STOCK)
    if status is OrderStatus.PARTIALLY_ALLOCATED:
        stock[("TOKYO", "TEA-1")] = 1
    s = fake_shop(stock, settings=ShopSettings(auto_advance=False))
    s.points.balances["C1"] = 1000
    place(s, payment_method=method, points_used=points)
    if paid or status is OrderStatus.SHIPPING_INSTRUCTED:
        pay_in_full(s)
    if status is not OrderStatus.ORDERED:
        s.desk.accept("1001")
    if status in (
        OrderStatus.PARTIALLY_ALLOCATED,
        OrderStatus.ALLOCATED,
        OrderStatus.SHIPPING_INSTRUCTED,
    ):
        s.desk.allocate("1001")
    if status is OrderStatus.SHIPPING_INSTRUCTED:
        s.desk.instruct_shipping("1001")
    assert s.desk.get("1001").status is status
    return s


def calls(s: FakeShop) -> int:
    fakes = (s.gateway, s.amazon_pay, s.postpay, s.bank, s.konbini, s.inventory, s.notifier)
    return sum(len(f.calls) for f in fakes) + len(s.points.calls)


requesters = st.builds(Requester, st.sampled_from(list(Party)), st.sampled_from(list(Channel)))
methods = st.sampled_from([m for m in PaymentMethod if m is not PaymentMethod.COD])


@settings(max_examples=120, deadline=None)
@given(
    methods,
    st.sampled_from(REACHABLE[:4]),
    st.integers(0, 500),
    st.booleans(),
)
def test_a_cancel_in_any_allowed_status_leaves_nothing_held(
    method: PaymentMethod, status: OrderStatus, points: int, paid: bool
) -> None:
    s = world(method, status, points, paid)
    order = s.desk.cancel("1001", reason="law", requester=Requester.operator())
    assert order.status is OrderStatus.CANCELLED
    assert all(v == 0 for v in s.inventory.reserved.values()), "stock still reserved"
    assert s.gateway.live_authorizations() == {} and s.amazon_pay.live_authorizations() == {}
    assert order.payment.open_authorization == Money.yen(0)
    assert s.postpay.billable() == {}
    assert s.points.balances["C1"] == 1000, "points not returned"
    assert order.payment.refund_owed == order.payment.received


@settings(max_examples=150, deadline=None)
@given(methods, st.sampled_from(REACHABLE), requesters, st.booleans())
def test_a_refused_cancel_or_change_changes_nothing(
    method: PaymentMethod, status: OrderStatus, requester: Requester, cancel: bool
) -> None:
    s = world(method, status, 0, False)
    order = s.desk.get("1001")
    policy = s.desk.settings.cancel_policy if cancel else s.desk.settings.change_policy
    allowed = any(g.covers(requester, status) for g in policy.grants)
    if allowed:
        return
    before, made = dict(s.store.orders), calls(s)
    try:
        if cancel:
            s.desk.cancel("1001", reason="law", requester=requester)
        else:
            s.desk.change("1001", OrderChange(quantities={"L2": 2}), requester=requester)
    except PolicyRefused as refused:
        assert refused.party == requester.party.value
        assert refused.status == order.status.name
        if not cancel:
            assert isinstance(refused, ChangeRefused)
            # cancel and re-order is told only while a cancel is allowed (else what works)
            can_cancel = Move.CANCEL in allowed_moves(order.status)
            assert ("place a new order" in str(refused)) == can_cancel
            assert str(refused).endswith(refused.instead)
    else:
        raise AssertionError("the policy should have refused")
    assert s.store.orders == before
    assert calls(s) == made

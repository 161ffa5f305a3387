"""A change that changes nothing saves nothing, moves no stock and tells the customer nothing.

``change(OrderChange(quantities={"L1": 1}))`` on a line of 1 unit released and reserved the
stock again, saved the order twice and mailed the customer "your order has been changed".
"""

from orderflow import Money, Order, OrderChange, Requester
from orderflow.testing import FakeShop
from tests.builders import address, place, shop, to_allocated


def test_the_same_quantities_and_address_leave_the_order_as_it_is() -> None:
    s = shop()
    before = to_allocated(s)
    sent, work = len(s.notifier.sent), list(s.inventory.work_done)
    same = OrderChange(quantities={line.line_id: line.quantity for line in before.lines})
    preview = s.desk.change("1001", same, requester=Requester.operator())
    assert preview.order == before and preview.delta.amount == 0
    s.desk.change_ship_to("1001", address())  # the address it has
    assert s.desk.get("1001") == before  # not saved again
    assert len(s.notifier.sent) == sent and s.inventory.work_done == work


def test_a_real_change_still_goes_through() -> None:
    s = shop()
    before = to_allocated(s)
    line = before.lines[0]
    s.desk.change("1001", OrderChange(quantities={line.line_id: line.quantity + 1}))
    after = s.desk.get("1001")
    assert after.version > before.version
    assert s.notifier.sent[-1].kind == "order_changed"


def test_the_address_it_has_keeps_the_fee_the_cart_charged() -> None:
    """送料無料: the cart charged no shipping (or its own fee); the address sent again unchanged
    (a form re-submitted) is no new address and takes no fee from the shop's table."""
    s = shop()
    before = to_allocated(s)
    free = s.desk.change("1001", OrderChange(points_used=0)).order  # the order as it is
    assert free == before
    placed = place_free(s)
    sent = len(s.notifier.sent)
    s.desk.change_ship_to("2001", address())  # the address it has
    after = s.desk.get("2001")
    assert after == placed and after.shipping_fee == Money.yen(0)
    assert len(s.notifier.sent) == sent


def place_free(s: FakeShop) -> Order:
    place(s, "2001", shipping_fee=Money.yen(0))
    s.desk.accept("2001")
    return s.desk.allocate("2001")

"""Whole flows through the desk on the fakes."""

from datetime import timedelta

import pytest

from orderflow import Money, Move, OrderLine, OrderStatus, PaymentOp, PaymentOutcome, ShopSettings
from orderflow.errors import (
    ConcurrencyError,
    DuplicateOrder,
    InvalidValue,
    MoveBlocked,
    MoveNotAllowed,
    PaymentDeclined,
)
from tests.builders import TRACKING, place, shop, to_allocated, to_booked


def test_straight_through_from_ordered_to_booked() -> None:
    s = shop()
    order = to_booked(s)
    assert order.status is OrderStatus.BOOKED
    moves = [
        (e.from_status, e.name, e.to_status)
        for e in order.history
        if e.name in {m.value for m in Move}
    ]
    assert [m[1] for m in moves] == [
        "accept",
        "allocate",
        "instruct_shipping",
        "ship",
        "deliver",
        "book",
    ]
    total = s.desk.totals(order).total
    assert order.payment.authorized == total
    assert order.payment.captured == total
    assert order.payment.open_authorization == Money.yen(0)
    # stock left the warehouse
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 8
    assert s.inventory.reserved[("TOKYO", "TEA-1")] == 0
    # one balanced journal entry, dated on delivery in Tokyo
    [(reference, entry)] = s.accounting.entries
    assert (
        next(e for e in order.history if e.name == "journal_posted").detail("journal") == reference
    )
    debit, credit = entry.totals()
    assert debit == credit == total.amount
    # notices: confirmation and shipping with the tracking page
    kinds = [n.kind for n in s.notifier.sent]
    assert kinds == ["order_confirmation", "shipping"]
    assert "kuronekoyamato" in s.notifier.sent[1].body
    assert order.outbox == ()


def test_every_event_says_when_who_from_and_to() -> None:
    order = to_booked(shop())
    for event in order.history:
        assert event.at.tzinfo is not None
        assert event.actor
    ship = next(order.events_named("ship"))
    assert ship.actor == "warehouse"
    assert (ship.from_status, ship.to_status) == (
        OrderStatus.SHIPPING_INSTRUCTED,
        OrderStatus.SHIPPED,
    )


def test_short_of_stock_waits_in_partially_allocated_then_completes() -> None:
    s = shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5})
    order = to_allocated(s)
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    assert order.unallocated() == {"L1": 1}
    assert Move.INSTRUCT_SHIPPING not in s.desk.next_moves("1001")
    s.inventory.put("TOKYO", "TEA-1", 4)
    order = s.desk.allocate("1001")
    assert order.status is OrderStatus.ALLOCATED
    assert order.allocated_quantity("L1") == 2
    assert s.inventory.available("TOKYO", "TEA-1") == 3


def test_allocation_spreads_over_warehouses_when_none_has_everything() -> None:
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"), auto_advance=False)
    s = shop(
        {
            ("TOKYO", "TEA-1"): 2,
            ("TOKYO", "MUG-1"): 0,
            ("OSAKA", "MUG-1"): 1,
            ("TOKYO", "CAKE-1"): 1,
        },
        settings,
    )
    order = to_allocated(s)
    assert order.status is OrderStatus.ALLOCATED
    order = s.desk.instruct_shipping("1001")
    assert [(sh.shipment_id, sh.warehouse) for sh in order.shipments] == [
        ("1001-S1", "OSAKA"),
        ("1001-S2", "TOKYO"),
    ]
    order = s.desk.ship("1001", "1001-S1", TRACKING)
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.payment.captured == Money.yen(0)
    order = s.desk.ship("1001", "1001-S2", "2000-0000-0001")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == s.desk.totals(order).total


def test_fewest_shipments_prefers_one_warehouse_that_has_everything() -> None:
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"), auto_advance=False)
    s = shop(
        {
            ("TOKYO", "TEA-1"): 2,
            ("TOKYO", "MUG-1"): 0,
            ("TOKYO", "CAKE-1"): 1,
            ("OSAKA", "TEA-1"): 2,
            ("OSAKA", "MUG-1"): 1,
            ("OSAKA", "CAKE-1"): 1,
        },
        settings,
    )
    order = to_allocated(s)
    assert {a.warehouse for a in order.allocations} == {"OSAKA"}


@pytest.mark.parametrize("steps", [0, 1, 2, 3])
def test_cancel_from_the_first_four_statuses(steps: int) -> None:
    s = shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5})
    place(s)
    if steps >= 1:
        s.desk.accept("1001")
    if steps >= 2:
        s.desk.allocate("1001")  # 中途引当: one tea short
    if steps >= 3:
        s.inventory.put("TOKYO", "TEA-1", 1)
        s.desk.allocate("1001")
    before = s.desk.get("1001").status
    order = s.desk.cancel("1001", reason="customer request", actor="customer")
    assert order.status is OrderStatus.CANCELLED
    assert order.allocations == ()
    assert order.payment.open_authorization == Money.yen(0)
    assert s.gateway.live_authorizations() == {}
    assert all(v == 0 for v in s.inventory.reserved.values())
    cancel = next(order.events_named("cancel"))
    assert (cancel.from_status, cancel.reason, cancel.actor) == (
        before,
        "customer request",
        "customer",
    )
    assert s.notifier.sent[-1].kind == "cancellation"


def test_no_cancel_once_instructed_without_a_recall() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(MoveNotAllowed) as caught:
        s.desk.cancel("1001", reason="too late")
    # what next_moves offers: no 着荷 or 着荷取消 while no parcel is with the carrier
    assert caught.value.allowed == ("allocate", "instruct_shipping", "recall", "ship")
    s.desk.recall("1001")
    assert s.desk.cancel("1001", reason="recalled first").status is OrderStatus.CANCELLED


def test_recall_is_refused_once_the_parcel_left() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.warehouses["TOKYO"].mark_shipped("1001-S1")
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked, match="already left"):
        s.desk.recall("1001")
    assert s.desk.get("1001").status is before.status


def test_a_hold_stops_shipping_until_cleared() -> None:
    s = shop()
    to_allocated(s)
    s.desk.raise_hold("1001", "remarks", "ラッピング希望: 確認が必要")
    assert Move.INSTRUCT_SHIPPING not in s.desk.next_moves("1001")
    with pytest.raises(MoveBlocked, match="remarks"):
        s.desk.instruct_shipping("1001")
    order = s.desk.clear_hold("1001", "remarks", actor="operator:sato")
    assert order.holds[0].cleared_by == "operator:sato"
    assert s.desk.instruct_shipping("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_declined_card_cancels_the_order() -> None:
    s = shop()
    s.gateway.decline_tokens = frozenset({"tok_ok"})
    with pytest.raises(PaymentDeclined):
        place(s)
    order = s.desk.get("1001")
    assert order.status is OrderStatus.CANCELLED
    assert order.payment.ledger[0].outcome is PaymentOutcome.FAILED
    assert order.payment.authorized == Money.yen(0)


def test_shipping_needs_a_valid_tracking_number() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(InvalidValue, match="tracking_number"):
        s.desk.ship("1001", "1001-S1", "1234-5678-9014")
    with pytest.raises(MoveBlocked, match="tracking number"):
        s.desk.ship("1001", "1001-S1", None)
    assert s.desk.get("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_carrier_reports_twice_change_nothing() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", TRACKING)
    assert s.desk.ship("1001", "1001-S1", TRACKING) == shipped
    delivered = s.desk.deliver("1001", "1001-S1")
    assert s.desk.deliver("1001", "1001-S1") == delivered
    assert len(s.gateway.calls_to("capture")) == 1


def test_an_order_is_booked_once() -> None:
    s = shop()
    to_booked(s)
    again = s.desk.book("1001")  # a repeat of a completed command returns the order
    assert again.status is OrderStatus.BOOKED
    assert len(s.accounting.entries) == 1


def test_shipment_basis_dates_the_sale_on_shipping() -> None:
    from orderflow import RecognitionBasis

    s = shop(settings=ShopSettings(recognition=RecognitionBasis.SHIPMENT, auto_advance=False))
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.clock.advance(timedelta(hours=16))  # 16:00 UTC = 01:00 the next day in Tokyo
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.clock.advance(timedelta(days=3))
    s.desk.deliver("1001", "1001-S1")
    s.desk.book("1001")
    assert s.accounting.entries[0][1].date.isoformat() == "2026-11-23"


def test_a_stale_copy_cannot_overwrite_a_newer_order() -> None:
    s = shop()
    stale = place(s)
    s.desk.accept("1001")
    with pytest.raises(ConcurrencyError):
        s.store.save(stale, expected_version=stale.version - 1)


def test_the_same_number_twice_is_a_duplicate() -> None:
    s = shop()
    place(s)
    other = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 5)]
    with pytest.raises(DuplicateOrder):
        place(s, order_lines=other)


def test_ledger_amounts_come_from_the_ledger() -> None:
    order = to_booked(shop())
    ops = [(e.op, e.outcome) for e in order.payment.ledger]
    assert ops == [
        (PaymentOp.AUTHORIZE, PaymentOutcome.SUCCEEDED),
        (PaymentOp.CAPTURE, PaymentOutcome.SUCCEEDED),
    ]


def test_a_full_width_tracking_number_is_normalised_and_garbage_refused() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(InvalidValue, match="tracking_number"):
        s.desk.ship("1001", "1001-S1", "1234-5678-901X")
    order = s.desk.ship("1001", "1001-S1", "１２３４ー５６７８ー９０１３")  # typed in full width
    assert order.shipments[0].tracking_number == "123456789013"
    assert order.status is OrderStatus.SHIPPED

"""Points granted and clawed back (ポイント付与・回収): rules, whole flows, fakes and SQLite."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import (
    Clawback,
    Disposition,
    GrantAt,
    Money,
    Order,
    OrderLine,
    PointsGrant,
    ReturnReason,
    ShopSettings,
    TaxRate,
    codec,
    points_earned,
    points_to_grant,
)
from orderflow.domain.events import PointsGranted, PointsOwed
from orderflow.errors import EffectsPending, InvalidValue, OutcomeUnknown
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore
from orderflow.testing import FakeShop, Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, address, customer, lines
from tests.postgres import new_database

# 1080×2 + 2200 + 1620 = 5980 of items; 1% → 59 points.
EARNED = 59


def a_shop(grant: PointsGrant | None, *, clawback: Clawback = Clawback.RECORD_OWED) -> FakeShop:
    settings = ShopSettings(points_grant=grant, points_clawback=clawback)
    return fake_shop(dict(STOCK), settings=settings, points={"C1": 1000})


def to_delivery(s: FakeShop, number: str = "1001", **kwargs: object) -> Order:
    s.desk.place(
        number=number,
        customer=customer(),
        ship_to=address(),
        lines=kwargs.pop("order_lines", lines()),  # type: ignore[arg-type]
        token="tok_ok",
        **kwargs,  # type: ignore[arg-type]
    )
    s.desk.accept(number)
    s.desk.instruct_shipping(number)
    order = s.desk.get(number)
    s.desk.ship(number, order.shipments[0].shipment_id, TRACKING)
    return s.desk.deliver(number, order.shipments[0].shipment_id)


def test_granted_n_days_after_delivery_by_the_sweep_once() -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=7))
    order = to_delivery(s)
    assert order.points_granted == 0 and order.points_due_at is not None
    assert s.desk.grant_points_due() == []  # not yet due
    s.desk.book("1001")
    s.clock.advance(timedelta(days=7))
    [granted] = s.desk.grant_points_due()
    assert granted.points_granted == EARNED and granted.points_due_at is None
    assert s.points.balances["C1"] == 1000 + EARNED
    assert s.desk.grant_points_due() == []  # once per order
    assert len(s.points.calls_to("grant")) == 1
    assert [n.kind for n in s.notifier.sent][-1] == "points_granted"
    assert "59" in s.notifier.sent[-1].body


def test_granted_at_booking_with_no_days_at_once() -> None:
    s = a_shop(PointsGrant(at=GrantAt.BOOKING))
    to_delivery(s)
    booked = s.desk.book("1001")
    assert booked.points_granted == EARNED
    assert any(isinstance(e, PointsGranted) for e in booked.history)


def test_no_grant_setting_grants_nothing() -> None:
    s = a_shop(None)
    to_delivery(s)
    s.desk.book("1001")
    s.clock.advance(timedelta(days=100))
    assert s.desk.grant_points_due() == []
    assert s.points.balances["C1"] == 1000


def test_provisional_points_are_confirmed_later() -> None:
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT, days=0, confirm_days=14))
    order = to_delivery(s)
    assert order.points_granted == EARNED and order.points_provisional
    assert s.points.balances["C1"] == 1000  # not spendable yet
    assert s.points.total("C1") == 1000 + EARNED
    s.clock.advance(timedelta(days=14))
    [confirmed] = s.desk.grant_points_due()
    assert not confirmed.points_provisional and confirmed.points_due_at is None
    assert s.points.balances["C1"] == 1000 + EARNED


def test_the_earn_rate_per_line() -> None:
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT))
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1000), 1, TaxRate.REDUCED, Decimal("0.05"))
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(1000), 1)
    order = to_delivery(s, order_lines=[tea, mug])
    assert order.points_granted == 50 + 10
    assert codec.loads(codec.dumps(order)) == order


def test_points_earned_is_points_to_grant_with_one_rate() -> None:
    s = a_shop(None)
    order = to_delivery(s, points_used=300)
    rate = Decimal("0.01")
    assert points_earned(order, rate) == points_to_grant(s.desk.totals(order), rate)


def test_a_clawback_takes_back_what_is_there_and_records_what_is_owed() -> None:
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT))
    to_delivery(s)
    s.points.balances["C1"] = 20  # spent the rest elsewhere
    order = s.desk.claw_back_points("1001", reason="返品", request_id="RMA-1")
    assert order.points_revoked == 20 and order.points_owed == EARNED - 20
    assert any(isinstance(e, PointsOwed) for e in order.history)
    assert s.points.balances["C1"] == 0  # never negative
    again = s.desk.claw_back_points("1001", reason="返品", request_id="RMA-1")
    assert again.points_revoked == 20  # the same request: nothing more
    with pytest.raises(InvalidValue, match="points"):
        s.desk.claw_back_points("1001", 1, reason="返品")  # nothing left to claw back


def test_owed_points_come_off_the_next_refund_when_the_shop_says_so() -> None:
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT), clawback=Clawback.DEDUCT_FROM_REFUND)
    to_delivery(s)
    s.points.balances["C1"] = 0
    s.desk.claw_back_points("1001", 30, reason="返品")
    order = s.desk.refund("1001", Money.yen(1000), reason="返品", request_id="RMA-2")
    assert order.points_owed == 0
    assert order.payment.refunded == Money.yen(970)


def test_owed_points_settled_by_a_refund_are_not_clawed_back_again() -> None:
    """Points owed and then paid off a refund were taken back: no clawback takes them again
    (the limit forgot them once settled: a second clawback revoked them from the balance)."""
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT), clawback=Clawback.DEDUCT_FROM_REFUND)
    to_delivery(s)
    s.points.balances["C1"] = 5
    order = s.desk.claw_back_points("1001", reason="返品")
    assert (order.points_revoked, order.points_owed) == (5, EARNED - 5)
    order = s.desk.refund("1001", Money.yen(1000), reason="返品", request_id="RMA-3")
    assert order.points_owed == 0 and order.payment.refunded == Money.yen(1000 - (EARNED - 5))
    s.points.balances["C1"] = 100  # earned again elsewhere
    with pytest.raises(InvalidValue, match="points"):
        s.desk.claw_back_points("1001", reason="返品")  # all 59 were taken back already
    with pytest.raises(InvalidValue, match="points"):
        s.desk.claw_back_points("1001", 1, reason="返品")
    assert s.points.balances["C1"] == 100 and s.desk.get("1001") == order


def test_owed_points_settled_off_a_refund_are_not_paid_back_by_a_later_one() -> None:
    """The yen a refund kept back for owed points paid the debt: no later refund (nor a
    return) pays them back (the limit forgot them: the whole payment went back, debt and all)."""
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT), clawback=Clawback.DEDUCT_FROM_REFUND)
    order = to_delivery(s)
    paid = order.payment.captured
    s.points.balances["C1"] = 0  # all 59 spent elsewhere
    s.desk.claw_back_points("1001", reason="返品")
    order = s.desk.refund("1001", Money.yen(1000), reason="返品")
    assert order.payment.refunded == Money.yen(1000 - EARNED) and order.points_owed == 0
    rest = paid - Money.yen(1000)  # the 59 yen kept back are the shop's now
    assert s.desk.refundable(order) == rest
    with pytest.raises(InvalidValue, match="amount"):
        s.desk.refund("1001", rest + Money.yen(1), reason="返品")
    assert s.desk.get("1001") == order
    order = s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return(
        "1001", "R1", [Disposition("L1", 2), Disposition("L2", 1), Disposition("L3", 1)]
    )
    assert order.payment.refunded == paid - Money.yen(EARNED)
    assert s.desk.refundable(order) == Money.yen(0)


def test_a_return_takes_back_the_points_its_units_earned_at_their_own_rate() -> None:
    """A ×10 ポイント item returned took back only its price's share of the order's points:
    the customer kept 45 of the 100 points it earned."""
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT))
    ten = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1000), 1, points_rate=Decimal("0.10"))
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(1000), 1)
    order = to_delivery(s, order_lines=[ten, mug])
    assert order.points_granted == 100 + 10
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    assert order.points_revoked == 100 and order.returns[0].points_clawed == 100
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R2", [Disposition("L2", 1, "TOKYO")])
    assert order.points_revoked == 110  # every unit back: all that was earned


def test_a_clawback_before_the_grant_lowers_it() -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=10))
    to_delivery(s)
    order = s.desk.claw_back_points("1001", 9, reason="返品")
    assert order.points_withheld == 9 and not s.points.calls_to("revoke")
    s.clock.advance(timedelta(days=10))
    [granted] = s.desk.grant_points_due()
    assert granted.points_granted == EARNED - 9


def test_bad_clawbacks_change_nothing() -> None:
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT))
    before = to_delivery(s)
    for bad in (0, -1, EARNED + 1, True, "5", 1.5):
        with pytest.raises(InvalidValue, match="points"):
            s.desk.claw_back_points("1001", bad, reason="返品")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="reason"):
        s.desk.claw_back_points("1001", 1, reason="")
    assert s.desk.get("1001") == before


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidValue, match="confirm_days"):
        PointsGrant(days=10, confirm_days=3)
    with pytest.raises(InvalidValue, match="days"):
        PointsGrant(days=-1)
    with pytest.raises(InvalidValue, match="points_grant"):
        ShopSettings(points_grant="delivery")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="points_rate"):
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1), 1, points_rate=0.05)  # type: ignore[arg-type]


def test_a_grant_lost_in_a_time_out_is_finished_by_resume_under_the_same_key() -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=1))
    to_delivery(s)
    s.clock.advance(timedelta(days=1))
    s.points.fail_next("grant", Fault.TIMEOUT_AFTER)
    assert s.desk.grant_points_due() == []  # the time-out: the sweep goes on
    assert s.desk.get("1001").outbox
    s.desk.resume("1001")
    keys = {c.key for c in s.points.calls_to("grant")}
    assert len(keys) == 1 and s.points.balances["C1"] == 1000 + EARNED


def test_a_refused_grant_is_asked_again_then_held() -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=1))
    to_delivery(s)
    s.clock.advance(timedelta(days=1))
    s.points.fail_next("grant", Fault.DECLINE, times=4)
    s.desk.grant_points_due()
    order = s.desk.get("1001")
    assert [h.code for h in order.open_holds] == ["effect_refused"]
    with pytest.raises(EffectsPending):  # refused a fourth time: nothing queues behind it
        s.desk.claw_back_points("1001", 1, reason="返品")
    s.desk.resume("1001")
    assert s.desk.get("1001").points_granted == EARNED
    assert len({c.key for c in s.points.calls_to("grant")}) == 5  # a new key each time
    assert s.points.balances["C1"] == 1000 + EARNED


def _whole_flow_on(s: FakeShop, store: OrderStore) -> None:
    s.desk = desk_on(s, store=store)
    to_delivery(s)
    s.clock.advance(timedelta(days=3))
    [granted] = s.desk.grant_points_due()
    assert granted.points_provisional and store.get("1001").points_granted == EARNED
    s.desk.claw_back_points("1001", 10, reason="返品")
    s.clock.advance(timedelta(days=7))
    [confirmed] = s.desk.grant_points_due()
    assert confirmed.points_revoked == 10 and not confirmed.points_provisional
    assert s.points.balances["C1"] == 1000 + EARNED - 10


def test_a_whole_flow_on_sqlite(tmp_path: Path) -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=3, confirm_days=10))
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        _whole_flow_on(s, store)


def test_a_whole_flow_on_postgres(postgres_uri: str) -> None:
    s = a_shop(PointsGrant(at=GrantAt.DELIVERY, days=3, confirm_days=10))
    with PostgresStore(new_database(postgres_uri)) as store:
        _whole_flow_on(s, store)


def test_an_order_stored_before_points_due_at_reads_and_sweeps(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:  # a table as made before the column
        conn.execute("DROP INDEX orders_points_due")
        conn.execute("ALTER TABLE orders DROP COLUMN points_due_at")
    with SQLiteStore(path) as store:
        s = a_shop(PointsGrant(at=GrantAt.SHIPMENT, days=1))
        s.desk = desk_on(s, store=store)
        to_delivery(s)
        s.clock.advance(timedelta(days=1))
        assert len(s.desk.grant_points_due()) == 1


def test_the_sweep_wants_an_aware_time() -> None:
    s = a_shop(None)
    with pytest.raises(InvalidValue, match="now"):
        s.desk.grant_points_due(now="tomorrow")  # type: ignore[arg-type]


# -- the law: points are conserved and never negative without a recorded debt ---------------------

_STEP = st.sampled_from(["sweep", "days", "claw", "spend", "refund", "timeout", "decline"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    at=st.sampled_from(list(GrantAt)),
    days=st.integers(0, 5),
    provisional=st.booleans(),
    clawback=st.sampled_from(list(Clawback)),
    steps=st.lists(st.tuples(_STEP, st.integers(1, 80)), max_size=12),
)
def test_points_are_conserved(
    at: GrantAt,
    days: int,
    provisional: bool,
    clawback: Clawback,
    steps: list[tuple[str, int]],
) -> None:
    grant = PointsGrant(at=at, days=days, confirm_days=days + 2 if provisional else None)
    s = a_shop(grant, clawback=clawback)
    to_delivery(s)
    s.desk.book("1001")
    spent = 0
    for step, n in steps:
        try:
            if step == "sweep":
                s.desk.grant_points_due()
            elif step == "days":
                s.clock.advance(timedelta(days=n % 4))
            elif step == "claw":
                s.desk.claw_back_points("1001", n, reason="返品")
            elif step == "spend":
                taken = min(n, s.points.balances["C1"])
                s.points.balances["C1"] -= taken
                spent += taken
            elif step == "refund":
                s.desk.refund("1001", Money.yen(n), reason="返品")
            elif step == "timeout":
                s.points.fail_next("revoke", Fault.TIMEOUT_AFTER)
                s.points.fail_next("grant", Fault.TIMEOUT_AFTER)
            else:
                s.points.fail_next("revoke", Fault.DECLINE)
        except (InvalidValue, OutcomeUnknown, EffectsPending):
            pass
    s.points.clear_faults()
    s.desk.resume("1001")
    order = s.desk.get("1001")
    granted, revoked = order.points_granted, order.points_revoked
    assert s.points.total("C1") == 1000 + granted - revoked - spent
    assert s.points.balances["C1"] >= 0 and s.points.total("C1") >= 0
    owed = sum(int(e.detail("points") or 0) for e in order.events_named("points_owed"))
    settled = sum(int(e.detail("points") or 0) for e in order.events_named("points_owed_settled"))
    assert order.points_owed == owed - settled >= 0
    assert revoked + owed <= granted
    assert granted in (0, EARNED - order.points_withheld)


def test_the_shipping_notice_comes_before_the_points_granted_at_shipping() -> None:
    """The customer heard of the points the shipment earned before hearing it shipped."""
    s = a_shop(PointsGrant(at=GrantAt.SHIPMENT))
    to_delivery(s)
    kinds = [n.kind for n in s.notifier.sent]
    assert kinds.index("shipping") < kinds.index("points_granted")

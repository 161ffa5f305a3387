"""The bounds of orderflow.domain.bounds: days in the settings, moments and spans given to the
desk's sweeps and work lists, units given to the desk and the inventories. Past a bound: an
InvalidValue naming the argument, never an OverflowError, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import pytest

from orderflow import Money, OrderLine, PaymentMethod, PointsGrant, ShopSettings
from orderflow.domain.bounds import MAX_DAYS, MAX_UNITS
from orderflow.errors import InvalidValue
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeInventory, FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, place

DAYS = ["reauthorize_within_days", "authorization_days", "konbini_days", "absent_hold_days"]


@pytest.mark.parametrize("field", DAYS)
@pytest.mark.parametrize("days", [MAX_DAYS + 1, 3_000_000, 10**30])
def test_settings_days_past_ten_years_are_refused(field: str, days: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(**{field: days})  # type: ignore[arg-type]
    assert caught.value.field == field
    assert str(MAX_DAYS) in str(caught.value)


def test_the_longest_days_work() -> None:
    settings = ShopSettings(**{field: MAX_DAYS for field in DAYS})  # type: ignore[arg-type]
    s = fake_shop(dict(STOCK), settings=settings)
    order = place(s, payment_method=PaymentMethod.KONBINI, token=None)
    assert order.payment.instruction("deadline") is not None
    place(s, "1002", token="tok_visa")
    s.clock.advance(timedelta(days=MAX_DAYS))
    s.desk.reauthorize_expiring()
    s.desk.expire_unpaid()
    s.desk.sweep_absent()


class _Nonsense(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "nonsense"


HI = datetime(9999, 12, 31, tzinfo=UTC)
LO = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23)))
MOMENTS = [
    pytest.param(HI, id="9999-12-31"),
    pytest.param(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-23))), id="-23h"),
    pytest.param(LO, id="0001-01-01+23h"),
    pytest.param(datetime(2026, 1, 1, tzinfo=_Nonsense()), id="tz-30h"),
    pytest.param(datetime(2026, 1, 1), id="naive"),
]

TIMED: list[Any] = [
    pytest.param("now", lambda s, m: s.desk.reauthorize_expiring(m), id="reauthorize_expiring"),
    pytest.param("now", lambda s, m: s.desk.expire_unpaid(m), id="expire_unpaid"),
    pytest.param("now", lambda s, m: s.desk.grant_points_due(m), id="grant_points_due"),
    pytest.param("since", lambda s, m: s.desk.poll_carrier_events(m), id="poll_carrier_events"),
    pytest.param(
        "paid_at",
        lambda s, m: s.desk.record_konbini_payment(
            "1002", reference="K1", amount=Money.yen(7400), paid_at=m
        ),
        id="record_konbini_payment",
    ),
    pytest.param("cutoff", lambda s, m: s.desk.send_purchase_orders(cutoff=m), id="send_po"),
]


def _shop() -> FakeShop:
    s = fake_shop(
        dict(STOCK), settings=ShopSettings(points_grant=PointsGrant()), points={"C1": 100}
    )
    place(s, token="tok_visa")
    place(s, "1002", payment_method=PaymentMethod.KONBINI, token=None)
    return s


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize(("field", "call"), TIMED)
def test_a_moment_off_the_calendar_is_refused_naming_the_argument(
    field: str, call: Callable[[FakeShop, datetime], object], moment: datetime
) -> None:
    s = _shop()
    before = dict(s.store.orders)
    with pytest.raises(InvalidValue) as caught:
        call(s, moment)
    assert caught.value.field == field
    assert s.store.orders == before


@pytest.mark.parametrize(("field", "call"), TIMED)
def test_a_moment_within_the_bounds_works(
    field: str, call: Callable[[FakeShop, datetime], object]
) -> None:
    s = _shop()
    call(s, datetime(8999, 12, 31, tzinfo=UTC))
    call(_shop(), datetime(1900, 1, 1, tzinfo=UTC))


SPANS = [timedelta(days=999_999_999), timedelta.max, timedelta(days=MAX_DAYS, seconds=1)]


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize("field", ["not_shipped_after", "stuck_after"])
def test_queue_counts_refuses_a_span_past_ten_years(field: str, span: timedelta) -> None:
    s = _shop()
    with pytest.raises(InvalidValue) as caught:
        s.desk.queue_counts(**{field: span})
    assert caught.value.field == field
    assert s.desk.queue_counts(**{field: timedelta(days=MAX_DAYS)})["status:ordered"] >= 0


@pytest.mark.parametrize("span", [*SPANS, timedelta(0), None])
def test_resume_pending_refuses_a_lease_past_ten_years(span: timedelta, tmp_path: Path) -> None:
    s = _shop()
    sqlite = desk_on(s, store=SQLiteStore(str(tmp_path / "shop.sqlite3")))
    for desk in (s.desk, sqlite):
        with pytest.raises(InvalidValue) as caught:
            desk.resume_pending(lease=span)
        assert caught.value.field == "lease"
    assert sqlite.resume_pending(lease=timedelta(days=MAX_DAYS)) == []


def test_expect_arrival_takes_a_date_of_the_calendar_only() -> None:
    s = _shop()
    with pytest.raises(InvalidValue) as caught:
        s.desk.expect_arrival("1001", "L1", date(9999, 12, 31))
    assert caught.value.field == "on"


# -- units ------------------------------------------------------------------------------------


def _inventories(tmp_path: Path) -> list[Any]:
    sqlite = SQLiteInventory(str(tmp_path / "stock.sqlite3"))
    sqlite.receive("TOKYO", "TEA-1", 5, reason="初期在庫")
    return [FakeInventory({("TOKYO", "TEA-1"): 5}), sqlite]


@pytest.mark.parametrize("quantity", [MAX_UNITS + 1, 2**63, 10**30])
def test_desk_receive_refuses_more_units_than_the_bound(quantity: int, tmp_path: Path) -> None:
    for inventory in _inventories(tmp_path):
        s = fake_shop()
        desk = desk_on(s, store=s.store, inventory=inventory)
        with pytest.raises(InvalidValue) as caught:
            desk.receive("TOKYO", "TEA-1", quantity, receipt_id="RC-1")
        assert caught.value.field == "quantity"
        assert inventory.available("TOKYO", "TEA-1") == 5


def _moves(inventory: Any, quantity: int) -> list[Callable[[], object]]:
    moves: list[Callable[[], object]] = [
        lambda: inventory.receive("TOKYO", "TEA-1", quantity, reason="x"),
        lambda: inventory.reserve(key="k:1", warehouse="TOKYO", sku="TEA-1", quantity=quantity),
        lambda: inventory.release(key="k:2", warehouse="TOKYO", sku="TEA-1", quantity=quantity),
        lambda: inventory.commit(key="k:3", warehouse="TOKYO", sku="TEA-1", quantity=quantity),
    ]
    if isinstance(inventory, SQLiteInventory):  # the fake has no 棚卸 corrections
        moves += [
            lambda: inventory.adjust("TOKYO", "TEA-1", quantity, reason="x"),
            lambda: inventory.adjust("TOKYO", "TEA-1", -quantity, reason="x"),
        ]
    return moves


@pytest.mark.parametrize("quantity", [MAX_UNITS + 1, 2**63])
def test_the_inventories_refuse_more_units_than_the_bound(quantity: int, tmp_path: Path) -> None:
    for inventory in _inventories(tmp_path):
        for move in _moves(inventory, quantity):
            with pytest.raises(InvalidValue):
                move()
        assert inventory.available("TOKYO", "TEA-1") == 5
        if isinstance(inventory, FakeInventory):
            assert not inventory.calls
        else:
            assert len(inventory.movements()) == 1
        inventory.receive("TOKYO", "TEA-1", MAX_UNITS, reason="the most at once")
        assert inventory.available("TOKYO", "TEA-1") == MAX_UNITS + 5


@pytest.mark.parametrize("quantity", [MAX_UNITS + 1, 2**63])
def test_an_order_line_of_more_units_than_the_bound_is_refused(quantity: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1), quantity)
    assert caught.value.field == "quantity"
    assert str(MAX_UNITS) in str(caught.value).replace(",", "")


def test_a_set_line_whose_component_units_pass_the_bound_is_refused() -> None:
    settings = ShopSettings(auto_advance=False, sets={"GIFT-1": (("TEA-1", 2), ("MUG-1", 1))})
    s = fake_shop(dict(STOCK), settings=settings)
    before = dict(s.store.orders)
    with pytest.raises(InvalidValue) as caught:
        place(
            s, order_lines=[OrderLine("L1", "GIFT-1", "ギフト", Money.yen(1), MAX_UNITS // 2 + 1)]
        )
    assert caught.value.field == "lines[L1].quantity"
    assert s.store.orders == before and not s.inventory.calls
    place(s, order_lines=[OrderLine("L1", "GIFT-1", "ギフト", Money.yen(1), MAX_UNITS // 2)])
    with pytest.raises(InvalidValue):
        ShopSettings(sets={"GIFT-1": (("TEA-1", MAX_UNITS + 1),)})


@pytest.mark.parametrize("value", [10**5000, -(10**5000), [10**5000]], ids=["int", "neg", "list"])
def test_an_int_past_pythons_str_limit_is_still_an_invalid_value(value: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1), value)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("quantity: ")
    shown = message.rpartition(" got ")[2]  # never the digits: too long to show, or hiding
    assert shown in ("<int of 16610 bits>", "<list of 1>")  # a container (its items unread)


def test_a_receipt_id_reused_for_another_receipt_is_the_callers_mistake(tmp_path: Path) -> None:
    """Not a provider failure (a webhook sender would retry it forever): nothing more is added."""
    path = tmp_path / "shop.sqlite3"
    for inventory in (None, SQLiteInventory(path)):
        s = fake_shop(dict(STOCK))
        desk = s.desk if inventory is None else desk_on(s, store=s.store, inventory=inventory)
        stock = desk.executor.available
        before = stock("TOKYO", "TEA-1")
        desk.receive("TOKYO", "TEA-1", 5, receipt_id="R1")
        with pytest.raises(InvalidValue) as refused:
            desk.receive("TOKYO", "TEA-1", 7, receipt_id="R1")
        assert refused.value.field == "receipt_id"
        assert stock("TOKYO", "TEA-1") == before + 5

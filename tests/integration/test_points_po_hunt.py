"""Points, purchase orders, notices and the books, as a shop developer meets them (hunt)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from orderflow import (
    AccountMap,
    Channel,
    Disposition,
    GrantAt,
    JournalEntry,
    JournalLine,
    Money,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    Party,
    PointsGrant,
    Requester,
    ReturnReason,
    ShopSettings,
    Side,
    TaxRate,
    goodwill_entry,
    goodwill_share,
    points_earned,
    points_to_grant,
    posted_entries,
    refund_share,
    return_entry,
    sale_entry,
)
from orderflow.domain.booking import points_deferral_entry, reversal_entry
from orderflow.domain.queues import QueueQuery
from orderflow.errors import InvalidValue
from orderflow.notices import fields_of
from orderflow.testing import Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, TRACKING, address, customer, lines


def test_points_the_points_system_refuses_at_placing_send_no_payment_failed_notice() -> None:
    # The card was never asked: telling the customer "the payment was not approved, choose
    # another payment method" is wrong. As when the balance check refuses the points, the
    # caller gets InvalidValue on points_used and the customer no mail.
    s = fake_shop(dict(STOCK), points={"C1": 1000})
    s.points.fail_next("redeem", Fault.DECLINE)
    with pytest.raises(InvalidValue) as refused:
        s.desk.place(
            number="1001",
            customer=customer(),
            ship_to=address(),
            lines=lines(),
            token="tok_ok",
            points_used=500,
        )
    assert refused.value.field == "points_used"
    assert s.desk.get("1001").status is OrderStatus.CANCELLED
    assert not s.gateway.calls
    assert s.notifier.sent == []
    assert s.points.balances["C1"] == 1000
    order = s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines(),
        token="tok_ok",
        points_used=500,
    )  # the number is free again
    assert order.status is OrderStatus.ORDERED
    assert [n.kind for n in s.notifier.sent] == ["order_confirmation"]


def test_a_change_preview_counts_the_points_of_a_times_n_campaign_line() -> None:
    # ×5 ポイント on the mug: the order earns 110 + 21 = 131 points, and 241 with two mugs;
    # the preview said 43 → 65 (1% of everything), not what the grant then gave.
    settings = ShopSettings(points_grant=PointsGrant(at=GrantAt.SHIPMENT))
    s = fake_shop(dict(STOCK), settings=settings, points={"C1": 0})
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1, points_rate=Decimal("0.05"))
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED)
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[tea, mug],
        token="tok_ok",
        shipping_fee=Money.yen(880),
    )
    s.desk.accept("1001")
    change = OrderChange(quantities={"L2": 2})
    preview = s.desk.change("1001", change, dry_run=True)
    assert (preview.points_to_grant_before, preview.points_to_grant_after) == (131, 241)
    done = s.desk.change("1001", change, request_id="C1")
    assert (done.points_to_grant_before, done.points_to_grant_after) == (131, 241)
    again = s.desk.change("1001", change, request_id="C1")  # a repeat answers the same
    assert (again.points_to_grant_before, again.points_to_grant_after) == (131, 241)
    s.desk.instruct_shipping("1001")
    order = s.desk.ship("1001", "1001-S1", TRACKING)
    assert order.points_granted == 241 == points_earned(order, settings.points_rate)


def test_a_change_preview_without_campaign_lines_is_the_shops_rate() -> None:
    s = fake_shop(dict(STOCK), points={"C1": 1000})
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=lines(),
        token="tok_ok",
        points_used=300,
        shipping_fee=Money.yen(880),
    )
    s.desk.accept("1001")
    preview = s.desk.change("1001", OrderChange(quantities={"L1": 1}), dry_run=True)
    rate = s.desk.settings.points_rate
    assert preview.points_to_grant_before == points_to_grant(preview.before, rate) == 56
    assert preview.points_to_grant_after == points_to_grant(preview.after, rate) == 46


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("customer", Channel.MY_PAGE), "party"),
        ((Party.CUSTOMER, "my_page"), "channel"),
        ((Party.CUSTOMER, None), "channel"),
        ((Party.OPERATOR, Channel.BACK_OFFICE, None), "name"),
    ],
)
def test_a_requester_is_checked_when_built(arguments: tuple[object, ...], field: str) -> None:
    # A channel given as its text reached cancel, change and split, which failed with
    # AttributeError ('str' object has no attribute 'value'), and next_moves, which answered
    # as if the channel were allowed.
    with pytest.raises(InvalidValue) as refused:
        Requester(*arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
    with pytest.raises(InvalidValue) as refused:
        Requester.customer("my_page")  # type: ignore[arg-type]
    assert refused.value.field == "channel"


@pytest.mark.parametrize("send", ["false", "no", 0, None])
def test_order_from_supplier_takes_send_as_true_or_false_only(send: object) -> None:
    # send="false" (a form's text) sent the purchase order to the supplier at once.
    s = fake_shop(dict(STOCK))
    with pytest.raises(InvalidValue) as refused:
        s.desk.order_from_supplier("TEA-1", 6, "ACME", warehouse="TOKYO", send=send)  # type: ignore[arg-type]
    assert refused.value.field == "send"
    assert s.desk.open_purchase_orders("ACME") == [] and not s.supplier.calls


@pytest.mark.parametrize("notify", ["false", 0, None])
def test_expect_arrival_takes_notify_as_true_or_false_only(notify: object) -> None:
    # notify="false" mailed the customer the arrival date; None silently mailed nothing.
    s = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5})
    s.desk.place(
        number="1001", customer=customer(), ship_to=address(), lines=lines(), token="tok_ok"
    )
    s.desk.accept("1001")
    before = list(s.notifier.sent)
    with pytest.raises(InvalidValue) as refused:
        s.desk.expect_arrival("1001", "L1", date(2026, 12, 1), notify=notify)  # type: ignore[arg-type]
    assert refused.value.field == "notify"
    assert s.notifier.sent == before


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"release": "no"}, "release"),
        ({"release": 0}, "release"),
        ({"on": "2026-12-01"}, "on"),
        ({"on": datetime(2026, 12, 1, tzinfo=UTC)}, "on"),
        ({"reference": None}, "reference"),
        ({"reference": ""}, "reference"),
    ],
)
def test_points_deferral_entry_checks_its_arguments(
    arguments: dict[str, object], field: str
) -> None:
    # release="no" booked the release (契約負債 debited, 売上高 credited): the books the wrong
    # way round; a reference of None made the memo 'ポイント 契約負債 繰延 None'.
    given: dict[str, object] = {
        "reference": "1001",
        "on": date(2026, 12, 1),
        "amount": Money.yen(59),
        "accounts": AccountMap(),
    }
    given.update(arguments)
    with pytest.raises(InvalidValue) as refused:
        points_deferral_entry(**given)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"on": "2026-12-01"}, "on"),
        ({"reference": 5}, "reference"),
        ({"memo": 5}, "memo"),
    ],
)
def test_reversal_entry_checks_its_arguments(arguments: dict[str, object], field: str) -> None:
    sale = JournalEntry(
        date(2026, 11, 22),
        "1001",
        "受注 1001 売上計上",
        (
            JournalLine(Side.DEBIT, "売掛金", Money.yen(1100), "", "対象外"),
            JournalLine(Side.CREDIT, "売上高", Money.yen(1100), "", "課税売上込10%"),
        ),
    )
    given: dict[str, object] = {"on": date(2026, 12, 1)}
    given.update(arguments)
    on = given.pop("on")
    with pytest.raises(InvalidValue) as refused:
        reversal_entry(sale, on, **given)  # type: ignore[arg-type]
    assert refused.value.field == field


def _booked_with_a_return_and_a_refund() -> tuple[Order, ShopSettings]:
    s = fake_shop(dict(STOCK), points={"C1": 0})
    desk = s.desk
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines(), token="tok_ok")
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    desk.deliver("1001", "1001-S1")
    desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    desk.receive_return("1001", "R1", [Disposition("L1", 1, "TOKYO")])
    desk.refund("1001", Money.yen(100), reason="お詫び")
    return desk.book("1001"), desk.settings


_ZONE = ZoneInfo("Asia/Tokyo")


def _bad(value: object) -> Any:
    """A wrong value, typed so that the call type-checks (the helper must refuse it)."""
    return value


_DAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda o, st: points_earned(o, Decimal("-1")), "rate"),  # was -5,980 points
        (lambda o, st: points_earned(o, _bad(0.01)), "rate"),  # TypeError
        (lambda o, st: points_earned(_bad("1001"), Decimal("0.01")), "order"),  # AttributeError
        (lambda o, st: points_to_grant(o.totals(st.tax), _bad(0.01)), "rate"),  # TypeError
        (lambda o, st: points_to_grant(_bad(o), Decimal("0.01")), "totals"),
        # a text as the recognition basis was read as 着荷基準, whatever it said
        (
            lambda o, st: posted_entries(o, st.tax, st.accounts, _bad("shipment"), _ZONE),
            "recognition",
        ),
        (
            lambda o, st: posted_entries(
                o, st.tax, st.accounts, st.recognition, _bad("Asia/Tokyo")
            ),
            "zone",
        ),
        (lambda o, st: posted_entries(o, st.tax, _bad("freee"), st.recognition, _ZONE), "accounts"),
        (
            lambda o, st: posted_entries(_bad("1001"), st.tax, st.accounts, st.recognition, _ZONE),
            "order",
        ),
        (lambda o, st: sale_entry(o, st.tax, _bad("freee"), _DAY), "accounts"),
        (lambda o, st: sale_entry(o, st.tax, st.accounts, _bad("2026-11-22")), "on"),
        (lambda o, st: goodwill_share(o, Money.yen(-5), st.tax), "amount"),  # negative shares
        (lambda o, st: goodwill_share(o, Money.of("1", "USD"), st.tax), "amount"),  # as ¥100
        (lambda o, st: goodwill_share(o, _bad(100), st.tax), "amount"),
        (lambda o, st: goodwill_entry(o, "G1", _bad("x"), st.accounts, _DAY), "shares"),
        (lambda o, st: goodwill_entry(o, "G1", (), _bad("freee"), _DAY), "accounts"),
        (lambda o, st: goodwill_entry(o, "G1", (), st.accounts, _bad("2026-11-22")), "on"),
        (lambda o, st: refund_share(o, _bad("R1"), st.tax, st.return_policy), "ret"),
        (lambda o, st: refund_share(o, o.returns[0], st.tax, _bad("x")), "policy"),
        (lambda o, st: return_entry(o, o.returns[0], st.tax, _bad("x"), _DAY), "accounts"),
        (lambda o, st: sale_entry(o, st.tax, st.accounts, _DAY, _bad("x")), "totals"),
        (
            lambda o, st: refund_share(
                o, o.returns[0], st.tax, st.return_policy, shipping_fee=_bad(5)
            ),
            "shipping_fee",
        ),
        (
            lambda o, st: refund_share(o, o.returns[0], st.tax, st.return_policy, points_earned=-5),
            "points_earned",
        ),
        (
            lambda o, st: return_entry(o, o.returns[0], st.tax, st.accounts, _bad("2026-11-22")),
            "on",
        ),
    ],
)
def test_the_books_helpers_check_what_they_are_given(
    call: Callable[[Order, ShopSettings], object], field: str
) -> None:
    order, settings = _booked_with_a_return_and_a_refund()
    with pytest.raises(InvalidValue) as refused:
        call(order, settings)
    assert refused.value.field == field


def test_fields_of_an_unknown_kind_names_the_kinds() -> None:
    # It raised KeyError('nope').
    with pytest.raises(InvalidValue) as refused:
        fields_of("nope")
    assert refused.value.field == "kind" and "points_granted" in str(refused.value)
    assert "points" in fields_of("points_granted")


@pytest.mark.parametrize("grant", [None, PointsGrant(at=GrantAt.SHIPMENT)])
def test_no_points_are_clawed_back_from_an_order_that_will_never_earn_them(
    grant: PointsGrant | None,
) -> None:
    # A cancelled order (or any order of a shop that grants no points) recorded 59 points
    # withheld: points it never earned and never would.
    s = fake_shop(dict(STOCK), settings=ShopSettings(points_grant=grant), points={"C1": 0})
    s.desk.place(
        number="1001", customer=customer(), ship_to=address(), lines=lines(), token="tok_ok"
    )
    if grant is not None:
        s.desk.cancel("1001", reason="客都合")
    with pytest.raises(InvalidValue) as refused:
        s.desk.claw_back_points("1001", reason="返品")
    assert refused.value.field == "points"
    with pytest.raises(InvalidValue):
        s.desk.claw_back_points("1001", 5, reason="返品")
    order = s.desk.get("1001")
    assert order.points_withheld == 0 and not list(order.events_named("points_withheld"))


def test_a_sweep_reports_only_the_orders_it_granted_itself() -> None:
    # Two workers sweeping the same store: the second found the order on its work list
    # (read before the first saved) and reported it granted, though the first had granted it;
    # the counts the CLI's sweep prints added up to more grants than were made.
    settings = ShopSettings(points_grant=PointsGrant(at=GrantAt.DELIVERY, days=1))
    s = fake_shop(dict(STOCK), settings=settings, points={"C1": 0})
    desk = s.desk
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines(), token="tok_ok")
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    desk.deliver("1001", "1001-S1")
    s.clock.advance(timedelta(days=1))
    stale = desk.executor.work_lists().queue  # the second worker's list, read before the grant
    listed = stale(QueueQuery.points_due(s.clock.now()), after=None, limit=500)
    assert [o.number for o in desk.grant_points_due()] == ["1001"]
    second = desk_on(s, store=s.store)
    second.executor.work_lists().queue = lambda *a, **k: listed  # type: ignore[method-assign]
    assert second.grant_points_due() == []
    assert len(s.points.calls_to("grant")) == 1

"""価格訂正: shop staff correct a unit price, the shipping fee or the discount by a change.

A back office corrects prices every day (a price typed wrong on the site, the shipping of a large
item quoted by hand, a goodwill discount before shipping); the totals, the payment, the points,
the COD fee and the customer's notice follow as for any change.
"""

from decimal import Decimal

import attrs
import pytest

from orderflow import (
    Money,
    OrderChange,
    OrderStatus,
    PaymentMethod,
    Requester,
    ShopSettings,
)
from orderflow.domain.events import Changed
from orderflow.errors import CurrencyMismatch, InvalidValue
from tests.builders import TRACKING, address, place, shop

ISLAND = attrs.evolve(address(), postal_code="100-0211")  # 大島町 差木地


def _total(s: object, number: str = "1001") -> Money:
    desk = s.desk  # type: ignore[attr-defined]
    return desk.totals(desk.get(number)).total  # type: ignore[no-any-return]


def test_a_unit_price_corrected_lowers_the_total_and_the_capture() -> None:
    s = shop()
    place(s)
    before = _total(s)
    preview = s.desk.change("1001", OrderChange(unit_prices={"L2": Money.yen(1980)}))
    assert preview.delta == Money.yen(-220)
    order = s.desk.get("1001")
    assert order.line("L2").unit_price == Money.yen(1980)
    assert _total(s) == before - Money.yen(220)
    changed = [e for e in order.history if isinstance(e, Changed)][-1]
    assert ("unit_prices", "L2→1980") in changed.changes
    notice = s.notifier.sent[-1]
    assert notice.kind == "order_changed" and dict(notice.facts)["delta"] == Money.yen(-220)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", TRACKING)
    assert shipped.payment.captured == _total(s)  # the corrected total, the rest voided


def test_a_higher_shipping_fee_is_authorized_again() -> None:
    s = shop()
    place(s)
    s.desk.change("1001", OrderChange(shipping_fee=Money.yen(3300)))
    order = s.desk.get("1001")
    assert order.shipping_fee == Money.yen(3300)
    ops = [(e.op.value, e.amount) for e in order.payment.ledger]
    first = ops[0][1]
    assert ops == [("authorize", first), ("authorize", _total(s)), ("void", first)]


def test_a_fee_waived_by_hand_stands_through_the_review_of_an_island_order() -> None:
    s = shop()
    place(s, ship_to=ISLAND)
    s.desk.accept("1001")  # the review takes the island fee from the table and holds
    table_fee = s.desk.get("1001").shipping_fee
    assert table_fee > Money.yen(880)
    s.desk.change("1001", OrderChange(shipping_fee=Money.yen(0)))
    assert s.desk.get("1001").shipping_fee == Money.yen(0)
    s.desk.change("1001", OrderChange(quantities={"L1": 3}))  # reviewed again: the fee stays
    order = s.desk.get("1001")
    assert order.shipping_fee == Money.yen(0)
    assert order.line("L1").quantity == 3


def test_a_discount_set_by_hand_is_kept_and_never_above_the_charges() -> None:
    s = shop()
    place(s)
    before = _total(s)
    s.desk.change("1001", OrderChange(discount=Money.yen(500)))
    order = s.desk.get("1001")
    assert order.discount == Money.yen(500)
    assert _total(s) == before - Money.yen(500)
    assert not order.open_holds  # set by staff: no discount_capped hold
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(discount=Money.yen(100_000)))
    assert caught.value.field == "change.discount"
    assert s.desk.get("1001") == order


def test_a_cod_order_corrected_takes_the_fee_of_its_new_total() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.COD, token=None)
    fee_before = s.desk.get("1001").fees
    s.desk.change("1001", OrderChange(unit_prices={"L2": Money.yen(60_000)}))
    order = s.desk.get("1001")
    assert order.fees > fee_before  # the next bracket of the 代引手数料


def test_the_customer_cannot_correct_prices() -> None:
    s = shop()
    place(s)
    before = s.desk.get("1001")
    for change, field in (
        (OrderChange(unit_prices={"L1": Money.yen(1)}), "change.unit_prices"),
        (OrderChange(shipping_fee=Money.yen(0)), "change.shipping_fee"),
        (OrderChange(discount=Money.yen(1000)), "change.discount"),
    ):
        with pytest.raises(InvalidValue) as caught:
            s.desk.change("1001", change, requester=Requester.customer())
        assert caught.value.field == field
        assert "staff" in str(caught.value)
    assert s.desk.get("1001") == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit_prices": {"L9": Money.yen(100)}}, "change.unit_prices['L9']"),
        ({"unit_prices": {"L1": Money.yen(-1)}}, "change.unit_prices['L1']"),
        ({"unit_prices": {"L1": 100}}, "change.unit_prices['L1']"),
        ({"unit_prices": {"L1": Money.yen(1)}, "remove_lines": {"L1"}}, "change.unit_prices['L1']"),
        ({"unit_prices": ["L1"]}, "change.unit_prices"),
        ({"shipping_fee": 500}, "change.shipping_fee"),
        ({"shipping_fee": Money.yen(-500)}, "change.shipping_fee"),
        ({"discount": Decimal(5)}, "change.discount"),
    ],
)
def test_a_bad_correction_is_refused_naming_it(kwargs: dict[str, object], field: str) -> None:
    s = shop()
    place(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as caught:
        s.desk.change("1001", OrderChange(**kwargs))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert s.desk.get("1001") == before


def test_a_correction_in_another_currency_is_refused_naming_it() -> None:
    s = shop()
    place(s)
    with pytest.raises(CurrencyMismatch) as caught:
        s.desk.change("1001", OrderChange(shipping_fee=Money(Decimal("5.00"), "USD")))
    assert caught.value.field == "change.shipping_fee"


def test_a_dry_run_previews_a_correction_and_a_repeat_answers_the_same() -> None:
    s = shop(settings=ShopSettings(auto_advance=False))
    place(s)
    change = OrderChange(unit_prices={"L1": Money.yen(980)}, shipping_fee=Money.yen(0))
    preview = s.desk.change("1001", change, dry_run=True)
    assert preview.delta == Money.yen(-200 - 880)
    assert s.desk.get("1001").shipping_fee == Money.yen(880)  # nothing saved
    first = s.desk.change("1001", change, request_id="fix-1")
    again = s.desk.change("1001", change, request_id="fix-1")
    assert (again.before, again.after, again.delta) == (first.before, first.after, first.delta)
    assert s.desk.get("1001").status is OrderStatus.ORDERED

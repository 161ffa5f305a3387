"""お届け先変更 within the same fee zone keeps the shipping fee the cart charged.

A customer of a 送料無料 order who corrects a typo in the 番地, the recipient's name or the phone
was charged the shop's table fee (¥880 more, the card authorized again) although the parcel goes
to the same prefecture for the same fee. A move to another zone (北海道, an island) still takes
the table's fee.
"""

import attrs
import pytest

from orderflow import Address, Money, OrderChange, OrderLine
from orderflow.errors import CurrencyMismatch, InvalidValue
from orderflow.testing import FakeShop
from tests.builders import address, place, shop


def _placed_free() -> FakeShop:
    s = shop()
    place(s, "2001", shipping_fee=Money.yen(0))
    s.desk.accept("2001")
    s.desk.allocate("2001")
    return s


def test_a_corrected_street_name_or_phone_keeps_the_free_shipping() -> None:
    s = _placed_free()
    authorizations = len(s.gateway.authorizations)
    for fixed in (
        attrs.evolve(address(), line1="1-2-30"),
        attrs.evolve(address(), name="山田 花子"),
        attrs.evolve(address(), phone="090-1234-5678"),
    ):
        preview = s.desk.change("2001", OrderChange(ship_to=fixed), dry_run=True)
        assert preview.after.shipping_fee == Money.yen(0)
        order = s.desk.change_ship_to("2001", fixed)
        assert order.ship_to == fixed
        assert order.shipping_fee == Money.yen(0)
    assert len(s.gateway.authorizations) == authorizations


def test_a_move_to_another_fee_zone_takes_the_tables_fee() -> None:
    s = _placed_free()
    sapporo = Address("060-0001", "北海道", "札幌市中央区", "北一条西2", "山田 太郎", "0111234567")
    order = s.desk.change_ship_to("2001", sapporo)
    assert order.shipping_fee == Money.yen(1320)


def test_a_change_taking_every_line_off_names_the_change() -> None:
    """``remove_lines`` of every line was refused as ``quantities: … got <dict of 0>``: a field
    the call did not give, and a value that said nothing."""
    s = _placed_free()
    for change in (
        OrderChange(remove_lines={"L1", "L2", "L3"}),
        OrderChange(quantities={"L1": 0, "L2": 0}, remove_lines={"L3"}),
    ):
        with pytest.raises(InvalidValue) as refused:
            s.desk.change("2001", change)
        assert refused.value.field == "change"
        assert "L1, L2, L3" in str(refused.value) and "desk.cancel" in str(refused.value)
    assert len(s.desk.get("2001").lines) == 3


def test_an_added_line_is_refused_naming_it_in_the_change() -> None:
    """An added line in dollars was refused as ``lines[3].unit_price`` (its place among the
    order's lines after the change, which the caller never gave), a line id in use as
    ``add_lines[0].line_id``; both now name ``change.add_lines[i]``."""
    s = _placed_free()
    dollars = OrderLine("L9", "TEA-1", "緑茶", Money.of("10.00", "USD"), 1)
    with pytest.raises(CurrencyMismatch) as refused:
        s.desk.change("2001", OrderChange(add_lines=(dollars,)))
    assert refused.value.field == "change.add_lines[0].unit_price"
    again = OrderLine("L9", "TEA-1", "緑茶", Money.yen(1080), 1)
    with pytest.raises(InvalidValue) as refused_id:
        s.desk.change("2001", OrderChange(add_lines=(again, again)))
    assert refused_id.value.field == "change.add_lines[1].line_id"
    assert len(s.desk.get("2001").lines) == 3

"""A card authorization that lapsed before 出荷指示: said so, not offered, renewed by the sweep."""

from datetime import UTC, datetime, timedelta

import pytest

from orderflow import Money, Move, OrderStatus, ShopSettings
from orderflow.errors import MoveBlocked
from orderflow.testing import FakePaymentGateway, fake_shop
from tests.builders import STOCK, place


def test_a_lapsed_authorization_is_named_and_instructing_is_not_offered() -> None:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    assert Move.INSTRUCT_SHIPPING in s.desk.next_moves("1001")

    s.clock.advance(timedelta(days=31))  # past the gateway's 30 days

    assert Move.INSTRUCT_SHIPPING not in s.desk.next_moves("1001")
    with pytest.raises(MoveBlocked) as blocked:
        s.desk.instruct_shipping("1001")
    assert "authorization has lapsed" in str(blocked.value)
    assert "reauthorize_expiring" in str(blocked.value)
    assert s.desk.get("1001").status is OrderStatus.ALLOCATED
    assert not s.warehouses["TOKYO"].calls_to("instruct")

    s.desk.reauthorize_expiring()
    assert Move.INSTRUCT_SHIPPING in s.desk.next_moves("1001")
    assert s.desk.instruct_shipping("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_gateway_made_by_hand_dates_authorizations_by_the_wall_clock() -> None:
    gateway = FakePaymentGateway()
    before = datetime.now(UTC)
    authorization = gateway.authorize(
        key="k1", order_number="1001", amount=Money.yen(100), token="t"
    )
    assert authorization.expires_at is not None
    assert authorization.expires_at >= before + timedelta(days=30)

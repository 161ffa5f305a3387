"""A card authorization that lapsed before 出荷指示: said so, not offered, renewed by the sweep."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from orderflow import Money, Move, OrderStatus, QueueQuery, ShopSettings
from orderflow.domain.payment import PaymentOp
from orderflow.errors import MoveBlocked
from orderflow.ports import Authorization
from orderflow.stores.sqlite_store import SQLiteStore
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


def test_an_order_whose_authorization_lapsed_is_off_the_ready_list() -> None:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    ready = QueueQuery.ready_to_instruct()
    assert s.desk.queue(ready) == ["1001"]
    lapses = s.clock.now() + timedelta(days=30)  # the gateway's 30 days
    assert s.store.queue(QueueQuery.ready_to_instruct(lapses - timedelta(seconds=1))) == ["1001"]

    s.clock.advance(timedelta(days=31))

    assert s.desk.queue(ready) == []
    assert s.desk.queue_counts()["ready_to_instruct"] == 0
    assert s.store.queue(QueueQuery.ready_to_instruct(lapses)) == []
    s.desk.reauthorize_expiring()
    assert s.desk.queue(ready) == ["1001"]
    assert s.desk.queue_counts()["ready_to_instruct"] == 1


def test_an_authorization_the_provider_gave_no_lapse_time_lapses_after_the_shops_days() -> None:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False, authorization_days=7))
    authorize = s.gateway.authorize

    def without_lapse_time(**kwargs: Any) -> Authorization:
        return attrs.evolve(authorize(**kwargs), expires_at=None)

    s.gateway.authorize = without_lapse_time  # type: ignore[method-assign]
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    given = s.clock.now()
    entry = next(e for e in s.desk.get("1001").payment.ledger if e.op is PaymentOp.AUTHORIZE)
    assert entry.expires_at == given + timedelta(days=7)  # written down: the ledger says when
    assert s.desk.queue(QueueQuery.ready_to_instruct()) == ["1001"]

    s.clock.advance(timedelta(days=8))

    assert Move.INSTRUCT_SHIPPING not in s.desk.next_moves("1001")
    assert s.desk.queue(QueueQuery.ready_to_instruct()) == []


def test_a_file_of_an_older_orderflow_gets_its_ready_orders_lapse_times(tmp_path: Path) -> None:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    path = tmp_path / "old.sqlite3"
    with SQLiteStore(path) as store:
        store.add(s.desk.get("1001"))
    with sqlite3.connect(path) as conn:  # as the release before the column left it
        conn.execute("DROP INDEX orders_ready_until")
        conn.execute("ALTER TABLE orders DROP COLUMN payment_lapses_at")
        conn.execute("UPDATE order_index_version SET version = 2")
    lapsed = QueueQuery.ready_to_instruct(s.clock.now() + timedelta(days=31))
    with SQLiteStore(path) as store:
        assert store.queue(QueueQuery.ready_to_instruct(s.clock.now())) == ["1001"]
        assert store.queue(lapsed) == []

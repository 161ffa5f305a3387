"""The order store's contract, and ``sample_orders``: real orders in every status to store.

A store that round-trips only a freshly placed order proves little: :func:`sample_orders` runs
a small shop on the fakes and returns what its orders look like in every status, with holds,
allocations in two warehouses, several shipments, a full payment ledger over several methods,
pending effects, points and a long history.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from orderflow.domain.address import Address, Customer
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine
from orderflow.domain.payment import PaymentEntry, PaymentMethod, PaymentOp, PaymentOutcome
from orderflow.domain.queues import (
    ACCOUNT_INDEX,
    DEPOSIT_INDEX,
    REFUND_INDEX,
    WAITING_INDEX,
    QueueQuery,
    matches,
    open_account,
    queue_facts,
    skus_waiting,
    tracking_keys,
)
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxRate
from orderflow.errors import (
    ConcurrencyError,
    DepositTaken,
    DuplicateOrder,
    OrderflowError,
    OrderNotFound,
)
from orderflow.ports import OrderStore, PendingClaims, TrackingLookup, WorkLists
from orderflow.settings import ShopSettings

__all__ = ["sample_orders"]


def _with_entry(order: Order, entry: PaymentEntry, **changes: Any) -> Order:
    """``order``, one version on, with ``entry`` in its payment's ledger (and ``changes``)."""
    payment = attrs.evolve(order.payment, ledger=(*order.payment.ledger, entry))
    return attrs.evolve(order, version=order.version + 1, payment=payment, **changes)


def _paid_entry(order: Order, op: PaymentOp, amount: Money, key: str) -> Order:
    """``order``, one version on, with the payment entry ``op`` of ``amount`` under ``key``."""
    entry = PaymentEntry(op, amount, key, PaymentOutcome.SUCCEEDED, order.placed_at)
    return _with_entry(order, entry)


def _received(order: Order, reference: str, **changes: Any) -> Order:
    """``order``, one version on, having received the bank deposit ``reference`` (¥1,000)."""
    entry = PaymentEntry(
        PaymentOp.RECEIVE,
        Money.yen(1000),
        f"{order.number}:deposit:{reference}",
        PaymentOutcome.SUCCEEDED,
        order.placed_at,
        reference=reference,
    )
    return _with_entry(order, entry, **changes)


_NUMBERS = {"1": "123456789013", "2": "123456789024"}
"""The tracking number of an order's first and second shipment: one number a parcel."""

_LINES = (
    OrderLine("L1", "TEA", "緑茶 100g", Money.yen(1080), 2, TaxRate.REDUCED),
    OrderLine("L2", "MUG", "湯呑", Money.yen(2200), 3),
)


def sample_orders() -> list[Order]:
    """Orders of a small shop on the fakes, one or more in every status (see the module)."""
    from orderflow.testing.fakes import Fault
    from orderflow.testing.shop import fake_shop

    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"))
    stock = {("TOKYO", "TEA"): 100, ("TOKYO", "MUG"): 2, ("OSAKA", "MUG"): 100, ("OSAKA", "JAM"): 1}
    shop = fake_shop(stock, settings=settings, points={"C7": 500})
    desk = shop.desk
    ship_to = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "090-1234-5678")

    def place(number: str, method: PaymentMethod = PaymentMethod.CARD, **extra: object) -> None:
        customer = Customer(f"C{number[-1]}", "見本 花子", "hanako@example.jp")
        token = "tok" if method in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY) else None
        desk.place(
            number=number,
            customer=customer,
            ship_to=ship_to,
            lines=_LINES,
            token=token,
            payment_method=method,
            shipping_fee=Money.yen(880),
            **extra,  # type: ignore[arg-type]
        )

    def shipped(number: str, *, deliver: bool) -> None:
        desk.instruct_shipping(number)
        shipments = [s.shipment_id for s in desk.get(number).shipments]
        for shipment_id in shipments:
            desk.ship(number, shipment_id, _NUMBERS[shipment_id[-1]])
        for shipment_id in shipments if deliver else ():
            desk.deliver(number, shipment_id)

    place("S-1")  # 受注
    place("S-2", PaymentMethod.BANK_TRANSFER)  # awaiting a transfer
    desk.accept("S-2")
    place("S-3")
    desk.accept("S-3")  # 引当済 in two warehouses
    for round_ in range(15):  # a long history of holds raised and cleared
        desk.raise_hold("S-3", "check", f"確認 {round_}")
        desk.clear_hold("S-3", "check")
    desk.raise_hold("S-3", "fraud_review", "目視確認")
    place("S-4", PaymentMethod.COD)
    desk.accept("S-4")
    desk.instruct_shipping("S-4")  # 出荷指示済, two shipments
    place("S-5")
    desk.accept("S-5")
    place("S-6", PaymentMethod.POSTPAY)
    desk.accept("S-6")
    place("S-7", points_used=300)
    desk.accept("S-7")
    shipped("S-7", deliver=True)  # 着荷済
    desk.book("S-7")  # 計上済
    desk.refund("S-7", Money.yen(500), reason="一部返金")
    place("S-8")
    desk.accept("S-8")
    desk.cancel("S-8", reason="お客様都合")  # キャンセル, authorization voided
    place("S-9", PaymentMethod.KONBINI)
    place("S-A")
    desk.accept("S-A")
    shipped("S-A", deliver=True)  # 着荷済
    shipped("S-5", deliver=False)  # 出荷済, under the numbers S-7 and S-A arrived under
    jam = OrderLine("L3", "JAM", "ジャム", Money.yen(700), 2, TaxRate.REDUCED)
    desk.place(
        number="S-B",
        customer=Customer("CB", "見本 花子", "hanako@example.jp"),
        ship_to=ship_to,
        lines=(*_LINES, jam),
        token="tok",
    )
    desk.accept("S-B")  # 中途引当: one jar of two
    shop.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE)
    with contextlib.suppress(OrderflowError):
        place("S-0")  # pending: the gateway did not answer
    return sorted(shop.store.orders.values(), key=lambda o: o.number)


class OrderStoreContract:
    """What every :class:`~orderflow.ports.OrderStore` must do.

    And, where the store offers them, :class:`~orderflow.ports.WorkLists` and
    :class:`~orderflow.ports.PendingClaims`.
    """

    def make_store(self) -> OrderStore:
        """An empty store."""
        raise NotImplementedError

    threads = 16
    """Threads racing in the concurrency test."""

    def _filled(self) -> tuple[OrderStore, list[Order]]:
        store = self.make_store()
        orders = sample_orders()
        for order in orders:
            store.add(order)
        return store, orders

    def test_orders_in_every_status_come_back_equal(self) -> None:
        store, orders = self._filled()
        assert {o.status for o in orders} == set(OrderStatus)
        for order in orders:
            assert store.get(order.number) == order

    def test_unknown_and_duplicate(self) -> None:
        store, orders = self._filled()
        with pytest.raises(OrderNotFound):
            store.get("nope")
        with pytest.raises(DuplicateOrder):
            store.add(orders[0])
        assert store.get(orders[0].number) == orders[0]

    def test_save_checks_the_version_and_keeps_every_part(self) -> None:
        store, orders = self._filled()
        for old in orders:
            newer = attrs.evolve(old, version=old.version + 1, remarks="saved again")
            store.save(newer, expected_version=old.version)
            with pytest.raises(ConcurrencyError):
                store.save(attrs.evolve(old, version=old.version + 1), expected_version=old.version)
            assert store.get(old.number) == newer
        with pytest.raises(OrderflowError):
            store.save(attrs.evolve(orders[0], number="missing"), expected_version=0)

    def test_pending_open_and_of_customer(self) -> None:
        store, orders = self._filled()
        assert sorted(o.number for o in store.pending()) == [o.number for o in orders if o.outbox]
        assert sorted(o.number for o in store.open_orders()) == [
            o.number for o in orders if not o.status.is_final
        ]
        first = orders[1]
        since = first.placed_at
        mine = [o.number for o in store.orders_of_customer(first.customer.id, since)]
        assert mine == [first.number]
        later = since + timedelta(seconds=1)
        assert list(store.orders_of_customer(first.customer.id, later)) == []

    def test_concurrent_saves_of_one_version_one_wins(self) -> None:
        from orderflow.testing._contract_tools import _race

        store, orders = self._filled()
        order = orders[2]

        def save(thread: int) -> Order:
            mine = attrs.evolve(order, version=order.version + 1, remarks=f"thread {thread}")
            store.save(mine, expected_version=order.version)
            return mine

        results = _race(self.threads, save)
        won = [r for r in results if isinstance(r, Order)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1, f"{len(won)} saves of version {order.version} succeeded"
        assert all(isinstance(error, ConcurrencyError) for error in lost), lost
        assert store.get(order.number) == won[0]

    def test_work_lists_agree_with_the_definition(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, WorkLists):
            pytest.skip("the store does not answer work lists")
        now = max(o.history[-1].at for o in orders if o.history)
        queries = [
            *(QueueQuery.by_status(s) for s in OrderStatus),
            QueueQuery.held(),
            QueueQuery.held("fraud_review"),
            QueueQuery.held("check"),  # raised and cleared fifteen times: on no list
            QueueQuery.held("nobody_raises_this"),
            QueueQuery.awaiting_payment(),
            *(QueueQuery.awaiting_payment(m) for m in PaymentMethod),
            QueueQuery.ready_to_instruct(now),
            QueueQuery.ready_to_instruct(now + timedelta(days=31)),  # the cards' have lapsed
            QueueQuery.not_shipped(now),
            QueueQuery.not_shipped(now - timedelta(days=1)),
            QueueQuery.stuck(now),
            QueueQuery.stuck(now - timedelta(days=1)),
            QueueQuery.deadlines(now),
            QueueQuery.deadlines(now + timedelta(days=31)),  # the cards' authorizations lapse
            QueueQuery.booked_since(now - timedelta(days=1)),
            QueueQuery.booked_since(now + timedelta(days=1)),
        ]
        lapsing = QueueQuery.deadlines(now + timedelta(days=31))
        assert any(matches(queue_facts(o), lapsing) for o in orders), "no order has a clock"
        for query in queries:
            expected = sorted(o.number for o in orders if matches(queue_facts(o), query))
            assert store.queue(query, limit=1000) == expected, query
            assert store.count(query) == len(expected), query
            paged: list[str] = []
            after = None
            while page := store.queue(query, after=after, limit=2):
                assert page == expected[len(paged) : len(paged) + 2], query  # at most 2 a page
                paged += page
                after = page[-1]
            assert paged == expected, query
        assert store.queue(QueueQuery.held("fraud_review")) == ["S-3"]
        assert store.queue(QueueQuery.awaiting_payment(PaymentMethod.BANK_TRANSFER)) == ["S-2"]

    def test_the_ready_list_leaves_out_orders_whose_authorization_lapsed(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, WorkLists):
            pytest.skip("the store does not answer work lists")
        held = next(o for o in orders if o.number == "S-3")  # by card, 引当済, held
        cleared = attrs.evolve(
            held,
            version=held.version + 1,
            holds=tuple(attrs.evolve(h, cleared_at=h.raised_at) for h in held.holds),
        )
        store.save(cleared, expected_version=held.version)
        lapses = max(e.expires_at for e in cleared.payment.ledger if e.expires_at is not None)
        before = QueueQuery.ready_to_instruct(lapses - timedelta(microseconds=1))
        after = QueueQuery.ready_to_instruct(lapses)
        assert "S-3" in store.queue(before, limit=1000)
        assert "S-3" not in store.queue(after, limit=1000)
        assert "S-6" in store.queue(after, limit=1000)  # 後払い: nothing lapses
        assert store.count(before) == store.count(after) + 1
        wall = QueueQuery.ready_to_instruct(datetime.now(UTC))
        open_now = store.queue(QueueQuery.ready_to_instruct(), limit=1000)  # the wall clock's
        assert open_now == store.queue(wall, limit=1000)

    def test_work_lists_follow_saves(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, WorkLists):
            pytest.skip("the store does not answer work lists")
        held = next(o for o in orders if o.number == "S-3")
        cleared = attrs.evolve(
            held,
            version=held.version + 1,
            holds=tuple(attrs.evolve(h, cleared_at=h.raised_at) for h in held.holds),
        )
        ready = store.count(QueueQuery.ready_to_instruct())
        store.save(cleared, expected_version=held.version)
        assert store.queue(QueueQuery.held("fraud_review")) == []
        assert store.count(QueueQuery.held("fraud_review")) == 0
        assert "S-3" in store.queue(QueueQuery.ready_to_instruct())
        assert store.count(QueueQuery.ready_to_instruct()) == ready + 1

    def test_pending_open_and_of_customer_follow_saves(self) -> None:
        store, orders = self._filled()
        saved = {}
        for order in orders:
            changes: dict[str, Any] = {"version": order.version + 1, "remarks": "saved again"}
            if order.outbox:
                changes["outbox"] = ()  # its effects were done
            elif not order.status.is_final:
                changes["status"] = OrderStatus.CANCELLED
            saved[order.number] = attrs.evolve(order, **changes)
            store.save(saved[order.number], expected_version=order.version)
        assert list(store.pending()) == []
        assert sorted(o.number for o in store.open_orders()) == [
            o.number for o in saved.values() if not o.status.is_final
        ]
        for order in store.open_orders():
            assert order == saved[order.number]
        first = saved[orders[1].number]
        assert list(store.orders_of_customer(first.customer.id, first.placed_at)) == [first]

    def test_orders_are_found_by_tracking_number(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by tracking number")
        expected: dict[tuple[str, str], list[str]] = {}
        for order in orders:
            for s in order.shipments:
                if s.tracking_number:
                    expected.setdefault((s.carrier, s.tracking_number), []).append(order.number)
        assert expected, "the samples ship parcels"
        for (carrier, number), holders in expected.items():
            assert store.orders_by_tracking(carrier, number) == sorted(set(holders))
        assert store.orders_by_tracking("yamato", "000000000000") == []
        shipped = next(o for o in orders if o.number == "S-5")
        moved = tuple(attrs.evolve(s, tracking_number="445566778812") for s in shipped.shipments)
        store.save(
            attrs.evolve(shipped, version=shipped.version + 1, shipments=moved),
            expected_version=shipped.version,
        )
        assert store.orders_by_tracking("yamato", "445566778812") == ["S-5"]
        assert "S-5" not in store.orders_by_tracking("yamato", "123456789013")

    def test_orders_are_found_by_the_bank_deposits_they_received(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by number")
        order = orders[0]
        paid = _received(order, "R-42", status=OrderStatus.CANCELLED)  # found closed too
        store.save(paid, expected_version=order.version)
        assert store.orders_by_tracking(DEPOSIT_INDEX, "R-42") == [order.number]
        assert store.orders_by_tracking(DEPOSIT_INDEX, "R-43") == []

    def test_open_orders_are_found_by_the_virtual_account_they_hold(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by number")
        holding = [(account, o) for o in orders if (account := open_account(o)) is not None]
        assert holding, "the samples hold a virtual account"
        for account, order in holding:
            assert store.orders_by_tracking(ACCOUNT_INDEX, account) == [order.number]
        account, order = holding[0]
        closed = attrs.evolve(order, version=order.version + 1, status=OrderStatus.CANCELLED)
        store.save(closed, expected_version=order.version)
        assert store.orders_by_tracking(ACCOUNT_INDEX, account) == []  # a final order's is free

    def test_orders_waiting_for_stock_are_found_by_sku(self) -> None:
        """入荷待ち: ``desk.receive`` and ``fill_backorders`` read the orders filed under a SKU."""
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by number")
        expected: dict[str, list[str]] = {}
        for order in orders:
            for sku in skus_waiting(order):
                expected.setdefault(sku, []).append(order.number)
        assert expected, "the samples wait for stock"
        for sku, numbers in expected.items():
            assert store.orders_by_tracking(WAITING_INDEX, sku) == sorted(numbers)
        sku, (number, *_) = next(iter(expected.items()))
        waiting = store.get(number)
        closed = attrs.evolve(waiting, version=waiting.version + 1, status=OrderStatus.CANCELLED)
        store.save(closed, expected_version=waiting.version)
        assert number not in store.orders_by_tracking(WAITING_INDEX, sku)  # waits no more

    def test_every_index_key_finds_its_orders(self) -> None:
        """Each key :func:`~orderflow.domain.queues.tracking_keys` gives finds the orders it names.

        The refunds still to transfer (返金待ち, ``REFUND_INDEX``) among them: ``desk.refunds_to_
        transfer`` reads that key alone, and an order leaves it once the money is transferred.
        """
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by number")
        paid = next(o for o in orders if o.payment.captured.amount > 0)
        owing = _paid_entry(paid, PaymentOp.REFUND_OWED, Money.yen(300), f"{paid.number}:owed")
        store.save(owing, expected_version=paid.version)
        filed: dict[tuple[str, str], list[str]] = {}
        for order in (store.get(o.number) for o in orders):
            for key in tracking_keys(order):
                filed.setdefault(key, []).append(order.number)
        assert REFUND_INDEX in filed, "a sample owes money back by transfer"
        for key, numbers in filed.items():
            assert store.orders_by_tracking(*key) == sorted(numbers), key
        done = _paid_entry(owing, PaymentOp.REFUND_PAID, Money.yen(300), f"{paid.number}:paid")
        store.save(done, expected_version=owing.version)
        assert paid.number not in store.orders_by_tracking(*REFUND_INDEX)  # transferred

    def test_a_deposit_counts_on_one_order_only(self) -> None:
        """Two workers giving one deposit to two orders at once: the second save is refused."""
        store, orders = self._filled()
        if not isinstance(store, TrackingLookup):
            pytest.skip("the store does not look orders up by number")
        first, second = orders[0], orders[1]
        store.save(_received(first, "R-7"), expected_version=first.version)
        with pytest.raises(DepositTaken) as refused:
            store.save(_received(second, "R-7"), expected_version=second.version)
        assert (refused.value.field, refused.value.holder) == ("deposit.reference", first.number)
        assert store.get(second.number) == second  # nothing of the refused save was kept
        assert store.orders_by_tracking(DEPOSIT_INDEX, "R-7") == [first.number]
        again = _received(store.get(first.number), "R-7")  # its own order may save it again
        store.save(again, expected_version=first.version + 1)
        store.save(_received(second, "R-8"), expected_version=second.version)
        assert store.orders_by_tracking(DEPOSIT_INDEX, "R-8") == [second.number]

    def test_claims_share_pending_orders(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, PendingClaims):
            pytest.skip("the store does not claim pending orders")
        pending = [o.number for o in orders if o.outbox]
        assert pending, "the samples leave an order pending"
        now = datetime.fromisoformat("2030-01-01T00:00:00+00:00")
        lease = timedelta(minutes=5)
        assert store.claim_pending(now=now, lease=lease) == pending
        assert store.claim_pending(now=now, lease=lease) == []  # held by the first worker
        assert store.claim_pending(now=now + lease, lease=lease) == pending  # the lease ran out
        store.release_claim(pending[0])
        assert store.claim_pending(now=now + lease, lease=lease) == pending[:1]

    def test_claims_take_no_more_than_the_limit(self) -> None:
        store, orders = self._filled()
        if not isinstance(store, PendingClaims):
            pytest.skip("the store does not claim pending orders")
        waiting = next(o for o in orders if o.outbox)
        for order in [o for o in orders if not o.outbox][:2]:  # three pending orders
            store.save(
                attrs.evolve(order, version=order.version + 1, outbox=waiting.outbox),
                expected_version=order.version,
            )
        now = datetime.fromisoformat("2030-01-01T00:00:00+00:00")
        lease = timedelta(minutes=5)
        claimed = [store.claim_pending(now=now, lease=lease, limit=limit) for limit in (1, 1, 5)]
        assert [len(c) for c in claimed] == [1, 1, 1], claimed
        assert len({number for c in claimed for number in c}) == 3, claimed

    def test_a_lapsed_claim_given_back_late_stays_the_next_workers(self) -> None:
        """Worker A's lease ran out and B took the order: A's release leaves B's claim alone.

        Each worker is a thread sharing the one store; before, C took the order B still drove.
        """
        from concurrent.futures import ThreadPoolExecutor

        store, orders = self._filled()
        if not isinstance(store, PendingClaims):
            pytest.skip("the store does not claim pending orders")
        pending = [o.number for o in orders if o.outbox]
        now = datetime.fromisoformat("2030-01-01T00:00:00+00:00")
        lease = timedelta(minutes=5)
        a, b, c = (ThreadPoolExecutor(max_workers=1) for _ in range(3))
        try:
            assert a.submit(store.claim_pending, now=now, lease=lease).result() == pending
            later = now + lease  # A's lease ran out while it still swept
            assert b.submit(store.claim_pending, now=later, lease=lease).result() == pending
            for number in pending:  # A's sweep ends: it gives back what it had claimed
                a.submit(store.release_claim, number).result()
            assert c.submit(store.claim_pending, now=later, lease=lease).result() == []
            for number in pending:  # B gives its own back: free for the next worker
                b.submit(store.release_claim, number).result()
            assert c.submit(store.claim_pending, now=later, lease=lease).result() == pending
        finally:
            for worker in (a, b, c):
                worker.shutdown()

"""Contract suites: one abstract test case per port, for adapter authors to subclass.

Each suite states what every implementation of a port must do, in the port's own terms. Subclass
it in your test suite, name the subclass ``Test…`` so pytest collects it, and implement the
factory methods::

    from orderflow.testing.contracts import PaymentGatewayContract

    class TestMyGateway(PaymentGatewayContract):
        def make_gateway(self):
            return MyGateway(sandbox_credentials())

        def good_token(self):
            return "tok_sandbox_visa"

orderflow runs every suite against its own fakes and adapters (``tests/contract``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TypeVar

import pytest

from orderflow.domain.address import Address, Customer
from orderflow.domain.booking import JournalEntry, JournalLine, Side
from orderflow.domain.lifecycle import Context, new_order
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderLine, PaymentMethod, Shipment, ShipmentLine
from orderflow.errors import ProviderError
from orderflow.notices import Notice
from orderflow.ports import (
    Accounting,
    Carrier,
    Inventory,
    Notifier,
    Warehouse,
)

__all__ = [
    "AccountingContract",
    "BankTransferContract",
    "CarrierContract",
    "FraudScreenContract",
    "InventoryContract",
    "KonbiniContract",
    "NotifierContract",
    "OrderStoreContract",
    "PaymentGatewayContract",
    "PointsContract",
    "PostpayContract",
    "WarehouseContract",
]


T = TypeVar("T")


@contextmanager
def _switching_often() -> Iterator[None]:
    """Let the interpreter switch threads far more often, so that races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _race(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``work(0)`` … ``work(count - 1)`` in ``count`` threads started together.

    Returns each thread's result or the exception it raised, in thread order.
    """
    start = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("not run")] * count

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # reported to the test, which decides
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    with _switching_often():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


def _address() -> Address:
    return Address("100-0001", "東京都", "千代田区千代田", "1-1", "契約 太郎", "03-0000-0000")


class InventoryContract:
    """What every :class:`~orderflow.ports.Inventory` must do."""

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        """An inventory holding ``stock``: (warehouse, SKU) → units on hand."""
        raise NotImplementedError

    def test_reserve_never_more_than_available(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 3})
        assert inventory.knows("SKU-A")
        assert inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2) == 2
        assert inventory.reserve(key="k2", warehouse="W1", sku="SKU-A", quantity=2) == 1
        assert inventory.reserve(key="k3", warehouse="W1", sku="SKU-A", quantity=1) == 0
        assert inventory.available("W1", "SKU-A") == 0

    def test_reserve_is_idempotent_under_its_key(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2)
        assert inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2) == 2
        assert inventory.available("W1", "SKU-A") == 3

    def test_release_gives_units_back_once(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=4)
        inventory.release(key="r1", warehouse="W1", sku="SKU-A", quantity=4)
        inventory.release(key="r1", warehouse="W1", sku="SKU-A", quantity=4)
        assert inventory.available("W1", "SKU-A") == 5

    def test_commit_takes_reserved_units_off_stock_once(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2)
        inventory.commit(key="c1", warehouse="W1", sku="SKU-A", quantity=2)
        inventory.commit(key="c1", warehouse="W1", sku="SKU-A", quantity=2)
        assert inventory.available("W1", "SKU-A") == 3

    def test_unknown_sku(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 1})
        assert not inventory.knows("NO-SUCH-SKU")

    threads = 8
    """Threads racing in the concurrency tests (lower it for a slow sandbox)."""
    buyers_per_thread = 50
    """Buyers (distinct keys) each thread serves, one unit each, in the last-unit race."""

    def test_buyers_racing_for_the_last_units_never_oversell(self) -> None:
        stock = self.threads * self.buyers_per_thread // 4
        inventory = self.make_inventory({("W1", "SKU-A"): stock})
        lowest: list[int] = []

        def buyers(thread: int) -> int:
            got = 0
            for buyer in range(self.buyers_per_thread):
                key = f"race:{thread}:{buyer}"
                got += inventory.reserve(key=key, warehouse="W1", sku="SKU-A", quantity=1)
                lowest.append(inventory.available("W1", "SKU-A"))
            return got

        results = _race(self.threads, buyers)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors
        assert sum(r for r in results if isinstance(r, int)) == stock
        assert inventory.available("W1", "SKU-A") == 0
        assert min(lowest) >= 0

    def test_the_same_key_from_many_threads_reserves_once(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 10 * self.threads})

        def reserve(thread: int) -> int:
            return inventory.reserve(key="same", warehouse="W1", sku="SKU-A", quantity=3)

        results = _race(self.threads * 2, reserve)
        assert results == [3] * (self.threads * 2)
        assert inventory.available("W1", "SKU-A") == 10 * self.threads - 3

    racers = 16
    """Threads racing for a handful of last units, one reserve of one unit each."""

    def test_the_last_units_go_to_exactly_as_many_racers(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})

        def reserve(thread: int) -> int:
            return inventory.reserve(key=f"last:{thread}", warehouse="W1", sku="SKU-A", quantity=1)

        results = _race(self.racers, reserve)
        assert sorted(results, key=repr) == [0] * (self.racers - 5) + [1] * 5, results
        assert inventory.available("W1", "SKU-A") == 0

    def test_a_repeated_key_returns_the_first_answer_after_stock_changed(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        assert inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2) == 2
        assert inventory.reserve(key="o2:1", warehouse="W1", sku="SKU-A", quantity=9) == 3
        inventory.release(key="o2:2", warehouse="W1", sku="SKU-A", quantity=3)
        assert inventory.available("W1", "SKU-A") == 3
        # more is available now, but the keys' answers stay what they were, and nothing moves
        assert inventory.reserve(key="o2:1", warehouse="W1", sku="SKU-A", quantity=9) == 3
        assert inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2) == 2
        assert inventory.available("W1", "SKU-A") == 3
        assert inventory.reserve(key="o3:1", warehouse="W1", sku="SKU-A", quantity=5) == 3
        assert inventory.reserve(key="o4:1", warehouse="W1", sku="SKU-A", quantity=1) == 0
        inventory.release(key="o3:2", warehouse="W1", sku="SKU-A", quantity=3)
        assert inventory.reserve(key="o4:1", warehouse="W1", sku="SKU-A", quantity=1) == 0
        assert inventory.available("W1", "SKU-A") == 3

    def test_a_key_reused_for_another_request_is_refused(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5, ("W1", "SKU-B"): 5})
        inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2)
        for warehouse, sku, quantity in (("W1", "SKU-A", 3), ("W1", "SKU-B", 2)):
            with pytest.raises(ProviderError, match="o1:1"):
                inventory.reserve(key="o1:1", warehouse=warehouse, sku=sku, quantity=quantity)
        inventory.release(key="o1:2", warehouse="W1", sku="SKU-A", quantity=1)
        with pytest.raises(ProviderError, match="o1:2"):
            inventory.release(key="o1:2", warehouse="W1", sku="SKU-A", quantity=2)
        assert inventory.available("W1", "SKU-A") == 4
        assert inventory.available("W1", "SKU-B") == 5

    def test_release_and_commit_are_done_once_per_key(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 10})
        inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=6)
        for _ in range(3):
            inventory.release(key="o1:2", warehouse="W1", sku="SKU-A", quantity=2)
            inventory.commit(key="o1:3", warehouse="W1", sku="SKU-A", quantity=3)
        assert inventory.available("W1", "SKU-A") == 10 - 3 - 1
        inventory.commit(key="o1:4", warehouse="W1", sku="SKU-A", quantity=1)
        assert inventory.available("W1", "SKU-A") == 6

    def test_releasing_more_than_is_reserved_is_refused_and_moves_nothing(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2)
        for call in (inventory.release, inventory.commit, inventory.release):
            with pytest.raises(ProviderError):
                call(key=f"o1:{call.__name__}", warehouse="W1", sku="SKU-A", quantity=3)
        assert inventory.available("W1", "SKU-A") == 3
        inventory.release(key="o1:2", warehouse="W1", sku="SKU-A", quantity=2)
        assert inventory.available("W1", "SKU-A") == 5

    the_same_key_threads = 8
    """Threads releasing (and committing) under one key at once."""

    def test_the_same_release_and_commit_key_from_many_threads_is_done_once(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 10})
        inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=8)

        def release(thread: int) -> None:
            inventory.release(key="o1:2", warehouse="W1", sku="SKU-A", quantity=2)
            inventory.commit(key="o1:3", warehouse="W1", sku="SKU-A", quantity=3)

        assert _race(self.the_same_key_threads, release) == [None] * self.the_same_key_threads
        assert inventory.available("W1", "SKU-A") == 10 - 3 - 3

    property_examples = 40
    """Hypothesis examples of random request sequences (each on a fresh inventory)."""

    def test_random_requests_agree_with_a_simple_model(self) -> None:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        requests = st.lists(
            st.tuples(
                st.sampled_from(("reserve", "reserve", "release", "commit")),
                st.integers(0, 5),  # a small pool of keys per method, so keys repeat
                st.sampled_from(("SKU-A", "SKU-B")),
                st.integers(1, 4),
            ),
            max_size=25,
        )
        stocks = st.fixed_dictionaries(
            {("W1", "SKU-A"): st.integers(0, 6), ("W1", "SKU-B"): st.integers(1, 6)}
        )

        @settings(
            max_examples=self.property_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(stock=stocks, requests=requests)
        def run(
            stock: dict[tuple[str, str], int], requests: list[tuple[str, int, str, int]]
        ) -> None:
            inventory = self.make_inventory(stock)
            on_hand = dict(stock)
            reserved = dict.fromkeys(stock, 0)
            answers: dict[str, tuple[tuple[str, int], int | None]] = {}
            for method, number, sku, quantity in requests:
                key = f"{method}:{number}"
                item = ("W1", sku)
                if key in answers:
                    expected = answers[key][1] if answers[key][0] == (sku, quantity) else None
                else:
                    held = reserved[item]
                    if method == "reserve":
                        expected = min(quantity, on_hand[item] - held)
                        reserved[item] += expected
                    elif quantity > held:
                        expected = None
                    else:
                        expected = 0
                        reserved[item] -= quantity
                        if method == "commit":
                            on_hand[item] -= quantity
                    answers[key] = ((sku, quantity), expected)
                call = getattr(inventory, method)
                if expected is None:
                    with pytest.raises(ProviderError):
                        call(key=key, warehouse="W1", sku=sku, quantity=quantity)
                else:
                    got = call(key=key, warehouse="W1", sku=sku, quantity=quantity)
                    assert got == (expected if method == "reserve" else None)
                for w, s in stock:
                    available = inventory.available(w, s)
                    assert available == on_hand[(w, s)] - reserved[(w, s)] >= 0

        run()


def _shipment(shipment_id: str = "c-1-S1") -> Shipment:
    return Shipment(shipment_id, "W1", "yamato", (ShipmentLine("L1", 1),))


class WarehouseContract:
    """What every :class:`~orderflow.ports.Warehouse` must do."""

    def make_warehouse(self) -> Warehouse:
        """A warehouse accepting instructions."""
        raise NotImplementedError

    def ship_out(self, warehouse: Warehouse, shipment_id: str) -> None:
        """Make the parcel leave the warehouse, so that a recall is too late."""
        raise NotImplementedError

    def test_instruct_is_idempotent_under_its_key(self) -> None:
        warehouse = self.make_warehouse()
        first = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        again = warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        assert first == again

    def test_recall_before_and_after_the_parcel_left(self) -> None:
        warehouse = self.make_warehouse()
        warehouse.instruct(
            key="c-1:instruct", order_number="c-1", shipment=_shipment(), ship_to=_address()
        )
        assert warehouse.recall(key="c-1:recall", shipment_id="c-1-S1") is True
        again = _shipment("c-1-S2")  # instructed again: orderflow never reuses a recalled id
        warehouse.instruct(
            key="c-1:instruct-2", order_number="c-1", shipment=again, ship_to=_address()
        )
        self.ship_out(warehouse, "c-1-S2")
        assert warehouse.recall(key="c-1:recall-2", shipment_id="c-1-S2") is False


class CarrierContract:
    """What every :class:`~orderflow.ports.Carrier` must do."""

    def make_carrier(self) -> Carrier:
        """The carrier adapter."""
        raise NotImplementedError

    def valid_numbers(self) -> list[str]:
        """Tracking numbers of this carrier's format."""
        raise NotImplementedError

    def invalid_numbers(self) -> list[str]:
        """Strings that look close but are not valid (wrong check digit, length…)."""
        raise NotImplementedError

    def test_valid_numbers_pass(self) -> None:
        carrier = self.make_carrier()
        assert carrier.code
        for number in self.valid_numbers():
            assert carrier.validate_tracking_number(number), number

    def test_invalid_numbers_fail(self) -> None:
        carrier = self.make_carrier()
        for number in self.invalid_numbers():
            assert not carrier.validate_tracking_number(number), number

    def test_tracking_url_is_https_and_names_the_number(self) -> None:
        carrier = self.make_carrier()
        for number in self.valid_numbers():
            url = carrier.tracking_url(number)
            assert url.startswith("https://")
            assert "".join(ch for ch in number if ch.isalnum()).upper() in url.upper()


def _entry() -> JournalEntry:
    amount = Money.yen(1100)
    return JournalEntry(
        date(2026, 11, 22),
        "c-1",
        "contract",
        (
            JournalLine(Side.DEBIT, "売掛金", amount),
            JournalLine(Side.CREDIT, "売上高", Money.yen(1000)),
            JournalLine(Side.CREDIT, "仮受消費税等", Money.yen(100)),
        ),
    )


class AccountingContract:
    """What every :class:`~orderflow.ports.Accounting` must do."""

    def make_accounting(self) -> Accounting:
        """The accounting adapter (a sandbox company for a real product)."""
        raise NotImplementedError

    def posted_count(self, accounting: Accounting) -> int:
        """How many entries the accounting system holds."""
        raise NotImplementedError

    def test_post_once_per_key(self) -> None:
        accounting = self.make_accounting()
        first = accounting.post(key="c-1:book", entry=_entry())
        again = accounting.post(key="c-1:book", entry=_entry())
        assert first == again
        assert self.posted_count(accounting) == 1


class NotifierContract:
    """What every :class:`~orderflow.ports.Notifier` must do."""

    def make_notifier(self) -> Notifier:
        """The notifier adapter."""
        raise NotImplementedError

    def sent_count(self, notifier: Notifier) -> int:
        """How many notices went out."""
        raise NotImplementedError

    def test_send_once_per_key(self) -> None:
        notifier = self.make_notifier()
        notice = Notice("cancellation", "c-1", "a@example.jp", "ja", (("name", "契約"),))
        notifier.send(key="c-1:notice", notice=notice)
        notifier.send(key="c-1:notice", notice=notice)
        assert self.sent_count(notifier) == 1


def _order(number: str) -> Order:
    order, _ = new_order(
        number=number,
        customer=Customer("C1", "契約 太郎", "c@example.jp"),
        ship_to=_address(),
        lines=[OrderLine("L1", "SKU-A", "テスト", Money.yen(100), 1)],
        payment_method=PaymentMethod.CARD,
        ctx=Context(datetime(2026, 11, 22, tzinfo=UTC)),
    )
    return order


# The payment ports' suites live in their own module; they are part of this one's public face.
from orderflow.testing.payment_contracts import (  # noqa: E402
    BankTransferContract,
    FraudScreenContract,
    KonbiniContract,
    PaymentGatewayContract,
    PointsContract,
    PostpayContract,
)
from orderflow.testing.store_contracts import OrderStoreContract  # noqa: E402

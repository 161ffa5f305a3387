"""The inventory's contract suite: subclass it to prove an adapter of the Inventory port.

See :mod:`orderflow.testing.contracts` for how the suites work.
"""

from __future__ import annotations

from typing import cast

import attrs
import pytest

from orderflow.errors import InvalidValue, ProviderError
from orderflow.ports import Inventory, StockBatches, StockMove
from orderflow.testing._contract_tools import _race

__all__ = ["InventoryContract"]


class InventoryContract:
    """What every :class:`~orderflow.ports.Inventory` must do."""

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        """An inventory holding ``stock``: (warehouse, SKU) → units on hand."""
        raise NotImplementedError

    def test_reserve_never_more_than_available(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 3})
        assert inventory.knows("SKU-A")
        available = inventory.available("W1", "SKU-A")
        assert type(available) is int, f"available must answer whole units (an int): {available!r}"
        got = inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2)
        assert type(got) is int and got == 2, got  # units, never a float
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

    def test_a_quantity_not_a_whole_positive_number_is_refused_and_moves_nothing(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 5})
        inventory.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2)
        for method in ("reserve", "release", "commit"):
            for number, quantity in enumerate((0, -2, 1.0, True)):
                with pytest.raises(InvalidValue) as refused:
                    getattr(inventory, method)(
                        key=f"bad:{method}:{number}", warehouse="W1", sku="SKU-A", quantity=quantity
                    )
                assert refused.value.field == "quantity"
                assert inventory.available("W1", "SKU-A") == 3

    def test_receive_is_once_per_key(self) -> None:
        """``receive`` (入荷) adds units once per key, where the inventory has it.

        ``desk.receive``, a return's restock and a purchase order's receipt call it.
        """
        inventory = self.make_inventory({("W1", "SKU-A"): 1})
        receive = getattr(inventory, "receive", None)
        if not callable(receive):
            pytest.skip(
                "no receive(warehouse, sku, quantity, *, key, reason): the desk refuses "
                "desk.receive, a return's restock and a purchase order's receipt with it"
            )
        for _ in range(2):  # a retry of one receipt adds nothing
            receive("W1", "SKU-A", 3, key="rcv:1", reason="入荷 R-1")
        available = inventory.available("W1", "SKU-A")
        assert available == 4, f"a receipt of 3 under one key, sent twice, left {available} of 4"
        with pytest.raises(ProviderError, match="rcv:1"):
            receive("W1", "SKU-A", 5, key="rcv:1", reason="入荷 R-1")
        assert inventory.available("W1", "SKU-A") == 4, "a reused key must move nothing"

    def test_unknown_sku(self) -> None:
        inventory = self.make_inventory({("W1", "SKU-A"): 1})
        assert not inventory.knows("NO-SUCH-SKU")

    def test_a_sold_out_sku_is_still_known(self) -> None:
        """Orders of a sold-out product wait for stock (中途引当): they are not refused."""
        inventory = self.make_inventory({("W1", "SKU-A"): 2})
        inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2)
        inventory.commit(key="o1:2", warehouse="W1", sku="SKU-A", quantity=2)
        assert inventory.available("W1", "SKU-A") == 0
        assert inventory.knows("SKU-A")

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

    # -- StockBatches, where the adapter has them ------------------------------------------------

    def batches(self, stock: dict[tuple[str, str], int]) -> tuple[StockBatches, Inventory]:
        """The inventory under test as StockBatches, and one more to call a move at a time.

        Skipped when the adapter has no batch methods (:class:`~orderflow.ports.StockBatches` is
        optional).
        """
        inventory = self.make_inventory(stock)
        if not isinstance(inventory, StockBatches):
            pytest.skip("no reserve_many / release_many / commit_many (StockBatches is optional)")
        return inventory, self.make_inventory(stock)

    def test_a_batch_is_done_once_under_its_keys(self) -> None:
        batch, _ = self.batches({("W1", "SKU-A"): 5, ("W1", "SKU-B"): 5})
        moves = [StockMove("k1", "W1", "SKU-A", 2), StockMove("k2", "W1", "SKU-B", 9)]
        assert batch.reserve_many(moves) == [2, 5]
        assert batch.reserve_many(moves) == [2, 5]  # the first answers, nothing moved again
        assert batch.reserve_many([StockMove("k2", "W1", "SKU-B", 9)]) == [5]
        single = cast(Inventory, batch)
        assert (single.available("W1", "SKU-A"), single.available("W1", "SKU-B")) == (3, 0)
        assert single.reserve(key="k1", warehouse="W1", sku="SKU-A", quantity=2) == 2
        commits = [StockMove("c1", "W1", "SKU-A", 2), StockMove("c2", "W1", "SKU-B", 5)]
        assert batch.commit_many(commits) == [None, None]
        assert batch.commit_many(commits) == [None, None]
        assert (single.available("W1", "SKU-A"), single.available("W1", "SKU-B")) == (3, 0)

    def test_a_move_of_a_batch_not_a_move_is_refused_and_moves_nothing(self) -> None:
        batch, _ = self.batches({("W1", "SKU-A"): 5})
        good = StockMove("k1", "W1", "SKU-A", 1)
        for moves in ("k1", [good, StockMove("k2", "W1", "SKU-A", 0)], [good, ("k2", 1)]):
            with pytest.raises(InvalidValue):
                batch.reserve_many(moves)  # type: ignore[arg-type]
        assert cast(Inventory, batch).available("W1", "SKU-A") == 5

    def test_batches_taking_the_same_skus_in_opposite_orders_all_go_through(self) -> None:
        """Orders with the same two SKUs in another line order, reserved and shipped at once.

        An inventory on a database that takes its rows in each batch's order makes two
        workers wait for each other in a circle (A then B, B then A): one of them failed with
        the database's deadlock error instead of its stock.
        """
        batch, _ = self.batches({("W1", "SKU-A"): 10_000, ("W1", "SKU-B"): 10_000})
        rounds = 10

        def orders(thread: int) -> int:
            skus = ("SKU-A", "SKU-B") if thread % 2 else ("SKU-B", "SKU-A")
            for n in range(rounds):
                moves = [StockMove(f"o{thread}:{n}:{sku}", "W1", sku, 1) for sku in skus]
                assert batch.reserve_many(moves) == [1, 1]
                commits = [attrs.evolve(m, key=m.key + ":c") for m in moves]
                assert batch.commit_many(commits) == [None, None]
            return rounds

        results = _race(self.threads, orders)
        assert results == [rounds] * self.threads, results
        single = cast(Inventory, batch)
        left = 10_000 - rounds * self.threads
        assert (single.available("W1", "SKU-A"), single.available("W1", "SKU-B")) == (left, left)

    def test_a_batch_answers_and_moves_as_its_moves_one_by_one(self) -> None:
        """A batch answers and moves stock as its moves asked one call at a time.

        Random batches (keys repeat, some reused for other requests, some refused) on one
        inventory and the same moves one by one on another: the same entries (a refusal's text
        in the place of the call that raised, nothing after it), the same stock.
        """
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        moves = st.lists(
            st.tuples(st.integers(0, 4), st.sampled_from(("SKU-A", "SKU-B")), st.integers(1, 4)),
            min_size=1,
            max_size=4,
        )
        steps = st.lists(
            st.tuples(st.sampled_from(("reserve", "reserve", "release", "commit")), moves),
            max_size=10,
        )
        stock = {("W1", "SKU-A"): 6, ("W1", "SKU-B"): 3}

        @settings(
            max_examples=self.property_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(steps=steps)
        def run(steps: list[tuple[str, list[tuple[int, str, int]]]]) -> None:
            batch, single = self.batches(stock)
            for method, asked in steps:
                made = [StockMove(f"{method}:{n}", "W1", sku, q) for n, sku, q in asked]
                expected: list[object] = []
                for move in made:
                    try:
                        expected.append(getattr(single, method)(**attrs.asdict(move)))
                    except ProviderError:
                        expected.append(ProviderError)
                        break
                got = getattr(batch, f"{method}_many")(made)
                assert [ProviderError if isinstance(e, str) else e for e in got] == expected
                for item in stock:
                    assert cast(Inventory, batch).available(*item) == single.available(*item)

        run()

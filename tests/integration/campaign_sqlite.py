"""The campaign's world on a SQLite file: ``SQLiteStore`` and ``SQLiteInventory`` behind the desk.

The providers stay fakes. The inventory is the real one, wrapped so that the campaign can arm
the same faults on it as on a fake (a refusal, a time-out before or after the work, a
duplicated request); a crash is armed on it, and on the store's ``save`` and ``add``, the same
way as on the fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from orderflow import Order
from orderflow.errors import ProviderError, ProviderTimeout
from orderflow.ports import StockMove
from orderflow.stores import SQLiteInventory, SQLitePurchaseOrderStore, SQLiteStore
from orderflow.stores._stock_requests import one_by_one
from orderflow.testing import Fault
from orderflow.testing.shop import desk_on

T = TypeVar("T")


class CampaignStore(SQLiteStore):
    """A SQLite store that also lists every order, as the laws read them."""

    @property
    def orders(self) -> dict[str, Order]:
        numbers = [r[0] for r in self._rows("SELECT number FROM orders ORDER BY number", ())]
        return {number: self.get(number) for number in numbers}


class FaultyInventory:
    """A real inventory behind the faults a fake can be told to produce."""

    def __init__(self, inner: SQLiteInventory) -> None:
        self.inner = inner
        self._faults: dict[str, list[Fault]] = {}
        self._refused: dict[str, ProviderError] = {}

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        self._faults.setdefault(method, []).extend([fault] * times)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _call(self, method: str, key: str, work: Callable[[], T]) -> T:
        queue = self._faults.get(method)
        fault = queue.pop(0) if queue else None
        if fault is Fault.TIMEOUT_BEFORE:
            raise ProviderTimeout(f"inventory.{method}: no answer (key {key})")
        if key in self._refused:  # a refused key is refused again, as a port must answer
            raise self._refused[key]  # a repeated key (and as the fakes do)
        if fault is Fault.DECLINE and not self._done(key):  # a key done answers as it did
            self._refused[key] = ProviderError(f"inventory.{method}: refused on purpose")
            raise self._refused[key]
        answer = work()
        if fault is Fault.DUPLICATE:
            answer = work()  # the same key again: the inventory answers as the first time
        if fault is Fault.TIMEOUT_AFTER:
            raise ProviderTimeout(f"inventory.{method}: done, but no answer ({key})")
        return answer

    def _done(self, key: str) -> bool:
        sql = "SELECT 1 FROM stock_movements WHERE key = ?"
        return bool(self.inner._read("done", sql, (key,)))

    def knows(self, sku: str) -> bool:
        return self.inner.knows(sku)

    def available(self, warehouse: str, sku: str) -> int:
        return self.inner.available(warehouse, sku)

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        return self._call(
            "reserve",
            key,
            lambda: self.inner.reserve(key=key, warehouse=warehouse, sku=sku, quantity=quantity),
        )

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        self._call(
            "release",
            key,
            lambda: self.inner.release(key=key, warehouse=warehouse, sku=sku, quantity=quantity),
        )

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        self._call(
            "commit",
            key,
            lambda: self.inner.commit(key=key, warehouse=warehouse, sku=sku, quantity=quantity),
        )

    # -- the batches: the real one, or one move at a time where a fault or a refusal waits ------

    def reserve_many(self, moves: Sequence[StockMove]) -> list[int | str]:
        return self._many("reserve", moves, self.inner.reserve_many, self.reserve)

    def release_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        return self._many("release", moves, self.inner.release_many, self.release)

    def commit_many(self, moves: Sequence[StockMove]) -> list[str | None]:
        return self._many("commit", moves, self.inner.commit_many, self.commit)

    def _many(
        self,
        method: str,
        moves: Sequence[StockMove],
        batch: Callable[[Sequence[StockMove]], list[T | str]],
        one: Callable[..., T],
    ) -> list[T | str]:
        if self._faults.get(method) or any(m.key in self._refused for m in moves):
            return one_by_one(one, moves)
        return batch(moves)

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, key: str | None = None, reason: str = ""
    ) -> None:
        self._call(
            "receive",
            key or "",
            lambda: self.inner.receive(warehouse, sku, quantity, key=key, reason=reason or "入荷"),
        )

    def put(self, warehouse: str, sku: str, quantity: int) -> None:
        """入荷; 0 units makes the SKU known with nothing in stock, as the fake does."""
        self.inner.receive(warehouse, sku, max(quantity, 1), reason="入荷")
        if quantity == 0:
            self.inner.adjust(warehouse, sku, -1, reason="棚卸")

    def _levels(self) -> dict[tuple[str, str], tuple[int, int]]:
        rows = self.inner._read("levels", "SELECT warehouse, sku, on_hand, reserved FROM stock", ())
        return {(w, s): (on_hand, reserved) for w, s, on_hand, reserved in rows}

    @property
    def on_hand(self) -> dict[tuple[str, str], int]:
        return {key: level[0] for key, level in self._levels().items()}

    @property
    def reserved(self) -> dict[tuple[str, str], int]:
        return {key: level[1] for key, level in self._levels().items()}

    @property
    def work_done(self) -> list[tuple[str, str]]:
        """The ledger's keyed movements: the work each key did."""
        return [(m.kind.value, m.key) for m in self.inner.movements() if m.key is not None]


def on_sqlite(shop: Any, folder: Path, stock: dict[tuple[str, str], int]) -> None:
    """Move ``shop``'s orders and stock into a SQLite file in ``folder``."""
    path = folder / "shop.sqlite3"
    store = CampaignStore(path)
    inventory = FaultyInventory(SQLiteInventory(path))
    for (warehouse, sku), units in stock.items():
        inventory.put(warehouse, sku, units)
    shop.store, shop.inventory = store, inventory
    shop.purchase_orders = SQLitePurchaseOrderStore(path)
    shop.desk = desk_on(
        shop, store=store, inventory=inventory, purchase_orders=shop.purchase_orders
    )


def close(shop: Any) -> None:
    """Close the file's connections."""
    shop.store.close()
    shop.purchase_orders.close()
    shop.inventory.inner.close()

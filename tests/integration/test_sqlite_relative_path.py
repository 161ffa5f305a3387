"""A store opened on a relative path keeps its file when the process changes directory.

Each thread opens its own connection when it first uses the store: with the path kept as
given, a thread (or a forked child, or a use after ``close()``) that started after an
``os.chdir`` opened, and made, a new empty file in the new directory (``no such table``), or
another shop's file of the same name there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from orderflow.errors import StoreError
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing.store_contracts import sample_orders


def _in_a_thread(work: Callable[[], object]) -> object:
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.append(work()))
    thread.start()
    thread.join()
    return found[0]


def test_threads_started_after_a_chdir_use_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, elsewhere = tmp_path / "shop", tmp_path / "elsewhere"
    shop.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(shop)
    order = sample_orders()[0]
    store, inventory = SQLiteStore("shop.sqlite3"), SQLiteInventory("shop.sqlite3")
    store.add(order)
    inventory.receive("TOKYO", "TEA", 5, reason="入荷")

    monkeypatch.chdir(elsewhere)  # a batch job moving to its work folder, a daemon to /
    assert _in_a_thread(lambda: store.get(order.number)) == order
    assert _in_a_thread(lambda: inventory.stock("TOKYO", "TEA").on_hand) == 5
    store.close()
    assert store.get(order.number) == order  # opened again after close: the same file
    assert list(elsewhere.iterdir()) == []  # no file made there
    assert store.path == str(shop / "shop.sqlite3")


@pytest.mark.parametrize("make", [SQLiteStore, SQLiteInventory], ids=["store", "inventory"])
def test_a_file_in_a_folder_that_does_not_exist_is_refused_naming_the_folder(
    tmp_path: Path, make: type[SQLiteStore] | type[SQLiteInventory]
) -> None:
    folder = tmp_path / "data"  # a deployment that forgot to make its data folder
    with pytest.raises(StoreError) as refused:
        make(folder / "shop.sqlite3")
    assert f"the folder {str(folder)!r} does not exist" in str(refused.value)
    assert not folder.exists()

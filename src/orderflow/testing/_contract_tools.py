"""What the contract suites share: a race of threads and a delivery address.

Kept apart from :mod:`orderflow.testing.contracts` so that every suite's module imports on its
own (``from orderflow.testing.payment_contracts import PaymentGatewayContract`` first).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from orderflow.domain.address import Address

__all__: list[str] = []

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

"""What the contract suites share: a race of threads and a delivery address.

Kept apart from :mod:`orderflow.testing.contracts` so that every suite's module imports on its
own (``from orderflow.testing.payment_contracts import PaymentGatewayContract`` first).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from orderflow.domain.address import Address
from orderflow.errors import ProviderTimeout

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


def _one_answer(count: int, call: Callable[[], T], what: str) -> T:
    """Ask ``call`` (one key, one request) from ``count`` threads at once; the one answer.

    Every thread must get the same answer, or :class:`~orderflow.errors.ProviderTimeout` while
    the first is in flight (the desk asks again later under the same key); a refusal or any
    other error fails, naming ``what`` and what to fix.
    """
    results = _race(count, lambda _thread: call())
    answers = [r for r in results if not isinstance(r, ProviderTimeout)]
    errors = [r for r in answers if isinstance(r, BaseException)]
    assert not errors, (
        f"{what}: the same key asked from {count} threads at once (a command and a sweep may) "
        f"must get the first answer, or ProviderTimeout while it is in flight; got {errors[:3]!r}"
    )
    assert answers, f"{what}: every one of {count} threads asking one key at once timed out"
    distinct = list(dict.fromkeys(repr(a) for a in answers))
    assert all(a == answers[0] for a in answers), (
        f"{what}: the same key asked from {count} threads at once got different answers "
        f"{distinct[:3]}: the key's check, the work and the recorded answer must be one atomic "
        "step (a lock, a unique index on the key in the same transaction)"
    )
    return cast(T, answers[0])


def _reference(value: object, what: str) -> str:
    """``value`` if it is a non-empty text (a provider's reference); else a failure naming it."""
    assert isinstance(value, str) and value, (
        f"{what} must answer the provider's reference as a non-empty str, not {value!r}"
    )
    return value

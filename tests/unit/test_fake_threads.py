"""Every fake keeps its promises when many threads call it at once."""

from __future__ import annotations

import threading
import time

import pytest

from orderflow.testing import (
    FakeAccounting,
    FakeBank,
    FakeFraudScreen,
    FakeInventory,
    FakeKonbini,
    FakeNotifier,
    FakePaymentGateway,
    FakePoints,
    FakePostpay,
    FakeSupplier,
    FakeWarehouse,
)
from orderflow.testing.fakes import _Fake

THREADS = 16


def every_fake() -> list[_Fake]:
    return [
        FakePaymentGateway(),
        FakeInventory(),
        FakeWarehouse(),
        FakeAccounting(),
        FakeNotifier(),
        FakePoints(),
        FakeFraudScreen(),
        FakePostpay(),
        FakeBank(),
        FakeKonbini(),
        FakeSupplier(),
    ]


def race(work: object) -> None:
    """Run ``work(i)`` in THREADS threads started together."""
    assert callable(work)
    start = threading.Barrier(THREADS)

    def run(index: int) -> None:
        start.wait()
        work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_every_fake_is_listed() -> None:
    assert {type(f) for f in every_fake()} == set(_Fake.__subclasses__())


@pytest.mark.parametrize("fake", every_fake(), ids=lambda f: type(f).__name__)
def test_requests_with_different_keys_never_interleave(fake: _Fake) -> None:
    count = [0]

    def work() -> int:
        seen = count[0]
        time.sleep(0.0005)  # another thread would run here, if it could
        count[0] = seen + 1
        return seen

    answers: list[int] = []
    race(lambda i: answers.append(fake._run("probe", f"k{i}", (i,), work)))
    assert count[0] == THREADS
    assert sorted(answers) == list(range(THREADS))
    assert len(fake.calls_to("probe")) == THREADS


@pytest.mark.parametrize("fake", every_fake(), ids=lambda f: type(f).__name__)
def test_one_key_from_many_threads_does_the_work_once(fake: _Fake) -> None:
    done: list[int] = []

    def work() -> int:
        time.sleep(0.0005)
        done.append(1)
        return len(done)

    answers: list[int] = []
    race(lambda i: answers.append(fake._run("probe", "same", (), work)))
    assert done == [1]
    assert answers == [1] * THREADS
    assert fake.work_done == [("probe", "same")]

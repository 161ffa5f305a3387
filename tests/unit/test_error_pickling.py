"""Every error pickles and comes back the same: message, type and attributes.

A worker in another process (``multiprocessing``, a task queue, the SIGKILL campaign's RPC to
the providers) sends errors across; most of them used to fail to unpickle (their ``__init__``
takes other arguments than the message) or came back with a garbled message.
"""

import pickle

import pytest

from orderflow import errors

SAMPLES: list[errors.OrderflowError] = [
    errors.OrderflowError("plain"),
    errors.InvalidValue("customer.email", "taro@example.jp", "an e-mail address"),
    errors.CurrencyMismatch("amount", "JPY", "USD"),
    errors.EmptyOrder(),
    errors.UnknownSku("lines[0].sku", "NOPE-1"),
    errors.MoveNotAllowed("1001", "SHIPPED", "accept", ["deliver"]),
    errors.MoveBlocked("1001", "ORDERED", "accept", ["accept"], "an open hold"),
    errors.PolicyRefused("1001", "cancel", "customer", "web", "SHIPPED", "nothing"),
    errors.ChangeRefused("1001", "customer", "web", "SHIPPED", "nothing"),
    errors.OrderNotFound("1001"),
    errors.DuplicateOrder("1001"),
    errors.ConcurrencyError("1001", 1, 2),
    errors.ProviderError("refused"),
    errors.PaymentDeclined("expired", code="expired_card"),
    errors.ProviderTimeout("no answer"),
    errors.OutcomeUnknown("1001", "capture", "k1"),
    errors.EffectInterrupted("1001", "capture", "k1"),
    errors.EffectsPending("1001", "capture"),
    errors.CodecError("order", "{", "JSON"),
    errors.StoreError("disk full"),
]


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_an_error_survives_pickling(error: errors.OrderflowError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert repr(back) == repr(error)
    assert back.args == error.args
    assert vars(back) == vars(error)


def test_a_declines_code_and_reason_survive() -> None:
    back = pickle.loads(pickle.dumps(errors.PaymentDeclined("expired", code="expired_card")))
    assert isinstance(back, errors.PaymentDeclined)
    assert (back.code, back.reason) == ("expired_card", "expired")
    assert str(back) == "payment declined (expired_card): expired"

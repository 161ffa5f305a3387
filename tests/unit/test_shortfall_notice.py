"""The payment-shortfall notice asks for a transfer only from an order paid by transfer.

A konbini order short of its total (a 離島 fee added after it was paid) was told to transfer
the rest "to the same account": a konbini order has no account.
"""

import pytest

from orderflow import Money, PaymentMethod, ShopSettings
from orderflow.notices import Notice, summarize
from tests.builders import card_order, lines


@pytest.mark.parametrize(
    ("method", "asked", "not_asked"),
    [
        (PaymentMethod.BANK_TRANSFER, "同じ口座へ不足分をお振込みください", "お問い合わせ"),
        (PaymentMethod.KONBINI, "お支払い方法について当店までお問い合わせください", "口座"),
    ],
)
def test_the_shortfall_notice_asks_the_way_the_order_pays(
    method: PaymentMethod, asked: str, not_asked: str
) -> None:
    order = card_order(lines(), method=method)
    facts = (
        ("total", Money.yen(6000)),
        ("received", Money.yen(5000)),
        ("shortfall", Money.yen(1000)),
    )
    summary = summarize(order, ShopSettings())
    notice = Notice("payment_shortfall", order.number, "a@example.jp", "ja", facts, order=summary)
    assert asked in notice.text and not_asked not in notice.text
    english = Notice("payment_shortfall", order.number, "a@example.jp", "en", facts, order=summary)
    assert ("transfer the rest" in english.text) is (method is PaymentMethod.BANK_TRANSFER)

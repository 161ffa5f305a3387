"""注文分割: the customer is told the order is now several, and that what was asked for it is void.

A bank-transfer customer was asked to pay the original order into its account; after a split
the account is released and each part asks for its own transfer. Without a word on the split, a
customer who paid as first asked paid into an account no order holds.
"""

from __future__ import annotations

import pytest

from orderflow import PaymentMethod
from tests.builders import place, shop


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER])
def test_a_split_tells_the_customer_the_new_orders(method: PaymentMethod) -> None:
    s = shop()
    token = {"token": "tok_ok"} if method is PaymentMethod.CARD else {"token": None}
    place(s, payment_method=method, **token)
    s.desk.accept("1001")
    s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    [told] = [n for n in s.notifier.sent if n.kind == "order_split"]
    assert told.order_number == "1001"
    assert told.fact("parts") == "1001-1, 1001-2" and told.fact("count") == 2
    assert "1001-1, 1001-2" in told.text
    # once: splitting again the same way returns the parts and tells nothing more
    s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    assert sum(n.kind == "order_split" for n in s.notifier.sent) == 1


def test_the_japanese_notice_says_the_first_payment_details_no_longer_apply() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER, token=None)
    s.desk.accept("1001")
    s.desk.split("1001", [{"L1": 2}, {"L2": 1, "L3": 1}])
    [told] = [n for n in s.notifier.sent if n.kind == "order_split"]
    assert told.subject == "【ご注文分割のお知らせ】注文番号 1001"
    assert "振込先口座・払込番号など)は無効" in told.text

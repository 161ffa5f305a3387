"""What a notice tells a customer about paying and the facts it is given: the cases the first
review did not cover (nothing to pay, amounts not given as Money, naive times, large counts)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from orderflow import Money, ShopSettings
from orderflow.domain.payment import PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES
from orderflow.notices import Notice, NoticeTemplates
from tests.builders import place, shop

_CARDLIKE = (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY)
_PROMISES = (
    "another mail",
    "別のメール",
    "charged",
    "ご請求",
    "invoice",
    "請求書",
)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("method", [m for m in PaymentMethod if m is not PaymentMethod.COD])
def test_an_order_with_nothing_to_pay_promises_no_account_number_or_charge(
    method: PaymentMethod, locale: str
) -> None:
    # The discount covers the whole order (5,980 of items and 880 of shipping): the desk opens no
    # virtual account, no konbini number, no card charge and no 後払い invoice for it, so the
    # confirmation must not tell the customer to wait for one.
    s = shop(settings=ShopSettings(auto_advance=False, locale=locale))
    token = "tok_ok" if method in _CARDLIKE else None
    place(s, payment_method=method, token=token, discount=Money.yen(6860))
    assert [n.kind for n in s.notifier.sent] == ["order_confirmation"]  # nothing else will come
    notice = s.notifier.sent[0]
    payment = notice.html.split('<p class="payment">')[1].split("</p>")[0]
    assert not any(promise in payment for promise in _PROMISES), payment
    said = {"ja": "お支払いいただく金額はございません", "en": "nothing to pay"}[locale]
    assert said in payment and said in notice.text


def test_a_cod_order_whose_discount_covers_the_goods_still_asks_for_the_fee() -> None:
    s = shop(settings=ShopSettings(auto_advance=False, locale="en"))
    place(s, payment_method=PaymentMethod.COD, token=None, discount=Money.yen(6860))
    text = s.notifier.sent[0].text
    assert "Please pay ¥330 to the driver on delivery (COD fee included)." in text


# -- facts: amounts as Money, times aware, counts grouped ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "fact"),
    [
        ("refund", ("amount", 1080.5)),  # a float amount was shown as "1080.5"
        ("payment_received", ("total", Decimal("1080.00"))),  # shown as "1080.00", no ¥
        ("cancellation", ("cancelled_at", datetime(2026, 11, 22, 9, 0))),  # naive: failed later
        ("authorization_renewed", ("expires_at", datetime(2026, 12, 22))),
    ],
)
def test_a_fact_that_cannot_be_shown_exactly_is_refused_when_the_notice_is_built(
    kind: str, fact: tuple[str, object]
) -> None:
    with pytest.raises(InvalidValue) as caught:
        Notice(kind, "1001", "a@example.jp", "ja", (("name", "見本 花子"), fact))
    assert caught.value.field == "facts[1]"


@pytest.mark.parametrize(("locale", "shown"), [("ja", "12,345ポイント"), ("en", "12,345 points")])
def test_points_are_shown_with_the_thousands_grouped(locale: str, shown: str) -> None:
    notice = Notice("points_granted", "1001", "a@example.jp", locale, (("points", 12345),))
    assert shown in notice.subject
    assert "12,345" in notice.text and "12345" not in notice.text


# -- a subject holds no block -------------------------------------------------------------------


@pytest.mark.parametrize("block", ["address", "items", "signature", "payment"])
def test_a_block_in_a_subject_template_is_refused_when_configured(block: str) -> None:
    # It was accepted and rendered: {address} put the customer's street and phone number into
    # the mail's Subject header, though render_subject promises no block in it.
    with pytest.raises(InvalidValue) as caught:
        NoticeTemplates({("order_confirmation", "ja", "subject"): f"注文 {{number}} {{{block}}}"})
    assert caught.value.field == "templates[order_confirmation/ja/subject]: placeholder"
    assert caught.value.value == f"{{{block}}}"

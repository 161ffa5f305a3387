"""The notices after review: settings checked when built, the refund's closing sentence by the
payment method, one time format, well-formed HTML, readable template errors, phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import attrs
import pytest

from orderflow import Money, ShopSettings
from orderflow.domain.payment import PaymentMethod
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES, format_time
from orderflow.notices import (
    KIND_FACTS,
    NOTICE_KINDS,
    Notice,
    NoticeTemplates,
    ShopProfile,
    format_moment,
    format_phone,
)
from orderflow.notices.samples import sample_notices
from tests.builders import place, shop

T = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo


def _sample() -> Notice:
    return sample_notices()["order_confirmation"]


# -- 1. the notice settings are checked when the settings are built -----------------------------


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"locale": "de"}, "locale"),
        ({"locale": "ja_JP"}, "locale"),
        ({"locale": None}, "locale"),
        ({"zone": "Mars/Base"}, "zone"),
        ({"zone": ""}, "zone"),
        ({"zone": 9}, "zone"),
        ({"zone": "Asia"}, "zone"),  # a folder of zones, not a zone
        ({"zone": "Asia/" + "x" * 300}, "zone"),
        ({"shop": "見本堂"}, "shop"),
        ({"shop": {"name": "見本堂"}}, "shop"),
        ({"notice_templates": "hello"}, "notice_templates"),
        ({"notice_templates": [("refund", "en", "text")]}, "notice_templates"),
        ({"currency": "yen"}, "currency"),  # checked when the settings are made, not at an order
        ({"currency": "usd"}, "currency"),
        ({"currency": 392}, "currency"),
    ],
)
def test_shop_settings_refuse_bad_notice_settings_naming_the_field(
    given: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(**given)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_plain_mapping_of_templates_is_checked_and_becomes_notice_templates() -> None:
    own = {("order_confirmation", "ja", "subject"): "ご注文ありがとうございます ({number})"}
    settings = ShopSettings(auto_advance=False, notice_templates=own)
    assert isinstance(settings.notice_templates, NoticeTemplates)
    s = shop(settings=settings)
    place(s)  # the notice renders when sent: no AttributeError, no stuck effect
    assert s.notifier.sent[0].subject == "ご注文ありがとうございます (1001)"
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(notice_templates={("refund", "en", "text"): "{tracking}"})
    assert caught.value.field == "notice_templates: templates[refund/en/text]: placeholder"
    assert caught.value.value == "{tracking}"


def test_a_notice_checks_its_locale_zone_shop_and_templates() -> None:
    with pytest.raises(InvalidValue) as caught:
        Notice("cancellation", "1001", "a@example.jp", "xx")
    assert caught.value.field == "locale"
    with pytest.raises(InvalidValue) as caught:
        Notice("cancellation", "1001", "a@example.jp", "ja", zone="Mars/Base")
    assert caught.value.field == "zone"
    with pytest.raises(InvalidValue, match="shop"):
        Notice("cancellation", "1001", "a@example.jp", "ja", shop="見本堂")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="templates"):
        Notice("cancellation", "1001", "a@example.jp", "ja", templates={})  # type: ignore[arg-type]
    assert Notice("cancellation", "1001", "a@example.jp", "en", zone="Europe/London").text


def test_a_notice_checks_its_number_recipient_facts_and_order() -> None:
    """They were taken as given, and rendering failed (TypeError, ValueError, AttributeError)."""
    bad: list[tuple[str, dict[str, object]]] = [
        ("order_number", {"order_number": 1001}),
        ("order_number", {"order_number": ""}),
        ("recipient", {"recipient": None}),
        ("facts", {"facts": "total"}),
        ("facts", {"facts": {"carrier": "yamato"}}),
        ("facts[0]", {"facts": (("total",),)}),
        ("facts[1]", {"facts": (("carrier", "yamato"), (1, "x"))}),
        ("order", {"order": "1001"}),
    ]
    for field, given in bad:
        args: dict[str, object] = {
            "kind": "shipping",
            "order_number": "1001",
            "recipient": "a@example.jp",
            "locale": "ja",
            **given,
        }
        with pytest.raises(InvalidValue) as caught:
            Notice(**args)  # type: ignore[arg-type]
        assert caught.value.field == field
    notice = Notice("shipping", "1001", "a@example.jp", "ja", [("carrier", "yamato")])
    assert notice.facts == (("carrier", "yamato"),) and "ヤマト運輸" in notice.text


def test_a_fact_the_notice_does_not_tell_is_an_invalid_value() -> None:
    notice = Notice("shipping", "1001", "a@example.jp", "ja", (("carrier", "yamato"),))
    assert notice.fact("carrier") == "yamato"
    with pytest.raises(InvalidValue, match="carrier") as caught:
        notice.fact("tracking_url")  # was a bare KeyError
    assert caught.value.field == "fact" and caught.value.value == "tracking_url"


# -- 2. the refund notice's closing sentence follows the payment method -------------------------

_CARD_JA = "カード会社により反映まで数日かかる場合があります。"
_CARD_EN = "Depending on your card company it may take some days to show."
_NOTES = {
    PaymentMethod.CARD: (_CARD_JA, _CARD_EN),
    PaymentMethod.AMAZON_PAY: (_CARD_JA, _CARD_EN),
    PaymentMethod.POSTPAY: (
        "後払いのご請求は、決済サービスにより返金額だけ減額されます"
        "(お支払いが残らない場合はご請求が取り消されます)。",
        "The pay-later service reduces your invoice by this amount, "
        "or cancels it when nothing is left to pay.",
    ),
}
_TRANSFER = (
    "お知らせいただいた口座へお振り込みいたします。口座をまだ伺っていない場合は、"
    "こちらからご連絡いたします。",
    "We transfer it to the bank account you gave us; "
    "if we do not have your account yet, we will contact you to ask for it.",
)


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_the_refund_notice_says_how_the_money_comes_back_by_payment_method(
    method: PaymentMethod,
) -> None:
    sample = _sample()
    assert sample.order is not None
    order = attrs.evolve(sample.order, payment_method=method)
    ja, en = _NOTES.get(method, _TRANSFER)
    for locale, note in (("ja", ja), ("en", en)):
        notice = attrs.evolve(
            sample, kind="refund", locale=locale, facts=(("amount", Money.yen(1080)),), order=order
        )
        assert note in notice.text and note in notice.html
        if method not in (PaymentMethod.CARD, PaymentMethod.AMAZON_PAY):
            assert "カード会社" not in notice.text and "card company" not in notice.text


def test_a_refund_notice_without_its_order_names_no_card_company() -> None:
    facts = (("amount", Money.yen(500)),)
    ja = Notice("refund", "1001", "a@example.jp", "ja", facts)
    en = Notice("refund", "1001", "a@example.jp", "en", facts)
    assert "返金の反映まで数日かかる場合があります。" in ja.text and "カード会社" not in ja.text
    assert "It may take some days until the refund shows." in en.text
    assert "card company" not in en.text


# -- 3. one time format -------------------------------------------------------------------------


def test_format_time_is_the_notices_format() -> None:
    assert format_moment is format_time
    assert format_time(T, "ja") == "2026年11月22日 9:00"
    assert format_time(T, "en") == "22 November 2026, 09:00 (Japan Standard Time)"
    with pytest.raises(InvalidValue) as caught:
        format_time(T, "en", "Mars/Base")
    assert caught.value.field == "zone"


# -- 4. well-formed HTML ------------------------------------------------------------------------


class _Balance(HTMLParser):
    """Every tag closed in order; no block (a table, a paragraph) inside a paragraph."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if tag in {"p", "table", "div"} and "p" in self.open:
            self.problems.append(f"<{tag}> inside <p>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:]}")
            return
        self.open.pop()


def _problems(html: str) -> list[str]:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"<{tag}> never closed" for tag in parser.open]


_FACTS: dict[str, object] = {
    "total": Money.yen(5160),
    "tax": Money.yen(432),
    "amount": Money.yen(1080),
    "received": Money.yen(5000),
    "shortfall": Money.yen(160),
    "delta": Money.yen(-1080),
    "paid_back": Money.yen(1080),
    "fee": Money.yen(0),
    "placed_at": T,
    "shipped_at": T,
    "cancelled_at": T,
    "expires_at": T,
    "absent_at": T,
    "deadline": T,
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_every_default_template_gives_well_formed_html(kind: str, locale: str) -> None:
    facts = tuple((k, _FACTS.get(k, "x")) for k in KIND_FACTS[kind])
    sample = attrs.evolve(_sample(), kind=kind, locale=locale, facts=(("name", "花子"), *facts))
    assert _problems(sample.html) == []
    bare = Notice(kind, "1001", "a@example.jp", locale, facts)
    assert _problems(bare.html) == []


def test_a_block_inside_a_line_is_refused_when_the_template_is_checked() -> None:
    template = "Hello {name}, your items: {items}\nShip to: {address}"
    with pytest.raises(InvalidValue) as caught:
        NoticeTemplates({("order_confirmation", "en", "text"): template})
    assert caught.value.field == "templates[order_confirmation/en/text]: placeholder"
    assert caught.value.value == "{items}"
    assert "alone on its line" in str(caught.value)
    fine = NoticeTemplates(
        {
            (
                "order_confirmation",
                "en",
                "text",
            ): "Hello {name}, your items:\n{items}\nShip to:\n{address}"
        }
    )
    notice = attrs.evolve(_sample(), locale="en", templates=fine)
    assert _problems(notice.html) == []
    assert "<p>Hello 見本 花子, your items:</p>\n<table" in notice.html


def test_a_block_inside_a_line_of_an_unchecked_template_still_gives_well_formed_html() -> None:
    # A catalog's translation is not checked: the HTML closes the paragraph before the block.
    own = NoticeTemplates()
    inline = {("order_confirmation", "en", "text"): "Hello {name}, items: {items}\nTo: {address}"}
    object.__setattr__(own, "overrides", inline)
    notice = attrs.evolve(_sample(), locale="en", templates=own)
    assert _problems(notice.html) == []
    assert "<p>Hello 見本 花子, items:</p>\n<table" in notice.html
    assert '<p>To:</p>\n<p class="address">' in notice.html


# -- 5. the template error shows the placeholder as written -------------------------------------


@pytest.mark.parametrize("placeholder", ["{name[0]}", "{name!r}", "{name.upper}", "{total:>9}"])
def test_a_bad_placeholder_is_reported_as_written_not_masked(placeholder: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        NoticeTemplates({("refund", "en", "text"): f"Dear {placeholder}"})
    assert caught.value.value == placeholder
    assert f"got {placeholder!r}" in str(caught.value)
    assert "***" not in str(caught.value)


# -- 6. phone numbers as people write them ------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("0312345678", "03-1234-5678"),
        ("0612345678", "06-1234-5678"),
        ("09012345678", "090-1234-5678"),
        ("08012345678", "080-1234-5678"),
        ("07012345678", "070-1234-5678"),
        ("05012345678", "050-1234-5678"),
        ("0451234567", "045-123-4567"),
        ("0521234567", "052-123-4567"),
        ("0111234567", "011-123-4567"),
        ("0120123456", "0120-123-456"),
        ("0570123456", "0570-123-456"),
        ("08001234567", "0800-123-4567"),
        ("0224123456", "0224123456"),  # 022 Sendai or 0224 Shiroishi: not guessed
        ("0471234567", "0471234567"),  # 04 / 047 / 0471: not guessed
        ("031234567", "031234567"),  # too short for 03
        ("090123456789", "090123456789"),  # too long
        ("03-1234-5678", "03-1234-5678"),  # already written: as it is
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_with_their_hyphens(digits: str, shown: str) -> None:
    assert format_phone(digits) == shown


def test_the_address_block_shows_the_phone_as_written() -> None:
    sample = _sample()
    assert sample.order is not None and sample.order.ship_to.phone == "0312345678"
    assert "電話 03-1234-5678" in sample.text
    english = attrs.evolve(sample, locale="en", shop=ShopProfile())
    assert "Phone 03-1234-5678" in english.text and "0312345678" not in english.text


def test_a_subject_is_one_line_whatever_the_customer_typed() -> None:
    notice = attrs.evolve(
        _sample(),
        facts=(*_sample().facts, ("name", "山田\r\nBcc: x@evil.example\u2028x")),
        templates=NoticeTemplates({("order_confirmation", "en", "subject"): "{name}: order"}),
        locale="en",
    )
    assert "\r" not in notice.subject and "\n" not in notice.subject
    assert "\u2028" not in notice.subject


def test_summarize_refuses_what_is_not_an_order_or_settings() -> None:
    from orderflow.notices import summarize

    s = shop()
    order = place(s)
    for args, field in (((order.number, ShopSettings()), "order"), ((order, None), "settings")):
        with pytest.raises(InvalidValue) as caught:
            summarize(*args)  # was an AttributeError
        assert caught.value.field == field
    assert summarize(order, ShopSettings()).lines == order.lines

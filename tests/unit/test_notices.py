"""Notices a shop can send: formatting per locale, tax per rate, every kind in both languages
as text and HTML, the shop's own templates, escaping, and reprs without personal data."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import Money, Order, OrderLine, PriceMode, ShopSettings, TaxRule
from orderflow.errors import InvalidValue
from orderflow.i18n import LOCALES, METHOD_NAMES
from orderflow.notices import (
    KIND_FACTS,
    NOTICE_KINDS,
    Notice,
    NoticeTemplates,
    ShopProfile,
    format_amount,
    format_day,
    format_moment,
    summarize,
)
from orderflow.notices.formatting import JAPANESE, parse_amount
from orderflow.notices.samples import SAMPLE_SHOP, markdown, sample_notices
from orderflow.notices.templates import DEFAULTS
from tests.builders import TRACKING, customer, place, shop
from tests.strategies import orders

T = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
_SUPPLIED = ("山田 太郎", "山田 花子", "渋谷区神宮前", "見本ハイツ101")
"""What customers typed: names and addresses of the builders' and the campaign's orders."""
_PROVIDERS = {"bank", "branch", "holder", "location"}
"""Facts a provider supplies as it writes them (a bank's name, a depot)."""

# -- formatting -------------------------------------------------------------------------------


def test_japanese_dates_read_as_japanese_mail_writes_them() -> None:
    assert format_moment(T, "ja") == "2026年11月22日 9:00"
    assert format_moment(T, "ja_JP", "Asia/Tokyo") == "2026年11月22日 9:00"
    assert format_day(date(2026, 11, 22), "ja") == "2026年11月22日"


def test_english_dates_name_the_shops_zone() -> None:
    assert format_moment(T, "en") == "22 November 2026, 09:00 (Japan Standard Time)"
    assert format_day(date(2026, 11, 22), "en") == "22 November 2026"
    london = format_moment(T, "en", "Europe/London")
    assert london.startswith("22 November 2026, 00:00 (") and "Greenwich" in london


def test_a_japanese_date_in_another_zone_names_it() -> None:
    assert format_moment(T, "ja", "Europe/London") == "2026年11月22日 0:00 (Europe/London)"


def test_a_naive_time_or_an_unknown_locale_is_refused() -> None:
    with pytest.raises(InvalidValue, match="moment"):
        format_moment(datetime(2026, 11, 22), "ja")
    with pytest.raises(InvalidValue, match="locale"):
        format_moment(T, "fr")


@given(st.integers(-(10**9), 10**9), st.sampled_from(LOCALES))
def test_any_yen_amount_formats_and_parses_back(amount: int, locale: str) -> None:
    text = format_amount(Money.yen(amount), locale)
    assert parse_amount(text) == Money.yen(amount)
    assert text.startswith("-") == (amount < 0)
    assert ("￥" if locale == "ja" else "¥") in text


# -- tax per rate -----------------------------------------------------------------------------

_TAX = re.compile(
    r"(?:^Taxable at |^)(\d+)%(?:対象)?: ([-￥¥\d,]+) "
    r"\((?:incl\. tax|tax|内消費税|消費税) ([-￥¥\d,]+)\)"
)


def _tax_lines(text: str) -> list[tuple[int, Money, Money]]:
    found = []
    for line in text.splitlines():
        match = _TAX.search(line)
        if match:
            rate, base, tax = match.groups()
            found.append((int(rate), parse_amount(base), parse_amount(tax)))
    return found


@settings(max_examples=25, deadline=None)
@given(orders(max_steps=12), st.sampled_from(list(PriceMode)), st.sampled_from(LOCALES))
def test_the_tax_lines_add_up_to_the_orders_tax(order: Order, mode: PriceMode, locale: str) -> None:
    rules = ShopSettings(tax=TaxRule(mode=mode))
    totals = order.totals(rules.tax)
    notice = Notice(
        "order_confirmation", order.number, "a@example.jp", locale, order=summarize(order, rules)
    )
    lines = _tax_lines(notice.text)
    assert [rate for rate, _, _ in lines] == [line.rate.percent for line in totals.tax.lines]
    # whole yen: the lines' tax is the order's tax, each base that rate's taxable amount
    assert sum(int(tax.amount) for _, _, tax in lines) == int(totals.tax_total.amount)
    assert [base for _, base, _ in lines] == [line.base for line in totals.tax.lines]


# -- every kind, both languages, text and HTML ------------------------------------------------

_SAMPLE_FACTS: dict[str, object] = {
    "placed_at": T,
    "total": Money.yen(5160),
    "tax": Money.yen(432),
    "carrier": "yamato",
    "shipped_at": T,
    "tracking_number": "123456789013",
    "tracking_url": "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number01=123456789013",
    "shipment_id": "1001-S1",
    "cod_amount": Money.yen(5160),
    "cancelled_at": T,
    "reason": "The payment was not approved.",
    "bank": "Mihon Bank",
    "branch": "Branch 101",
    "account_type": "普通",
    "account_number": "1000001",
    "holder": "MIHONDO",
    "payment_number": "00000000001",
    "deadline": datetime(2026, 11, 29, 14, 59, tzinfo=UTC),
    "url": "https://konbini.example.jp/pay/00000000001",
    "received": Money.yen(3000),
    "shortfall": Money.yen(2160),
    "expires_at": datetime(2026, 12, 22, tzinfo=UTC),
    "amount": Money.yen(1080),
    "owed": Money.yen(0),
    "reserved": "Arita tea cup ×1",
    "waiting": "Sencha green tea 100g ×2",
    "delta": Money.yen(-1080),
    "changed": "items,address",
    "removed": "Sencha green tea 100g ×1",
    "removed_skus": "TEA-1",
    "absent_at": T,
    "location": "Shibuya depot",
    "points": 51,
    "return_id": "R1",
    "shipping": "Return shipping is on us (cash on delivery to the shop).",
    "paid_back": Money.yen(2200),
    "fee": Money.yen(0),
    "parts": "1001-1, 1001-2",
    "count": 2,
}


def _sample_order() -> Notice:
    return sample_notices()["order_confirmation"]


@pytest.fixture(scope="module")
def sample_summary() -> Notice:
    return _sample_order()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_every_kind_renders_in_both_languages_as_text_and_html(
    kind: str, locale: str, sample_summary: Notice
) -> None:
    facts = (("name", "Hanako Mihon"), *((k, _SAMPLE_FACTS[k]) for k in KIND_FACTS[kind]))
    notice = attrs.evolve(sample_summary, kind=kind, locale=locale, facts=facts)
    for rendered in (notice.subject, notice.text, notice.html):
        assert rendered.strip()
        assert "{" not in rendered and "}" not in rendered  # no placeholder left
    assert "\n" not in notice.subject
    assert notice.html.startswith(f'<div class="orderflow-notice" lang="{locale}">')
    assert "1001" in notice.subject + notice.text
    assert "Mihondo Online Shop" in notice.text or "見本堂オンラインショップ" in notice.text
    assert "support@shop.example.jp" in notice.text and "support@shop.example.jp" in notice.html
    used = "".join(DEFAULTS[kind])
    for key in (k for k in KIND_FACTS[kind] if f"{{{k}}}" in used):
        value = _SAMPLE_FACTS[key]
        if isinstance(value, Money):
            assert format_amount(value, locale) in notice.text
        elif isinstance(value, datetime):
            assert format_moment(value, locale) in notice.text
        elif key in {"tracking_number", "account_number", "payment_number", "return_id"}:
            assert str(value) in notice.text
    if locale == "ja" and kind == "return_accepted":
        assert "着払い" in notice.text  # the library's own sentence, translated
    if locale == "en":
        shown = notice.subject + notice.text + notice.html
        for supplied in ("見本 花子", "渋谷区神宮前", "見本ハイツ101"):
            shown = shown.replace(supplied, "")
        assert JAPANESE.search(shown) is None, JAPANESE.findall(shown)


def test_a_notice_built_without_its_order_still_renders() -> None:
    for kind in NOTICE_KINDS:
        facts = tuple((k, _SAMPLE_FACTS[k]) for k in KIND_FACTS[kind])
        notice = Notice(kind, "1001", "a@example.jp", "en", facts)
        assert "{" not in notice.text + notice.html
        assert "Items subtotal" not in notice.text  # no order: no totals block


# -- the sample order -------------------------------------------------------------------------


def test_the_order_confirmation_carries_what_a_customer_expects() -> None:
    notice = _sample_order()
    ja, en = notice.text, attrs.evolve(notice, locale="en").text
    for expected in (
        "煎茶 100g ※  ￥1,080 × 2 = ￥2,160",
        "有田焼 湯呑  ￥2,200 × 1 = ￥2,200",
        "商品小計: ￥4,360",
        "送料: ￥800",
        "10%対象: ￥3,000 (内消費税 ￥272)",
        "8%対象: ￥2,160 (内消費税 ￥160)",
        "お支払い合計: ￥5,160",
        "〒150-0001",
        "東京都渋谷区神宮前 1-2-3 見本ハイツ101",
        "■お支払い方法: クレジットカード",
        "2026年11月22日 9:00",
        "見本堂オンラインショップ",
    ):
        assert expected in ja
    for expected in (
        "Sencha green tea 100g *  ¥1,080 × 2 = ¥2,160",
        "Taxable at 8%: ¥2,160 (incl. tax ¥160)",
        "Total: ¥5,160",
        "Tokyo 150-0001",
        "Payment: Credit card",
        "22 November 2026, 09:00 (Japan Standard Time)",
        "Mihondo Online Shop",
    ):
        assert expected in en


def test_english_sample_notices_have_no_japanese_but_what_the_customer_typed() -> None:
    for notice in sample_notices().values():
        english = attrs.evolve(notice, locale="en")
        shown = english.subject + english.text + english.html
        for supplied in ("見本 花子", "渋谷区神宮前", "見本ハイツ101"):  # name and address
            shown = shown.replace(supplied, "")
        assert JAPANESE.search(shown) is None, JAPANESE.findall(shown)


def test_without_an_english_name_the_product_keeps_the_name_it_was_ordered_by() -> None:
    notice = attrs.evolve(_sample_order(), locale="en", shop=ShopProfile(name="Mihondo"))
    assert "煎茶 100g *  ¥1,080 × 2" in notice.text


def test_payment_instructions_follow_the_method() -> None:
    from orderflow import PaymentMethod

    s = shop()
    place(s, payment_method=PaymentMethod.KONBINI)
    (confirmation,) = [n for n in s.notifier.sent if n.kind == "order_confirmation"]
    assert "お支払い番号: 00000000001" in confirmation.text
    assert "お支払い期限: 2026年11月29日" in confirmation.text
    en = attrs.evolve(confirmation, locale="en").text
    assert "Payment: Convenience store payment" in en and "Pay by: 29 November 2026" in en

    s = shop()
    place(s, payment_method=PaymentMethod.COD)
    confirmation = s.notifier.sent[0]
    total = format_amount(s.desk.totals(s.desk.get("1001")).total, "ja")
    assert f"商品お届けの際に {total}(代引き手数料込み)" in confirmation.text
    assert "代引き手数料: ￥" in confirmation.text

    s = shop()
    place(s, payment_method=PaymentMethod.BANK_TRANSFER)
    confirmation = next(n for n in s.notifier.sent if n.kind == "order_confirmation")
    assert "1000001" in confirmation.text  # the virtual account, issued before the notice left


def test_the_shipping_notice_names_the_carrier_the_number_and_the_link() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    shipment = s.desk.get("1001").shipments[0].shipment_id
    s.desk.ship("1001", shipment, TRACKING)
    notice = s.notifier.sent[-1]
    assert notice.kind == "shipping"
    en = attrs.evolve(notice, locale="en")
    assert "ヤマト運輸" in notice.text and "Yamato Transport" in en.text
    assert "123456789013" in en.text and "kuronekoyamato" in en.text
    assert "href" not in en.html and "123456789013" in en.html


def test_the_backorder_notice_shows_english_names_and_dates() -> None:
    settings_ = ShopSettings(
        auto_advance=False, shop=ShopProfile(product_names={"TEA-1": {"en": "Green tea"}})
    )
    s = shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5}, settings_)
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.expect_arrival("1001", "L1", date(2026, 12, 1))
    notice = s.notifier.sent[-1]
    assert notice.kind == "backorder"
    assert "緑茶 ×2 (2026年12月1日)" in notice.text  # 取り寄せ・入荷待ち
    assert "Green tea ×2 (1 December 2026)" in attrs.evolve(notice, locale="en").text


# -- the shop's own templates -----------------------------------------------------------------


def test_a_shop_replaces_a_template_and_the_html_follows() -> None:
    own = NoticeTemplates(
        {
            ("order_confirmation", "en", "subject"): "{shop_name}: we got order {number}",
            (
                "order_confirmation",
                "en",
                "text",
            ): "Hi {name}!\n\n{items}\n\nTotal {total}\n\n{signature}",
        }
    )
    notice = attrs.evolve(_sample_order(), locale="en", templates=own)
    assert notice.subject == "Mihondo Online Shop: we got order 1001"
    assert notice.text.startswith("Hi 見本 花子!\n\n- Sencha green tea 100g *")
    assert "Total ¥5,160" in notice.text
    assert '<table class="items">' in notice.html and "Hi 見本 花子!" in notice.html
    assert attrs.evolve(notice, locale="ja").subject == "【ご注文確認】注文番号 1001"  # ja kept


def test_a_shops_html_template_keeps_its_markup_and_escapes_the_values() -> None:
    own = NoticeTemplates({("refund", "en", "html"): "<h1>{shop_name}</h1><b>{amount}</b>{items}"})
    notice = attrs.evolve(
        _sample_order(),
        kind="refund",
        locale="en",
        facts=(("amount", Money.yen(1080)),),
        templates=own,
        shop=ShopProfile(name="A & B <Tea>"),
    )
    assert notice.html.startswith("<h1>A &amp; B &lt;Tea&gt;</h1><b>¥1,080</b><table")


def test_the_shops_templates_come_from_its_settings() -> None:
    own = NoticeTemplates(
        {("order_confirmation", "ja", "subject"): "ご注文ありがとうございます ({number})"}
    )
    s = shop(settings=ShopSettings(auto_advance=False, notice_templates=own))
    place(s)
    assert s.notifier.sent[0].subject == "ご注文ありがとうございます (1001)"


@pytest.mark.parametrize(
    ("overrides", "field", "named"),
    [
        ({("shipping", "en", "text"): "{tracking}"}, "templates[shipping/en/text]", "tracking"),
        ({("refund", "ja", "subject"): "{total}"}, "templates[refund/ja/subject]", "total"),
        ({("refund", "en", "text"): "{amount!r}"}, "templates[refund/en/text]", "amount"),
        ({("refund", "en", "text"): "{amount.real}"}, "templates[refund/en/text]", "amount.real"),
        ({("refund", "en", "text"): "{amount"}, "templates[refund/en/text]", "str.format"),
        ({("nonsense", "en", "text"): "x"}, "templates: kind", "nonsense"),
        ({("refund", "fr", "text"): "x"}, "templates[refund]: locale", "fr"),
        ({("refund", "en", "pdf"): "x"}, "templates[refund/en]: format", "pdf"),
        ({("refund", "en", "text"): " "}, "templates[refund/en/text]", "non-empty"),
    ],
)
def test_a_bad_template_is_refused_when_configured(
    overrides: dict[tuple[str, str, str], str], field: str, named: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(notice_templates=NoticeTemplates(overrides))
    assert caught.value.field.startswith(field)
    assert named in str(caught.value)


def test_a_shop_profile_checks_its_fields() -> None:
    with pytest.raises(InvalidValue, match=r"name\[fr\]"):
        ShopProfile(name={"fr": "Boutique"})
    with pytest.raises(InvalidValue, match="support_email"):
        ShopProfile(support_email="not an address")
    with pytest.raises(InvalidValue, match=r"product_names\[TEA-1\]"):
        ShopProfile(product_names={"TEA-1": "Green tea"})
    assert ShopProfile(name="見本堂").shop_name("en") == "見本堂"
    assert SAMPLE_SHOP.shop_name("en") == "Mihondo Online Shop"


# -- HTML escaping and privacy ----------------------------------------------------------------


def test_html_escapes_what_the_shop_and_the_customer_wrote() -> None:
    s = shop()
    evil = OrderLine("L1", "TEA-1", "<script>alert(1)</script>", Money.yen(1000), 1)
    place(s, order_lines=[evil], customer=attrs.evolve(customer(), name="<b>Taro</b>"))
    notice = s.notifier.sent[0]
    assert "<script>" not in notice.html and "<b>Taro</b>" not in notice.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notice.html
    assert "&lt;b&gt;Taro&lt;/b&gt;" in notice.html
    assert "<script>alert(1)</script>" in notice.text  # plain text is shown as written


def test_the_repr_of_a_sent_notice_shows_no_address_or_email() -> None:
    notice = _sample_order()
    shown = repr(notice)
    for secret in ("hanako@example.jp", "1-2-3", "見本ハイツ101", "03-1234-5678", "0312345678"):
        assert secret not in shown
        assert secret in notice.text + notice.recipient or secret == "0312345678"
    assert "電話 03-1234-5678" in notice.text  # shown as the customer wrote it, not 0312345678
    assert "見本 花子" not in shown and "OrderSummary" not in shown
    assert "h***@example.jp" in shown
    assert "見本ハイツ101" not in repr(notice.order)


# -- the samples for the docs -----------------------------------------------------------------


def test_the_samples_show_three_notices_in_both_languages_with_real_values() -> None:
    text = markdown()
    for title in ("Order confirmation", "Shipping notice", "Refund notice"):
        assert text.count(f"### {title}") == 1
    assert text.count("**日本語**") == 3 and text.count("**English**") == 3
    for expected in (
        "【ご注文確認】注文番号 1001",
        "Order 1001: thank you for your order",
        "煎茶 100g ※  ￥1,080 × 2 = ￥2,160",
        "Sencha green tea 100g *  ¥1,080 × 2 = ¥2,160",
        "8%対象: ￥2,160 (内消費税 ￥160)",
        "Taxable at 10%: ¥3,000 (incl. tax ¥272)",
        "お問い合わせ伝票番号: 123456789013",
        "Tracking number: 123456789013",
        "ご注文 1001 につき ￥1,080 をご返金いたします",
        "We are refunding ¥1,080 for your order 1001",
        '```html\n<div class="orderflow-notice" lang="en">',
    ):
        assert expected in text


def test_the_catalogs_translate_every_template_and_label() -> None:
    from orderflow.i18n import _catalog

    ja, en = _catalog("ja"), _catalog("en")
    msgids = [m for pair in DEFAULTS.values() for m in pair]
    msgids += list(METHOD_NAMES.values())
    for msgid in msgids:
        assert msgid in en and msgid in ja, msgid
        assert set(re.findall(r"\{(\w+)\}", ja[msgid])) <= set(re.findall(r"\{(\w+)\}", msgid))
        if msgid != "Amazon Pay":
            assert ja[msgid] != msgid and JAPANESE.search(ja[msgid]), msgid


def test_amounts_in_facts_use_decimal_money() -> None:
    notice = Notice("refund", "1", "a@example.jp", "en", (("amount", Money.of(Decimal(5), "JPY")),))
    assert notice.subject == "Order 1: refund of ¥5"


@pytest.mark.parametrize("seed", range(12))
def test_every_notice_of_a_random_flow_renders_in_both_languages(seed: int) -> None:
    from tests.strategies import _flow

    flow = _flow(random.Random(seed), 40)
    sent = flow.shop.notifier.sent
    assert sent
    for notice in sent:
        assert notice.order is not None
        for locale in LOCALES:
            shown = attrs.evolve(notice, locale=locale)
            text, page = shown.text, shown.html
            assert "{" not in text and notice.order_number in shown.subject + text
            assert page.endswith("</div>")
            if locale == "en":
                given = [str(v) for k, v in notice.facts if k in _PROVIDERS]  # the bank's
                given += [v for k, v in notice.order.instructions if k in _PROVIDERS]
                for supplied in (*_SUPPLIED, *given, *(line.name for line in notice.order.lines)):
                    text = text.replace(supplied, "")
                assert JAPANESE.search(text) is None, JAPANESE.findall(text)


def test_a_refused_payment_is_told_in_the_notices_language() -> None:
    from orderflow.domain.payments.common import failure_reason

    reason = failure_reason()
    told = Notice("payment_failed", "1001", "a@example.jp", "ja", (("reason", reason),))
    assert "理由: 決済が承認されませんでした。" in told.text
    assert "Reason: The payment was not approved." in attrs.evolve(told, locale="en").text


@pytest.mark.parametrize(
    ("slot", "ja", "en"),
    [
        ("14-16", "2026年11月28日 14〜16時", "28 November 2026 14:00–16:00"),
        ("午前中", "2026年11月28日 午前中", "28 November 2026 Morning (before noon)"),
    ],
)
def test_the_delivery_asked_for_is_told_in_both_languages(slot: str, ja: str, en: str) -> None:
    from orderflow import OrderChange

    s = shop()
    place(s)
    s.desk.change("1001", OrderChange(delivery_date=date(2026, 11, 28), delivery_slot=slot))
    notice = s.notifier.sent[-1]
    assert notice.kind == "order_changed"
    assert "ご注文 1001 の内容を変更いたしました(変更箇所: お届け日時)。" in notice.text
    assert f"お届け希望日時: {ja}" in notice.text
    english = attrs.evolve(notice, locale="en").text
    assert "Your order 1001 has been changed: the delivery date and time." in english
    assert f"Delivery requested: {en}" in english


def test_the_change_notice_names_every_part_changed() -> None:
    notice = Notice(
        "order_changed", "1001", "a@example.jp", "en", (("changed", "items,address,payment"),)
    )
    assert "changed: the items, the delivery address, the payment method." in notice.text
    assert (
        "(変更箇所: 商品・数量、お届け先、お支払い方法)" in attrs.evolve(notice, locale="ja").text
    )

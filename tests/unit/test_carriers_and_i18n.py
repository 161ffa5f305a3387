from datetime import UTC, datetime

import pytest

from orderflow import Money, OrderStatus
from orderflow.adapters import JapanPost, Sagawa, Yamato
from orderflow.errors import InvalidValue
from orderflow.i18n import event_label, format_money, format_time, gettext, status_label
from orderflow.notices import Notice


def test_yamato_and_sagawa_use_the_mod7_check_digit() -> None:
    for carrier in (Yamato(), Sagawa()):
        assert carrier.validate_tracking_number("1234-5678-9013")
        assert not carrier.validate_tracking_number("1234-5678-9014")
        assert not carrier.validate_tracking_number("1234-5678-901")
    assert "123456789013" in Yamato().tracking_url("1234-5678-9013")
    assert Sagawa().tracking_url("123456789013").startswith("https://k2k.sagawa-exp.co.jp/")


def test_japan_post_domestic_and_international() -> None:
    post = JapanPost()
    assert post.validate_tracking_number("1311-2383-852")  # 書留: 10 digits + check digit
    assert post.validate_tracking_number("EE123456785JP")  # UPU S10
    assert not post.validate_tracking_number("EE123456784JP")


def test_every_status_has_both_labels() -> None:
    ja = [status_label(s, "ja") for s in OrderStatus]
    assert ja == [
        "受注",
        "未引当",
        "中途引当",
        "引当済",
        "出荷指示済",
        "出荷済",
        "着荷済",
        "計上済",
        "キャンセル",
    ]
    assert status_label(OrderStatus.SHIPPING_INSTRUCTED, "en") == "Shipping instructed"
    assert event_label("ship", "ja") == "出荷"
    assert gettext("Yamato Transport", "ja") == "ヤマト運輸"


def test_babel_formats_yen_and_tokyo_time() -> None:
    assert format_money(Money.yen(12345), "ja") == "￥12,345"
    assert format_money(Money.yen(12345), "en") == "¥12,345"
    moment = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    assert format_time(moment, "ja") == "2026年11月23日 0:30"
    assert format_time(moment, "en") == "23 November 2026, 00:30 (Japan Standard Time)"
    assert format_time(moment, "ja", "Europe/London") == "2026年11月22日 15:30 (Europe/London)"
    with pytest.raises(InvalidValue, match="locale"):
        format_money(Money.yen(1), "fr")


def test_notice_renders_in_its_language() -> None:
    facts = (
        ("name", "山田 太郎"),
        ("cancelled_at", datetime(2026, 11, 22, tzinfo=UTC)),
        ("reason", "x"),
    )
    ja = Notice("cancellation", "1001", "a@example.jp", "ja", facts)
    en = Notice("cancellation", "1001", "a@example.jp", "en", facts)
    assert ja.subject == "【キャンセル完了】注文番号 1001"
    assert "2026年11月22日 9:00" in ja.body  # the notice format is format_time's
    assert en.subject == "Order 1001 has been cancelled"
    with pytest.raises(InvalidValue, match="kind"):
        Notice("nonsense", "1001", "a@example.jp", "ja")


@pytest.mark.parametrize("carrier", [Yamato(), Sagawa(), JapanPost()], ids=lambda c: c.code)
@pytest.mark.parametrize(
    "given",
    [
        "123456789013",
        "1234-5678-9013",
        "1234 5678 9013",
        " 1234-5678-9013\n",
        "１２３４５６７８９０１３",  # full-width digits
        "１２３４－５６７８－９０１３",  # full-width digits and hyphens
        "１２３４　５６７８　９０１３",  # ideographic spaces
        "1234ー5678ー9013",  # the long vowel mark typed for a hyphen
        "1234‐5678−9013",  # hyphen and minus sign
        "1234 - 5678 - 9013",
    ],
)
def test_tracking_numbers_are_normalised(carrier: Yamato | Sagawa | JapanPost, given: str) -> None:
    assert carrier.normalize(given) == "123456789013"
    assert carrier.validate_tracking_number(given)
    assert "123456789013" in carrier.tracking_url(given)


@pytest.mark.parametrize("carrier", [Yamato(), Sagawa(), JapanPost()], ids=lambda c: c.code)
@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "-",
        "1234-5678-9014",  # wrong check digit
        "１２３４５６７８９０１４",
        "1234-5678-901",
        "-123456789013",
        "123456789013-",
        "1234.5678.9013",
        "1234/5678/9013",
        "1234_5678_9013",
        "1234\t5678\t9013",
        "123456789013a",
        "No.123456789013",
        "١٢٣٤٥٦٧٨٩٠١٣",  # Arabic-Indic digits are digits, but not a tracking number
        "12345678901３x",
        "ABCD-EFGH-IJKL",
    ],
)
def test_anything_else_is_refused(carrier: Yamato | Sagawa | JapanPost, given: str) -> None:
    assert carrier.normalize(given) is None
    assert not carrier.validate_tracking_number(given)


@pytest.mark.parametrize("carrier", [Yamato(), Sagawa(), JapanPost()], ids=lambda c: c.code)
def test_normalize_refuses_what_is_not_text(carrier: Yamato | Sagawa | JapanPost) -> None:
    for given in (None, 123456789013, b"123456789013"):
        assert carrier.normalize(given) is None  # type: ignore[arg-type]
        assert not carrier.validate_tracking_number(given)  # type: ignore[arg-type]
        with pytest.raises(InvalidValue) as refused:
            carrier.tracking_url(given)  # type: ignore[arg-type]
        assert refused.value.field == "tracking_number"


def test_yamato_and_sagawa_take_twelve_digits_only() -> None:
    for carrier in (Yamato(), Sagawa()):
        assert carrier.normalize("1311-2383-852") is None  # a Japan Post 書留 number
        assert carrier.normalize("EE123456785JP") is None


def test_japan_post_registered_mail_and_international_forms() -> None:
    post = JapanPost()
    assert post.normalize("１３１１－２３８３－８５２") == "13112383852"
    assert post.normalize("ＥＥ１２３４５６７８５ＪＰ") == "EE123456785JP"
    assert post.normalize("ee 123 456 785 jp") == "EE123456785JP"
    assert post.normalize("EE123456784JP") is None
    assert post.normalize("EE12345678JP") is None
    assert "EE123456785JP" in post.tracking_url("ＥＥ１２３４５６７８５ＪＰ")


def test_the_lenient_normalize_tracking_number_reads_full_width_forms() -> None:
    from orderflow.adapters.carriers import normalize_tracking_number

    assert normalize_tracking_number(" １２３４－５６７８\t9013 ") == "123456789013"
    assert normalize_tracking_number("ee 123-456-785 jp") == "EE123456785JP"
    assert normalize_tracking_number("garbage!") == "GARBAGE!"  # no check: see normalize()
    assert Yamato().tracking_url("not a number").endswith("NOTANUMBER")
    with pytest.raises(InvalidValue):
        normalize_tracking_number(123456789013)  # type: ignore[arg-type]


def test_every_kind_of_event_has_a_label_in_both_languages() -> None:
    from orderflow.domain import events
    from orderflow.i18n import event_label

    for name in events.__all__:
        kind = getattr(events, name)
        for locale in ("ja", "en"):
            assert event_label(kind.name, locale) != kind.name, (name, locale)
        assert event_label(kind.name, "ja") != event_label(kind.name, "en") or kind.name in (
            "placed",
        ), name


def test_a_time_past_the_calendar_in_the_zone_is_an_invalid_value() -> None:
    """datetime.max in UTC is already the year 10000 in Tokyo: it was an OverflowError."""
    latest = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    for locale in ("ja", "en"):
        with pytest.raises(InvalidValue, match="years 1 to 9999") as caught:
            format_time(latest, locale)
        assert caught.value.field == "moment"
    with pytest.raises(InvalidValue, match="America/New_York"):
        format_time(datetime(1, 1, 1, tzinfo=UTC), "en", "America/New_York")
    assert format_time(datetime(9999, 12, 31, 14, 59, tzinfo=UTC), "ja") == "9999年12月31日 23:59"
    notice = Notice("shipping", "1001", "taro@example.jp", "ja", (("shipped_at", latest),))
    for form in ("subject", "text", "html"):
        with pytest.raises(InvalidValue, match="years 1 to 9999"):
            getattr(notice, form)


def test_the_labels_and_formats_refuse_what_they_cannot_show() -> None:
    from orderflow import PaymentMethod
    from orderflow.i18n import method_label

    cases: list[tuple[str, object]] = [
        ("status", lambda: status_label("ordered", "ja")),  # type: ignore[arg-type]
        ("method", lambda: method_label("card", "ja")),  # type: ignore[arg-type]
        ("event", lambda: event_label(["ship"], "ja")),  # type: ignore[arg-type]
        ("msgid", lambda: gettext(None, "ja")),  # type: ignore[arg-type]
        ("money", lambda: format_money(1080, "ja")),  # type: ignore[arg-type]
        ("locale", lambda: format_money(Money.yen(1), None)),  # type: ignore[arg-type]
        ("locale", lambda: gettext("Ordered", 5)),  # type: ignore[arg-type]
        ("locale", lambda: format_time(datetime(2026, 1, 1, tzinfo=UTC), None)),  # type: ignore[arg-type]
    ]
    for field, call in cases:
        with pytest.raises(InvalidValue) as caught:
            call()  # type: ignore[operator]
        assert caught.value.field == field
    assert method_label(PaymentMethod.CARD, "en") == "Credit card"

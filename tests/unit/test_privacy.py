"""Personal data is never shown whole in a repr or an error message."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

import attrs
import pytest

import orderflow.errors as errors_module
from orderflow import Address, Customer, Money, Notice, Payment, PaymentMethod, ReturnReason
from orderflow._mask import (
    mask_email,
    mask_field,
    mask_name,
    mask_phone,
    mask_street,
    mask_token,
)
from orderflow.carrier_files import CarrierFileError
from orderflow.domain.changes import OrderChange
from orderflow.errors import (
    AdapterError,
    ChangeRefused,
    CodecError,
    ConcurrencyError,
    CurrencyMismatch,
    DepositTaken,
    DuplicateOrder,
    EffectInterrupted,
    EffectsPending,
    EmptyOrder,
    InvalidValue,
    KeyReused,
    MoveBlocked,
    MoveNotAllowed,
    OrderflowError,
    OrderNotFound,
    OutcomeUnknown,
    PaymentDeclined,
    PolicyRefused,
    ProviderError,
    ProviderTimeout,
    ReturnRefused,
    StoreError,
    UnknownSku,
)
from orderflow.zengin import ZenginError
from tests.builders import delivered, finish, lines, shop

EMAIL = "yamada.taro@example.jp"
PHONE = "090-3141-5926"
PHONE_FULL_WIDTH = "０９０－３１４１－５９２６"
LINE1 = "神宮前1-2-3"
LINE2 = "グランドハイツ101号室"
TOKEN = "tok_4f9a8b7c6d5e"
NAME = "山田 太郎"

SECRETS = [
    EMAIL,
    "yamada.taro",
    PHONE,
    PHONE_FULL_WIDTH,
    "09031415926",
    "3141-5926",
    LINE1,
    "1-2-3",
    LINE2,
    "グランドハイツ",
    TOKEN,
    "4f9a8b7c6d5e",
    NAME,
    "太郎",
]


def assert_no_secret(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"{leaked} shown in {text}"


def an_address() -> Address:
    return Address("150-0001", "東京都", "渋谷区", LINE1, NAME, PHONE_FULL_WIDTH, LINE2)


def a_customer() -> Customer:
    return Customer("C-77", NAME, EMAIL, an_address())


# The helpers.


def test_mask_email_keeps_the_first_letter_and_the_domain() -> None:
    assert mask_email("taro@example.jp") == "t***@example.jp"
    assert mask_email("no-at-sign") == "n***"
    assert mask_email("@example.jp") == "***@example.jp"


def test_mask_phone_keeps_the_area_code_and_the_last_four_digits() -> None:
    assert mask_phone("03-1234-5678") == "03-****-5678"
    assert mask_phone("0312345678") == "03-****-5678"
    assert mask_phone("090-1234-5678") == "090-****-5678"
    assert mask_phone(PHONE_FULL_WIDTH) == "090-****-5926"
    assert mask_phone("12-34") == "***"


def test_mask_street_token_and_name() -> None:
    assert mask_street(LINE1) == "***"
    assert mask_street("") == ""
    assert mask_token(TOKEN) == "tok_****"
    assert mask_token("ab") == "a****"
    assert mask_token("") == "****"
    assert mask_name(NAME) == "山***"
    assert mask_name("  ") == "  "


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("customer.email", EMAIL, "'y***@example.jp'"),
        ("ship_to.phone", PHONE, "'090-****-5926'"),
        ("phone", 9012345678, "<int 90-****-5678>"),
        ("phone", 1234, "<int ***>"),
        ("ship_to.line1", LINE1, "'***'"),
        ("line2", LINE2, "'***'"),
        ("token", TOKEN, "'tok_****'"),
        ("payment.token", None, "None"),
        ("customer.name", NAME, "'山***'"),
        ("振込依頼人名 (payer_name)", b"\xff\xfe", "'\ufffd***'"),
        ("kind", EMAIL, "'y***@example.jp'"),
        ("quantity", 3, "3"),
        ("sku", "TEA-1", "'TEA-1'"),
    ],
)
def test_mask_field_masks_by_the_field_name(field: str, value: object, shown: str) -> None:
    assert mask_field(field, value) == shown


# The values.


def test_address_repr_masks_street_phone_and_name() -> None:
    address = an_address()
    text = repr(address)
    assert_no_secret(text)
    assert "渋谷区" in text and "150" in text and "090-****-5926" in text
    assert address.phone == "09031415926" and address.line1 == LINE1  # the values are whole


def test_customer_repr_masks_email_name_and_address() -> None:
    text = repr(a_customer())
    assert_no_secret(text)
    assert "y***@example.jp" in text and "C-77" in text


def test_payment_repr_masks_the_token() -> None:
    payment = Payment(PaymentMethod.CARD, "JPY", TOKEN)
    assert_no_secret(repr(payment))
    assert "tok_****" in repr(payment)
    assert payment.token == TOKEN


def test_order_change_repr_masks_token_and_ship_to() -> None:
    change = OrderChange(ship_to=an_address(), payment_method=PaymentMethod.CARD, token=TOKEN)
    assert_no_secret(repr(change))


def test_notice_repr_masks_the_recipient_and_the_name() -> None:
    notice = Notice(
        "payment_received",
        "1001",
        EMAIL,
        "ja",
        (("name", NAME), ("carrier", "yamato"), ("total", Money.yen(1000))),
    )
    text = repr(notice)
    assert_no_secret(text)
    assert "'carrier', 'yamato'" in text and "Money" in text
    assert NAME in notice.body  # the message itself still names the customer


def test_an_order_through_its_whole_life_never_shows_personal_data() -> None:
    s = shop()
    s.desk.place(
        number="1001",
        customer=a_customer(),
        ship_to=an_address(),
        lines=lines(),
        token=TOKEN,
        shipping_fee=Money.yen(880),
    )
    s.desk.accept("1001")
    s.desk.allocate("1001")
    order = finish(s, "1001")
    assert order.payment.token == TOKEN
    assert_no_secret(repr(order))
    assert s.notifier.sent
    assert_no_secret(repr(s.notifier.sent))


# The errors.


def test_invalid_personal_values_are_masked_in_the_message() -> None:
    with pytest.raises(InvalidValue) as bad_email:
        Customer("C-77", NAME, EMAIL.replace("@", "＠"))
    with pytest.raises(InvalidValue) as bad_phone:
        Address("150-0001", "東京都", "渋谷区", LINE1, NAME, PHONE + "9")
    for caught in (bad_email, bad_phone):
        assert_no_secret(str(caught.value))
        assert_no_secret(repr(caught.value))
    assert str(bad_phone.value).startswith("phone: expected 10 or 11 digits")
    assert "such as a@example.jp, got 'y***'" in str(bad_email.value)  # the hint stays readable
    assert bad_phone.value.value == PHONE + "9"  # the attribute keeps what was given


def every_error() -> list[OrderflowError]:
    """Each error of errors.py, built with real-looking data wherever it takes any."""
    return [
        OrderflowError(f"could not reach {EMAIL}"),
        InvalidValue("customer.email", EMAIL, "an e-mail address"),
        InvalidValue("ship_to.phone", PHONE, "a phone number"),
        InvalidValue("ship_to.line1", LINE1, "a street"),
        InvalidValue("line2", LINE2, "a building"),
        InvalidValue("token", TOKEN, "a card token"),
        InvalidValue("customer.name", NAME, "a name"),
        InvalidValue("customer", a_customer(), "a customer"),
        InvalidValue("ship_to", an_address(), "an address"),
        ZenginError(3, "振込依頼人名 (payer_name)", NAME, "Shift_JIS text"),
        CarrierFileError(2, 16, "お届け先名 (ship_to.name)", NAME, "at most 32 CP932 bytes"),
        CarrierFileError(2, 9, "お届け先電話番号 (ship_to.phone)", PHONE, "15 characters"),
        CarrierFileError(2, 12, "お届け先住所 (ship_to.street)", LINE1, "64 bytes"),
        CarrierFileError(2, 13, "お届け先アパートマンション名 (ship_to.line2)", LINE2, "32 bytes"),
        CurrencyMismatch("lines[0].unit_price", "JPY", "USD"),
        EmptyOrder(),
        UnknownSku("lines[0].sku", "TEA-9"),
        DepositTaken("R-20261122-0001", "1001"),
        MoveNotAllowed("1001", "shipped", "cancel", ["deliver"]),
        MoveBlocked("1001", "ordered", "accept", ["accept"], f"hold for {EMAIL}"),
        PolicyRefused("1001", "cancel", "customer", "web", "shipped", "nothing"),
        ChangeRefused("1001", "customer", "web", "shipped", "nothing"),
        ReturnRefused("1001", "days", f"asked by {EMAIL}"),
        OrderNotFound("1001"),
        DuplicateOrder("1001"),
        ConcurrencyError("1001", 3, 4),
        ProviderError(f"gateway refused the card of {EMAIL}"),
        PaymentDeclined(f"card of {EMAIL} refused"),
        ProviderTimeout(f"no answer for {EMAIL}"),
        KeyReused(f"key 1001:7 was first used for the card of {EMAIL}", key="1001:7"),
        OutcomeUnknown("1001", "authorize", "1001:authorize"),
        EffectInterrupted("1001", "authorize", "1001:3"),
        EffectsPending("1001", "post_journal"),
        CodecError("customer.email", EMAIL, "an e-mail address"),
        CodecError("ship_to.phone", PHONE, "10 or 11 digits"),
        StoreError(f"could not save the order of {EMAIL}"),
        AdapterError("mailer", "orderflow-mailer", f"cannot load: no account for {EMAIL}"),
    ]


def test_every_error_class_is_covered() -> None:
    built = {type(error) for error in every_error()}
    defined = {
        cls
        for _, cls in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(cls, OrderflowError)
    }
    assert defined <= built


@pytest.mark.parametrize("error", every_error(), ids=lambda e: type(e).__name__)
def test_no_error_shows_personal_data(error: OrderflowError) -> None:
    assert_no_secret(str(error))
    assert_no_secret(repr(error))
    assert str(error)


def test_the_fake_gateway_does_not_show_a_token_when_a_key_is_reused() -> None:
    from orderflow.testing import FakePaymentGateway

    gateway = FakePaymentGateway()
    gateway.authorize(key="1001:authorize", order_number="1001", amount=Money.yen(1), token=TOKEN)
    with pytest.raises(ProviderError) as reused:
        gateway.authorize(
            key="1001:authorize", order_number="1001", amount=Money.yen(2), token=TOKEN
        )
    assert "tok_****" in str(reused.value)
    assert_no_secret(str(reused.value))
    assert_no_secret(repr(reused.value))


def test_an_orders_repr_masks_what_people_wrote_in_it() -> None:
    """Remarks, a hold's message, a command's reason and a deposit's payer: free text."""
    from datetime import date

    from orderflow import Deposit

    s = shop()
    order = s.desk.place(
        number="1001",
        customer=a_customer(),
        ship_to=an_address(),
        lines=lines(),
        payment_method=PaymentMethod.BANK_TRANSFER,
        remarks=f"不在時は {PHONE} か {EMAIL} へ",
    )
    s.desk.raise_hold("1001", "check", f"{PHONE_FULL_WIDTH} に確認する", message_en=EMAIL)
    s.desk.apply_deposit(
        "1001", Deposit("101-0000009", Money.yen(1000), NAME, date(2026, 11, 22), "R1")
    )
    s.desk.cancel("1001", reason=f"電話 {PHONE} にて取消")
    order = s.desk.get("1001")
    assert order.remarks.count(PHONE) == 1  # the value is whole
    text = repr(order)
    assert_no_secret(text)
    assert "090-****-5926" in text and "y***@example.jp" in text


def test_a_deposit_payer_s_name_is_masked_in_romaji_too() -> None:
    from datetime import date

    from orderflow import Deposit

    s = shop()
    s.desk.place(
        number="1001",
        customer=a_customer(),
        ship_to=an_address(),
        lines=lines(),
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    deposit = Deposit("101-0000009", Money.yen(1000), "YAMADA TARO", date(2026, 11, 22), "R1")
    assert "YAMADA" not in repr(deposit)
    order = s.desk.apply_deposit("1001", deposit)
    assert "YAMADA" not in repr(order) and "TARO" not in repr(order)
    assert order.payment.ledger[-1].detail == "YAMADA TARO"  # the value is whole


def test_a_command_s_context_and_a_provider_s_refusal_mask_what_they_quote() -> None:
    from datetime import UTC, datetime

    from orderflow.domain.effects import Refused
    from orderflow.domain.lifecycle import Context

    assert_no_secret(repr(Context(datetime.now(UTC), "operator", f"電話 {PHONE} / {EMAIL}")))
    assert_no_secret(repr(Refused("declined", f"the card of {EMAIL}, {PHONE}")))


def place_refused(remarks: str) -> InvalidValue:
    """What placing an order with ``remarks`` is refused with (nothing is stored or called)."""
    s = shop()
    with pytest.raises(InvalidValue) as refused:
        s.desk.place(
            number="1001",
            customer=a_customer(),
            ship_to=an_address(),
            lines=lines(),
            token="tok",
            remarks=remarks,
        )
    assert s.store.orders == {} and not s.gateway.calls
    return refused.value


def test_an_over_long_free_text_is_masked_and_cut_in_the_error() -> None:
    remarks = f"不在時は {PHONE} か {EMAIL} へ。" + "よろしく" * 600
    refused = place_refused(remarks)
    message = str(refused)
    assert_no_secret(message)
    assert len(message) < 300 and f"({len(remarks)} characters)" in message
    assert "090-****-5926" in message  # masked where it stood
    assert refused.value == remarks  # the attribute keeps what was given


@pytest.mark.parametrize(
    "given",
    [
        {"line1": LINE1, "phone": PHONE, "name": NAME},
        (NAME, EMAIL, PHONE),
        [LINE2],
        {EMAIL},
    ],
    ids=["dict", "tuple", "list", "set"],
)
def test_a_container_given_for_a_value_is_shown_by_its_type_only(given: Any) -> None:
    s = shop()
    with pytest.raises(InvalidValue) as refused:
        s.desk.place(
            number="1001", customer=a_customer(), ship_to=given, lines=lines(), token="tok"
        )
    assert_no_secret(str(refused.value))
    assert f"got <{type(given).__name__} of {len(given)}>" in str(refused.value)
    assert s.store.orders == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("line1", "1-2-3\udcff"),
        ("line2", None),
        ("line2", "\ud800"),
        ("line2", "2F\x00"),  # NUL: PostgreSQL cannot store it
        ("line2", "x" * 201),
        ("name", "山\udcff"),
        ("city", "渋谷区" * 100),
    ],
)
def test_an_address_refuses_what_no_label_or_database_can_take(field: str, value: object) -> None:
    parts: dict[str, object] = {
        "postal_code": "150-0001",
        "prefecture": "東京都",
        "city": "渋谷区",
        "line1": LINE1,
        "name": NAME,
        "phone": PHONE,
        "line2": "",
    }
    parts[field] = value
    with pytest.raises(InvalidValue) as refused:
        Address(**parts)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert_no_secret(str(refused.value))


def test_a_customer_refuses_an_address_that_is_not_one_and_hides_it() -> None:
    with pytest.raises(InvalidValue) as refused:
        Customer("C1", NAME, EMAIL, address=f"東京都渋谷区{LINE1}")  # type: ignore[arg-type]
    assert refused.value.field == "customer.address"
    assert_no_secret(str(refused.value))
    with pytest.raises(InvalidValue):
        Customer("C1", NAME, "taro\udcff@example.jp")


def test_a_command_refuses_text_no_database_can_store_and_changes_nothing() -> None:
    assert place_refused("置き配\udcff").field == "remarks"


def test_amounts_and_dates_are_shown_as_they_are_in_an_error() -> None:
    """A ten-digit amount is not a phone number: the operator must see what is wrong."""
    amount = ZenginError(2, "金額 (amount)", "0000000000", "an amount above zero")
    booked = ZenginError(2, "勘定日 (booked_on)", "081340", "a date YYMMDD")
    assert str(amount).endswith("got '0000000000'")
    assert str(booked).endswith("got '081340'")
    phone = InvalidValue("remarks", "0312345678", "a text")  # a free text still hides a phone
    assert "0312345678" not in str(phone)


def test_references_and_numbers_are_shown_whole_and_an_address_as_text_hidden() -> None:
    reference = "0009-101-1234567-081124-000123"  # ends like a phone number cut short
    assert str(DepositTaken(reference, "2001")).endswith(f"got {reference!r}")
    assert str(InvalidValue("tracking_number", "0123456789", "x")).endswith("got '0123456789'")
    as_text = f"東京都渋谷区{LINE1} {LINE2} {NAME} {PHONE}"
    for field, value in (("ship_to", as_text), ("change.ship_to", as_text), ("customer", NAME)):
        assert_no_secret(str(InvalidValue(field, value, "a value")))


def test_a_returns_refund_account_is_hidden_in_the_orders_repr() -> None:
    s = shop()
    delivered(s)
    account = f"三井住友銀行 渋谷支店 普通 7654321 {NAME} {PHONE}"
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE, refund_account=account)
    shown = repr(s.desk.get("1001"))
    assert "7654321" not in shown and "三井住友" not in shown
    assert_no_secret(shown)


def test_the_formatters_and_a_delivery_note_keep_to_the_promises() -> None:
    from orderflow import codec
    from orderflow.notices import format_amount, format_day, format_phone
    from orderflow.papers import DeliveryNote

    for call, field in (
        (lambda: format_amount(1234, "ja"), "money"),  # type: ignore[arg-type]
        (lambda: format_phone(None), "phone"),  # type: ignore[arg-type]
        (lambda: format_day("2026", "en"), "day"),  # type: ignore[arg-type]
        (lambda: format_day(date(2026, 11, 22), None), "locale"),  # type: ignore[arg-type]
        (lambda: codec.register_migration(0, "not a function"), "upgrade"),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidValue) as refused:
            call()
        assert refused.value.field == field
    recipient = next(f for f in attrs.fields(DeliveryNote) if f.name == "recipient")
    assert recipient.repr is not True and recipient.repr(NAME) == "'山***'"  # type: ignore[operator]


@pytest.mark.parametrize("field", ["name", "email"])
def test_a_customer_refuses_a_nul_no_database_can_store(field: str) -> None:
    parts = {"id": "C1", "name": NAME, "email": "taro@example.jp"}
    parts[field] = parts[field][:2] + "\x00" + parts[field][2:]
    with pytest.raises(InvalidValue) as refused:
        Customer(**parts)  # type: ignore[arg-type]
    assert refused.value.field == f"customer.{field}"
    assert_no_secret(str(refused.value))


def test_a_free_text_with_a_nul_is_refused_naming_its_field() -> None:
    s = shop()
    with pytest.raises(InvalidValue) as refused:
        s.desk.place(
            number="1001",
            customer=a_customer(),
            ship_to=an_address(),
            lines=lines(),
            token="tok",
            remarks="置き配\x00希望",
        )
    assert refused.value.field == "remarks" and "NUL" in str(refused.value)
    assert s.store.orders == {}


@pytest.mark.parametrize(
    "error",
    [
        OrderflowError(f"could not reach the customer at {PHONE}"),
        ProviderError(f"postpay: no answer on {PHONE}"),
        PaymentDeclined(f"電話 {PHONE_FULL_WIDTH} に連絡がつきません", code="unreachable"),
        ProviderTimeout(f"no answer for (03) 3141-5926 or {PHONE}"),
        KeyReused(f"key 1001:7 was first used for {PHONE}", key="1001:7"),
        StoreError(f"duplicate key (phone)=({PHONE})"),
        AdapterError("sms", "orderflow-sms", f"cannot load: test number {PHONE}"),
        ReturnRefused("1001", "days", f"asked by phone {PHONE}"),
        MoveBlocked("1001", "ordered", "accept", ["accept"], f"call {PHONE} first"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_phone_number_in_an_errors_free_text_is_masked(error: OrderflowError) -> None:
    assert_no_secret(str(error))
    assert_no_secret(repr(error))
    assert "-****-5926" in str(error)


def test_an_order_number_like_a_phone_number_is_shown_whole() -> None:
    """A zero-padded order number is no phone number: errors written by orderflow show it."""
    number = "0000012345"
    for error in (
        MoveNotAllowed(number, "shipped", "cancel", []),
        OrderNotFound(number),
        ConcurrencyError(number, 1, 2),
        OutcomeUnknown(number, "authorize", f"{number}:authorize"),
        MoveBlocked(number, "ordered", "accept", ["accept"], "open holds: remarks"),
    ):
        assert number in str(error) and number in repr(error)


def test_a_providers_or_carriers_free_text_is_masked_in_the_values_repr() -> None:
    from datetime import UTC, datetime

    from orderflow import (
        CarrierEvent,
        CreditDecision,
        CreditStatus,
        FraudResult,
        FraudVerdict,
        TrackingStatus,
    )

    words = f"不在: {PHONE} / {EMAIL}"
    event = CarrierEvent(
        "yamato", "1234-5678-9013", TrackingStatus.ABSENT, datetime.now(UTC), "E1", detail=words
    )
    for value in (
        event,
        CreditDecision(CreditStatus.DECLINED, "NP-1", f"no answer at {PHONE}, {EMAIL}"),
        FraudResult(FraudVerdict.REVIEW, f"{EMAIL} seen on three cards; {PHONE_FULL_WIDTH}"),
    ):
        shown = repr(value)
        for secret in (EMAIL, "yamada.taro", PHONE, PHONE_FULL_WIDTH, "3141-5926"):
            assert secret not in shown, shown
        assert "-****-5926" in shown
    assert event.detail == words  # the value is whole


def test_a_fakes_record_of_calls_does_not_show_a_card_token() -> None:
    """``assert gateway.calls == [...]`` prints the calls when it fails: the token is masked."""
    from orderflow.testing import Call, FakePaymentGateway

    gateway = FakePaymentGateway()
    gateway.authorize(key="1001:authorize", order_number="1001", amount=Money.yen(1), token=TOKEN)
    (call,) = gateway.calls
    assert_no_secret(repr(call))
    assert_no_secret(repr(gateway.calls))
    assert "tok_****" in repr(call) and "'1001:authorize'" in repr(call)
    assert call.request[2] == TOKEN  # the value is whole
    assert call == Call("authorize", "1001:authorize", ("1001", Money.yen(1), TOKEN))

import pytest

from orderflow import Address, Customer, Prefecture
from orderflow.domain.address import normalize_phone, normalize_postal_code
from orderflow.errors import InvalidValue


@pytest.mark.parametrize(
    "raw", ["123-4567", "1234567", "〒123-4567", "１２３－４５６７", " 123-4567 "]
)
def test_postal_codes_are_normalised(raw: str) -> None:
    assert normalize_postal_code(raw) == "1234567"


@pytest.mark.parametrize(
    "raw",
    [
        "123\u20104567",  # ‐ hyphen
        "123\u20114567",  # ‑ non-breaking hyphen
        "123\u20134567",  # – en dash
        "123\u20154567",  # ― horizontal bar
        "123\u22124567",  # − minus sign
        "123ー4567",
        "〒１２３\u2010４５６７",
        "〒123\u20154567",
    ],
)
def test_postal_codes_with_other_dashes(raw: str) -> None:
    assert normalize_postal_code(raw) == "1234567"


@pytest.mark.parametrize(
    "raw",
    [
        "123-456",
        "12-34567",
        "abc-defg",
        "1234-567",
        "",
        "12345678",
        "1234\u2010567",
        "12\u201334567",
    ],
)
def test_malformed_postal_codes(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_postal_code(raw)
    assert caught.value.field == "postal_code"
    assert "7 digits" in str(caught.value)


def test_prefectures() -> None:
    assert len(Prefecture) == 47
    assert Prefecture.parse("東京都") is Prefecture.TOKYO
    assert Prefecture.parse("東京") is Prefecture.TOKYO
    assert Prefecture.parse("tokyo") is Prefecture.TOKYO
    assert Prefecture.parse(47) is Prefecture.OKINAWA
    assert Prefecture.parse("北海道").ja == "北海道"
    assert Prefecture.parse("京都府") is Prefecture.KYOTO
    with pytest.raises(InvalidValue, match="47 prefectures"):
        Prefecture.parse("東京県")


def test_address_normalises_and_validates() -> None:
    address = Address("〒150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
    assert address.postal_code == "1500001"
    assert address.prefecture is Prefecture.TOKYO
    assert address.phone == "0312345678"
    assert address.one_line().startswith("〒150-0001 東京都 渋谷区神宮前")
    with pytest.raises(InvalidValue, match="city"):
        Address("150-0001", "東京都", " ", "1-2-3", "山田", "03-1234-5678")


def test_phone() -> None:
    assert normalize_phone("090-1234-5678") == "09012345678"
    with pytest.raises(InvalidValue, match="phone"):
        normalize_phone("12345")


def test_customer_email() -> None:
    with pytest.raises(InvalidValue, match="email"):
        Customer("C1", "山田", "not-an-email")

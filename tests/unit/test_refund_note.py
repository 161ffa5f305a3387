"""The 適格返還請求書 of a goodwill refund (返金, 売上値引): the note and the books agree."""

import io
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from orderflow import (
    AccountMap,
    JournalEntry,
    Money,
    OrderLine,
    PaymentMethod,
    ShopSettings,
    Side,
    TaxRate,
    TaxRule,
    goodwill_entry,
    goodwill_share,
)
from orderflow.domain.booking import AmountForm
from orderflow.domain.events import GoodwillRefunded
from orderflow.domain.lifecycle import record_fact
from orderflow.errors import InvalidValue, OutcomeUnknown, PaymentDeclined
from orderflow.i18n import format_money
from orderflow.papers import Issuer, RefundLine, RefundNote, refund_note, render_pdf, to_csv
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, Fault
from tests.builders import CTX, card_order, delivered, shop

ISSUER = Issuer("お茶の山田", "T7000012050002", "東京都渋谷区神宮前1-2-3", "03-1234-5678")
DAY = date(2026, 12, 1)


def _refunded(*amounts: int, accounts: AccountMap | None = None) -> FakeShop:
    """Order 1001 delivered and booked, then one goodwill refund a day per amount."""
    settings = ShopSettings(auto_advance=False, accounts=accounts or AccountMap())
    s = shop(settings=settings)
    delivered(s)
    s.desk.book("1001")
    for i, amount in enumerate(amounts):
        s.clock.advance(timedelta(days=1))
        s.desk.refund("1001", Money.yen(amount), reason="箱つぶれのお詫び", request_id=f"rq-{i}")
    return s


def _entry(s: FakeShop, refund_id: str) -> JournalEntry:
    [entry] = [e for _, e in s.accounting.entries if e.reference == f"1001/{refund_id}"]
    return entry


def _per_rate(entry: JournalEntry, accounts: AccountMap) -> dict[TaxRate, tuple[Money, Money]]:
    """What a 売上値引 entry takes off each rate: the amount with tax, and the tax."""
    rates = {category: rate for rate, category in accounts.tax_categories.items()}
    out: dict[TaxRate, tuple[Money, Money]] = {}
    for line in entry.lines:
        if line.side is not Side.DEBIT:
            continue
        rate = rates[line.tax_category]
        amount, tax = out.get(rate, (Money.yen(0), Money.yen(0)))
        if accounts.amounts is AmountForm.GROSS:
            assert line.tax_amount is not None
            out[rate] = (amount + line.amount, tax + line.tax_amount)
        elif line.account == accounts.tax_payable:
            out[rate] = (amount + line.amount, tax + line.amount)
        else:
            out[rate] = (amount + line.amount, tax)
    return out


@pytest.mark.parametrize("accounts", [AccountMap(), AccountMap.yayoi()], ids=["net", "gross"])
def test_the_note_carries_per_rate_what_the_reduction_entry_takes_off(
    accounts: AccountMap,
) -> None:
    s = _refunded(1000, accounts=accounts)
    order = s.desk.get("1001")
    note = refund_note(order, "G1", ISSUER, DAY)
    assert isinstance(note, RefundNote)
    per_rate = {line.rate: (line.amount, line.tax) for line in note.refunds}
    assert per_rate == _per_rate(_entry(s, "G1"), accounts)  # to the yen, rate by rate
    assert [line.rate for line in note.refunds] == [TaxRate.STANDARD, TaxRate.REDUCED]
    assert note.refunded == note.paid_back == Money.yen(1000)
    assert note.order_number == "1001" and note.refund_id == "G1"
    assert note.sold_on == date(2026, 11, 22) and note.refunded_on == date(2026, 11, 23)
    assert note.refunded_on == _entry(s, "G1").date  # the day the books take it off
    assert note.reason == "箱つぶれのお詫び"
    assert [(i.line_id, i.quantity, i.mark) for i in note.items] == [
        ("L1", 2, "※"),
        ("L2", 1, ""),
        ("L3", 1, "※"),
    ]
    assert note.has_reduced and not note.required


def test_each_refund_of_an_order_has_its_own_note() -> None:
    s = _refunded(1000, 300)
    order = s.desk.get("1001")
    first, second = (refund_note(order, key, ISSUER, DAY) for key in ("G1", "G2"))
    assert (first.refund_id, first.paid_back) == ("G1", Money.yen(1000))
    assert (second.refund_id, second.paid_back) == ("G2", Money.yen(300))
    assert second.refunded_on == first.refunded_on + timedelta(days=1)
    for note in (first, second):
        per_rate = {line.rate: (line.amount, line.tax) for line in note.refunds}
        assert per_rate == _per_rate(_entry(s, note.refund_id), AccountMap())


def test_a_refund_of_the_shipping_fee_is_the_standard_rates_alone() -> None:
    s = _refunded()
    s.desk.refund("1001", Money.yen(880), reason="送料返金", rate=TaxRate.STANDARD)
    note = refund_note(s.desk.get("1001"), "G1", ISSUER, DAY)
    assert note.refunds == (RefundLine(TaxRate.STANDARD, Money.yen(880), Money.yen(80)),)


def test_a_refund_of_ten_thousand_yen_or_more_must_be_handed_over() -> None:
    small = refund_note(_refunded(1000).desk.get("1001"), "G1", ISSUER, DAY)
    assert not small.required
    ten = RefundLine(TaxRate.STANDARD, Money.yen(10_000), Money.yen(909))
    assert attrs.evolve(small, refunds=(ten,)).required
    nine = RefundLine(TaxRate.STANDARD, Money.yen(9_999), Money.yen(909))
    assert not attrs.evolve(small, refunds=(nine,)).required


def test_the_repr_hides_the_customer_and_contacts_in_the_reason() -> None:
    s = _refunded()
    s.desk.refund("1001", Money.yen(500), reason="山田様 090-1111-2222 へ連絡済み")
    shown = repr(refund_note(s.desk.get("1001"), "G1", ISSUER, DAY))
    assert "山田 太郎" not in shown and "'山***'" in shown
    assert "1111" not in shown and "090-****-2222" in shown


def test_an_unknown_refund_or_an_order_without_one_has_no_note() -> None:
    s = _refunded()
    order = s.desk.get("1001")
    with pytest.raises(InvalidValue) as caught:
        refund_note(order, "G1", ISSUER, DAY)
    assert caught.value.field == "refund_id" and "no goodwill refund" in str(caught.value)
    s.desk.refund("1001", Money.yen(500), reason="お詫び")
    order = s.desk.get("1001")
    for refund_id in ("G2", "R1", 1, None):
        with pytest.raises(InvalidValue) as caught:
            refund_note(order, refund_id, ISSUER, DAY)  # type: ignore[arg-type]
        assert caught.value.field == "refund_id" and "'G1'" in str(caught.value)


def test_a_postpay_refund_not_yet_paid_or_refused_has_no_note() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.postpay.fail_next("register", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):  # the provider's answer is not in yet
        s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    with pytest.raises(InvalidValue) as caught:
        refund_note(s.desk.get("1001"), "G1", ISSUER, DAY)
    assert caught.value.field == "refund_id" and "waits" in str(caught.value)
    s.desk.resume_pending()  # the provider agrees: the money moved
    assert refund_note(s.desk.get("1001"), "G1", ISSUER, DAY).paid_back == Money.yen(1000)
    s.postpay.decisions["C1"] = CreditStatus.DECLINED
    with pytest.raises(PaymentDeclined):
        s.desk.refund("1001", Money.yen(500), reason="お詫び")
    with pytest.raises(InvalidValue) as caught:
        refund_note(s.desk.get("1001"), "G2", ISSUER, DAY)
    assert caught.value.field == "refund_id" and "refused" in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"order": "1001"}, "order"),
        ({"issuer": "shop"}, "issuer"),
        ({"issued_on": "2026-12-01"}, "issued_on"),
        ({"zone": "X"}, "zone"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "order": _refunded(1000).desk.get("1001"),
        "refund_id": "G1",
        "issuer": ISSUER,
        "issued_on": DAY,
    }
    args.update(kwargs)
    with pytest.raises(InvalidValue) as caught:
        refund_note(**args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_note_as_csv_and_as_pdf() -> None:
    note = refund_note(_refunded(1000).desk.get("1001"), "G1", ISSUER, DAY)
    rows = [row.split(",") for row in to_csv(note).strip().splitlines()]
    assert rows[0][:6] == ["受注番号", "返金番号", "発行日", "登録番号", "売上日", "返金日"]
    assert rows[1][:6] == ["1001", "G1", "2026-12-01", "T7000012050002", "2026-11-22", "2026-11-23"]
    kinds = [row[6] for row in rows[1:]]
    assert kinds == ["返金理由", *["対象商品"] * 3, *["税率別返還額"] * 2, "返金額"]
    assert rows[1][8] == "箱つぶれのお詫び"
    assert [(r[10], r[13], r[14]) for r in rows[5:7]] == [
        (str(line.rate.percent), str(line.amount.amount), str(line.tax.amount))
        for line in note.refunds
    ]
    assert rows[-1][13] == "1000"
    english = to_csv(note, locale="en").splitlines()
    assert english[0].startswith("order_number,refund_id,issued_on,registration_number,sold_on,")
    assert "refunded_on" in english[0] and ",reason," in english[1]
    page = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(note))).pages)
    assert "適格返還請求書" in page and "T7000012050002" in page and "返金番号 G1" in page
    assert "2026年11月22日" in page and "2026年11月23日" in page  # sold, refunded
    assert "箱つぶれのお詫び" in page and "※" in page
    for line in note.refunds:
        assert format_money(line.amount, "ja") in page and format_money(line.tax, "ja") in page


_LINES = st.lists(
    st.tuples(st.integers(1, 30_000), st.integers(1, 3), st.sampled_from(list(TaxRate))),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(_LINES, st.integers(0, 2_000), st.lists(st.integers(1, 100), min_size=1, max_size=5))
def test_each_note_adds_up_to_its_refund_and_carries_the_entrys_tax(
    lines: list[tuple[int, int, TaxRate]], shipping: int, parts: list[int]
) -> None:
    """Refunds of whatever size, in turn: each note's rates add up to what it paid back, are the
    entry's to the yen, and each rate's tax is the whole-number tax of its amount rounded down
    or up (no more: what stays of the rate must carry its own); together the notes of refunds
    taking back the whole sale carry each rate's tax exactly."""
    order = card_order(
        [
            OrderLine(f"L{i}", f"SKU-{i}", "品", Money.yen(price), units, rate)
            for i, (price, units, rate) in enumerate(lines)
        ],
        shipping=shipping,
    )
    rule = TaxRule()
    sale = order.totals(rule)
    left = sale.total.minor_units
    accounts = AccountMap()
    notes = []
    for i, part in enumerate(parts):
        amount = left if i == len(parts) - 1 else min(left, sale.total.minor_units * part // 300)
        if amount <= 0:
            continue
        left -= amount
        shares = goodwill_share(order, Money.yen(amount), rule)
        fields = {"refund_id": f"G{i + 1}", "amount": str(Money.yen(amount)), "rates": shares}
        order, _ = record_fact(order, CTX, GoodwillRefunded, fields=fields)
        note = refund_note(order, f"G{i + 1}", ISSUER, DAY)
        assert note.refunded == Money.yen(amount)
        entry = goodwill_entry(order, note.refund_id, shares, accounts, DAY)
        assert {r.rate: (r.amount, r.tax) for r in note.refunds} == _per_rate(entry, accounts)
        for r in note.refunds:
            whole, percent = int(r.amount.amount), r.rate.percent
            assert whole * percent // (100 + percent) <= r.tax.amount
            assert r.tax.amount <= -(-whole * percent // (100 + percent))
        notes.append(note)
    for line in sale.tax.lines:
        taxes = [r.tax for note in notes for r in note.refunds if r.rate is line.rate]
        assert Money.total(taxes, "JPY") == line.tax

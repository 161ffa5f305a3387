"""The 適格返還請求書 of a refunded return: the note and the books agree to the yen."""

import io
from datetime import date, timedelta

import attrs
import pytest
from pypdf import PdfReader

from orderflow import Disposition, Money, ReturnReason, TaxRate
from orderflow.errors import InvalidValue
from orderflow.papers import Issuer, RefundLine, render_pdf, return_note, to_csv
from orderflow.testing import FakeShop
from tests.builders import delivered, shop

ISSUER = Issuer("お茶の山田", "T7000012050002", "東京都渋谷区神宮前1-2-3", "03-1234-5678")
DAY = date(2026, 12, 1)


def _returned(lines: dict[str, int], reason: ReturnReason = ReturnReason.DEFECTIVE) -> FakeShop:
    s = shop()
    delivered(s)
    s.clock.advance(timedelta(days=2))
    s.desk.request_return("1001", lines, reason)
    back = [Disposition(line_id, units, "TOKYO") for line_id, units in lines.items()]
    s.desk.receive_return("1001", "R1", back)
    return s


def test_the_note_carries_the_refund_per_rate_the_books_reverse() -> None:
    s = _returned({"L1": 2, "L2": 1})
    order = s.desk.get("1001")
    note = return_note(order, "R1", ISSUER, DAY)
    ret = order.returns[0]
    assert [(r.rate, r.amount, r.tax) for r in note.refunds] == sorted(
        ret.refund, key=lambda r: -r[0].percent
    )
    assert note.paid_back == ret.paid_back
    assert note.refunded - note.fee == note.paid_back
    assert [(i.line_id, i.quantity, i.rate) for i in note.items] == [
        ("L1", 2, TaxRate.REDUCED),
        ("L2", 1, TaxRate.STANDARD),
    ]
    assert note.items[0].mark == "※" and note.has_reduced
    assert note.sold_on == date(2026, 11, 22) and note.returned_on == date(2026, 11, 24)
    # the reversal entry takes off exactly the note's amounts and taxes, rate by rate
    s.desk.book("1001")
    [entry] = [e for _, e in s.accounting.entries if e.reference == "1001/R1"]
    assert sum(r.tax.amount for r in note.refunds) == sum(
        line.tax_amount.amount for line in entry.lines if line.tax_amount is not None
    )
    # and each rate's tax is the whole-number rule on its amount (内税, 切り捨て)
    for r in note.refunds:
        assert r.tax.amount == int(r.amount.amount) * r.rate.percent // (100 + r.rate.percent)


def test_a_refund_under_ten_thousand_yen_needs_no_note_handed_over() -> None:
    small = return_note(_returned({"L1": 1}).desk.get("1001"), "R1", ISSUER, DAY)
    assert small.refunded < Money.yen(10_000) and not small.required
    ten = RefundLine(TaxRate.STANDARD, Money.yen(10_000), Money.yen(909))
    assert attrs.evolve(small, refunds=(ten,)).required  # ¥10,000 itself: handed over
    nine = RefundLine(TaxRate.STANDARD, Money.yen(9_999), Money.yen(909))
    assert not attrs.evolve(small, refunds=(nine,)).required


def test_a_return_not_refunded_has_no_note() -> None:
    s = shop()
    delivered(s)
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.get("1001")
    for return_id in ("R1", "R9", 1):
        with pytest.raises(InvalidValue) as caught:
            return_note(order, return_id, ISSUER, DAY)  # type: ignore[arg-type]
        assert caught.value.field == "return_id"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"issuer": "shop"}, "issuer"),
        ({"issued_on": "2026-12-01"}, "issued_on"),
        ({"zone": "X"}, "zone"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, object], field: str) -> None:
    order = _returned({"L1": 1}).desk.get("1001")
    args: dict[str, object] = {"issuer": ISSUER, "issued_on": DAY}
    args.update(kwargs)
    with pytest.raises(InvalidValue) as caught:
        return_note(order, "R1", **args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_note_as_csv_and_as_pdf() -> None:
    note = return_note(_returned({"L1": 2, "L2": 1}).desk.get("1001"), "R1", ISSUER, DAY)
    text = to_csv(note)
    rows = [row.split(",") for row in text.strip().splitlines()]
    assert rows[0][:6] == ["受注番号", "返品番号", "発行日", "登録番号", "売上日", "返品日"]
    kinds = [row[6] for row in rows[1:]]
    assert kinds == ["返品明細", "返品明細", "税率別返還額", "税率別返還額", "返金額"]
    assert rows[-1][13] == str(note.paid_back.amount)
    assert "paid_back" in to_csv(note, locale="en")
    pdf = render_pdf(note)
    page = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "適格返還請求書" in page and "T7000012050002" in page
    assert "2026年11月22日" in page and "2026年11月24日" in page  # sold, returned
    assert "※" in page

"""返金 (goodwill refunds) in the books: one 売上値引 entry each, after the sale, never twice."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest

from orderflow import (
    AccountMap,
    Disposition,
    JournalEntry,
    Money,
    PaymentMethod,
    PriceMode,
    ReturnReason,
    Rounding,
    ShopSettings,
    Side,
    TaxRule,
)
from orderflow.domain.booking import AmountForm
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, Fault
from tests.builders import delivered, shop


def _entries(s: FakeShop) -> list[JournalEntry]:
    return [entry for _, entry in s.accounting.entries]


def _kept(entries: list[JournalEntry], accounts: AccountMap) -> dict[str, int]:
    """Per tax category, what the books keep of the sale (credits less debits, no 対象外)."""
    out: dict[str, int] = {}
    for entry in entries:
        for line in entry.lines:
            if line.tax_category != accounts.no_tax:
                sign = 1 if line.side is Side.CREDIT else -1
                out[line.tax_category] = out.get(line.tax_category, 0) + sign * int(
                    line.amount.amount
                )
    return out


def test_a_refund_of_a_booked_order_posts_a_reduction_entry_once() -> None:
    s = shop()
    delivered(s)
    s.desk.book("1001")
    s.clock.advance(timedelta(days=3))
    s.desk.refund("1001", Money.yen(1000), reason="お詫び", request_id="rq-1")
    s.desk.refund("1001", Money.yen(1000), reason="お詫び", request_id="rq-1")  # a repeat
    sale, refund = _entries(s)
    assert sale.reference == "1001" and refund.reference == "1001/G1"
    assert refund.memo == "返金 1001/G1 売上値引"
    assert refund.date == sale.date + timedelta(days=3)
    debits = [ln for ln in refund.lines if ln.side is Side.DEBIT]
    assert {ln.account for ln in debits} == {"売上値引高", "仮受消費税等"}
    assert {ln.sub_account for ln in debits if ln.account == "売上値引高"} == {"返金"}
    [receivable] = [ln for ln in refund.lines if ln.side is Side.CREDIT]
    assert (receivable.account, receivable.amount) == ("売掛金", Money.yen(1000))
    debit, credit = refund.totals()
    assert debit == credit == 1000
    assert len(s.gateway.calls_to("refund")) == 1


def test_a_refund_before_booking_is_posted_after_the_sale_at_booking() -> None:
    s = shop()
    delivered(s)
    s.desk.refund("1001", Money.yen(500), reason="箱つぶれ", request_id="rq-1")
    s.desk.refund("1001", Money.yen(300), reason="遅延")
    assert _entries(s) == []  # nothing in the books before the sale is
    s.desk.refund("1001", Money.yen(500), reason="箱つぶれ", request_id="rq-1")  # a repeat
    s.desk.book("1001")
    refs = [e.reference for e in _entries(s)]
    assert refs == ["1001", "1001/G1", "1001/G2"]
    s.desk.resume_pending()
    assert [e.reference for e in _entries(s)] == refs  # never twice
    credited = [
        ln.amount
        for e in _entries(s)[1:]
        for ln in e.lines
        if ln.account == "売掛金" and ln.side is Side.CREDIT
    ]
    assert credited == [Money.yen(500), Money.yen(300)]


@pytest.mark.parametrize("accounts", [AccountMap(), AccountMap.yayoi()], ids=["net", "gross"])
@pytest.mark.parametrize(
    "rule",
    [TaxRule(PriceMode.INCLUSIVE, Rounding.DOWN), TaxRule(PriceMode.EXCLUSIVE, Rounding.HALF_UP)],
    ids=["内税", "外税"],
)
def test_partial_refunds_of_a_two_rate_order_take_off_each_rate_and_all_of_it_reverses_the_sale(
    accounts: AccountMap, rule: TaxRule
) -> None:
    s = shop(settings=ShopSettings(auto_advance=False, accounts=accounts, tax=rule))
    delivered(s)
    total = int(s.desk.totals(s.desk.get("1001")).total.amount)
    s.desk.refund("1001", Money.yen(777), reason="一部")
    s.desk.book("1001")
    s.desk.refund("1001", Money.yen(1001), reason="一部")
    totals = s.desk.get("1001").totals(rule)
    kept = _kept(_entries(s), accounts)
    assert sum(kept.values()) == total - 1778
    for line in totals.tax.lines:  # each rate keeps part of what it charged, none below zero
        assert 0 < kept[accounts.tax_categories[line.rate]] < int(line.gross.amount)
    s.desk.refund("1001", Money.yen(total - 1778), reason="残り全額")
    entries = _entries(s)
    assert [e.reference for e in entries] == ["1001", "1001/G1", "1001/G2", "1001/G3"]
    assert all(v == 0 for v in _kept(entries, accounts).values())  # the sale, all reversed
    taxes: dict[str, int] = {}
    net = accounts.amounts is AmountForm.NET  # the tax on its own lines, or in each line
    for entry in entries:
        for ln in entry.lines:
            if ln.tax_amount is None or net != (ln.account == accounts.tax_payable):
                continue
            sign = 1 if ln.side is Side.CREDIT else -1
            taxes[ln.tax_category] = taxes.get(ln.tax_category, 0) + sign * int(
                ln.tax_amount.amount
            )
    assert set(taxes.values()) == {0}  # and every rate's tax with it, to the yen


def test_a_postpay_refund_the_provider_refuses_posts_nothing() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    s.postpay.decisions["C1"] = CreditStatus.DECLINED
    with pytest.raises(PaymentDeclined):
        s.desk.refund("1001", Money.yen(1000), reason="お詫び")
    assert [e.reference for e in _entries(s)] == ["1001"]
    s.postpay.decisions.clear()
    s.desk.refund("1001", Money.yen(400), reason="お詫び")
    [*_, refund] = _entries(s)
    assert refund.reference == "1001/G2" and refund.totals() == (Decimal(400), Decimal(400))


def test_a_postpay_refund_before_booking_is_posted_at_booking() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.refund("1001", Money.yen(600), reason="お詫び")
    s.desk.book("1001")
    assert [e.reference for e in _entries(s)] == ["1001", "1001/G1"]


def test_a_return_after_a_refund_pays_back_only_what_its_rate_still_holds() -> None:
    s = shop()
    delivered(s)
    s.desk.book("1001")
    order = s.desk.get("1001")
    total = s.desk.totals(order).total
    s.desk.refund("1001", total - Money.yen(100), reason="ほぼ全額")
    s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    back = [Disposition("L1", 2, "TOKYO"), Disposition("L2", 1, "TOKYO"), Disposition("L3", 1)]
    order = s.desk.receive_return("1001", "R1", back)
    assert order.returns[0].paid_back == Money.yen(100)
    assert order.payment.refunded == total
    kept = _kept(_entries(s), s.desk.settings.accounts)
    assert set(kept.values()) == {0}  # refunds and the return reverse the sale, no more


def test_a_refund_never_takes_more_off_the_books_than_the_sale_still_holds() -> None:
    """A return whose 後払い re-billing the provider refused (campaign seed 6782): the money was
    not paid back. A refund of the money then took more off the 10% rate than the sale ever
    held (¥1,126 of ¥880). The return is no longer posted at all (its money did not move), so
    the refund may pay all of it back, and no more than the sale holds."""
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    s.postpay.decisions["C1"] = CreditStatus.DECLINED
    with contextlib.suppress(PaymentDeclined):  # the provider would not bill the rest: the
        s.desk.receive_return("1001", "R1", [Disposition("L2", 1)])  # return is not posted
    assert [e.reference for e in _entries(s)] == ["1001"]
    s.postpay.decisions.clear()
    order = s.desk.get("1001")
    assert order.payment.refunded == Money.yen(0)  # no money went back
    returned = sum((amount for _, amount, _ in order.returns[0].refund), Money.yen(0))
    held = s.desk.totals(order).total - returned  # what the books still hold of the sale
    entries = len(_entries(s))
    with pytest.raises(InvalidValue) as refused:
        s.desk.refund("1001", held + Money.yen(1), reason="お詫び")
    assert refused.value.field == "amount"
    assert len(_entries(s)) == entries and s.desk.get("1001") == order  # nothing changed
    s.desk.refund("1001", held, reason="お詫び")  # all the books hold: the sale fully reversed
    assert set(_kept(_entries(s), s.desk.settings.accounts).values()) == {0}


def test_a_postpay_refund_of_all_whose_claim_cancel_is_refused_once_is_still_posted() -> None:
    """The claim's cancel (an obligation) refused once is asked again under a new key: the refund
    waited on the old key, so its entry was never posted although the money went back."""
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    total = s.desk.get("1001").totals(s.desk.settings.tax).total
    s.postpay.fail_next("cancel", Fault.DECLINE)
    s.desk.refund("1001", total, reason="お詫び", request_id="rq-all")
    assert [e.reference for e in _entries(s)] == ["1001", "1001/G1"]
    assert set(_kept(_entries(s), AccountMap()).values()) == {0}  # the sale all reversed

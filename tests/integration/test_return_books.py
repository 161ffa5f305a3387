"""Returns (返品) in the books: the 売上戻り entry posts the money really paid back, waits for a
後払い provider's answer, and writes each product's own tax category, as the sale did."""

from __future__ import annotations

import pytest

from orderflow import (
    AccountMap,
    Clawback,
    Disposition,
    GrantAt,
    JournalEntry,
    Money,
    OrderLine,
    PaymentMethod,
    PointsGrant,
    ReturnPolicy,
    ReturnReason,
    Rounding,
    ShopSettings,
    Side,
    TaxRate,
    TaxRule,
)
from orderflow.domain.booking import ProductAccounts
from orderflow.domain.payments import HoldCode
from orderflow.errors import PaymentDeclined
from orderflow.ports import CreditStatus
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.builders import STOCK, delivered, finish, lines, place, shop
from tests.integration.test_points import to_delivery

ALL_BACK = [Disposition("L1", 2), Disposition("L2", 1), Disposition("L3", 1)]


def _entry(s: FakeShop, reference: str) -> JournalEntry:
    [entry] = [e for _, e in s.accounting.entries if e.reference == reference]
    return entry


def _credited(entry: JournalEntry, account: str = "売掛金") -> Money:
    return Money.total(
        (ln.amount for ln in entry.lines if ln.account == account and ln.side is Side.CREDIT),
        "JPY",
    )


def _returned(entry: JournalEntry, accounts: AccountMap) -> dict[str, Money]:
    """Per tax category: what the entry takes off the sales, tax included."""
    out: dict[str, Money] = {}
    for ln in entry.lines:
        if ln.side is Side.DEBIT and ln.account in (accounts.returns, accounts.tax_payable):
            out[ln.tax_category] = out.get(ln.tax_category, Money.yen(0)) + ln.amount
    return out


def _points_shop() -> FakeShop:
    settings = ShopSettings(
        points_grant=PointsGrant(at=GrantAt.SHIPMENT), points_clawback=Clawback.DEDUCT_FROM_REFUND
    )
    return fake_shop(dict(STOCK), settings=settings, points={"C1": 1000})


def test_a_return_whose_refund_settles_owed_points_posts_what_was_paid_back() -> None:
    """Owed points came off the return's refund (DEDUCT_FROM_REFUND): the 売上戻り entry took
    the mug's full ¥2,200 off the sales and credited 売掛金 ¥2,200, but ¥2,141 went back."""
    s = _points_shop()
    to_delivery(s)
    s.desk.book("1001")
    s.points.balances["C1"] = 0  # the 59 points earned were spent
    s.desk.claw_back_points("1001", reason="返品")
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    paid = order.payment.refunded
    assert paid == Money.yen(2200 - 59)
    ret = order.returns[0]
    assert ret.paid_back == paid
    entry = _entry(s, "1001/R1")
    assert _credited(entry) == paid
    accounts = s.desk.settings.accounts
    assert sum(_returned(entry, accounts).values(), Money.yen(0)) == paid
    [(rate, amount, tax)] = ret.refund
    assert (rate, amount, tax) == (TaxRate.STANDARD, paid, Money.yen(194))  # 2141×10/110


def test_a_return_capped_at_what_is_refundable_posts_only_what_was_paid_back() -> None:
    """Owed points were settled off an earlier refund (the shop kept ¥59): a full return then
    pays back what is left, but its entry took everything the units were worth off the books."""
    s = _points_shop()
    order = to_delivery(s)
    s.desk.book("1001")
    paid = order.payment.captured
    s.points.balances["C1"] = 0
    s.desk.claw_back_points("1001", reason="返品")
    s.desk.refund("1001", Money.yen(1000), reason="返品")
    s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", ALL_BACK)
    back = order.payment.refunded - Money.yen(1000 - 59)
    assert order.payment.refunded == paid - Money.yen(59)
    assert order.returns[0].paid_back == back
    assert _credited(_entry(s, "1001/R1")) == back
    receivable = Money.yen(0)  # the books keep what the shop kept: the ¥59
    for _, entry in s.accounting.entries:
        for ln in entry.lines:
            if ln.account == "売掛金":
                receivable += ln.amount if ln.side is Side.DEBIT else -ln.amount
    assert receivable == Money.yen(59)


def _refused_return(s: FakeShop) -> None:
    """The cup of 1001 comes back, and the 後払い provider will not bill the rest."""
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    s.postpay.decisions["C1"] = CreditStatus.DECLINED
    with pytest.raises(PaymentDeclined):
        s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])


def test_a_postpay_return_whose_rebilling_is_refused_posts_nothing_and_holds_the_order() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    _refused_return(s)
    assert [e.reference for _, e in s.accounting.entries] == ["1001"]  # nothing was paid back
    order = s.desk.get("1001")
    ret = order.returns[0]
    assert ret.refund_refused and ret.paid_back == Money.yen(0) and ret.refund == ()
    assert HoldCode.REFUND_FAILED in {h.code for h in order.open_holds}
    s.desk.resume_pending()
    assert [e.reference for _, e in s.accounting.entries] == ["1001"]


def test_a_postpay_return_posts_its_entry_once_the_provider_bills_the_rest() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    assert order.payment.refunded == Money.yen(2200)
    assert _credited(_entry(s, "1001/R1")) == Money.yen(2200)
    assert not order.returns[0].refund_refused and not order.returns[0].payment_key


def test_a_postpay_return_refused_before_booking_is_not_posted_at_booking() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    _refused_return(s)
    s.desk.clear_hold("1001", HoldCode.REFUND_FAILED)
    s.desk.book("1001")
    assert [e.reference for _, e in s.accounting.entries] == ["1001"]


def test_a_return_entry_writes_each_products_own_tax_category_as_the_sale_did() -> None:
    own = ProductAccounts(tax_categories={TaxRate.STANDARD: "課税売上10%(器)"})
    accounts = AccountMap(products={"MUG-1": own})
    s = shop(settings=ShopSettings(auto_advance=False, accounts=accounts))
    delivered(s)
    s.desk.book("1001")
    sale = _entry(s, "1001")
    assert "課税売上10%(器)" in {ln.tax_category for ln in sale.lines}
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.CUSTOMER)
    s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    returns = {ln.tax_category for ln in _entry(s, "1001/R1").lines if ln.account == "売上戻り高"}
    assert returns == {"課税売上10%(器)"}  # the mug's category, not the map's 10%
    s.desk.request_return("1001", {"L1": 2, "L3": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return("1001", "R2", [Disposition("L1", 2), Disposition("L3", 1)])
    kept: dict[str, Money] = {}  # per category: the sale less its returns, all of it back
    for _, entry in s.accounting.entries:
        for ln in entry.lines:
            if ln.account in ("売掛金",):
                continue
            sign = ln.amount if ln.side is Side.CREDIT else -ln.amount
            kept[ln.tax_category] = kept.get(ln.tax_category, Money.yen(0)) + sign
    assert set(kept.values()) == {Money.yen(0)}


def test_a_postpay_return_posts_once_the_refused_cancel_of_the_claim_is_asked_again() -> None:
    """The return's refund cancels the whole claim; the provider refused the cancel once and it
    was asked again under a fresh key (campaign seed 204): the return waited on the old key for
    ever and its entry was never posted, though the money went back."""
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.DEFECTIVE)
    s.postpay.fail_next("cancel", Fault.DECLINE)
    s.desk.receive_return("1001", "R1", ALL_BACK)
    s.desk.resume_pending()
    order = s.desk.get("1001")
    assert order.payment.refunded == s.desk.totals(order).total
    assert not order.returns[0].payment_key
    assert _credited(_entry(s, "1001/R1")) == order.payment.refunded


def _kinds(s: FakeShop) -> list[str]:
    return [n.kind for n in s.notifier.sent]


def test_a_refused_postpay_return_does_not_tell_the_customer_the_money_went_back() -> None:
    """The return_refunded notice went out when the goods came back, before the 後払い provider
    answered: a customer whose re-billing was refused read that ¥2,200 was paid back."""
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    _refused_return(s)
    assert "return_refunded" not in _kinds(s)


def test_a_postpay_return_tells_the_customer_once_the_provider_agreed() -> None:
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.request_return("1001", {"L2": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return("1001", "R1", [Disposition("L2", 1, "TOKYO")])
    [notice] = [n for n in s.notifier.sent if n.kind == "return_refunded"]
    assert dict(notice.facts)["paid_back"] == Money.yen(2200)


def test_a_return_whose_refund_all_settles_owed_points_posts_no_empty_entry() -> None:
    """With DEDUCT_FROM_REFUND, owed points larger than the refund take all of it: nothing was
    paid back, and the return posted an entry of one line, 売掛金 ¥0 credited (exported as a row
    with no debit account)."""
    stock = dict(STOCK)
    stock[("TOKYO", "CANDY-1")] = 5
    s = fake_shop(stock, settings=_points_shop().desk.settings, points={"C1": 1000})
    candy = OrderLine("L4", "CANDY-1", "飴", Money.yen(30), 1, TaxRate.REDUCED)
    to_delivery(s, order_lines=[*lines(), candy])
    s.desk.book("1001")
    s.points.balances["C1"] = 0  # the points earned were spent
    s.desk.claw_back_points("1001", reason="返品")
    s.desk.request_return("1001", {"L4": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R1", [Disposition("L4", 1, "TOKYO")])
    assert order.returns[0].paid_back == Money.yen(0)
    assert [e.reference for _, e in s.accounting.entries] == ["1001"]


def test_a_refused_postpay_return_is_paid_back_by_transfer_and_booked_as_a_reduction() -> None:
    """The refund_failed hold said to pay the customer back another way with desk.refund, but
    desk.refund of a 後払い order asked the same provider, who refused again: nothing recorded
    the money the shop owed. desk.refund(by_transfer=True) records it as owed back by transfer;
    once the transfer is recorded the hold is cleared and the books keep total − paid back."""
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    _refused_return(s)
    owed = s.desk.refund("1001", Money.yen(2200), reason="返品", by_transfer=True)
    assert owed.payment.refund_to_transfer == Money.yen(2200)
    assert "refund" in [n.kind for n in s.notifier.sent]
    done = s.desk.record_refund_transfer("1001", Money.yen(2200), reference="FURI-1")
    assert HoldCode.REFUND_FAILED not in {h.code for h in done.open_holds}
    receivable = Money.yen(0)
    for _, entry in s.accounting.entries:
        for ln in entry.lines:
            if ln.account == "売掛金":
                receivable += ln.amount if ln.side is Side.DEBIT else -ln.amount
    assert receivable == done.totals(s.desk.settings.tax).total - Money.yen(2200)
    assert [e.reference for _, e in s.accounting.entries] == ["1001", "1001/G1"]


def test_a_return_after_small_refunds_takes_the_rest_of_the_rate_s_tax_with_its_last_yen() -> None:
    # ¥1,100 at 8% (tax ¥81), two ¥13 apologies, then the tea comes back defective: the customer
    # has all ¥1,100 back. The return is capped at what the rate still holds (¥1,074), so it is
    # the rate's last yen and takes the rest of its tax; it took the tea's share (¥79) and left
    # ¥1 of 仮受消費税 on a sale refunded to the yen (and 売上高 at -¥1)
    s = shop()
    order_lines = [
        OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1, TaxRate.REDUCED),
        OrderLine("L2", "CAKE-1", "飴", Money.yen(20), 1, TaxRate.REDUCED),
    ]
    placed = place(s, "1001", order_lines, shipping_fee=Money.yen(0))
    assert placed.totals(s.desk.settings.tax).total == Money.yen(1100)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)  # booked
    s.desk.refund("1001", Money.yen(13), reason="お詫び", request_id="お詫び-1")
    s.desk.refund("1001", Money.yen(13), reason="お詫び", request_id="お詫び-2")
    asked = s.desk.request_return("1001", {"L1": 1}, ReturnReason.DEFECTIVE)
    s.desk.receive_return("1001", asked.returns[-1].return_id, [Disposition("L1", 1, "TOKYO")])
    assert _sales_and_tax_kept(s) == (Money.yen(0), Money.yen(0))


def _sales_and_tax_kept(s: FakeShop) -> tuple[Money, Money]:
    """What the books keep of the sales (売上高 less 売上値引高 and 売上戻り高), and of the tax."""
    sales = tax = Money.yen(0)
    for _, entry in s.accounting.entries:
        for line in entry.lines:
            signed = line.amount if line.side is Side.CREDIT else Money.yen(-line.amount.amount)
            if line.account == "仮受消費税等":
                tax = tax + signed
            elif line.account != "売掛金":
                sales = sales + signed
    return sales, tax


def test_a_return_fee_refunded_in_parts_takes_back_only_the_tax_it_held() -> None:
    # 切り上げ: the ¥330 fee kept back holds ¥30 of tax; paid back after all as ¥100 + ¥100 +
    # ¥130, each part's tax rounded up (10 + 10 + 12) took ¥32 off: -¥2 of 仮受消費税 in the books
    rule = TaxRule(rounding=Rounding.UP)
    policy = ReturnPolicy(return_fee=Money.yen(330))
    s = shop(settings=ShopSettings(auto_advance=False, tax=rule, return_policy=policy))
    place(s, "1001", shipping_fee=Money.yen(0))  # the customer's reason: no shipping back
    s.desk.accept("1001")
    s.desk.allocate("1001")
    finish(s)
    asked = s.desk.request_return("1001", {"L1": 2, "L2": 1, "L3": 1}, ReturnReason.CUSTOMER)
    back = [Disposition("L1", 2, "TOKYO"), Disposition("L2", 1, "TOKYO"), Disposition("L3", 1)]
    done = s.desk.receive_return("1001", asked.returns[-1].return_id, back)
    assert done.returns[-1].fee == Money.yen(330)
    for n, part in enumerate((100, 100, 130), start=1):
        s.desk.refund("1001", Money.yen(part), reason="返品手数料の返金", request_id=f"fee-{n}")
    sales, tax = _sales_and_tax_kept(s)
    assert (sales, tax) == (Money.yen(0), Money.yen(0))


def test_the_last_return_after_a_refused_one_paid_by_transfer_pays_back_everything() -> None:
    # the cup's ¥2,200 comes back but the 後払い provider will not bill the rest: a person pays
    # it by transfer, a 売上値引 shared over both rates; the rest then comes back (defective):
    # every yen is back, not short of what the goodwill took off the other rate
    s = shop()
    delivered(s, payment_method=PaymentMethod.POSTPAY)
    s.desk.book("1001")
    _refused_return(s)
    paid = s.desk.get("1001").payment.captured
    s.desk.refund("1001", Money.yen(2200), reason="返品 R1", by_transfer=True)
    s.postpay.decisions.pop("C1")
    s.desk.request_return("1001", {"L1": 2, "L3": 1}, ReturnReason.DEFECTIVE)
    order = s.desk.receive_return("1001", "R2", [Disposition("L1", 2), Disposition("L3", 1)])
    assert order.payment.refunded + order.payment.refund_owed == paid
    assert s.desk.refundable(order) == Money.yen(0)
    kept = Money.yen(0)  # the books keep what the shop kept: nothing
    for _, entry in s.accounting.entries:
        for ln in entry.lines:
            if ln.account == "売掛金":
                kept += ln.amount if ln.side is Side.DEBIT else -ln.amount
    assert kept == Money.yen(0)

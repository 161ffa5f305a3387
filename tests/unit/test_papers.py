import functools
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import (
    Address,
    Customer,
    Money,
    Order,
    OrderLine,
    PriceMode,
    Rounding,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShopSettings,
    TaxRate,
    TaxRule,
)
from orderflow.errors import InvalidValue
from orderflow.papers import (
    Issuer,
    PickingRow,
    SkuTotal,
    delivery_note,
    picking_list,
    registration_check_digit,
    to_csv,
)
from tests.builders import TRACKING, place, shop

NTA = "T7000012050002"  # 国税庁's own 法人番号, as published on its 法人番号公表サイト
ISSUER = Issuer("お茶の山田", NTA, "東京都渋谷区神宮前1-2-3", "03-1234-5678")
DAY = date(2026, 11, 22)
RULE = TaxRule()


# ---- 登録番号 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # 国税庁
        "1180301018771",  # トヨタ自動車株式会社
        "4011001098993",  # a company whose number is quoted with its check worked out
        "7123456789012",  # the worked example of the check-digit rule (Σ = 74, 9 − 74 mod 9 = 7)
    ],
)
def test_published_numbers_pass_the_check(number: str) -> None:
    assert registration_check_digit(number[1:]) == int(number[0])
    assert Issuer("店", "T" + number, "東京都").registration_number == "T" + number


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("7000012050002", "'T' and 13 digits"),  # no T
        ("t7000012050002", "'T' and 13 digits"),
        ("T700001205000", "'T' and 13 digits"),  # 12 digits
        ("T70000120500021", "'T' and 13 digits"),
        ("T７０００012050002", "'T' and 13 digits"),  # full-width digits
        ("T7000-012050002", "'T' and 13 digits"),
        ("T6000012050002", "check digit .* of 7 for"),
        ("T7000012050003", "check digit .* of 6 for"),
        (7000012050002, "'T' and 13 digits"),
        (None, "'T' and 13 digits"),
    ],
)
def test_a_bad_registration_number_is_refused_by_name(bad: object, why: str) -> None:
    with pytest.raises(InvalidValue, match=why) as caught:
        Issuer("店", bad, "東京都")  # type: ignore[arg-type]
    assert caught.value.field == "issuer.registration_number"


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_exactly_one_check_digit_fits_every_base(base: str, digit: int) -> None:
    right = registration_check_digit(base)
    assert 1 <= right <= 9
    if digit == right:
        Issuer("店", f"T{digit}{base}", "東京都")
    else:
        with pytest.raises(InvalidValue):
            Issuer("店", f"T{digit}{base}", "東京都")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "issuer.name"),
        ({"address": ""}, "issuer.address"),
        ({"phone": ""}, "issuer.phone"),
        ({"phone": 312345678}, "issuer.phone"),
    ],
)
def test_issuer_fields_are_checked(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"name": "店", "registration_number": NTA, "address": "東京都"}
    with pytest.raises(InvalidValue) as caught:
        Issuer(**{**args, **kwargs})  # type: ignore[arg-type]
    assert caught.value.field == field
    with pytest.raises(InvalidValue, match="base"):
        registration_check_digit("12345")


# ---- 納品書 -------------------------------------------------------------------------------


def instructed(number: str = "1001", discount: int = 0) -> Order:
    s = shop()
    place(s, number, discount=Money.yen(discount))
    s.desk.accept(number)
    s.desk.allocate(number)
    return s.desk.instruct_shipping(number)


def test_a_mixed_rate_note_has_the_orders_tax_per_rate() -> None:
    order = instructed()
    note = delivery_note(order, "1001-S1", ISSUER, RULE, DAY)
    assert note.tax == order.totals(RULE).tax
    assert [(line.rate, line.base, line.tax) for line in note.tax.lines] == [
        (TaxRate.STANDARD, Money.yen(3080), Money.yen(280)),
        (TaxRate.REDUCED, Money.yen(3780), Money.yen(280)),
    ]
    assert note.total == order.totals(RULE).total == Money.yen(6860)
    assert [(i.name, i.mark) for i in note.items] == [("緑茶", "※"), ("湯呑", ""), ("羊羹", "※")]
    assert note.items_total == Money.yen(5980)
    assert note.shipping_fee == Money.yen(880)
    assert note.has_reduced
    assert note.recipient == "山田 太郎"
    assert note.issuer.registration_number == NTA


@pytest.mark.parametrize("mode", list(PriceMode))
@pytest.mark.parametrize("rounding", [Rounding.DOWN, Rounding.HALF_UP, Rounding.UP])
def test_reductions_and_modes_give_the_orders_tax(mode: PriceMode, rounding: Rounding) -> None:
    rule = TaxRule(mode, rounding)
    order = instructed(discount=333)
    order = attrs.evolve(order, points_used=101)
    note = delivery_note(order, "1001-S1", ISSUER, rule, DAY)
    totals = order.totals(rule)
    assert note.tax == totals.tax
    assert note.total == totals.total
    assert note.discount == Money.yen(333)
    assert note.points_used == Money.yen(101)


def test_a_split_parts_tax_adjustment_is_on_its_note() -> None:
    order = attrs.evolve(instructed(), tax_adjustments=((TaxRate.REDUCED, Money.yen(-1)),))
    note = delivery_note(order, "1001-S1", ISSUER, RULE, DAY)
    assert note.tax == order.totals(RULE).tax
    assert note.tax.for_rate(TaxRate.REDUCED).tax == Money.yen(279)  # type: ignore[union-attr]


def two_shipments(discount: int = 0) -> Order:
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"), auto_advance=False)
    s = shop(
        {("TOKYO", "TEA-1"): 2, ("TOKYO", "CAKE-1"): 1, ("OSAKA", "MUG-1"): 1},
        settings,
    )
    place(s, discount=Money.yen(discount))
    s.desk.accept("1001")
    s.desk.allocate("1001")
    return s.desk.instruct_shipping("1001")


def test_fees_are_on_the_first_shipments_note_and_reductions_carry_over() -> None:
    order = two_shipments(discount=3500)
    assert [s.shipment_id for s in order.shipments] == ["1001-S1", "1001-S2"]
    first = delivery_note(order, "1001-S1", ISSUER, RULE, DAY)
    second = delivery_note(order, "1001-S2", ISSUER, RULE, DAY)
    assert [i.sku for i in first.items] == ["MUG-1"]  # OSAKA ships the mug
    assert first.shipping_fee == Money.yen(880)
    assert second.shipping_fee == Money.yen(0)
    # ¥3,500 over the order's bases: ¥1,572 on 10% (¥3,080), ¥1,928 on 8% (¥3,780)
    shares = [(line.rate, line.reduction) for line in order.totals(RULE).tax.lines]
    assert shares == [(TaxRate.STANDARD, Money.yen(1572)), (TaxRate.REDUCED, Money.yen(1928))]
    assert first.discount == Money.yen(1572)  # the mug and the shipping fee are at 10%
    assert second.discount == Money.yen(1928)  # the tea and the cake at 8%
    assert first.tax.for_rate(TaxRate.STANDARD).base == Money.yen(1508)  # type: ignore[union-attr]
    assert first.total + second.total == order.totals(RULE).total
    assert first.tax.tax + second.tax.tax == order.totals(RULE).tax.tax


def test_a_split_parts_tax_adjustment_goes_on_the_first_note_charging_its_rate() -> None:
    # OSAKA's mug (10%) is the first note, TOKYO's tea and cake (8%) the second: the part's -1
    # yen at 8% is on the second note, not lost with a first note that charges no 8%
    order = attrs.evolve(two_shipments(), tax_adjustments=((TaxRate.REDUCED, Money.yen(-1)),))
    first = delivery_note(order, "1001-S1", ISSUER, RULE, DAY)
    second = delivery_note(order, "1001-S2", ISSUER, RULE, DAY)
    assert first.tax.for_rate(TaxRate.REDUCED) is None
    assert second.tax.for_rate(TaxRate.REDUCED).tax == Money.yen(279)  # type: ignore[union-attr]
    assert first.tax.tax + second.tax.tax == order.totals(RULE).tax.tax
    exclusive = TaxRule(PriceMode.EXCLUSIVE)
    notes = [delivery_note(order, s, ISSUER, exclusive, DAY) for s in ("1001-S1", "1001-S2")]
    assert notes[0].total + notes[1].total == order.totals(exclusive).total


def test_an_unknown_or_recalled_shipment_is_refused_by_name() -> None:
    order = instructed()
    with pytest.raises(InvalidValue, match=r"one of order 1001's shipments \['1001-S1'\]") as e:
        delivery_note(order, "1001-S9", ISSUER, RULE, DAY)
    assert e.value.field == "shipment_id"
    recalled = attrs.evolve(
        order, shipments=(attrs.evolve(order.shipments[0], status=ShipmentStatus.RECALLED),)
    )
    with pytest.raises(InvalidValue, match="not recalled"):
        delivery_note(recalled, "1001-S1", ISSUER, RULE, DAY)
    with pytest.raises(InvalidValue, match="instruct shipping first"):
        delivery_note(attrs.evolve(order, shipments=()), "1001-S1", ISSUER, RULE, DAY)


@pytest.mark.parametrize(
    ("position", "bad", "field"),
    [
        (0, "1001", "order"),
        (1, 7, "shipment_id"),
        (1, "", "shipment_id"),
        (2, "お茶の山田", "issuer"),
        (3, PriceMode.INCLUSIVE, "rule"),
        (4, "2026-11-22", "issued_on"),
        (4, datetime(2026, 11, 22, tzinfo=UTC), "issued_on"),
    ],
)
def test_bad_arguments_are_refused_by_name(position: int, bad: object, field: str) -> None:
    args: list[object] = [instructed(), "1001-S1", ISSUER, RULE, DAY]
    args[position] = bad
    with pytest.raises(InvalidValue) as caught:
        delivery_note(*args)  # type: ignore[arg-type]
    assert caught.value.field == field


@functools.cache
def base_order() -> Order:
    return instructed()


def _round(numerator: int, denominator: int, rounding: Rounding) -> int:
    if rounding is Rounding.DOWN:
        return numerator // denominator
    if rounding is Rounding.UP:
        return -(-numerator // denominator)
    return (2 * numerator + denominator) // (2 * denominator)  # HALF_UP, for numbers ≥ 0


line_values = st.tuples(st.integers(0, 200_000), st.integers(1, 30), st.sampled_from(list(TaxRate)))


@given(
    st.lists(line_values, min_size=1, max_size=8),
    st.integers(0, 2000),
    st.sampled_from(list(PriceMode)),
    st.sampled_from([Rounding.DOWN, Rounding.HALF_UP, Rounding.UP]),
)
def test_the_notes_tax_per_rate_is_whole_number_arithmetic(
    values: list[tuple[int, int, TaxRate]], fee: int, mode: PriceMode, rounding: Rounding
) -> None:
    lines = [
        OrderLine(f"L{i}", f"SKU-{i}", f"品{i}", Money.yen(price), qty, rate)
        for i, (price, qty, rate) in enumerate(values)
    ]
    shipment = Shipment(
        "1001-S1", "TOKYO", "yamato", tuple(ShipmentLine(x.line_id, x.quantity) for x in lines)
    )
    order = attrs.evolve(
        base_order(), lines=lines, shipments=(shipment,), shipping_fee=Money.yen(fee)
    )
    rule = TaxRule(mode, rounding)
    note = delivery_note(order, "1001-S1", ISSUER, rule, DAY)
    for rate in TaxRate:
        base = sum(price * qty for price, qty, r in values if r is rate)
        if rate is TaxRate.STANDARD:
            base += fee
        line = note.tax.for_rate(rate)
        if not any(r is rate for _, _, r in values) and not (rate is TaxRate.STANDARD and fee):
            assert line is None
            continue
        assert line is not None
        denominator = 100 + rate.percent if mode is PriceMode.INCLUSIVE else 100
        assert line.tax.amount == Decimal(_round(base * rate.percent, denominator, rounding))
    assert note.tax == order.totals(rule).tax


@given(
    st.lists(st.tuples(line_values, st.booleans()), min_size=2, max_size=8),
    st.integers(0, 3000),
    st.integers(0, 3000),
    st.sampled_from(list(PriceMode)),
)
def test_notes_of_every_shipment_add_up_to_the_order(
    values: list[tuple[tuple[int, int, TaxRate], bool]],
    discount: int,
    points: int,
    mode: PriceMode,
) -> None:
    lines = [
        OrderLine(f"L{i}", f"SKU-{i}", f"品{i}", Money.yen(price), qty, rate)
        for i, ((price, qty, rate), _) in enumerate(values)
    ]
    parts: dict[bool, list[ShipmentLine]] = {True: [], False: []}
    for line, (_, in_first) in zip(lines, values, strict=True):
        parts[in_first].append(ShipmentLine(line.line_id, line.quantity))
    shipments = tuple(
        Shipment(f"1001-S{n}", "TOKYO", "yamato", tuple(part))
        for n, part in enumerate((parts[True], parts[False]), start=1)
        if part
    )
    room = sum(price * qty for (price, qty, _), _ in values) + 880
    discount = min(discount, room)
    points = min(points, room - discount)
    order = attrs.evolve(
        base_order(),
        lines=lines,
        shipments=shipments,
        discount=Money.yen(discount),
        points_used=points,
    )
    rule = TaxRule(mode)
    notes = [delivery_note(order, s.shipment_id, ISSUER, rule, DAY) for s in shipments]
    assert sum(n.discount.amount for n in notes) == discount
    assert sum(n.points_used.amount for n in notes) == points
    assert sum(n.shipping_fee.amount for n in notes) == 880
    assert all(not n.total.is_negative for n in notes)
    totals = order.totals(rule)
    for rate in TaxRate:
        charged = [n.tax.for_rate(rate) for n in notes]
        whole = totals.tax.for_rate(rate)
        assert sum(c.base.amount for c in charged if c) == (whole.base.amount if whole else 0)
        taxes = sum((c.tax.amount for c in charged if c), Decimal(0))
        assert abs(taxes - (whole.tax.amount if whole else 0)) <= 1  # one rounding per note
    exclusive = mode is PriceMode.EXCLUSIVE
    untaxed = sum(n.total.amount - (n.tax_total.amount if exclusive else 0) for n in notes)
    assert untaxed == totals.total.amount - (totals.tax_total.amount if exclusive else 0)
    if len(notes) == 1:
        assert notes[0].tax == totals.tax


def test_the_note_as_csv() -> None:
    order = instructed(discount=100)
    text = to_csv(delivery_note(order, "1001-S1", ISSUER, RULE, DAY))
    rows = [row.split(",") for row in text.splitlines()]
    assert rows[0][:5] == ["受注番号", "出荷番号", "発行日", "登録番号", "区分"]
    kinds = [row[4] for row in rows[1:]]
    assert kinds == ["明細", "明細", "明細", "送料", "値引き", "税率別合計", "税率別合計", "合計"]
    assert rows[1][:4] == ["1001", "1001-S1", "2026-11-22", NTA]
    assert rows[1][5:12] == ["TEA-1", "緑茶", "※", "8", "1080", "2", "2160"]
    assert rows[5][11] == "100"  # a reduction is written as a positive amount
    assert rows[-1][11:] == ["6760", "550"]
    assert order.totals(RULE).tax_total == Money.yen(550)
    english = to_csv(delivery_note(order, "1001-S1", ISSUER, RULE, DAY), locale="en")
    assert english.startswith("order_number,shipment_id,issued_on,registration_number,kind,")
    with pytest.raises(InvalidValue, match="locale"):
        to_csv(delivery_note(order, "1001-S1", ISSUER, RULE, DAY), locale="fr")
    with pytest.raises(InvalidValue, match="paper"):
        to_csv("note")  # type: ignore[arg-type]


def test_a_hostile_product_name_is_neutralised_in_the_csv() -> None:
    hostile = [OrderLine("L1", "=cmd|'/C calc'!A0", '=HYPERLINK("http://evil")', Money.yen(100), 1)]
    s = shop({("TOKYO", "=cmd|'/C calc'!A0"): 1})
    place(s, order_lines=hostile)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    order = s.desk.instruct_shipping("1001")
    for paper in (
        delivery_note(order, "1001-S1", ISSUER, RULE, DAY),
        picking_list([order], "TOKYO"),
    ):
        text = to_csv(paper)
        assert "'=cmd" in text and "'=HYPERLINK" in text
        assert ",=" not in text


# ---- ピッキングリスト ---------------------------------------------------------------------------


def test_the_picking_list_is_sorted_by_location_then_sku_then_order() -> None:
    s = shop({("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10})
    orders = []
    for number, who in (("1002", "C2"), ("1001", "C1")):
        name = {"C1": "山田 太郎", "C2": "佐藤 花子"}[who]
        place(
            s,
            number,
            customer=Customer(who, name, f"{who}@example.jp"),
            ship_to=Address(
                "150-0001", "東京都", "渋谷区神宮前", f"{number}", name, "03-1111-2222"
            ),
        )
        s.desk.accept(number)
        s.desk.allocate(number)
        orders.append(s.desk.instruct_shipping(number))
    locations = {"TEA-1": "B-01", "MUG-1": "A-02"}
    picking = picking_list(orders, "TOKYO", wave="2026-11-22 午前", locations=locations)
    assert picking.wave == "2026-11-22 午前"
    assert [(r.location, r.sku, r.order_number) for r in picking.rows] == [
        ("A-02", "MUG-1", "1001"),
        ("A-02", "MUG-1", "1002"),
        ("B-01", "TEA-1", "1001"),
        ("B-01", "TEA-1", "1002"),
        (None, "CAKE-1", "1001"),  # no known location: last
        (None, "CAKE-1", "1002"),
    ]
    assert picking.rows[0] == PickingRow("A-02", "MUG-1", "湯呑", 1, "1001", "1001-S1")
    assert picking.totals == (
        SkuTotal("A-02", "MUG-1", "湯呑", 2),
        SkuTotal("B-01", "TEA-1", "緑茶", 4),
        SkuTotal(None, "CAKE-1", "羊羹", 2),
    )
    assert picking.shipment_ids == ("1001-S1", "1002-S1")
    assert picking.quantity == 8
    text = to_csv(picking)
    assert text.splitlines()[1] == "TOKYO,2026-11-22 午前,A-02,MUG-1,湯呑,1,1001,1001-S1,"
    assert text.splitlines()[-1] == "TOKYO,2026-11-22 午前,,CAKE-1,羊羹,1,1002,1002-S1,"


def test_only_instructed_shipments_of_the_warehouse_are_listed() -> None:
    order = two_shipments()
    assert [r.sku for r in picking_list([order], "OSAKA").rows] == ["MUG-1"]
    assert [r.sku for r in picking_list([order], "TOKYO").rows] == ["CAKE-1", "TEA-1"]
    assert picking_list([order], "NAGOYA").rows == ()
    shipped = attrs.evolve(
        order,
        shipments=(
            attrs.evolve(
                order.shipments[0], status=ShipmentStatus.SHIPPED, tracking_number=TRACKING
            ),
            order.shipments[1],
        ),
    )
    assert picking_list([shipped], "OSAKA").rows == ()
    placed = shop()
    assert picking_list([place(placed)], "TOKYO").rows == ()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"warehouse": ""}, "warehouse"),
        ({"warehouse": None}, "warehouse"),
        ({"wave": " "}, "wave"),
        ({"locations": ["A-01"]}, "locations"),
        ({"locations": {"TEA-1": ""}}, "locations['TEA-1']"),
        ({"orders": "1001"}, "orders"),
        ({"orders": ["1001"]}, "orders[0]"),
    ],
)
def test_picking_arguments_are_checked_by_name(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"orders": [instructed()], "warehouse": "TOKYO"}
    args.update(kwargs)
    with pytest.raises(InvalidValue) as caught:
        picking_list(**args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_order_given_twice_is_refused() -> None:
    order = instructed()
    with pytest.raises(InvalidValue, match="each order given once") as caught:
        picking_list([order, order], "TOKYO")
    assert caught.value.field == "orders[1]"


def test_every_papers_and_csvsafe_name_is_in_the_docs() -> None:
    import re
    from pathlib import Path

    import orderflow.csvsafe
    import orderflow.papers

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = "\n".join(p.read_text(encoding="utf-8") for p in docs.rglob("*.md"))
    names = [*orderflow.papers.__all__, *orderflow.csvsafe.__all__]
    assert [name for name in names if not re.search(rf"\b{name}\b", text)] == []

"""Writing the label files: B2クラウド (Yamato) and e飛伝III (Sagawa), CP932 with CR LF."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from unicodedata import normalize

import attrs

from orderflow.carrier_files._layouts import B2_COLUMNS, EHIDEN_COLUMNS, CarrierFileError
from orderflow.csvsafe import FORMULA_STARTS, neutralize, write_rows
from orderflow.domain.address import Address
from orderflow.domain.money import Money
from orderflow.domain.order import Order, Shipment, ShipmentStatus
from orderflow.domain.payments.parcels import COD_LIMITS
from orderflow.domain.tax import TaxRule
from orderflow.errors import InvalidValue
from orderflow.papers.delivery import note_total

__all__ = [
    "B2_SLOTS",
    "EHIDEN_SLOTS",
    "ENCODING",
    "Shipper",
    "export_b2",
    "export_ehiden",
    "label_rows",
]

ENCODING = "cp932"
"""Shift_JIS as Windows writes it (CP932): what B2クラウド and e飛伝 read."""

B2_SLOTS = {"午前中": "0812", "14-16": "1416", "16-18": "1618", "18-20": "1820", "19-21": "1921"}
"""``Order.delivery_slot`` → B2クラウド's 配達時間帯 code."""

EHIDEN_SLOTS = {"午前中": "01", "14-16": "14", "16-18": "16", "18-20": "18", "19-21": "19"}
"""``Order.delivery_slot`` → e飛伝's 配達指定時間帯 code (the six-slot list)."""

_REPLACE = str.maketrans({"\u2014": "\u2015"})
"""The one dash CP932 cannot hold, written as the one it can (— EM DASH as ― HORIZONTAL BAR)."""

_COD_LIMIT = COD_LIMITS["yamato"].amount
"""B2クラウド's largest コレクト amount (¥300,000, 宅急便コレクト): 出荷指示 refuses a parcel
above it already (:data:`~orderflow.domain.payments.parcels.COD_LIMITS`)."""


def _digits(limit: int, *, fixed: bool = False) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        ok = isinstance(value, str) and value.isascii() and value.isdigit()
        size_ok = isinstance(value, str) and (len(value) == limit if fixed else len(value) <= limit)
        if value != "" and not (ok and size_ok):
            want = f"{limit} digits" if fixed else f"at most {limit} digits"
            raise InvalidValue(f"shipper.{attribute.name}", value, f"blank or {want}")

    return check


@attrs.frozen(slots=True)
class Shipper:
    """ご依頼主: the shop as its labels show it, and its contract codes with each carrier.

    ``address`` is the shop's address (its ``name`` the shop's name). For B2クラウド,
    ``b2_customer_code`` (請求先顧客コード, up to 12 digits) and ``b2_freight_code`` (運賃管理番号,
    2 digits) are required and ``b2_class_code`` (請求先分類コード, 3 digits) is optional: they
    are on the shop's B2 contract. ``ehiden_customer_code`` (お客様コード, up to 12 digits) is
    e飛伝's optional code. Its repr masks the address like any :class:`Address`.
    """

    address: Address
    """The shop's address, phone and name (``name``) printed as ご依頼主 on every label."""
    b2_customer_code: str = attrs.field(default="", validator=_digits(12))
    """B2クラウド's 請求先顧客コード (up to 12 digits); ``export_b2`` refuses to run while it is
    blank (the default)."""
    b2_class_code: str = attrs.field(default="", validator=_digits(3, fixed=True))
    """B2クラウド's 請求先分類コード (3 digits), optional: blank leaves the column empty."""
    b2_freight_code: str = attrs.field(default="", validator=_digits(2, fixed=True))
    """B2クラウド's 運賃管理番号 (2 digits); ``export_b2`` refuses to run while it is blank (the
    default)."""
    ehiden_customer_code: str = attrs.field(default="", validator=_digits(12))
    """e飛伝's お客様コード (up to 12 digits), optional: blank leaves the column empty."""


class _Row:
    """One data row being filled, each value checked as it is put in its column."""

    def __init__(self, columns: tuple[str, ...], row: int) -> None:
        self.columns = columns
        self.row = row
        self.cells = [""] * len(columns)

    def refuse(self, header: str, key: str, value: object, expected: str) -> CarrierFileError:
        column = self.columns.index(header) + 1
        return CarrierFileError(self.row, column, f"{header} ({key})", value, expected)

    def put(self, header: str, key: str, value: str) -> None:
        self.cells[self.columns.index(header)] = value

    def code(self, header: str, key: str, value: str, limit: int) -> None:
        """Half-width letters, digits and signs only (numbers, codes, ids).

        The ``'`` a cell starting like a formula is written with counts towards ``limit``.
        """
        if not (value.isascii() and value.isprintable()) or len(neutralize(value)) > limit:
            raise self.refuse(header, key, value, f"at most {limit} half-width characters")
        self.put(header, key, value)

    def text(self, header: str, key: str, value: str, limit: int) -> None:
        """Text in CP932 of at most ``limit`` bytes (全角 ``limit / 2`` characters)."""
        self.put(header, key, _cp932(self, header, key, _composed(value), limit))

    def wrapped(self, headers: tuple[str, ...], key: str, parts: Iterable[str], limit: int) -> None:
        """Each part split over the next columns of ``limit`` bytes each, never cut off."""
        pieces: list[str] = []
        parts = [_composed(part) for part in parts]
        for part in parts:
            _cp932(self, headers[0], key, part, limit * len(headers))
            pieces.extend(_split(part.translate(_REPLACE), limit))
        if len(pieces) > len(headers):
            total = sum(len(p.encode(ENCODING)) for p in pieces)
            raise self.refuse(
                headers[-1],
                key,
                "".join(parts),
                f"text that fits {len(headers)} columns of {limit} CP932 bytes "
                f"(全角{limit // 2}文字 each), not {total} bytes",
            )
        for header, piece in zip(headers, pieces, strict=False):
            self.put(header, key, piece)


_DECOMPOSED_KANA = re.compile("[^\u3099\u309a][\u3099\u309a]")
"""A kana and a combining (han)dakuten: how macOS (NFD) writes ``ガ`` and ``パ``."""


def _composed(value: str) -> str:
    """``value`` with decomposed kana composed (``カ`` + U+3099 → ``ガ``), as CP932 holds them.

    Only those pairs are composed (NFC): a CJK compatibility ideograph a name is written with
    stays as it is.
    """
    return _DECOMPOSED_KANA.sub(lambda pair: normalize("NFC", pair.group()), value)


def _cp932(row: _Row, header: str, key: str, value: str, limit: int) -> str:
    text = value.translate(_REPLACE)
    for char in text:
        if not char.isprintable() and char != "\u3000":
            raise row.refuse(header, key, char, "text without control characters or line breaks")
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            raise row.refuse(
                header, key, char, "characters that Shift_JIS (CP932) can hold"
            ) from None
    size = len(neutralize(text).encode(ENCODING))
    if size > limit:
        raise row.refuse(
            header, key, value, f"at most {limit} CP932 bytes (全角{limit // 2}文字), not {size}"
        )
    return text


def _split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` CP932 bytes (once guarded), whole characters.

    A piece after the first does not start like a formula (``-5-6``) when it can be helped: it
    would be written with a ``'`` in the middle of the address. The characters before the sign
    go to the next piece with it (``…123`` + ``4-5-6``).
    """
    pieces: list[str] = []
    piece = ""
    for char in text:
        if piece and _size(piece + char) > limit:
            kept, carried = _break(piece, char, limit)
            pieces.append(kept)
            piece = carried
        piece += char
    if piece:
        pieces.append(piece)
    return pieces


def _size(text: str) -> int:
    return len(neutralize(text).encode(ENCODING))


def _break(piece: str, char: str, limit: int) -> tuple[str, str]:
    """``piece`` as the full piece and what of it the next piece (starting ``char``) takes."""
    if char not in FORMULA_STARTS:
        return piece, ""
    for cut in range(len(piece) - 1, 0, -1):
        if piece[cut] not in FORMULA_STARTS:
            if _size(piece[cut:] + char) > limit:
                break
            return piece[:cut], piece[cut:]
    return piece, ""  # nothing to carry that fits: the piece is guarded


def _postal(address: Address) -> str:
    return f"{address.postal_code[:3]}-{address.postal_code[3:]}"


def _street(address: Address) -> str:
    return f"{address.prefecture.ja}{address.city}{address.line1}"


Label = tuple[tuple[Shipment, Order], ...]
"""The shipments one label carries: a shipment alone, or the shipments of a 同梱 parcel."""


def _item_name(label: Label, item_name: str | None) -> str:
    if item_name is not None:
        return item_name
    shipment, order = label[0]
    first = order.line(shipment.lines[0].line_id).name
    lines = sum(len(member.lines) for member, _ in label)
    return first if lines == 1 else f"{first} ほか"


def _cod(label: Label, tax_rule: TaxRule) -> tuple[int, int] | None:
    """The amount the label collects and the consumption tax in it, or None (nothing to collect).

    A 同梱 box collects the sum of its shipments' amounts, and of the tax in each
    (:func:`_tax_in`).
    """
    amount = tax = 0
    for shipment, order in label:
        cod = shipment.cod_amount
        if cod is None or cod.amount <= 0:
            continue
        amount += int(cod.amount)
        tax += int(min(_tax_in(order, shipment, cod, tax_rule), cod.amount))
    return None if amount <= 0 else (amount, tax)


def _tax_in(order: Order, shipment: Shipment, cod: Money, tax_rule: TaxRule) -> Decimal:
    """The consumption tax in ``cod``, what ``shipment`` collects.

    The order's when it collects the whole order; its 納品書's when it collects what its note
    charges (a parcel's share, ``CodSplit.PER_SHIPMENT``); else a share of the order's tax by
    the amount, rounded down.
    """
    totals = order.totals(tax_rule)
    if cod == totals.total or totals.total.amount <= 0:
        return totals.tax_total.amount
    charged, tax = note_total(order, shipment.shipment_id, tax_rule)
    if cod == charged:
        return tax.amount
    return (totals.tax_total.amount * cod.amount / totals.total.amount).quantize(
        Decimal(1), ROUND_FLOOR
    )


def _pairs(pairs: object) -> list[tuple[Shipment, Order]]:
    """``pairs`` as a list of (Shipment, Order); ``InvalidValue`` naming the first that is not."""
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        raise InvalidValue("shipments", pairs, "(Shipment, Order) pairs")
    checked: list[tuple[Shipment, Order]] = []
    for index, pair in enumerate(pairs):
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], Shipment)
            and isinstance(pair[1], Order)
        ):
            raise InvalidValue(f"shipments[{index}]", pair, "a (Shipment, Order) pair")
        checked.append((pair[0], pair[1]))
    return checked


def label_rows(shipments: Iterable[tuple[Shipment, Order]]) -> list[Label]:
    """The rows :func:`export_b2` and :func:`export_ehiden` write for ``shipments``: one a label.

    A shipment in no parcel has a row of its own. The shipments of one 同梱 parcel
    (``Shipment.parcel``: one box, several orders) share one row, where the first of them is
    given: the carrier issues one tracking number for the box, and ``desk.ship`` with it moves
    every order of the box. The shipment that names the row (お客様管理番号) comes first: the
    first that collects 代引き, if one does, else the first given. Rows keep the order given.
    ``InvalidValue`` names an entry that is not a ``(Shipment, Order)`` pair.
    """
    rows: list[list[tuple[Shipment, Order]]] = []
    boxes: dict[str, list[tuple[Shipment, Order]]] = {}
    for pair in _pairs(shipments):
        parcel = pair[0].parcel
        if parcel is None:
            rows.append([pair])
        elif parcel in boxes:
            boxes[parcel].append(pair)
        else:
            boxes[parcel] = [pair]
            rows.append(boxes[parcel])
    labels: list[Label] = []
    for members in rows:
        collecting = [
            m for m in members if m[0].cod_amount is not None and m[0].cod_amount.amount > 0
        ]
        first = (collecting or members)[0]
        labels.append((first, *(m for m in members if m is not first)))
    return labels


def _arguments(
    pairs: object, shipper: object, shipped_on: object, item_name: object, tax_rule: object
) -> list[tuple[Shipment, Order]]:
    """The export's arguments checked before any row; the pairs as a list.

    ``InvalidValue`` names the first argument that is not what the export takes.
    """
    if not isinstance(shipper, Shipper):
        raise InvalidValue("shipper", shipper, "a Shipper")
    if not isinstance(shipped_on, date):
        raise InvalidValue("shipped_on", shipped_on, "a date (datetime.date)")
    if item_name is not None and not isinstance(item_name, str):
        raise InvalidValue("item_name", item_name, "a text, or None (the first line's name)")
    if tax_rule is not None and not isinstance(tax_rule, TaxRule):
        raise InvalidValue("tax_rule", tax_rule, "a TaxRule, or None")
    return _pairs(pairs)


def _checked(
    pairs: Iterable[tuple[Shipment, Order]], carrier: str, columns: tuple[str, ...], id_col: str
) -> list[tuple[int, Label]]:
    """The labels of ``pairs`` (:func:`label_rows`) with their row numbers, every shipment checked.

    A shipment not of its order, of another carrier, not instructed or given twice is refused
    on its label's row, in the お客様管理番号 column.
    """
    rows: list[tuple[int, Label]] = []
    seen: dict[str, int] = {}
    for row, label in enumerate(label_rows(pairs), start=2):
        where = _Row(columns, row)
        for shipment, order in label:
            sid = shipment.shipment_id
            if not any(s.shipment_id == sid for s in order.shipments):
                raise where.refuse(
                    id_col, "shipment_id", sid, f"a shipment of order {order.number}"
                )
            if shipment.carrier != carrier:
                raise where.refuse(id_col, "shipment_id", sid, f"a shipment sent by {carrier}")
            if shipment.status is not ShipmentStatus.INSTRUCTED:
                expected = "a shipment instructed, not yet shipped"
                raise where.refuse(id_col, "shipment_id", sid, expected)
            if sid in seen:
                raise where.refuse(id_col, "shipment_id", sid, f"a shipment not on row {seen[sid]}")
            seen[sid] = row
        rows.append((row, label))
    return rows


def export_b2(
    shipments: Iterable[tuple[Shipment, Order]],
    shipper: Shipper,
    shipped_on: date,
    *,
    item_name: str | None = None,
    tax_rule: TaxRule | None = None,
) -> bytes:
    """The B2クラウド import file (外部データから発行) for Yamato shipments, as CP932 bytes.

    One row per label after a header row (:func:`label_rows`: a shipment, or the shipments of a
    同梱 box, which collects their 代引き amounts together), in the 95 columns of B2's standard
    layout, CR LF line ends; every cell through :mod:`orderflow.csvsafe`. お客様管理番号 is the
    shipment id; 送り状種類 is 2 (コレクト) with the amount to collect and its tax when the
    shipment has a ``cod_amount``, else 0 (発払い); 出荷予定日 is ``shipped_on``; お届け予定日 and
    配達時間帯 come from the order's ``delivery_date`` and ``delivery_slot`` (:data:`B2_SLOTS`);
    品名１ is ``item_name`` or the first line's name (``… ほか`` when the parcel holds more).

    Raises :class:`CarrierFileError` naming the row and column of the first value the layout
    cannot take (too long, a character CP932 cannot hold, a shipment not instructed or not
    Yamato's): nothing is cut short. An argument of the wrong kind (a shipment that is not a
    ``(Shipment, Order)`` pair, a ``shipped_on`` that is not a date …) is an ``InvalidValue``
    naming it.
    """
    pairs = _arguments(shipments, shipper, shipped_on, item_name, tax_rule)
    for field in ("b2_customer_code", "b2_freight_code"):
        if not getattr(shipper, field):
            raise InvalidValue(f"shipper.{field}", "", "the code on the shop's B2 contract")
    rule = tax_rule or TaxRule()
    rows: list[list[str]] = [list(B2_COLUMNS)]
    for number, label in _checked(pairs, "yamato", B2_COLUMNS, "お客様管理番号"):
        shipment, order = label[0]
        row = _Row(B2_COLUMNS, number)
        row.code("お客様管理番号", "shipment_id", shipment.shipment_id, 20)
        cod = _cod(label, rule)
        row.put("送り状種類", "kind", "0" if cod is None else "2")
        row.put("クール区分", "cool", "0")
        row.put("出荷予定日", "shipped_on", f"{shipped_on:%Y/%m/%d}")
        if order.delivery_date is not None:
            row.put("お届け予定日", "delivery_date", f"{order.delivery_date:%Y/%m/%d}")
        if order.delivery_slot is not None:
            if order.delivery_slot not in B2_SLOTS:
                raise row.refuse("配達時間帯", "delivery_slot", order.delivery_slot, str(B2_SLOTS))
            row.put("配達時間帯", "delivery_slot", B2_SLOTS[order.delivery_slot])
        _b2_party(row, "お届け先", "ship_to", order.ship_to)
        row.put("敬称", "title", "様")
        _b2_party(row, "ご依頼主", "shipper", shipper.address)
        row.text("品名１", "item", _item_name(label, item_name), 50)
        if cod is not None:
            amount, tax = cod
            if order.currency != "JPY" or amount > _COD_LIMIT:
                raise row.refuse(
                    "ｺﾚｸﾄ代金引換額（税込)", "cod_amount", amount, "¥1 to ¥300,000 (JPY)"
                )
            row.put("ｺﾚｸﾄ代金引換額（税込)", "cod_amount", str(amount))
            row.put("内消費税額等", "cod_tax", str(tax))
        row.put("請求先顧客コード", "billing", shipper.b2_customer_code)
        row.put("請求先分類コード", "billing_class", shipper.b2_class_code)
        row.put("運賃管理番号", "freight", shipper.b2_freight_code)
        rows.append(row.cells)
    return write_rows(rows, encoding=ENCODING, newline="\r\n")


def _b2_party(row: _Row, who: str, key: str, address: Address) -> None:
    building = "アパートマンション名" if who == "お届け先" else "アパートマンション"
    row.code(f"{who}電話番号", f"{key}.phone", address.phone, 15)
    row.code(f"{who}郵便番号", f"{key}.postal_code", _postal(address), 8)
    row.text(f"{who}住所", f"{key}.street", _street(address), 64)
    row.text(f"{who}{building}", f"{key}.line2", address.line2, 32)
    row.text(f"{who}名", f"{key}.name", address.name, 32)


def export_ehiden(
    shipments: Iterable[tuple[Shipment, Order]],
    shipper: Shipper,
    shipped_on: date,
    *,
    item_name: str | None = None,
    tax_rule: TaxRule | None = None,
) -> bytes:
    """The e飛伝III import file (標準_飛脚宅急便_CSV_ヘッダ有り) for Sagawa shipments, CP932.

    One row per label (:func:`label_rows`: a 同梱 box is one) after a header row, in e飛伝III's
    74 columns, CR LF line ends, every cell through :mod:`orderflow.csvsafe`. お客様管理番号 is
    the shipment id (at most 16 characters); the address fills お届け先住所１-３ and the name
    お届け先名称１-２, each of 16 全角 characters (32 CP932 bytes), the text flowing on to
    the next column rather than being cut; 代引金額 and 消費税 are set when the label collects
    (a shipment's ``cod_amount``, a 同梱 box's sum); 配達日 and 配達指定時間帯 come from the
    order (:data:`EHIDEN_SLOTS`); 元着区分 is 1 (元払),
    スピード指定 000 (飛脚宅配便), クール便指定 001 (none), 出荷個数 1.

    Raises :class:`CarrierFileError` naming the row and column of the first value the layout
    cannot take, and ``InvalidValue`` naming an argument of the wrong kind.
    """
    pairs = _arguments(shipments, shipper, shipped_on, item_name, tax_rule)
    rule = tax_rule or TaxRule()
    rows: list[list[str]] = [list(EHIDEN_COLUMNS)]
    for number, label in _checked(pairs, "sagawa", EHIDEN_COLUMNS, "お客様管理番号"):
        shipment, order = label[0]
        row = _Row(EHIDEN_COLUMNS, number)
        ship_to = order.ship_to
        row.code("お届け先電話番号", "ship_to.phone", ship_to.phone, 14)
        row.code("お届け先郵便番号", "ship_to.postal_code", _postal(ship_to), 8)
        addresses = ("お届け先住所１", "お届け先住所２", "お届け先住所３")
        row.wrapped(addresses, "ship_to.street", [_street(ship_to), ship_to.line2], 32)
        row.wrapped(("お届け先名称１", "お届け先名称２"), "ship_to.name", [ship_to.name], 32)
        row.code("お客様管理番号", "shipment_id", shipment.shipment_id, 16)
        row.put("お客様コード", "customer_code", shipper.ehiden_customer_code)
        sender = shipper.address
        row.code("ご依頼主電話番号", "shipper.phone", sender.phone, 14)
        row.code("ご依頼主郵便番号", "shipper.postal_code", _postal(sender), 8)
        row.wrapped(
            ("ご依頼主住所１", "ご依頼主住所２"),
            "shipper.street",
            [_street(sender), sender.line2],
            32,
        )
        row.wrapped(("ご依頼主名称１", "ご依頼主名称２"), "shipper.name", [sender.name], 32)
        row.text("品名１", "item", _item_name(label, item_name), 32)
        row.put("出荷個数", "parcels", "1")
        row.put("スピード指定", "speed", "000")
        row.put("クール便指定", "cool", "001")
        if order.delivery_date is not None:
            row.put("配達日", "delivery_date", f"{order.delivery_date:%Y%m%d}")
        if order.delivery_slot is not None:
            if order.delivery_slot not in EHIDEN_SLOTS:
                raise row.refuse(
                    "配達指定時間帯", "delivery_slot", order.delivery_slot, str(EHIDEN_SLOTS)
                )
            row.put("配達指定時間帯", "delivery_slot", EHIDEN_SLOTS[order.delivery_slot])
        cod = _cod(label, rule)
        if cod is not None:
            if order.currency != "JPY":
                raise row.refuse("代引金額", "cod_amount", order.currency, "an amount in JPY")
            row.put("代引金額", "cod_amount", str(cod[0]))
            row.put("消費税", "cod_tax", str(cod[1]))
        row.put("元着区分", "payer", "1")
        row.put("出荷日", "shipped_on", f"{shipped_on:%Y%m%d}")
        rows.append(row.cells)
    return write_rows(rows, encoding=ENCODING, newline="\r\n")

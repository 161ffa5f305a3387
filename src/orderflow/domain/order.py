"""The order and its parts, as frozen values (受注データ).

An :class:`Order` never changes: every command returns a new one (``attrs.evolve``) together with
the :class:`OrderEvent` values saying what happened, which are also appended to its ``history``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, ClassVar

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain._order_checks import check_order
from orderflow.domain.address import Address, Customer
from orderflow.domain.line import OrderLine, _check_quantity, nonempty_text
from orderflow.domain.money import WIDE, Money
from orderflow.domain.payment import Payment, PaymentEntry, PaymentMethod, PaymentOp, PaymentOutcome
from orderflow.domain.returns import Return
from orderflow.domain.status import OrderStatus
from orderflow.domain.tax import TaxBreakdown, TaxRate, TaxRule, compute_tax
from orderflow.domain.tracking import TrackingStatus
from orderflow.errors import InvalidValue

if TYPE_CHECKING:
    from orderflow.domain.effects import Effect

__all__ = [
    "DROP_SHIP",
    "Allocation",
    "Hold",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderTotals",
    "Payment",
    "PaymentEntry",
    "PaymentMethod",
    "PaymentOp",
    "PaymentOutcome",
    "SetPart",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "drop_ship_supplier",
]


@attrs.frozen(slots=True)
class Allocation:
    """Units of one line reserved in one warehouse (引当)."""

    line_id: str
    """The order line (``OrderLine.line_id``) the units are reserved for."""
    warehouse: str
    """The code of the warehouse holding them (as in ``ShopSettings.warehouses``)."""
    quantity: int = attrs.field(validator=_check_quantity("allocation.quantity"))
    """Units reserved, 1 or more (whole sets for a set line: its components are reserved)."""


@attrs.frozen(slots=True)
class SetPart:
    """セット商品: units of one component of a set line reserved in one warehouse, not yet sets.

    Held only while the reservation round of that line and warehouse is being answered; when its
    last component is answered the whole sets become an :class:`Allocation` and the rest is
    released.
    """

    line_id: str
    """The set line (``OrderLine.line_id``) the component is reserved for."""
    warehouse: str
    """The code of the warehouse holding the component units."""
    sku: str
    """The component's SKU (one of the line's ``recipe``)."""
    quantity: int = attrs.field(validator=_check_quantity("set_part.quantity"))
    """Component units reserved so far, 1 or more (not sets)."""


class ShipmentStatus(enum.Enum):
    """Where one shipment (one parcel from one warehouse) is."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    INSTRUCTED = "instructed"
    """出荷指示済: the warehouse was told to ship it."""
    SHIPPED = "shipped"
    """出荷済: with the carrier, tracking number known."""
    DELIVERED = "delivered"
    """着荷済: the carrier reports it arrived."""
    RECALLED = "recalled"
    """The warehouse took the instruction back (while the other warehouses answer)."""


@attrs.frozen(slots=True)
class ShipmentLine:
    """So many units of one order line in one shipment."""

    line_id: str
    """The order line (``OrderLine.line_id``) the units belong to."""
    quantity: int
    """Units of that line in this shipment (whole sets for a set line)."""


@attrs.frozen(slots=True)
class Shipment:
    """What leaves one warehouse at one time with one carrier (出荷)."""

    shipment_id: str
    """``<order number>-S1``, ``-S2`` … in the order of instruction; the desk's ``ship`` and
    ``deliver`` take it."""
    warehouse: str
    """The warehouse code it leaves from, or ``supplier:<code>`` (``DROP_SHIP``) when the
    supplier ships it (メーカー直送)."""
    carrier: str
    """The carrier's code (``yamato``, ``sagawa``, ``japanpost``): ``ShopSettings.carrier``
    unless 出荷指示 named another."""
    lines: tuple[ShipmentLine, ...]
    """What is in the parcel: units per order line."""
    status: ShipmentStatus = ShipmentStatus.INSTRUCTED
    """Where it is: instructed, shipped, delivered (``RECALLED`` only while a 出荷指示取消 is
    being answered)."""
    tracking_number: str | None = None
    """送り状番号 in the carrier's normalised form (no hyphens), set at 出荷; None before, or
    when the carrier has no tracking."""
    shipped_at: datetime | None = None
    """When its 出荷 was recorded (aware UTC); the latest dates the sale under 出荷基準."""
    delivered_at: datetime | None = None
    """When its 着荷 was recorded (aware UTC); None before, and again after a 着荷取消. The
    latest dates the sale under 着荷基準 (the carrier's time of its 配達完了 when the carrier
    reported it: ``recognition_date``) and starts the return period."""
    cod_amount: Money | None = None
    """代引き: what the carrier collects on delivery of this parcel."""
    parcel: str | None = None
    """同梱: the parcel this shipment is packed in with other orders' shipments, if any."""
    tracking: TrackingStatus | None = None
    """配送状況: the state of the newest carrier event applied (by the carrier's time)."""
    tracked_at: datetime | None = None
    """The carrier's time of that event."""
    tracked_event: str = ""
    """The carrier's id of that event."""
    event_ids: tuple[str, ...] = ()
    """The ids of every carrier event recorded for this parcel (a repeat changes nothing)."""


DROP_SHIP = "supplier:"
"""The ``warehouse`` of a drop-shipped shipment starts so (``supplier:ACME``: ACME ships it)."""


def drop_ship_supplier(warehouse: str) -> str | None:
    """The supplier shipping from ``warehouse`` (``supplier:ACME`` → ``ACME``), else None."""
    return warehouse[len(DROP_SHIP) :] if warehouse.startswith(DROP_SHIP) else None


@attrs.frozen(slots=True)
class Hold:
    """Why an order is not moving (保留), without changing its status."""

    code: str
    """The reason code (``payment_pending``, ``remarks`` …: ``HoldCode`` lists orderflow's, a
    shop adds its own); an order has at most one open hold per code."""
    message: str = attrs.field(repr=masked_repr(mask_personal_data_in))
    """What a person must know, in Japanese (its e-mail addresses and phone numbers masked in
    the repr)."""
    raised_by: str
    """Who raised it: the ``actor`` of the command that did."""
    raised_at: datetime
    """When it was raised (aware UTC)."""
    cleared_by: str | None = None
    """Who cleared it (the command's ``actor``); None while it is open."""
    cleared_at: datetime | None = None
    """When it was cleared (aware UTC); None while it is open (``is_open``)."""
    message_en: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """The same in English."""

    @property
    def is_open(self) -> bool:
        """True until someone clears it."""
        return self.cleared_at is None

    def text(self, locale: str = "ja") -> str:
        """The message in ``locale`` (Japanese when there is no English)."""
        return self.message_en if locale.startswith("en") and self.message_en else self.message


@attrs.frozen(slots=True)
class OrderEvent:
    """One thing that happened to an order: a move or a recorded fact (履歴).

    The base of the typed events of :mod:`orderflow.domain.events` (one class per kind, with
    the fields it needs). ``name`` is the kind (the move, ``ship``, or the fact, ``hold_raised``).
    """

    at: datetime
    """The command's time (aware UTC); a carrier's own time is the event's ``carrier_at``."""
    actor: str
    """Who did it: the command's ``actor`` (``customer``, ``operator``, ``warehouse`` …), or
    ``system`` for orderflow's own steps."""
    from_status: OrderStatus
    """The order's status before."""
    to_status: OrderStatus
    """The status after: the move's target, or ``from_status`` again for a fact."""
    reason: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """Why, as the caller gave it (a cancellation's reason, ``配送状況``); "" when none."""
    name: ClassVar[str] = "event"
    """The kind, set by each event class: a move (``ship``) or a fact (``hold_raised``); the
    event's tag in the stored JSON and the key of its label."""

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """The kind's own fields as text, for rendering (``changes`` spread out)."""
        out: list[tuple[str, str]] = []
        for field in attrs.fields(type(self))[5:]:
            value = getattr(self, field.name)
            if field.name == "changes":
                out.extend(value)
            else:
                out.append((_DETAIL_NAMES.get(field.name, field.name), str(value)))
        return tuple(out)

    def detail(self, name: str) -> str | None:
        """The value of one detail as text, or None."""
        for key, value in self.details:
            if key == name:
                return value
        return None


_DETAIL_NAMES = {"detail_text": "detail", "old_fee": "from", "new_fee": "to"}


@attrs.frozen(slots=True)
class OrderTotals:
    """What an order adds up to under a shop's tax rule (合計)."""

    items: Money
    """Every line's amount, as priced."""
    shipping_fee: Money
    """送料, as priced (taxed at the standard rate)."""
    fees: Money
    """Other charges at the standard rate (the COD fee)."""
    discount: Money
    """値引き, as priced: a reduction apportioned over the tax rates' bases."""
    points_used: Money
    """The points the customer spent, as money (1 point = 1 unit): a reduction like ``discount``."""
    tax: TaxBreakdown
    """消費税 per rate on the bases after the reductions, rounded once per rate by the shop's
    rule; already inside the amounts when prices include tax."""
    total: Money
    """What the customer pays: charges less reductions, plus tax when prices exclude it."""

    @property
    def tax_total(self) -> Money:
        """Tax of every rate together."""
        return self.tax.tax


def _to_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    if type(lines) is tuple:
        return lines
    if isinstance(lines, str | bytes | dict) or not isinstance(lines, Iterable):
        raise InvalidValue("lines", lines, "OrderLines (a tuple or a list of them)")
    return tuple(lines)


_LINE_INDEXES: dict[int, tuple[tuple[OrderLine, ...], dict[str, OrderLine]]] = {}
_TOTALS: dict[int, tuple[tuple[OrderLine, ...], tuple[object, ...], OrderTotals]] = {}
"""Totals per content: a status change keeps the priced parts, so tax is worked out once."""


def line_index(lines: tuple[OrderLine, ...]) -> dict[str, OrderLine]:
    """Line id → line, built once per tuple of lines (copies of an order share theirs)."""
    cached = _LINE_INDEXES.get(id(lines))
    if cached is not None and cached[0] is lines:
        return cached[1]
    index = {line.line_id: line for line in lines}
    if len(_LINE_INDEXES) >= 4096:
        _LINE_INDEXES.clear()
    _LINE_INDEXES[id(lines)] = (lines, index)
    return index


@attrs.frozen(slots=True)
class Order:
    """An order after checkout, from 受注 to 計上済.

    Build a new one with :func:`orderflow.domain.lifecycle.new_order` or the desk's ``place``;
    every later change is made by a domain command returning a new value, saved as the next
    ``version``.
    """

    number: str = attrs.field(validator=nonempty_text)
    """受注番号, unique in the shop's store (the desk takes 1 to 64 printable characters, no
    spaces); shipment ids, split parts (``<number>-1``) and effect keys are built from it."""
    customer: Customer
    """Who placed the order (注文者)."""
    ship_to: Address
    """お届け先: where the parcels go (a gift's recipient, not always the customer)."""
    lines: tuple[OrderLine, ...] = attrs.field(converter=_to_lines)
    """受注明細: at least one, each line id used once, prices in the order's currency."""
    payment: Payment
    """The payment method, its ledger and the customer's payment instructions."""
    placed_at: datetime
    """When the order was placed (受注日時, aware UTC)."""
    shipping_fee: Money
    """送料 as priced, 0 or more, taxed at the standard rate; the review may correct it (a 離島
    surcharge)."""
    discount: Money
    """値引き (coupons) as priced, 0 or more: lowers the taxable amount, apportioned over the 10%
    and 8% bases; points are ``points_used``."""
    fees: Money
    """Charges other than items and shipping at the standard rate (the COD fee, 代引手数料)."""
    points_used: int = 0
    """Points the customer spent (1 point = 1 unit of the currency): a price reduction."""
    points_taken: int = 0
    """Points actually taken from the customer's balance so far (given back on cancel)."""
    channel: str = "web"
    """The sales channel the order came through (``web``, a marketplace …), as the shop names it;
    recorded, not interpreted (it is not the ``Channel`` of a policy's requester)."""
    remarks: str = attrs.field(default="", repr=masked_repr(mask_personal_data_in))
    """What the customer wrote in the order's remarks field (備考)."""
    status: OrderStatus = OrderStatus.ORDERED
    """Where the order is in the flow (受注ステータス); the status machine's moves change it, a
    hold does not."""
    holds: tuple[Hold, ...] = ()
    """Every hold raised, open and cleared, oldest first; an open one stops 出荷指示 and 計上."""
    allocations: tuple[Allocation, ...] = ()
    """引当: the units reserved, per line and warehouse; kept once shipped, emptied when the
    stock is released (a change, a split, a cancel). A drop-shipped line has none."""
    shipments: tuple[Shipment, ...] = ()
    """Every shipment instructed so far, in order; emptied when every warehouse took its
    instruction back (出荷指示取消)."""
    history: tuple[OrderEvent, ...] = ()
    """履歴: every event, oldest first; commands only append to it."""
    outbox: tuple[Effect, ...] = ()
    """Effects decided and not yet performed, in order (the transactional outbox)."""
    seq: int = 0
    """The last effect sequence number used: keys are ``<number>:<seq>``, never reused."""
    requests: tuple[str, ...] = ()
    """Request ids of the non-idempotent commands already done (see the desk's ``request_id``)."""
    proposal: Order | None = None
    """A change waiting for its gate (a new payment method, more points) to say yes."""
    version: int = 0
    """1 when placed, one more on each save; saving over a version that is no longer the stored
    one raises ``ConcurrencyError`` (optimistic locking). 0: never placed."""
    booked_at: datetime | None = None
    """When 計上 was done (aware UTC), None before; the journal entry is dated by
    ``ShopSettings.recognition`` instead (the last shipment's 出荷 or 着荷)."""
    address_guaranteed: bool = False
    """Amazon Pay: the ship-to came from Amazon with its guarantee (lost if it is edited)."""
    delivery_date: date | None = None
    """お届け希望日, if the customer asked for one."""
    delivery_slot: str | None = None
    """お届け時間帯 (``午前中``, ``14-16``, ``16-18``, ``18-20``, ``19-21``), if asked for."""
    tax_adjustments: tuple[tuple[TaxRate, Money], ...] = ()
    """Yen added to a rate's tax so that split parts add up to their parent (see split)."""
    bundle: tuple[str, ...] = ()
    """同梱: the numbers of the orders that share this order's parcel (itself included)."""
    arrivals: tuple[tuple[str, date], ...] = ()
    """入荷予定日: the expected arrival date of the units a line waits for (line id, date)."""
    split_from: str | None = None
    """The parent order this one was split from (注文分割)."""
    points_granted: int = 0
    """ポイント付与: points granted for this order (:mod:`orderflow.domain.points`)."""
    points_provisional: bool = False
    """The granted points are still 仮ポイント (not spendable until confirmed)."""
    points_revoked: int = 0
    """ポイント回収: granted points taken back from the customer's balance."""
    points_owed: int = 0
    """Points clawed back that the customer had already spent: owed to the shop (never a negative
    balance)."""
    points_withheld: int = 0
    """Points clawed back before the grant: the grant gives that many fewer."""
    points_due_at: datetime | None = None
    """When the grant (or, for 仮ポイント, the confirmation) falls due; None: nothing due."""
    returns: tuple[Return, ...] = ()
    """返品: the order's returns (:mod:`orderflow.domain.returns`); the status stays as it was."""
    exchange_for: str | None = None
    """交換: the order whose return this order replaces."""
    set_parts: tuple[SetPart, ...] = ()
    """セット商品: component units reserved for a set line and not yet whole sets (:class:`SetPart`,
    only while a reservation round is answered)."""

    def __attrs_post_init__(self) -> None:
        check_order(self)

    @property
    def currency(self) -> str:
        """The order's currency: that of its payment."""
        return self.payment.currency

    def line(self, line_id: str) -> OrderLine:
        """The line with ``line_id`` (found through an index, not by scanning the lines)."""
        found = line_index(self.lines).get(line_id)
        if found is None:
            raise InvalidValue("line_id", line_id, f"one of {[x.line_id for x in self.lines]}")
        return found

    @property
    def open_holds(self) -> tuple[Hold, ...]:
        """Holds nobody has cleared yet."""
        return tuple(h for h in self.holds if h.is_open)

    def allocated_quantity(self, line_id: str) -> int:
        """Units of ``line_id`` reserved so far, over every warehouse."""
        return sum(a.quantity for a in self.allocations if a.line_id == line_id)

    def unallocated(self) -> dict[str, int]:
        """Line id → units still to reserve (only lines with something missing).

        A drop-shipped line (``supplier`` set) is never missing: it needs no stock of ours.
        """
        held: dict[str, int] = {}
        for a in self.allocations:
            held[a.line_id] = held.get(a.line_id, 0) + a.quantity
        missing = {}
        for line in self.lines:
            if line.supplier is not None:
                continue
            short = line.quantity - held.get(line.line_id, 0)
            if short > 0:
                missing[line.line_id] = short
        return missing

    def totals(self, rule: TaxRule) -> OrderTotals:
        """Items, fees, reductions, tax per rate and the total to pay, under ``rule``."""
        inputs = (
            self.shipping_fee,
            self.discount,
            self.fees,
            self.points_used,
            self.tax_adjustments,
            rule,
        )
        cached = _TOTALS.get(id(self.lines))
        if cached is not None and cached[0] is self.lines and cached[1] == inputs:
            return cached[2]
        found = self._totals(rule)
        if len(_TOTALS) >= 4096:
            _TOTALS.clear()
        _TOTALS[id(self.lines)] = (self.lines, inputs, found)
        return found

    def _totals(self, rule: TaxRule) -> OrderTotals:
        # Sums of amounts within Money's bound are exact in WIDE, whatever the caller's context;
        # Money._exact refuses (InvalidValue) a total past the bound.
        with localcontext(WIDE):
            return self._exact_totals(rule)

    def _exact_totals(self, rule: TaxRule) -> OrderTotals:
        currency = self.currency
        zero = Decimal(0)
        by_rate: dict[TaxRate, Decimal] = {}
        items = zero
        for line in self.lines:
            amount = line.unit_price.amount * line.quantity
            items += amount
            by_rate[line.tax_rate] = by_rate.get(line.tax_rate, zero) + amount
        extra = self.shipping_fee.amount + self.fees.amount
        if extra:
            by_rate[TaxRate.STANDARD] = by_rate.get(TaxRate.STANDARD, zero) + extra
        charges = {rate: Money._exact(sum_, currency, "total") for rate, sum_ in by_rate.items()}
        points = Money._exact(Decimal(self.points_used), currency)
        reductions = self.discount + points
        breakdown = compute_tax(charges, reductions, rule)
        if self.tax_adjustments:
            breakdown = breakdown.adjusted(self.tax_adjustments)
        total = items + extra - reductions.amount
        if rule.mode.value == "exclusive":
            total += breakdown.tax.amount
        return OrderTotals(
            Money._exact(items, currency),
            self.shipping_fee,
            self.fees,
            self.discount,
            points,
            breakdown,
            Money._exact(total, currency),
        )

    def events_named(self, name: str) -> Iterator[OrderEvent]:
        """The history's events called ``name``, oldest first."""
        return (e for e in self.history if e.name == name)

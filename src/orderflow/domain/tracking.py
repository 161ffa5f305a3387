"""配送状況: what a carrier says about a parcel, as values (the carrier-events input).

A :class:`CarrierEvent` is one line of a carrier's tracking history (荷物追跡): the carrier, the
tracking number, what happened (:class:`TrackingStatus`), the carrier's own time of it, the
carrier's id of the event (for deduplication) and where. Events arrive late, twice, out of order,
or for a number no shipment has: all of that is normal input, handled by
:mod:`orderflow.domain.decisions.tracking`.

Events are ordered by :func:`event_key` — the carrier's time, then the natural order of the
states (a parcel is picked up before it is in transit …), then the event id — so that the newest
event of a shipment is the same whatever order the events came in.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import attrs

from orderflow._mask import mask_personal_data_in, masked_repr
from orderflow.domain.bounds import check_moment
from orderflow.errors import InvalidValue

__all__ = ["CarrierEvent", "TrackingStatus", "event_key"]


class TrackingStatus(enum.Enum):
    """Where the carrier says a parcel is (配送状況), in the order a parcel normally goes."""

    __hash__ = object.__hash__

    INSTRUCTED = "instructed"
    """荷物受付: the carrier has the shipment's data (送り状発行), the parcel not yet."""
    PICKED_UP = "picked_up"
    """集荷: the carrier took the parcel from the warehouse."""
    IN_TRANSIT = "in_transit"
    """輸送中: between the carrier's depots."""
    OUT_FOR_DELIVERY = "out_for_delivery"
    """配達中: on the van today."""
    ABSENT = "absent"
    """持戻り: nobody was home; the parcel went back to the depot (不在連絡票)."""
    DELIVERED = "delivered"
    """配達完了: handed over."""
    RETURNED_TO_SENDER = "returned_to_sender"
    """返送: on its way back to the shop (refused, unknown address, kept too long)."""
    LOST = "lost"
    """紛失: the carrier cannot find it."""

    @property
    def rank(self) -> int:
        """The state's place in the normal order (ties of the carrier's time are broken by it)."""
        return _RANK[self]


_RANK = {status: n for n, status in enumerate(TrackingStatus)}
_ZERO = timedelta(0)


def _text(limit: int, *, required: bool) -> Any:
    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        if (
            not isinstance(value, str)
            or len(value) > limit
            or (required and not value.strip())
            or not value.isprintable()
        ):
            what = "a non-empty text" if required else "a text"
            raise InvalidValue(attribute.name, value, f"{what} of at most {limit} characters")

    return check


def _check_kind(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, TrackingStatus):
        raise InvalidValue("kind", value, "a TrackingStatus (TrackingStatus.DELIVERED …)")


def _check_at(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_moment(value, "at")  # aware (a tzinfo that answers nonsense is refused), 1900-9000


@attrs.frozen(slots=True)
class CarrierEvent:
    """One tracking event of one parcel, as the carrier reports it (polled or pushed).

    ``carrier`` is the carrier code (``yamato``, ``sagawa``, ``japanpost``); ``tracking_number``
    as the carrier prints it (full-width digits and hyphens are read, see
    :mod:`orderflow.adapters.carriers`); ``at`` the carrier's time of the event (aware);
    ``event_id`` the carrier's id of the event, the same every time it is reported again.
    """

    carrier: str = attrs.field(validator=_text(32, required=True))
    """The carrier code (``yamato``, ``sagawa``, ``japanpost``), at most 32 characters."""
    tracking_number: str = attrs.field(validator=_text(64, required=True))
    """The tracking number (伝票番号) as the carrier prints it, at most 64 characters."""
    kind: TrackingStatus = attrs.field(validator=_check_kind)
    """What happened to the parcel (集荷, 配達完了, 持戻り …)."""
    at: datetime = attrs.field(validator=_check_at)
    """The carrier's time of the event, timezone-aware; events are ordered by it."""
    event_id: str = attrs.field(validator=_text(200, required=True))
    """The carrier's id of the event, the same each time it is reported again: a repeat
    counts once. At most 200 characters."""
    location: str = attrs.field(default="", validator=_text(200, required=False))
    """The depot or the place (営業所), if the carrier says."""
    detail: str = attrs.field(
        default="", validator=_text(500, required=False), repr=masked_repr(mask_personal_data_in)
    )
    """The carrier's words (不在連絡票番号, the reason for a return …); its e-mails and phone
    numbers are masked in the repr."""


def event_key(at: datetime, kind: TrackingStatus, event_id: str) -> tuple[datetime, int, str]:
    """The order of events: the carrier's time, the state's rank, the event id."""
    return at, kind.rank, event_id

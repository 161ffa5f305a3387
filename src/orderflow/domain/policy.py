"""Who may cancel or change an order, through which channel, until which status (ポリシー).

The seed's questions, as settings: can the customer cancel at all; from where (my page, the call
centre, a marketplace); until when (before 引当済, before 出荷指示済…). A policy is a list of
grants; a request is allowed when one grant covers its party, its channel and the order's status.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from orderflow.domain._checks import members
from orderflow.domain.machine import allowed_moves
from orderflow.domain.order import Order
from orderflow.domain.status import Move, OrderStatus
from orderflow.errors import ChangeRefused, InvalidValue, PolicyRefused

__all__ = [
    "CancelPolicy",
    "ChangePolicy",
    "Channel",
    "Grant",
    "Party",
    "Requester",
    "what_works_instead",
]

_FLOW = (
    OrderStatus.ORDERED,
    OrderStatus.UNALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.ALLOCATED,
    OrderStatus.SHIPPING_INSTRUCTED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.BOOKED,
)


class Party(enum.Enum):
    """Who asks."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    CUSTOMER = "customer"
    OPERATOR = "operator"
    """Shop staff (受注担当, the call centre's agent)."""
    SYSTEM = "system"
    """orderflow's sweeps and the shop's batch jobs."""


class Channel(enum.Enum):
    """Through which door the request came."""

    __hash__ = object.__hash__  # members are singletons; 4x faster than Enum.__hash__

    MY_PAGE = "my_page"
    """The shop's own site (購入履歴画面)."""
    CALL_CENTRE = "call_centre"
    """コールセンター / phone, mail to the shop."""
    MARKETPLACE = "marketplace"
    """A mall's order page (楽天, Amazon, Yahoo!)."""
    BACK_OFFICE = "back_office"
    """The shop's own admin screens and jobs."""


def _check_party(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Party):
        raise InvalidValue("party", value, "a Party (CUSTOMER, OPERATOR or SYSTEM)")


def _check_channel(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Channel):
        names = ", ".join(channel.name for channel in Channel)
        raise InvalidValue("channel", value, f"a Channel ({names})")


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValue("name", value, "a text (the actor recorded; '' for the party's name)")


@attrs.frozen(slots=True)
class Requester:
    """Who asks for a cancel or a change, and through which channel.

    Checked when built: a ``Party``, a ``Channel`` and a text (``InvalidValue`` naming the
    field), so a channel given as its text (``"my_page"``) is refused here, not by a command.
    """

    party: Party = attrs.field(validator=_check_party)
    """Who asks: the customer, shop staff or the system."""
    channel: Channel = attrs.field(validator=_check_channel)
    """Through which door the request came; grants may allow some channels only."""
    name: str = attrs.field(default="", validator=_check_name)
    """Recorded as the actor of the history event (``operator:sato``)."""

    @property
    def actor(self) -> str:
        """The actor recorded in the history."""
        return self.name or self.party.value

    @classmethod
    def customer(cls, channel: Channel = Channel.MY_PAGE) -> Requester:
        """The customer, from my page by default."""
        return cls(Party.CUSTOMER, channel)

    @classmethod
    def operator(cls, name: str = "", channel: Channel = Channel.BACK_OFFICE) -> Requester:
        """Shop staff."""
        return cls(Party.OPERATOR, channel, f"operator:{name}" if name else "")

    @classmethod
    def system(cls) -> Requester:
        """The system: orderflow itself or a batch job."""
        return cls(Party.SYSTEM, Channel.BACK_OFFICE)


def _channels(value: object) -> frozenset[Channel] | None:
    if value is None:
        return None
    each = "Channel members (Channel.MY_PAGE …)"
    return frozenset(members("channels", value, "Channel members", kind=Channel, each=each))


def _check_until(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in _FLOW or not isinstance(value, OrderStatus):
        names = ", ".join(status.name for status in _FLOW)
        raise InvalidValue("until", value, f"an OrderStatus of the flow: one of {names}")


@attrs.frozen(slots=True)
class Grant:
    """``party`` may act through ``channels`` (any if None) while the status is before ``until``."""

    party: Party = attrs.field(validator=_check_party)
    """Who the grant is for."""
    until: OrderStatus = attrs.field(validator=_check_until)
    """The first status at which it is no longer allowed (exclusive): a status of the flow,
    ``ORDERED`` to ``BOOKED``."""
    channels: frozenset[Channel] | None = attrs.field(default=None, converter=_channels)
    """The channels it allows; ``None`` allows any channel."""

    def covers(self, requester: Requester, status: OrderStatus) -> bool:
        """Whether this grant allows ``requester`` in ``status``."""
        if requester.party is not self.party or status not in _FLOW:
            return False
        if self.channels is not None and requester.channel not in self.channels:
            return False
        return _FLOW.index(status) < _FLOW.index(self.until)


def _grants(value: object) -> tuple[Grant, ...]:
    each = "Grant values such as Grant(Party.CUSTOMER, ...)"
    return tuple(members("grants", value, "Grant values", kind=Grant, each=each))


def _check_accepts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValue("accepts", value, "True or False")


def _describe(grants: tuple[Grant, ...]) -> str:
    if not grants:
        return "nobody"
    parts = []
    for grant in grants:
        via = (
            "any channel"
            if grant.channels is None
            else "/".join(sorted(c.value for c in grant.channels))
        )
        parts.append(f"{grant.party.value} via {via} before {grant.until.name}")
    return "; ".join(parts)


@attrs.frozen(slots=True)
class CancelPolicy:
    """Who may cancel until when. Default: the customer before 引当済, staff before 出荷指示済.

    After 出荷指示済 nobody cancels without recalling the instruction first (the machine's rule).
    """

    grants: tuple[Grant, ...] = attrs.field(
        factory=lambda: (
            Grant(Party.CUSTOMER, OrderStatus.ALLOCATED),
            Grant(Party.OPERATOR, OrderStatus.SHIPPING_INSTRUCTED),
            Grant(Party.SYSTEM, OrderStatus.SHIPPING_INSTRUCTED),
        ),
        converter=_grants,
    )
    """Who may cancel, through which channels, until which status; a request is allowed
    when one grant covers it. Empty: nobody may cancel."""

    def allows(self, order: Order, requester: Requester) -> bool:
        """Whether ``requester`` may cancel ``order`` now (one grant covers them)."""
        return any(g.covers(requester, order.status) for g in self.grants)

    def check(self, order: Order, requester: Requester) -> None:
        """Raise :class:`~orderflow.errors.PolicyRefused` unless ``requester`` may cancel.

        Past where any cancel is taken (shipped: a return or a refund remains), the refusal's
        ``instead`` names what works, as the status machine's refusal does.
        """
        if not self.allows(order, requester):
            cancellable = Move.CANCEL in allowed_moves(order.status)
            raise PolicyRefused(
                order.number,
                "cancel",
                requester.party.value,
                requester.channel.value,
                order.status.name,
                _describe(self.grants),
                "" if cancellable else what_works_instead(order),
            )


@attrs.frozen(slots=True)
class ChangePolicy:
    """Whether changes are taken, from whom and until when.

    Default: the customer from my page or the call centre before 引当済, staff before 出荷指示済.
    ``ChangePolicy(accepts=False)`` refuses every change: the customer cancels and orders again.
    """

    accepts: bool = attrs.field(default=True, validator=_check_accepts)
    """False refuses every change, whatever the grants (cancel and order again instead)."""
    grants: tuple[Grant, ...] = attrs.field(
        factory=lambda: (
            Grant(
                Party.CUSTOMER,
                OrderStatus.ALLOCATED,
                (Channel.MY_PAGE, Channel.CALL_CENTRE),
            ),
            Grant(Party.OPERATOR, OrderStatus.SHIPPING_INSTRUCTED),
            Grant(Party.SYSTEM, OrderStatus.SHIPPING_INSTRUCTED),
        ),
        converter=_grants,
    )
    """Who may change an order, through which channels, until which status; a request is
    allowed when one grant covers it. Empty: nobody may change."""

    def check(self, order: Order, requester: Requester) -> None:
        """Raise :class:`~orderflow.errors.ChangeRefused` unless ``requester`` may change it."""
        allowed = self.accepts and any(g.covers(requester, order.status) for g in self.grants)
        if not allowed:
            raise ChangeRefused(
                order.number,
                requester.party.value,
                requester.channel.value,
                order.status.name,
                _describe(self.grants) if self.accepts else "nobody (the shop takes no changes)",
                what_works_instead(order),
            )


def what_works_instead(order: Order) -> str:
    """What works instead of a refused change or cancel, from where ``order`` is.

    Cancel and re-order only while a cancel is allowed; a 分納 order drops the units waiting for
    stock; an instructed order is recalled first; a shipped one can only be returned or refunded.
    """
    status = order.status
    if status is OrderStatus.SHIPPING_INSTRUCTED and order.shipments and order.unallocated():
        return (
            "it can no longer be cancelled (parcels are instructed, 分納); "
            "desk.drop_missing(number) drops the units still waiting for stock"
        )
    if Move.CANCEL in allowed_moves(status):
        return "cancel it and place a new order instead"
    if status is OrderStatus.SHIPPING_INSTRUCTED:
        return (
            "it can no longer be cancelled; desk.recall(number) takes the shipping "
            "instruction back first, while no parcel has left"
        )
    if status is OrderStatus.CANCELLED:
        return "it is cancelled"
    return "it has shipped and can no longer be cancelled; a return or a refund is what remains"

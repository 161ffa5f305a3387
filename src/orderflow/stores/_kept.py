"""What an SQL store keeps in memory: decoded orders by version, and the claims it took."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from orderflow import codec
from orderflow.domain.order import Order
from orderflow.domain.queues import tracking_keys
from orderflow.errors import CodecError

__all__ = ["ClaimTokens", "Remembered"]


class Remembered:
    """Decoded orders kept by number and version, and the hold codes last written.

    A row that has not changed is not decoded again (orders are immutable and a version is
    written once). A save whose order had and has the same open holds skips the holds table.
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._orders: dict[str, Order] = {}
        self._holds: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._tracking: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {}

    def order(self, number: str, version: int, document: Any) -> Order:
        """The order of a row: the one remembered if its version is the row's, else decoded.

        A document that cannot be read raises :class:`~orderflow.errors.CodecError` with the
        path in ``field`` (``document`` for the whole of it) and the order's number in its
        message.
        """
        known = self._orders.get(number)
        if known is not None and known.version == version:
            return known
        try:
            if isinstance(document, (str, bytes)):
                return self.keep(codec.loads(document))
            return self.keep(codec.from_data(document))
        except CodecError as unreadable:  # the path alone would not say which order's it is
            raise CodecError(
                unreadable.field or "document",
                unreadable.value,
                f"{unreadable.expected} (in the stored document of order {number!r})",
            ) from unreadable

    def keep(self, order: Order, codes: tuple[str, ...] | None = None) -> Order:
        """Remember ``order``, and the hold codes just written with it (None: not known)."""
        if len(self._orders) >= self.limit:
            self._orders.clear()
            self._holds.clear()
            self._tracking.clear()
        self._orders[order.number] = order
        if codes is None:
            self._holds.pop(order.number, None)
            self._tracking.pop(order.number, None)
        else:
            self._holds[order.number] = (order.version, codes)
            self._tracking[order.number] = (order.version, tracking_keys(order))
        return order

    def holds_unchanged(self, number: str, expected_version: int, codes: tuple[str, ...]) -> bool:
        """True when the hold rows of the version being replaced are known to be ``codes``."""
        return self._holds.get(number) == (expected_version, codes)

    def tracking_unchanged(self, number: str, expected_version: int, order: Order) -> bool:
        """True when the tracking rows of the version being replaced are known to be ``order``'s."""
        known = self._tracking.get(number)
        return known is not None and known == (expected_version, tracking_keys(order))


class ClaimTokens:
    """The claims a store object took, each by the ``claimed_until`` it wrote: the claim's token.

    A worker gives back only its own claim: once its lease ran out and another worker claimed the
    order, its ``release_claim`` must leave the other's claim alone (else a third worker claimed
    the order while the second still drove it). Successive claims of one order write strictly
    later times, so the time a claim wrote tells it from every other. Kept per thread (threads
    sharing one store are separate workers), and per object for a release from another thread.
    """

    def __init__(self) -> None:
        self._mine = threading.local()
        self._any: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _of_thread(self) -> dict[str, Any]:
        mine: dict[str, Any] | None = getattr(self._mine, "claims", None)
        if mine is None:
            mine = self._mine.claims = {}
        return mine

    def took(self, numbers: Iterable[str], until: Any) -> None:
        """The calling worker claimed ``numbers`` until ``until``."""
        mine = self._of_thread()
        with self._lock:
            for number in numbers:
                mine[number] = until
                self._any[number] = until

    def give_back(self, number: str) -> Any:
        """The token of the claim on ``number`` to release; None when none was taken here."""
        until = self._of_thread().pop(number, None)
        with self._lock:
            if until is None:
                return self._any.pop(number, None)
            if self._any.get(number) == until:
                del self._any[number]
        return until

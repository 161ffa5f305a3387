"""Effects that keep records and tell people: points (ポイント), journal (会計), notices (連絡)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from orderflow.domain.booking import JournalEntry
from orderflow.domain.effects._base import Effect, Purpose

__all__ = [
    "ConfirmPoints",
    "GrantPoints",
    "Notify",
    "PostJournal",
    "RedeemPoints",
    "RestorePoints",
    "RevokePoints",
]


# -- ポイント / 会計 / 連絡 ----------------------------------------------------------------


@attrs.frozen(slots=True)
class RedeemPoints(Effect):
    """Take ``points`` from the customer's balance (points used on the order)."""

    points: int = 0
    """Points to take: the order's ``points_used`` (``place``), or what a change adds
    (``change``); a balance too small is a refusal."""
    purpose: Purpose = Purpose.PLACE
    """``place``: a refusal closes the new order; ``change``: a refusal drops the change, a
    success applies it."""
    kind: ClassVar[str] = "redeem_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""


@attrs.frozen(slots=True)
class RestorePoints(Effect):
    """Give ``points`` back to the customer's balance."""

    points: int = 0
    """Points given back: all taken (a cancel), what a change or a dropped remainder no longer
    uses, or a return's share."""
    kind: ClassVar[str] = "restore_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: points taken for nothing must go back to the customer."""


@attrs.frozen(slots=True)
class GrantPoints(Effect):
    """ポイント付与: give the customer ``points`` the order earned (仮ポイント if provisional).

    ``confirm_at`` is when provisional points fall due for confirmation.
    """

    points: int = 0
    """Points earned (``points_earned`` less any withheld by a clawback before the grant)."""
    provisional: bool = False
    """True to grant them as 仮ポイント (not spendable until ``ConfirmPoints``), when the
    shop's ``PointsGrant`` has ``confirm_days``."""
    confirm_at: datetime | None = None
    """When provisional points fall due for confirmation (it becomes the order's
    ``points_due_at`` once granted); None when not provisional. Not sent to the points system."""
    kind: ClassVar[str] = "grant_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: points the order earned must reach the customer."""


@attrs.frozen(slots=True)
class ConfirmPoints(Effect):
    """仮ポイント確定: make the order's provisional points spendable."""

    points: int = 0
    """Provisional points still there to confirm (granted less revoked)."""
    kind: ClassVar[str] = "confirm_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: provisional points due must become spendable."""


@attrs.frozen(slots=True)
class RevokePoints(Effect):
    """ポイント回収: take back up to ``points`` granted points; the answer says how many were there.

    What the customer already spent is recorded as owed (never a negative balance).
    """

    points: int = 0
    """Most points to take back; the answer says how many were found, the rest is recorded
    as owed (``points_owed``)."""
    kind: ClassVar[str] = "revoke_points"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: a clawback decided must reach the points system."""


@attrs.frozen(slots=True)
class PostJournal(Effect):
    """計上: post the sale's journal entry to accounting."""

    entry: JournalEntry | None = None
    """The journal entry (仕訳): the sale's at 計上, a return's reversing entry (売上戻り) or a
    goodwill refund's (売上値引); never None once decided. The answer is its reference in
    accounting."""
    kind: ClassVar[str] = "post_journal"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""
    obligation: ClassVar[bool] = True
    """An obligation: every booked sale, return and refund must reach accounting."""


@attrs.frozen(slots=True)
class Notify(Effect):
    """Send the customer a notice of ``notice`` kind with ``facts``."""

    notice: str = ""
    """The notice kind, one of ``orderflow.notices.NOTICE_KINDS`` (``order_confirmation``,
    ``shipping``, ``refund`` …): it picks the template."""
    facts: tuple[tuple[str, object], ...] = ()
    """(name, value) pairs the template fills in (``total``, ``tracking_number`` …), kept as
    values (Money, datetime) and formatted when rendered; the customer's ``name`` is added."""
    kind: ClassVar[str] = "notify"
    """Its tag in the stored outbox, errors and facts (see ``Effect.kind``)."""

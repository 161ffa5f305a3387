"""Effects: what the domain decided to do in the outside world, as small frozen values.

A command never calls a port. It decides the new order *and* the effects to perform, each with
its idempotency key (``<order number>:<per-order sequence>``), and the two are saved together in
one write (the order's *outbox*). The executor (:mod:`orderflow.app.executor`) then performs the
effects in order and folds each answer back through the domain (:mod:`orderflow.domain.answers`),
which may decide follow-up effects. A retry, a resume after a crash, or a second worker all find the
same effect under the same key, so the provider does the work at most once.

An answer is :class:`Done` (with the provider's reply) or :class:`Refused` (a decline, a provider
refusal): both are facts the domain handles. A time-out is no answer at all: the effect stays
pending and is performed again, with the same key, by the next command or ``resume``.
"""

from __future__ import annotations

from orderflow.domain.effects._base import Answer as Answer
from orderflow.domain.effects._base import Done, Effect, Purpose, Refused
from orderflow.domain.effects._goods import (
    CancelAtSupplier,
    CheckStock,
    Commit,
    CreatePart,
    Instruct,
    Recall,
    ReceivePurchased,
    Release,
    Reserve,
    Restock,
    SendToSupplier,
)
from orderflow.domain.effects._payments import (
    Authorize,
    Capture,
    CheckCredit,
    IssueAccount,
    IssueKonbini,
    PostpayAmend,
    PostpayCancel,
    PostpayRegister,
    PostpayReport,
    Refund,
    ReleaseAccount,
    Screen,
    Void,
    WithdrawKonbini,
)
from orderflow.domain.effects._records import (
    ConfirmPoints,
    GrantPoints,
    Notify,
    PostJournal,
    RedeemPoints,
    RestorePoints,
    RevokePoints,
)

__all__ = [
    "Authorize",
    "CancelAtSupplier",
    "Capture",
    "CheckCredit",
    "CheckStock",
    "Commit",
    "ConfirmPoints",
    "CreatePart",
    "Done",
    "Effect",
    "GrantPoints",
    "Instruct",
    "IssueAccount",
    "IssueKonbini",
    "Notify",
    "PostJournal",
    "PostpayAmend",
    "PostpayCancel",
    "PostpayRegister",
    "PostpayReport",
    "Purpose",
    "Recall",
    "ReceivePurchased",
    "RedeemPoints",
    "Refund",
    "Refused",
    "Release",
    "ReleaseAccount",
    "Reserve",
    "Restock",
    "RestorePoints",
    "RevokePoints",
    "Screen",
    "SendToSupplier",
    "Void",
    "WithdrawKonbini",
]

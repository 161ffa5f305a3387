"""What the domain does with each payment provider's answer (決済結果の反映): the table.

The folds live by method family: :mod:`~orderflow.domain.payments.card`,
:mod:`~orderflow.domain.payments.postpay` and :mod:`~orderflow.domain.payments.direct`. Each
takes the order (the effect already taken off its outbox), the effect, the answer and a
:class:`~orderflow.domain.outbox.Plan` for follow-up effects, and returns the new order. A refusal
is handled like any answer: a hold a person can act on, a notice, a compensating effect, or the
order left as it was.
"""

from __future__ import annotations

from orderflow.domain.effects import (
    Authorize,
    Capture,
    CheckCredit,
    Effect,
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
from orderflow.domain.payments.card import (
    fold_authorize,
    fold_capture,
    fold_refund,
    fold_screen,
    fold_void,
)
from orderflow.domain.payments.common import Fold, decline_placement, failure_reason
from orderflow.domain.payments.direct import (
    fold_issue_account,
    fold_issue_konbini,
    fold_release_account,
    fold_withdraw_konbini,
)
from orderflow.domain.payments.postpay import (
    fold_check_credit,
    fold_postpay_amend,
    fold_postpay_cancel,
    fold_postpay_register,
    fold_postpay_report,
)

__all__ = ["PAYMENT_FOLDS", "decline_placement", "failure_reason"]

PAYMENT_FOLDS: dict[type[Effect], Fold] = {
    Screen: fold_screen,
    Authorize: fold_authorize,
    Capture: fold_capture,
    Void: fold_void,
    Refund: fold_refund,
    PostpayRegister: fold_postpay_register,
    CheckCredit: fold_check_credit,
    PostpayAmend: fold_postpay_amend,
    PostpayReport: fold_postpay_report,
    PostpayCancel: fold_postpay_cancel,
    IssueAccount: fold_issue_account,
    ReleaseAccount: fold_release_account,
    IssueKonbini: fold_issue_konbini,
    WithdrawKonbini: fold_withdraw_konbini,
}
"""The fold of every payment effect's answer."""

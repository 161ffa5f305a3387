"""Bank deposits to virtual accounts and their reconciliation (入金消込).

Virtual account numbers (バーチャル口座) are reused over time: a deposit belongs to the one open
order that holds its account number *now*. Under- and over-payments, deposits with no open order
and payer names in half-width katakana are normal input, not errors. Reconciliation is pure: it
takes the deposits and the open accounts and says where every yen goes.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from orderflow._mask import mask_name, masked_repr
from orderflow.domain._text import storable
from orderflow.domain.money import Money
from orderflow.errors import InvalidValue

__all__ = [
    "Deposit",
    "DepositMatch",
    "MatchKind",
    "OpenAccount",
    "Reconciliation",
    "normalize_payer_name",
    "payer_search_key",
    "reconcile",
    "split_conflicts",
]


ACCOUNT_LIMIT = 100
"""The most characters of :attr:`Deposit.account` (a 支店コード-口座番号 is 11)."""
REFERENCE_LIMIT = 200
"""The most characters of :attr:`Deposit.reference`, as of a konbini payment's reference."""
PAYER_LIMIT = 200
"""The most characters of :attr:`Deposit.payer_name` (a 全銀 振込依頼人名 is 48)."""


def _bounded(field: str, value: object, limit: int) -> None:
    """Refuse ``value`` unless it is a text, not blank, storable, of at most ``limit``."""
    if not isinstance(value, str) or not value.strip() or len(value) > limit or not storable(value):
        raise InvalidValue(field, value, f"a non-empty text of at most {limit} characters")


@attrs.frozen(slots=True)
class Deposit:
    """One deposit as the bank reports it (振込入金明細)."""

    account: str = attrs.field()
    """The (virtual) account number credited: not blank, at most :data:`ACCOUNT_LIMIT` (100)
    characters."""
    amount: Money = attrs.field()
    """The money deposited, more than zero (yen for a Japanese bank)."""
    payer_name: str = attrs.field(repr=masked_repr(mask_name))
    """As the bank sends it, usually half-width katakana: ``ﾔﾏﾀﾞ ﾀﾛｳ`` (may be blank; masked in
    the repr)."""
    on: date = attrs.field()
    """The day the bank booked the deposit (入金日)."""
    reference: str = attrs.field()
    """The bank's reference for this deposit (照会番号); the same reference is one deposit. Not
    blank, at most :data:`REFERENCE_LIMIT` (200) characters."""
    cancelled: bool = attrs.field(default=False)
    """The bank reversed this deposit (取消): it moves no money. ``True`` or ``False`` (a bank's
    取消区分 ``"0"`` or ``"1"`` is refused: convert it)."""

    @account.validator
    def _check_account(self, attribute: attrs.Attribute[str], value: object) -> None:
        _bounded(attribute.name, value, ACCOUNT_LIMIT)

    @reference.validator
    def _check_reference(self, attribute: attrs.Attribute[str], value: object) -> None:
        _bounded(attribute.name, value, REFERENCE_LIMIT)

    @amount.validator
    def _check_amount(self, attribute: attrs.Attribute[Money], value: object) -> None:
        if not isinstance(value, Money) or value.amount <= 0:
            raise InvalidValue("amount", value, "a positive Money")

    @payer_name.validator
    def _check_payer(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or len(value) > PAYER_LIMIT or not storable(value):
            raise InvalidValue(
                "payer_name", value, f"the payer's name as text (at most {PAYER_LIMIT} characters)"
            )

    @on.validator
    def _check_on(self, attribute: attrs.Attribute[date], value: object) -> None:
        if not isinstance(value, date):
            raise InvalidValue("on", value, "the date of the deposit")

    @cancelled.validator
    def _check_cancelled(self, attribute: attrs.Attribute[bool], value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidValue("cancelled", value, "True (取消) or False")

    @property
    def payer_display(self) -> str:
        """The payer's name for people (full-width, 株式会社 marks spelled out)."""
        return normalize_payer_name(self.payer_name)


@attrs.frozen(slots=True)
class OpenAccount:
    """An open order waiting for a transfer: the account it holds, what it owes, what came."""

    account: str
    """The virtual account number (バーチャル口座) the order holds now."""
    order_number: str
    """The open order holding it, paying by bank transfer."""
    due: Money
    """What the order owes in all: its total, tax included, less refunds owed back for returns
    and goodwill (what its deposits must cover)."""
    received: Money
    """What it has received before this reconciliation, less any amount owed back."""
    since: date | None = None
    """The day the order was given the account (``None``: not known, an order stored before
    it was kept). A deposit dated before was made while the reused number was another order's:
    it is not this order's (unmatched, for a person)."""


class MatchKind(enum.Enum):
    """What a matched deposit did to its order."""

    EXACT = "exact"
    """The order is now paid exactly."""
    SHORT = "short"
    """Still short: the order waits for more (入金不足)."""
    OVER = "over"
    """Paid, and more than due: the excess is owed back (過入金)."""


@attrs.frozen(slots=True)
class DepositMatch:
    """A deposit applied to an order."""

    deposit: Deposit
    """The deposit as the bank reported it."""
    order_number: str
    """The order it was applied to: the open order holding its account."""
    kind: MatchKind
    """Whether the order is now paid exactly, still short, or over-paid."""
    received: Money
    """Everything the order has received, this deposit included."""
    due: Money
    """What the order owes in all (its total, less refunds owed back: :attr:`OpenAccount.due`)."""
    excess: Money
    """The part of this deposit above what was still due (owed back)."""


@attrs.frozen(slots=True)
class Reconciliation:
    """Where every deposit went."""

    matched: tuple[DepositMatch, ...]
    """Deposits applied to an open order, in the order given."""
    unmatched: tuple[Deposit, ...]
    """No open order holds the account: a person must look (入金不明)."""
    repeated: tuple[Deposit, ...]
    """Deposits whose reference was seen before: applied once only."""
    cancelled: tuple[Deposit, ...]
    """Reversed by the bank (取消) before any order took the money: moved no money. A deposit
    and its 取消 in the same batch are both here, and neither is applied."""
    reversed: tuple[Deposit, ...] = ()
    """取消 records of deposits an order took before (in an earlier batch): the bank took back
    money an order counts as received. Nothing is changed; a person must look (the order may
    have shipped on it)."""
    conflicting: tuple[Deposit, ...] = ()
    """Deposits whose reference came earlier in the same batch with another account, amount
    or date: not applied (the first one is); a person must look, the bank's file or its reader
    is wrong. (A reference applied in an earlier batch is :attr:`repeated`.)"""

    def deposited(self, currency: str) -> Money:
        """The money of the distinct, not-cancelled deposits."""
        return Money.total(
            [m.deposit.amount for m in self.matched] + [d.amount for d in self.unmatched], currency
        )


def split_conflicts(deposits: Sequence[Deposit]) -> tuple[list[Deposit], list[Deposit]]:
    """``deposits`` without those that contradict an earlier one, and those (in order).

    A deposit contradicts an earlier one of its reference when anything else differs (account,
    amount, date, payer): one transfer is reported once, so a person must look. The very record
    again is no contradiction (it is a repeat, counted once); 取消 records are not compared.
    """
    first: dict[str, Deposit] = {}
    kept: list[Deposit] = []
    conflicting: list[Deposit] = []
    for deposit in deposits:
        if not deposit.cancelled:
            earlier = first.setdefault(deposit.reference, deposit)
            if earlier != deposit:
                conflicting.append(deposit)
                continue
        kept.append(deposit)
    return kept, conflicting


def reconcile(
    deposits: Iterable[Deposit],
    open_accounts: Mapping[str, OpenAccount],
    seen_references: Iterable[str] = (),
) -> Reconciliation:
    """Match ``deposits`` (in order) to the open orders holding their accounts.

    ``open_accounts`` maps an account number to the one open order holding it now; a deposit
    dated before that order was given it (:attr:`OpenAccount.since`) is unmatched.
    ``seen_references`` are deposit references already applied earlier: they are not applied
    again. Deposits to the same account add up: short, then exact or over. A deposit the bank
    reversed (取消, ``cancelled``) moves no money: one whose original is in the same batch takes
    the original with it (neither is applied); one of a deposit applied earlier is returned as
    ``reversed``, for a person.
    """
    deposits = _each("deposits", deposits, Deposit, "a Deposit")
    if not isinstance(open_accounts, Mapping) or not all(
        isinstance(number, str) and isinstance(account, OpenAccount)
        for number, account in open_accounts.items()
    ):
        raise InvalidValue("open_accounts", open_accounts, "a mapping of account → OpenAccount")
    earlier = set(_each("seen_references", seen_references, str, "a deposit reference (text)"))
    taken_back = {deposit.reference for deposit in deposits if deposit.cancelled}
    seen: set[str] = set()
    seen_cancels: set[str] = set()
    received: dict[str, Money] = {}
    matched: list[DepositMatch] = []
    unmatched: list[Deposit] = []
    repeated: list[Deposit] = []
    cancelled: list[Deposit] = []
    reversed_: list[Deposit] = []
    deposits, conflicting = split_conflicts(deposits)
    for deposit in deposits:
        reference = deposit.reference
        if deposit.cancelled:
            if reference in seen_cancels:
                repeated.append(deposit)
            else:
                seen_cancels.add(reference)
                (reversed_ if reference in earlier else cancelled).append(deposit)
            continue
        if reference in earlier or reference in seen:
            repeated.append(deposit)
            continue
        seen.add(reference)
        if reference in taken_back:  # reversed in this very batch: the money did not stay
            cancelled.append(deposit)
            continue
        account = open_accounts.get(deposit.account)
        if (
            account is None
            or account.due.currency != deposit.amount.currency
            or (account.since is not None and deposit.on < account.since)
        ):
            unmatched.append(deposit)  # nobody's, or paid when the number was another order's
            continue
        before = received.get(deposit.account, account.received)
        after = before + deposit.amount
        received[deposit.account] = after
        due = account.due
        if after.amount < due.amount:
            kind, excess = MatchKind.SHORT, Money.zero(due.currency)
        elif after.amount == due.amount:
            kind, excess = MatchKind.EXACT, Money.zero(due.currency)
        else:
            kind = MatchKind.OVER
            excess = after - due if before.amount <= due.amount else deposit.amount
        matched.append(DepositMatch(deposit, account.order_number, kind, after, due, excess))
    return Reconciliation(
        tuple(matched),
        tuple(unmatched),
        tuple(repeated),
        tuple(cancelled),
        tuple(reversed_),
        tuple(conflicting),
    )


_CORPORATE = {  # 全銀 法人略語 (the bank's kana, as NFKC makes it) → the mark shown
    "カ": "(株)",  # 株式会社
    "ユ": "(有)",  # 有限会社
    "メ": "(名)",  # 合名会社
    "シ": "(資)",  # 合資会社
    "ド": "(同)",  # 合同会社
    "ゴ": "(同)",  # 合同会社, as some banks wrote it
    "イ": "(医)",  # 医療法人
    "ザイ": "(財)",  # 財団法人
    "シヤ": "(社)",  # 社団法人
    "シユウ": "(宗)",  # 宗教法人
    "ガク": "(学)",  # 学校法人
    "フク": "(福)",  # 社会福祉法人
    "ソ": "(相)",  # 相互会社
    "ホゴ": "(保護)",  # 更生保護法人
    "トクヒ": "(特非)",  # 特定非営利活動法人
    "ドク": "(独)",  # 独立行政法人
    "チドク": "(地独)",  # 地方独立行政法人
    "ベン": "(弁)",  # 弁護士法人
    "チユウ": "(中)",  # 中間法人
    "ギヨ": "(行)",  # 行政書士法人
    "シホウ": "(司)",  # 司法書士法人
    "ゼイ": "(税)",  # 税理士法人
    "ダイ": "(大)",  # 国立大学法人
    "ノウ": "(農)",  # 農事組合法人
    "ロウム": "(労)",  # 社会保険労務士法人
    "カンリ": "(管)",  # 管理組合法人
}
_MARKS = "|".join(re.escape(k) for k in sorted(_CORPORATE, key=len, reverse=True))
# before a name (カ)ヤマダ), after it (ヤマダ(カ), or in the middle, between parentheses
# (ヤマダ(カ)チバシテン: a branch's name follows)
_CORPORATE_RE = re.compile(rf"(^|\s)({_MARKS})\)|\(({_MARKS})\)|\(({_MARKS})(?=\s|$)")
_SHOWN = "|".join(
    re.escape(m[1:-1]) for m in sorted(set(_CORPORATE.values()), key=len, reverse=True)
)
_SMALL = str.maketrans("ァィゥェォッャュョヮ", "アイウエオツヤユヨワ")


def _each(field: str, values: object, kind: type, expected: str) -> list[Any]:
    """``values`` as a list, each a ``kind``; a text is no collection (of references)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidValue(field, values, f"a collection of values, each {expected}")
    out = list(values)
    for index, value in enumerate(out):
        if not isinstance(value, kind):
            raise InvalidValue(f"{field}[{index}]", value, expected)
    return out


def normalize_payer_name(raw: str) -> str:
    """``ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ`` → ``(株)ヤマダショウジ``; ``ﾔﾏﾀﾞ ﾀﾛｳ`` → ``ヤマダ タロウ``.

    Half-width katakana become full-width (NFKC, which also joins ﾀﾞ into ダ); the corporate
    abbreviations of the 全銀 法人略語 table (``ｶ`` 株式会社, ``ﾄﾞ`` 合同会社, ``ﾄｸﾋ``
    特定非営利活動法人 …), as a prefix (``ｶ)``), a suffix (``(ｶ``) or in the middle of a name
    (``(ｶ)``, a branch's name after it), in half or full width, become (株), (同), (特非) and
    so on; runs of spaces become one.
    """

    def expand(match: re.Match[str]) -> str:
        if match.group(2):
            return match.group(1) + _CORPORATE[match.group(2)]
        return _CORPORATE[match.group(3) or match.group(4)]

    if not isinstance(raw, str):
        raise InvalidValue("payer_name", raw, "a payer's name (text)")
    text = unicodedata.normalize("NFKC", raw.strip())  # ｶ) and カ) alike
    return " ".join(_CORPORATE_RE.sub(expand, text).split())


def payer_search_key(raw: str) -> str:
    """A key to search payer names by.

    Full-width katakana, no spaces, corporate marks and punctuation dropped, small kana made large
    (banks' transfer names carry no small kana).
    """
    text = normalize_payer_name(raw)
    text = re.sub(rf"\(({_SHOWN})\)", "", text)
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "()()・.,-ー-")
    return text.translate(_SMALL)

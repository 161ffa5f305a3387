"""Masking of personal data in ``repr()`` and error messages: one helper for every value.

Reprs and error messages end up in logs, tracebacks and bug reports, so they never show a
customer's e-mail, phone, street or card token whole:

- e-mail: ``taro@example.jp`` → ``t***@example.jp``;
- phone: ``03-1234-5678`` → ``03-****-5678`` (``090-****-5678`` for a mobile);
- street (the address lines after the city): ``1-2-3 ハイツ101`` → ``***``;
- card token: ``tok_visa_4242`` → ``tok_****`` (at most four leading characters);
- a person's name: ``山田 太郎`` → ``山***``.

Free text a customer or an operator wrote (remarks, hold messages) is masked with
:func:`mask_personal_data_in`: every e-mail address and phone number in it, found where it is.

The values themselves are untouched (``Address.phone`` is still the whole number); only their
printed form is masked.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Sized
from datetime import date, datetime, timedelta
from decimal import Decimal

__all__ = [
    "mask_contacts_in",
    "mask_email",
    "mask_emails_in",
    "mask_field",
    "mask_name",
    "mask_pairs",
    "mask_personal_data_in",
    "mask_phone",
    "mask_street",
    "mask_token",
    "masked_repr",
]

_HIDDEN = "***"


def mask_email(text: str) -> str:
    """``taro@example.jp`` → ``t***@example.jp``: the first letter and the domain are kept."""
    local, at, domain = text.rpartition("@")
    if not at:
        return mask_name(text)
    return f"{local[:1]}{_HIDDEN}@{domain}"


def mask_phone(text: str) -> str:
    """``03-1234-5678`` → ``03-****-5678``; ``090-1234-5678`` → ``090-****-5678``.

    Anything with fewer than ten digits (not a whole phone number) is hidden entirely.
    """
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch in "0123456789")
    if len(digits) < 10:
        return _HIDDEN
    head = 3 if len(digits) >= 11 else 2
    return f"{digits[:head]}-****-{digits[-4:]}"


def mask_street(text: str) -> str:
    """The address lines after the city (番地, building, room): hidden entirely."""
    return _HIDDEN if text else text


def mask_token(text: str) -> str:
    """``tok_visa_4242`` → ``tok_****``: at most four leading characters, never half."""
    return f"{text[: min(4, len(text) // 2)]}****"


def mask_name(text: str) -> str:
    """``山田 太郎`` → ``山***``: the first character only (blank text stays as it is)."""
    stripped = text.strip()
    return f"{stripped[:1]}{_HIDDEN}" if stripped else text


_BY_WORD: dict[str, Callable[[str], str]] = {
    "email": mask_email,
    "mail": mask_email,
    "recipient": mask_email,
    "phone": mask_phone,
    "tel": mask_phone,
    "line1": mask_street,
    "line2": mask_street,
    "street": mask_street,
    "address": mask_street,
    "to": mask_street,  # ship_to given as text: the whole address
    "account": mask_street,  # a return's refund_account: bank, number and holder
    "customer": mask_name,  # a customer given as text: a name
    "token": mask_token,
    "name": mask_name,
}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _masker(field: str) -> Callable[[str], str] | None:
    """The masker for a field named ``field``, or None: chosen by the field's last word.

    ``email`` in ``customer.email``, ``line1`` in ``ship_to.line1``, ``name`` in
    ``振込依頼人名 (payer_name)``.
    """
    words = _WORD.findall(field)
    return _BY_WORD.get(words[-1].lower()) if words else None


_SHOWN = 60
"""Characters of a text an error message shows (after masking); a longer one is cut."""
_PLAIN = (bool, int, float, Decimal, date, datetime, timedelta, enum.Enum)
"""Values whose repr holds no personal data: shown as they are."""


def _shown(value: object) -> str:
    """How an error shows a value given for a field that names no personal data.

    A text with its e-mail addresses and phone numbers masked and cut to :data:`_SHOWN`
    characters; numbers, dates, enum members and orderflow's own values (whose reprs are
    masked) as they are; anything else by its type (and size): a dict or tuple given instead of
    an ``Address`` holds the very data to hide.
    """
    if value is None or isinstance(value, _PLAIN):
        return repr(value)
    if isinstance(value, str):
        if _EMAIL.fullmatch(value.strip()):
            return repr(mask_email(value))
        if len(value) <= _SHOWN:
            return repr(mask_personal_data_in(value))
        # masked a little past the cut, so that no number is cut before it is recognised
        masked = mask_personal_data_in(value[: _SHOWN + 40])[:_SHOWN]
        return f"{masked!r}… ({len(value)} characters)"
    if type(value).__module__.split(".")[0] == "orderflow":
        return repr(value)  # orderflow's own values mask their reprs themselves
    if isinstance(value, Sized) and not isinstance(value, type):
        return f"<{type(value).__name__} of {len(value)}>"
    return f"<{type(value).__name__}>"


def mask_field(field: str, value: object) -> str:
    """``repr(value)``, masked when ``field`` names personal data; see :func:`_shown` else."""
    try:
        return _mask_field(field, value)
    except ValueError:  # an int past Python's 4,300 digits for str(), or one inside the value
        if isinstance(value, int):
            return f"<int of {value.bit_length()} bits>"
        return f"<{type(value).__name__} too large to show>"


_FIGURES = frozenset(
    {"amount", "on", "date", "at", "count", "total", "quantity", "fee", "price"}
    | {"number", "reference", "id", "key", "code"}
)
"""Last words of fields that hold amounts, dates, counts and the shop's or a provider's own
numbers (an order or tracking number, a deposit reference): their text is shown as it is (a
ten-digit amount or a zero-padded reference is not a phone number), cut like any text."""


def _mask_field(field: str, value: object) -> str:
    masker = _masker(field)
    if masker is None:
        words = _WORD.findall(field)
        if isinstance(value, str) and words and words[-1].lower() in _FIGURES:
            shown = value if len(value) <= _SHOWN else value[:_SHOWN]
            cut = "" if len(value) <= _SHOWN else f"… ({len(value)} characters)"
            return f"{shown!r}{cut}"
        return _shown(value)
    if value is None:
        return "None"
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, Sized) and not isinstance(value, str | type):
        return f"<{type(value).__name__} of {len(value)}>"  # a dict for an Address, say
    if not isinstance(value, str):
        return f"<{type(value).__name__} {masker(str(value))}>"
    return repr(masker(value))


def mask_emails_in(text: str) -> str:
    """``text`` with every e-mail address in it masked (see :func:`mask_email`)."""
    return _EMAIL_IN_TEXT.sub(lambda found: mask_email(found.group()), text)


_WIDE = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"  # full-width digits and letters
_EMAIL_PIECE = re.compile(rf"[A-Za-z0-9._%+\-{_WIDE}]+[@\uff20][A-Za-z0-9.\-{_WIDE}\uff0e]*")
"""An e-mail address, or the start of one that a cut left (``hanako@e``); half or full width."""
_D = "[0-9\uff10-\uff19]"
"""A digit, half or full width."""
_S = "[-\u2010\u2011\u2013\u2014\u2015\u30fc\u2212\uff0d \u3000()\uff08\uff09]"
"""What may stand between a phone number's digits: hyphens, dashes, spaces, brackets."""
_START = f"(?<!{_D})(?:[+\uff0b][8\uff18][1\uff11]{_S}?|[(\uff08]?[0\uff10])"
"""A phone number's start, not inside a longer number: ``0`` (``(0``), or ``+81`` for it."""
_PHONE_IN_TEXT = re.compile(f"{_START}{_D}(?:{_S}{{0,2}}{_D}){{8,9}}(?!{_D})")
"""A whole phone number: ten or eleven digits (the ``0`` counted) from its start."""
_PHONE_CUT = re.compile(
    f"{_START}(?:{_D}{{1,4}}{_S}+{_D}(?:{_S}{{0,2}}{_D}){{0,6}}|{_D}{{5,8}})(?=\\s*$)"
)
"""The start of a phone number at the very end of the text (``090-1111-22``): cut short."""


def _mask_phone_found(found: re.Match[str]) -> str:
    text = unicodedata.normalize("NFKC", found.group())
    digits = "".join(ch for ch in text if ch.isdigit())
    national = "0" + digits[2:] if digits.startswith("81") else digits  # +81 90-… is 090-…
    opened = text.startswith("(") and ")" not in text  # "(090-…)": the bracket is the text's
    return f"{found.group()[0]}{mask_phone(national)}" if opened else mask_phone(national)


def mask_personal_data_in(text: str) -> str:
    """``text`` (remarks, a hold's message) with its e-mail addresses and phone numbers masked.

    ``call 090-1111-2222, mail hanako@example.jp`` → ``call 090-****-2222, mail
    h***@example.jp``. A phone number is ten or eleven digits (half or full width, hyphens,
    spaces or brackets between them) starting with ``0``, or ``+81`` for the ``0``; other
    numbers (amounts; order, postal and tracking numbers) stay. Text cut short (an excerpt) is
    masked too: the start of an e-mail address (``hanako@e`` → ``h***@e``), and a number at
    the very end that begins like a phone number (``090-1111-22``; a postal code
    ``050-0001`` there as well) is hidden. Mask before cutting text when you can.
    """
    masked = _EMAIL_PIECE.sub(lambda found: mask_email(found.group()), text)
    masked = _PHONE_IN_TEXT.sub(_mask_phone_found, masked)
    return _PHONE_CUT.sub(_HIDDEN, masked)


def mask_contacts_in(text: str) -> str:
    """``text`` (a provider's or a database's message) with its e-mails and phone numbers masked.

    Like :func:`mask_personal_data_in` for whole text: only a whole phone number (ten or eleven
    digits from ``0`` or ``+81``) is masked, never a number at the end taken for one cut short
    (an order or reference number ending a message stays readable).
    """
    return _PHONE_IN_TEXT.sub(_mask_phone_found, mask_emails_in(text))


def masked_repr(masker: Callable[[str], str]) -> Callable[[object], str]:
    """An ``attrs.field(repr=...)`` callable: the field's repr with its text masked."""

    def show(value: object) -> str:
        return repr(masker(value)) if isinstance(value, str) else repr(value)

    return show


def mask_pairs(pairs: Iterable[object]) -> str:
    """A repr of ``((name, value), …)``, each value masked by its name (see :func:`mask_field`)."""
    items = [
        f"({pair[0]!r}, {mask_field(pair[0], pair[1])})"
        if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
        else mask_field("", pair)
        for pair in pairs
    ]
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"

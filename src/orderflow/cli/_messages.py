"""What the command line prints about ``--db``, and the exit code a database failure earns.

A PostgreSQL URL is printed with its password as ``***``; the password's text (as written, and
percent-decoded or encoded) is replaced by ``***`` wherever it appears in a message, whatever a
driver put there. Every message is one line.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote, unquote

from orderflow.errors import StoreError

__all__ = ["POSTGRES_SCHEMES", "describe_db", "is_configuration", "is_postgres", "one_line"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
"""A ``--db`` starting so is a PostgreSQL URL; anything else is a SQLite file's path."""

_QUERY_PASSWORD = re.compile(r"((?:^|[?&\s])password\s*=\s*)('[^']*'|[^&#\s]*)", re.IGNORECASE)
"""A ``password=`` parameter: in a URL's query or a libpq ``key=value`` string."""

_SQLITE_CONFIGURATION = {
    3: "SQLITE_PERM",
    8: "SQLITE_READONLY",
    11: "SQLITE_CORRUPT",
    14: "SQLITE_CANTOPEN",
    23: "SQLITE_AUTH",
    26: "SQLITE_NOTADB",
}
"""SQLite's result codes that running again will not cure: the file is wrong, not busy."""

_POSTGRES_CONFIGURATION = ("28", "3D")
"""SQLSTATE classes of a wrong URL: invalid authorization, no such database."""


def is_postgres(db: str) -> bool:
    """Whether ``--db`` is a PostgreSQL URL (``postgresql://…`` or ``postgres://…``)."""
    return db.strip().lower().startswith(POSTGRES_SCHEMES)


def _password_spans(db: str) -> list[tuple[int, int]]:
    """Where the URL's user-info password may be: as libpq reads it and as a person wrote it.

    libpq ends the user info at the first ``@`` with no ``/`` before it; a password written
    with an unencoded ``@`` or ``/`` ends at the last ``@``. Both are masked (more rather than
    less).
    """
    if "://" not in db:
        return []
    start = db.index("://") + 3
    first, last = db.find("@", start), db.rfind("@", start)
    spans = []
    for at in dict.fromkeys((first, last)):
        if at < 0 or (at == first != last and "/" in db[start:at]):
            continue
        colon = db.find(":", start, at)
        if 0 <= colon < at - 1:  # an empty password has nothing to hide
            spans.append((colon + 1, at))
    return spans


def _passwords(db: str) -> set[str]:
    """The password texts of ``db`` (user info and ``?password=``), as they are written."""
    found = {db[begin:end] for begin, end in _password_spans(db)}
    found.update(match.group(2).strip("'") for match in _QUERY_PASSWORD.finditer(db))
    try:
        from psycopg.conninfo import conninfo_to_dict

        found.add(str(conninfo_to_dict(db).get("password") or ""))
    except Exception:  # no psycopg, or a URL libpq refuses: masked above
        pass
    return {password for password in found if password}


def _secret_forms(db: str) -> list[str]:
    """Every form of the password a message may carry, longest first."""
    forms: set[str] = set()
    for password in _passwords(db):
        decoded = unquote(password)
        forms.update(
            (password, decoded, quote(password, safe=""), quote(decoded, safe=""), quote(decoded))
        )
    return sorted((form for form in forms if form), key=len, reverse=True)


def describe_db(db: str) -> str:
    """``db`` as it may be printed: a URL's password is replaced by ``***``.

    Never fails, even on a URL libpq refuses: the user info after the first ``:`` and a
    ``password=`` parameter are masked.
    """
    spans = _password_spans(db)  # any scheme://user:password@ (whatever its case)
    if spans:
        begin = min(span[0] for span in spans)
        end = max(span[1] for span in spans)
        db = f"{db[:begin]}***{db[end:]}"
    return _QUERY_PASSWORD.sub(lambda match: f"{match.group(1)}***", db)


def one_line(message: str, db: str | None = None) -> str:
    """``message`` on one line, with ``db`` (a URL) and its password masked wherever they occur."""
    if db is not None:
        message = message.replace(db, describe_db(db))
        for secret in _secret_forms(db):
            message = message.replace(secret, "***")
    return " ".join(message.split())


def is_configuration(failed: StoreError) -> bool:
    """Whether the database failed for its configuration (exit 2), not for being down (exit 3).

    A SQLite file that is not a database, cannot be opened or written, and a PostgreSQL URL
    libpq refuses, a wrong password or a missing database are configuration: running again will
    not help. A server that refuses connections, a busy file, a lost connection are not.
    """
    cause = failed.__cause__
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)  # extended codes keep it in the low byte
        return isinstance(code, int) and (code & 0xFF) in _SQLITE_CONFIGURATION
    try:
        import psycopg
    except ImportError:
        return False
    if isinstance(cause, psycopg.ProgrammingError | psycopg.InterfaceError):
        return True  # a URL libpq cannot parse, an unknown parameter, no privilege
    if isinstance(cause, psycopg.Error):
        return (cause.sqlstate or "")[:2] in _POSTGRES_CONFIGURATION
    return False

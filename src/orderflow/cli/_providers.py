"""Whose providers a command that calls them runs on: ``--desk MODULE:FUNCTION`` or ``--fakes``.

``resume``, ``sweep``, ``import-transfers`` and ``apply-deposit`` perform effects: they authorize,
capture, instruct warehouses, send notices. On the bundled fakes those calls reach nobody, yet the
orders would record them as done, so these commands never pick the fakes by default. A shop names
its own desk factory (``--desk``, or the ``ORDERFLOW_DESK`` environment variable), a function
that takes the store and the inventory the command opened on ``--db`` and returns the shop's
:class:`~orderflow.OrderDesk` wired to its adapters; ``--fakes`` is for a demo or test database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from orderflow._mask import mask_contacts_in
from orderflow.cli._common import ExitCode, Refused, open_desk, open_storage
from orderflow.desk import OrderDesk

__all__ = ["DESK_VARIABLE", "add_provider_options", "desk_factory", "open_work_desk"]

DESK_VARIABLE = "ORDERFLOW_DESK"
"""The environment variable that names the desk factory when ``--desk`` is not given."""

_NEITHER = (
    "name the providers: --desk MODULE:FUNCTION (or ORDERFLOW_DESK) makes the shop's own desk "
    "with its adapters; --fakes uses the bundled fakes, for a demo or test database only (they "
    "reach no provider, yet the orders would record the work as done)"
)


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    """``--desk MODULE:FUNCTION`` and ``--fakes`` (one of them, or ``ORDERFLOW_DESK``)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--desk",
        metavar="MODULE:FUNCTION",
        help=(
            "the shop's desk factory: FUNCTION(store=, inventory=) returns its OrderDesk with "
            f"its own adapters (default: ${DESK_VARIABLE})"
        ),
    )
    group.add_argument(
        "--fakes",
        action="store_true",
        help="run on the bundled fake providers (a demo or test database only)",
    )


def desk_factory(spec: str) -> Callable[..., Any]:
    """The function ``spec`` names, ``package.module:function``.

    The module is imported as Python finds it; only a module found nowhere else is looked for in
    the working directory (after every installed package, so a file there never shadows one).
    """
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise Refused(ExitCode.USAGE, f"--desk {spec}: expected MODULE:FUNCTION")
    try:
        found: Any = _import(module_name)
        for part in name.split("."):
            found = getattr(found, part)
    except Exception as failed:  # the shop's module: any error is its configuration
        raise Refused(ExitCode.USAGE, f"--desk {spec}: cannot load it ({_told(failed)})") from None
    if not callable(found):
        raise Refused(ExitCode.USAGE, f"--desk {spec}: expected a function, found {found!r}")
    return found  # type: ignore[no-any-return]


def _told(failed: Exception) -> str:
    """The shop's error, its class and text: the text may hold anything (contacts masked)."""
    return f"{type(failed).__name__}: {mask_contacts_in(str(failed))}"


def _import(module_name: str) -> Any:
    """``module_name`` imported; from the working directory only if it is found nowhere else."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        top = module_name.partition(".")[0]
        here = os.getcwd()
        if missing.name != top or here in sys.path:
            raise
    sys.path.append(here)
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(here)


@contextmanager
def open_work_desk(args: argparse.Namespace, now: datetime | None = None) -> Iterator[OrderDesk]:
    """The desk a command that calls providers runs on: the shop's (``--desk``) or the fakes'.

    Neither named: refused (exit 2) before the database is opened. ``now`` (``sweep --now``)
    moves the fakes' clock; a shop's desk keeps its own clock, so it is refused with ``--desk``.
    """
    fakes = bool(getattr(args, "fakes", False))
    spec = getattr(args, "desk", None) or (None if fakes else os.environ.get(DESK_VARIABLE))
    if not spec and not fakes:
        raise Refused(ExitCode.USAGE, _NEITHER)
    if not spec:
        with open_desk(args.db, now) as desk:
            yield desk
        return
    if now is not None:
        raise Refused(ExitCode.USAGE, "--now moves the fakes' clock: a --desk keeps its own")
    factory = desk_factory(spec)
    with open_storage(args.db) as (store, inventory):
        try:
            desk = factory(store=store, inventory=inventory)
        except Refused:
            raise
        except Exception as failed:  # the shop's factory: any error is its configuration
            raise Refused(ExitCode.USAGE, f"--desk {spec}: it failed ({_told(failed)})") from None
        if not isinstance(desk, OrderDesk):
            raise Refused(
                ExitCode.USAGE, f"--desk {spec}: expected an OrderDesk, it returned {desk!r}"
            )
        yield desk

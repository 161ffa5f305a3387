"""The providers of a campaign flow seen from another process: proxies over a pipe.

The SIGKILL campaign (:mod:`tests.integration.campaign_sigkill`) runs the desk in a child process
that the parent kills. The providers are in-memory fakes: to outlive the child they stay in the
parent, and the child holds a :class:`Remote` for each, which forwards every call, attribute
read and attribute write over a ``multiprocessing`` pipe. The parent performs it on the real
fake (:func:`serve_one`) and sends back the answer or the exception (orderflow's errors pickle).

The child also sends *notes* (no answer expected) when it begins and ends a write to the SQLite
file, so that the parent can kill it in the middle of one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

Path = tuple[str, ...]
"""Where a remote object lives in the parent: a root's name, then attribute names."""


class Link:
    """The child's end of the pipe: ask (and wait for the answer) or note (and go on)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ask(self, message: tuple[Any, ...]) -> Any:
        """Send ``message``; return the parent's answer or raise the error it sent back."""
        self.conn.send(message)
        kind, value = self.conn.recv()
        if kind == "raise":
            raise value
        return value

    def note(self, *what: str) -> None:
        """Tell the parent where the child is; no answer."""
        self.conn.send(("note", *what))


class Remote:
    """A fake living in the parent: calls, attribute reads and writes go over the pipe.

    A method read returns a function calling it remotely; a dict attribute another
    :class:`Remote` (so ``postpay.decisions[who] = ...`` writes in the parent); any other
    attribute a pickled copy. Callables set on the proxy stay local (the campaign's crashes
    replace a method on the object, as they do on a fake).
    """

    def __init__(self, link: Link, path: Path) -> None:
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_methods", set())

    def __repr__(self) -> str:
        return f"Remote({'.'.join(self._path)})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._methods:
            return self._method(name)
        kind, value = self._link.ask(("get", self._path, name))
        if kind == "method":
            self._methods.add(name)
            return self._method(name)
        if kind == "dict":
            return Remote(self._link, (*self._path, name))
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or callable(value):
            object.__setattr__(self, name, value)
        else:
            self._link.ask(("set", self._path, name, value))

    def _method(self, name: str) -> Callable[..., Any]:
        link, path = self._link, self._path

        def remote_call(*args: Any, **kwargs: Any) -> Any:
            return link.ask(("call", path, name, args, kwargs))

        remote_call.__name__ = name
        return remote_call

    # a dict in the parent (``claims``, ``decisions``, ``balances`` …)
    def __getitem__(self, key: Any) -> Any:
        return self._method("__getitem__")(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._method("__setitem__")(key, value)

    def __contains__(self, key: Any) -> bool:
        return bool(self._method("__contains__")(key))

    def __len__(self) -> int:
        return int(self._method("__len__")())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._method("keys")())

    def get(self, key: Any, default: Any = None) -> Any:
        """``dict.get`` in the parent (a method of the proxy, so a dict's, not a fake's)."""
        return self._method("get")(key, default)


def resolve(roots: Mapping[str, Any], path: Path) -> Any:
    """The parent's object at ``path``."""
    target = roots[path[0]]
    for name in path[1:]:
        target = getattr(target, name)
    return target


def _copyable(value: Any) -> Any:
    """``keys()`` and ``items()`` views do not pickle: their lists do."""
    if type(value).__name__ in ("dict_keys", "dict_values", "dict_items"):
        return list(value)
    return value


def serve_one(roots: Mapping[str, Any], message: tuple[Any, ...]) -> tuple[str, Any]:
    """Perform one request of the child on the parent's objects: ``("ok"|"raise", value)``."""
    try:
        op, path = message[0], message[1]
        target = resolve(roots, path)
        if op == "call":
            _, _, name, args, kwargs = message
            return "ok", _copyable(getattr(target, name)(*args, **kwargs))
        if op == "get":
            value = getattr(target, message[2])
            if isinstance(value, dict):
                return "ok", ("dict", None)
            if callable(value):
                return "ok", ("method", None)
            return "ok", ("value", value)
        if op == "set":
            setattr(target, message[2], message[3])
            return "ok", None
        raise ValueError(f"unknown request {op!r}")
    except Exception as error:  # the fake's answer (a refusal, a time-out) or a harness bug
        return "raise", error


def reply(conn: Connection, answer: tuple[str, Any]) -> str:
    """Send ``answer``; one that does not pickle goes back as an error: what went wrong, or ''."""
    try:
        conn.send(answer)
    except Exception as error:  # a harness bug: the flow fails with it
        wrong = f"answer does not pickle: {error!r} ({answer!r:.200})"
        conn.send(("raise", RuntimeError(wrong)))
        return wrong
    return ""

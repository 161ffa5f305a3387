"""The fault campaign with the desk's process killed by SIGKILL at random points.

Each flow keeps its orders and stock in a SQLite file (``SQLiteStore`` and ``SQLiteInventory``)
and its providers in the fakes of the *parent* process (the test). The parent forks a *child*
that runs the flow's random commands (:func:`~tests.integration.campaign.place`,
:func:`~tests.integration.campaign.random_command`, with their faults and in-process crashes)
on a desk of its own over the same file, whose providers are proxies forwarding every call to
the parent's fakes (:mod:`tests.integration.campaign_rpc`). The parent kills the child with
``SIGKILL`` at one point of one of four kinds, chosen by a seeded random source:

- ``before``: on the Nth provider call, before doing it (the call never happened);
- ``after``: on the Nth provider call, after doing it, before answering (the answer is lost);
- ``write``: at the Nth write to the file (an order saved, a claim, a stock movement), right
  as it begins or a fraction of a millisecond later: inside the transaction or just after;
- ``timer``: at a random moment, wherever the child is (deciding, reading, writing).

Then the parent does what a restarted worker does: after the dead worker's claims lapse (the
clock moves past the lease) a new desk on the file runs ``desk.resume_pending()`` until
nothing is pending, with the parent's own fakes. A flow has one to three such segments, each a
new child continuing with more commands; at the end every law of
:mod:`tests.integration.campaign_laws` is checked, the units received read back from the
stock ledger (the child's memory died with it).

``python -m tests.integration.campaign_sigkill --flows 300`` prints the violations as JSON.
Linux only (``fork``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from orderflow import Order
from orderflow.errors import OrderflowError
from orderflow.stores import MovementKind, SQLiteInventory, SQLitePurchaseOrderStore
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.integration.campaign import place, random_command, settle
from tests.integration.campaign_laws import violations
from tests.integration.campaign_po import PO_RECEIPT
from tests.integration.campaign_rpc import Link, Remote, reply, serve_one
from tests.integration.campaign_sqlite import CampaignStore, FaultyInventory, close
from tests.integration.campaign_world import PORTS, WAREHOUSES, Flow, new_flow

KINDS = ("before", "after", "write", "timer")
PROVIDERS = (
    "gateway",
    "amazon_pay",
    "fraud",
    "postpay",
    "bank",
    "konbini",
    "accounting",
    "notifier",
    "supplier",
    "points",
    "clock",
)
STEPS = 25
"""Commands a child runs when nobody kills it."""
HUNG = 60.0
"""Seconds after which a child that neither ends nor talks is killed and the flow fails."""
LEASE = timedelta(minutes=5)
"""``resume_pending``'s default lease: a dead worker's claims lapse after it."""


# -- the child ------------------------------------------------------------------------------


class NotedStore(CampaignStore):
    """The store of the child: tells the parent when each write begins and ends."""

    link: Link

    def _noted(self, what: str, work: Callable[[], Any]) -> Any:
        self.link.note("begin", what)
        answer = work()
        self.link.note("end", what)
        return answer

    def add(self, order: Order) -> None:
        self._noted("add", lambda: super(NotedStore, self).add(order))

    def save(self, order: Order, *, expected_version: int) -> None:
        self._noted(
            "save", lambda: super(NotedStore, self).save(order, expected_version=expected_version)
        )

    def claim_pending(self, **kwargs: Any) -> list[str]:
        return cast(
            list[str], self._noted("claim", lambda: super(NotedStore, self).claim_pending(**kwargs))
        )

    def release_claim(self, number: str) -> None:
        self._noted("release_claim", lambda: super(NotedStore, self).release_claim(number))


class NotedInventory(SQLiteInventory):
    """The stock of the child: tells the parent when each movement begins and ends."""

    link: Link | None = None  # set once the schema is there

    def _write(self, what: str, work: Any) -> Any:
        if self.link is None:
            return super()._write(what, work)
        self.link.note("begin", f"stock.{what}")
        answer = super()._write(what, work)
        self.link.note("end", f"stock.{what}")
        return answer


def child_shop(link: Link, path: Path, settings: Any) -> FakeShop:
    """The child's shop: its own connections to the file, proxies for every provider."""
    store = NotedStore(path)
    store.link = link
    inner = NotedInventory(path)
    inner.link = link
    inventory = FaultyInventory(inner)
    remote: dict[str, Any] = {name: Remote(link, (name,)) for name in PROVIDERS}
    shop = FakeShop(
        None,  # type: ignore[arg-type]  # wired just below
        cast(Any, store),
        remote["gateway"],
        cast(Any, inventory),
        {w: cast(Any, Remote(link, (w,))) for w in WAREHOUSES},
        remote["accounting"],
        remote["notifier"],
        remote["clock"],
        remote["amazon_pay"],
        remote["fraud"],
        remote["postpay"],
        remote["bank"],
        remote["konbini"],
        remote["points"],
        supplier=remote["supplier"],
        purchase_orders=SQLitePurchaseOrderStore(path),  # 発注 live in the file too
    )
    shop.desk = desk_on(
        shop,
        store=store,
        inventory=cast(Any, inventory),
        settings=settings,
        purchase_orders=shop.purchase_orders,
    )
    return shop


def child_main(conn: Connection, flow: Flow, path: Path, segment: int) -> None:
    """Run one segment of the flow's commands, then say so (unless killed first)."""
    link = Link(conn)
    shop = child_shop(link, path, flow.shop.desk.settings)
    rng = random.Random(f"{flow.seed}/{segment}")
    child = Flow(flow.seed, rng, shop, next_number=1001 + 1000 * segment)
    if segment == 0:
        for _ in range(rng.randint(1, 3)):
            place(child)
    for _ in range(STEPS):
        random_command(child)
    settle(child)
    link.note("done")


def fork_child(flow: Flow, path: Path, segment: int) -> tuple[int, Connection]:
    """Start the child; the parent keeps no connection to the file while it runs."""
    ours, theirs = Pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller
        code = 0
        try:
            ours.close()
            child_main(theirs, flow, path, segment)
        except BaseException:  # reported to the parent
            code = 1
            with contextlib.suppress(BaseException):  # else the parent sees EOF
                theirs.send(("note", "error", traceback.format_exc(limit=12)))
        finally:
            os._exit(code)
    theirs.close()
    return pid, ours


# -- the parent -----------------------------------------------------------------------------


class Stats:
    """What the kills did: planned and landed by kind, and where the writes were cut."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def add(self, other: Stats) -> None:
        self.count.update(other.count)

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.count.items()))


def roots_of(shop: FakeShop) -> dict[str, Any]:
    """The parent's fakes by the names the child's proxies use."""
    roots: dict[str, Any] = {name: getattr(shop, name) for name in PROVIDERS}
    roots.update(shop.warehouses)
    return roots


def run_segment(
    flow: Flow, path: Path, segment: int, kind: str, plan: random.Random, stats: Stats
) -> list[str]:
    """One child, served until it ends or is killed as ``kind`` says; the errors it reported."""
    roots = roots_of(flow.shop)
    # a segment makes some 20 provider calls and 60 writes in some 80 ms: most kills land
    target = {"before": plan.randint(1, 20), "after": plan.randint(1, 20)}.get(kind, 0)
    target = plan.randint(1, 50) if kind == "write" else target
    deadline = time.monotonic() + plan.uniform(0.0, 0.05) if kind == "timer" else None
    pid, conn = fork_child(flow, path, segment)
    hung = time.monotonic() + HUNG
    stats.count[f"planned:{kind}"] += 1
    calls = writes = 0
    errors: list[str] = []
    killed = ""
    writing = ""  # the write the child began and has not said it ended
    try:
        while True:
            now = time.monotonic()
            if not conn.poll(max(0.0, min(deadline or hung, hung) - now)):
                os.kill(pid, signal.SIGKILL)
                if deadline is None or time.monotonic() >= hung:
                    errors.append(f"the child hung for {HUNG}s (segment {segment})")
                    return errors
                killed = "timer:" + ("in a write" if writing else "elsewhere")
                break
            try:
                message = conn.recv()
            except EOFError:
                break
            if message[0] == "note":
                if message[1] == "error":
                    errors.append(f"the child failed: {message[2]}")
                elif message[1] == "end":
                    writing = ""
                elif message[1] == "begin":
                    writing = message[2]
                    writes += 1
                    if writes == target and kind == "write":
                        time.sleep(plan.choice([0.0, 0.0, plan.uniform(0.0, 0.0005)]))
                        os.kill(pid, signal.SIGKILL)
                        killed = "write:" + _cut(conn, message[2])
                        break
                continue
            root, name = message[1][0], message[2] if message[0] == "call" else ""
            port_call = name in PORTS.get(root, ())
            calls += port_call
            if port_call and calls == target and kind == "before":
                os.kill(pid, signal.SIGKILL)
                killed = f"before:{root}.{name}"
                break
            answer = serve_one(roots, message)
            if port_call and calls == target and kind == "after":
                os.kill(pid, signal.SIGKILL)
                killed = f"after:{root}.{name}"
                break
            if answer[0] == "raise" and not isinstance(answer[1], OrderflowError):
                errors.append(f"{root}.{name or message[2]} failed in the parent: {answer[1]!r}")
            wrong = reply(conn, answer)
            if wrong:
                errors.append(wrong)
    finally:
        _, status = os.waitpid(pid, 0)
        conn.close()
    stats.count["port calls served"] += calls
    stats.count["writes begun"] += writes
    landed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    if landed and killed:
        stats.count[f"killed:{killed.split(':')[0]}"] += 1
        if kind in ("write", "timer"):
            stats.count[f"killed:{killed}"] += 1
        else:  # which provider method: killed:before at postpay.register …
            stats.count[f"killed:{kind} at {killed.split(':')[1]}"] += 1
    elif killed and status == 0:  # it had finished a moment before: a write at the very end
        stats.count[f"missed:{kind}"] += 1
    elif status != 0:
        errors.append(f"the child died on its own ({status})")
    return errors


def _cut(conn: Connection, what: str) -> str:
    """After a kill in a write: ``inside`` unless the child had said the write ended."""
    try:
        while conn.poll(0.05):
            message = conn.recv()
            if message[:3] == ("note", "end", what):
                return "after"
    except (EOFError, OSError):
        pass
    return "inside"


def attach(flow: Flow, path: Path) -> None:
    """A restarted worker: a new desk on new connections to the file, on the parent's fakes."""
    store = CampaignStore(path)
    inventory = FaultyInventory(SQLiteInventory(path))
    settings = flow.shop.desk.settings
    flow.shop.store, flow.shop.inventory = cast(Any, store), cast(Any, inventory)
    flow.shop.purchase_orders = SQLitePurchaseOrderStore(path)
    flow.shop.desk = desk_on(
        flow.shop,
        store=store,
        inventory=cast(Any, inventory),
        settings=settings,
        purchase_orders=flow.shop.purchase_orders,
    )


def received(inventory: SQLiteInventory) -> dict[tuple[str, str], int]:
    """Units received (and adjusted) per (warehouse, SKU), from the stock ledger.

    Receipts against purchase orders are left out: the stock law counts those from the
    purchase orders' own keys (``po_stock_receipts``); returned units restocked (返品再入庫,
    reason ``return …``) too: the laws count them from the orders' returns.
    """
    units: dict[tuple[str, str], int] = {}
    for m in inventory.movements():
        if m.key is not None and m.key.startswith(PO_RECEIPT):
            continue
        if m.kind is MovementKind.RECEIVE and m.reason.startswith("return "):
            continue
        if m.kind in (MovementKind.RECEIVE, MovementKind.ADJUST):
            units[(m.warehouse, m.sku)] = units.get((m.warehouse, m.sku), 0) + m.done
    return units


def run_sigkill_flow(
    seed: int,
    *,
    kinds: tuple[str, ...] = KINDS,
    sabotage: Callable[[Flow], None] | None = None,
) -> tuple[list[str], Stats]:
    """One flow of one to three killed segments; the laws it breaks, and what the kills did.

    ``sabotage`` runs in the parent after every child, before the resume (the "can fail" tests
    plant a fault with it).
    """
    plan = random.Random(f"sigkill/{seed}")
    stats = Stats()
    found: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sigkill-") as folder:
        flow = new_flow(seed, Path(folder))
        path = Path(folder) / "shop.sqlite3"
        close(flow.shop)  # no connection of the parent's crosses the fork
        for segment in range(plan.randint(1, 3)):
            found += run_segment(flow, path, segment, plan.choice(kinds), plan, stats)
            attach(flow, path)
            try:
                if sabotage is not None:
                    sabotage(flow)
                flow.shop.clock.advance(LEASE + timedelta(minutes=1))  # the dead worker's claims
                settle(flow)
            finally:
                close(flow.shop)
        attach(flow, path)
        try:
            settle(flow)
            flow.received = received(flow.shop.inventory.inner)  # type: ignore[attr-defined]
            found += violations(flow)
        finally:
            close(flow.shop)
    stats.count["flows"] += 1
    stats.count["broken flows"] += bool(found)
    return found, stats


def sigkill_campaign(flows: int, first_seed: int = 0) -> tuple[dict[int, list[str]], Stats]:
    """Run ``flows`` flows from ``first_seed``: seed → violations (flows with any), the kills."""
    broken: dict[int, list[str]] = {}
    stats = Stats()
    for seed in range(first_seed, first_seed + flows):
        try:
            found, one = run_sigkill_flow(seed)
            stats.add(one)
        except Exception:
            found = [f"crashed: {traceback.format_exc(limit=8)}"]
        if found:
            broken[seed] = found
    return broken, stats


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.integration.campaign_sigkill --flows N [--seed S]``: JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="broken flows to print")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    broken, stats = sigkill_campaign(args.flows, args.seed)
    elapsed = time.perf_counter() - started
    for seed, found in list(broken.items())[: args.show]:
        print(f"# seed {seed}: {found[:3]}", file=sys.stderr)
    print(f"# kills: {json.dumps(stats.as_dict(), ensure_ascii=False)}", file=sys.stderr)
    count = sum(len(v) for v in broken.values())
    kills = sum(stats.count[f"killed:{kind}"] for kind in KINDS)
    for metric, value, unit in (
        ("campaign_sigkill_violations", count, "violations"),
        ("campaign_sigkill_flows", args.flows, "flows"),
        ("campaign_sigkill_kills", kills, "kills"),
        ("campaign_sigkill_s", round(elapsed, 1), "s"),
    ):
        print(json.dumps({"metric": metric, "value": value, "unit": unit}))
    return 1 if count else 0


if __name__ == "__main__":
    raise SystemExit(main())

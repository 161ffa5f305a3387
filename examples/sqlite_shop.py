"""A small shop on a SQLite file, stopped in the middle of a lifecycle and resumed from the file.

The orders and the stock live in ``shop.sqlite3``; the payment provider and the warehouse are the
bundled fakes (they stand for the outside world, which remembers what it was asked). The shop's
process dies while telling the warehouse to ship: the decision and its pending effects were saved
first, so a new process finds them in the file and finishes them, each with the same key.
"""

import tempfile
from pathlib import Path

from orderflow import Address, Customer, Money, OrderLine, OrderStatus, QueueQuery, TaxRate
from orderflow.errors import EffectInterrupted
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on

folder = Path(tempfile.mkdtemp())
db = folder / "shop.sqlite3"
world = fake_shop()  # the providers: card gateway, warehouse, accounting, notifier …


def open_desk():  # what every worker process does at start
    store, inventory = SQLiteStore(db), SQLiteInventory(db)
    return desk_on(world, store=store, inventory=inventory), store, inventory


desk, store, inventory = open_desk()
inventory.receive("TOKYO", "TEA-100", 10, reason="入荷")
inventory.receive("TOKYO", "MUG-01", 3, reason="入荷")
desk.place(
    number="1001",
    customer=Customer("C1", "山田 太郎", "taro@example.jp"),
    ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
    lines=[
        OrderLine("L1", "TEA-100", "静岡煎茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-01", "湯呑", Money.yen(3300), 1),
    ],
    token="tok_visa",
    shipping_fee=Money.yen(880),
)
desk.accept("1001")  # allocated: 3 units reserved in the file's stock ledger

warehouse = world.warehouses["TOKYO"]
real_instruct = warehouse.instruct


def power_cut(**request):  # the process dies during the call to the warehouse
    raise SystemError("power cut")


warehouse.instruct = power_cut
try:
    desk.instruct_shipping("1001")
except EffectInterrupted as stopped:
    print("stopped:", stopped)
store.close()
inventory.close()
warehouse.instruct = real_instruct  # the warehouse is reachable again

# -- a new process: everything it knows comes from the file ---------------------------------
desk, store, inventory = open_desk()
print("stuck orders:", desk.queue(QueueQuery.stuck(world.clock.now())))  # ['1001']
finished = desk.resume_pending()  # the instruction is sent now, under the key saved before
assert [o.number for o in finished] == ["1001"]
assert desk.get("1001").status is OrderStatus.SHIPPING_INSTRUCTED
assert len(warehouse.instructed) == 1  # told once

desk.ship("1001", "1001-S1", tracking_number="1234-5678-9013")
desk.deliver("1001", "1001-S1")
order = desk.book("1001")
print(order.status.ja, desk.totals(order).total, "on hand:", inventory.stock("TOKYO", "TEA-100"))
assert inventory.stock("TOKYO", "TEA-100").on_hand == 8
store.close()
inventory.close()

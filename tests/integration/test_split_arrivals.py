"""注文分割 of an order waiting for stock: each part keeps the expected dates of its own lines.

Every part took the parent's 入荷予定日 whatever its lines: the part of the pen carried the tea's
date, and a line added to it later under the tea's id (the part never had one) was told the
tea's date in its backorder notice.
"""

from datetime import date

from orderflow import Money, OrderChange, OrderLine, TaxRate
from tests.builders import place, shop

LINES = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
]


def test_each_part_keeps_the_dates_of_its_own_waiting_lines() -> None:
    s = shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 0})
    place(s, "4001", LINES)
    s.desk.accept("4001")
    s.desk.allocate("4001")
    s.desk.expect_arrival("4001", "L1", date(2026, 12, 5))
    mugs, teas = s.desk.split("4001", [{"L2": 1}, {"L1": 2}])
    assert mugs.arrivals == ()
    assert teas.arrivals == (("L1", date(2026, 12, 5)),)
    cake = OrderLine("L1", "CAKE-1", "羊羹", Money.yen(1620), 1, TaxRate.REDUCED)
    s.desk.change(mugs.number, OrderChange(add_lines=(cake,)))
    assert s.desk.get(mugs.number).arrivals == ()

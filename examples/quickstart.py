"""Quick start: one order from 受注 to 計上済 on the bundled fakes."""

from orderflow import Address, Customer, Money, OrderLine, TaxRate
from orderflow.testing import fake_shop

shop = fake_shop({("TOKYO", "TEA-100"): 10, ("TOKYO", "MUG-01"): 3})
desk = shop.desk

order = desk.place(
    number="1001",
    customer=Customer("C1", "山田 太郎", "taro@example.jp"),
    ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
    lines=[
        OrderLine("L1", "TEA-100", "静岡煎茶", Money.yen(1080), 2, TaxRate.REDUCED),
        OrderLine("L2", "MUG-01", "湯呑", Money.yen(3300), 1),
    ],
    token="tok_visa",  # the gateway's stored card token
    shipping_fee=Money.yen(880),
)
desk.accept("1001")  # reviewed (注文確認); nothing to hold, so it is allocated at once
desk.instruct_shipping("1001")
desk.ship("1001", "1001-S1", tracking_number="1234-5678-9013")
desk.deliver("1001", "1001-S1")
order = desk.book("1001")

print(order.status.ja, desk.totals(order).total)  # 計上済 6340 JPY
assert order.payment.captured == desk.totals(order).total

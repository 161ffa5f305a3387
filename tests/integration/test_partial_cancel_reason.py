"""A partial cancel tells the customer why, as a full cancel does (``Reason: …``).

The order-changed notice listed what was taken off the order but not the reason the shop gave
(欠品のため …), which the cancellation notice of a whole order shows.
"""

from orderflow import OrderChange
from tests.builders import STOCK, shop, to_allocated

STOCK_SHORT = {**STOCK, ("TOKYO", "TEA-1"): 1}  # 2 of tea asked, 1 on the shelf


def test_the_order_changed_notice_of_a_partial_cancel_gives_the_reason() -> None:
    s = shop()
    to_allocated(s)
    s.desk.cancel("1001", reason="欠品のため <b>", lines={"L1": 1})
    notice = s.notifier.sent[-1]
    assert notice.kind == "order_changed" and notice.fact("reason") == "欠品のため <b>"
    text = notice.text
    assert text.index("■ご注文から取り消した商品") < text.index("理由: 欠品のため <b>")
    assert "理由: 欠品のため &lt;b&gt;" in notice.html  # the shop's words, escaped


def test_a_change_without_a_reason_shows_no_reason_line() -> None:
    s = shop()
    order = to_allocated(s)
    s.desk.change("1001", OrderChange(remove_lines={order.lines[1].line_id}))
    notice = s.notifier.sent[-1]
    assert notice.kind == "order_changed" and "■ご注文から取り消した商品" in notice.text
    assert "理由" not in notice.text and "Reason" not in notice.text


def test_a_reason_the_library_wrote_is_shown_in_the_notices_language() -> None:
    s = shop(STOCK_SHORT)
    to_allocated(s)  # 中途引当: the tea waits for stock
    s.desk.drop_missing("1001")  # the library's own reason, in English in the history
    notice = s.notifier.sent[-1]
    assert notice.kind == "order_changed"
    assert "理由: 入荷待ちの商品の取消" in notice.text

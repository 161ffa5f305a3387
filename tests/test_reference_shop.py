"""The reference shop (examples/reference_shop) through HTTP, on a SQLite file, with TestClient."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from orderflow import CarrierEvent, OrderStatus, TrackingStatus
from orderflow.errors import ConcurrencyError
from orderflow.stores import SQLiteStore
from orderflow.testing import Fault

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from reference_shop.app import create_app
from reference_shop.wiring import Shop, open_shop

EVENT_AT = "2026-11-22T10:00:00+09:00"  # an hour after the fakes' clock


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "shop.sqlite3"


@pytest.fixture
def app(db: Path) -> FastAPI:
    return create_app(db, wall_clock=False)  # the tests move the fakes' clock themselves


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:  # runs the lifespan: the file is opened here
        stock(client, "TEA-100", 20)
        stock(client, "MUG-01", 10)
        yield client


def shop(app: FastAPI) -> Shop:
    running: Shop = app.state.shop
    return running


def stock(client: TestClient, sku: str, units: int) -> None:
    body = {"warehouse": "TOKYO", "sku": sku, "quantity": units, "receipt_id": f"R-{sku}"}
    assert client.post("/webhooks/warehouse/received", json=body).status_code == 200


def order_body(number: str, n: int = 1, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": number,
        "customer": {"id": f"C{n}", "name": "山田 太郎", "email": f"taro{n}@example.jp"},
        "ship_to": {
            "postal_code": "150-0001",
            "prefecture": "東京都",
            "city": "渋谷区神宮前",
            "line1": f"{n}-2-3",
            "name": "山田 太郎",
            "phone": "03-1234-5678",
        },
        "lines": [
            {
                "sku": "TEA-100",
                "name": "静岡煎茶",
                "unit_price": 1080,
                "quantity": 2,
                "tax_rate": "reduced",
            },
            {"sku": "MUG-01", "name": "湯呑", "unit_price": 3300, "quantity": 1},
        ],
        "payment_method": "card",
        "token": "tok_visa",
        "shipping_fee": 880,
    }
    body.update(extra)
    return body


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()
    return data


def place(client: TestClient, number: str, n: int = 1, **extra: Any) -> dict[str, Any]:
    return ok(client.post("/orders", json=order_body(number, n, **extra)), 201)


def events(*rows: tuple[str, str]) -> dict[str, Any]:
    return {
        "events": [
            {"tracking_number": "1234-5678-9013", "kind": kind, "at": EVENT_AT, "event_id": eid}
            for kind, eid in rows
        ]
    }


def test_an_order_is_placed_paid_shipped_delivered_booked_and_returned_over_http(
    client: TestClient, app: FastAPI, db: Path
) -> None:
    world = shop(app).world
    placed = place(client, "1001")
    assert placed["status"] == "allocated" and placed["total"] == 6340
    assert world.gateway.authorizations  # the card was authorized by the (fake) gateway
    instructed = ok(client.post("/orders/1001/instruct"))
    assert instructed["status"] == "shipping_instructed"
    assert instructed["shipments"][0]["shipment_id"] == "1001-S1"
    shipped = ok(
        client.post(
            "/webhooks/warehouse/shipped",
            json={
                "order_number": "1001",
                "shipment_id": "1001-S1",
                "tracking_number": "1234-5678-9013",
            },
        )
    )
    assert shipped["status"] == "shipped"
    assert shipped["shipments"][0]["tracking_number"] == "123456789013"
    assert shop(app).desk.get("1001").payment.captured.amount == 6340  # captured at shipping
    report = ok(client.post("/webhooks/carriers/yamato", json=events(("picked_up", "e1"))))
    assert report["applied"] == 1 and report["changed"] == ["1001"]
    delivered = events(("delivered", "e2"))
    delivered["events"][0]["at"] = "2026-11-22T12:00:00+09:00"
    ok(client.post("/webhooks/carriers/yamato", json=delivered))
    assert ok(client.get("/orders/1001"))["status"] == "delivered"
    booked = ok(client.post("/orders/1001/book"))
    assert booked["status"] == "booked"
    assert [entry.reference for _, entry in world.accounting.entries] == ["1001"]
    asked = ok(
        client.post("/orders/1001/returns", json={"lines": {"L1": 1}, "reason": "defective"}), 201
    )
    assert asked["returns"] == [{"return_id": "R1", "status": "requested", "paid_back": None}]
    back = ok(
        client.post(
            "/orders/1001/returns/R1/receive",
            json={"dispositions": [{"line_id": "L1", "quantity": 1, "warehouse": "TOKYO"}]},
        )
    )
    assert back["returns"][0]["status"] == "refunded" and back["returns"][0]["paid_back"] > 0
    assert back["status"] == "booked"  # a return is recorded on the booked order
    posted = [entry.reference for _, entry in world.accounting.entries]
    assert posted == ["1001", "1001/R1"]  # the sale, then its 売上戻り
    assert shop(app).inventory.stock("TOKYO", "TEA-100").on_hand == 19  # 20 - 2 + 1 back
    page = client.get("/operator/orders/1001", params={"lang": "en"}).text
    for label in ("Sale booked", "Return accepted", "Return received", "Booked", "refunded"):
        assert label in page, label
    ja = client.get("/operator/orders/1001").text  # Japanese by default
    assert "計上済" in ja and "着荷済 → 計上済" in ja
    with SQLiteStore(db) as store:  # it is all in the file
        stored = store.get("1001")
    assert stored.status is OrderStatus.BOOKED and stored.returns[0].paid_back is not None


def test_the_delivery_chosen_at_checkout_goes_on_the_order(
    client: TestClient, app: FastAPI
) -> None:
    place(client, "9301", delivery_date="2026-11-25", delivery_slot="19-21")
    order = shop(app).desk.get("9301")
    assert (order.delivery_date, order.delivery_slot) == (date(2026, 11, 25), "19-21")
    refused = client.post("/orders", json=order_body("9302", delivery_slot="夜"))
    assert refused.status_code == 422 and "delivery_slot" in refused.text


def test_a_second_shop_on_the_same_file_finds_the_orders(db: Path) -> None:
    with TestClient(create_app(db, wall_clock=False)) as client:
        stock(client, "TEA-100", 20)
        stock(client, "MUG-01", 10)
        place(client, "1001")
    with TestClient(create_app(db, wall_clock=False)) as client:  # a restart
        assert ok(client.get("/orders/1001"))["status"] == "allocated"


def test_payment_webhooks_confirm_the_payment_once(client: TestClient, app: FastAPI) -> None:
    transfer = place(client, "2001", 2, payment_method="bank_transfer", token=None)
    assert transfer["status"] == "unallocated"
    assert [h["code"] for h in transfer["holds"]] == ["payment_pending"]
    deposit = {
        "account": transfer["payment"]["account"],
        "amount": transfer["total"],
        "payer_name": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "on": "2026-11-23",
        "reference": "D-1",
    }
    first = ok(client.post("/webhooks/payments/bank", json={"deposits": [deposit]}))
    assert first["orders"] == ["2001"] and first["matched"] == 1 and first["repeated"] == []
    paid = ok(client.get("/orders/2001"))
    assert paid["status"] == "allocated" and paid["holds"] == []
    again = ok(client.post("/webhooks/payments/bank", json={"deposits": [deposit]}))
    assert again["orders"] == [] and again["repeated"] == ["D-1"]
    assert ok(client.get("/orders/2001")) == paid  # nothing changed, not even the version

    stray = {**deposit, "account": "101-7777777", "reference": "D-2"}  # to a wrong account
    late = place(client, "2003", 1, payment_method="bank_transfer", token=None)
    stray["amount"] = late["total"]
    unmatched = ok(client.post("/webhooks/payments/bank", json={"deposits": [stray]}))
    assert unmatched["unmatched"] == ["D-2"] and unmatched["orders"] == []
    applied = ok(client.post("/orders/2003/deposits", json=stray))  # an operator found it
    assert applied["status"] == "allocated" and applied["holds"] == []
    assert ok(client.post("/orders/2003/deposits", json=stray)) == applied  # once
    taken = client.post("/orders/2001/deposits", json=stray)  # another order has it
    assert taken.status_code == 422 and "deposit.reference" in taken.text

    konbini = place(client, "2002", 3, payment_method="konbini", token=None)
    assert [h["code"] for h in konbini["holds"]] == ["payment_pending"]
    assert konbini["payment"]["deadline"]
    body = {"order_number": "2002", "reference": "K-1", "amount": konbini["total"]}
    once = ok(client.post("/webhooks/payments/konbini", json=body))
    assert once["status"] == "allocated"
    assert ok(client.post("/webhooks/payments/konbini", json=body)) == once


def test_warehouse_and_carrier_webhooks_count_once(client: TestClient, app: FastAPI) -> None:
    placed = place(client, "3001")
    assert place(client, "3001") == placed  # the cart posted it twice: one order
    ok(client.post("/orders/3001/instruct"))
    body = {"order_number": "3001", "shipment_id": "3001-S1", "tracking_number": "123456789013"}
    shipped = ok(client.post("/webhooks/warehouse/shipped", json=body))
    assert ok(client.post("/webhooks/warehouse/shipped", json=body)) == shipped
    sent = len(shop(app).world.notifier.sent)
    absent = events(("picked_up", "e1"), ("absent", "e2"))
    first = ok(client.post("/webhooks/carriers/yamato", json=absent))
    assert (first["applied"], first["duplicates"]) == (2, 0)
    after_first = ok(client.get("/orders/3001"))
    assert after_first["shipments"][0]["tracking"] == "absent"
    assert [n.kind for n in shop(app).world.notifier.sent[sent:]] == ["absent"]
    second = ok(client.post("/webhooks/carriers/yamato", json=absent))
    assert (second["applied"], second["duplicates"], second["changed"]) == (0, 2, [])
    assert ok(client.get("/orders/3001")) == after_first
    assert len(shop(app).world.notifier.sent) == sent + 1  # no second notice
    unknown = events(("delivered", "x"))
    unknown["events"][0]["tracking_number"] = "445566778812"  # no shipment has it
    report = ok(client.post("/webhooks/carriers/yamato", json=unknown))
    assert report["unknown"] == ["x"] and report["applied"] == 0
    wrong = events(("delivered", "w"))
    wrong["events"][0]["at"] = "2027-11-22T10:00:00+09:00"  # a year ahead: a wrong date
    report = ok(client.post("/webhooks/carriers/yamato", json=wrong))
    assert report["ahead"] == ["w"] and report["applied"] == 0
    assert ok(client.get("/orders/3001")) == after_first
    stock_before = shop(app).inventory.stock("TOKYO", "TEA-100")
    stock(client, "TEA-100", 20)  # the same receipt again: no more stock
    assert shop(app).inventory.stock("TOKYO", "TEA-100") == stock_before


def section(page: str, name: str) -> str:
    found = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert found is not None, name
    return found.group(1)


def count(page: str, name: str) -> int:
    found = re.search(r'<span class="count">(\d+)</span>', section(page, name))
    assert found is not None
    return int(found.group(1))


def test_the_operator_page_lists_each_queue_with_its_orders(
    client: TestClient, app: FastAPI
) -> None:
    world = shop(app).world
    place(client, "4001", 1, remarks="ギフト包装をお願いします")  # held: remarks to read
    place(client, "4002", 2, payment_method="bank_transfer", token=None)  # awaiting payment
    place(client, "4003", 3)  # ready to instruct
    place(client, "4004", 4)
    ok(client.post("/orders/4004/instruct"))  # instructed, never shipped
    world.clock.advance(timedelta(hours=25))
    place(client, "4005", 5)
    world.warehouses["TOKYO"].fail_next("instruct", Fault.TIMEOUT_BEFORE)
    timed_out = client.post("/orders/4005/instruct")
    assert timed_out.status_code == 504 and "timed out" in timed_out.json()["message"]
    world.clock.advance(timedelta(minutes=20))  # no progress since: stuck

    page = client.get("/operator").text
    expected = {
        "held": ["4001", "4002"],  # waiting for a payment is a hold too
        "awaiting_payment": ["4002"],
        "ready_to_instruct": ["4003"],
        "not_shipped": ["4004"],
        "stuck": ["4005"],
    }
    for name, numbers in expected.items():
        assert count(page, name) == len(numbers), name
        listed = re.findall(r'<a href="/operator/orders/(\w+)\?lang=ja">', section(page, name))
        assert listed == numbers, name
    assert "<h2>保留中 (" in page and "<h2>出荷指示待ち (" in page and "<h2>滞留" in page
    assert "remarks: 備考欄の確認: ギフト包装をお願いします" in section(page, "held")
    assert "payment_pending: 入金待ち" in section(page, "held")
    assert "銀行振込" in section(page, "awaiting_payment")
    english = client.get("/operator", params={"lang": "en"}).text
    assert "<h2>Held (" in english and "<h2>Ready to instruct (" in english
    assert "remarks: read the customer&#x27;s remarks" in section(english, "held")
    assert "Bank transfer" in section(english, "awaiting_payment")

    swept = ok(client.post("/sweeps"))  # the warehouse answers again: resume_pending finishes it
    assert swept["resume_pending"] == 1 and swept["pending"] == 0
    assert ok(client.get("/orders/4005"))["status"] == "shipping_instructed"
    cleared = ok(client.post("/orders/4001/holds/remarks/clear", json={"operator": "kato"}))
    assert cleared["status"] == "allocated"
    page = client.get("/operator").text
    assert count(page, "stuck") == 0 and count(page, "held") == 1  # 4002 waits for its money
    assert count(page, "ready_to_instruct") == 2  # 4001 and 4003


def test_the_order_page_shows_the_timeline_in_japanese_and_english(
    client: TestClient, app: FastAPI
) -> None:
    body = order_body("5001", remarks='<script>alert("x")</script> call taro@example.jp')
    body["customer"]["name"] = "<b>Taro</b>"
    assert ok(client.post("/orders", json=body), 201)["holds"][0]["code"] == "remarks"
    ok(client.post("/orders/5001/holds/remarks/clear", json={"operator": "kato"}))
    ok(client.post("/orders/5001/instruct"))
    ja = client.get("/operator/orders/5001", params={"lang": "ja"})
    assert ja.status_code == 200 and ja.headers["content-type"].startswith("text/html")
    timeline = ja.text.split('id="timeline"')[1]
    for label in ("受注", "保留", "引当済", "出荷指示済", "operator:kato", "2026年11月22日 9:00"):
        assert label in timeline, label
    assert "未引当 → 引当済" in timeline
    en = client.get("/operator/orders/5001", params={"lang": "en"}).text
    timeline = en.split('id="timeline"')[1]
    for label in (
        "Order placed",
        "Unallocated → Allocated",
        "Instructed to ship",
        "22 November 2026, 09:00 (Japan Standard Time)",
    ):
        assert label in timeline, label
    for page in (ja.text, en):
        assert "<script>" not in page and "&lt;script&gt;" in page  # the customer's text escaped
        assert "<b>Taro" not in page and "&lt;***" in page  # the name masked and escaped
        assert "taro1@example.jp" not in page and "t***@example.jp" in page
        assert "taro@example.jp" not in page  # not even inside the remarks
        assert "1234-5678" not in page and "03-****-5678" in page
        assert "1-2-3" not in page  # the street hidden
        assert "〒150-0001 東京都 渋谷区神宮前" in page
    assert client.get("/operator/orders/5001", params={"lang": "fr"}).status_code == 422


def test_bad_requests_get_the_library_s_message(client: TestClient, app: FastAPI) -> None:
    bad_postcode = order_body("6001")
    bad_postcode["ship_to"]["postal_code"] = "15-0001"
    answer = client.post("/orders", json=bad_postcode)
    assert answer.status_code == 422
    assert answer.json()["error"] == "InvalidValue" and answer.json()["field"] == "postal_code"
    assert answer.json()["message"].startswith("postal_code: expected")
    unknown_sku = order_body("6001")
    unknown_sku["lines"][0]["sku"] = "NOPE-1"
    answer = client.post("/orders", json=unknown_sku)
    assert answer.status_code == 422 and answer.json()["field"] == "lines[0].sku"
    assert answer.json()["error"] == "UnknownSku"
    answer = client.post("/orders", json=order_body("6001", payment_method="bitcoin"))
    assert answer.status_code == 422 and "one of card, postpay" in answer.json()["message"]
    answer = client.post("/orders", json={"number": "6001"})  # the shape: named, not echoed
    assert answer.status_code == 422 and answer.json()["field"] == "customer"
    assert answer.json()["error"] == "InvalidValue"
    kind = events(("teleported", "e1"))
    answer = client.post("/webhooks/carriers/yamato", json=kind)
    assert answer.status_code == 422 and answer.json()["field"] == "events[0].kind"
    assert client.get("/orders/6001").status_code == 404
    assert client.get("/operator/orders/6001").json()["error"] == "OrderNotFound"
    assert client.get("/orders/6001").json()["message"] == "order '6001' not found"

    place(client, "6002")
    other = client.post("/orders", json=order_body("6002", 9))  # another customer, same number
    assert other.status_code == 409 and other.json()["error"] == "DuplicateOrder"
    refused = client.post("/orders/6002/book")  # not delivered
    assert refused.status_code == 409 and refused.json()["error"] == "MoveNotAllowed"
    shop(app).world.gateway.decline_tokens = frozenset({"tok_stolen"})
    declined = client.post("/orders", json=order_body("6003", 3, token="tok_stolen"))
    assert declined.status_code == 402 and declined.json()["error"] == "PaymentDeclined"
    assert place(client, "6003", 3)["status"] == "allocated"  # the number stays free: a new try


def test_a_race_lost_on_the_file_is_a_409(client: TestClient, app: FastAPI, db: Path) -> None:
    place(client, "7001")
    rival = open_shop(db, wall_clock=False)  # another worker on the same file
    desk = shop(app).desk
    save = desk.executor.save

    def racing_save(stored: Any, new: Any) -> Any:
        rival.desk.raise_hold("7001", "call_customer", "お客様へ電話", actor="operator:sato")
        return save(stored, new)  # the rival saved first: the version check refuses this

    desk.executor.save = racing_save  # type: ignore[method-assign]
    try:
        answer = client.post("/orders/7001/instruct")
    finally:
        desk.executor.save = save  # type: ignore[method-assign]
        rival.close()
    assert answer.status_code == 409 and answer.json()["error"] == ConcurrencyError.__name__
    assert "reload the order and retry" in answer.json()["message"]
    assert [h["code"] for h in ok(client.get("/orders/7001"))["holds"]] == ["call_customer"]


def test_the_sweeps_run_in_the_background_too(db: Path) -> None:
    # the first run comes after half a second: the order is placed before any sweep can race it
    app = create_app(db, wall_clock=False, sweep_every=0.5)
    with TestClient(app) as client:
        stock(client, "TEA-100", 20)
        stock(client, "MUG-01", 10)
        place(client, "8001", payment_method="konbini", token=None)
        shop(app).world.clock.advance(timedelta(days=10))  # past the konbini deadline
        deadline = time.monotonic() + 10
        while ok(client.get("/orders/8001"))["status"] != "cancelled":
            assert time.monotonic() < deadline, app.state.sweeps
            time.sleep(0.05)
        # the order is cancelled while its run goes on: the run's counts are kept at its end
        while not any(run.get("expire_unpaid") == 1 for run in app.state.sweeps):
            assert time.monotonic() < deadline, app.state.sweeps
            time.sleep(0.05)


REMARKS = "call me at 090-1111-2222, email hanako@example.jp"


def test_personal_data_in_remarks_is_masked_in_the_answers_and_the_pages(
    client: TestClient, app: FastAPI
) -> None:
    placed = place(client, "9001", remarks=REMARKS)
    [hold] = placed["holds"]
    assert hold["code"] == "remarks"  # its message: the remarks masked, then 40 characters
    assert hold["message"] == "備考欄の確認: call me at 090-****-2222, email h***@exa"
    assert hold["message_en"].endswith("call me at 090-****-2222, email h***@exa")
    desk = shop(app).desk
    desk.raise_hold("9001", "call_back", "折り返し 03-9999-8888 (hanako)", actor="operator:sato")
    place(client, "9002", 2)
    desk.cancel("9002", reason="お客様 (090-7777-6666) より電話")
    answers = [
        json.dumps(ok(client.get(f"/orders/{n}")), ensure_ascii=False) for n in ("9001", "9002")
    ]
    answers.append(json.dumps(placed, ensure_ascii=False))
    pages = [
        client.get(path, params={"lang": lang}).text
        for path in ("/operator", "/operator/orders/9001", "/operator/orders/9002")
        for lang in ("ja", "en")
    ]
    for text in answers + pages:
        for whole in ("1111", "hanako@", "9999-8888", "7777"):
            assert whole not in text, (whole, text)
    for page in pages[2:4]:
        assert "call me at 090-****-2222, email h***@example.jp" in page  # the remarks row
        assert "call me at 090-****-2222, email h***@exa<" in page  # the hold's message, cut
        assert "折り返し 03-****-8888 (hanako)" in page
    for page in pages[4:]:
        assert "«お客様 (090-****-6666) より電話»" in page  # a reason a person gave
    assert "090-****-2222, email h***@exa" in section(pages[0], "held")


def test_the_sweeps_are_those_of_the_command_line(
    client: TestClient, app: FastAPI, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orderflow.cli import main

    assert (
        main(["sweep", "--fakes", "--db", str(db)]) == 0
    )  # on the shop's file, no orders in it yet
    cli = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert "fill_backorders" in cli and "poll_carrier_events" in cli
    world = shop(app).world
    place(client, "9102")
    ok(client.post("/orders/9102/instruct"))
    body = {"order_number": "9102", "shipment_id": "9102-S1", "tracking_number": "123456789013"}
    ok(client.post("/webhooks/warehouse/shipped", json=body))
    the_rest = order_body("9100", 3)
    the_rest["lines"][1]["quantity"] = 9  # the last nine mugs
    assert ok(client.post("/orders", json=the_rest), 201)["status"] == "allocated"
    assert place(client, "9101", 2)["status"] == "partially_allocated"  # no mug left: it waits
    shop(app).inventory.receive("TOKYO", "MUG-01", 5, reason="入荷 (booked by the warehouse)")
    world.carrier_feed.record(
        CarrierEvent(
            "yamato", "123456789013", TrackingStatus.DELIVERED, world.clock.now(), "feed-1"
        )
    )
    swept = ok(client.post("/sweeps"))
    assert list(swept) == [*cli, "resume_pending", "pending"]
    assert (swept["fill_backorders"], swept["poll_carrier_events"]) == (1, 1), swept
    assert ok(client.get("/orders/9101"))["status"] == "allocated"
    assert ok(client.get("/orders/9102"))["status"] == "delivered"


def test_the_operator_s_links_are_url_encoded(client: TestClient) -> None:
    number = "../x?y#z"
    place(client, number, remarks="hold it")
    page = client.get("/operator", params={"lang": "en"}).text
    href = "/operator/orders/..%2Fx%3Fy%23z?lang=en"
    assert f'<a href="{href}">../x?y#z</a>' in page
    followed = client.get(href)
    assert followed.status_code == 200 and "<title>Order ../x?y#z</title>" in followed.text


def test_the_postal_mark_is_shown_once(client: TestClient) -> None:
    place(client, "9201")
    page = client.get("/operator/orders/9201").text
    assert "〒150-0001" in page and "〒〒" not in page


def test_a_konbini_payment_time_without_its_zone_names_paid_at(client: TestClient) -> None:
    konbini = place(client, "9301", payment_method="konbini", token=None)
    body = {
        "order_number": "9301",
        "reference": "K-9",
        "amount": konbini["total"],
        "paid_at": "2026-11-23T10:00:00",
    }
    answer = client.post("/webhooks/payments/konbini", json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "paid_at", answer.text
    assert ok(client.get("/orders/9301"))["status"] == "unallocated"  # nothing recorded
    body["paid_at"] = "2026-11-23T10:00:00+09:00"
    assert ok(client.post("/webhooks/payments/konbini", json=body))["status"] == "allocated"


@pytest.mark.parametrize(
    "other", [{"payment_method": "konbini", "token": None}, {"shipping_fee": 0}, {"remarks": "x"}]
)
def test_another_order_under_a_used_number_is_a_409(
    client: TestClient, other: dict[str, Any]
) -> None:
    placed = place(client, "9401")
    answer = client.post("/orders", json=order_body("9401", **other))
    assert answer.status_code == 409 and answer.json()["error"] == "DuplicateOrder"
    assert ok(client.get("/orders/9401")) == placed
    assert place(client, "9401", token="tok_visa_again") == placed  # the same order: re-tokenized


def test_a_body_of_the_wrong_shape_never_echoes_what_was_sent(client: TestClient) -> None:
    """FastAPI's own 422 quotes each failing object whole: the customer's address and phone."""
    body = order_body("6101")
    del body["customer"]["email"]
    del body["ship_to"]["postal_code"]
    answer = client.post("/orders", json=body)
    assert answer.status_code == 422
    text = answer.text
    for secret in ("taro1@example.jp", "03-1234-5678", "1-2-3", "山田"):
        assert secret not in text
    fields = {problem["field"] for problem in answer.json()["problems"]}
    assert fields == {"customer.email", "ship_to.postal_code"}
    lone = client.post(
        "/orders", content=b'{"number": "\\ud800"}', headers={"content-type": "application/json"}
    )  # a lone surrogate escaped in the JSON: no answer may carry it back
    assert lone.status_code == 422 and lone.json()["error"] == "InvalidValue"


def test_a_misspelt_field_of_an_order_is_refused_not_ignored(client: TestClient) -> None:
    body = order_body("6201")
    body["shiping_fee"] = body.pop("shipping_fee")  # the default fee would be charged
    answer = client.post("/orders", json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "shiping_fee"
    assert client.get("/orders/6201").status_code == 404


def test_the_banks_webhook_is_answered_409_while_an_order_cannot_take_its_deposit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The others are applied; the bank sends the body again (each deposit counts once)."""
    from orderflow.desk import OrderDesk
    from orderflow.errors import EffectsPending

    stuck = place(client, "2001", 1, payment_method="bank_transfer", token=None)
    other = place(client, "2002", 2, payment_method="bank_transfer", token=None)
    current = OrderDesk._current

    def refusing(self: OrderDesk, number: str) -> object:  # 2001's provider keeps refusing
        if number == "2001":
            raise EffectsPending(number, "restore_points")
        return current(self, number)

    deposits = [
        {
            "account": o["payment"]["account"],
            "amount": o["total"],
            "payer_name": "ﾔﾏﾀﾞ ﾀﾛｳ",
            "on": "2026-11-23",
            "reference": f"D-{o['number']}",
        }
        for o in (stuck, other)
    ]
    with monkeypatch.context() as patched:
        patched.setattr(OrderDesk, "_current", refusing)
        answer = client.post("/webhooks/payments/bank", json={"deposits": deposits})
    assert answer.status_code == 409, answer.text
    assert answer.json()["retry"] == ["D-2001"] and answer.json()["orders"] == ["2002"]
    assert ok(client.get("/orders/2002"))["holds"] == []
    again = ok(client.post("/webhooks/payments/bank", json={"deposits": deposits}))  # resent
    assert again["orders"] == ["2001"] and again["repeated"] == ["D-2002"]


def test_the_banks_webhook_takes_a_transfer_back(client: TestClient) -> None:
    """A 取消 (組戻し) the bank sends for a transfer it notified: the order gives the money up."""
    order = place(client, "2001", 1, payment_method="bank_transfer", token=None)
    deposit = {
        "account": order["payment"]["account"],
        "amount": order["total"],
        "payer_name": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "on": "2026-11-23",
        "reference": "D-1",
    }
    ok(client.post("/webhooks/payments/bank", json={"deposits": [deposit]}))
    assert ok(client.get("/orders/2001"))["holds"] == []

    back = ok(
        client.post("/webhooks/payments/bank", json={"deposits": [{**deposit, "cancelled": True}]})
    )

    assert back["reversed"] == ["D-1"] and back["repeated"] == []
    assert [h["code"] for h in ok(client.get("/orders/2001"))["holds"]] == ["payment_shortfall"]

"""The reference shop's HTTP API and pages (FastAPI), on a SQLite file with the providers faked.

``app`` is the shop on ``$ORDERFLOW_SHOP_DB`` (``shop.sqlite3`` by default); ``create_app(db)``
makes another (tests give a file under ``tmp_path``). Endpoints are plain ``def``: FastAPI runs
them in its thread pool, and the desk and the SQLite stores are thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

from orderflow import Money, Order, OrderDesk
from orderflow._mask import mask_personal_data_in
from orderflow.errors import (
    ConcurrencyError,
    DuplicateOrder,
    EffectInterrupted,
    EffectsPending,
    InvalidValue,
    MoveNotAllowed,
    OrderflowError,
    OrderNotFound,
    PaymentDeclined,
    PolicyRefused,
    ProviderError,
    ProviderTimeout,
)
from reference_shop.pages import LANG_PATTERN, operator_page, order_page
from reference_shop.schemas import (
    CarrierEventsIn,
    DepositIn,
    DepositsIn,
    HoldClearIn,
    KonbiniPaymentIn,
    OrderIn,
    ReceiptIn,
    ReturnIn,
    ReturnReceivedIn,
    ShippedIn,
)
from reference_shop.wiring import Shop, open_shop, run_sweeps

DEFAULT_DB = "shop.sqlite3"
_log = logging.getLogger(__name__)

# The library's errors as HTTP: the first class an error is an instance of gives the status.
_STATUSES: tuple[tuple[type[OrderflowError], int], ...] = (
    (OrderNotFound, 404),
    (InvalidValue, 422),
    (ConcurrencyError, 409),
    (DuplicateOrder, 409),
    (MoveNotAllowed, 409),  # and MoveBlocked: the order's status or a hold says no
    (PolicyRefused, 409),  # and ReturnRefused, ChangeRefused
    (EffectsPending, 409),
    (PaymentDeclined, 402),
    (ProviderTimeout, 504),  # saved and pending: the sweep finishes it under the same key
    (ProviderError, 502),
    (EffectInterrupted, 502),
)


def status_for(error: OrderflowError) -> int:
    """The HTTP status for one of orderflow's errors (400 for any other)."""
    return next((code for kind, code in _STATUSES if isinstance(error, kind)), 400)


def _error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OrderflowError)
    body: dict[str, Any] = {"error": type(error).__name__, "message": str(error)}
    if isinstance(error, InvalidValue):
        body["field"] = error.field
    return JSONResponse(body, status_code=status_for(error))


def _malformed(request: Request, error: Exception) -> JSONResponse:
    """A body of the wrong shape: 422 naming each field and what was wrong, never its value.

    FastAPI's own answer echoes what was sent (``input``): the customer's whole address for a
    ship-to missing its postal code, and a text no JSON can carry (a lone surrogate) made it a
    500. This one says where and what, as orderflow's ``InvalidValue`` answers do.
    """
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "field": ".".join(str(part) for part in problem.get("loc", ()) if part != "body"),
            "message": str(problem.get("msg", "invalid")),
        }
        for problem in error.errors()
    ]
    first = problems[0] if problems else {"field": "", "message": "invalid body"}
    body = {"error": "InvalidValue", "field": first["field"], "message": first["message"]}
    return JSONResponse({**body, "problems": problems}, status_code=422)


def _summary(desk: OrderDesk, order: Order) -> dict[str, Any]:
    """An order as the API returns it: no name, address, e-mail or phone of the customer.

    A hold's message may quote the customer's remarks: its e-mail addresses and phone numbers
    are masked (the remarks themselves are not in the answer).
    """
    return {
        "number": order.number,
        "status": order.status.value,
        "payment_method": order.payment.method.value,
        "total": int(desk.totals(order).total.amount),
        "payment": dict(order.payment.instructions),
        "holds": [
            {
                "code": h.code,
                "message": mask_personal_data_in(h.message),
                "message_en": mask_personal_data_in(h.message_en),
            }
            for h in order.open_holds
        ],
        "shipments": [
            {
                "shipment_id": s.shipment_id,
                "warehouse": s.warehouse,
                "carrier": s.carrier,
                "status": s.status.value,
                "tracking_number": s.tracking_number,
                "tracking": s.tracking.value if s.tracking else None,
            }
            for s in order.shipments
        ],
        "returns": [
            {
                "return_id": r.return_id,
                "status": r.status.value,
                "paid_back": int(r.paid_back.amount) if r.paid_back else None,
            }
            for r in order.returns
        ],
        "version": order.version,
    }


def create_app(
    db: str | Path | None = None, *, wall_clock: bool = True, sweep_every: float | None = None
) -> FastAPI:
    """The shop on the SQLite file ``db`` (``$ORDERFLOW_SHOP_DB`` or ``shop.sqlite3``).

    The file is opened when the app starts (its lifespan), not when it is made. ``wall_clock``
    moves the fakes' clock to the wall clock on every request (tests turn it off and move the
    clock themselves). ``sweep_every`` (seconds; ``$ORDERFLOW_SWEEP_EVERY``) runs the sweeps in
    the background as well as on ``POST /sweeps``.
    """
    every = sweep_every
    if every is None and os.environ.get("ORDERFLOW_SWEEP_EVERY"):
        every = float(os.environ["ORDERFLOW_SWEEP_EVERY"])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        path = db if db is not None else os.environ.get("ORDERFLOW_SHOP_DB", DEFAULT_DB)
        shop = open_shop(path, wall_clock=wall_clock)
        app.state.shop = shop
        app.state.sweeps = []
        task = asyncio.create_task(_sweeping(app, shop, every)) if every else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            shop.close()

    app = FastAPI(title="orderflow reference shop", lifespan=lifespan)
    app.add_exception_handler(OrderflowError, _error)
    app.add_exception_handler(RequestValidationError, _malformed)
    _routes(app)
    return app


async def _sweeping(app: FastAPI, shop: Shop, every: float) -> None:
    """Run the sweeps every ``every`` seconds (in a worker thread), keeping each run's counts."""
    while True:
        await asyncio.sleep(every)
        shop.tick()
        try:
            app.state.sweeps.append(await asyncio.to_thread(run_sweeps, shop.desk))
        except Exception as error:  # an adapter's bug must not stop the loop: the next run tries
            _log.exception("the background sweep failed")
            message = str(error) if isinstance(error, OrderflowError) else "see the server's log"
            app.state.sweeps.append({"error": f"{type(error).__name__}: {message}"})
        del app.state.sweeps[:-10]  # the last ten runs


def shop_of(request: Request) -> Shop:
    """The running shop, its clock moved on (see :attr:`Shop.wall_clock`)."""
    shop: Shop = request.app.state.shop
    shop.tick()
    return shop


def _routes(app: FastAPI) -> None:
    # -- orders ----------------------------------------------------------------------------

    @app.post("/orders", status_code=201)
    def place(body: OrderIn, request: Request) -> dict[str, Any]:
        """受注 and 注文確認: place the order and review it (a hold stops it for a person)."""
        desk = shop_of(request).desk
        fee = None if body.shipping_fee is None else Money.yen(body.shipping_fee)
        desk.place(
            number=body.number,
            customer=body.customer.value(),
            ship_to=body.ship_to.value(),
            lines=[line.value(i) for i, line in enumerate(body.lines, start=1)],
            payment_method=body.method(),
            token=body.token,
            shipping_fee=fee,
            remarks=body.remarks,
            delivery_date=body.delivery_date,
            delivery_slot=body.delivery_slot,
        )
        return _summary(desk, desk.accept(body.number))

    @app.get("/orders/{number}")
    def get_order(number: str, request: Request) -> dict[str, Any]:
        """The order's status, money, holds, shipments and returns."""
        desk = shop_of(request).desk
        return _summary(desk, desk.get(number))

    @app.post("/orders/{number}/holds/{code}/clear")
    def clear_hold(number: str, code: str, body: HoldClearIn, request: Request) -> dict[str, Any]:
        """保留解除: an operator read the order; the last hold cleared lets it go on."""
        desk = shop_of(request).desk
        return _summary(desk, desk.clear_hold(number, code, actor=f"operator:{body.operator}"))

    @app.post("/orders/{number}/deposits")
    def apply_deposit(number: str, body: DepositIn, request: Request) -> dict[str, Any]:
        """入金消込 by hand: a deposit the bank's webhook left unmatched, for the order found."""
        desk = shop_of(request).desk
        return _summary(desk, desk.apply_deposit(number, body.value()))

    @app.post("/orders/{number}/instruct")
    def instruct(number: str, request: Request) -> dict[str, Any]:
        """出荷指示: tell the warehouse to ship (an order of the ready-to-instruct queue)."""
        desk = shop_of(request).desk
        return _summary(desk, desk.instruct_shipping(number))

    @app.post("/orders/{number}/book")
    def book(number: str, request: Request) -> dict[str, Any]:
        """計上: post the sale to accounting (a delivered order); booking again changes nothing."""
        desk = shop_of(request).desk
        return _summary(desk, desk.book(number))

    @app.post("/orders/{number}/returns", status_code=201)
    def request_return(number: str, body: ReturnIn, request: Request) -> dict[str, Any]:
        """返品受付 under the shop's return policy; give ``request_id`` to make a repeat safe."""
        desk = shop_of(request).desk
        order = desk.request_return(
            number,
            body.lines,
            body.why(),
            refund_account=body.refund_account,
            request_id=body.request_id,
        )
        return _summary(desk, order)

    @app.post("/orders/{number}/returns/{return_id}/receive")
    def receive_return(
        number: str, return_id: str, body: ReturnReceivedIn, request: Request
    ) -> dict[str, Any]:
        """返品受領: restock or write off each unit; refund, 売上戻り, notice. Once."""
        desk = shop_of(request).desk
        dispositions = [d.value() for d in body.dispositions]
        return _summary(desk, desk.receive_return(number, return_id, dispositions))

    # -- webhooks --------------------------------------------------------------------------

    @app.post("/webhooks/payments/konbini")
    def konbini_paid(body: KonbiniPaymentIn, request: Request) -> dict[str, Any]:
        """The konbini service: paid at the store. The same reference counts once."""
        desk = shop_of(request).desk
        order = desk.record_konbini_payment(
            body.order_number,
            reference=body.reference,
            amount=Money.yen(body.amount),
            paid_at=body.paid(),
        )
        return _summary(desk, order)

    @app.post("/webhooks/payments/bank", response_model=None)
    def bank_deposits(body: DepositsIn, request: Request) -> dict[str, Any] | JSONResponse:
        """The bank: deposits to virtual accounts (入金消込). A repeated reference counts once.

        An order that cannot take its deposit now (stuck on an effect a provider keeps
        refusing) leaves it in ``retry``: answered 409, so the bank sends the body again.
        """
        desk = shop_of(request).desk
        report = desk.reconcile_deposits([d.value() for d in body.deposits])
        done = report.reconciliation
        answer: dict[str, Any] = {
            "orders": [o.number for o in report.orders],
            "matched": len(done.matched),
            "unmatched": [d.reference for d in done.unmatched],
            "repeated": [d.reference for d in done.repeated],
            "reversed": [d.reference for d in report.reversed],  # taken back: a person looks
        }
        if report.retry:  # the others are applied and count once when sent again
            answer["retry"] = [d.reference for d in report.retry]
            answer["errors"] = [number for number, _ in report.errors]
            return JSONResponse(answer, status_code=409)
        return answer

    @app.post("/webhooks/warehouse/received")
    def received(body: ReceiptIn, request: Request) -> dict[str, Any]:
        """The warehouse: goods arrived (入荷); the waiting orders are allocated. Once per id."""
        desk = shop_of(request).desk
        filled = desk.receive(body.warehouse, body.sku, body.quantity, receipt_id=body.receipt_id)
        return {"allocated": [o.number for o in filled]}

    @app.post("/webhooks/warehouse/shipped")
    def shipped(body: ShippedIn, request: Request) -> dict[str, Any]:
        """The warehouse: a shipment left (出荷) with its tracking number; the card is captured."""
        desk = shop_of(request).desk
        order = desk.ship(body.order_number, body.shipment_id, body.tracking_number)
        return _summary(desk, order)

    @app.post("/webhooks/carriers/{carrier}")
    def carrier_events(carrier: str, body: CarrierEventsIn, request: Request) -> dict[str, Any]:
        """A carrier's tracking events (配達完了, 持戻り …): repeats and late events count once."""
        desk = shop_of(request).desk
        events = [e.value(carrier, i) for i, e in enumerate(body.events)]
        report = desk.carrier_events(events)
        return {
            "applied": report.applied,
            "late": report.late,
            "duplicates": report.duplicates,
            "changed": list(report.orders),
            "unknown": [e.event_id for e in report.unknown],
            "retry": [e.event_id for e in report.retry],
            "ahead": [e.event_id for e in report.ahead],
        }

    # -- the scheduled work and the operator's pages ----------------------------------------

    @app.post("/sweeps")
    def sweeps(request: Request) -> dict[str, int]:
        """The sweeps of ``python -m orderflow sweep`` and ``resume`` (from cron: curl)."""
        return run_sweeps(shop_of(request).desk)

    @app.get("/operator", response_class=HTMLResponse)
    def operator(request: Request, lang: str = Query("ja", pattern=LANG_PATTERN)) -> str:
        """The work queues, for a person."""
        return operator_page(shop_of(request).desk, lang)

    @app.get("/operator/orders/{number:path}", response_class=HTMLResponse)
    def order_html(
        number: str, request: Request, lang: str = Query("ja", pattern=LANG_PATTERN)
    ) -> str:
        """One order with its timeline, in Japanese or English (``number`` may hold a ``/``)."""
        desk = shop_of(request).desk
        return order_page(desk, desk.get(number), lang)

    @app.get("/", include_in_schema=False)
    def home() -> dict[str, str]:
        """Where to look."""
        return {"operator": "/operator", "api": "/docs"}


app = create_app()
"""The shop on ``$ORDERFLOW_SHOP_DB`` (``uvicorn --app-dir examples reference_shop.app:app``)."""

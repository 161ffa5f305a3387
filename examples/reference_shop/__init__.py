"""A reference shop: a small FastAPI app on orderflow, a SQLite file and the bundled fakes.

It places orders, takes payment, warehouse and carrier webhooks, runs the sweeps, books and
returns orders, and serves an operator page with the work queues and each order's timeline in
Japanese or English. The orders and the stock live in a SQLite file; the providers (card gateway,
bank, konbini, warehouses, carriers' APIs, accounting, mail) are the fakes of
``orderflow.testing``, as in ``python -m orderflow demo``. See ``docs/reference-shop.md``.

Run it: ``pip install -e '.[shop]' uvicorn``, then
``uvicorn --app-dir examples reference_shop.app:app``.
"""

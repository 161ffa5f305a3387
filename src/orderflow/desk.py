"""The desk, where shops have always imported it from (see :mod:`orderflow.app.desk`)."""

from orderflow.app.desk import DepositReport, OrderDesk

__all__ = ["DepositReport", "OrderDesk"]

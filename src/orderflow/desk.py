"""The desk, where shops have always imported it from (see :mod:`orderflow.app.desk`)."""

from orderflow.app.desk import CarrierEventReport, DepositReport, OrderDesk

__all__ = ["CarrierEventReport", "DepositReport", "OrderDesk"]

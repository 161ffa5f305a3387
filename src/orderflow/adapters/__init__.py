"""Adapters orderflow ships: the Japanese carriers (ヤマト運輸, 佐川急便, 日本郵便)."""

from orderflow.adapters.carriers import CARRIERS, JapanPost, Sagawa, Yamato

__all__ = ["CARRIERS", "JapanPost", "Sagawa", "Yamato"]

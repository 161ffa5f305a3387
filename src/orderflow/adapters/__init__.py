"""Adapters orderflow ships (the Japanese carriers), and the registry of installed adapters.

- :mod:`orderflow.adapters.carriers`: ヤマト運輸, 佐川急便, 日本郵便.
- :mod:`orderflow.adapters.registry`: adapters any installed package registers under the entry
  point group ``orderflow.adapters`` (:func:`discover`); see ``docs/adapters.md``.
"""

from orderflow.adapters.carriers import CARRIERS, JapanPost, Sagawa, Yamato
from orderflow.adapters.registry import (
    DESK_ARGUMENTS,
    ENTRY_POINT_GROUP,
    PORTS,
    AdapterInfo,
    describe,
    discover,
    scan,
)

__all__ = [
    "CARRIERS",
    "DESK_ARGUMENTS",
    "ENTRY_POINT_GROUP",
    "PORTS",
    "AdapterInfo",
    "JapanPost",
    "Sagawa",
    "Yamato",
    "describe",
    "discover",
    "scan",
]

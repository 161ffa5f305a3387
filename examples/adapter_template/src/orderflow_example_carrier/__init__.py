"""An orderflow adapter for the ``Carrier`` port: "Example Express", made up for the template.

Replace the format and the tracking page by your carrier's. Example Express prints tracking
numbers of ten digits whose last digit checks the first nine (their number mod 7), as
``1234-567-891``; its public tracking page takes the number in the query string.

The class declares the port it implements in ``orderflow_port``: orderflow's registry
(``orderflow.adapters.discover``) reads it from the entry point in ``pyproject.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar
from urllib.parse import quote

__all__ = ["ExampleCarrier"]

_SEPARATORS = re.compile(r"[-\s]")


class ExampleCarrier:
    """Example Express: ten-digit tracking numbers with a mod-7 check digit."""

    orderflow_port: ClassVar[str] = "carrier"
    """The port this adapter implements (one of ``orderflow.adapters.PORTS``)."""

    code: ClassVar[str] = "example"
    """The carrier's code in orders (``Shipment.carrier``) and in ``OrderDesk(carriers=...)``."""

    has_tracking: ClassVar[bool] = True
    """Example Express gives every parcel a tracking number."""

    def normalize(self, number: str) -> str | None:
        """The number as the carrier prints it, digits only; None when it is not a valid one.

        Full-width digits read as ASCII (NFKC); hyphens and spaces between groups are dropped.
        """
        text = unicodedata.normalize("NFKC", number).strip()
        if not text or text[0] in "- " or text[-1] in "- ":
            return None
        digits = _SEPARATORS.sub("", text)
        if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
            return None
        return digits if int(digits[:9]) % 7 == int(digits[9]) else None

    def validate_tracking_number(self, number: str) -> bool:
        """Whether ``number`` is one of Example Express's (format and check digit)."""
        return self.normalize(number) is not None

    def tracking_url(self, number: str) -> str:
        """The public page where the customer follows the parcel."""
        normal = self.normalize(number) or number
        return f"https://tracking.example.com/track?number={quote(normal)}"

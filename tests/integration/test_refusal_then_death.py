"""A refusal the provider does not repeat, a retry under a new key, then the process dies.

Found by the SIGKILL campaign (seed 5161): the warehouse's stock refused a commit (a transient
refusal, not remembered under its key); the executor retried under a new key at once, without
saving, and the process died after the retry's work. The saved order still held the first
key: the resume sent it again, the inventory did the work, and the units left the shelf twice.
The desk now saves what follows a refusal before doing it, so the resume retries the new key.
"""

from typing import Any

from orderflow.errors import ProviderError
from orderflow.testing import FakeShop
from tests.builders import TRACKING, shop, to_allocated


class Died(Exception):
    """The process dies right after a call's work."""


def forgetful_then_dying(s: FakeShop, method: str) -> list[str]:
    """``inventory.method`` refuses its first call without remembering; dies after the next."""
    real = getattr(s.inventory, method)
    keys: list[str] = []

    def call(**kwargs: Any) -> Any:
        keys.append(kwargs["key"])
        if len(keys) == 1:
            raise ProviderError("busy, try again")  # a refusal the provider does not keep
        answer = real(**kwargs)
        if len(keys) == 2:
            raise Died(f"died after {method} {kwargs['key']}")
        return answer

    setattr(s.inventory, method, call)
    return keys


def test_a_commit_retried_after_a_transient_refusal_is_done_once_across_a_death() -> None:
    s = shop()
    to_allocated(s, "1002")  # units of the same SKU reserved for another order
    to_allocated(s)
    s.desk.clear_hold("1001", "duplicate_suspected")  # the same customer ordered twice
    s.desk.instruct_shipping("1001")
    before = dict(s.inventory.on_hand)
    keys = forgetful_then_dying(s, "commit")
    try:
        s.desk.ship("1001", "1001-S1", TRACKING)
    except Exception as error:
        assert isinstance(error.__cause__, Died) or isinstance(error, Died)
    s.desk.resume_pending()
    order = s.store.get("1001")
    assert not order.outbox
    shipped = {("TOKYO", "TEA-1"): 2, ("TOKYO", "MUG-1"): 1, ("TOKYO", "CAKE-1"): 1}
    for key, units in shipped.items():  # committed once: 1002's units are still reserved
        assert s.inventory.on_hand[key] == before[key] - units, key
        assert s.inventory.reserved[key] == units, key
    assert keys[0] not in keys[2:], keys  # the refused key was not sent again

"""Faults the test kit injects into a consumer (never a setting of the product).

:class:`LostAcknowledgements` requeues a share of deliveries after their commit, as if the
acknowledgement had been lost, each message at most :data:`TEST_REDELIVERIES` times, far below
the queue's delivery limit. The reliability suite runs the services with it through
:mod:`forlob_testkit.serve` (``--redeliver-share``); ``shared/tests/integration/test_redelivery_switch.py``
checks it alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from aio_pika.abc import AbstractIncomingMessage

from forlob_shared.messaging.failures import delivery_count

# Most requeues of one message by the fault: far below any delivery limit.
TEST_REDELIVERIES = 2
# The environment variable through which a test system's processes get the share.
REDELIVER_SHARE_ENV = "FORLOB_TESTKIT_REDELIVER_SHARE"


@dataclass
class LostAcknowledgements:
    """A :class:`~forlob_shared.messaging.redelivery.RedeliveryInjection`: requeue ``share`` (0-1)
    of committed deliveries instead of acknowledging them."""

    share: float
    random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"a share is between 0 and 1, not {self.share}")

    def requeue(self, message: AbstractIncomingMessage) -> bool:
        return delivery_count(message) < TEST_REDELIVERIES and self.random.random() < self.share

"""Requeueing deliveries after their commit, as if the acknowledgement had been lost: a fault
a test injects into a consumer (``ConsumerConfig.redelivery``), never set in production.

The product carries only the hook; the test kit's fault suite gives the policy
(``forlob_testkit.faults.LostAcknowledgements``), so no setting or switch on the ack path can
turn it on in a deployed service.
"""

from __future__ import annotations

from typing import Protocol

from aio_pika.abc import AbstractIncomingMessage


class RedeliveryInjection(Protocol):
    def requeue(self, message: AbstractIncomingMessage) -> bool:
        """True: requeue this committed delivery instead of acknowledging it (the inbox then
        finds it on its redelivery). It must stay far below the queue's delivery limit."""
        ...

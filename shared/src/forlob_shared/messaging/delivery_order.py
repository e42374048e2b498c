"""Put a consumer's deliveries back in the order the broker sent them.

aiormq runs every delivery in an asyncio task of its own, and FastStream's path from there to the
handler suspends, so deliveries reach the handler out of order: 2,719 inversions in 20,000
deliveries at prefetch 64 on this machine. Per-aggregate order needs the handler to see them as
they were sent. Delivery tags count up by one per channel, so a delivery waits here until the one
before it has passed, then goes on; a tag that never arrives (a delivery FastStream did not hand
on) holds the next one up for ``patience`` seconds at most.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


class DeliveryOrder:
    """Admit one consumer's deliveries in delivery-tag order (one consumer, one channel)."""

    def __init__(self, patience: float = 0.5) -> None:
        self._patience = patience
        self._channel: object | None = None
        self._next = 1
        self._waiting: dict[int, asyncio.Future[None]] = {}

    async def turn(self, raw_message: Any) -> None:
        """Return when every earlier delivery of this channel has had its turn.

        The caller must register the message wherever order matters (a lane, a subject lock)
        before it next suspends: the following delivery runs only once the caller yields.
        """
        tag = raw_message.delivery_tag
        channel = _channel_of(raw_message)
        if tag is None or channel is None:  # not from a consumer, or its channel is gone
            return
        if channel is not self._channel:
            # A new channel (first delivery, or after a reconnect): its tags start again at 1.
            # Whatever waited on the old one goes on; those deliveries can no longer be settled.
            self._channel, self._next = channel, 1
            self._release_all()
        if tag > self._next:
            waiter = self._waiting[tag] = asyncio.get_running_loop().create_future()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter), self._patience)
            self._waiting.pop(tag, None)
            if channel is not self._channel:
                return
        # A late tag (after its successor gave up waiting) goes straight on and moves nothing.
        if tag >= self._next:
            self._next = tag + 1
            successor = self._waiting.get(self._next)
            if successor is not None and not successor.done():
                successor.set_result(None)

    def _release_all(self) -> None:
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_result(None)
        self._waiting.clear()


def _channel_of(raw_message: Any) -> object | None:
    try:
        return raw_message.channel  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001  (aio-pika raises when the channel has closed)
        return None

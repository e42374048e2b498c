"""One LISTEN connection per process: inbox changes fan out to open streams, new deliveries wake
the dispatcher. NOTIFY comes from every replica's commits, so a stream on one replica sees an
alert raised on another."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from typing import Any

import asyncpg

from forlob_notifications.db.uow import DELIVERIES_CHANNEL, INBOX_CHANNEL
from forlob_shared.background import pause
from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error

log = get_logger("forlob.notifications.listener")

STREAM_BUFFER = 256


class ChangeListener:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.deliveries_waiting = asyncio.Event()
        self.connected = asyncio.Event()
        self._streams: dict[tuple[str, str], set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def subscribe(self, org: str, staff_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(STREAM_BUFFER)
        self._streams[(org, staff_id)].add(queue)
        return queue

    def unsubscribe(self, org: str, staff_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        streams = self._streams.get((org, staff_id))
        if streams is not None:
            streams.discard(queue)
            if not streams:
                del self._streams[(org, staff_id)]

    def open_streams(self) -> int:
        """How many streams are subscribed now (each ends by unsubscribing)."""
        return sum(len(queues) for queues in self._streams.values())

    def _on_inbox(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            change = json.loads(str(payload))
            key = (str(change["org"]), str(change["staff_id"]))
        except (ValueError, KeyError, TypeError):
            return
        for queue in list(self._streams.get(key, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled page re-reads its inbox
                queue.put_nowait(change)

    def _on_deliveries(self, _conn: Any, _pid: int, _channel: str, _payload: object) -> None:
        self.deliveries_waiting.set()

    async def run(self, stopping: asyncio.Event) -> None:
        delay = 0.2
        while not stopping.is_set():
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self.dsn)
                await connection.add_listener(INBOX_CHANNEL, self._on_inbox)
                await connection.add_listener(DELIVERIES_CHANNEL, self._on_deliveries)
                self.connected.set()
                self.deliveries_waiting.set()  # anything committed while we were not listening
                delay = 0.2
                while not stopping.is_set() and not connection.is_closed():
                    await pause(stopping, 5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("listener.disconnected", error=describe_error(exc), retry_in=delay)
            finally:
                self.connected.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close()
            await pause(stopping, delay)
            delay = min(delay * 2, 10.0)


async def next_change(queue: asyncio.Queue[dict[str, Any]], stopping: asyncio.Event) -> dict[str, Any] | None:
    """The stream's next change, or None once the service is stopping.

    Waits on both without a timeout: an idle stream costs nothing until a change or the stop comes
    (a client's disconnect is sse-starlette's to notice; it cancels the stream, and so this wait).
    """
    if stopping.is_set():
        return None
    getting = asyncio.ensure_future(queue.get())
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait((getting, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Cancelled (a disconnect) or done: neither waiter may outlive the call. A cancelled get
        # takes nothing from the queue.
        stopped.cancel()
        if not getting.done():
            getting.cancel()
    if getting.done() and not getting.cancelled():
        return getting.result()
    return None

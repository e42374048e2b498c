"""An open inbox stream waits for its next change or the service's stop, and nothing else: no
timer per stream, so a thousand idle streams cost nothing; a cancelled wait takes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from forlob_notifications.channels.listener import ChangeListener, next_change


async def _settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_next_change_is_returned_as_it_comes() -> None:
    listener = ChangeListener("postgresql://unused")
    queue = listener.subscribe("org", "kp-1")
    stopping = asyncio.Event()
    waiting = asyncio.create_task(next_change(queue, stopping))
    await _settled()
    assert not waiting.done()
    listener._on_inbox(None, 0, "inbox", '{"org": "org", "staff_id": "kp-1", "change": "raised", "alert_id": "a"}')
    assert await asyncio.wait_for(waiting, timeout=5) == {
        "org": "org",
        "staff_id": "kp-1",
        "change": "raised",
        "alert_id": "a",
    }


async def test_an_idle_stream_schedules_no_timer_and_ends_on_the_stop() -> None:
    loop: Any = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    stopping = asyncio.Event()
    timers_before = len(loop._scheduled)  # CPython's heap of timed callbacks (call_later)
    waiting = asyncio.create_task(next_change(queue, stopping))
    await _settled()
    assert len(loop._scheduled) == timers_before  # nothing wakes the idle stream
    stopping.set()
    assert await asyncio.wait_for(waiting, timeout=5) is None
    assert await next_change(queue, stopping) is None  # once stopping, at once


async def test_a_cancelled_wait_takes_nothing_from_the_queue() -> None:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    waiting = asyncio.create_task(next_change(queue, asyncio.Event()))
    await _settled()
    waiting.cancel()  # the client went away: sse-starlette cancels the stream
    await asyncio.gather(waiting, return_exceptions=True)
    queue.put_nowait({"change": "raised"})
    assert queue.qsize() == 1
    assert await asyncio.wait_for(next_change(queue, asyncio.Event()), timeout=5) == {"change": "raised"}

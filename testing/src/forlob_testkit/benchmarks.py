"""What several benchmarks in bench/ measure with: their own databases beside the server's, a CPU
reading per process, the nearest-rank percentile, an SMTP sink that notes when it accepted each
message, an open inbox stream that notes when each alert arrived, and the FLOOR (a broker round
trip and an SMTP send with no service in between) that latencies are set against in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import aiosmtplib
import httpx

from forlob_shared.dbadmin import drop_database, ensure_database
from forlob_shared.http.auth import mint_token
from forlob_shared.migrations import upgrade
from forlob_shared.settings import ServiceSettings, plain_postgres_url


def with_database(url: str, name: str) -> str:
    """``url`` (any database on the server) pointing at database ``name`` instead."""
    parts = urlsplit(plain_postgres_url(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_databases(server_url: str, run: str, services: Sequence[str]) -> dict[str, str]:
    """One fresh database per service beside ``server_url``, migrated to its newest schema."""
    urls: dict[str, str] = {}
    for name in services:
        url = with_database(server_url, f"forlob_bench_{run}_{name}")
        urls[name] = url  # noted first: a failed migration still drops it (drop_databases)
        await ensure_database(url)
        spec = import_module(f"forlob_{name}.main").spec()
        # Alembic runs its own event loop, so in a thread; one at a time, as its context is global.
        await asyncio.to_thread(upgrade, spec.migrations_dir, "postgresql+asyncpg://" + url.split("://", 1)[1])
    return urls


async def drop_databases(urls: Mapping[str, str]) -> list[str]:
    """Drop each; returns a line per database that could not be dropped (the caller says so)."""
    problems = []
    for url in urls.values():
        try:
            await drop_database(url)
        except Exception as exc:  # noqa: BLE001  (report, and still drop the others)
            problems.append(f"could not drop {url}: {exc!r}")
    return problems


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (0.0 of nothing): the smallest value with p% at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class TimedSink:
    """An aiosmtpd handler: when (``time.time()``) it accepted each message, by Message-ID."""

    accepted: dict[str, float] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.time()
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.accepted[line.split(b":", 1)[1].strip().decode()] = at
                break
            if not line:  # the end of the headers
                break
        return "250 OK"


def bearer(org: str, staff_id: str, *roles: str) -> dict[str, str]:
    token = mint_token(ServiceSettings(), staff_id=staff_id, org=org, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


async def read_stream(
    client: httpx.AsyncClient, base: str, org: str, staff_id: str, seen: dict[str, float], ready: asyncio.Event
) -> None:
    """Hold ``staff_id``'s ``/inbox/stream`` open as the web does; note when each alert arrived
    (``time.time()``, by alert id). ``ready`` is set once the service has subscribed the stream."""
    headers = bearer(org, staff_id, "contact_person")
    async with client.stream("GET", f"{base}/inbox/stream", headers=headers) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
                if event == "ready":
                    ready.set()
            elif line.startswith("data:") and event == "alert.raised":
                seen.setdefault(json.loads(line.split(":", 1)[1])["id"], time.time())


STREAMS_AT_ONCE = 100  # opened in batches: a burst of connects would overflow the server's listen backlog


@contextlib.asynccontextmanager
async def open_streams(
    client: httpx.AsyncClient, base: str, recipients: Sequence[tuple[str, str]], seen: dict[str, float]
) -> AsyncIterator[int]:
    """Every recipient's inbox stream held open (each subscribed before this yields)."""
    tasks: list[asyncio.Task[None]] = []
    try:
        for first in range(0, len(recipients), STREAMS_AT_ONCE):
            readies = []
            for org, staff_id in recipients[first : first + STREAMS_AT_ONCE]:
                ready = asyncio.Event()
                readies.append(ready)
                tasks.append(asyncio.create_task(read_stream(client, base, org, staff_id, seen, ready)))
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=60)
        yield len(tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def measure_floor(broker_url: str, sink_port: int, samples: int, gap: float) -> list[float]:
    """Seconds from a persistent publish to an e-mail accepted by the sink at ``sink_port``, with
    no service between: a plain consumer sends the e-mail at once and acks. One at a time,
    ``gap`` seconds apart."""
    connection = await aio_pika.connect(broker_url)
    latencies: list[float] = []
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        done = asyncio.Queue[float]()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            sent_at = float(message.body)
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = "bench@forlob", "floor@forlob", "floor"
            mail.set_content("floor")
            await aiosmtplib.send(mail, hostname="127.0.0.1", port=sink_port)
            await message.ack()
            await done.put(time.time() - sent_at)

        await queue.consume(on_message)
        for _ in range(samples):
            body = repr(time.time()).encode()
            await channel.default_exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue.name
            )
            latencies.append(await asyncio.wait_for(done.get(), timeout=30))
            await asyncio.sleep(gap)
    return latencies

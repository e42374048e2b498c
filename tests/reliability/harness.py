"""A reliability run: the course load on a private system, a fault struck mid-batch during one of
its days, then the settle and the ledger's count, printed and asserted."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

import asyncpg
import httpx

from forlob_shared.settings import plain_postgres_url
from forlob_testkit.courses import HEADERS, CourseLoad, DayReport
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import System
from forlob_testkit.servers import PrivateRabbitMQ
from forlob_testkit.wait import eventually

from .ledger import WEBHOOK_TYPES, FaultWindow, Ledger, Report

Fault = Callable[[], Coroutine[None, None, None]]


@dataclass
class Run:
    system: System
    load: CourseLoad
    window: FaultWindow
    ledger: Ledger
    days: list[DayReport] = field(default_factory=list)
    rabbit: PrivateRabbitMQ | None = None

    async def play(
        self, courses: list[int], *, fault: Fault | None = None, on_day: int = 1, load_waits_for_fault: bool = False
    ) -> None:
        """One working day per entry (that many new courses). ``fault`` starts with day ``on_day``
        and runs beside the load (it waits for its moment, mid-batch) until it has healed.

        With ``load_waits_for_fault`` day ``on_day`` and those after it begin only once the fault
        has struck (``window.begin()``): the fault does not wait for its moment, it makes it, and
        the day's events are published into it whatever the machine's speed (a fault that struck
        after the load's last event would test nothing)."""
        striking: asyncio.Task[None] | None = None
        try:
            for number, new_courses in enumerate(courses):
                if fault is not None and number == on_day:
                    striking = asyncio.create_task(fault(), name="fault")
                if striking is not None and load_waits_for_fault:
                    await self._struck(striking)
                self.days.append(await self.load.day(new_courses))
            if striking is not None:
                await striking
        except BaseException:
            if striking is not None:
                striking.cancel()
            print(await asyncio.to_thread(self.diagnosis))
            for service in self.system.databases:
                with contextlib.suppress(Exception):
                    print(
                        service, "unsent outbox rows:", await rows(self.system, service, "outbox WHERE sent_at IS NULL")
                    )
            try:
                conn = await asyncpg.connect(plain_postgres_url(self.system.databases["notifications"]))
                try:
                    query = "SELECT kind, recipient_staff_id, state, count(*) AS n FROM alerts GROUP BY 1, 2, 3"
                    print("alerts by kind, recipient and state:", sorted(tuple(r) for r in await conn.fetch(query)))
                finally:
                    await conn.close()
            except Exception as exc:
                print("alerts unreadable:", repr(exc))
            raise

    async def _struck(self, striking: asyncio.Task[None]) -> None:
        async def begun() -> bool:
            if striking.done():  # a fault that failed before striking says why, not a timeout
                striking.result()
            return self.window.began is not None

        await eventually(begun, timeout=60, interval=0.05, what=f"the fault {self.window.name!r} to strike")

    def diagnosis(self) -> str:
        """What a failed run leaves to read: the queues as the broker sees them, the services' warnings."""
        lines = []
        if self.rabbit is not None and self.rabbit.running:
            with contextlib.suppress(Exception):
                lines.append(
                    self.rabbit.ctl("list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers")
                )
        for name, log in self.system.logs().items():
            noted = [line for line in log.splitlines() if '"warning"' in line or '"error"' in line]
            lines += [f"--- {name}: {len(noted)} warnings/errors, the last:"] + [line[:400] for line in noted[-8:]]
        return "\n".join(lines)

    async def finish(self, *, settle: float = 120, resends: bool = False) -> Report:
        """Wait for the load to settle, count, print the one-line summary and assert it clean."""
        started = time.monotonic()
        with contextlib.suppress(AssertionError):  # if it never settles, the count says what is missing
            await eventually(self.ledger.settled, timeout=settle, interval=0.3, what="the load to settle")
        report = await self.ledger.report()
        print(f"\n{report.line()} | settled in {time.monotonic() - started:.1f} s")
        assert report.clean, "\n".join(report.problems())
        if not resends:  # only a sender killed between sending and recording may send again
            assert report.effects["e-mails"].resent == report.effects["webhooks"].resent == 0, report.problems()
        assert report.recovered > 0, "no event crossed the fault: the fault hit nothing in flight"
        # The bar: consumers back within 30 s of each fault.
        if report.back_after is None:  # healed as the load ended: nothing came after to be consumed
            assert report.published_after_heal == 0, "events came after the fault, and no consumer took them"
        else:
            assert report.back_after < 30, report.back_after
        return report


async def start_run(
    name: str,
    system: System,
    http: httpx.AsyncClient,
    smtp: SmtpSink,
    webhooks: WebhookReceiver,
    *,
    rabbit: PrivateRabbitMQ | None = None,
    seed: int = 1,
    timeout: float = 60,
) -> Run:
    """The load prepared (staff, programme, clock) and the jobcentre's webhook subscribed."""
    # Shares high enough that every kind of effect occurs in a small load.
    load = CourseLoad(
        http,
        system,
        seed=seed,
        days_per_course=3,
        timeout=timeout,
        breach_share=0.1,
        late_share=0.25,
        absent_share=0.25,
    )
    await load.prepare()
    subscribed = await http.post(
        f"{system.url('notifications')}/webhooks/subscriptions",
        json={"url": webhooks.url, "event_types": WEBHOOK_TYPES},
        headers=HEADERS["jobcentre_admin"],
    )
    assert subscribed.status_code == 201, subscribed.text
    webhooks.secret = subscribed.json()["secret"]
    window = FaultWindow(name)
    ledger = Ledger(system, window, expected=load.expected, smtp=smtp, webhooks=webhooks, today=lambda: load.today)
    return Run(system, load, window, ledger, rabbit=rabbit)


async def rows(system: System, service: str, table: str) -> int:
    conn = await asyncpg.connect(plain_postgres_url(system.databases[service]))
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def mid_batch(system: System, service: str, table: str = "outbox", grown_by: int = 5) -> None:
    """Return once ``service``'s ``table`` has grown by ``grown_by`` rows from now: its batch is
    under way (a burst of course starts, a sweep, a run of alerts)."""
    baseline = await rows(system, service, table)

    async def grown() -> bool:
        return await rows(system, service, table) >= baseline + grown_by

    # If the load has moved past that batch, strike anyway: the fault must happen.
    with contextlib.suppress(AssertionError):
        await eventually(grown, timeout=20, interval=0.05, what=f"{service}'s {table} to grow by {grown_by}")


async def dead_letters(rabbit: PrivateRabbitMQ, system: System) -> dict[str, int]:
    """The system's dead-letter queues that hold messages, with how many."""
    prefix = system.services["referral"].env["FORLOB_NAME_PREFIX"]
    listing = await asyncio.to_thread(rabbit.ctl, "list_queues", "name", "messages", "--no-table-headers", "--quiet")
    found = {}
    for line in listing.splitlines():
        name, _, count = line.strip().partition("\t")
        if name.startswith(prefix) and name.endswith(".dlq") and count.strip() not in ("", "0"):
            found[name] = int(count)
    return found

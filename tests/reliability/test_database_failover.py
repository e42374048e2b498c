"""A service's database fails over under a steady load of courses: attendance's database runs on
a private primary with a synchronous streaming standby (``pg_basebackup -R``); as a day's course
starts begin, the primary is killed (SIGKILL, as a crashed host), and only once referral has
published some of those starts for attendance is the standby promoted and the address the
service uses moves to it, as CloudNativePG's read-write Service does: the service reaches its
database through a proxy in the test kit whose target switches, so its URL never changes and
nothing is restarted. Attendance is the service with the most kinds of work on its database:
the check-ins the driver makes over HTTP, the sweep that detects absences, its consumers of
course events and its relay. The load waits for the strike, so events cross it in every run.

Afterwards nothing may be lost from the outbox or the inbox (every event published once,
processed once by each consumer), no effect doubled, nothing dead-lettered, and the relay and the
consumers must be back without a restart (each process started once)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from forlob_shared.settings import plain_postgres_url
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.postgres_failover import make_standby, promote, replication_state, switch
from forlob_testkit.processes import System
from forlob_testkit.servers import FaultProxy, PrivatePostgres
from forlob_testkit.wait import eventually

from .conftest import PrivateServers, StartSystem
from .harness import dead_letters, start_run

pytestmark = pytest.mark.slow


@dataclass
class Failover:
    primary: PrivatePostgres
    standby: PrivatePostgres
    proxy: FaultProxy
    url: str  # the service's database URL: through the proxy, whichever server is primary


async def _published_since(system: System, service: str, since: datetime) -> int:
    """``service``'s events written since ``since`` (sent or not, archived or not)."""
    conn = await asyncpg.connect(plain_postgres_url(system.databases[service]))
    try:
        query = "SELECT (SELECT count(*) FROM outbox WHERE created_at >= $1)"
        query += " + (SELECT count(*) FROM outbox_archive WHERE created_at >= $1)"
        return int(await conn.fetchval(query, since))
    finally:
        await conn.close()


def _relay_sessions(system: System) -> int:
    """How often attendance's relay has become active (it logs ``relay.active`` each time)."""
    return system.logs()["attendance"].count('"event": "relay.active"')


@pytest.fixture
async def failover(private_servers: PrivateServers, tmp_path: Path) -> AsyncIterator[Failover]:
    cluster = await asyncio.to_thread(private_servers.new_cluster, "attendance-primary")
    url = await cluster.database("attendance", "failover_attendance")  # migrated, before the copy
    standby = await asyncio.to_thread(make_standby, cluster.server, tmp_path / "attendance-standby")
    try:
        async with FaultProxy(cluster.server.port) as proxy:
            proxied = url.replace(f":{cluster.server.port}/", f":{proxy.port}/")
            yield Failover(cluster.server, standby, proxy, proxied)
    finally:
        await asyncio.to_thread(standby.cleanup)


async def test_attendance_database_failover(
    failover: Failover,
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system(databases={"attendance": failover.url}) as system:
        run = await start_run(
            "database-failover", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit
        )
        figures: list[str] = []

        async def fail_over() -> None:
            # The day waits for the strike, then starts its courses: referral publishes them while
            # attendance's database is gone, so they are held for attendance across the failover.
            run.window.begin()
            relay_sessions = _relay_sessions(system)
            struck = time.monotonic()
            await failover.proxy.cut("reset")  # the read-write Service has no endpoint...
            await asyncio.to_thread(failover.primary.kill)  # ...because its primary crashed
            await asyncio.to_thread(promote, failover.standby)
            # Heal only once some of them are published: events cross the failover in every run.
            began = run.window.began
            assert began is not None

            async def held_for_attendance() -> bool:
                return await _published_since(system, "referral", began) > 0

            await eventually(held_for_attendance, timeout=60, interval=0.05, what="a course start held for attendance")
            await switch(failover.proxy, failover.standby)
            promoted = time.monotonic() - struck
            run.window.heal()
            assert await replication_state(failover.url) == "primary"

            async def ready() -> bool:
                response = await http.get(f"{system.url('attendance')}/health/ready")
                return response.status_code == 200

            await eventually(ready, timeout=60, interval=0.2, what="attendance ready on the promoted standby")
            ready_after = time.monotonic() - struck

            async def relay_back() -> bool:  # it lost its session (and its lock) with the old primary
                return _relay_sessions(system) > relay_sessions

            await eventually(relay_back, timeout=60, interval=0.2, what="attendance's relay active again")
            figures.append(
                f"primary killed, standby promoted and the proxy switched in {promoted:.1f} s; attendance ready "
                f"after {ready_after:.1f} s, its relay active again after {time.monotonic() - struck:.1f} s"
            )

        await run.play([8, 8, 0, 0], fault=fail_over, load_waits_for_fault=True)
        print("\ndatabase-failover:", "; ".join(figures))
        await run.finish()
        assert await dead_letters(private_servers.rabbit, system) == {}
        assert all(process.starts == 1 for process in system.processes()), "a service was restarted"

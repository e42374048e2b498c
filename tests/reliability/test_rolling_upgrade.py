"""A rolling upgrade under load: release N (a fixed earlier commit of main, built from the git
history: releases.py) runs the four services; with whole courses flowing, the notifications
service and then the referral service are upgraded to release N+1 (this checkout), one replica
at a time, each behind a balancer as an ingress would put them:

1. N+1's ``migrate`` applies the expand migrations (notifications 0013: ``escalation_level``
   beside ``level``, a trigger keeping both) while N serves;
2. each replica in turn is taken out of the balancer's rotation, stopped (SIGTERM: what it holds
   is finished or goes back to the queue), started as N+1 on the same database and queues, and
   put back once ready; N and N+1 consume the same queues meanwhile;
3. once the last N replica is gone, ``migrate --contract`` (notifications 0014 drops ``level``).

Then the fault suite's count (ledger.py): lost 0, duplicated 0, unexpected 0, for events and
every effect; and no HTTP request, the load's or the probe's (reads and writes through the
balancers all the while), answered 5xx or left unserved.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping

import asyncpg
import httpx
import pytest

from forlob_shared.release import release_version
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.balancer import Balancer
from forlob_testkit.courses import HEADERS, LOAD_PROGRAMME
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import SERVICES, System

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run
from .releases import Release, build_release, migrate, this_release

pytestmark = pytest.mark.slow

UPGRADED = ("notifications", "referral")  # in this order, each with two replicas
PROBE_STAFF = {"role": "specialist", "channels": ["inbox"], "country": "DK"}


class Answers:
    """Every HTTP answer the test's client got (the load's and the probe's), by status class."""

    def __init__(self) -> None:
        self.by_class: Counter[str] = Counter()
        self.server_errors: list[str] = []

    async def record(self, response: httpx.Response) -> None:
        self.by_class[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.request.method} {response.request.url} -> {response.status_code}")


async def _databases_of(release: Release, servers: PrivateServers, run: str) -> dict[str, str]:
    """The four databases, created and migrated by release N's own ``migrate``."""
    urls = {}
    for service in SERVICES:
        await servers.cluster._execute(f'CREATE DATABASE "{run}_{service}"')
        urls[service] = servers.cluster.url(f"{run}_{service}")
        await asyncio.to_thread(migrate, release.command(f"forlob-{service}"), service, urls[service])
    return urls


async def _probe(http: httpx.AsyncClient, system: System, stop: asyncio.Event) -> int:
    """Reads and writes through the balancers until ``stop``: the load's gaps filled."""
    sent = 0
    while not stop.is_set():
        notifications, referral = system.url("notifications"), system.url("referral")
        calls = [
            http.get(f"{notifications}/inbox", headers=HEADERS["contact_person"]),
            http.put(f"{notifications}/staff/probe-{sent % 3}", json=PROBE_STAFF, headers=HEADERS["provider_admin"]),
            http.get(f"{notifications}/health/live"),
            http.get(f"{referral}/programmes/{LOAD_PROGRAMME}", headers=HEADERS["coordinator"]),
            http.get(f"{referral}/health/live"),
        ]
        for answer in await asyncio.gather(*calls):
            assert answer.status_code < 300, f"{answer.request.method} {answer.request.url}: {answer.status_code}"
        sent += len(calls)
    return sent


async def _live_versions(http: httpx.AsyncClient, system: System, service: str) -> list[str | None]:
    return [(await http.get(f"{r.url}/health/live")).json().get("version") for r in system.replicas(service)]


async def test_rolling_upgrade_of_notifications_and_referral_under_load(
    private_system: StartSystem,
    private_servers: PrivateServers,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    release_n = await asyncio.to_thread(build_release)
    databases = await _databases_of(release_n, private_servers, "upgrade")
    answers = Answers()
    pythons: Mapping[str, str] = dict.fromkeys(SERVICES, release_n.python)
    async with (
        # A connection per request, as the balancer hands out: a keep-alive connection to a
        # replica that is stopping may be closed by it just as a request goes out on it, which
        # an ingress retries and a plain TCP balancer cannot (docs/reliability.md).
        httpx.AsyncClient(
            timeout=20, limits=httpx.Limits(max_keepalive_connections=0), event_hooks={"response": [answers.record]}
        ) as http,
        private_system(replicas=dict.fromkeys(UPGRADED, 2), databases=databases, pythons=pythons) as system,
    ):
        balancers = {service: Balancer([r.port for r in system.replicas(service)]) for service in UPGRADED}
        for service, balancer in balancers.items():
            await balancer.start()
            system.fronts[service] = balancer.url
        try:
            # Release N predates the version: its /health/live has none.
            assert await _live_versions(http, system, "notifications") == [None, None]
            run = await start_run("rolling-upgrade", system, http, smtp_sink, webhook_receiver)
            stop_probe = asyncio.Event()
            probe = asyncio.create_task(_probe(http, system, stop_probe), name="probe")
            steps: list[str] = []

            async def upgrade(service: str) -> None:
                await mid_batch(system, service, "inbox" if service == "notifications" else "outbox", grown_by=3)
                run.window.begin()
                database = system.databases[service]
                await asyncio.to_thread(migrate, this_release(service), service, database)  # expand
                steps.append(f"{service}: expand")
                for replica in system.replicas(service):
                    balancers[service].drain(replica.port)
                    await asyncio.to_thread(replica.stop)
                    replica.python = None  # this checkout: release N+1
                    await asyncio.to_thread(replica.start)
                    await asyncio.to_thread(replica.wait_ready, 90)
                    balancers[service].add(replica.port)
                    steps.append(f"{service}: {replica.port} N+1")
                await asyncio.to_thread(migrate, this_release(service), service, database, "--contract")
                steps.append(f"{service}: contract")
                run.window.heal()

            try:
                # Notifications while the first courses start and their absences are alerted;
                # referral while more start and the first end; then two days on release N+1
                # alone, the last courses ending (courses of 3 days: 24 in all).
                await run.play([8, 8], fault=lambda: upgrade("notifications"), on_day=0)
                await run.play([8], fault=lambda: upgrade("referral"), on_day=0)
                await run.play([0, 0])
            finally:
                stop_probe.set()
                probed = await probe
            report = await run.finish()
        finally:
            for balancer in balancers.values():
                await balancer.stop()
        print(
            f"rolling-upgrade: {' -> '.join(steps)} | HTTP {sum(answers.by_class.values()):,} answers "
            f"{dict(sorted(answers.by_class.items()))} (probe {probed:,}), 5xx {len(answers.server_errors)}, "
            f"refused by a stopping replica {sum(b.refused for b in balancers.values())}, "
            f"unserved {sum(b.unserved for b in balancers.values())}"
        )
        assert answers.server_errors == [], answers.server_errors[:5]
        assert sum(b.unserved for b in balancers.values()) == 0
        assert len(steps) == 2 * (1 + 2 + 1)
        for service in UPGRADED:
            assert await _live_versions(http, system, service) == [release_version(service)] * 2
        # Both releases published: N's events without a version, N+1's with its own.
        stamps = {service: await _stamps(system.databases[service]) for service in UPGRADED}
        print(f"rolling-upgrade: events by release (sourceversion) {stamps}")
        for service, stamped in stamps.items():
            assert set(stamped) <= {None, release_version(service)}, stamped
            assert stamped[release_version(service)] > 0, f"{service}: release N+1 published nothing"
        # The contract ran: release N's column is gone; the escalations of both releases are kept.
        conn = await asyncpg.connect(plain_postgres_url(system.databases["notifications"]))
        try:
            columns = await conn.fetch("SELECT column_name FROM information_schema.columns WHERE table_name = 'alerts'")
            assert "level" not in {c["column_name"] for c in columns}
            assert await conn.fetchval("SELECT count(*) FROM alerts WHERE escalation_level > 0") > 0
        finally:
            await conn.close()
        assert report.effects["alerts"].total > 0


async def _stamps(database: str) -> Counter[str | None]:
    """The outbox's events by the release that published them (``sourceversion``)."""
    conn = await asyncpg.connect(plain_postgres_url(database))
    try:
        rows = await conn.fetch("SELECT convert_from(body, 'UTF8')::jsonb ->> 'sourceversion' AS v FROM outbox")
    finally:
        await conn.close()
    return Counter(r["v"] for r in rows)

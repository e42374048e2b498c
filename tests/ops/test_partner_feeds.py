"""Partner feeds from the outside: each partner reads its own queue and nothing else, the queue
holds the published partner contract and never an internal event, and the consumer printed in
docs/partners.md works as written."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from forlob_shared import partner
from forlob_shared.events import PendingEvent, encode
from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import RabbitmqctlAdmin, vhost_of
from forlob_shared.ops.partners import PartnerFeed, add_partner, remove_partner
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import referral_event
from forlob_testkit.servers import free_port
from forlob_testkit.wait import eventually

DOCS = Path(__file__).resolve().parents[2] / "docs" / "partners.md"


def _as(url: str, feed: PartnerFeed) -> str:
    parts = urlsplit(url)
    netloc = f"{quote(feed.user, safe='')}:{quote(feed.password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
async def feeds(infra: TestInfra, prefix: str) -> AsyncIterator[tuple[PartnerFeed, PartnerFeed]]:
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("partner users are created with rabbitmqctl on the broker host")
    admin = RabbitmqctlAdmin(vhost_of(infra.broker_url))
    topology = Topology(prefix=prefix)
    a = await add_partner(infra.broker_url, admin, topology, "jobcenter-aalborg")
    b = await add_partner(infra.broker_url, admin, topology, "jobcenter-odense")
    try:
        yield a, b
    finally:
        for org in ("jobcenter-aalborg", "jobcenter-odense"):
            await remove_partner(infra.broker_url, admin, topology, org)
        connection = await aio_pika.connect(infra.broker_url)
        async with connection:
            channel = await connection.channel()
            await channel.exchange_delete(prefix + "forlob.partners")


async def _publish(infra: TestInfra, prefix: str, referring: str, *, internal: bool = False) -> str:
    """One event about a referral of ``referring``, published as the relay does: the partner
    contract's (as notifications publishes it), or with ``internal`` the referral service's own."""
    event = referral_event()
    if not internal:
        data = event.data
        event = PendingEvent(
            data=partner.ReferralReceived(
                referral_id=data.referral_id,
                participant_id=data.participant_id,
                programme_code=data.programme_code,
                referring_org=referring,
                provider_org=data.provider_org,
                received_at=data.received_at,
            ),
            subject=event.subject,
        )
    event = PendingEvent(
        data=event.data.model_copy(update={"referring_org": referring}),
        subject=event.subject,
        referring_org=referring,
        provider_org="rca-aalborg",
        id=event.id,
        dataschema=None if internal else partner.ReferralReceived.schema_url("https://api.forlob.example"),
    )
    source = "forlob/referral" if internal else "forlob/notifications"
    body = encode(event, source=source, sequence=1, time=datetime.now(UTC))
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        headers = {
            "type": event.data.cloudevent_type(),
            "subject": event.subject,
            "referringorg": referring,
            "providerorg": "rca-aalborg",
        }
        await exchange.publish(
            aio_pika.Message(body, headers=headers, message_id=str(event.id)), routing_key=event.data.routing_key
        )
    return str(event.id)


async def _drain(url: str, queue_name: str) -> list[str]:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        ids = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            ids.append(message.message_id or "")
        return ids


async def _refused(url: str, action: Any) -> bool:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        try:
            await action(channel)
        except ChannelAccessRefused:
            return True
        return False
    finally:
        await connection.close()


async def test_each_partner_reads_only_its_own_events(
    infra: TestInfra, prefix: str, feeds: tuple[PartnerFeed, PartnerFeed]
) -> None:
    a, b = feeds
    # Internal events about A's referrals, with A's referringorg header: the partner exchange never
    # takes them (published first, so they would be in A's queue before its own events).
    for _ in range(2):
        await _publish(infra, prefix, "jobcenter-aalborg", internal=True)
    for_a = [await _publish(infra, prefix, "jobcenter-aalborg") for _ in range(3)]
    for_b = [await _publish(infra, prefix, "jobcenter-odense") for _ in range(2)]
    url_a, url_b = _as(infra.broker_url, a), _as(infra.broker_url, b)

    got_a: list[str] = []

    async def a_has_all() -> bool:
        got_a.extend(await _drain(url_a, a.queue))
        return len(got_a) >= 3

    await eventually(a_has_all, what="partner A's three events")
    assert sorted(got_a) == sorted(for_a)  # none of B's, and none of the internal events
    assert sorted(await _drain(url_b, b.queue)) == sorted(for_b)

    # A may not read B's queue, nor any other queue, nor publish, nor declare anything.
    assert await _refused(url_a, lambda ch: _get(ch, b.queue))
    assert await _refused(url_a, lambda ch: _get(ch, Topology(prefix=prefix).history_stream))
    assert await _refused(url_a, lambda ch: ch.declare_queue(f"{prefix}sneaky", auto_delete=True))
    assert await _refused(url_a, lambda ch: _publish_as(ch, Topology(prefix=prefix).events_exchange))
    assert await _refused(url_a, lambda ch: _publish_as(ch, ""))  # not even to the default exchange
    # Nor widen what it receives: binding its queue to the internal exchange is refused.
    assert await _refused(url_a, lambda ch: _bind(ch, a.queue, Topology(prefix=prefix).events_exchange))


async def test_a_partner_learns_of_other_queues_only_what_docs_partners_md_says(
    infra: TestInfra, prefix: str, feeds: tuple[PartnerFeed, PartnerFeed]
) -> None:
    """RabbitMQ checks no permission on a passive declare (rabbit_channel, 3.x and 4.x), so no
    regex keeps a partner from learning that another queue exists and its depth. docs/partners.md
    says so; this holds it to the broker's behaviour (if a RabbitMQ release starts refusing,
    this fails and the page can say the partner learns nothing)."""
    a, b = feeds
    await _publish(infra, prefix, "jobcenter-odense")

    async def b_has_one() -> bool:
        return (await _queue_depth(infra.broker_url, b.queue)) == 1

    await eventually(b_has_one, what="an event in partner B's queue")
    connection = await aio_pika.connect(_as(infra.broker_url, a))
    async with connection:
        declared = await (await connection.channel()).declare_queue(b.queue, passive=True)
        assert declared.declaration_result.message_count == 1  # the depth, not the content
    assert await _refused(_as(infra.broker_url, a), lambda ch: _get(ch, b.queue))  # the content: refused
    docs = DOCS.read_text()
    assert "passive" in docs
    assert "how many messages and consumers it has, though not what is in it" in " ".join(docs.split())


async def _get(channel: aio_pika.abc.AbstractChannel, queue: str) -> None:
    declared = await channel.get_queue(queue, ensure=False)
    await declared.get(fail=False)


async def _bind(channel: aio_pika.abc.AbstractChannel, queue: str, exchange: str) -> None:
    declared = await channel.get_queue(queue, ensure=False)
    await declared.bind(exchange, routing_key="#")


async def _publish_as(channel: aio_pika.abc.AbstractChannel, exchange: str) -> None:
    # The channel confirms publishes, so a refusal surfaces here rather than being lost.
    target = await channel.get_exchange(exchange, ensure=False) if exchange else channel.default_exchange
    await target.publish(aio_pika.Message(b"{}"), routing_key="referral.received.v1")


async def test_the_documented_partner_consumer_runs_as_written(
    infra: TestInfra, prefix: str, feeds: tuple[PartnerFeed, PartnerFeed]
) -> None:
    a, _ = feeds
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert code, "docs/partners.md has no python example"
    await _publish(infra, prefix, "jobcenter-aalborg")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code.group(1),
        env={**os.environ, "FORLOB_FEED_URL": _as(infra.broker_url, a), "FORLOB_FEED_QUEUE": a.queue},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    finally:
        process.kill()
        await process.wait()
    fields = line.decode().split()
    assert fields[0] == "dk.forlob.partner.referral.received.v1", line
    assert fields[2] == "000000000001"  # the sequence extension, a string, read by the SDK


# --------------------------------------------------------------------------------------------
# `forlob partners add` as an operator runs it: the console script, twice
# --------------------------------------------------------------------------------------------

FORLOB = Path(sys.executable).parent / "forlob"  # the console script of the workspace


async def _forlob(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(FORLOB), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _env(broker_url: str, prefix: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "FORLOB_RABBITMQ_MANAGEMENT_URL"}
    return {**environment, "FORLOB_BROKER_URL": broker_url, "FORLOB_NAME_PREFIX": prefix}


async def test_partners_add_run_twice_succeeds_and_keeps_the_partners_password_and_events(
    infra: TestInfra, prefix: str
) -> None:
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("the CLI creates partner users with rabbitmqctl on the broker host")
    env = _env(infra.broker_url, prefix)
    org = "jobcenter-twice"
    try:
        code, out, err = await _forlob("partners", "add", org, env=env)
        assert (code, err) == (0, ""), err
        password = re.search(r"password \(shown once\): (\S+)", out)
        assert password, out
        feed = PartnerFeed(org, f"{prefix}partner-{org}", password.group(1), f"{prefix}partner.{org}.events")
        event_id = await _publish(infra, prefix, org)

        async def queued() -> bool:
            return (await _queue_depth(infra.broker_url, feed.queue)) == 1

        await eventually(queued, what="the event in the partner's queue")

        code, out, err = await _forlob("partners", "add", org, env=env)
        assert (code, err) == (0, ""), err
        assert "Traceback" not in out
        assert "password unchanged" in out
        assert "shown once" not in out  # no new password that would not work

        # Nothing the partner relies on changed: its password still works and the event waits.
        assert await _drain(_as(infra.broker_url, feed), feed.queue) == [event_id]
        assert await _refused(_as(infra.broker_url, feed), lambda ch: _get(ch, Topology(prefix=prefix).history_stream))

        # With --password the operator resets it, on purpose.
        code, out, err = await _forlob("partners", "add", org, "--password", "reset-by-the-operator", env=env)
        assert (code, err) == (0, ""), err
        reset = PartnerFeed(org, feed.user, "reset-by-the-operator", feed.queue)
        assert await _drain(_as(infra.broker_url, reset), feed.queue) == []
    finally:
        try:
            code, _, err = await _forlob("partners", "remove", org, env=env)
            assert code == 0, err
            code, _, err = await _forlob("partners", "remove", org, env=env)  # gone already: no error
            assert code == 0, err
        finally:
            connection = await aio_pika.connect(infra.broker_url)
            async with connection:
                await (await connection.channel()).exchange_delete(prefix + "forlob.partners")


async def _queue_depth(broker_url: str, queue: str) -> int:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        declared = await (await connection.channel()).declare_queue(queue, passive=True)
        assert declared.declaration_result.message_count is not None
        return declared.declaration_result.message_count


@pytest.mark.parametrize(
    ("case", "args", "expected_code", "says"),
    [
        ("broker unreachable", ("partners", "add", "jobcenter-aalborg"), 1, "cannot reach the broker"),
        ("bad organisation id", ("partners", "add", "Jobcenter Aalborg"), 2, "organisation id"),
        ("bad organisation id on remove", ("partners", "remove", "../x"), 2, "organisation id"),
    ],
)
async def test_partners_errors_are_one_line_and_an_exit_code(
    prefix: str, case: str, args: tuple[str, ...], expected_code: int, says: str
) -> None:
    port = free_port()  # nothing listens there
    env = _env(f"amqp://guest:not-to-be-printed@127.0.0.1:{port}/", prefix)
    code, out, err = await _forlob(*args, env=env)
    assert code == expected_code, (case, out, err)
    assert "Traceback" not in err + out, case
    assert len(err.strip().splitlines()) == 1, (case, err)
    assert err.startswith("forlob: "), (case, err)
    assert says in err, (case, err)
    assert "not-to-be-printed" not in err + out  # the URL's password stays out of the message


async def test_add_takes_away_the_binding_a_broker_had_before_the_partner_contract(
    infra: TestInfra, prefix: str
) -> None:
    """Before the partner contract, forlob.partners took every event ('#'); a broker set up then
    (and a definitions import, which never deletes) keeps that binding until `add` removes it."""
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("partner users are created with rabbitmqctl on the broker host")
    topology = Topology(prefix=prefix)
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()
        await topology.declare_exchanges(channel)
        legacy = await channel.declare_exchange(prefix + "forlob.partners", aio_pika.ExchangeType.HEADERS, durable=True)
        await legacy.bind(topology.events_exchange, routing_key="#")
    admin = RabbitmqctlAdmin(vhost_of(infra.broker_url))
    feed = await add_partner(infra.broker_url, admin, topology, "jobcenter-legacy")
    try:
        await _publish(infra, prefix, "jobcenter-legacy", internal=True)
        published = await _publish(infra, prefix, "jobcenter-legacy")
        got: list[str] = []

        async def arrived() -> bool:
            got.extend(await _drain(infra.broker_url, feed.queue))
            return published in got

        await eventually(arrived, what="the partner event in the queue")
        assert got == [published]  # the internal event published before it never came
    finally:
        await remove_partner(infra.broker_url, admin, topology, "jobcenter-legacy")
        connection = await aio_pika.connect(infra.broker_url)
        async with connection:
            await (await connection.channel()).exchange_delete(prefix + "forlob.partners")

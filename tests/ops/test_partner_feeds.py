"""Partner feeds from the outside: each partner reads its own queue, in a vhost of its own, and
nothing else; the queue holds the published partner contract and never an internal event; the
shovel into the partner's vhost loses nothing; and the consumer printed in docs/partners.md works
as written."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelNotFoundEntity, ConnectionNotAllowed, InvalidFrameError

from forlob_shared import partner
from forlob_shared.events import PendingEvent, encode
from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import BrokerAdminError, RabbitmqctlAdmin, vhost_of
from forlob_shared.ops.partners import (
    QUEUE_ARGUMENTS,
    PartnerFeed,
    add_partner,
    declare_partner_exchange,
    partner_shovel,
    url_in_vhost,
)
from forlob_testkit.fixtures import register_partner
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import referral_event
from forlob_testkit.outside import add_test_partner, as_partner
from forlob_testkit.servers import free_port
from forlob_testkit.wait import eventually

DOCS = Path(__file__).resolve().parents[2] / "docs" / "partners.md"


_as = as_partner


def _in_services_vhost(url: str, feed: PartnerFeed, services_vhost: str) -> str:
    """The partner's credentials, at the services' vhost."""
    return url_in_vhost(as_partner(url, feed), services_vhost)


@pytest.fixture
async def feeds(infra: TestInfra, prefix: str) -> tuple[PartnerFeed, PartnerFeed]:
    # Removed with the prefix: vhosts, shovels, users, queues.
    return (
        await add_test_partner(infra, prefix, "jobcenter-aalborg"),
        await add_test_partner(infra, prefix, "jobcenter-odense"),
    )


def _message(
    prefix: str, referring: str, *, internal: bool = False, subject: str | None = None, sequence: int = 1
) -> tuple[str, aio_pika.Message, str]:
    """(routing key, message, event id) of one event about a referral of ``referring``, as the
    relay publishes it: the partner contract's (as notifications publishes it), or with
    ``internal`` the referral service's own."""
    event = referral_event(UUID(subject) if subject else None)
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
    body = encode(event, source=source, sequence=sequence, time=datetime.now(UTC))
    headers = {
        "type": event.data.cloudevent_type(),
        "subject": event.subject,
        "referringorg": referring,
        "providerorg": "rca-aalborg",
    }
    message = aio_pika.Message(body, headers=headers, message_id=str(event.id), delivery_mode=2)
    return event.data.routing_key, message, str(event.id)


async def _publish(infra: TestInfra, prefix: str, referring: str, *, internal: bool = False) -> str:
    [event_id] = await _publish_all(infra, prefix, [_message(prefix, referring, internal=internal)])
    return event_id


async def _publish_all(infra: TestInfra, prefix: str, messages: list[tuple[str, aio_pika.Message, str]]) -> list[str]:
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()  # confirms each publish, as the relay does
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        for routing_key, message, _ in messages:
            await exchange.publish(message, routing_key=routing_key)
    return [event_id for _, _, event_id in messages]


async def _drain(url: str, queue_name: str) -> list[str]:
    return [message.message_id or "" for message in await _drain_messages(url, queue_name)]


async def _drain_messages(url: str, queue_name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        messages = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            messages.append(message)
        return messages


async def _refused(url: str, action: Any) -> bool:
    """Whether the broker refuses ``action`` as the user of ``url`` (no right)."""
    return await _fails(url, action, ChannelAccessRefused)


async def _absent(url: str, action: Any) -> bool:
    """Whether ``action`` finds nothing of that name in the vhost of ``url``."""
    return await _fails(url, action, ChannelNotFoundEntity)


async def _fails(url: str, action: Any, error: type[Exception]) -> bool:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        try:
            await action(channel)
        except error:
            return True
        return False
    finally:
        await connection.close()


async def _cannot_connect(url: str) -> bool:
    """Whether the broker turns the user of ``url`` away from its vhost (or at all). A vhost the
    user has no rights in is refused at Connection.Open, which aiormq reports as an unexpected
    Connection.Close frame."""
    try:
        connection = await aio_pika.connect(url)
    except (aio_pika.exceptions.ProbableAuthenticationError, ConnectionNotAllowed, InvalidFrameError):
        return True
    await connection.close()
    return False


async def _passive(channel: aio_pika.abc.AbstractChannel, queue: str) -> None:
    await channel.declare_queue(queue, passive=True)


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
    assert a.vhost == f"{prefix}partner.jobcenter-aalborg" != b.vhost

    got_a: list[str] = []

    async def a_has_all() -> bool:
        got_a.extend(await _drain(url_a, a.queue))
        return len(got_a) >= 3

    await eventually(a_has_all, what="partner A's three events")
    assert sorted(got_a) == sorted(for_a)  # none of B's, and none of the internal events
    got_b: list[str] = []

    async def b_has_all() -> bool:
        got_b.extend(await _drain(url_b, b.queue))
        return len(got_b) >= 2

    await eventually(b_has_all, what="partner B's two events")
    assert sorted(got_b) == sorted(for_b)

    # A may not declare anything, publish (not even to the default exchange), nor bind its queue
    # to widen what it receives (amq.topic is in every vhost, so that refusal is a right's).
    assert await _refused(url_a, lambda ch: ch.declare_queue(f"{prefix}sneaky", auto_delete=True))
    assert await _refused(url_a, lambda ch: _publish_as(ch, ""))
    assert await _refused(url_a, lambda ch: _bind(ch, a.queue, "amq.topic"))


async def test_a_partner_learns_nothing_of_other_queues_and_cannot_open_the_services_vhost(
    infra: TestInfra, prefix: str, feeds: tuple[PartnerFeed, PartnerFeed]
) -> None:
    """RabbitMQ checks no permission on a passive declare (rabbit_channel, 3.x and 4.x): in the
    services' vhost a partner could learn which queues exist and their depths. In its own vhost
    there is nothing of anyone else's to name."""
    a, b = feeds
    topology = Topology(prefix=prefix)
    await _publish(infra, prefix, "jobcenter-odense")

    async def b_has_one() -> bool:
        return (await _queue_depth(url_in_vhost(infra.broker_url, b.vhost), b.queue)) == 1

    await eventually(b_has_one, what="an event in partner B's queue")
    url_a = _as(infra.broker_url, a)
    for other in (b.queue, topology.history_stream, topology.queue("notifications", "partner-feed")):
        assert await _absent(url_a, lambda ch, q=other: _passive(ch, q)), other  # not even its existence
    assert await _absent(url_a, lambda ch: ch.declare_exchange(topology.events_exchange, passive=True))
    assert await _refused(url_a, lambda ch: _get(ch, b.queue))  # its right reads its own queue alone
    # Its own queue it may see and read.
    connection = await aio_pika.connect(url_a)
    async with connection:
        declared = await (await connection.channel()).declare_queue(a.queue, passive=True)
        assert declared.declaration_result.message_count == 0
    # Neither the services' vhost nor another partner's opens to it.
    assert await _cannot_connect(_in_services_vhost(infra.broker_url, a, vhost_of(infra.broker_url)))
    assert await _cannot_connect(url_in_vhost(url_a, b.vhost))
    rights = json.loads(await _ctl("list_user_permissions", a.user, "--formatter", "json"))
    assert [r["vhost"] for r in rights] == [a.vhost]  # why: it has rights in its own vhost alone
    docs = " ".join(DOCS.read_text().split())
    assert "a vhost of its own" in docs
    assert "passive" in docs


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
    register_partner(prefix, org)
    try:
        code, out, err = await _forlob("partners", "add", org, env=env)
        assert (code, err) == (0, ""), err
        password = re.search(r"password \(shown once\): (\S+)", out)
        assert password, out
        vhost = f"{prefix}partner.{org}"
        assert f"in vhost {vhost!r}" in out
        feed = PartnerFeed(org, f"{prefix}partner-{org}", password.group(1), f"{prefix}partner.{org}.events", vhost)
        event_id = await _publish(infra, prefix, org)

        async def queued() -> bool:
            return (await _queue_depth(url_in_vhost(infra.broker_url, vhost), feed.queue)) == 1

        await eventually(queued, what="the event in the partner's queue")

        code, out, err = await _forlob("partners", "add", org, env=env)
        assert (code, err) == (0, ""), err
        assert "Traceback" not in out
        assert "password unchanged" in out
        assert "shown once" not in out  # no new password that would not work

        # Nothing the partner relies on changed: its password still works and the event waits.
        assert await _drain(_as(infra.broker_url, feed), feed.queue) == [event_id]
        assert await _absent(
            _as(infra.broker_url, feed), lambda ch: _passive(ch, Topology(prefix=prefix).history_stream)
        )

        # With --password the operator resets it, on purpose.
        code, out, err = await _forlob("partners", "add", org, "--password", "reset-by-the-operator", env=env)
        assert (code, err) == (0, ""), err
        reset = PartnerFeed(org, feed.user, "reset-by-the-operator", feed.queue, vhost)
        assert await _drain(_as(infra.broker_url, reset), feed.queue) == []
    finally:
        try:
            code, _, err = await _forlob("partners", "remove", org, env=env)
            assert code == 0, err
            code, _, err = await _forlob("partners", "remove", org, env=env)  # gone already: no error
            assert code == 0, err
            assert f"{prefix}partner.{org}" not in await _vhosts()
            assert not await RabbitmqctlAdmin().user_exists(f"{prefix}partner-{org}")
        finally:
            connection = await aio_pika.connect(infra.broker_url)
            async with connection:
                await (await connection.channel()).exchange_delete(prefix + "forlob.partners")


async def _ctl(*args: str) -> str:
    return await RabbitmqctlAdmin()._run(*args)


async def _vhosts() -> set[str]:
    return {vhost["name"] for vhost in json.loads(await _ctl("list_vhosts", "name", "--formatter", "json"))}


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
    feed = await add_test_partner(infra, prefix, "jobcenter-legacy")
    await _publish(infra, prefix, "jobcenter-legacy", internal=True)
    published = await _publish(infra, prefix, "jobcenter-legacy")
    got: list[str] = []

    async def arrived() -> bool:
        got.extend(await _drain(_as(infra.broker_url, feed), feed.queue))
        return published in got

    await eventually(arrived, what="the partner event in the queue")
    assert got == [published]  # the internal event published before it never came


async def test_add_says_what_to_do_about_a_queue_of_that_name_with_other_arguments(
    infra: TestInfra, prefix: str
) -> None:
    """A queue declared without the feed's arguments (by hand, or by a shovel left running) is
    named with what to do, and left as it is: it may hold the partner's unread events."""
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("partner users are created with rabbitmqctl on the broker host")
    topology = Topology(prefix=prefix)
    queue_name = f"{prefix}partner.jobcenter-plain.events"
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()
        plain = await channel.declare_queue(queue_name, durable=True)
        await channel.default_exchange.publish(aio_pika.Message(b"unread"), routing_key=queue_name)
    with pytest.raises(BrokerAdminError) as raised:
        await add_partner(infra.broker_url, RabbitmqctlAdmin(vhost_of(infra.broker_url)), topology, "jobcenter-plain")
    assert f"queue {queue_name!r} exists with other arguments" in str(raised.value)
    assert "forlob partners remove jobcenter-plain" in str(raised.value)
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()
        still = await channel.declare_queue(queue_name, passive=True)
        assert still.declaration_result.message_count == 1
        await channel.queue_delete(plain.name)


async def test_a_partner_set_up_before_vhosts_moves_with_its_waiting_events_and_password(
    infra: TestInfra, prefix: str
) -> None:
    """A partner of before: its queue in the services' vhost, its user reading it there. `add`
    run again moves it: the events waiting there reach its new vhost, its password still works
    (only the vhost in its URL changes), and the services' vhost no longer opens to it."""
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("partner users are created with rabbitmqctl on the broker host")
    org, topology = "jobcenter-before", Topology(prefix=prefix)
    admin = RabbitmqctlAdmin(vhost_of(infra.broker_url))
    register_partner(prefix, org)
    user, queue_name = f"{prefix}partner-{org}", f"{prefix}partner.{org}.events"
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:  # the setup `add` made before
        channel = await connection.channel()
        exchange = await declare_partner_exchange(channel, topology)
        queue = await channel.declare_queue(queue_name, durable=True, arguments=QUEUE_ARGUMENTS)
        await queue.bind(exchange, arguments={"x-match": "all", "referringorg": org})
    await admin.add_user(user, "kept-by-the-partner")
    await admin.set_permissions(user, configure="^$", write="^$", read=f"^{re.escape(queue_name)}$")
    waiting = [await _publish(infra, prefix, org) for _ in range(2)]

    async def both_wait() -> bool:
        return await _queue_depth(infra.broker_url, queue_name) == 2

    await eventually(both_wait, what="two events waiting in the old queue")
    old = PartnerFeed(org, user, "kept-by-the-partner", queue_name, vhost_of(infra.broker_url))
    assert not await _cannot_connect(_as(infra.broker_url, old))  # before: it could open the services' vhost

    feed = await add_partner(infra.broker_url, admin, topology, org)
    assert feed.password is None  # kept
    moved = PartnerFeed(org, user, "kept-by-the-partner", queue_name, feed.vhost)
    after = await _publish(infra, prefix, org)
    got: list[str] = []

    async def all_arrived() -> bool:
        got.extend(await _drain(_as(infra.broker_url, moved), queue_name))
        return len(got) >= 3

    await eventually(all_arrived, what="the waiting events and the new one in the partner's vhost")
    assert got == [*waiting, after]
    assert await _cannot_connect(_as(infra.broker_url, old))


async def test_events_arrive_once_each_in_order_per_referral_across_a_restart_of_the_shovel(
    infra: TestInfra, prefix: str, feeds: tuple[PartnerFeed, PartnerFeed]
) -> None:
    """The shovel's connections drop (restart_shovel closes them, as a node or network failure
    would) while it moves events: each event still arrives, and after skipping a repeated id (what
    docs/partners.md asks of every consumer: on-confirm may send one again) each arrives once, in
    each referral's order."""
    a, _ = feeds
    subjects = [str(uuid4()) for _ in range(3)]
    messages = [
        _message(prefix, "jobcenter-aalborg", subject=subject, sequence=n) for n in range(1, 41) for subject in subjects
    ]
    first, second = messages[:60], messages[60:]
    shovel = partner_shovel(Topology(prefix=prefix), a.org)
    published = await _publish_all(infra, prefix, first)
    # Once with the first half waiting or in flight, once while the second half is being published.
    await _ctl("restart_shovel", "-p", a.vhost, shovel)
    later, _ = await asyncio.gather(_publish_all(infra, prefix, second), _ctl("restart_shovel", "-p", a.vhost, shovel))
    published += later
    received: list[aio_pika.abc.AbstractIncomingMessage] = []
    seen: set[str] = set()

    async def all_arrived() -> bool:
        for message in await _drain_messages(_as(infra.broker_url, a), a.queue):
            received.append(message)
            seen.add(message.message_id or "")
        return seen >= set(published)

    await eventually(all_arrived, timeout=60, what="all 120 events in partner A's queue")
    assert seen == set(published)  # every one, and nothing else
    first_seen: dict[str, list[str]] = {subject: [] for subject in subjects}
    handled: set[str] = set()
    for message in received:
        if message.message_id in handled:
            continue  # a repeat after the restart, skipped by its id
        handled.add(message.message_id or "")
        body = json.loads(message.body)
        first_seen[body["subject"]].append(body["sequence"])
    for subject in subjects:
        assert first_seen[subject] == [f"{n:012d}" for n in range(1, 41)], subject

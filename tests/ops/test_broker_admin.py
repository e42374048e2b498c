"""Both ways of administering the broker do the same: the management HTTP API (on a private
node with the management plugin) and rabbitmqctl (on the machine's broker)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import BrokerAdmin, ManagementApiAdmin, RabbitmqctlAdmin, broker_admin, vhost_of
from forlob_shared.ops.partners import add_partner, remove_partner, url_in_vhost
from forlob_testkit.infra import TestInfra
from forlob_testkit.servers import PrivateRabbitMQ
from forlob_testkit.wait import eventually


@pytest.fixture(scope="module")
def management_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRabbitMQ]:
    with PrivateRabbitMQ(tmp_path_factory.mktemp("rabbit-mgmt"), management=True) as node:
        yield node


async def _exercise(admin: BrokerAdmin, broker_url: str) -> None:
    user, password = f"forlob-admin-test-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    queue = f"forlob-admin-test-{secrets.token_hex(3)}"
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True, arguments={"x-queue-type": "quorum"})
    assert not await admin.user_exists(user)
    await admin.add_user(user, password)
    try:
        assert await admin.user_exists(user)
        await admin.set_permissions(user, configure="^$", write="^$", read=f"^{queue}$")
        names = {q.name for q in await admin.list_queues()}
        assert queue in names
        parts = urlsplit(broker_url)
        as_user = parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}").geturl()
        limited = await aio_pika.connect(as_user)
        async with limited:
            channel = await limited.channel()
            readable = await channel.get_queue(queue, ensure=False)
            assert await readable.get(fail=False) is None  # may read its queue
            with pytest.raises(ChannelAccessRefused):
                await channel.declare_queue(f"{queue}-other")  # may not configure
    finally:
        await admin.delete_user(user)
        connection = await aio_pika.connect(broker_url)
        async with connection:
            await (await connection.channel()).queue_delete(queue)


@pytest.mark.slow
async def test_management_api_admin(management_node: PrivateRabbitMQ) -> None:
    admin = broker_admin(management_node.url, management_node.management_url)
    assert isinstance(admin, ManagementApiAdmin)
    await _exercise(admin, management_node.url)


@pytest.mark.slow
async def test_a_partner_feed_through_the_management_api(management_node: PrivateRabbitMQ) -> None:
    """`forlob partners add` and `remove` with FORLOB_RABBITMQ_MANAGEMENT_URL: vhost, rights and
    shovel through the API (which checks that its user may open both vhosts of the shovel)."""
    admin = broker_admin(management_node.url, management_node.management_url)
    topology, org = Topology(prefix=""), "jobcenter-api"
    feed = await add_partner(management_node.url, admin, topology, org)
    assert (await add_partner(management_node.url, admin, topology, org)).password is None  # again: harmless
    assert feed.password is not None
    connection = await aio_pika.connect(management_node.url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(topology.events_exchange)
        await exchange.publish(
            aio_pika.Message(b"{}", headers={"referringorg": org}, message_id="e1"), routing_key="partner.x.v1"
        )
    parts = urlsplit(url_in_vhost(management_node.url, feed.vhost))
    as_partner = parts._replace(netloc=f"{feed.user}:{feed.password}@{parts.hostname}:{parts.port}").geturl()

    async def arrived() -> str | None:
        partner = await aio_pika.connect(as_partner)
        async with partner:
            queue = await (await partner.channel()).get_queue(feed.queue, ensure=False)
            message = await queue.get(no_ack=True, fail=False)
            return message.message_id if message else None

    assert await eventually(arrived, what="the event in the partner's vhost") == "e1"
    await remove_partner(management_node.url, admin, topology, org)
    await remove_partner(management_node.url, admin, topology, org)  # gone already: no error
    assert not await admin.user_exists(feed.user)
    assert feed.vhost not in management_node.ctl("list_vhosts", "--quiet").split()


async def test_rabbitmqctl_admin(infra: TestInfra) -> None:
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("rabbitmqctl administers the broker on this host only")
    admin = broker_admin(infra.broker_url)
    assert isinstance(admin, RabbitmqctlAdmin)
    assert admin.vhost == vhost_of(infra.broker_url)
    await _exercise(admin, infra.broker_url)


def test_vhost_from_url() -> None:
    assert vhost_of("amqp://u:p@h:5672/") == "/"
    assert vhost_of("amqp://u:p@h:5672") == "/"
    assert vhost_of("amqp://u:p@h:5672/forlob") == "forlob"
    assert vhost_of("amqp://u:p@h:5672/%2Fdev") == "/dev"

"""The private servers and the fault proxy that the fault tests stand on.

What the fault tests rely on is checked here once: a restarted or SIGKILLed RabbitMQ node still
has its durable quorum queue and the persistent message in it; a restarted or SIGKILLed PostgreSQL
cluster still has its committed rows; the proxy cuts and restores the network; and nothing a test
started outlives it.

The servers' methods block, so async tests call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import aio_pika
import asyncpg
import pytest
import pytest_asyncio

from forlob_testkit.servers import FaultProxy, PrivatePostgres, PrivateRabbitMQ, leftover_processes

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

QUEUE = "forlob.fault.quorum"


@pytest.fixture(scope="module", autouse=True)
def _nothing_left_running() -> Iterator[None]:
    """After the module's servers are torn down (module fixtures end first), none of them runs."""
    yield
    assert leftover_processes() == []


# One node and one cluster per module: booting RabbitMQ takes seconds. Each test gets them running
# (``start()`` does nothing if they are), so a test that fails half-way leaves no trap for the next.


@pytest.fixture(scope="module")
def rabbit_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRabbitMQ]:
    node = PrivateRabbitMQ(tmp_path_factory.mktemp("rabbit"))
    try:
        yield node
    finally:
        node.cleanup()


@pytest.fixture
def rabbit(rabbit_node: PrivateRabbitMQ) -> PrivateRabbitMQ:
    rabbit_node.start()
    return rabbit_node


@pytest.fixture(scope="module")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres(tmp_path_factory.mktemp("postgres"))
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture
def postgres(postgres_cluster: PrivatePostgres) -> PrivatePostgres:
    postgres_cluster.start()
    return postgres_cluster


@pytest_asyncio.fixture
async def proxy(postgres: PrivatePostgres) -> AsyncIterator[FaultProxy]:
    async with FaultProxy(postgres.port) as value:
        yield value


def _via(proxy: FaultProxy) -> str:
    return f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres"


# ------------------------------------------------------------------------------------------------
# RabbitMQ
# ------------------------------------------------------------------------------------------------


def test_rabbit_node_is_private_and_has_the_queue_type_feature_flags(rabbit: PrivateRabbitMQ) -> None:
    assert rabbit.port != 5672
    assert rabbit.node != "rabbit@localhost"
    flags = json.loads(rabbit.ctl("list_feature_flags", "--formatter", "json", "--silent"))
    states = {flag["name"]: flag["state"] for flag in flags}
    assert states["quorum_queue"] == "enabled"
    assert states["stream_queue"] == "enabled"


async def _publish(url: str, body: bytes) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        # With confirms, publish() returns once the quorum queue has the message on a majority
        # (here: the one node) and on disk, so a crash right after cannot lose it.
        confirmation = await channel.default_exchange.publish(
            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue.name
        )
        assert confirmation is not None


async def _take(url: str) -> list[bytes]:
    """Every message in the queue, acknowledged."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(QUEUE, passive=True)
        bodies = []
        while (message := await queue.get(fail=False, timeout=10)) is not None:
            bodies.append(message.body)
            await message.ack()
        return bodies


@pytest.mark.asyncio
async def test_quorum_queue_message_survives_restart_and_sigkill(rabbit: PrivateRabbitMQ) -> None:
    await _publish(rabbit.url, b"before restart")
    await asyncio.to_thread(rabbit.restart)
    assert await _take(rabbit.url) == [b"before restart"]

    await _publish(rabbit.url, b"before kill")
    old_pid = rabbit.pid
    await asyncio.to_thread(rabbit.kill)
    assert not rabbit.running
    await asyncio.to_thread(rabbit.start)
    assert rabbit.pid != old_pid
    assert await _take(rabbit.url) == [b"before kill"]


@pytest.mark.asyncio
async def test_close_all_connections_closes_the_clients(rabbit: PrivateRabbitMQ) -> None:
    connection = await aio_pika.connect(rabbit.url)
    # A connection closed by the broker runs the close callbacks (``is_closed`` only reports a
    # close the client asked for).
    lost: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    def on_close(_: object, exc: BaseException | None) -> None:
        if not lost.done():
            lost.set_result(exc)

    connection.close_callbacks.add(on_close)
    try:
        await asyncio.to_thread(rabbit.close_all_connections, "forlob fault test")
        reason = await asyncio.wait_for(lost, timeout=10)
        assert "CONNECTION_FORCED - forlob fault test" in str(reason)
    finally:
        await connection.close()


# ------------------------------------------------------------------------------------------------
# PostgreSQL
# ------------------------------------------------------------------------------------------------


async def _execute(url: str, sql: str, *args: object) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


async def _notes(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        return [row["body"] for row in await connection.fetch("SELECT body FROM fault_note ORDER BY id")]
    finally:
        await connection.close()


@pytest.mark.asyncio
async def test_postgres_rows_survive_restart_and_sigkill(postgres: PrivatePostgres) -> None:
    assert postgres.port != 5432
    await _execute(postgres.url, "DROP TABLE IF EXISTS fault_note")
    await _execute(postgres.url, "CREATE TABLE fault_note (id serial PRIMARY KEY, body text NOT NULL)")
    await _execute(postgres.url, "INSERT INTO fault_note (body) VALUES ($1)", "before restart")

    await asyncio.to_thread(postgres.restart)
    assert await _notes(postgres.url) == ["before restart"]

    await _execute(postgres.url, "INSERT INTO fault_note (body) VALUES ($1)", "before kill")
    old_pid = postgres.pid
    await asyncio.to_thread(postgres.kill)
    assert not postgres.running
    await asyncio.to_thread(postgres.start)  # crash recovery replays the WAL
    assert postgres.pid != old_pid
    assert await _notes(postgres.url) == ["before restart", "before kill"]

    await asyncio.to_thread(postgres.stop, "immediate")
    await asyncio.to_thread(postgres.start)
    assert await _notes(postgres.url) == ["before restart", "before kill"]


# ------------------------------------------------------------------------------------------------
# FaultProxy
# ------------------------------------------------------------------------------------------------

# What a client sees when its connection is reset under it, or refused.
CONNECTION_LOST = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError)


@pytest.mark.asyncio
async def test_proxy_cut_resets_connections_until_restored(proxy: FaultProxy) -> None:
    connection = await asyncpg.connect(_via(proxy))
    try:
        assert await connection.fetchval("SELECT 1") == 1
        assert proxy.open_connections == 1

        await proxy.cut()
        assert proxy.open_connections == 0
        with pytest.raises(CONNECTION_LOST):
            await connection.fetchval("SELECT 1")
        with pytest.raises(CONNECTION_LOST):
            await asyncpg.connect(_via(proxy), timeout=5)
    finally:
        await connection.close(timeout=1)

    await proxy.restore()
    again = await asyncpg.connect(_via(proxy))
    try:
        assert await again.fetchval("SELECT 2") == 2
    finally:
        await again.close()


@pytest.mark.asyncio
async def test_proxy_blackhole_freezes_traffic_and_restore_resumes_it(proxy: FaultProxy) -> None:
    connection = await asyncpg.connect(_via(proxy))
    try:
        await proxy.cut("blackhole")
        query = asyncio.create_task(connection.fetchval("SELECT 42"))
        done, _ = await asyncio.wait({query}, timeout=0.5)
        assert not done, "a query went through a black-holed proxy"
        with pytest.raises(TimeoutError):
            await asyncpg.connect(_via(proxy), timeout=1)

        await proxy.restore()
        assert await asyncio.wait_for(query, timeout=10) == 42
        assert await connection.fetchval("SELECT 43") == 43
    finally:
        await connection.close(timeout=1)


@pytest.mark.asyncio
async def test_proxy_refuses_when_the_server_is_down(proxy: FaultProxy, postgres: PrivatePostgres) -> None:
    await asyncio.to_thread(postgres.stop)
    with pytest.raises(CONNECTION_LOST):
        await asyncpg.connect(_via(proxy), timeout=5)
    await asyncio.to_thread(postgres.start)
    connection = await asyncpg.connect(_via(proxy))
    try:
        assert await connection.fetchval("SELECT 3") == 3
    finally:
        await connection.close()

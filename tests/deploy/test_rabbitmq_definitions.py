"""deploy/rabbitmq/definitions.json: users, least-privilege permissions, policies, exchanges.

RabbitMQ matches a permission regex by *searching* the resource name (Erlang ``re:run``, not
anchored); every regex in the file is anchored ``^(...)$``, so a search and ``re.fullmatch`` give
the same answer, and ``_allows`` checks that they do. The regexes use only syntax that PCRE and
Python's ``re`` read alike.

The ``slow`` tests load the file into a private RabbitMQ node of their own (never into the
machine's shared broker) and prove the rights with real connections: the services' own topology
code runs under them, and the refusals come back as ACCESS_REFUSED.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import json
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from forlob_shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, HISTORY_STREAM, Topology
from forlob_testkit import servers

ROOT = Path(__file__).resolve().parents[2]
RABBITMQ_DIR = ROOT / "deploy" / "rabbitmq"
DEFINITIONS = RABBITMQ_DIR / "definitions.json"
RABBITMQ_CONF = RABBITMQ_DIR / "rabbitmq.conf"
VHOST = "forlob"
SERVICES = ("referral", "attendance", "notifications", "reporting")
PARTNERS_EXCHANGE = "forlob.partners"
CORE = (EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE, HISTORY_STREAM)
# Today's consumer queues and the ones the services will add: each service's namespace.
QUEUES = {
    "referral": ("referral.intake", "referral.programme"),
    "attendance": ("attendance.programme", "attendance.referral"),
    "notifications": ("notifications.alerts", "notifications.webhooks"),
    "reporting": ("reporting.read-model", "reporting.history-replay"),
}
# Names that look close to a right but must not get it.
IMPOSTORS = (
    "forlob.events.x",
    "xforlob.events",
    "forlob.history.copy",
    "forlob-history",
    "forlob.partners",
    "partner.acme.events",
    "amq.gen-1234",
    "",
)
_PORTABLE_REGEX = re.compile(r"[A-Za-z0-9_.\\^$()|*+-]*")


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    data = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def passwords() -> ModuleType:
    spec = importlib.util.spec_from_file_location("forlob_rabbitmq_passwords", RABBITMQ_DIR / "passwords.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _permissions(definitions: dict[str, Any], user: str) -> dict[str, str]:
    entries = [p for p in definitions["permissions"] if p["user"] == user and p["vhost"] == VHOST]
    assert len(entries) == 1, f"{user} needs exactly one permission entry on vhost {VHOST!r}, has {len(entries)}"
    return entries[0]


def _allows(regex: str, name: str) -> bool:
    """RabbitMQ's answer: '' means '^$', anything else is searched in the name."""
    if regex == "":
        regex = "^$"
    searched = re.search(regex, name) is not None
    assert searched == (re.fullmatch(regex, name) is not None), f"{regex!r} is not anchored for {name!r}"
    return searched


def _can(definitions: dict[str, Any], user: str, right: str, name: str) -> bool:
    return _allows(_permissions(definitions, user)[right], name)


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------


def test_definitions_parse_and_hold_the_vhost_and_users(definitions: dict[str, Any]) -> None:
    assert [v["name"] for v in definitions["vhosts"]] == [VHOST]
    users = {u["name"]: u for u in definitions["users"]}
    for name in (*SERVICES, "operator", "monitoring", "admin"):
        assert name in users, f"no user {name!r}"
        assert users[name]["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        assert len(base64.b64decode(users[name]["password_hash"], validate=True)) == 4 + 32  # salt + SHA-256
        assert isinstance(users[name]["tags"], list)
    for name in SERVICES:
        assert users[name]["tags"] == [], f"service user {name} needs no management tag"
    assert users["operator"]["tags"] == ["management"]
    assert users["monitoring"]["tags"] == ["monitoring"]
    assert users["admin"]["tags"] == ["administrator"]
    # Every user with rights has them on forlob only: no other vhost appears.
    assert {p["vhost"] for p in definitions["permissions"]} == {VHOST}
    for section in ("policies", "exchanges", "bindings"):
        assert {item["vhost"] for item in definitions[section]} == {VHOST}


def test_password_hashes_are_real_and_the_development_passwords_are_the_user_names(
    definitions: dict[str, Any], passwords: ModuleType
) -> None:
    for user in definitions["users"]:
        assert passwords.verify_password(user["name"], user["password_hash"]), user["name"]
        assert not passwords.verify_password(user["name"] + "x", user["password_hash"])
    # A known vector: salt 908D C60A, password "test12" (RabbitMQ's password hashing guide).
    assert (
        passwords.hash_password("test12", bytes.fromhex("908DC60A"))
        == "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
    )


def test_render_gives_every_user_a_fresh_hash_of_its_own_password(
    definitions: dict[str, Any], passwords: ModuleType
) -> None:
    secret = {user["name"]: f"s3cret-{user['name']}" for user in definitions["users"]}
    rendered = passwords.render(definitions, secret)
    for before, after in zip(definitions["users"], rendered["users"], strict=True):
        assert passwords.verify_password(secret[after["name"]], after["password_hash"])
        assert after["password_hash"] != before["password_hash"]
    assert rendered["permissions"] == definitions["permissions"]
    with pytest.raises(KeyError):
        passwords.render(definitions, {"referral": "only-one"})


def test_every_regex_is_anchored_and_portable(definitions: dict[str, Any]) -> None:
    for entry in definitions["permissions"]:
        for right in ("configure", "write", "read"):
            regex = entry[right]
            assert _PORTABLE_REGEX.fullmatch(regex), f"{entry['user']}.{right}: {regex!r} uses unusual syntax"
            if regex != ".*":
                assert regex.startswith("^"), f"{entry['user']}.{right} not anchored at the start"
                assert regex.endswith("$"), f"{entry['user']}.{right} not anchored at the end"
            re.compile(regex)


# --------------------------------------------------------------------------------------------
# What each service may do
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_service_declares_the_core_topology_and_its_own_queues(definitions: dict[str, Any], service: str) -> None:
    topology = Topology()
    for name in CORE:
        assert _can(definitions, service, "configure", name), f"{service} must declare {name}"
    for queue in QUEUES[service]:
        dlq = topology.dead_letter_queue(queue)
        for name in (queue, dlq):
            assert _can(definitions, service, "configure", name)
            assert _can(definitions, service, "write", name), "binding into its own queue needs write"
            assert _can(definitions, service, "read", name), "consuming its own queue needs read"
    # Publishing: events, its own dead letters, and the watchdog's canary (default exchange).
    for exchange in (EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE, "amq.default"):
        assert _can(definitions, service, "write", exchange)
    # Bindings from the two exchanges (queue.bind needs read on the exchange), and the history
    # stream's binding (write on the stream).
    assert _can(definitions, service, "read", EVENTS_EXCHANGE)
    assert _can(definitions, service, "read", DEAD_LETTER_EXCHANGE)
    assert _can(definitions, service, "write", HISTORY_STREAM)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("other", SERVICES)
def test_service_cannot_touch_another_services_queues(definitions: dict[str, Any], service: str, other: str) -> None:
    if other == service:
        return
    for queue in QUEUES[other]:
        for name in (queue, f"{queue}.dlq"):
            for right in ("configure", "write", "read"):
                assert not _can(definitions, service, right, name), f"{service} may {right} {name}"


def test_referral_may_configure_its_own_names_but_not_reportings(definitions: dict[str, Any]) -> None:
    assert _can(definitions, "referral", "configure", "referral.x")
    assert not _can(definitions, "referral", "configure", "reporting.read-model")
    assert not _can(definitions, "referral", "configure", "xreferral.x")
    assert not _can(definitions, "referral", "configure", "referralx")


@pytest.mark.parametrize("service", SERVICES)
def test_only_reporting_reads_the_history(definitions: dict[str, Any], service: str) -> None:
    assert _can(definitions, service, "read", HISTORY_STREAM) == (service == "reporting")


@pytest.mark.parametrize("service", SERVICES)
def test_service_has_no_rights_outside_its_namespace(definitions: dict[str, Any], service: str) -> None:
    for name in IMPOSTORS:
        for right in ("configure", "write", "read"):
            assert not _can(definitions, service, right, name), f"{service} may {right} {name!r}"
    assert not _can(definitions, service, "configure", "amq.default")
    assert not _can(definitions, service, "read", f"{service}")  # the bare name is not a queue of its own


# --------------------------------------------------------------------------------------------
# operator, monitoring, admin
# --------------------------------------------------------------------------------------------


def test_nobody_but_the_operator_reads_another_services_dead_letters(definitions: dict[str, Any]) -> None:
    users = [u["name"] for u in definitions["users"] if u["name"] != "admin"]
    for owner in SERVICES:
        for queue in QUEUES[owner]:
            dlq = f"{queue}.dlq"
            readers = {user for user in users if _can(definitions, user, "read", dlq)}
            assert readers == {owner, "operator"}, f"{dlq} is read by {sorted(readers)}"
            live_readers = {user for user in users if _can(definitions, user, "read", queue)}
            assert live_readers == {owner}, f"{queue} is read by {sorted(live_readers)}"


def test_operator_takes_dead_letters_and_redrives_them_but_declares_nothing(definitions: dict[str, Any]) -> None:
    assert _can(definitions, "operator", "read", "reporting.read-model.dlq")
    assert _can(definitions, "operator", "write", EVENTS_EXCHANGE)
    assert _can(definitions, "operator", "write", "amq.default")  # redrive: straight to the source queue
    for name in (*CORE, "reporting.read-model", "reporting.read-model.dlq", PARTNERS_EXCHANGE, "x.dlq.y"):
        assert not _can(definitions, "operator", "configure", name)
    for name in (DEAD_LETTER_EXCHANGE, HISTORY_STREAM, "reporting.read-model", PARTNERS_EXCHANGE):
        assert not _can(definitions, "operator", "read", name) or name.endswith(".dlq")
        assert not _can(definitions, "operator", "write", name)


def test_monitoring_sees_the_vhost_and_touches_nothing(definitions: dict[str, Any]) -> None:
    for right in ("configure", "write", "read"):
        for name in (*CORE, "amq.default", "reporting.read-model", "reporting.read-model.dlq"):
            assert not _can(definitions, "monitoring", right, name)


# --------------------------------------------------------------------------------------------
# Policies, exchanges, the config file, the README
# --------------------------------------------------------------------------------------------


def _policy(definitions: dict[str, Any], name: str) -> dict[str, Any]:
    found = [p for p in definitions["policies"] if p["name"] == name]
    assert len(found) == 1, f"no policy {name!r}"
    return found[0]


def test_history_retention_policy_matches_the_stream_and_its_arguments(definitions: dict[str, Any]) -> None:
    policy = _policy(definitions, "history-retention")
    pattern = policy["pattern"]  # policies, too, are searched in the name
    assert re.search(pattern, HISTORY_STREAM)
    for name in ("forlob.history.copy", "xforlob.history", "reporting.read-model"):
        assert not re.search(pattern, name)
    assert policy["apply-to"] == "queues"
    topology = Topology()
    assert policy["definition"]["max-age"] == topology.history_max_age
    assert policy["definition"]["max-length-bytes"] == topology.history_max_bytes


def test_dead_letter_cap_matches_dead_letter_queues_only_and_never_drops(definitions: dict[str, Any]) -> None:
    policy = _policy(definitions, "dead-letter-cap")
    pattern = policy["pattern"]
    assert re.search(pattern, "reporting.read-model.dlq")
    assert re.search(pattern, "attendance.programme.dlq")
    for name in ("reporting.read-model", HISTORY_STREAM, "partner.acme.events", "reporting.dlq-x"):
        assert not re.search(pattern, name)
    assert policy["apply-to"] == "queues"
    assert policy["definition"]["overflow"] == "reject-publish", "a full DLQ must refuse, not drop the oldest"
    assert policy["definition"]["max-length"] > 0


def test_no_policy_overrides_a_consumer_queues_arguments(definitions: dict[str, Any]) -> None:
    for queues in QUEUES.values():
        for queue in queues:
            matching = [p["name"] for p in definitions["policies"] if re.search(p["pattern"], queue)]
            assert not matching, f"{queue} is matched by {matching}"


def test_exchanges_match_what_the_services_declare(definitions: dict[str, Any]) -> None:
    exchanges = {e["name"]: e for e in definitions["exchanges"]}
    expected = {EVENTS_EXCHANGE: "topic", DEAD_LETTER_EXCHANGE: "direct", PARTNERS_EXCHANGE: "headers"}
    assert {name: e["type"] for name, e in exchanges.items()} == expected
    for exchange in exchanges.values():
        # What aio-pika's declare_exchange(..., durable=True) sends: equal, so redeclaring is a no-op.
        assert (exchange["durable"], exchange["auto_delete"], exchange["internal"], exchange["arguments"]) == (
            True,
            False,
            False,
            {},
        )
    assert definitions["bindings"] == [
        {
            "source": EVENTS_EXCHANGE,
            "vhost": VHOST,
            "destination": PARTNERS_EXCHANGE,
            "destination_type": "exchange",
            "routing_key": "partner.#",  # the partner contract alone, never the internal events
            "arguments": {},
        }
    ]
    # Queues are the services' to declare, with their arguments: none here to disagree with them.
    assert definitions["queues"] == []


def test_rabbitmq_conf_loads_the_definitions() -> None:
    settings = {}
    for line in RABBITMQ_CONF.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        assert sep, f"not a `key = value` line: {line!r}"
        settings[key.strip()] = value.strip()
    assert settings["load_definitions"] == "/etc/rabbitmq/definitions.json"


def test_readme_explains_every_user(definitions: dict[str, Any]) -> None:
    readme = (RABBITMQ_DIR / "README.md").read_text(encoding="utf-8")
    for user in definitions["users"]:
        assert f"`{user['name']}`" in readme, f"README.md does not mention {user['name']}"
    for topic in ("load_definitions", "import_definitions", "Changing a password", "amq.default"):
        assert topic in readme


# --------------------------------------------------------------------------------------------
# On a real (private) broker
# --------------------------------------------------------------------------------------------


def _rabbitmq_installed() -> bool:
    return (servers.RABBITMQ_BIN / "rabbitmq-server").exists() and shutil.which("erl") is not None


needs_rabbitmq = pytest.mark.skipif(not _rabbitmq_installed(), reason="no RabbitMQ installation to start a node from")


class _BootLoadingRabbitMQ(servers.PrivateRabbitMQ):
    """A private node that also reads deploy/rabbitmq/rabbitmq.conf, with the definitions path
    pointed at this repository's file: the node imports them at boot, as in production."""

    def _write_config(self) -> None:
        super()._write_config()
        ours = RABBITMQ_CONF.read_text(encoding="utf-8")
        ours = re.sub(r"(?m)^load_definitions\s*=.*$", f"load_definitions = {DEFINITIONS}", ours)
        with (self.workdir / "rabbitmq.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n" + ours)


def _wait_for_import(node: Any, timeout: float = 30) -> None:
    """import_definitions may return before the import has finished."""
    deadline = time.monotonic() + timeout
    while True:
        listed = node.ctl("list_permissions", "-p", VHOST, "--quiet") if _vhost_exists(node) else ""
        if all(re.search(rf"(?m)^{user}\t", listed) for user in (*SERVICES, "operator", "monitoring")):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the definitions did not appear")
        time.sleep(0.2)


def _vhost_exists(node: Any) -> bool:
    return VHOST in node.ctl("list_vhosts", "--quiet").split()


@pytest.fixture
def imported_node(tmp_path: Path) -> Iterator[Any]:
    with servers.PrivateRabbitMQ(tmp_path / "rabbit") as node:
        node.ctl("import_definitions", str(DEFINITIONS))
        _wait_for_import(node)
        yield node


def _url(node: Any, user: str) -> str:
    return f"amqp://{user}:{user}@{servers.LOOPBACK}:{node.port}/{VHOST}"


@contextlib.asynccontextmanager
async def _channel(node: Any, user: str) -> AsyncIterator[Any]:
    connection = await aio_pika.connect(_url(node, user))
    async with connection:
        yield await connection.channel()


async def _refused(node: Any, user: str, action: Any) -> str:
    """Run ``action(channel)`` as ``user`` and return the ACCESS_REFUSED text it must end in."""
    async with _channel(node, user) as channel:
        with pytest.raises(ChannelAccessRefused) as refused:
            await action(channel)
    text = str(refused.value)
    assert "ACCESS_REFUSED" in text
    return text


async def _ack(message: Any) -> None:
    await message.ack()


async def _get_one(channel: Any, queue_name: str) -> Any:
    queue = await channel.declare_queue(queue_name, passive=True)
    return await queue.get(no_ack=False, fail=False, timeout=5)


async def _service_starts(node: Any, service: str, topology: Topology) -> str:
    """What a service process does with the broker: declare the core and its queue, publish an
    event, send the watchdog's canary through the default exchange, take it back."""
    queue = topology.queue(service, "probe")
    async with _channel(node, service) as channel:
        await topology.declare_core(channel)
        await topology.declare_consumer_queue(channel, queue, [f"{service}.probe.v1"])
        events = await channel.get_exchange(topology.events_exchange, ensure=False)
        await events.publish(aio_pika.Message(b"{}", message_id="e-1"), routing_key=f"{service}.probe.v1")
        await channel.default_exchange.publish(aio_pika.Message(b"", headers={"x-forlob-canary": "c"}), queue)
        dead_letters = await channel.get_exchange(topology.dead_letter_exchange, ensure=False)
        await dead_letters.publish(aio_pika.Message(b"{}", message_id="e-1"), routing_key=queue)
        for _ in range(2):
            message = await _get_one(channel, queue)
            assert message is not None, f"{service} got nothing from {queue}"
            await message.ack()
    return queue


@pytest.mark.slow
@needs_rabbitmq
async def test_definitions_on_a_private_broker_allow_and_refuse(imported_node: Any) -> None:
    node = imported_node
    topology = Topology()
    # Every service can do what it does when it starts, with its own user and nothing more.
    for service in SERVICES:
        await _service_starts(node, service, topology)

    # referral: allowed to publish an event (above) and declare its own queue; refused the rest.
    text = await _refused(
        node,
        "referral",
        lambda ch: ch.declare_queue(
            "reporting.read-model", durable=True, arguments=topology.queue_arguments("reporting.read-model")
        ),
    )
    assert "reporting.read-model" in text
    assert "'referral'" in text
    await _refused(node, "referral", lambda ch: _get_one(ch, "reporting.probe"))
    await _refused(node, "referral", lambda ch: _get_one(ch, "reporting.probe.dlq"))
    await _refused(node, "referral", lambda ch: ch.declare_exchange(PARTNERS_EXCHANGE, "headers", durable=True))

    async def consume_history(channel: Any) -> None:
        await channel.set_qos(prefetch_count=10)
        queue = await channel.declare_queue(HISTORY_STREAM, passive=True)
        await queue.consume(_ack, arguments={"x-stream-offset": "first"})

    # The history: reporting reads it, referral may not.
    await _refused(node, "referral", consume_history)
    async with _channel(node, "reporting") as channel:
        await consume_history(channel)

    # operator: takes dead letters (each probe queue has one), reads no live queue, declares nothing.
    async with _channel(node, "operator") as channel:
        letter = await _get_one(channel, "referral.probe.dlq")
        assert letter is not None
        assert letter.message_id == "e-1"
        await letter.nack(requeue=True)
    await _refused(node, "operator", lambda ch: _get_one(ch, "referral.probe"))
    await _refused(node, "operator", lambda ch: ch.declare_queue("operator.scratch", durable=True))

    # monitoring: in the vhost, but may not even declare.
    await _refused(node, "monitoring", lambda ch: ch.declare_queue("monitoring.scratch", durable=True))

    # The dead-letter cap is on every DLQ, the retention on the stream, nothing on consumer queues.
    listed = node.ctl("list_queues", "-p", VHOST, "name", "policy", "--quiet", "--no-table-headers")
    policies = dict([*line.split("\t"), ""][:2] for line in listed.splitlines() if line.strip())
    assert policies[HISTORY_STREAM] == "history-retention"
    for service in SERVICES:
        assert policies[f"{service}.probe.dlq"] == "dead-letter-cap"
        assert policies[f"{service}.probe"] == ""


@pytest.mark.slow
@needs_rabbitmq
async def test_rabbitmq_conf_imports_the_definitions_at_boot(tmp_path: Path) -> None:
    node = _BootLoadingRabbitMQ(tmp_path / "rabbit")
    await asyncio.to_thread(node.start)
    try:
        _wait_for_import(node)
        users = node.ctl("list_users", "--quiet", "--no-table-headers")
        assert "guest" not in users.split(), "a node that loads definitions at boot must not create guest"
        assert node.ctl("list_vhosts", "--quiet", "--no-table-headers").split() == [VHOST]
        bindings = node.ctl("list_bindings", "-p", VHOST, "source_name", "destination_name", "--quiet")
        assert f"{EVENTS_EXCHANGE}\t{PARTNERS_EXCHANGE}" in bindings
        await _service_starts(node, "referral", Topology())
        await _refused(node, "referral", lambda ch: ch.declare_queue("reporting.read-model", durable=True))
    finally:
        await asyncio.to_thread(node.cleanup)

"""What `make up` and `make demo` run (deploy/local/): the broker's least-privilege users, the
README's sample output, the demo's own programmes and partner feed, the webhook sink's records.

The broker tests that create users do it on a private RabbitMQ node of their own, never on the
machine's shared broker."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import RabbitmqctlAdmin
from forlob_shared.ops.partners import partner_vhost
from forlob_testkit import servers
from forlob_testkit.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
SERVICES = ("referral", "attendance", "notifications", "reporting")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"forlob_local_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def broker() -> ModuleType:
    return _load("broker", LOCAL / "broker.py")


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    # Run as a script, demo.py finds its neighbour demo_shapes.py on the path of its own folder.
    sys.path.insert(0, str(LOCAL))
    try:
        return _load("demo", LOCAL / "demo.py")
    finally:
        sys.path.remove(str(LOCAL))


@pytest.fixture(scope="module")
def sink() -> ModuleType:
    return _load("webhook_sink", LOCAL / "webhook_sink.py")


def _definitions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    return data


# --------------------------------------------------------------------------------------------
# The broker under `make up`: each service its own least-privilege user, as deployed
# --------------------------------------------------------------------------------------------


def test_every_service_under_make_up_connects_with_its_own_user() -> None:
    procfile = dict(line.split(":", 1) for line in (LOCAL / "Procfile").read_text().splitlines() if line.strip())
    for service in SERVICES:
        command = procfile[service]
        assert f'FORLOB_BROKER_URL="$(cat var/broker/{service}.url)"' in command, command
        # On the demo's clock (var/clock-offset), which only the test kit's entry point gives a service.
        assert f"-m forlob_testkit.serve --clock-offset-file var/clock-offset {service} serve" in command
    assert "guest" not in "".join(procfile.values())
    # Nothing else under `make up` names a broker: the web, the sinks and the announcer use none.
    for name, command in procfile.items():
        if name not in SERVICES:
            assert "BROKER" not in command, name
    prepare = (LOCAL / "prepare.sh").read_text()
    assert "deploy/local/broker.py" in prepare
    makefile = (ROOT / "Makefile").read_text()
    up = makefile[makefile.index("\nup:") :]
    assert up.index("prepare.sh") < up.index("honcho"), "the users exist before the services start"


def test_local_definitions_are_the_deployed_rights_with_guest_as_the_administrator(broker: ModuleType) -> None:
    deployed = _definitions()
    passwords_module = _load("passwords", ROOT / "deploy" / "rabbitmq" / "passwords.py")
    users = [user["name"] for user in deployed["users"] if user["name"] != "admin"]
    passwords = {user: f"pw-{user}" for user in users}
    local = broker.local_definitions(deployed, passwords)

    assert [user["name"] for user in local["users"]] == users  # no `admin`, no `guest` (kept as it is)
    for user in local["users"]:
        assert passwords_module.verify_password(f"pw-{user['name']}", user["password_hash"])
        assert not passwords_module.verify_password(user["name"], user["password_hash"])  # not the dev password
    rights = {(p["user"], p["vhost"]): p for p in local["permissions"]}
    for entry in deployed["permissions"]:
        if entry["user"] != "admin":
            assert rights[(entry["user"], entry["vhost"])] == entry, entry["user"]
    assert rights[("guest", "forlob")] == {
        "user": "guest",
        "vhost": "forlob",
        "configure": ".*",
        "write": ".*",
        "read": ".*",
    }
    assert ("admin", "forlob") not in rights
    for section in ("vhosts", "policies", "exchanges", "bindings"):
        assert local[section] == deployed[section]


def _rabbitmq_installed() -> bool:
    return (servers.RABBITMQ_BIN / "rabbitmq-server").exists()


async def _declare_as(service: str, url: str) -> tuple[int, str]:
    """The service's own `declare` command: its real topology, under the URL `make up` gives it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FORLOB_")}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / f"forlob-{service}"),
        "declare",
        env={**environment, "FORLOB_BROKER_URL": url, "FORLOB_LOG_JSON": "false"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


@pytest.mark.slow
@pytest.mark.skipif(not _rabbitmq_installed(), reason="no RabbitMQ installation to start a node from")
async def test_make_ups_broker_step_gives_each_service_only_its_deployed_rights(
    broker: ModuleType, tmp_path: Path
) -> None:
    node = servers.PrivateRabbitMQ(tmp_path / "rabbit")
    await asyncio.to_thread(node.start)
    try:
        ctl = str(servers.RABBITMQ_BIN / "rabbitmqctl")  # as the node's own ctl(): its cookie, its node
        admin = RabbitmqctlAdmin(broker.VHOST, node=node.node, env=node._env(), executable=ctl)
        urls = await broker.prepare(admin, servers.LOOPBACK, node.port, tmp_path / "broker")

        assert set(urls) == {*SERVICES, "operator", "monitoring", "guest"}
        for user, address in urls.items():
            written = tmp_path / "broker" / f"{user}.url"
            assert written.read_text().strip() == address
            assert stat.S_IMODE(written.stat().st_mode) == 0o600, "the URLs hold passwords"
            assert address.endswith(f":{node.port}/forlob")
        assert stat.S_IMODE((tmp_path / "broker").stat().st_mode) == 0o700

        # Every service declares its real topology (core, its queues, the history) with its own user.
        results = await asyncio.gather(*(_declare_as(service, urls[service]) for service in SERVICES))
        for service, (code, out) in zip(SERVICES, results, strict=True):
            assert code == 0, f"forlob-{service} declare failed under its own user:\n{out[-2000:]}"

        # ... and nothing beyond: the rights are the deployed ones, not an administrator's.
        topology = Topology()
        connection = await aio_pika.connect(urls["referral"])
        async with connection:
            channel = await connection.channel()
            queue = topology.queue("reporting", "read-model")
            with pytest.raises(ChannelAccessRefused):
                await channel.declare_queue(queue, durable=True, arguments=topology.queue_arguments(queue))
        users = node.ctl("list_users", "--quiet", "--no-table-headers")
        for service in SERVICES:
            assert re.search(rf"(?m)^{service}\t\[\]$", users), f"{service} must have no tags:\n{users}"
        assert not re.search(r"(?m)^admin\t", users)

        # `make up` again: new passwords, the old ones stop working, nothing else changes.
        again = await broker.prepare(admin, servers.LOOPBACK, node.port, tmp_path / "broker")
        assert again["referral"] != urls["referral"]
        code, out = await _declare_as("referral", again["referral"])
        assert code == 0, out
        with pytest.raises(aio_pika.exceptions.ProbableAuthenticationError):
            await aio_pika.connect(urls["referral"])
    finally:
        await asyncio.to_thread(node.cleanup)


# --------------------------------------------------------------------------------------------
# What the README shows `make up` printing
# --------------------------------------------------------------------------------------------


def test_readme_shows_every_line_make_up_prints(broker: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    announce = _load("announce", LOCAL / "announce.py")
    assert "\n".join(announce.announcement()) in readme

    users = [user["name"] for user in _definitions()["users"] if user["name"] != "admin"]
    assert broker.summary({**dict.fromkeys(users, ""), "guest": ""}) in readme

    # The line servers.py prints when both answer (tests/deploy/test_local_servers.py holds it to the code).
    assert "servers: PostgreSQL 127.0.0.1:5432 and RabbitMQ 127.0.0.1:5672 answer" in readme
    prepared = re.findall(r'echo "(prepare: [^"]*)"', (LOCAL / "prepare.sh").read_text())
    assert prepared
    for line in prepared:
        assert line in readme


# --------------------------------------------------------------------------------------------
# `make demo`: its own programmes, and no silent partner feed
# --------------------------------------------------------------------------------------------


def test_the_demo_redefines_no_programme_the_docs_walk_through(demo: ModuleType) -> None:
    documented = set()
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        documented |= set(re.findall(r"-X PUT \S*/programmes/([A-Za-z0-9_.-]+)", page.read_text(encoding="utf-8")))
    assert "RCA-UDV-13" in documented  # the README's walkthrough
    assert not documented & set(demo.PROGRAMMES), "the demo would redefine a programme the docs define"
    # The demo still plays its short morning: one minute's grace, escalation after two.
    rules = demo.PROGRAMMES[demo.DEVELOPMENT]["rules"]
    assert (rules["absence_grace_minutes"], rules["escalation_minutes"]) == (1, 2)


def test_the_demo_stops_with_the_reason_when_the_partner_feed_cannot_be_set_up(demo: ModuleType) -> None:
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/forlob"
    with pytest.raises(demo.DemoError) as stopped:
        demo.add_partner_feed(unreachable)
    message = str(stopped.value)
    assert "partner AMQP feed" in message
    assert "cannot reach the broker" in message
    assert "Traceback" not in message


# --------------------------------------------------------------------------------------------
# The webhook sink keeps each call so that it can be verified again
# --------------------------------------------------------------------------------------------


async def test_a_call_the_webhook_sink_kept_verifies_again_with_the_secret(sink: ModuleType, tmp_path: Path) -> None:
    secret = "whsec_" + "c2VjcmV0LW9mLXRoZS1zdWJzY3JpcHRpb24="
    (tmp_path / "secret").write_text(secret)
    body = json.dumps({"type": "referral.accepted", "data": {"referral_id": "r-1"}}, separators=(",", ":"))
    sent_at = datetime.now(UTC)
    headers = {
        "webhook-id": "msg_kept-1",
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_kept-1", sent_at, body),
        "content-type": "application/json",
    }
    transport = httpx.ASGITransport(app=sink.make_app(tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://sink") as client:
        assert (await client.post("/hooks", content=body, headers=headers)).status_code == 204
        forged = {**headers, "webhook-id": "msg_forged"}
        assert (await client.post("/hooks", content=body + " ", headers=forged)).status_code == 401

    record = json.loads((tmp_path / "msg_kept-1.json").read_text())
    assert not (tmp_path / "msg_forged.json").exists()
    kept = record["headers"]
    assert {name: kept[name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")} == {
        name: headers[name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    assert record["body"] == body  # the signed bytes, exactly
    assert record["payload"]["type"] == "referral.accepted"

    # Verified again from the file alone, by Standard Webhooks' own signing, and by the sink's tool.
    signed_at = datetime.fromtimestamp(int(kept["webhook-timestamp"]), tz=UTC)
    assert Webhook(secret).sign(kept["webhook-id"], signed_at, record["body"]) in kept["webhook-signature"].split()
    assert sink.verify_stored(record, secret)["data"] == {"referral_id": "r-1"}
    assert sink.verify_file(tmp_path / "msg_kept-1.json") == 0
    with pytest.raises(WebhookVerificationError):
        sink.verify_stored({**record, "body": record["body"].replace("r-1", "r-2")}, secret)
    with pytest.raises(WebhookVerificationError):
        sink.verify_stored(record, "whsec_" + "YW5vdGhlci1zZWNyZXQ=")


def test_partners_md_names_the_vhost_a_partner_puts_in_its_url(broker: ModuleType) -> None:
    partners = (ROOT / "docs" / "partners.md").read_text(encoding="utf-8")
    deployed = [vhost["name"] for vhost in _definitions()["vhosts"]]
    assert deployed == [broker.VHOST]  # make up creates the deployed vhost, not another
    # The partner's own vhost (forlob_shared.ops.partners.partner_vhost), fed from the services'.
    vhost = partner_vhost(Topology(prefix=""), "<org>")
    assert vhost == "partner.<org>"
    assert f"amqp://partner-<org>:<password>@127.0.0.1:5672/{vhost}" in partners
    assert f"amqp://partner-<org>:<password>@<broker host>:5672/{vhost}" in partners
    assert f"from `/{broker.VHOST}` to" in " ".join(partners.split())  # what a partner of before changes
    assert "FORLOB_BROKER_URL=$(cat var/broker/guest.url) uv run forlob partners add" in partners

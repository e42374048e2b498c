"""`make reset`: drop what `make up` and `make demo` left on this machine, so the next `make up`
starts from nothing. It says what it will drop, then drops it:

- the four local development databases, ``forlob_<service>`` on a PostgreSQL on this machine
  (a service pointed at another host or another database name is left alone);
- on the local broker: the vhost of deploy/rabbitmq/definitions.json (``forlob``, where `make up`
  imports the services' users: every queue, exchange and right in it goes with it), and on the
  vhost of ``FORLOB_BROKER_URL`` (``/`` by default) the queues and exchanges of the development
  names (``forlob.*``, ``<service>.*``, ``partner.*``, with ``FORLOB_NAME_PREFIX`` in front if it is
  set). Test runs name theirs with a random prefix of their own on ``/``, so they never match, and
  the default vhost itself is never deleted;
- each partner's own vhost (``partner.<org>``, with its queue and the shovel that feeds it), and
  the partner users of the partner queues and vhosts found (``partner-<org>``) and the broker
  users of deploy/rabbitmq/definitions.json, where they exist (never guest);
- var/ (mail, webhooks, logs, the demo's clock).

The plan is made from what is there (:func:`plan`), then carried out through :class:`Actions`,
so tests (tests/deploy/test_local_reset.py) record what would be dropped rather than drop it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("referral", "attendance", "notifications", "reporting")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", ""})
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
# The first part of every development name the services and `forlob partners` declare.
OWNERS = ("forlob", *SERVICES, "partner")
# Declared by the services and the partner tool (forlob_shared Topology, ops.partners).
EXCHANGES = ("forlob.events", "forlob.dead-letter", "forlob.partners")
KEEP_USERS = frozenset({"guest"})


@dataclass(frozen=True)
class Plan:
    databases: list[tuple[str, str]] = field(default_factory=list)  # (server URL, database)
    vhosts: list[str] = field(default_factory=list)  # deleted whole
    queues: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # what it will not touch, and why

    def describe(self) -> list[str]:
        lines = ["reset: this drops, for good:"]
        for server, name in self.databases:
            lines.append(f"  database {name} on {urlsplit(server).hostname}:{urlsplit(server).port or 5432}")
        lines.extend(f"  broker vhost {v!r} with every queue, exchange and right in it" for v in self.vhosts)
        if self.queues:
            lines.append(f"  {len(self.queues)} queues: {', '.join(self.queues)}")
        if self.exchanges:
            lines.append(f"  exchanges: {', '.join(self.exchanges)}")
        if self.users:
            lines.append(f"  broker users (where they exist): {', '.join(self.users)}")
        lines.extend(f"  {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}/" for p in self.paths)
        lines.extend(f"reset: leaves alone {what}" for what in self.left_alone)
        return lines


def _dev_name(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}(?:{'|'.join(OWNERS)})\.")


def _definitions(root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((root / "deploy/rabbitmq/definitions.json").read_text())
    return loaded


def definition_users(root: Path = ROOT) -> list[str]:
    return [u["name"] for u in _definitions(root).get("users", []) if u["name"] not in KEEP_USERS]


def development_vhosts(root: Path = ROOT) -> list[str]:
    return [v["name"] for v in _definitions(root).get("vhosts", []) if v["name"] != "/"]


def partner_vhost(prefix: str) -> re.Pattern[str]:
    """The vhost `forlob partners add` makes for each partner (forlob_shared.ops.partners)."""
    return re.compile(rf"^{re.escape(prefix)}partner\.([a-z0-9][a-z0-9-]*)$")


def plan(env: Mapping[str, str], queues: Mapping[str, Sequence[str]], root: Path = ROOT) -> Plan:
    """What to drop, from the settings the services read and the queues the broker has on each
    vhost (a vhost that does not exist is not in ``queues``; a partner's vhost is there, its
    queues need not be)."""
    result = Plan()
    for service in SERVICES:
        url = (
            env.get(f"FORLOB_{service.upper()}_DATABASE_URL")
            or env.get("FORLOB_DATABASE_URL")
            or f"postgresql://postgres@127.0.0.1:5432/forlob_{service}"
        )
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if (parts.hostname or "") not in LOCAL_HOSTS:
            result.left_alone.append(f"{service}'s database on {parts.hostname}: not on this machine")
        elif name != f"forlob_{service}":
            result.left_alone.append(f"{service}'s database {name}: not the development name forlob_{service}")
        else:
            result.databases.append((parts._replace(path="/postgres").geturl(), name))
    broker = urlsplit(env.get("FORLOB_BROKER_URL") or DEFAULT_BROKER_URL)
    if (broker.hostname or "") not in LOCAL_HOSTS:
        result.left_alone.append(f"the broker on {broker.hostname}: not on this machine")
        return _with_var(result, root)
    prefix = env.get("FORLOB_NAME_PREFIX", "")
    partner_queue = re.compile(rf"^{re.escape(prefix)}partner\.([a-z0-9][a-z0-9-]*)\.events$")
    partner_queues: list[str] = []
    vhost = unquote(broker.path[1:]) or "/"
    for dev_vhost in development_vhosts(root):
        if dev_vhost in queues:
            result.vhosts.append(dev_vhost)
            partner_queues.extend(q for q in queues[dev_vhost] if partner_queue.match(q))
    if vhost not in result.vhosts:  # else it goes whole
        mine = _dev_name(prefix)
        result.queues.extend(sorted(q for q in queues.get(vhost, ()) if mine.match(q)))
        result.exchanges.extend(prefix + e for e in EXCHANGES)
    partner_queues.extend(q for q in result.queues if partner_queue.match(q))
    orgs = {m.group(1) for q in partner_queues if (m := partner_queue.match(q))}
    # Deleting a partner's vhost takes its queue and its shovel (a runtime parameter there) along.
    # The partners' vhosts go before the services' one: a shovel whose source vhost is deleted
    # first goes on reconnecting after its own vhost is gone (RabbitMQ 3.10), and once `make up`
    # makes the services' vhost again it declares its source queue there with no arguments, so
    # the next `forlob partners add` fails on the queue's length limit (PRECONDITION_FAILED).
    partners: list[str] = []
    for vhost_name in sorted(queues):
        if match := partner_vhost(prefix).match(vhost_name):
            partners.append(vhost_name)
            orgs.add(match.group(1))
    result.vhosts[:0] = partners
    result.users.extend([*(f"{prefix}partner-{org}" for org in sorted(orgs)), *definition_users(root)])
    return _with_var(result, root)


def _with_var(result: Plan, root: Path) -> Plan:
    result.paths.append(root / "var")
    return result


class Actions(Protocol):
    def say(self, text: str) -> None: ...
    async def drop_database(self, server_url: str, name: str) -> None: ...
    async def delete_vhost(self, name: str) -> None: ...
    async def delete_queue(self, name: str) -> None: ...
    async def delete_exchange(self, name: str) -> None: ...
    async def delete_user(self, name: str) -> bool: ...  # False: there was none
    def remove_tree(self, path: Path) -> None: ...


async def carry_out(the_plan: Plan, actions: Actions) -> None:
    for line in the_plan.describe():
        actions.say(line)
    for server, name in the_plan.databases:
        await actions.drop_database(server, name)
    for vhost in the_plan.vhosts:
        await actions.delete_vhost(vhost)
    for queue in the_plan.queues:
        await actions.delete_queue(queue)
    for exchange in the_plan.exchanges:
        await actions.delete_exchange(exchange)
    gone = [user for user in the_plan.users if await actions.delete_user(user)]
    for path in the_plan.paths:
        actions.remove_tree(path)
    actions.say(
        f"reset: done (of those, {len(gone)} broker users existed; databases and exchanges that did not exist "
        "were skipped); `make up` starts from nothing"
    )


class LocalActions:  # pragma: no cover - the real thing; tests record instead
    """PostgreSQL through asyncpg, queues and exchanges over AMQP, vhosts and users through
    rabbitmqctl (a local install) or the management API (FORLOB_RABBITMQ_MANAGEMENT_URL, or the
    port deploy/local/compose.servers.yml publishes when rabbitmqctl is not here)."""

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        self.management = os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL") or (
            None if shutil.which("rabbitmqctl") else "http://guest:guest@127.0.0.1:15672"
        )

    def _admin(self, vhost: str) -> Any:
        from forlob_shared.ops.broker_admin import ManagementApiAdmin, RabbitmqctlAdmin

        return ManagementApiAdmin(self.management, vhost) if self.management else RabbitmqctlAdmin(vhost)

    async def _ctl(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            "rabbitmqctl", "-q", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {args[0]}: {(err or out).decode().strip()[:300]}")
        return out.decode()

    async def _api(self, method: str, path: str) -> Any:
        import httpx

        assert self.management is not None
        parts = urlsplit(self.management)
        base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api"
        auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        async with httpx.AsyncClient(auth=auth, timeout=30) as client:
            response = await client.request(method, base + path)
        response.raise_for_status()
        return response.json() if response.content else None

    async def vhosts(self) -> set[str]:
        if self.management:
            return {v["name"] for v in await self._api("GET", "/vhosts")}
        return {v["name"] for v in json.loads(await self._ctl("list_vhosts", "name", "--formatter", "json") or "[]")}

    async def queues(self, vhost: str) -> list[str]:
        return [q.name for q in await self._admin(vhost).list_queues()]

    def say(self, text: str) -> None:
        print(text, flush=True)

    async def drop_database(self, server_url: str, name: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    async def delete_vhost(self, name: str) -> None:
        if self.management:
            await self._api("DELETE", f"/vhosts/{quote(name, safe='')}")
        else:
            await self._ctl("delete_vhost", name)

    async def _channel_do(self, kind: str, name: str) -> None:
        import aio_pika

        connection = await aio_pika.connect(self.broker_url)
        async with connection:
            channel = await connection.channel()
            if kind == "queue":
                await channel.queue_delete(name)
            else:
                await channel.exchange_delete(name)

    async def delete_queue(self, name: str) -> None:
        await self._channel_do("queue", name)

    async def delete_exchange(self, name: str) -> None:
        await self._channel_do("exchange", name)

    async def delete_user(self, name: str) -> bool:
        from forlob_shared.ops.broker_admin import BrokerAdminError

        try:
            await self._admin("/").delete_user(name)
        except BrokerAdminError:
            return False  # there was no such user
        return True

    def remove_tree(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)


async def main(env: Mapping[str, str], dry_run: bool) -> int:  # pragma: no cover - run by `make reset`
    broker_url = env.get("FORLOB_BROKER_URL") or DEFAULT_BROKER_URL
    actions = LocalActions(broker_url)
    queues: dict[str, list[str]] = {}
    if (urlsplit(broker_url).hostname or "") in LOCAL_HOSTS:
        existing = await actions.vhosts()
        here = unquote(urlsplit(broker_url).path[1:]) or "/"
        for vhost in {here, *development_vhosts()} & existing:
            queues[vhost] = await actions.queues(vhost)
        mine = partner_vhost(env.get("FORLOB_NAME_PREFIX", ""))
        queues.update({vhost: [] for vhost in existing if mine.match(vhost)})
    the_plan = plan(env, queues)
    if dry_run:
        for line in the_plan.describe():
            print(line)
        print("reset: --dry-run: nothing dropped")
        return 0
    await carry_out(the_plan, actions)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(asyncio.run(main(os.environ, dry_run="--dry-run" in sys.argv[1:])))

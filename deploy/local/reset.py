"""`make reset`: drop what `make up` and `make demo` left on this machine, so the next `make up`
starts from nothing. It says what it will drop, then drops it:

- the four local development databases, ``forlob_<service>`` on a PostgreSQL on this machine
  (a service pointed at another host or another database name is left alone);
- on the local broker's vhost, the queues and exchanges of the development names (``forlob.*``,
  ``<service>.*``, ``partner.*``, with ``FORLOB_NAME_PREFIX`` in front if it is set). Test runs
  name theirs with a random prefix of their own, so they never match;
- the partner users of those partner queues (``partner-<org>``) and the broker users of
  deploy/rabbitmq/definitions.json, where they exist (never guest);
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
from typing import Protocol
from urllib.parse import urlsplit

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
    queues: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # what it will not touch, and why

    def describe(self) -> list[str]:
        lines = ["reset: this drops, for good:"]
        for server, name in self.databases:
            lines.append(f"  database {name} on {urlsplit(server).hostname}:{urlsplit(server).port or 5432}")
        if self.queues:
            lines.append(f"  {len(self.queues)} queues: {', '.join(self.queues)}")
        lines.append(f"  exchanges: {', '.join(self.exchanges)}")
        if self.users:
            lines.append(f"  broker users (where they exist): {', '.join(self.users)}")
        lines.extend(f"  {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}/" for p in self.paths)
        lines.extend(f"reset: leaves alone {what}" for what in self.left_alone)
        return lines


def _dev_name(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}(?:{'|'.join(OWNERS)})\.")


def definition_users(root: Path = ROOT) -> list[str]:
    definitions = json.loads((root / "deploy/rabbitmq/definitions.json").read_text())
    return [u["name"] for u in definitions.get("users", []) if u["name"] not in KEEP_USERS]


def plan(env: Mapping[str, str], queues: Sequence[str], root: Path = ROOT) -> Plan:
    """What to drop, from the settings the services read and the queues the broker has."""
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
    mine = _dev_name(prefix)
    result.queues.extend(sorted(q for q in queues if mine.match(q)))
    result.exchanges.extend(prefix + e for e in EXCHANGES)
    partner_queue = re.compile(rf"^{re.escape(prefix)}partner\.([a-z0-9][a-z0-9-]*)\.events$")
    partners = [f"{prefix}partner-{m.group(1)}" for q in result.queues if (m := partner_queue.match(q))]
    result.users.extend([*partners, *definition_users(root)])
    return _with_var(result, root)


def _with_var(result: Plan, root: Path) -> Plan:
    result.paths.append(root / "var")
    return result


class Actions(Protocol):
    def say(self, text: str) -> None: ...
    async def drop_database(self, server_url: str, name: str) -> None: ...
    async def delete_queue(self, name: str) -> None: ...
    async def delete_exchange(self, name: str) -> None: ...
    async def delete_user(self, name: str) -> bool: ...  # False: there was none
    def remove_tree(self, path: Path) -> None: ...


async def carry_out(the_plan: Plan, actions: Actions) -> None:
    for line in the_plan.describe():
        actions.say(line)
    for server, name in the_plan.databases:
        await actions.drop_database(server, name)
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
    def __init__(self, broker_url: str) -> None:
        from forlob_shared.ops.broker_admin import ManagementApiAdmin, broker_admin

        self.broker_url = broker_url
        # rabbitmqctl where it is installed; a broker in Docker (compose.servers.yml) has only
        # its management port on 127.0.0.1.
        if os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL") or shutil.which("rabbitmqctl"):
            self.admin = broker_admin(broker_url)
        else:
            vhost = urlsplit(broker_url).path[1:] or "/"
            self.admin = ManagementApiAdmin("http://guest:guest@127.0.0.1:15672", vhost)

    def say(self, text: str) -> None:
        print(text, flush=True)

    async def drop_database(self, server_url: str, name: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

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
            await self.admin.delete_user(name)
        except BrokerAdminError:
            return False  # there was no such user
        return True

    def remove_tree(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    async def queues(self) -> list[str]:
        return [q.name for q in await self.admin.list_queues()]


async def main(env: Mapping[str, str], dry_run: bool) -> int:  # pragma: no cover - run by `make reset`
    actions = LocalActions(env.get("FORLOB_BROKER_URL") or DEFAULT_BROKER_URL)
    broker_local = (urlsplit(env.get("FORLOB_BROKER_URL") or DEFAULT_BROKER_URL).hostname or "") in LOCAL_HOSTS
    queues = await actions.queues() if broker_local else []
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

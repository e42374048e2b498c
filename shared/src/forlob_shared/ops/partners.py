"""Partner feeds over AMQP: each partner organisation reads its own queue and nothing else, and
that queue holds only the published partner contract (forlob_shared.partner).

``forlob.events`` (topic) → ``forlob.partners`` (headers exchange, bound with ``partner.#``
alone) → ``partner.<org>.events``, bound with ``x-match: all, referringorg: <org>``. The
internal events (check-ins, the provider's alerts, an absence at detection) never enter the
partner exchange: only the partner events notifications publishes, under routing keys
``partner.<name>.v<major>``, do. The broker filters on the ``referringorg`` header the relay
copies from each CloudEvent, so an event about another organisation's referral never reaches the
queue. The partner's user may read that one queue and may neither configure, bind nor publish
anything, so it cannot widen what it receives.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import aio_pika

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import BrokerAdmin
from forlob_shared.partner.base import PARTNER_ROUTING_PREFIX

PARTNERS_EXCHANGE = "forlob.partners"
# The one binding from the internal events exchange into the partner exchange.
PARTNER_BINDING_KEY = PARTNER_ROUTING_PREFIX + "#"
_ORG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class PartnerFeed:
    org: str
    user: str
    password: str | None  # None: the user existed and kept its password
    queue: str


def partner_queue(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner.{org}.events"


def partner_user(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner-{org}"


def validate_org(org: str) -> str:
    if not _ORG.fullmatch(org):
        raise ValueError("an organisation id is lower-case letters, digits and '-', at most 63 characters")
    return org


async def declare_partner_exchange(channel: aio_pika.abc.AbstractChannel, topology: Topology) -> str:
    name = topology.prefix + PARTNERS_EXCHANGE
    await topology.declare_exchanges(channel)
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.HEADERS, durable=True)
    await exchange.bind(topology.events_exchange, routing_key=PARTNER_BINDING_KEY)
    # Before the partner contract the exchange took every event ("#"): a broker set up then
    # keeps that binding until it is taken away, and with it the internal events would still flow.
    await exchange.unbind(topology.events_exchange, routing_key="#")
    return name


async def add_partner(
    broker_url: str, admin: BrokerAdmin, topology: Topology, org: str, password: str | None = None
) -> PartnerFeed:
    """Create (or update) the partner's queue, binding, user and rights; idempotent.

    Run again, it changes nothing the partner relies on: the queue and its binding are declared
    as they are, the rights set again, and an existing user keeps its password unless a new one
    is given (then ``password`` in the result is that one; else None)."""
    validate_org(org)
    queue_name = partner_queue(topology, org)
    user = partner_user(topology, org)
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        exchange = await declare_partner_exchange(channel, topology)
        queue = await channel.declare_queue(
            queue_name,
            durable=True,
            # Quorum: replicated, and a partner that stays away cannot fill the broker's disk:
            # past the limit the oldest events go first (the partner catches up from the API).
            arguments={"x-queue-type": "quorum", "x-max-length": 1_000_000, "x-overflow": "drop-head"},
        )
        await queue.bind(exchange, arguments={"x-match": "all", "referringorg": org})
    if await admin.user_exists(user):
        if password is not None:
            # Neither rabbitmqctl nor the API changes a password without showing it somewhere
            # (change_password takes it as an argument): a new user takes it from stdin.
            await admin.delete_user(user)
            await admin.add_user(user, password)
    else:
        password = password or secrets.token_urlsafe(24)
        await admin.add_user(user, password)
    await admin.set_permissions(user, configure="^$", write="^$", read=f"^{re.escape(queue_name)}$")
    return PartnerFeed(org=org, user=user, password=password, queue=queue_name)


async def remove_partner(broker_url: str, admin: BrokerAdmin, topology: Topology, org: str) -> None:
    """Delete the partner's user and queue; a partner already gone is no error."""
    validate_org(org)
    if await admin.user_exists(partner_user(topology, org)):
        await admin.delete_user(partner_user(topology, org))
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(partner_queue(topology, org))

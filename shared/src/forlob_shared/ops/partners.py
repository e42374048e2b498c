"""Partner feeds over AMQP: each partner organisation reads its own queue, in a vhost of its
own, and that queue holds only the published partner contract (forlob_shared.partner).

In the services' vhost: ``forlob.events`` (topic) → ``forlob.partners`` (headers exchange, bound
with ``partner.#`` alone) → ``partner.<org>.events``, bound with ``x-match: all, referringorg:
<org>``. The internal events (check-ins, the provider's alerts, an absence at detection) never
enter the partner exchange: only the partner events notifications publishes, under routing keys
``partner.<name>.v<major>``, do. The broker filters on the ``referringorg`` header the relay
copies from each CloudEvent, so an event about another organisation's referral never reaches the
queue.

A dynamic shovel moves that queue's events into the queue of the same name in the vhost
``partner.<org>``, confirming each publish there before it acknowledges the source
(``on-confirm``: nothing is lost; a shovel restarted in between sends it again, with its id).
The partner's user has rights in that vhost alone, to read its queue: RabbitMQ checks no right on
a passive ``queue.declare``, so in the services' vhost even a read-nothing user could learn which
queues exist and how deep they are; in its own vhost there is nothing else to learn about.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import aio_pika
import aiormq

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import BrokerAdmin, BrokerAdminError, vhost_of
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
    vhost: str  # the partner's own: its URL's path


# Quorum: replicated, and a partner that stays away cannot fill the broker's disk: past the limit
# the oldest events go first (the partner catches up from the API). The same on both sides.
QUEUE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum", "x-max-length": 1_000_000, "x-overflow": "drop-head"}


def partner_queue(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner.{org}.events"


def partner_user(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner-{org}"


def partner_vhost(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner.{org}"


def partner_shovel(topology: Topology, org: str) -> str:
    return f"{topology.prefix}partner.{org}.feed"


def validate_org(org: str) -> str:
    if not _ORG.fullmatch(org):
        raise ValueError("an organisation id is lower-case letters, digits and '-', at most 63 characters")
    return org


def url_in_vhost(broker_url: str, vhost: str) -> str:
    return urlunsplit(urlsplit(broker_url)._replace(path="/" + quote(vhost, safe="")))


def _direct(vhost: str) -> str:
    # No host: the shovel connects inside the node it runs on, so no password is stored in the
    # parameter and any node of a cluster can run it.
    return "amqp:///" + quote(vhost, safe="")


def feed_shovel(services_vhost: str, vhost: str, queue: str) -> dict[str, Any]:
    """The dynamic shovel from the partner's queue in the services' vhost to its own vhost."""
    return {
        "src-protocol": "amqp091",
        "src-uri": _direct(services_vhost),
        "src-queue": queue,
        "dest-protocol": "amqp091",
        "dest-uri": _direct(vhost),
        "dest-queue": queue,
        "ack-mode": "on-confirm",
        "src-delete-after": "never",
        "add-forward-headers": False,
        "reconnect-delay": 5,
    }


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
    """Create (or update) the partner's vhost, queues, binding, shovel, user and rights; idempotent.

    Run again, it changes nothing the partner relies on: everything is declared as it is, the
    rights set again, and an existing user keeps its password unless a new one is given (then
    ``password`` in the result is that one; else None). A partner set up before vhosts of their
    own (its queue in the services' vhost, its user reading it there) moves: the queue stays as
    the shovel's source, its waiting events go on to the new vhost, and the user loses its rights
    in the services' vhost."""
    validate_org(org)
    queue_name, user, vhost = partner_queue(topology, org), partner_user(topology, org), partner_vhost(topology, org)
    services_vhost = vhost_of(broker_url)
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        exchange = await declare_partner_exchange(channel, topology)
        try:
            queue = await channel.declare_queue(queue_name, durable=True, arguments=QUEUE_ARGUMENTS)
        except aiormq.exceptions.ChannelPreconditionFailed:
            # Never deleted here: the queue may hold events the partner has not read yet.
            raise BrokerAdminError(
                f"queue {queue_name!r} exists with other arguments than a partner feed's (a quorum queue with "
                f"a length limit); it may hold events the partner has not read: once they are read, "
                f"`forlob partners remove {org}` and add the partner again"
            ) from None
        await queue.bind(exchange, arguments={"x-match": "all", "referringorg": org})
    existed = await admin.user_exists(user)
    if existed:
        if password is not None:
            # Neither rabbitmqctl nor the API changes a password without showing it somewhere
            # (change_password takes it as an argument): a new user takes it from stdin.
            await admin.delete_user(user)
            await admin.add_user(user, password)
    else:
        password = password or secrets.token_urlsafe(24)
        await admin.add_user(user, password)
    # One import (each rabbitmqctl call starts a VM): the vhost, the rights in it, and its queue
    # before the shovel, which would otherwise declare a classic queue of that name with no limit.
    await admin.import_definitions(_partner_vhost_definitions(broker_url, admin, vhost, user, queue_name, org))
    if existed:
        await admin.clear_permissions(user, vhost=services_vhost)  # a partner set up before its vhost
    try:
        await admin.set_shovel(vhost, partner_shovel(topology, org), feed_shovel(services_vhost, vhost, queue_name))
    except BrokerAdminError as error:
        if "component" not in str(error):
            raise
        # RabbitMQ names the missing plugin only as an unknown "component": say which it is.
        raise BrokerAdminError(
            f"{error} (partner feeds need the rabbitmq_shovel plugin: rabbitmq-plugins enable rabbitmq_shovel)"
        ) from None
    return PartnerFeed(org=org, user=user, password=password, queue=queue_name, vhost=vhost)


def _partner_vhost_definitions(
    broker_url: str, admin: BrokerAdmin, vhost: str, user: str, queue: str, org: str
) -> dict[str, Any]:
    # The operator may open the vhost (to look into it, and because RabbitMQ lets the API's user set
    # a shovel only between vhosts it may open); the partner may read its queue and nothing else.
    operators = {unquote(urlsplit(broker_url).username or "guest")} | ({admin.acting_user} - {None})
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    return {
        "vhosts": [{"name": vhost, "description": f"Forløb partner feed of {org}: its queue alone"}],
        "permissions": [
            *({"user": operator, "vhost": vhost, **everything} for operator in sorted(o for o in operators if o)),
            {"user": user, "vhost": vhost, "configure": "^$", "write": "^$", "read": f"^{re.escape(queue)}$"},
        ],
        "queues": [
            {"name": queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": QUEUE_ARGUMENTS}
        ],
    }


async def remove_partner(broker_url: str, admin: BrokerAdmin, topology: Topology, org: str) -> None:
    """Delete the partner's vhost (its queue and shovel with it), user and source queue; a partner
    already gone is no error."""
    validate_org(org)
    for delete, name in ((admin.delete_vhost, partner_vhost), (admin.delete_user, partner_user)):
        try:
            await delete(name(topology, org))
        except BrokerAdminError as error:
            if error.status != 404:
                raise
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(partner_queue(topology, org))

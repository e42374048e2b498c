"""Poison messages for the reliability suite: what a broken or hostile publisher could put on
the events exchange, each of a kind the consumers must dead-letter with a reason and never let
block, slow or change the good traffic. Every body carries a marker ``poison-<n>`` so each copy
can be found again in the dead-letter queues (and told apart from good events, which must never
be there)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aio_pika

KINDS = ("invalid-json", "wrong-schema", "unknown-type", "huge-body", "missing-attributes")
HUGE = 128 * 1024  # bytes of padding: a body spanning several AMQP frames
MARKER = re.compile(rb"poison-(\d+)")


@dataclass(frozen=True)
class Poison:
    number: int
    kind: str
    routing_key: str
    body: bytes
    headers: dict[str, Any]


def _envelope(number: int, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"poison-{number}",
        "source": "forlob/poison",
        "type": event_type,
        "subject": f"poison-{number}",
        "time": "2026-11-30T08:00:00Z",
        "datacontenttype": "application/json",
        "data": data,
    }


def make(number: int, kind: str, routing_key: str) -> Poison:
    real_type = f"dk.forlob.{routing_key}"
    headers: dict[str, Any] = {"type": real_type, "subject": f"poison-{number}"}
    if kind == "invalid-json":
        body = b'{"specversion": "1.0", "id": "poison-%d", "data": {' % number
    elif kind == "wrong-schema":
        body = json.dumps(_envelope(number, real_type, {"referral_id": "not-a-uuid", "participant_id": 7})).encode()
    elif kind == "unknown-type":
        headers["type"] = "dk.forlob.referral.teleported.v1"
        body = json.dumps(_envelope(number, "dk.forlob.referral.teleported.v1", {})).encode()
    elif kind == "huge-body":
        body = json.dumps(_envelope(number, real_type, {"padding": "x" * HUGE})).encode()
    elif kind == "missing-attributes":
        headers = {}  # nor any AMQP header: nothing to route or lane it by
        body = json.dumps({"data": {"note": f"poison-{number}"}}).encode()
    else:
        raise ValueError(kind)
    return Poison(number, kind, routing_key, body, headers)


def batch(count: int, routing_keys: list[str], seed: int = 9) -> list[Poison]:
    rng = random.Random(seed)
    return [make(n, KINDS[n % len(KINDS)], rng.choice(routing_keys)) for n in range(count)]


async def publish(broker_url: str, exchange_name: str, poison: list[Poison]) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name, ensure=False)
        for item in poison:
            message = aio_pika.Message(
                item.body,
                headers=item.headers,
                # The "missing" kind has neither message id nor content type.
                message_id=None if item.kind == "missing-attributes" else f"poison-{item.number}",
                content_type=None if item.kind == "missing-attributes" else "application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(message, routing_key=item.routing_key)


@dataclass
class DeadLetters:
    """What the dead-letter queues hold, against the poison that should be there."""

    expected: int = 0  # copies: one per poison message per queue bound to its routing key
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0  # dead letters that are not poison: good traffic dead-lettered
    without_reason: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return self.lost == self.duplicated == self.unexpected == self.without_reason == 0

    def line(self, published: int) -> str:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in sorted(self.reasons.items()))
        return (
            f"poison: published {published:,} copies {self.expected:,} dead-lettered {self.found:,} "
            f"lost {self.lost} duplicated {self.duplicated} unexpected {self.unexpected} "
            f"without reason {self.without_reason} | reasons: {reasons}"
        )


async def drain_dead_letters(
    broker_url: str, queues: list[str]
) -> dict[str, list[aio_pika.abc.AbstractIncomingMessage]]:
    found: dict[str, list[aio_pika.abc.AbstractIncomingMessage]] = {}
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            queue = await channel.declare_queue(name, passive=True)
            found[name] = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                found[name].append(message)
    return found


def count(poison: list[Poison], bindings: dict[str, set[str]], dead: dict[str, list[Any]]) -> DeadLetters:
    """``bindings``: dead-letter queue → the routing keys its consumer queue takes."""
    tally = DeadLetters()
    wanted = Counter((dlq, p.number) for p in poison for dlq, keys in bindings.items() if p.routing_key in keys)
    tally.expected = sum(wanted.values())
    got: Counter[tuple[str, int]] = Counter()
    for dlq, messages in dead.items():
        for message in messages:
            tally.found += 1
            reason = (message.headers or {}).get("x-forlob-reason")
            if not reason:
                tally.without_reason += 1
            tally.reasons[str(reason)] += 1
            marker = MARKER.search(message.body)
            if marker is None:
                tally.unexpected += 1
            else:
                got[(dlq, int(marker.group(1)))] += 1
    tally.lost = sum(1 for key in wanted if key not in got)
    tally.duplicated = sum(n - 1 for n in got.values())
    tally.unexpected += sum(n for key, n in got.items() if key not in wanted)
    return tally

"""The AsyncAPI document of a service, from FastStream's own generator.

Consumers appear as the service's subscribers (queue, the event types it takes); what the
service publishes through its outbox appears as publishers on ``forlob.events``, one per routing
key, with the CloudEvent envelope and its ``data`` schema.
"""

from __future__ import annotations

import json
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.specification import AsyncAPI

from forlob_shared.events.envelope import Envelope
from forlob_shared.messaging.consumer import ConsumerConfig, EventConsumer
from forlob_shared.messaging.topology import Topology
from forlob_shared.runtime import PartsT, ServiceSpec, SettingsT, UowT


def asyncapi_document(
    spec: ServiceSpec[UowT, SettingsT, PartsT],
    settings: SettingsT | None = None,
    broker_url: str = "amqp://rabbitmq:5672/",
) -> dict[str, Any]:
    """The service's AsyncAPI document, its subscriptions as a service with ``settings`` runs them."""
    broker = RabbitBroker(broker_url, description=f"{spec.title}: events in and out")
    topology = Topology()
    config = ConsumerConfig(service=spec.name, topology=topology)
    for subscription in spec.subscriptions_for(settings or spec.settings_cls()):
        _describe(broker, EventConsumer(config, subscription, _no_uow))
    exchange = RabbitExchange(topology.events_exchange, type=ExchangeType.TOPIC, durable=True, declare=False)
    for event in spec.publishes:
        publisher = broker.publisher(
            exchange=exchange,
            routing_key=event.routing_key,
            title=f"{event.routing_key}:publish",
            description=f"{event.description} Published through the transactional outbox.",
            schema=Envelope[event],  # type: ignore[valid-type]
        )
        del publisher  # registered on the broker; only the document uses it
    document = AsyncAPI(broker, title=spec.title, version=spec.version, description=spec.description)
    rendered: dict[str, Any] = json.loads(document.to_specification().to_json())
    return rendered


def _describe(broker: RabbitBroker, consumer: EventConsumer[Any]) -> None:
    """Register the consumer's queue as a subscriber, for the document only: the service itself
    consumes with aio-pika directly (see :mod:`forlob_shared.messaging.consumer`)."""
    queue = RabbitQueue(  # type: ignore[call-overload]
        consumer.queue,
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments=consumer.config.topology.queue_arguments(consumer.queue),
    )
    subscription = consumer.subscription
    subscriber = broker.subscriber(
        queue,
        no_reply=True,
        title=consumer.queue,
        description=subscription.description or f"{consumer.name}: consumes {', '.join(subscription.routing_keys)}",
    )

    async def consume(message: RabbitMessage) -> None:
        raise RuntimeError("the AsyncAPI document never handles a message")

    subscriber(consume)


def _no_uow() -> Any:
    raise RuntimeError("the AsyncAPI document never handles a message")

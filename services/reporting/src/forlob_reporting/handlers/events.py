"""Events in, read model out: every handled type goes to the same application function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_reporting.application.events import record_event, record_events
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.domain.projection import PROJECTORS
from forlob_shared.events import Envelope
from forlob_shared.messaging.consumer import Handler, Subscription

READ_MODEL = "read-model"


async def on_event(envelope: Envelope[Any], uow: ReportingUnitOfWork) -> None:
    await record_event(uow, envelope)


async def on_events(envelopes: Sequence[Envelope[Any]], uow: ReportingUnitOfWork) -> None:
    await record_events(uow, envelopes)


def subscriptions() -> list[Subscription[ReportingUnitOfWork]]:
    handlers: dict[Any, Handler[ReportingUnitOfWork]] = dict.fromkeys(PROJECTORS, on_event)
    return [
        Subscription(
            purpose=READ_MODEL,
            handlers=handlers,
            batches=dict.fromkeys(PROJECTORS, on_events),  # any run of events: one pass of the store
            description="Builds the reporting read model from the other services' events.",
            # Two lanes by aggregate (the read model is order-independent across aggregates): one
            # applies its batch while the other waits on the database; more make smaller batches.
            lanes=2,
        )
    ]

"""Events in, read model out: every handled type goes to the same application function."""

from __future__ import annotations

from typing import Any

from forlob_reporting.application.events import record_event
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.domain.projection import PROJECTORS
from forlob_shared.events import Envelope
from forlob_shared.messaging.consumer import Handler, Subscription

READ_MODEL = "read-model"


async def on_event(envelope: Envelope[Any], uow: ReportingUnitOfWork) -> None:
    await record_event(uow, envelope)


def subscriptions() -> list[Subscription[ReportingUnitOfWork]]:
    handlers: dict[Any, Handler[ReportingUnitOfWork]] = dict.fromkeys(PROJECTORS, on_event)
    return [
        Subscription(
            purpose=READ_MODEL,
            handlers=handlers,
            description="Builds the reporting read model from the other services' events.",
            # Lanes by aggregate: the read model is order-independent across aggregates (sequence
            # guards per aggregate), so their events can be applied side by side.
            lanes=8,
        )
    ]

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse

from forlob_notifications.api.deps import Runtime, UoW
from forlob_notifications.application import inbox as inbox_use_cases
from forlob_notifications.channels.listener import next_change
from forlob_notifications.domain.alerts import Alert
from forlob_notifications.domain.deliveries import Delivery
from forlob_shared.http.auth import AnyMember
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently
from forlob_shared.http.inputs import Moment

router = APIRouter(tags=["inbox"])


class AlertOut(BaseModel):
    id: UUID
    kind: str
    state: str
    org: str
    recipient_staff_id: str
    provider_org: str
    referring_org: str | None
    referral_id: UUID | None
    participant_ref: UUID | None
    programme_code: str | None
    occurred_at: datetime | None
    raised_at: datetime
    due_at: datetime | None
    level: int
    escalated_to: str | None
    escalated_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None = None
    closed_at: datetime | None
    close_reason: str | None
    contact_attempts: int
    facts: dict[str, Any]

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(
            id=a.id,
            kind=a.kind.value,
            state=a.state.value,
            org=a.org,
            recipient_staff_id=a.recipient_staff_id,
            provider_org=a.provider_org,
            referring_org=a.referring_org,
            referral_id=a.referral_id,
            participant_ref=a.participant_id,
            programme_code=a.programme_code,
            occurred_at=a.occurred_at,
            raised_at=a.raised_at,
            due_at=a.due_at,
            level=a.level,
            escalated_to=a.escalated_to,
            escalated_at=a.escalated_at,
            acknowledged_by=a.acknowledged_by,
            acknowledged_at=a.acknowledged_at,
            acknowledgement_note=a.acknowledgement_note,
            closed_at=a.closed_at,
            close_reason=a.close_reason,
            contact_attempts=a.contact_attempts,
            facts=a.facts,
        )


class DeliverySummary(BaseModel):
    id: UUID
    channel: str
    recipient: str
    event_type: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, d: Delivery) -> DeliverySummary:
        return cls(
            id=d.id,
            channel=d.channel.value,
            recipient=d.recipient,
            event_type=d.event_type,
            state=d.state.value,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.state.value == "pending" else None,
            delivered_at=d.delivered_at,
            last_error=d.last_error,
        )


class AlertDetail(AlertOut):
    deliveries: list[DeliverySummary]
    timezone: str | None = Field(
        default=None, description="the course's IANA zone, in which its local times are shown (unknown: none)"
    )


@router.get("/inbox", summary="Your alerts (addressed or escalated to you), newest first")
async def inbox(
    principal: AnyMember,
    uow: UoW,
    state: list[str] | None = Query(default=None, description="open | acknowledged | closed (repeatable)"),
    kind: list[str] | None = Query(
        default=None, description="absence | absence_notice | breach | visit_overdue | meeting_overdue | ..."
    ),
    since: Moment | None = None,
    everyone: bool = Query(default=False, description="the whole organisation's alerts (team leaders)"),
    limit: int = Query(default=100, ge=1, le=500),
) -> list[AlertOut]:
    query = inbox_use_cases.InboxQuery(states=state, kinds=kind, since=since, everyone=everyone, limit=limit)
    return [AlertOut.of(a) for a in await inbox_use_cases.inbox(uow, principal, query)]


@router.get("/alerts/{alert_id}", summary="One alert of your organisation, with its deliveries")
async def get_alert(alert_id: UUID, principal: AnyMember, uow: UoW) -> AlertDetail:
    shown = await inbox_use_cases.show_alert(uow, principal, alert_id)
    return AlertDetail(
        **AlertOut.of(shown.alert).model_dump(),
        deliveries=[DeliverySummary.of(d) for d in shown.deliveries],
        timezone=shown.timezone,
    )


class AcknowledgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(
        default=None,
        max_length=500,
        description="what was done, for colleagues (e.g. 'called, back tomorrow'); never sent on",
        examples=["called, back tomorrow"],
    )


@router.post(
    "/alerts/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge an alert: it stops escalating"
)
async def acknowledge(
    alert_id: UUID,
    principal: AnyMember,
    uow: UoW,
    request: Request,
    key: IdempotencyKey,
    body: AcknowledgementIn | None = None,
) -> Response:
    note = body.note.strip() or None if body is not None and body.note else None
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=body,
        use_case=lambda u: inbox_use_cases.acknowledge(u, principal, alert_id, note),
        out=AlertOut.of,
    )


@router.get(
    "/inbox/stream",
    summary="Server-sent events: each change to your alerts (raised, escalated, acknowledged, closed)",
    response_class=EventSourceResponse,
)
async def stream(principal: AnyMember, runtime: Runtime) -> EventSourceResponse:
    listener = runtime.parts.listener
    queue = listener.subscribe(principal.org, principal.staff_id)

    async def events() -> AsyncIterator[dict[str, str]]:
        try:
            yield {"event": "ready", "data": json.dumps({"staff_id": principal.staff_id})}
            # No polling for the client's disconnect: EventSourceResponse listens for it and
            # cancels this generator (its finally unsubscribes); the stop ends it here.
            while (change := await next_change(queue, runtime.stopping)) is not None:
                alert = await inbox_use_cases.get_alert_only(runtime.uow(), principal, UUID(change["alert_id"]))
                yield {
                    "event": f"alert.{change['change']}",
                    "id": f"{alert.id}:{change['change']}",
                    "data": AlertOut.of(alert).model_dump_json(),
                }
        finally:
            listener.unsubscribe(principal.org, principal.staff_id, queue)

    return EventSourceResponse(events(), ping=15)

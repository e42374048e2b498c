from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from forlob_notifications.api.deps import Admin, Opts, UoW
from forlob_notifications.application import subscriptions as app
from forlob_notifications.domain.webhooks import EVENT_TYPES, Subscription
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently

router = APIRouter(tags=["webhooks"])
# Each type at most once: a subscription to everything names every type, however many there are.
MOST_TYPES = len(EVENT_TYPES)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, examples=["https://partner.example/forlob-hooks"])
    event_types: list[str] = Field(min_length=1, max_length=MOST_TYPES, examples=[["attendance.agreement_breached"]])
    description: str = Field(default="", max_length=200)


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=MOST_TYPES)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None
    rotate_secret: bool = False


class SubscriptionOut(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    created_at: datetime
    owner_staff_id: str
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = Field(
        default=None,
        description="until then calls carry a second signature, made with the secret before the last rotation",
    )

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(
            id=s.id,
            url=s.url,
            event_types=s.event_types,
            description=s.description,
            enabled=s.enabled,
            created_at=s.created_at,
            owner_staff_id=s.owner_staff_id,
            disabled_at=s.disabled_at,
            disabled_reason=s.disabled_reason,
            previous_secret_expires_at=s.previous_secret_expires_at if s.previous_secret else None,
        )


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(description="whsec_...: verify our signatures with it; shown on creation and rotation")

    @classmethod
    def of_new(cls, s: Subscription) -> SubscriptionWithSecret:
        return cls(**SubscriptionOut.of(s).model_dump(), secret=s.secret)


class AttemptOut(BaseModel):
    number: int
    attempted_at: datetime
    ok: bool
    error_code: str | None
    status_code: int | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: UUID
    channel: str
    recipient: str
    event_type: str
    alert_id: UUID | None
    state: str
    attempts: list[AttemptOut]
    created_at: datetime
    next_attempt_at: datetime | None
    give_up_at: datetime
    delivered_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, view: app.DeliveryView) -> DeliveryOut:
        d = view.delivery
        return cls(
            id=d.id,
            channel=d.channel.value,
            recipient=d.recipient,
            event_type=d.event_type,
            alert_id=d.alert_id,
            state=d.state.value,
            attempts=[
                AttemptOut(
                    number=a.number,
                    attempted_at=a.attempted_at,
                    ok=a.ok,
                    error_code=a.error_code,
                    status_code=a.status_code,
                    duration_ms=a.duration_ms,
                )
                for a in view.attempts
            ],
            created_at=d.created_at,
            next_attempt_at=d.next_attempt_at if d.state.value == "pending" else None,
            give_up_at=d.give_up_at,
            delivered_at=d.delivered_at,
            last_error=d.last_error,
        )


@router.get("/webhooks/event-types", summary="What a subscription can filter on")
async def event_types(_: Admin) -> dict[str, str]:
    # For whoever keeps the subscriptions; like every route but health and metrics, never anonymous.
    return EVENT_TYPES


@router.post(
    "/webhooks/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionWithSecret,
    summary="Subscribe a URL of yours to event types; the answer holds the signing secret",
)
async def create(
    body: SubscriptionIn, principal: Admin, uow: UoW, options: Opts, request: Request, key: IdempotencyKey
) -> Response:
    command = app.NewSubscription(url=body.url, event_types=body.event_types, description=body.description)
    # A retry with the key answers the same secret: the stored answer is kept as long as the key.
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=body,
        use_case=lambda u: app.create_subscription(u, options, principal, command),
        out=SubscriptionWithSecret.of_new,
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/webhooks/subscriptions", summary="Your organisation's subscriptions")
async def list_all(principal: Admin, uow: UoW) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(s) for s in await app.list_subscriptions(uow, principal)]


@router.get("/webhooks/subscriptions/{subscription_id}", summary="One subscription")
async def get_one(subscription_id: UUID, principal: Admin, uow: UoW) -> SubscriptionOut:
    return SubscriptionOut.of(await app.get_subscription(uow, principal, subscription_id))


@router.patch(
    "/webhooks/subscriptions/{subscription_id}",
    summary="Change URL, event types, enable again after failures, or rotate the secret",
    response_model=SubscriptionWithSecret | SubscriptionOut,
)
async def change(
    subscription_id: UUID, body: SubscriptionPatch, principal: Admin, uow: UoW, options: Opts
) -> SubscriptionWithSecret | SubscriptionOut:
    changed = await app.change_subscription(
        uow, options, principal, subscription_id, app.SubscriptionChange(**body.model_dump())
    )
    out = SubscriptionOut.of(changed)
    return SubscriptionWithSecret(**out.model_dump(), secret=changed.secret) if body.rotate_secret else out


@router.post(
    "/webhooks/subscriptions/{subscription_id}/rotate-secret",
    response_model=SubscriptionWithSecret,
    summary="A new signing secret, shown once; the old one keeps signing alongside it until previous_secret_expires_at",
)
async def rotate_secret(
    subscription_id: UUID, principal: Admin, uow: UoW, options: Opts, request: Request, key: IdempotencyKey
) -> Response:
    # Without a key a retried rotation would rotate twice and drop the secret the caller still uses.
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=None,
        use_case=lambda u: app.rotate_secret(u, options, principal, subscription_id),
        out=SubscriptionWithSecret.of_new,
    )


@router.delete(
    "/webhooks/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription (its deliveries and attempts stay on record)",
)
async def delete(subscription_id: UUID, principal: Admin, uow: UoW) -> Response:
    await app.delete_subscription(uow, principal, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/deliveries", summary="Your organisation's deliveries with every attempt")
async def deliveries(
    principal: Admin,
    uow: UoW,
    channel: Literal["email", "webhook"] | None = None,
    subscription_id: UUID | None = None,
    state: Literal["pending", "delivered", "failed"] | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> list[DeliveryOut]:
    views = await app.list_deliveries(
        uow, principal, channel=channel, subscription_id=subscription_id, state=state, limit=limit
    )
    return [DeliveryOut.of(v) for v in views]


@router.get("/deliveries/{delivery_id}", summary="One delivery with every attempt")
async def delivery(delivery_id: UUID, principal: Admin, uow: UoW) -> DeliveryOut:
    return DeliveryOut.of(await app.get_delivery(uow, principal, delivery_id))


@router.post(
    "/deliveries/{delivery_id}/resend",
    response_model=DeliveryOut,
    summary="Send a delivery again (same id, so receivers deduplicate)",
)
async def resend(
    delivery_id: UUID, principal: Admin, uow: UoW, options: Opts, request: Request, key: IdempotencyKey
) -> Response:
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=None,
        use_case=lambda u: app.resend_delivery(u, options, principal, delivery_id),
        out=DeliveryOut.of,
    )

"""Webhook subscriptions of an organisation, its deliveries with every attempt, and re-sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.deliveries import Attempt, Channel, Delivery, resend
from forlob_notifications.domain.webhooks import Subscription, new_secret, validate_event_types, validate_url
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.http.auth import Principal

ADMIN_ROLES = ("admin",)


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_types: list[str]
    description: str = ""


async def create_subscription(
    uow: NotificationsUnit, options: Options, owner: Principal, command: NewSubscription
) -> Subscription:
    owner.require(*ADMIN_ROLES)
    subscription = Subscription(
        id=uuid4(),
        org=owner.org,
        url=validate_url(command.url, require_https=options.require_https),
        event_types=validate_event_types(command.event_types),
        secret=new_secret(),
        owner_staff_id=owner.staff_id,
        created_at=uow.clock.now(),
        description=command.description,
    )
    async with uow:
        await uow.subscriptions.add(subscription)
        await uow.commit(subscription)
    return subscription


async def list_subscriptions(uow: NotificationsUnit, viewer: Principal) -> list[Subscription]:
    viewer.require(*ADMIN_ROLES)
    async with uow:
        return await uow.subscriptions.of_org(viewer.org)


async def get_subscription(uow: NotificationsUnit, viewer: Principal, subscription_id: UUID) -> Subscription:
    viewer.require(*ADMIN_ROLES)
    async with uow:
        found = await uow.subscriptions.get(subscription_id, viewer.org)
    if found is None:
        raise NotFound(f"no subscription {subscription_id}")
    return found


@dataclass(frozen=True)
class SubscriptionChange:
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None
    rotate_secret: bool = False


async def change_subscription(
    uow: NotificationsUnit, options: Options, editor: Principal, subscription_id: UUID, change: SubscriptionChange
) -> Subscription:
    editor.require(*ADMIN_ROLES)
    async with uow:
        subscription = await uow.subscriptions.get(subscription_id, editor.org)
        if subscription is None:
            raise NotFound(f"no subscription {subscription_id}")
        if change.url is not None:
            subscription.url = validate_url(change.url, require_https=options.require_https)
        if change.event_types is not None:
            subscription.event_types = validate_event_types(change.event_types)
        if change.description is not None:
            subscription.description = change.description
        if change.enabled is True:
            subscription.enable()
        elif change.enabled is False:
            subscription.disable(f"disabled by {editor.staff_id}", uow.clock.now())
        now = uow.clock.now()
        subscription.drop_expired_secret(now)
        if change.rotate_secret:
            subscription.rotate_secret(now, options.secret_overlap)
        await uow.subscriptions.save(subscription)
        await uow.commit()
    return subscription


async def rotate_secret(
    uow: NotificationsUnit, options: Options, editor: Principal, subscription_id: UUID
) -> Subscription:
    """A new signing secret (returned once, to the caller); the old one keeps signing alongside
    it for ``options.secret_overlap`` so the partner can switch without missing a call."""
    editor.require(*ADMIN_ROLES)
    async with uow:
        subscription = await uow.subscriptions.get(subscription_id, editor.org)
        if subscription is None:
            raise NotFound(f"no subscription {subscription_id}")
        subscription.rotate_secret(uow.clock.now(), options.secret_overlap)
        await uow.subscriptions.save(subscription)
        await uow.commit(subscription)
    return subscription


async def drop_expired_secrets(uow: NotificationsUnit, now: datetime) -> int:
    """Forget the secrets whose overlap has ended (they sign nothing any more): how many."""
    async with uow:
        dropped = await uow.subscriptions.drop_expired_secrets(now)
        await uow.commit()
    return dropped


async def delete_subscription(uow: NotificationsUnit, editor: Principal, subscription_id: UUID) -> None:
    """Deleting keeps its deliveries and attempts (history); pending ones then fail for good."""
    editor.require(*ADMIN_ROLES)
    async with uow:
        if await uow.subscriptions.get(subscription_id, editor.org) is None:
            raise NotFound(f"no subscription {subscription_id}")
        await uow.subscriptions.delete(subscription_id)
        uow.wake_dispatcher()
        await uow.commit()


@dataclass(frozen=True)
class DeliveryView:
    delivery: Delivery
    attempts: list[Attempt]


async def list_deliveries(
    uow: NotificationsUnit,
    viewer: Principal,
    *,
    channel: str | None,
    subscription_id: UUID | None,
    state: str | None,
    limit: int,
) -> list[DeliveryView]:
    if channel is not None and channel not in {c.value for c in Channel}:
        raise InvalidInput(f"unknown channel {channel!r}", field="channel")
    async with uow:
        if subscription_id is not None and await uow.subscriptions.get(subscription_id, viewer.org) is None:
            raise NotFound(f"no subscription {subscription_id}")
        found = await uow.deliveries.search(
            viewer.org,
            channel=Channel.WEBHOOK.value if subscription_id else channel,
            recipient=str(subscription_id) if subscription_id else None,
            state=state,
            limit=limit,
        )
        attempts = await uow.deliveries.attempts([d.id for d in found])
    return [DeliveryView(d, attempts[d.id]) for d in found]


async def get_delivery(uow: NotificationsUnit, viewer: Principal, delivery_id: UUID) -> DeliveryView:
    async with uow:
        delivery = await uow.deliveries.get(delivery_id, viewer.org)
        if delivery is None:
            raise NotFound(f"no delivery {delivery_id}")
        attempts = await uow.deliveries.attempts([delivery.id])
    return DeliveryView(delivery, attempts[delivery.id])


async def resend_delivery(
    uow: NotificationsUnit, options: Options, editor: Principal, delivery_id: UUID
) -> DeliveryView:
    """Send a delivery again by hand, with the same id (the receiver's idempotency key)."""
    editor.require(*ADMIN_ROLES)
    async with uow:
        delivery = await uow.deliveries.get(delivery_id, editor.org, for_update=True)
        if delivery is None:
            raise NotFound(f"no delivery {delivery_id}")
        if delivery.channel is Channel.WEBHOOK:
            subscription = await uow.subscriptions.get(UUID(delivery.recipient), editor.org)
            if subscription is None:
                raise NotFound(f"the subscription of delivery {delivery_id} was deleted")
            subscription.require_enabled()
        resend(delivery, uow.clock.now(), options.retry_window)
        await uow.deliveries.save(delivery)
        uow.wake_dispatcher()
        # The attempts so far (a resend adds none until the dispatcher sends): read before the
        # commit, which stores the answer with the request's Idempotency-Key.
        view = DeliveryView(delivery, (await uow.deliveries.attempts([delivery.id]))[delivery.id])
        await uow.commit(view)
    return view

"""The notification policy per legal basis: the provider's own table over the Danish defaults."""

from __future__ import annotations

from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.policy import DANISH_DEFAULTS, NotificationPolicy, effective
from forlob_shared.http.auth import Principal

POLICY_ROLES = ("admin", "coordinator")


async def list_policies(uow: NotificationsUnit, viewer: Principal) -> list[NotificationPolicy]:
    async with uow:
        own = await uow.policies.own(viewer.org)
    bases = sorted(set(DANISH_DEFAULTS) | set(own))
    return [effective(basis, own) for basis in bases]


async def get_policy(uow: NotificationsUnit, viewer: Principal, legal_basis: str) -> NotificationPolicy:
    async with uow:
        own = await uow.policies.own(viewer.org)
    return effective(legal_basis, own)


async def put_policy(uow: NotificationsUnit, editor: Principal, policy: NotificationPolicy) -> NotificationPolicy:
    editor.require(*POLICY_ROLES)
    async with uow:
        await uow.policies.put(editor.org, policy, editor.staff_id, uow.clock.now())
        await uow.commit()
    return NotificationPolicy(
        policy.legal_basis, policy.notify_within_working_minutes, policy.recipients, policy.notice_text, False
    )


async def reset_policy(uow: NotificationsUnit, editor: Principal, legal_basis: str) -> NotificationPolicy:
    """Drop the provider's own policy for a basis: the default applies again."""
    editor.require(*POLICY_ROLES)
    async with uow:
        await uow.policies.delete(editor.org, legal_basis)
        await uow.commit()
        own = await uow.policies.own(editor.org)
    return effective(legal_basis, own)

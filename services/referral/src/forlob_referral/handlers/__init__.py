"""What the referral service takes from the other services' events: who works where, from the
notifications service's staff directory (``staff.changed``), to check a follow-up talk's staff;
and the text messages other services ask it to send (``sms.requested``: it alone has the numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_referral.application.record import record_staff_change
from forlob_referral.application.sms_sending import record_request
from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_shared.events import Envelope, EventData, StaffChanged
from forlob_shared.events.sms import SmsRequested
from forlob_shared.messaging.consumer import Handler, Subscription


def subscriptions(parts: object) -> Sequence[Subscription[ReferralUnitOfWork]]:
    async def on_staff_changed(envelope: Envelope[Any], uow: ReferralUnitOfWork) -> None:
        await record_staff_change(uow, envelope.data)

    async def on_sms_requested(envelope: Envelope[Any], uow: ReferralUnitOfWork) -> None:
        await record_request(uow, envelope.data)

    handlers: dict[type[EventData], Handler[ReferralUnitOfWork]] = {StaffChanged: on_staff_changed}
    sms: dict[type[EventData], Handler[ReferralUnitOfWork]] = {SmsRequested: on_sms_requested}
    return [
        Subscription(
            purpose="staff",
            handlers=handlers,
            description="Who works at each organisation (ids, roles, active), from the staff directory.",
        ),
        Subscription(
            purpose="sms",
            handlers=sms,
            description="Text messages to participants asked for by template (sent here, where the numbers are).",
        ),
    ]

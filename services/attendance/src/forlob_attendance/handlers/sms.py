"""The referral service's sms.* events: consent to text messages, and the participants' coded replies."""

from __future__ import annotations

from typing import Any

from forlob_attendance.application.sms import record_consent, take_reply
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.erasure import skipping_erased
from forlob_shared.events import Envelope, EventData, SmsConsentChanged, SmsReplied
from forlob_shared.messaging.consumer import Handler, Subscription


def subscriptions() -> list[Subscription[AttendanceUnitOfWork]]:
    async def on_consent_changed(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await record_consent(uow, envelope.data)

    async def on_replied(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await take_reply(uow, envelope.data)

    handlers: dict[type[EventData], Handler[AttendanceUnitOfWork]] = {
        SmsConsentChanged: on_consent_changed,
        SmsReplied: on_replied,
    }
    return [
        skipping_erased(
            Subscription(
                purpose="sms",
                handlers=handlers,
                description="Who takes text messages (no number: referral keeps it), and participants' coded "
                "replies to the questions about an absence, as contact attempts and reasons.",
            )
        )
    ]

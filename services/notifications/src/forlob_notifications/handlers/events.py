"""Events in: each handler hands its event to an application function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from forlob_notifications.application import alerts, directory, partner_events
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.wiring import Wiring
from forlob_shared.events import (
    AbsenceDetected,
    AbsenceResolved,
    AgreementBreached,
    AgreementChanged,
    ContactRecorded,
    EventData,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)
from forlob_shared.events.envelope import Envelope
from forlob_shared.messaging.consumer import Subscription

Handler = Callable[[Envelope[Any], NotificationsUnitOfWork], Awaitable[None]]


def subscriptions(wiring: Wiring) -> list[Subscription[NotificationsUnitOfWork]]:
    async def absence_detected(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_absence_detected(uow, wiring.options, envelope.data, envelope.id)

    async def absence_resolved(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_absence_resolved(uow, envelope.data)

    async def contact_recorded(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_contact_recorded(uow, envelope.data)

    async def agreement_breached(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_agreement_breached(uow, wiring.options, envelope.data, envelope.id)

    async def programme_ended(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_programme_ended(uow, wiring.options, envelope.data, envelope.id)

    async def programme_started(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_programme_started(uow, envelope.data)
        # In the same transaction: alerts that overtook the start go to the people it names.
        await alerts.assign_waiting_alerts(uow, wiring.options, envelope.data)
        await uow.commit()

    async def agreement_changed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await directory.record_agreement_changed(uow, envelope.data)

    async def referral_received(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referral_received(uow, envelope.data)

    async def referral_closed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referral_closed(uow, envelope.data)

    async def forward_only(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await uow.commit()

    # One queue; lanes by subject handle different aggregates (absences, courses) concurrently
    # and each one's events in order (an absence's detection before its resolution).
    handlers: dict[type[EventData], Handler] = {
        ReferralReceived: referral_received,
        ReferralRejected: referral_closed,
        ReferralWithdrawn: referral_closed,
        ProgrammeStarted: programme_started,
        AgreementChanged: agreement_changed,
        AbsenceDetected: absence_detected,
        AbsenceResolved: absence_resolved,
        ContactRecorded: contact_recorded,
        AgreementBreached: agreement_breached,
        ProgrammeEnded: programme_ended,
        ReferralAccepted: forward_only,
        ReferralWaitlisted: forward_only,
        SeatOffered: forward_only,
        ProgrammeRescheduled: forward_only,
    }
    return [
        Subscription(
            purpose="alerts",
            handlers=handlers,
            lanes=2,  # more make smaller batches, and the work is CPU-bound (bench/pipeline.py)
            description="Keeps who is whose contact person and caseworker, and turns absences, breaches "
            "and course ends into alerts and deliveries.",
        )
    ]

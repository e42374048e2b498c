"""Events in: each handler hands its event to an application function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from forlob_notifications.application import alerts, directory, messages, partner_events
from forlob_notifications.db import calendars
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.partners import notices as partner_notices
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
    ProviderCalendarChanged,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)
from forlob_shared.events.envelope import Envelope
from forlob_shared.events.referral import MessagePosted
from forlob_shared.messaging.consumer import Subscription

Handler = Callable[[Envelope[Any], NotificationsUnitOfWork], Awaitable[None]]


# Events that only forward to partners and write the directory: a batch takes them together.
TOGETHER: frozenset[type[EventData]] = frozenset(
    {ReferralReceived, ProgrammeStarted, ReferralAccepted, ReferralWaitlisted, SeatOffered, ProgrammeRescheduled}
)


def subscriptions(wiring: Wiring) -> list[Subscription[NotificationsUnitOfWork]]:
    async def absence_detected(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_absence_detected(uow, wiring.options, envelope.data, envelope.id)

    async def absence_resolved(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_notices.on_absence_resolved(uow, wiring.options, envelope.data)
        await alerts.on_absence_resolved(uow, wiring.options, envelope.data)

    async def contact_recorded(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_notices.on_contact_recorded(uow, wiring.options, envelope.data)
        await alerts.on_contact_recorded(uow, envelope.data)

    async def agreement_breached(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await alerts.on_agreement_breached(uow, wiring.options, envelope.data, envelope.id)

    async def programme_ended(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await alerts.on_programme_ended(uow, wiring.options, envelope.data, envelope.id)

    async def programme_started(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_programme_started(uow, envelope.data)
        # In the same transaction: alerts that overtook the start go to the people it names.
        await alerts.assign_waiting_alerts(uow, wiring.options, envelope.data)

    async def agreement_changed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)  # committed below
        await directory.record_agreement_changed(uow, envelope.data)

    async def referral_received(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referral_received(uow, envelope.data)

    async def referral_closed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referral_closed(uow, envelope.data)

    async def forward_only(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)

    async def message_posted(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await messages.on_message_posted(uow, wiring.options, envelope.data)

    async def provider_calendar_changed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await calendars.record(uow.session, envelope.data)

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
        ProviderCalendarChanged: provider_calendar_changed,
        MessagePosted: message_posted,
    }

    async def together(group: list[Envelope[Any]], uow: NotificationsUnitOfWork) -> None:
        """Directory events of different courses, in a row: each forwarded as alone, the directory
        written and waiting alerts handed over with a statement or two for all of them."""
        for envelope in group:
            await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referrals_received(uow, [e.data for e in group if isinstance(e.data, ReferralReceived)])
        starts = [e.data for e in group if isinstance(e.data, ProgrammeStarted)]
        if starts:
            await directory.record_programmes_started(uow, starts)
            await alerts.assign_waiting_alerts_of(uow, wiring.options, starts)

    async def on_batch(envelopes: Sequence[Envelope[Any]], uow: NotificationsUnitOfWork) -> None:
        """A consumer's batch: directory events in a row go together (a group writes all its
        referrals, then all its starts, so a course's start may follow its referral in a group,
        but a second referral or start of one course begins the next group); anything else in
        between, in its turn, by its own handler."""
        group: list[Envelope[Any]] = []
        written: set[tuple[Any, type[EventData]]] = set()  # (course, referral or start) in the group
        for envelope in envelopes:
            kind, course = type(envelope.data), getattr(envelope.data, "referral_id", None)
            grouped = kind in TOGETHER
            breaks = (course, kind) in written or (kind is ReferralReceived and (course, ProgrammeStarted) in written)
            if group and (not grouped or breaks):
                await together(group, uow)
                group, written = [], set()
            if not grouped:
                await handlers[kind](envelope, uow)
                continue
            group.append(envelope)
            if kind in (ReferralReceived, ProgrammeStarted):
                written.add((course, kind))
        if group:
            await together(group, uow)

    return [
        Subscription(
            purpose="alerts",
            handlers=handlers,
            batches=dict.fromkeys(TOGETHER, on_batch),
            lanes=2,  # more make smaller batches, and the work is CPU-bound (bench/pipeline.py)
            description="Keeps who is whose contact person and caseworker, and turns absences, breaches "
            "and course ends into alerts and deliveries.",
        )
    ]

"""Events in: each handler hands its event to an application function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from forlob_notifications.application import alerts, directory, messages, partner_events, reminders, sms_replies
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.partners import notices as partner_notices
from forlob_notifications.wiring import Wiring
from forlob_shared.erasure import skipping_erased
from forlob_shared.events import (
    AbsenceDetected,
    AbsenceResolved,
    AgreementBreached,
    AgreementChanged,
    ClarificationResult,
    ContactRecorded,
    CourseReferredOn,
    EventData,
    JobEnded,
    JobStarted,
    MeetingCadenceOverdue,
    MeetingPlanned,
    NextStepDeclined,
    NextStepProposed,
    NextStepWithdrawn,
    OutreachContactAttempted,
    OutreachContactOverdue,
    PhaseChanged,
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
    SmsReplied,
)
from forlob_shared.events.envelope import Envelope
from forlob_shared.events.referral import MessagePosted
from forlob_shared.messaging.consumer import Subscription

Handler = Callable[[Envelope[Any], NotificationsUnitOfWork], Awaitable[None]]


# Events that only forward to partners and write the directory: a batch takes them together.
TOGETHER: frozenset[type[EventData]] = frozenset(
    {ReferralReceived, ProgrammeStarted, ReferralAccepted, ReferralWaitlisted, SeatOffered, ProgrammeRescheduled}
)


def writable_groups(envelopes: Sequence[Envelope[Any]]) -> list[list[Envelope[Any]]]:
    """``envelopes`` cut where a group would write one course's referral or start twice, or its
    referral after its start (a group writes all its referrals, then all its starts): a course's
    start may follow its referral in a group; its second referral or start begins the next."""
    groups: list[list[Envelope[Any]]] = [[]]
    written: set[tuple[Any, type[EventData]]] = set()
    for envelope in envelopes:
        kind = type(envelope.data)
        if kind is ReferralReceived or kind is ProgrammeStarted:
            course = envelope.data.referral_id
            if (course, kind) in written or (kind is ReferralReceived and (course, ProgrammeStarted) in written):
                groups.append([])
                written = set()
            written.add((course, kind))
        groups[-1].append(envelope)
    return [group for group in groups if group]


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

    async def agreement_changed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_agreement_changed(uow, envelope.data)

    async def referral_closed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)
        await directory.record_referral_closed(uow, envelope.data)

    async def course_result(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        """Work or education, the support phase, a clarification's result, the next step: the jobcentre's news only."""
        await partner_events.forward_to_referring_org(uow, wiring.options, envelope)

    async def message_posted(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await messages.on_message_posted(uow, wiring.options, envelope.data)

    async def provider_calendar_changed(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await uow.calendars.record(envelope.data)

    async def cadence_overdue(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await reminders.on_cadence_overdue(uow, wiring.options, envelope.data, envelope.id)

    async def meeting_planned(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await reminders.on_meeting_planned(uow, envelope.data)

    async def contact_overdue(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await reminders.on_contact_overdue(uow, wiring.options, envelope.data, envelope.id)

    async def contact_attempted(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        await reminders.on_contact_attempted(uow, envelope.data)

    async def sms_replied(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        """A participant's coded reply: the provider's staff only, never a partner."""
        await sms_replies.on_sms_replied(uow, wiring.options, envelope.data, envelope.id)

    async def together(group: Sequence[Envelope[Any]], uow: NotificationsUnitOfWork) -> None:
        """Directory events that write each course at most once: each forwarded as alone, then the
        directory written and waiting alerts handed over with a statement or two for all of them."""
        await partner_events.forward_many(uow, wiring.options, group)
        await directory.record_referrals_received(uow, [e.data for e in group if isinstance(e.data, ReferralReceived)])
        starts = [e.data for e in group if isinstance(e.data, ProgrammeStarted)]
        if starts:
            await directory.record_programmes_started(uow, starts)
            # In the same transaction: alerts that overtook the starts go to the people they name.
            await alerts.assign_waiting_alerts_of(uow, wiring.options, starts)

    async def directory_events(envelopes: Sequence[Envelope[Any]], uow: NotificationsUnitOfWork) -> None:
        """A run of the directory's events (the consumer hands this function nothing else), in
        groups that :func:`together` can write at once."""
        for group in writable_groups(envelopes):
            await together(group, uow)

    async def directory_event(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
        """One directory event alone: a run of one, so the rule is the batch's."""
        await directory_events([envelope], uow)

    # One queue; lanes by partition key (the course) run different courses concurrently
    # and each course's events in order (its start before its absences, a detection before its resolution).
    handlers: dict[type[EventData], Handler] = {
        ReferralReceived: directory_event,
        ReferralRejected: referral_closed,
        ReferralWithdrawn: referral_closed,
        ProgrammeStarted: directory_event,
        AgreementChanged: agreement_changed,
        AbsenceDetected: absence_detected,
        AbsenceResolved: absence_resolved,
        ContactRecorded: contact_recorded,
        AgreementBreached: agreement_breached,
        ProgrammeEnded: programme_ended,
        ReferralAccepted: directory_event,
        ReferralWaitlisted: directory_event,
        SeatOffered: directory_event,
        ProgrammeRescheduled: directory_event,
        ProviderCalendarChanged: provider_calendar_changed,
        JobStarted: course_result,
        JobEnded: course_result,
        PhaseChanged: course_result,
        ClarificationResult: course_result,
        CourseReferredOn: course_result,
        NextStepProposed: course_result,
        NextStepWithdrawn: course_result,
        NextStepDeclined: course_result,
        MessagePosted: message_posted,
        # The shapes without a timetable: reminders to the provider's own staff, never to partners.
        # (A missed meeting is absence.detected.v1 with its meeting_id; a cancelled one raises nothing.)
        MeetingCadenceOverdue: cadence_overdue,
        MeetingPlanned: meeting_planned,
        OutreachContactOverdue: contact_overdue,
        OutreachContactAttempted: contact_attempted,
        # A reply by text: a task to call, or a note on the absence's alert (its facts come from attendance).
        SmsReplied: sms_replied,
    }

    # An event about an erased participant (late, redelivered, replayed from the dead letters)
    # raises no alert, sends nothing and forwards nothing: what it would write, the erasure deleted.
    return [
        skipping_erased(
            Subscription(
                purpose="alerts",
                handlers=handlers,
                batches=dict.fromkeys(TOGETHER, directory_events),
                lanes=2,  # more make smaller batches, and the work is CPU-bound (bench/pipeline.py)
                description="Keeps who is whose contact person and caseworker, and turns absences (missed "
                "windows and meetings), breaches, course ends, overdue meeting cadences and overdue outreach "
                "contacts into alerts and deliveries, and replies by text that ask for a call into tasks; tells "
                "each referring organisation its referrals' milestones and results in the partner contract.",
            )
        )
    ]

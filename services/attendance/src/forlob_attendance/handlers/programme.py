"""The referral service's programme.* events: each hands its event to an application function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_attendance.application.courses import (
    CoursePolicy,
    change_agreement,
    end_course,
    reschedule_course,
    start_course,
    start_courses,
)
from forlob_attendance.application.internships import record_employer
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.erasure import skipping_erased
from forlob_shared.events import (
    AgreementChanged,
    Envelope,
    EventData,
    ParticipantErased,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
)
from forlob_shared.events.employment import EmployerRegistered
from forlob_shared.messaging.consumer import Handler, Subscription


def subscriptions(policy: CoursePolicy) -> list[Subscription[AttendanceUnitOfWork]]:
    """``policy``: from the service's settings, built with its runtime."""

    async def on_started(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await start_course(uow, envelope.data, policy, envelope.traceparent)

    async def on_agreement_changed(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await change_agreement(uow, envelope.data, policy)

    async def on_rescheduled(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await reschedule_course(uow, envelope.data, policy)

    async def on_ended(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await end_course(uow, envelope.data)

    async def on_erased(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        # GDPR Art. 17: the referral service decided the legal holds; nothing here is kept, and
        # the register makes a late event about the participant write nothing (skipping_erased).
        await uow.erasures.record(envelope.data)
        await uow.dpo.erase(envelope.data.provider_org, envelope.data.participant_id)

    handlers: dict[type[EventData], Handler[AttendanceUnitOfWork]] = {
        ProgrammeStarted: on_started,
        AgreementChanged: on_agreement_changed,
        ProgrammeRescheduled: on_rescheduled,
        ProgrammeEnded: on_ended,
        ParticipantErased: on_erased,
    }

    async def on_starts(envelopes: Sequence[Envelope[Any]], uow: AttendanceUnitOfWork) -> None:
        await start_courses(uow, [e.data for e in envelopes], policy, [e.traceparent for e in envelopes])

    async def on_employer(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await record_employer(uow, envelope.data)

    employers = Subscription[AttendanceUnitOfWork](
        purpose="employers",
        handlers={EmployerRegistered: on_employer},
        description="The ids of the employers in each provider's register: an internship day names one.",
    )
    return [
        employers,
        skipping_erased(
            Subscription(
                purpose="programme",
                handlers=handlers,
                batches={ProgrammeStarted: on_starts},  # starts in a row: three statements for all
                description="Courses, agreed schedules and expected attendance from the referral service.",
                # Two lanes by course: one applies its batch while the other waits on the database.
                # More lanes make smaller batches, and the work is CPU-bound (bench/pipeline.py).
                lanes=2,
            )
        ),
    ]

"""The referral service's programme.* events: each hands its event to an application function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forlob_attendance.application.courses import (
    CoursePolicy,
    change_agreement,
    end_course,
    reschedule_course,
    start_course,
)
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.events import AgreementChanged, Envelope, ProgrammeEnded, ProgrammeRescheduled, ProgrammeStarted
from forlob_shared.messaging.consumer import Subscription


def subscriptions(policy: Callable[[], CoursePolicy]) -> list[Subscription[AttendanceUnitOfWork]]:
    """``policy`` gives the running service's settings when an event arrives."""

    async def on_started(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await start_course(uow, envelope.data, policy())

    async def on_agreement_changed(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await change_agreement(uow, envelope.data, policy())

    async def on_rescheduled(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await reschedule_course(uow, envelope.data, policy())

    async def on_ended(envelope: Envelope[Any], uow: AttendanceUnitOfWork) -> None:
        await end_course(uow, envelope.data)

    return [
        Subscription(
            purpose="programme",
            handlers={
                ProgrammeStarted: on_started,
                AgreementChanged: on_agreement_changed,
                ProgrammeRescheduled: on_rescheduled,
                ProgrammeEnded: on_ended,
            },
            description="Courses, agreed schedules and expected attendance from the referral service.",
            # Two lanes by course: one applies its batch while the other waits on the database.
            # More lanes make smaller batches, and the work is CPU-bound (bench/pipeline.py).
            lanes=2,
        )
    ]

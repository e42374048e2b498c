"""The notifications service's rules over its in-memory storage, with a manual clock: the
world of its fast use-case tests (services/notifications/tests/unit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from uuid import UUID, uuid4

from forlob_notifications.application import alerts, directory, reminders, visits
from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.sweep import SweepResult, run_due_rules
from forlob_notifications.domain.alerts import Alert
from forlob_notifications.domain.deliveries import Delivery
from forlob_notifications.domain.directory import StaffMember
from forlob_notifications.domain.visits import Visit
from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    AbsenceDetected,
    AgreementBreached,
    AttendanceRules,
    MeetingCadenceOverdue,
    MeetingPlace,
    MeetingPlanned,
    Outcome,
    OutreachContactAttempted,
    OutreachContactOverdue,
    ProgrammeEnded,
    ProgrammeStarted,
    TimeWindow,
)
from forlob_shared.events.outreach import ContactChannel, ContactOutcome, ContactPlace
from forlob_shared.events.visits import VisitKind
from forlob_shared.http.auth import Principal
from forlob_shared.working_time import Window
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.notifications import FakeNotificationsUnitOfWork

PROVIDER = "rca-aalborg"
JOBCENTRE = "jobcenter-aalborg"
# Monday 23 November 2026, 09:00 in Copenhagen (UTC+1): a working day.
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
OPTIONS = Options(web_url="https://forlob.example", api_url="https://api.forlob.example")
OFFICE_HOURS = [Window(d, clock_time(8), clock_time(16)) for d in range(5)]

UowFactory = Callable[[], NotificationsUnit]


@dataclass
class Course:
    referral_id: UUID = field(default_factory=uuid4)
    participant_id: UUID = field(default_factory=uuid4)


@dataclass
class Notifications:
    """The notifications service's rules over in-memory storage, with a manual clock."""

    clock: ManualClock
    store: FakeStore = field(default_factory=FakeStore)
    options: Options = OPTIONS

    def uow(self) -> FakeNotificationsUnitOfWork:
        return FakeNotificationsUnitOfWork(self.store, self.clock)

    @property
    def published(self) -> list[Any]:
        """The data of every event committed to the outbox, oldest first."""
        return [event.data for event in self.store.published]

    def published_of(self, kind: type) -> list[Any]:
        return [data for data in self.published if isinstance(data, kind)]

    @property
    def inbox_notices(self) -> list[dict[str, str]]:
        return self.uow().inbox_notices

    async def put_staff(
        self, staff_id: str, *, org: str = PROVIDER, role: str = "contact_person", **values: Any
    ) -> StaffMember:
        values.setdefault("email", f"{staff_id}@example.org")
        values.setdefault("working_hours", OFFICE_HOURS)
        member = StaffMember(org=org, staff_id=staff_id, role=role, **values)
        async with self.uow() as uow:
            await uow.staff.upsert(member, self.clock.now())
            await uow.commit()
        return member

    async def staff_the_provider(self) -> None:
        """The contact person (kp-1, team leader tl-1), the team leader and the caseworker (cw-1)."""
        await self.put_staff("kp-1", team_leader_id="tl-1")
        await self.put_staff("tl-1", role="team_leader")
        await self.put_staff("cw-1", org=JOBCENTRE, role="caseworker")

    def of_course(self, course: Course) -> dict[str, Any]:
        return {
            "referral_id": course.referral_id,
            "participant_id": course.participant_id,
            "programme_code": "RCA-UDV-13",
            "referring_org": JOBCENTRE,
            "provider_org": PROVIDER,
        }

    def programme_started(self, course: Course, **changes: Any) -> ProgrammeStarted:
        values: dict[str, Any] = {
            **self.of_course(course),
            "start_date": date(2026, 11, 23),
            "planned_end_date": date(2027, 2, 22),
            "schedule": [TimeWindow(weekday=d, start=clock_time(7, 30), end=clock_time(14, 30)) for d in range(4)],
            "opening_hours": [TimeWindow(weekday=d, start=clock_time(7, 30), end=clock_time(14, 30)) for d in range(5)],
            "timezone": "Europe/Copenhagen",
            "country": "DK",
            "contact_person_id": "kp-1",
            "team_leader_id": "tl-1",
            "caseworker_id": "cw-1",
            "legal_basis": "LAB-32-1-2",
            "rules": AttendanceRules(escalation_minutes=changes.pop("escalation_minutes", 30)),
            "started_at": self.clock.now(),
        }
        values.update(changes)
        return ProgrammeStarted(**values)

    async def start_course(self, course: Course | None = None, **changes: Any) -> Course:
        """The course's start as the consumer applies it: the directory, then waiting alerts."""
        course = course or Course()
        started = self.programme_started(course, **changes)
        async with self.uow() as uow:
            await directory.record_programme_started(uow, started)
            await alerts.assign_waiting_alerts(uow, self.options, started)
            await uow.commit()
        return course

    def absence(
        self,
        course: Course,
        *,
        expected_at: datetime | None = None,
        absence_id: UUID | None = None,
        window: timedelta | None = timedelta(hours=4),
    ) -> AbsenceDetected:
        expected = expected_at or self.clock.now() - timedelta(minutes=15)
        return AbsenceDetected(
            **self.of_course(course),
            absence_id=absence_id or uuid4(),
            day=expected.date(),
            expected_at=expected,
            expected_end=expected + window if window is not None else None,
            detected_at=self.clock.now(),
        )

    async def detect(self, absence: AbsenceDetected, event_id: UUID | None = None) -> Alert | None:
        async with self.uow() as uow:
            await alerts.on_absence_detected(uow, self.options, absence, event_id or uuid4())
            await uow.commit()
        return await self.alert_for(f"absence:{absence.absence_id}")

    def breach(self, course: Course, breach_id: UUID | None = None) -> AgreementBreached:
        return AgreementBreached(
            **self.of_course(course),
            breach_id=breach_id or uuid4(),
            rule="max_unexcused_absences",
            unexcused_absences=3,
            window_first_day=date(2026, 11, 2),
            window_last_day=date(2026, 11, 22),
            absence_ids=[uuid4(), uuid4(), uuid4()],
            detected_at=self.clock.now(),
        )

    def ended(self, course: Course, end_date: date) -> ProgrammeEnded:
        return ProgrammeEnded(
            **self.of_course(course),
            start_date=date(2026, 11, 23),
            end_date=end_date,
            outcome=Outcome.ORDINARY_EMPLOYMENT,
            ended_at=self.clock.now(),
        )

    async def alert_for(self, cause_key: str) -> Alert | None:
        async with self.uow() as uow:
            return await uow.alerts.by_cause(cause_key)

    async def deliveries_of(self, alert: Alert) -> list[Delivery]:
        async with self.uow() as uow:
            return await uow.deliveries.for_alert(alert.id)

    async def sweep(self, at: datetime | None = None) -> SweepResult:
        if at is not None:
            self.clock.set(at)
        return await run_due_rules(self.uow, self.options, self.clock.now())

    # -- the shapes without a timetable: meetings, outreach, visits ---------------------------

    def missed_meeting(self, course: Course, meeting_id: UUID | None = None) -> AbsenceDetected:
        """A planned meeting not attended: an absence with its meeting (a one-hour meeting)."""
        absence = self.absence(course, window=timedelta(hours=1))
        return absence.model_copy(update={"meeting_id": meeting_id or uuid4()})

    def cadence_overdue(self, course: Course, due_by: date = date(2026, 11, 20)) -> MeetingCadenceOverdue:
        return MeetingCadenceOverdue(
            **self.of_course(course),
            last_meeting_day=due_by - timedelta(days=7),
            max_days_between=7,
            due_by=due_by,
            detected_at=self.clock.now(),
        )

    def meeting_planned(self, course: Course, days_ahead: int = 2) -> MeetingPlanned:
        starts = self.clock.now() + timedelta(days=days_ahead)
        return MeetingPlanned(
            **self.of_course(course),
            meeting_id=uuid4(),
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place=MeetingPlace.PROVIDER,
            staff_id="kp-1",
            planned_at=self.clock.now(),
        )

    def contact_overdue(
        self, case_id: UUID, staff_id: str = "ow-1", due_by: date = date(2026, 11, 20)
    ) -> OutreachContactOverdue:
        return OutreachContactOverdue(
            case_id=case_id,
            provider_org=PROVIDER,
            programme_code="OUTREACH",
            staff_id=staff_id,
            due_by=due_by,
            detected_at=self.clock.now(),
        )

    def contact_attempted(self, case_id: UUID, staff_id: str = "ow-1") -> OutreachContactAttempted:
        return OutreachContactAttempted(
            case_id=case_id,
            provider_org=PROVIDER,
            programme_code="OUTREACH",
            attempt_id=uuid4(),
            place=ContactPlace.STREET,
            channel=ContactChannel.IN_PERSON,
            outcome=ContactOutcome.BRIEF_CONTACT,
            staff_id=staff_id,
            attempted_at=self.clock.now(),
        )

    async def apply(self, event: Any, event_id: UUID | None = None) -> None:
        """One of the shapes' events as the consumer applies it (its own transaction)."""
        async with self.uow() as uow:
            match event:
                case MeetingCadenceOverdue():
                    await reminders.on_cadence_overdue(uow, self.options, event, event_id or uuid4())
                case MeetingPlanned():
                    await reminders.on_meeting_planned(uow, event)
                case OutreachContactOverdue():
                    await reminders.on_contact_overdue(uow, self.options, event, event_id or uuid4())
                case OutreachContactAttempted():
                    await reminders.on_contact_attempted(uow, event)
                case AbsenceDetected():
                    await alerts.on_absence_detected(uow, self.options, event, event_id or uuid4())
                case _:
                    raise TypeError(f"no rule for {type(event).__name__}")
            await uow.commit()

    @staticmethod
    def person(staff_id: str, *roles: str, org: str = PROVIDER) -> Principal:
        return Principal(staff_id=staff_id, org=org, roles=frozenset(roles or ("contact_person",)))

    async def start_visit(
        self,
        staff_id: str = "kp-1",
        *,
        minutes: int = 60,
        colleague_id: str | None = None,
        kind: VisitKind = VisitKind.HOME,
        org: str = PROVIDER,
    ) -> Visit:
        plan = visits.VisitPlan(
            kind=kind, planned_end=self.clock.now() + timedelta(minutes=minutes), colleague_id=colleague_id
        )
        return await visits.start(self.uow(), self.options, self.person(staff_id, org=org), plan)

    async def end_visit(self, visit: Visit, by: Principal | None = None) -> Visit:
        return await visits.end(self.uow(), by or self.person(visit.staff_id, org=visit.org), visit.id)

    async def alerts_of(self, org: str = PROVIDER, kind: str | None = None) -> list[Alert]:
        async with self.uow() as uow:
            return await uow.alerts.inbox(org, None, states=None, kinds=[kind] if kind else None, since=None, limit=100)

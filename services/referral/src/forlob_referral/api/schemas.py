"""Request and response bodies of the referral API (apart from the database models)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_referral.api.record_schemas import ClosingMeetingIn, MeetingOut
from forlob_referral.application.intake import IntakeCalendar, WaitingList, WeekFlow
from forlob_referral.application.referrals import ReferralView
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan, Goal
from forlob_referral.domain.referral import RejectReason, WithdrawReason
from forlob_shared.events.common import AttendanceRules, MeetingCadence, Outcome, ProgrammeShape, TimeWindow
from forlob_shared.http.inputs import Day

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
STAFF = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- catalogue ----------------------------------------------------------------------------------


class ProgrammeIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Individual development course"])
    kind: ProgrammeKind
    capacity: int = Field(ge=0, le=10_000, examples=[12])
    intake_weekdays: list[int] = Field(min_length=1, max_length=7, examples=[[0]], description="0 = Monday")
    default_weeks: int = Field(ge=1, le=520, examples=[13])
    min_weeks: int = Field(ge=1, le=520, examples=[4])
    max_weeks: int = Field(ge=1, le=520, examples=[26])
    opening_hours: list[TimeWindow] = Field(
        min_length=1,
        max_length=50,
        examples=[[{"weekday": d, "start": "07:30", "end": "14:30" if d < 4 else "14:00"} for d in range(5)]],
    )
    country: str = Field(pattern=r"^(DK|SE)$", examples=["DK"])
    timezone: str | None = Field(default=None, examples=["Europe/Copenhagen"], description="default: the country's")
    rules: AttendanceRules = AttendanceRules()
    shape: ProgrammeShape = Field(
        default=ProgrammeShape.TIMETABLED,
        description="timetabled (weekly attendance windows), meetings (an agreed cadence of meetings) or "
        "outreach (the team opens cases; no referrals, no courses)",
    )


class ProgrammeOut(BaseModel):
    provider_org: str
    code: str
    name: str
    kind: ProgrammeKind
    capacity: int
    intake_weekdays: list[int]
    default_weeks: int
    min_weeks: int
    max_weeks: int
    opening_hours: list[TimeWindow]
    country: str
    timezone: str
    rules: AttendanceRules
    defined_at: datetime | None
    shape: ProgrammeShape

    @classmethod
    def of(cls, p: Programme) -> ProgrammeOut:
        return cls(
            provider_org=p.provider_org,
            code=p.code,
            name=p.name,
            kind=p.kind,
            capacity=p.capacity,
            intake_weekdays=list(p.intake_weekdays),
            default_weeks=p.default_weeks,
            min_weeks=p.min_weeks,
            max_weeks=p.max_weeks,
            opening_hours=list(p.opening_hours),
            country=p.country,
            timezone=p.timezone,
            rules=p.rules,
            defined_at=p.defined_at,
            shape=p.shape,
        )


# -- referrals ----------------------------------------------------------------------------------


class ParticipantIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Jens Hansen"])
    identity_number: str = Field(
        min_length=1, max_length=20, examples=["2110625629"], description="CPR (DK) or personnummer (SE)"
    )
    identity_scheme: IdentityScheme = IdentityScheme.DK_CPR


class ReferralIn(_In):
    programme_code: str = Field(pattern=CODE, examples=["RCA-UDV-13"])
    provider_org: str = Field(pattern=CODE, examples=["rca-aalborg"])
    participant: ParticipantIn
    goals: list[Goal] = Field(default_factory=list, max_length=20)
    wished_start: Day | None = None
    wished_weekly_hours: float | None = Field(default=None, gt=0, le=60)
    legal_basis: str | None = Field(default=None, pattern=CODE, examples=["LAB-32-1-2"])
    legal_context: str | None = Field(
        default=None, pattern=CODE, examples=["active_offer"], description="e.g. active_offer, pre_revalidation"
    )


class ParticipantOut(BaseModel):
    """The participant as referrals show them: the name, never the identity number."""

    name: str
    identity_scheme: IdentityScheme


class CourseOut(BaseModel):
    start_date: date
    planned_end_date: date | None
    schedule: list[TimeWindow]
    cadence: MeetingCadence | None = None
    contact_person_id: str | None
    team_leader_id: str | None
    plan: DevelopmentPlan | None
    end_date: date | None = None
    outcome: Outcome | None = None
    first_job_date: date | None = None
    closing_meeting: MeetingOut | None = Field(
        default=None, description="the closing meeting booked in the course record (GET of one referral only)"
    )


class OutreachHistoryOut(BaseModel):
    case_id: UUID
    attempts: int = Field(description="contact attempts before the handover")
    first_contact_on: date | None = Field(description="the first attempt that reached the person")
    days_in_contact: int | None = Field(description="days from the first contact to the handover")


class ReferralOut(BaseModel):
    id: UUID
    participant_id: UUID = Field(description="pseudonymous id: the only participant reference in events")
    programme_code: str
    referring_org: str
    provider_org: str
    caseworker_id: str
    state: str
    received_at: datetime
    wished_start: date | None
    wished_weekly_hours: float | None
    legal_basis: str | None
    legal_context: str | None
    participant: ParticipantOut | None = Field(description="null once erased after the retention period")
    goals: list[Goal] | None
    decided_at: datetime | None
    intake_date: date | None
    from_waiting_list: bool
    waitlist_position: int | None
    estimated_start: date | None
    reason_code: str | None
    course: CourseOut | None
    has_closing_note: bool
    personal_data_erased_at: datetime | None
    outreach: OutreachHistoryOut | None = Field(
        default=None, description="a handover from an outreach case: the history's facts (counts and dates)"
    )

    @classmethod
    def of(cls, view: ReferralView) -> ReferralOut:
        r, personal = view.referral, view.personal
        course = None
        if r.start_date is not None:
            course = CourseOut(
                start_date=r.start_date,
                planned_end_date=r.planned_end_date,
                schedule=list(r.schedule),
                cadence=r.cadence,
                contact_person_id=r.contact_person_id,
                team_leader_id=r.team_leader_id,
                plan=personal.plan if personal else None,
                end_date=r.end_date,
                outcome=r.outcome,
                first_job_date=r.first_job_date,
                closing_meeting=MeetingOut.of(view.closing_meeting) if view.closing_meeting else None,
            )
        return cls(
            id=r.id,
            participant_id=r.participant_id,
            programme_code=r.programme_code,
            referring_org=r.referring_org,
            provider_org=r.provider_org,
            caseworker_id=r.caseworker_id,
            state=r.state.value,
            received_at=r.received_at,
            wished_start=r.wished_start,
            wished_weekly_hours=r.wished_weekly_hours,
            legal_basis=r.legal_basis,
            legal_context=r.legal_context,
            participant=ParticipantOut(name=personal.participant.name, identity_scheme=personal.participant.scheme)
            if personal
            else None,
            goals=personal.goals if personal else None,
            decided_at=r.decided_at,
            intake_date=r.intake_date,
            from_waiting_list=r.from_waiting_list,
            waitlist_position=view.waitlist_position,
            estimated_start=view.estimated_start,
            reason_code=r.reason_code,
            course=course,
            has_closing_note=bool(personal and personal.closing_note),
            personal_data_erased_at=r.personal_data_erased_at,
            outreach=OutreachHistoryOut(
                case_id=r.outreach_case_id,
                attempts=r.outreach_attempts or 0,
                first_contact_on=r.outreach_first_contact_on,
                days_in_contact=r.outreach_days_in_contact,
            )
            if r.outreach_case_id
            else None,
        )


class IdentityOut(BaseModel):
    referral_id: UUID
    name: str
    identity_scheme: IdentityScheme
    identity_number: str


# -- decisions and the course ------------------------------------------------------------------


class RejectIn(_In):
    reason_code: RejectReason


class WithdrawIn(_In):
    reason_code: WithdrawReason


class MoveIn(_In):
    position: int = Field(ge=1, description="1 = first in line")
    reason: str = Field(min_length=3, max_length=1000, examples=["urgent: risk of losing housing"])


class StartIn(_In):
    start_date: Day
    weeks: int | None = Field(default=None, ge=1, le=520, description="default: the programme's default length")
    schedule: list[TimeWindow] = Field(
        default_factory=list, max_length=50, description="timetabled programmes: the weekly attendance windows"
    )
    cadence: MeetingCadence | None = Field(
        default=None, description="meetings programmes: how often the participant meets (then no schedule)"
    )
    contact_person_id: str = Field(pattern=STAFF)
    team_leader_id: str | None = Field(default=None, pattern=STAFF)
    plan: DevelopmentPlan = DevelopmentPlan()
    closing_meeting: ClosingMeetingIn | None = Field(
        default=None, description="booked in the course record; on a day from the start to the planned end"
    )


class RescheduleIn(_In):
    weeks: int = Field(ge=1, le=520, description="the course's new length in weeks, counted from its start")


class AgreementIn(_In):
    effective_from: Day
    schedule: list[TimeWindow] = Field(default_factory=list, max_length=50)
    cadence: MeetingCadence | None = None
    contact_person_id: str = Field(pattern=STAFF)
    team_leader_id: str | None = Field(default=None, pattern=STAFF)


class EndIn(_In):
    end_date: Day
    outcome: Outcome
    first_job_date: Day | None = None
    closing_note: ClosingNote


# -- waiting list and flow ---------------------------------------------------------------------


class WaitingEntryOut(BaseModel):
    position: int
    referral_id: UUID
    participant_id: UUID
    referring_org: str
    received_at: datetime
    wished_start: date | None
    waiting_days: int
    estimated_start: date | None


class WaitingListOut(BaseModel):
    programme_code: str
    capacity: int
    seats_held: int
    length: int
    oldest_wait_days: int | None
    entries: list[WaitingEntryOut]

    @classmethod
    def of(cls, w: WaitingList) -> WaitingListOut:
        return cls(
            programme_code=w.programme_code,
            capacity=w.capacity,
            seats_held=w.seats_held,
            length=len(w.entries),
            oldest_wait_days=w.oldest_wait_days,
            entries=[
                WaitingEntryOut(
                    position=e.position,
                    referral_id=e.referral.id,
                    participant_id=e.referral.participant_id,
                    referring_org=e.referral.referring_org,
                    received_at=e.referral.received_at,
                    wished_start=e.referral.wished_start,
                    waiting_days=e.waiting_days,
                    estimated_start=e.estimated_start,
                )
                for e in w.entries
            ],
        )


class IntakeSeatsOut(BaseModel):
    intake_date: date
    free_seats: int = Field(ge=0, description="seats free for a whole course of the default length from this day")


class IntakeCalendarOut(BaseModel):
    programme_code: str
    capacity: int
    course_weeks: int = Field(description="the programme's default course length, which the free seats are counted for")
    intakes: list[IntakeSeatsOut]

    @classmethod
    def of(cls, c: IntakeCalendar) -> IntakeCalendarOut:
        return cls(
            programme_code=c.programme_code,
            capacity=c.capacity,
            course_weeks=c.course_weeks,
            intakes=[IntakeSeatsOut(intake_date=i.day, free_seats=i.free) for i in c.intakes],
        )


class WeekFlowOut(BaseModel):
    week: str
    received: int
    accepted: int
    rejected: int
    withdrawn: int
    started: int
    ended: int

    @classmethod
    def of(cls, w: WeekFlow) -> WeekFlowOut:
        return cls(**w.__dict__)

"""The figures' answers as types, for the OpenAPI document and the clients generated from it.

The use cases build the figures as plain rows (domain/figures.py, shape_figures.py, ips.py,
statement.py); these models say what each row holds, and nothing more (``extra="forbid"``: a
field the domain adds without a model here fails the figures' schema test, not a client). A
figure over nothing is null, not zero (docs/reporting.md). The routes answer the rows as they
are built: the models document and test them, they do not re-validate every answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Distribution(Strict):
    """Of the values counted: how many, their median and 90th percentile (null with none)."""

    count: int
    median: float | None
    p90: float | None


class Group(Strict):
    provider_org: str
    programme_code: str = Field(description="the programme; 'unknown' for alerts naming no known referral")
    referring_org: str | None = Field(default=None, description="only with by=referring_org")


# -- the figures of one group (GET /figures) ---------------------------------------------------


class WaitingListFigures(Strict):
    length_before: int
    length_at_end: int
    inflow: int
    outflow: int
    mean_weekly_inflow: float | None
    mean_weekly_outflow: float | None


class OccupancyFigures(Strict):
    capacity: int | None
    mean_seats_used: float | None
    peak_seats_used: int | None
    mean_occupancy: float | None


class AttendanceFigures(Strict):
    participant_weeks: int
    agreed_hours: float
    attended_hours: float
    at_provider_hours: float = Field(description="of the attended hours: at the provider")
    at_internship_hours: float = Field(description="of the attended hours: at a combined course's company internship")
    attendance_rate: float | None
    mean_weekly_hours: float | None
    unexcused_absences: int
    absences_by_reason: dict[str, int]


class HoursProgressionFigures(Strict):
    participants: int
    mean_first_four_weeks_hours: float | None
    mean_last_four_weeks_hours: float | None
    share_increased: float | None


class OutcomeFigures(Strict):
    ended: int
    by_outcome: dict[str, int]
    share_ordinary_work: float | None
    share_education: float | None
    share_work_or_education: float | None
    share_other: float | None
    days_to_first_job: Distribution


class BreachFigures(Strict):
    count: int
    participants: int


class AlertFigures(Strict):
    raised: int
    acknowledged: int
    escalated: int
    response_minutes: Distribution
    with_deadline: int
    share_acknowledged_in_time: float | None


class MeetingFigures(Strict):
    planned: int
    held: int
    cancelled_by_participant: int
    cancelled_by_provider: int
    missed: int
    share_held: float | None
    cadence_reminders: int
    days_start_to_first_meeting: Distribution


class OutreachFigures(Strict):
    cases_opened: int
    contact_attempts: int
    contact_reminders: int
    attempts_to_stable_contact: Distribution
    days_in_contact_creation: Distribution
    days_in_relationship: Distribution
    days_in_bridging: Distribution
    consents_recorded: int
    cases_identified: int
    cases_handed_over: int
    cases_closed: int
    closed_by_reason: dict[str, int]


SHAPE_NOTE = "absent where the programme's shape gives it no meaning (docs/reporting.md)"


class FigureRow(Group):
    """One group's figures: which blocks it has depends on the programme's shape."""

    referrals_received: int | None = Field(default=None, description=SHAPE_NOTE)
    waiting_days: Distribution | None = Field(default=None, description=SHAPE_NOTE)
    waiting_list: WaitingListFigures | None = Field(default=None, description=SHAPE_NOTE)
    occupancy: OccupancyFigures | None = Field(default=None, description=SHAPE_NOTE)
    attendance: AttendanceFigures | None = Field(default=None, description=SHAPE_NOTE)
    hours_progression: HoursProgressionFigures | None = Field(default=None, description=SHAPE_NOTE)
    outcomes: OutcomeFigures | None = Field(default=None, description=SHAPE_NOTE)
    breaches: BreachFigures | None = Field(default=None, description=SHAPE_NOTE)
    alerts: AlertFigures | None = Field(default=None, description=SHAPE_NOTE)
    meetings: MeetingFigures | None = Field(default=None, description=SHAPE_NOTE)
    outreach: OutreachFigures | None = Field(default=None, description=SHAPE_NOTE)


# -- the time series ---------------------------------------------------------------------------


class WaitingListWeek(Group):
    week_start: date
    inflow: int
    outflow: int
    length: int


class OccupancyDay(Group):
    day: date
    seats_used: int
    capacity: int | None
    occupancy: float | None


class AttendanceWeek(Group):
    week_start: date
    participants: int
    agreed_hours: float
    attended_hours: float
    attendance_rate: float | None
    mean_hours_per_participant: float


# -- IPS fidelity and clarification results -----------------------------------------------------


class Caseload(Strict):
    as_of: date
    per_contact_person: dict[str, int]
    max: int
    threshold_max: int
    within_threshold: bool
    contact_persons_over_threshold: int


class RapidJobSearch(Strict):
    courses: int
    measured_from_start: int
    days_to_first_employer_contact: Distribution
    decided: int
    share_within_threshold: float | None
    threshold_days: int


class ConsultantContacts(Strict):
    contacts: int
    per_week: float


class EmployerContacts(Strict):
    total: int
    for_participants: int
    weeks: float
    per_consultant: dict[str, ConsultantContacts]


class IntoWorkOrEducation(Strict):
    courses_ended: int
    ever_employed: int
    share: float | None


class TimeUnlimitedSupport(Strict):
    as_of: date
    in_support: int
    days_in_support: Distribution


class FollowAlongDays(Distribution):
    share_at_least_threshold: float | None
    threshold_days: int


class JobsEnded(Strict):
    count: int
    by_reason: dict[str, int]
    search_resumed: int


class IpsFidelityRow(Group):
    caseload: Caseload
    rapid_job_search: RapidJobSearch
    employer_contacts: EmployerContacts
    into_work_or_education: IntoWorkOrEducation
    days_start_to_first_job: Distribution
    time_unlimited_support: TimeUnlimitedSupport
    follow_along_days: FollowAlongDays
    jobs_ended: JobsEnded


class ClarificationResultsRow(Group):
    results: int
    by_recommendation: dict[str, int]
    meetings_held: Distribution
    with_work_trial: int
    with_specialist_assessment: int


class HandoverPair(Strict):
    provider_org: str
    programme_code: str
    next_provider_org: str
    next_programme_code: str


class HandoverGap(Strict):
    """Days without any programme between two steps (0 when they overlap or follow the next day)."""

    median: float | None
    mean: float | None


class HandoverPairRow(HandoverPair):
    handovers: int = Field(description="handovers whose next step started in the period")
    overlapping: int
    days_without_programme: HandoverGap
    share_without_gap: float | None
    not_started: int = Field(description="planned to start in the period, not started yet")
    next_step_not_taken: int = Field(description="planned to start in the period, the next referral closed unstarted")


class HandoverRow(HandoverPair):
    handover_id: UUID
    relation: str = Field(description="overlap | sequence")
    previous_last_day: date
    next_first_day: date
    days_without_programme: int


class VisitFigures(Strict):
    started: int
    with_colleague: int
    overdue: int
    share_overdue: float | None
    not_ended: int


class VisitsRow(Strict):
    provider_org: str
    visits: VisitFigures


# -- the answers: the caller's organisation, the period and the rows ---------------------------


class Table(Strict):
    org: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class FiguresOut(Table):
    rows: list[FigureRow]


class WaitingListOut(Table):
    rows: list[WaitingListWeek]


class OccupancyOut(Table):
    rows: list[OccupancyDay]


class AttendanceWeeksOut(Table):
    rows: list[AttendanceWeek]


class IpsFidelityOut(Table):
    rows: list[IpsFidelityRow]


class ClarificationResultsOut(Table):
    rows: list[ClarificationResultsRow]


class HandoversOut(Table):
    rows: list[HandoverPairRow] | list[HandoverRow] = Field(description="per=pair (default), or per=handover")


class VisitsOut(Table):
    rows: list[VisitsRow]


# -- a participant's attendance statement ------------------------------------------------------


class StatementWeek(Strict):
    week_start: date
    agreed_hours: float
    attended_hours: float
    internship_hours: float
    absent_hours: float
    unexcused_absences: int
    absences_by_reason: dict[str, int]


class StatementTotals(Strict):
    weeks: int
    days_attended: int
    agreed_hours: float
    attended_hours: float
    attendance_rate: float | None
    unexcused_absences: int
    absences_by_reason: dict[str, int]


class HoursProgression(Strict):
    first_four_weeks_hours: float
    last_four_weeks_hours: float
    change_hours: float


class StatementOut(Strict):
    referral_id: UUID
    programme_code: str
    provider_org: str
    referring_org: str
    start_date: date | None
    end_date: date | None
    ended: bool
    weeks: list[StatementWeek]
    totals: StatementTotals
    hours_progression: HoursProgression | None = Field(description="null before eight summarised weeks")


def json_or_csv(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """A route's 200 answer: ``model`` as JSON, or (with format=csv) the same rows as CSV."""
    return {200: {"model": model, "content": {"text/csv": {"schema": {"type": "string"}}}}}

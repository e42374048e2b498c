"""Combined courses (seed 002) on the in-memory unit of work: internship days at a company in the
agreed plan are attendance elsewhere, never a missed arrival, and counted as such in the week;
a plan that cannot hold is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from forlob_attendance.application.internships import InternshipPlan, internships_of, plan_internship, record_employer
from forlob_attendance.application.registration import AbsenceReport, report_absence
from forlob_shared.errors import Conflict, DomainError, InvalidInput, NotFound
from forlob_shared.events import AbsenceReason
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.employment import EmployerRegistered, EmployerSector
from forlob_testkit.attendance import MONDAY, PROVIDER, local
from forlob_testkit.attendance_rules import CONTACT_PERSON, COORDINATOR, OTHER_PROVIDER, Centre

TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
NEXT_MONDAY = MONDAY + timedelta(days=7)


async def _employer(centre: Centre, org: str = PROVIDER) -> UUID:
    employer_id = uuid4()
    registered = EmployerRegistered(
        employer_id=employer_id,
        provider_org=org,
        country="DK",
        sector=EmployerSector.PRIVATE,
        registered_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    await centre.apply(record_employer, registered)
    await centre.apply(record_employer, registered)  # redelivered: still one
    return employer_id


def _plan(employer: UUID, first: date = MONDAY, last: date = MONDAY + timedelta(days=13)) -> InternshipPlan:
    return InternshipPlan(employer, first, last, (1, 2))  # Tuesdays and Wednesdays


async def test_internship_days_are_planned_attendance_elsewhere_and_never_a_missed_arrival(centre: Centre) -> None:
    course = await centre.start()
    employer = await _employer(centre)
    planned = await plan_internship(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(employer))
    # The windows already expected on the two weeks' Tuesdays and Wednesdays moved (4 of them).
    assert planned.slots_at_internship == 4
    at_company = [s for s in centre.slots(course.referral_id) if s.state == "internship"]
    assert [s.day for s in at_company] == [TUESDAY, WEDNESDAY, TUESDAY + timedelta(7), WEDNESDAY + timedelta(7)]
    assert {(s.internship_id, s.reason) for s in at_company} == {(planned.internship.id, None)}
    [event] = centre.data("attendance.internship_planned.v1")
    assert (event.employer_id, event.weekdays, event.first_day) == (employer, [1, 2], MONDAY)

    # Tuesday evening: Monday's window is missed, Tuesday's is at the company.
    centre.at(local(TUESDAY, 20))
    assert await centre.sweep() == 1
    assert centre.slot(course.referral_id, TUESDAY).state == "internship"

    # The third week, materialised later, stays in the workshop: the plan ends on day 13.
    centre.at(local(NEXT_MONDAY + timedelta(days=6), 20))
    await centre.materialise()
    assert centre.slot(course.referral_id, TUESDAY + timedelta(days=14)).state == "expected"
    listed = await internships_of(centre.uow(), COORDINATOR, course.referral_id)
    assert [(i.employer_id, i.weekdays) for i in listed] == [(employer, (1, 2))]


async def test_a_plan_reaching_beyond_the_horizon_is_kept_for_the_days_still_to_be_materialised(
    centre: Centre,
) -> None:
    course = await centre.start()
    employer = await _employer(centre)
    far = MONDAY + timedelta(days=28)
    await plan_internship(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(employer, far, far + timedelta(6)))
    centre.at(local(far - timedelta(days=3), 6))
    await centre.materialise()
    assert centre.slot(course.referral_id, far + timedelta(days=1)).state == "internship"
    assert centre.slot(course.referral_id, far).state == "expected"  # Monday is a workshop day


async def test_the_week_counts_the_internship_as_attended_elsewhere_not_absent(centre: Centre) -> None:
    course = await centre.start()
    employer = await _employer(centre)
    await plan_internship(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(employer))
    # Ill on an internship day: the report says more about that one day than the plan.
    report = AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, WEDNESDAY, WEDNESDAY)
    await report_absence(centre.uow(), CONTACT_PERSON, report)
    for day in (MONDAY, MONDAY + timedelta(days=3), MONDAY + timedelta(days=4)):
        centre.at(local(day, 13, 30))
        await centre.check_in(course.participant_id, local(day, 8))
        await centre.check_out(course.participant_id, local(day, 13))
    centre.at(local(NEXT_MONDAY, 6))
    await centre.sweep()
    await centre.summarise()
    [week] = centre.data("attendance.week_summarised.v1")
    assert (week.agreed_minutes, week.attended_minutes, week.internship_minutes) == (25 * 60, 15 * 60, 5 * 60)
    assert (week.absent_minutes, week.unexcused_absences, week.absences_by_reason) == (5 * 60, 0, {"illness": 1})


@pytest.mark.parametrize(
    ("what", "error", "field"),
    [
        ("an unknown employer", NotFound, "employer_id"),
        ("another provider's employer", NotFound, "employer_id"),
        ("a day gone by", InvalidInput, "first_day"),
        ("an end before the start", InvalidInput, "last_day"),
        ("beyond the course", InvalidInput, "first_day"),
        ("no weekday", InvalidInput, "weekdays"),
        ("weekday 7", InvalidInput, "weekdays"),
    ],
)
async def test_a_plan_that_cannot_hold_is_refused_and_changes_nothing(
    centre: Centre, what: str, error: type[DomainError], field: str
) -> None:
    course = await centre.start()
    employer = await _employer(centre)
    theirs = await _employer(centre, OTHER_PROVIDER.org)
    centre.at(local(TUESDAY, 9))
    plans = {
        "an unknown employer": _plan(uuid4()),
        "another provider's employer": _plan(theirs),
        "a day gone by": _plan(employer, MONDAY),
        "an end before the start": _plan(employer, WEDNESDAY, TUESDAY),
        "beyond the course": _plan(employer, WEDNESDAY, date(2027, 3, 1)),
        "no weekday": InternshipPlan(employer, WEDNESDAY, NEXT_MONDAY, ()),
        "weekday 7": InternshipPlan(employer, WEDNESDAY, NEXT_MONDAY, (2, 7)),
    }
    before = centre.snapshot()
    with pytest.raises(error) as refused:
        await plan_internship(centre.uow(), CONTACT_PERSON, course.referral_id, plans[what])
    assert refused.value.extra.get("field") == field, what
    assert centre.snapshot() == before


async def test_a_meetings_course_or_another_providers_course_has_no_internship_plan(centre: Centre) -> None:
    meetings = await centre.start(shape=ProgrammeShape.MEETINGS)
    timetabled = await centre.start()
    employer = await _employer(centre)
    before = centre.snapshot()
    with pytest.raises(Conflict) as wrong:
        await plan_internship(centre.uow(), CONTACT_PERSON, meetings.referral_id, _plan(employer))
    assert wrong.value.code == "wrong-shape"
    with pytest.raises(NotFound):
        await plan_internship(centre.uow(), OTHER_PROVIDER, timetabled.referral_id, _plan(employer))
    assert centre.snapshot() == before

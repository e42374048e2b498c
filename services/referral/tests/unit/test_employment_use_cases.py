"""Work and the way into it on the in-memory unit of work: employers, job development, spells with
the support phase they move, clarification results; each refusal changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest

from forlob_referral.application import employment as uc
from forlob_referral.application.course import EndCourse, end_course
from forlob_referral.application.retention import erase_expired_personal_data
from forlob_referral.domain.employment import EmployerContactPerson, employer_number
from forlob_referral.domain.programme import ProgrammeKind
from forlob_referral.domain.records import Attainment, ClosingNote, GoalAttainment, SubGoalAttainment
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.common import MeetingCadence, Outcome, ProgrammeShape
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    SupportPhase,
    WorkAbilityArea,
)
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import PROVIDER_ORG
from forlob_testkit.referral_rules import CASEWORKER, COORDINATOR, FIRST_INTAKE, HORIZON, OTHER_COORDINATOR, Desk

CONSULTANT = Principal(staff_id="ips-1", org=PROVIDER_ORG, roles=frozenset({"contact_person"}))
WEEKLY_MEETINGS = MeetingCadence.model_validate({"kind": "weekly"})
CVR = "13585628"  # a valid CVR number
ORGNR = "556703-7485"  # a valid Swedish organisation number


def employer_command(number: str = CVR, country: str = "DK") -> uc.RegisterEmployer:
    return uc.RegisterEmployer(
        country=country,
        number=number,
        name="Bageriet Ved Åen ApS",
        sector=EmployerSector.PRIVATE,
        industry_code="10.71",
        contact=EmployerContactPerson("Per Bager", "per@bageriet.dk", "+45 12 34 56 78"),
    )


async def ips_course(desk: Desk, code: str = "IPS-AAL", kind: ProgrammeKind = ProgrammeKind.IPS) -> UUID:
    """A started meetings course (from Monday 1 June), the clock on Monday 15 June."""
    await desk.programme(code, kind=kind, shape=ProgrammeShape.MEETINGS)
    rid = await desk.refer(code)
    await desk.accept(rid)
    await desk.start(rid, schedule=(), cadence=WEEKLY_MEETINGS)
    desk.clock.set(datetime.combine(FIRST_INTAKE + timedelta(days=14), time(9), tzinfo=UTC))
    return rid


def spell(employer_id: UUID | None, start: date, kind: SpellKind = SpellKind.ORDINARY) -> uc.StartSpell:
    return uc.StartSpell(
        employer_id=employer_id, kind=kind, start_date=start, weekly_hours=15, disclosure=Disclosure.PARTLY
    )


def test_employer_numbers_are_validated_and_compacted() -> None:
    assert employer_number("DK", "DK 13 58 56 28") == "13585628"
    assert employer_number("SE", ORGNR) == "5567037485"
    for country, number in [("DK", "13585629"), ("DK", "1358562"), ("SE", "556703-7484"), ("SE", "abc")]:
        with pytest.raises(InvalidInput) as refused:
            employer_number(country, number)
        assert refused.value.extra["field"] == "number"
    with pytest.raises(InvalidInput) as refused:
        employer_number("NO", "123456789")
    assert refused.value.extra["field"] == "country"


@pytest.mark.parametrize("number", ["880320-0016", "8803200016", "701063-2391"])
def test_a_swedish_sole_traders_number_is_a_personnummer_and_refused_without_repeating_it(number: str) -> None:
    """An enskild firma's organisation number is its owner's personnummer (or coordination
    number): refused with its own reason, and the problem does not quote it."""
    with pytest.raises(InvalidInput) as refused:
        employer_number("SE", number)
    assert (refused.value.extra["field"], refused.value.extra["reason"]) == ("number", "personal-identity-number")
    assert "without a number" in refused.value.detail
    assert number.replace("-", "")[:6] not in refused.value.detail
    assert number[:6] not in str(refused.value.extra)


async def test_an_employer_without_a_number_is_registered_and_never_conflicts(desk: Desk) -> None:
    first = await uc.register_employer(desk.uow(), CONSULTANT, employer_command("", "SE"))
    second = await uc.register_employer(
        desk.uow(),
        CONSULTANT,
        uc.RegisterEmployer(country="SE", number=None, name="Frisör Anna", sector=EmployerSector.PRIVATE),
    )
    assert (first.number, second.number) == (None, None)
    assert len(await uc.list_employers(desk.uow(), CONSULTANT)) == 2
    with pytest.raises(InvalidInput):  # a number that is no number is refused, not dropped
        employer_number("DK", "   x ")


async def test_an_employer_is_registered_once_per_provider_and_seen_only_by_it(desk: Desk) -> None:
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command("DK13585628"))
    assert employer.number == "13585628"
    [event] = desk.events("employer.registered.v1")
    assert (event.employer_id, event.provider_org, event.sector, event.country) == (
        employer.id,
        PROVIDER_ORG,
        EmployerSector.PRIVATE,
        "DK",
    )
    assert "Bageriet" not in event.model_dump_json()
    assert "Per" not in event.model_dump_json()

    with pytest.raises(Conflict) as again:
        await uc.register_employer(desk.uow(), COORDINATOR, employer_command())
    assert again.value.extra["employer_id"] == str(employer.id)
    # Another provider keeps its own register: the same employer is its own entry there.
    theirs = await uc.register_employer(desk.uow(), OTHER_COORDINATOR, employer_command())
    assert theirs.id != employer.id
    with pytest.raises(NotFound):
        await uc.get_employer(desk.uow(), OTHER_COORDINATOR, employer.id)
    assert [e.id for e in await uc.list_employers(desk.uow(), COORDINATOR)] == [employer.id]

    with pytest.raises(InvalidInput) as bad:
        await uc.register_employer(desk.uow(), COORDINATOR, employer_command("13585629"))
    assert bad.value.extra["field"] == "number"
    assert len(desk.events("employer.registered.v1")) == 2


async def test_employer_contacts_for_a_course_and_in_general(desk: Desk) -> None:
    rid = await ips_course(desk)
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    today = desk.clock.now().date()
    general = await uc.record_contact(
        desk.uow(), CONSULTANT, uc.RecordContact(employer.id, FIRST_INTAKE, EmployerContactKind.FIRST_CONTACT)
    )
    for_course = await uc.record_contact(
        desk.uow(),
        COORDINATOR,
        uc.RecordContact(employer.id, today, EmployerContactKind.INTERVIEW, referral_id=rid, staff_id="ips-1"),
    )
    assert general.referral_id is None
    assert general.staff_id == "ips-1"
    assert for_course.staff_id == "ips-1"
    assert for_course.recorded_by == "co-3"
    first, second = desk.events("employment.employer_contacted.v1")
    assert first.referral_id is None
    assert first.participant_id is None
    assert second.referral_id == rid
    assert second.programme_code == "IPS-AAL"
    assert second.kind == "interview"
    assert [c.id for c in await uc.list_contacts(desk.uow(), CONSULTANT, rid, None)] == [for_course.id]
    assert len(await uc.list_contacts(desk.uow(), CONSULTANT, None, employer.id)) == 2

    with pytest.raises(InvalidInput) as future:
        await uc.record_contact(
            desk.uow(),
            CONSULTANT,
            uc.RecordContact(employer.id, today + timedelta(days=1), EmployerContactKind.FOLLOW_UP),
        )
    assert future.value.extra["field"] == "day"
    with pytest.raises(NotFound):  # another provider's employer
        await uc.record_contact(
            desk.uow(), OTHER_COORDINATOR, uc.RecordContact(employer.id, today, EmployerContactKind.FOLLOW_UP)
        )
    with pytest.raises(NotFound):  # an unknown course
        await uc.record_contact(
            desk.uow(), CONSULTANT, uc.RecordContact(employer.id, today, EmployerContactKind.FOLLOW_UP, uuid4())
        )
    assert len(desk.events("employment.employer_contacted.v1")) == 2


async def test_a_contact_with_the_employer_the_participant_works_for_needs_their_consent(desk: Desk) -> None:
    """Follow-along support talks to the employer only as the participant agreed (seed 003); job
    development with other employers, and with the same one once the job has ended, asks nothing."""
    rid = await ips_course(desk)
    bakery = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    other = await uc.register_employer(desk.uow(), CONSULTANT, employer_command(ORGNR, "SE"))
    start = FIRST_INTAKE + timedelta(days=3)
    view = await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(bakery.id, start))
    today = desk.clock.now().date()

    for consented in (None, False):
        with pytest.raises(InvalidInput) as refused:
            await uc.record_contact(
                desk.uow(),
                CONSULTANT,
                uc.RecordContact(
                    bakery.id, today, EmployerContactKind.FOLLOW_UP, referral_id=rid, participant_consented=consented
                ),
            )
        assert refused.value.extra["field"] == "participant_consented"
    assert await uc.list_contacts(desk.uow(), CONSULTANT, rid, None) == []  # nothing written
    assert desk.events("employment.employer_contacted.v1") == []

    agreed = await uc.record_contact(
        desk.uow(),
        CONSULTANT,
        uc.RecordContact(bakery.id, today, EmployerContactKind.FOLLOW_UP, referral_id=rid, participant_consented=True),
    )
    elsewhere = await uc.record_contact(
        desk.uow(), CONSULTANT, uc.RecordContact(other.id, today, EmployerContactKind.FIRST_CONTACT, referral_id=rid)
    )
    assert (agreed.with_consent, elsewhere.with_consent) == (True, None)

    [job] = view.spells
    await uc.end_spell(desk.uow(), CONSULTANT, rid, job.id, today, SpellEndReason.FIXED_TERM_ENDED)
    after = await uc.record_contact(
        desk.uow(), CONSULTANT, uc.RecordContact(bakery.id, today, EmployerContactKind.FOLLOW_UP, referral_id=rid)
    )
    assert after.with_consent is None
    assert len(desk.events("employment.employer_contacted.v1")) == 3


async def test_a_job_moves_a_meetings_course_into_support_and_its_end_back_to_search(desk: Desk) -> None:
    rid = await ips_course(desk)
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    start = FIRST_INTAKE + timedelta(days=10)
    before = await uc.read_employment(desk.uow(), CASEWORKER, rid)
    assert (before.phase, before.phase_since, before.spells) == (SupportPhase.SEARCH, FIRST_INTAKE, [])

    view = await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(employer.id, start))
    assert (view.phase, view.phase_since) == (SupportPhase.EMPLOYED_WITH_SUPPORT, start)
    [job] = view.spells
    [started] = desk.events("employment.job_started.v1")
    assert (started.spell_id, started.employer_id, started.disclosure, started.weekly_hours) == (
        job.id,
        employer.id,
        Disclosure.PARTLY,
        15,
    )
    [moved] = desk.events("programme.phase_changed.v1")
    assert (moved.phase, moved.previous_phase, moved.since) == (SupportPhase.EMPLOYED_WITH_SUPPORT, "search", start)

    # Education alongside: no second phase change; ending the job leaves the course in support.
    education = await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(None, start, SpellKind.EDUCATION))
    study = next(s for s in education.spells if s.kind is SpellKind.EDUCATION)
    end = FIRST_INTAKE + timedelta(days=12)
    ended = await uc.end_spell(desk.uow(), CONSULTANT, rid, job.id, end, SpellEndReason.FIXED_TERM_ENDED)
    assert ended.phase is SupportPhase.EMPLOYED_WITH_SUPPORT
    assert len(desk.events("programme.phase_changed.v1")) == 1
    # The last open spell ending: search again from the next day; the course goes on.
    back = await uc.end_spell(desk.uow(), CONSULTANT, rid, study.id, end, SpellEndReason.EDUCATION_LEFT)
    assert (back.phase, back.phase_since) == (SupportPhase.SEARCH, end + timedelta(days=1))
    assert back.referral.state.value == "started"
    [job_ended, study_ended] = desk.events("employment.job_ended.v1")
    assert (job_ended.reason, job_ended.end_date) == (SpellEndReason.FIXED_TERM_ENDED, end)
    assert study_ended.employer_id is None
    assert desk.events("programme.phase_changed.v1")[-1].phase is SupportPhase.SEARCH
    assert desk.event_types(rid).count("programme.ended.v1") == 0


async def test_bad_spells_are_refused_and_change_nothing(desk: Desk) -> None:
    rid = await ips_course(desk)
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    today = desk.clock.now().date()
    refusals: list[tuple[type[Exception], uc.StartSpell, str | None]] = [
        (InvalidInput, spell(None, today), "employer_id"),  # a job needs its employer
        (InvalidInput, spell(employer.id, FIRST_INTAKE - timedelta(days=1)), "start_date"),
        (InvalidInput, spell(employer.id, today + timedelta(days=1)), "start_date"),
        (NotFound, spell(uuid4(), today), "employer_id"),
    ]
    for error, command, field in refusals:
        with pytest.raises(error) as refused:
            await uc.start_spell(desk.uow(), CONSULTANT, rid, command)
        assert refused.value.extra.get("field") == field
    with pytest.raises(NotFound):
        await uc.start_spell(desk.uow(), OTHER_COORDINATOR, rid, spell(employer.id, today))
    assert (await uc.read_employment(desk.uow(), COORDINATOR, rid)).spells == []

    view = await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(employer.id, today - timedelta(days=2)))
    job = view.spells[0]
    with pytest.raises(InvalidInput) as backwards:
        await uc.end_spell(desk.uow(), CONSULTANT, rid, job.id, today - timedelta(days=3), SpellEndReason.RESIGNED)
    assert backwards.value.extra["field"] == "end_date"
    with pytest.raises(NotFound):
        await uc.end_spell(desk.uow(), CONSULTANT, rid, uuid4(), today, SpellEndReason.RESIGNED)
    await uc.end_spell(desk.uow(), CONSULTANT, rid, job.id, today, SpellEndReason.RESIGNED)
    with pytest.raises(Conflict):
        await uc.end_spell(desk.uow(), CONSULTANT, rid, job.id, today, SpellEndReason.RESIGNED)
    assert len(desk.events("employment.job_ended.v1")) == 1
    with pytest.raises(NotFound):  # the caseworker's org only reads; another provider sees nothing
        await uc.read_employment(desk.uow(), OTHER_COORDINATOR, rid)


async def test_a_timetabled_course_records_jobs_without_a_phase(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    await desk.accept(rid)
    await desk.start(rid)
    desk.clock.advance(timedelta(days=20))
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    view = await uc.start_spell(desk.uow(), COORDINATOR, rid, spell(employer.id, FIRST_INTAKE + timedelta(days=7)))
    assert view.phase is None
    assert len(view.spells) == 1
    assert desk.events("programme.phase_changed.v1") == []


def result_command(day: date, **fields: object) -> uc.GiveResult:
    values: dict[str, object] = {
        "recommendation": Recommendation.FLEX_JOB,
        "resources": (WorkAbilityArea.WORK_EXPERIENCE, WorkAbilityArea.NETWORK, WorkAbilityArea.NETWORK),
        "challenges": (WorkAbilityArea.HEALTH,),
        "meetings_held": 8,
        "work_trials": 2,
        "specialist_assessments": 1,
        "day": day,
    }
    values.update(fields)
    return uc.GiveResult(**values)  # type: ignore[arg-type]


async def test_a_clarification_course_gives_one_result_the_caseworker_reads(desk: Desk) -> None:
    rid = await ips_course(desk, "AFK-AAL", ProgrammeKind.CLARIFICATION)
    today = desk.clock.now().date()
    with pytest.raises(InvalidInput):
        await uc.give_result(desk.uow(), COORDINATOR, rid, result_command(today + timedelta(days=1)))
    result = await uc.give_result(desk.uow(), COORDINATOR, rid, result_command(today))
    assert result.resources == (WorkAbilityArea.WORK_EXPERIENCE, WorkAbilityArea.NETWORK)
    [event] = desk.events("programme.clarification_result.v1")
    assert (event.recommendation, event.meetings_held, event.work_trials, event.specialist_assessments) == (
        Recommendation.FLEX_JOB,
        8,
        2,
        1,
    )
    assert event.challenges == [WorkAbilityArea.HEALTH]
    seen = await uc.read_employment(desk.uow(), CASEWORKER, rid)
    assert seen.result == result
    with pytest.raises(Conflict) as again:
        await uc.give_result(desk.uow(), COORDINATOR, rid, result_command(today))
    assert again.value.extra["reason"] == "result-given"
    assert len(desk.events("programme.clarification_result.v1")) == 1


async def test_a_result_on_a_programme_that_is_no_clarification_is_refused(desk: Desk) -> None:
    rid = await ips_course(desk)
    with pytest.raises(Conflict) as refused:
        await uc.give_result(desk.uow(), COORDINATOR, rid, result_command(desk.clock.now().date()))
    assert refused.value.extra["reason"] == "not-a-clarification"
    assert (await uc.read_employment(desk.uow(), COORDINATOR, rid)).result is None
    assert desk.events("programme.clarification_result.v1") == []


async def test_the_course_ends_when_ended_with_the_first_job_and_erasure_keeps_the_coded_facts(desk: Desk) -> None:
    rid = await ips_course(desk)
    employer = await uc.register_employer(desk.uow(), CONSULTANT, employer_command())
    start = FIRST_INTAKE + timedelta(days=9)
    await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(employer.id, start))
    await uc.record_contact(
        desk.uow(),
        CONSULTANT,
        uc.RecordContact(
            employer.id, start, EmployerContactKind.FOLLOW_UP, referral_id=rid, participant_consented=True
        ),
    )
    today = desk.clock.now().date()
    closing = ClosingNote(
        summary="Found work.",
        resources="Reliable.",
        development_possibilities="More hours.",
        goal_attainment=[
            GoalAttainment(
                goal="Stable attendance",
                attainment=Attainment.ACHIEVED,
                sub_goals=[SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.ACHIEVED)],
            ),
            GoalAttainment(goal="Increase weekly hours", attainment=Attainment.PARTLY),
        ],
    )
    ending = EndCourse(end_date=today, outcome=Outcome.ORDINARY_EMPLOYMENT, closing_note=closing)
    ended = await end_course(desk.uow(), COORDINATOR, rid, ending, HORIZON)
    assert ended.referral.first_job_date == start
    [event] = desk.events("programme.ended.v1")
    assert event.first_job_date == start
    after = await uc.read_employment(desk.uow(), CASEWORKER, rid)
    assert after.phase is SupportPhase.EMPLOYED_WITH_SUPPORT  # the job goes on after the support ended
    with pytest.raises(Conflict):
        await uc.start_spell(desk.uow(), CONSULTANT, rid, spell(employer.id, today))
    with pytest.raises(Conflict):  # job development for an ended course: it is general now
        await uc.record_contact(
            desk.uow(), CONSULTANT, uc.RecordContact(employer.id, today, EmployerContactKind.FOLLOW_UP, referral_id=rid)
        )

    desk.clock.advance(timedelta(days=6 * 365))
    assert await erase_expired_personal_data(desk.uow(), desk.clock.now(), timedelta(days=5 * 365)) == 1
    [kept] = (await uc.read_employment(desk.uow(), COORDINATOR, rid)).spells
    assert (kept.disclosure, kept.kind, kept.start_date, kept.employer_id) == (
        None,
        SpellKind.ORDINARY,
        start,
        employer.id,
    )
    assert len(await uc.list_contacts(desk.uow(), CONSULTANT, rid, None)) == 1

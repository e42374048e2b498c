"""Internal events become partner events with the fields the referring organisation is entitled
to, and nothing of the provider's own: no staff ids, no rules, no opening hours, no employer, no
disclosure to it, no reason a job ended."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

from forlob_notifications.application.partner_events import FORWARDED
from forlob_notifications.partners import translate
from forlob_shared import events as internal
from forlob_shared import partner
from forlob_shared.events.common import AttendanceRules, Outcome, TimeWindow
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

NOW = datetime(2026, 11, 30, 7, tzinfo=UTC)
MORNINGS = [TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5)]
ABOUT = {
    "referral_id": uuid4(),
    "participant_id": uuid4(),
    "programme_code": "RCA-UDV-13",
    "referring_org": "jobcenter-aalborg",
    "provider_org": "rca-aalborg",
}


def _started() -> internal.ProgrammeStarted:
    return internal.ProgrammeStarted(
        **ABOUT,
        start_date=date(2026, 11, 30),
        planned_end_date=date(2027, 2, 26),
        schedule=MORNINGS,
        opening_hours=MORNINGS,
        timezone="Europe/Copenhagen",
        country="DK",
        contact_person_id="kp-1",
        team_leader_id="tl-1",
        caseworker_id="cw-7",
        legal_basis="LAB-32-1-2",
        rules=AttendanceRules(),
        started_at=NOW,
    )


def test_a_start_tells_the_agreed_hours_and_no_staff() -> None:
    [started] = translate.milestones(_started())
    assert isinstance(started, partner.CourseStarted)
    assert started.agreed_weekly_minutes == 5 * 4 * 60
    assert [(w.weekday, w.start, w.end) for w in started.agreed_schedule] == [(d, time(8), time(12)) for d in range(5)]
    wire = started.model_dump_json()
    for staff in ("kp-1", "tl-1", "cw-7"):
        assert staff not in wire
    assert "rules" not in wire
    assert "opening_hours" not in wire


def test_an_agreement_that_keeps_the_hours_is_not_news() -> None:
    change = internal.AgreementChanged(
        **ABOUT,
        effective_from=date(2026, 12, 7),
        schedule=list(reversed(MORNINGS)),  # the same windows in another order
        contact_person_id="kp-2",
        changed_at=NOW,
    )
    assert translate.agreed_hours_changed(change, MORNINGS) is None
    longer = change.model_copy(update={"schedule": [TimeWindow(weekday=0, start=time(8), end=time(14))]})
    told = translate.agreed_hours_changed(longer, MORNINGS)
    assert told is not None
    assert (told.agreed_weekly_minutes, told.previous_weekly_minutes) == (360, 1200)
    assert "kp-2" not in told.model_dump_json()


def test_a_reschedule_says_which_way_and_an_end_brings_the_closing_note() -> None:
    shorter = internal.ProgrammeRescheduled(
        **ABOUT,
        previous_end_date=date(2027, 2, 26),
        planned_end_date=date(2027, 1, 29),
        change="shortened",
        changed_at=NOW,
    )
    [rescheduled] = translate.milestones(shorter)
    assert isinstance(rescheduled, partner.CourseRescheduled)
    assert rescheduled.change == "shortened"
    ended = internal.ProgrammeEnded(
        **ABOUT,
        start_date=date(2026, 11, 30),
        end_date=date(2027, 1, 29),
        outcome=Outcome.EDUCATION,
        ended_at=NOW,
    )
    assert [type(e) for e in translate.milestones(ended)] == [partner.CourseEnded, partner.ClosingNoteAvailable]


def test_the_provider_s_day_to_day_becomes_nothing() -> None:
    detected = internal.AbsenceDetected(
        **ABOUT,
        absence_id=uuid4(),
        day=date(2026, 12, 1),
        expected_at=NOW,
        detected_at=NOW,
    )
    assert translate.milestones(detected) == []  # an absence reaches a partner only as the policy's notice


# -- results: work or education, the support phase, a clarification's recommendation --------------

SPELL = uuid4()
EMPLOYER = uuid4()


def test_a_job_start_tells_kind_day_and_hours_never_the_employer_or_the_disclosure() -> None:
    job = internal.JobStarted(
        **ABOUT,
        spell_id=SPELL,
        employer_id=EMPLOYER,
        kind=SpellKind.FLEX_JOB,
        start_date=date(2027, 1, 11),
        weekly_hours=12.5,
        disclosure=Disclosure.PARTLY,
        recorded_at=NOW,
    )
    [started] = translate.milestones(job)
    assert isinstance(started, partner.JobStarted)
    assert (started.spell_id, started.kind, started.start_date, started.weekly_hours) == (
        SPELL,
        SpellKind.FLEX_JOB,
        date(2027, 1, 11),
        12.5,
    )
    assert set(started.model_dump()).isdisjoint({"employer_id", "disclosure"})
    for kept in (str(EMPLOYER), "partly"):
        assert kept not in started.model_dump_json()


def test_a_job_end_tells_its_last_day_not_why() -> None:
    ended = internal.JobEnded(
        **ABOUT,
        spell_id=SPELL,
        employer_id=EMPLOYER,
        kind=SpellKind.ORDINARY,
        start_date=date(2027, 1, 11),
        end_date=date(2027, 3, 31),
        reason=SpellEndReason.DISMISSED,
        recorded_at=NOW,
    )
    [told] = translate.milestones(ended)
    assert isinstance(told, partner.JobEnded)
    assert (told.spell_id, told.kind, told.start_date, told.end_date) == (
        SPELL,
        SpellKind.ORDINARY,
        date(2027, 1, 11),
        date(2027, 3, 31),
    )
    for kept in ("dismissed", str(EMPLOYER), "reason"):
        assert kept not in told.model_dump_json()


def test_a_phase_change_is_told_with_the_spell_that_moved_it() -> None:
    moved = internal.PhaseChanged(
        **ABOUT,
        phase=SupportPhase.EMPLOYED_WITH_SUPPORT,
        previous_phase=SupportPhase.SEARCH,
        since=date(2027, 1, 11),
        spell_id=SPELL,
        changed_at=NOW,
    )
    [told] = translate.milestones(moved)
    assert isinstance(told, partner.PhaseChanged)
    assert (told.phase, told.previous_phase, told.since, told.spell_id) == (
        SupportPhase.EMPLOYED_WITH_SUPPORT,
        SupportPhase.SEARCH,
        date(2027, 1, 11),
        SPELL,
    )


def test_a_clarification_result_is_the_recommendation_with_coded_areas_and_evidence_not_who_gave_it() -> None:
    result = internal.ClarificationResult(
        **ABOUT,
        recommendation=Recommendation.FLEX_JOB,
        resources=[WorkAbilityArea.WORK_EXPERIENCE, WorkAbilityArea.SOCIAL_SKILLS],
        challenges=[WorkAbilityArea.HEALTH],
        meetings_held=11,
        work_trials=2,
        specialist_assessments=1,
        day=date(2027, 2, 19),
        staff_id="kp-9",
        recorded_at=NOW,
    )
    [told] = translate.milestones(result)
    assert isinstance(told, partner.ClarificationResultGiven)
    assert told.recommendation is Recommendation.FLEX_JOB
    assert (told.resources, told.challenges) == (
        [WorkAbilityArea.WORK_EXPERIENCE, WorkAbilityArea.SOCIAL_SKILLS],
        [WorkAbilityArea.HEALTH],
    )
    assert (told.meetings_held, told.work_trials, told.specialist_assessments) == (11, 2, 1)
    assert told.result_date == date(2027, 2, 19)
    assert "kp-9" not in told.model_dump_json()


def test_a_referral_on_tells_the_next_step_and_its_dates_not_the_handover_facts_or_who() -> None:
    nxt = uuid4()
    referred_on = internal.CourseReferredOn(
        **ABOUT,
        handover_id=uuid4(),
        next_referral_id=nxt,
        next_programme_code="ASPA-UDV",
        next_provider_org="aspa-odense",
        relation=internal.HandoverRelation.SEQUENCE,
        planned_start=date(2027, 3, 1),
        previous_start_date=date(2026, 12, 7),
        previous_planned_end=date(2027, 2, 21),
        proposed_by_provider=True,
        referred_at=NOW,
    )
    [told] = translate.milestones(referred_on)
    assert isinstance(told, partner.NextStepPlanned)
    assert (told.next_referral_id, told.next_programme_code, told.next_provider_org) == (nxt, "ASPA-UDV", "aspa-odense")
    assert (told.relation, told.planned_start, told.previous_planned_end) == (
        internal.HandoverRelation.SEQUENCE,
        date(2027, 3, 1),
        date(2027, 2, 21),
    )
    assert "handover_id" not in told.model_dump()
    assert FORWARDED["course.referred_on.v1"] == ("programme.next_step_planned",)
    planned = internal.HandoverMeetingPlanned(
        **ABOUT,
        handover_id=uuid4(),
        next_referral_id=nxt,
        next_provider_org="aspa-odense",
        starts_at=NOW,
        timezone="Europe/Copenhagen",
        staff_ids=["cw-7", "co-3"],
        orgs=["jobcenter-aalborg", "rca-aalborg"],
        planned_at=NOW,
    )
    assert translate.milestones(planned) == []  # the meeting is the parties' own arrangement


def test_a_proposal_its_withdrawal_and_its_decline_are_told_with_codes_and_dates_never_who_or_why() -> None:
    proposal_id = uuid4()
    proposed = internal.NextStepProposed(
        **ABOUT,
        handover_id=proposal_id,
        next_programme_code="ASPA-UDV",
        next_provider_org="aspa-odense",
        relation=internal.HandoverRelation.OVERLAP,
        planned_start=date(2027, 2, 8),
        previous_planned_end=date(2027, 2, 21),
        proposed_at=NOW,
    )
    [told] = translate.milestones(proposed)
    assert isinstance(told, partner.NextStepProposed)
    assert (told.proposal_id, told.next_programme_code, told.next_provider_org, told.relation) == (
        proposal_id,
        "ASPA-UDV",
        "aspa-odense",
        internal.HandoverRelation.OVERLAP,
    )
    assert (told.planned_start, told.previous_planned_end, told.proposed_at) == (
        date(2027, 2, 8),
        date(2027, 2, 21),
        NOW,
    )
    withdrawn = internal.NextStepWithdrawn(
        **ABOUT,
        handover_id=proposal_id,
        next_programme_code="ASPA-UDV",
        next_provider_org="aspa-odense",
        withdrawn_at=NOW,
    )
    [back] = translate.milestones(withdrawn)
    assert isinstance(back, partner.NextStepWithdrawn)
    assert (back.proposal_id, back.withdrawn_at) == (proposal_id, NOW)
    # The jobcentre's caseworker declined it in Forløb's web: its case system hears that, and when.
    declined_at = NOW + timedelta(hours=3)
    declined = internal.NextStepDeclined(
        **ABOUT,
        handover_id=proposal_id,
        next_programme_code="ASPA-UDV",
        next_provider_org="aspa-odense",
        reason=internal.DeclineReason.PARTICIPANT_NOT_READY,
        declined_at=declined_at,
    )
    [no] = translate.milestones(declined)
    assert isinstance(no, partner.NextStepDeclined)
    assert (no.proposal_id, no.declined_at) == (proposal_id, declined_at)
    assert (no.referral_id, no.referring_org, no.provider_org) == (
        ABOUT["referral_id"],
        ABOUT["referring_org"],
        ABOUT["provider_org"],
    )
    assert FORWARDED["course.next_step_proposed.v1"] == ("programme.next_step_proposed",)
    assert FORWARDED["course.next_step_withdrawn.v1"] == ("programme.next_step_withdrawn",)
    assert FORWARDED["course.next_step_declined.v1"] == ("programme.next_step_declined",)
    # None carries a staff id or a reason: the contract has no field for one.
    for event in (told, back, no):
        dumped = event.model_dump()
        assert not {"staff_id", "created_by", "decided_by", "reason", "decline_reason"} & set(dumped)
    assert "participant_not_ready" not in no.model_dump_json()


def test_the_employer_register_and_job_development_are_the_provider_s_own() -> None:
    registered = internal.EmployerRegistered(
        employer_id=EMPLOYER, provider_org="rca-aalborg", country="DK", sector=EmployerSector.PRIVATE, registered_at=NOW
    )
    contacted = internal.EmployerContacted(
        employer_id=EMPLOYER,
        provider_org="rca-aalborg",
        contact_id=uuid4(),
        staff_id="kp-1",
        day=date(2026, 12, 2),
        kind=EmployerContactKind.FIRST_CONTACT,
        referral_id=ABOUT["referral_id"],
        participant_id=ABOUT["participant_id"],
        programme_code="IPS-AAL",
        referring_org="jobcenter-aalborg",
        recorded_at=NOW,
    )
    assert translate.milestones(registered) == []
    assert translate.milestones(contacted) == []


def test_every_forwarded_event_and_partner_type_exists() -> None:
    """FORWARDED documents the mapping: each internal routing key in it is a registered event and
    each partner type it names is in the contract."""
    assert set(FORWARDED) <= set(internal.event_types())
    contract = {cls.name for cls in partner.partner_event_types().values()}
    for routing_key, names in FORWARDED.items():
        assert set(names) <= contract, routing_key
    assert FORWARDED["employment.job_started.v1"] == ("employment.job_started",)
    assert FORWARDED["programme.clarification_result.v1"] == ("programme.clarification_result",)

"""Referring on, on the in-memory unit of work: the coordinator proposes, the caseworker refers on
(from the proposal or directly), the handover meeting; every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

import pytest

from forlob_referral.application import handover as uc
from forlob_referral.application.catalogue import define_programme
from forlob_referral.application.course import EndCourse, end_course
from forlob_referral.application.dpo import export_participant
from forlob_referral.application.employment import GiveResult, give_result
from forlob_referral.application.referrals import withdraw_referral
from forlob_referral.application.retention import erase_personal_data
from forlob_referral.domain.handover import HandoverState, MeetingParty
from forlob_referral.domain.programme import ProgrammeKind
from forlob_referral.domain.records import Attainment, ClosingNote, Goal, GoalAttainment, SubGoalAttainment
from forlob_referral.domain.referral import State, WithdrawReason
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.common import Outcome
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import (
    CourseReferredOn,
    DeclineReason,
    HandoverMeetingHeld,
    HandoverMeetingPlanned,
    NextStepDeclined,
    NextStepProposed,
    NextStepWithdrawn,
)
from forlob_shared.events.handover import HandoverRelation as Rel
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import PROVIDER_ORG, REFERRING_ORG
from forlob_testkit.referral_rules import (
    CASEWORKER,
    COORDINATOR,
    FIRST_INTAKE,
    HORIZON,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    Desk,
    define_command,
)

PHYSIO = "RCA-FYS"
DEVELOPMENT = "RCA-UDV-13"
ASPA = OTHER_COORDINATOR.org  # another provider
# The physiotherapy course runs Monday 1 June to Sunday 12 July 2026 (6 weeks).
PHYSIO_END = date(2026, 7, 12)
TWO_WEEKS_BEFORE = date(2026, 6, 29)  # a Monday, two weeks before the physiotherapy course ends


async def physio_course(desk: Desk, capacity: int = 12) -> UUID:
    """A started physiotherapy course before the development course (seed 002), clock 15 June."""
    await desk.programme(PHYSIO, kind=ProgrammeKind.PHYSIOTHERAPY, default_weeks=6, intake_weekdays=(0, 1, 2, 3, 4))
    await desk.programme(DEVELOPMENT, capacity=capacity)
    rid = await desk.refer(PHYSIO)
    await desk.accept(rid)
    await desk.start(rid, FIRST_INTAKE, weeks=6)
    desk.clock.set(datetime.combine(FIRST_INTAKE + timedelta(days=14), time(9), tzinfo=UTC))
    return rid


def step(start: date = TWO_WEEKS_BEFORE, relation: Rel = Rel.OVERLAP, code: str = DEVELOPMENT) -> uc.NextStep:
    return uc.NextStep(code, PROVIDER_ORG, relation, start)


def attained(level: Attainment = Attainment.ACHIEVED) -> tuple[GoalAttainment, ...]:
    return (
        GoalAttainment(
            goal="Stable attendance",
            attainment=level,
            sub_goals=[SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.PARTLY)],
        ),
        GoalAttainment(goal="Increase weekly hours", attainment=Attainment.NOT_ACHIEVED),
    )


def tables(desk: Desk) -> tuple[int, int, int]:
    return len(desk.store.table("referrals")), len(desk.store.table("handovers")), len(desk.store.published)


async def test_the_caseworker_refers_on_into_an_overlap_and_the_next_provider_receives_a_referral(desk: Desk) -> None:
    course = await physio_course(desk)
    view = await uc.refer_on(
        desk.uow(), CASEWORKER, course, step(), uc.ReferOn(goals=(Goal(text="Work-ready routine"),))
    )
    nxt = view.next_referral
    assert nxt is not None
    assert (nxt.state, nxt.programme_code, nxt.referring_org) == (State.RECEIVED, DEVELOPMENT, REFERRING_ORG)
    assert nxt.wished_start == TWO_WEEKS_BEFORE
    assert nxt.legal_basis == "LAB-32-1-2"  # the course's, unless the caseworker names another
    assert view.handover.state is HandoverState.REFERRED
    assert view.handover.proposed_by_provider is False
    assert desk.event_types(course)[-1] == "course.referred_on.v1"
    assert desk.event_types(nxt.id) == ["referral.received.v1"]
    event = desk.store.published[-1].data
    assert isinstance(event, CourseReferredOn)
    assert (event.relation, event.planned_start, event.previous_planned_end) == (
        Rel.OVERLAP,
        TWO_WEEKS_BEFORE,
        PHYSIO_END,
    )
    # The next provider accepts it as any referral: the intake is the planned start.
    accepted = await desk.accept(nxt.id)
    assert accepted.intake_date == TWO_WEEKS_BEFORE


async def test_the_same_participant_keeps_the_pseudonym_at_the_same_provider(desk: Desk) -> None:
    course = await physio_course(desk)
    view = await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    previous = (await desk.get(course)).referral
    assert view.next_referral is not None
    assert view.next_referral.participant_id == previous.participant_id


async def test_the_coordinator_proposes_with_attainment_counted_and_the_caseworker_refers_on(desk: Desk) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step(), attained(Attainment.PARTLY))
    assert proposal.handover.state is HandoverState.PROPOSED
    facts = proposal.handover.facts
    assert facts.goals is not None
    assert facts.sub_goals is not None
    assert (facts.goals.achieved, facts.goals.partly_achieved, facts.goals.not_achieved) == (0, 1, 1)
    assert (facts.sub_goals.partly_achieved, facts.start_date, facts.planned_end_date) == (1, FIRST_INTAKE, PHYSIO_END)
    assert "course.referred_on.v1" not in desk.event_types()  # a proposal decides nothing
    view = await uc.refer_on_as_proposed(desk.uow(), CASEWORKER, proposal.handover.id, uc.ReferOn())
    assert view.next_referral is not None
    event = desk.store.published[-1].data
    assert isinstance(event, CourseReferredOn)
    assert event.proposed_by_provider
    with pytest.raises(Conflict):
        await uc.refer_on_as_proposed(desk.uow(), CASEWORKER, proposal.handover.id, uc.ReferOn())


async def test_attainment_must_name_each_goal_of_the_referral_once(desk: Desk) -> None:
    course = await physio_course(desk)
    before = tables(desk)
    with pytest.raises(InvalidInput):
        await uc.propose_next_step(desk.uow(), COORDINATOR, course, step(), attained()[:1])
    assert tables(desk) == before


async def test_a_clarification_result_crosses_as_codes_and_no_words_cross_at_all(desk: Desk) -> None:
    await desk.programme("ASPA-AFK", kind=ProgrammeKind.CLARIFICATION, intake_weekdays=(0, 1, 2, 3, 4))
    await desk.programme(DEVELOPMENT)
    rid = await desk.refer("ASPA-AFK")
    await desk.accept(rid)
    await desk.start(rid, FIRST_INTAKE)
    desk.clock.set(datetime.combine(date(2026, 6, 15), time(9), tzinfo=UTC))
    await give_result(
        desk.uow(),
        COORDINATOR,
        rid,
        GiveResult(
            Recommendation.ANOTHER_PROGRAMME,
            (WorkAbilityArea.SOCIAL_SKILLS,),
            (WorkAbilityArea.HEALTH,),
            4,
            1,
            0,
            date(2026, 6, 15),
        ),
    )
    view = await uc.refer_on(desk.uow(), CASEWORKER, rid, step(date(2026, 6, 22)), uc.ReferOn())
    facts = view.handover.facts
    assert (facts.recommendation, facts.resources, facts.challenges) == (
        Recommendation.ANOTHER_PROGRAMME,
        (WorkAbilityArea.SOCIAL_SKILLS,),
        (WorkAbilityArea.HEALTH,),
    )
    assert facts.goals is None  # no attainment given, no closing note: not assessed
    assert view.next_referral is not None
    async with desk.uow() as uow:
        personal = await uow.personal.get(view.next_referral.id)
    # The next referral carries only the caseworker's own goals (none here), not the course's.
    assert personal is not None
    assert personal.goals == []


async def test_another_providers_programme_gets_the_referral_and_sees_only_the_facts(desk: Desk) -> None:
    course = await physio_course(desk)
    await define_programme(desk.uow(), OTHER_COORDINATOR, define_command("ASPA-UDV", intake_weekdays=(0,)), HORIZON)
    view = await uc.refer_on(
        desk.uow(), CASEWORKER, course, uc.NextStep("ASPA-UDV", ASPA, Rel.SEQUENCE, date(2026, 7, 20)), uc.ReferOn()
    )
    assert view.next_referral is not None
    assert view.next_referral.provider_org == ASPA
    found = await uc.handovers_of(desk.uow(), OTHER_COORDINATOR, view.next_referral.id)
    assert found.came_from is not None
    assert found.came_from.id == view.handover.id
    with pytest.raises(NotFound):  # the course before is not theirs
        await uc.handovers_of(desk.uow(), OTHER_COORDINATOR, course)


async def test_the_next_provider_never_sees_a_proposal(desk: Desk) -> None:
    course = await physio_course(desk)
    await define_programme(desk.uow(), OTHER_COORDINATOR, define_command("ASPA-UDV", intake_weekdays=(0,)), HORIZON)
    proposal = await uc.propose_next_step(
        desk.uow(), COORDINATOR, course, uc.NextStep("ASPA-UDV", ASPA, Rel.OVERLAP, TWO_WEEKS_BEFORE)
    )
    with pytest.raises(NotFound):
        await uc.get_handover(desk.uow(), OTHER_COORDINATOR, proposal.handover.id)
    await uc.refer_on_as_proposed(desk.uow(), CASEWORKER, proposal.handover.id, uc.ReferOn())
    assert (await uc.get_handover(desk.uow(), OTHER_COORDINATOR, proposal.handover.id)).handover.next_referral_id


async def test_no_free_seat_in_the_period_is_409_and_nothing_is_written(desk: Desk) -> None:
    course = await physio_course(desk, capacity=1)
    holder = await desk.refer(DEVELOPMENT, wished_start=TWO_WEEKS_BEFORE)
    await desk.accept(holder)
    before = tables(desk)
    with pytest.raises(Conflict) as refused:
        await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    assert refused.value.extra.get("reason") == "no-free-seat"
    with pytest.raises(Conflict):
        await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    assert tables(desk) == before


@pytest.mark.parametrize(
    ("relation", "start"),
    [
        (Rel.OVERLAP, date(2026, 7, 13)),  # an overlap starting after the course's last day
        (Rel.SEQUENCE, TWO_WEEKS_BEFORE),  # a sequence starting before it ends
        (Rel.SEQUENCE, PHYSIO_END),  # ... or on its last day
        (Rel.OVERLAP, date(2026, 6, 8)),  # in the past
        (Rel.OVERLAP, date(2026, 6, 30)),  # not an intake day of the development course
    ],
)
async def test_timing_that_does_not_fit_the_relation_is_refused(desk: Desk, relation: Rel, start: date) -> None:
    course = await physio_course(desk)
    before = tables(desk)
    with pytest.raises(InvalidInput) as refused:
        await uc.refer_on(desk.uow(), CASEWORKER, course, step(start, relation), uc.ReferOn())
    assert refused.value.extra["field"] == "planned_start"
    assert tables(desk) == before


async def test_a_programme_that_does_not_exist_or_is_the_course_s_own_is_invalid_input(desk: Desk) -> None:
    course = await physio_course(desk)
    for code in ("NO-SUCH", PHYSIO):  # the same programme again is an extension, not a next step
        with pytest.raises(InvalidInput) as refused:
            await uc.refer_on(desk.uow(), CASEWORKER, course, step(code=code), uc.ReferOn())
        assert refused.value.extra["field"] == "programme_code"


async def test_only_a_running_course_is_referred_on(desk: Desk) -> None:
    await desk.programme(DEVELOPMENT)
    waiting = await desk.refer(DEVELOPMENT)
    await withdraw_referral(desk.uow(), CASEWORKER, waiting, WithdrawReason.MOVED, HORIZON)
    with pytest.raises(Conflict):
        await uc.refer_on(desk.uow(), CASEWORKER, waiting, step(), uc.ReferOn())
    course = await physio_course(desk)
    note = ClosingNote(summary="s", resources="r", development_possibilities="d", goal_attainment=list(attained()))
    await end_course(
        desk.uow(), COORDINATOR, course, EndCourse(date(2026, 6, 15), Outcome.ANOTHER_PROGRAMME, note), HORIZON
    )
    before = tables(desk)
    with pytest.raises(Conflict):
        await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    assert tables(desk) == before


async def test_one_next_step_at_a_time_until_the_next_referral_closes(desk: Desk) -> None:
    course = await physio_course(desk)
    first = await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    with pytest.raises(Conflict):
        await uc.refer_on(desk.uow(), CASEWORKER, course, step(date(2026, 7, 6)), uc.ReferOn())
    assert first.next_referral is not None
    await withdraw_referral(desk.uow(), CASEWORKER, first.next_referral.id, WithdrawReason.OTHER_OFFER, HORIZON)
    again = await uc.refer_on(desk.uow(), CASEWORKER, course, step(date(2026, 7, 6)), uc.ReferOn())
    assert again.handover.id != first.handover.id


async def test_only_the_referring_jobcentre_refers_on_and_only_the_provider_proposes(desk: Desk) -> None:
    course = await physio_course(desk)
    with pytest.raises(NotFound):
        await uc.refer_on(desk.uow(), OTHER_CASEWORKER, course, step(), uc.ReferOn())
    with pytest.raises(NotFound):
        await uc.propose_next_step(desk.uow(), OTHER_COORDINATOR, course, step())
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    with pytest.raises(NotFound):
        await uc.refer_on_as_proposed(desk.uow(), OTHER_CASEWORKER, proposal.handover.id, uc.ReferOn())


async def test_the_handover_meeting_is_planned_with_every_party_and_held(desk: Desk) -> None:
    course = await physio_course(desk)
    await define_programme(desk.uow(), OTHER_COORDINATOR, define_command("ASPA-UDV", intake_weekdays=(0,)), HORIZON)
    view = await uc.refer_on(
        desk.uow(), CASEWORKER, course, uc.NextStep("ASPA-UDV", ASPA, Rel.OVERLAP, TWO_WEEKS_BEFORE), uc.ReferOn()
    )
    hid = view.handover.id
    starts = datetime(2026, 6, 22, 10, 0, tzinfo=UTC)
    everyone = (
        MeetingParty(REFERRING_ORG, "cw-7"),
        MeetingParty(PROVIDER_ORG, "co-3"),
        MeetingParty(ASPA, "co-9"),
    )
    before = tables(desk)
    with pytest.raises(InvalidInput):  # the next provider is missing
        await uc.plan_meeting(desk.uow(), COORDINATOR, hid, starts, everyone[:2])
    with pytest.raises(InvalidInput):  # a stranger
        await uc.plan_meeting(desk.uow(), COORDINATOR, hid, starts, (*everyone, MeetingParty("elsewhere", "x-1")))
    with pytest.raises(InvalidInput):  # in the past
        await uc.plan_meeting(desk.uow(), COORDINATOR, hid, starts - timedelta(days=30), everyone)
    with pytest.raises(Conflict):  # not planned yet
        await uc.record_meeting_held(desk.uow(), CASEWORKER, hid)
    assert tables(desk) == before
    planned = await uc.plan_meeting(desk.uow(), OTHER_COORDINATOR, hid, starts, everyone)
    assert planned.handover.meeting is not None
    assert planned.handover.meeting.timezone == "Europe/Copenhagen"
    event = desk.store.published[-1].data
    assert isinstance(event, HandoverMeetingPlanned)
    assert (event.staff_ids, event.orgs) == (["cw-7", "co-3", "co-9"], [REFERRING_ORG, PROVIDER_ORG, ASPA])
    with pytest.raises(Conflict):  # not begun
        await uc.record_meeting_held(desk.uow(), CASEWORKER, hid)
    desk.clock.set(starts + timedelta(hours=1))
    held = await uc.record_meeting_held(desk.uow(), CASEWORKER, hid)
    assert held.handover.meeting is not None
    assert held.handover.meeting.held_at == starts + timedelta(hours=1)
    assert isinstance(desk.store.published[-1].data, HandoverMeetingHeld)
    with pytest.raises(Conflict):
        await uc.record_meeting_held(desk.uow(), CASEWORKER, hid)
    with pytest.raises(NotFound):
        await uc.plan_meeting(desk.uow(), OTHER_CASEWORKER, hid, starts, everyone)


async def test_a_proposal_has_no_meeting_yet(desk: Desk) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    with pytest.raises(Conflict):
        await uc.plan_meeting(
            desk.uow(),
            COORDINATOR,
            proposal.handover.id,
            datetime(2026, 6, 22, 10, tzinfo=UTC),
            (MeetingParty(REFERRING_ORG, "cw-7"), MeetingParty(PROVIDER_ORG, "co-3")),
        )


async def test_erasure_empties_the_handed_over_areas_and_keeps_the_rest(desk: Desk) -> None:
    course = await physio_course(desk)
    view = await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    async with desk.uow() as uow:
        referral = await uow.referrals.get_visible(course, PROVIDER_ORG)
        assert referral is not None
        await erase_personal_data(uow, [referral], uow.clock.now())
        await uow.commit()
    async with desk.uow() as uow:
        kept = await uow.handovers.get(view.handover.id, REFERRING_ORG)
    assert kept is not None
    assert kept.planned_start == TWO_WEEKS_BEFORE
    assert kept.facts.resources == ()
    assert kept.facts.challenges == ()


async def test_the_participant_s_export_holds_the_handover_once_without_who_made_it(desk: Desk) -> None:
    course = await physio_course(desk)
    view = await uc.refer_on(desk.uow(), CASEWORKER, course, step(), uc.ReferOn())
    dpo = Principal(staff_id="dpo-1", org=PROVIDER_ORG, roles=frozenset({"dpo"}))
    referral = (await desk.get(course)).referral
    part = await export_participant(desk.uow(), dpo, referral.participant_id, 1826)
    [category] = [c for c in part["categories"] if c["category"] == "handovers"]
    [record] = category["records"]
    assert record["id"] == str(view.handover.id)  # from the one course and into the next: once
    assert record["relation"] == "overlap"
    assert "cw-7" not in str(record)


async def test_a_proposal_is_told_in_the_course_s_order_with_codes_and_dates(desk: Desk) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step(), attained())
    assert desk.event_types(course)[-1] == "course.next_step_proposed.v1"
    published = desk.store.published[-1]
    event = published.data
    assert isinstance(event, NextStepProposed)
    assert published.subject == str(course)  # the previous course's order, as every handover event
    assert (event.handover_id, event.next_programme_code, event.relation) == (
        proposal.handover.id,
        DEVELOPMENT,
        Rel.OVERLAP,
    )
    assert (event.planned_start, event.previous_planned_end) == (TWO_WEEKS_BEFORE, PHYSIO_END)
    assert "Stable attendance" not in event.model_dump_json()  # the goals' words never cross


async def test_the_caseworker_declines_with_a_coded_reason_and_may_then_refer_on_otherwise(desk: Desk) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    with pytest.raises(Conflict):  # an undecided proposal blocks any other next step
        await uc.refer_on(desk.uow(), CASEWORKER, course, step(date(2026, 7, 6)), uc.ReferOn())
    desk.clock.set(desk.clock.now() + timedelta(hours=2))
    view = await uc.decline_proposal(desk.uow(), CASEWORKER, proposal.handover.id, DeclineReason.PARTICIPANT_NOT_READY)
    declined = view.handover
    assert (declined.state, declined.decline_reason) == (HandoverState.DECLINED, DeclineReason.PARTICIPANT_NOT_READY)
    assert (declined.decided_by, declined.decided_at) == (CASEWORKER.staff_id, desk.clock.now())
    event = desk.store.published[-1].data
    assert isinstance(event, NextStepDeclined)
    assert (event.handover_id, event.reason, event.declined_at) == (
        declined.id,
        DeclineReason.PARTICIPANT_NOT_READY,
        desk.clock.now(),
    )
    assert CASEWORKER.staff_id not in event.model_dump_json()  # who declined stays in the service
    again = await uc.refer_on(desk.uow(), CASEWORKER, course, step(date(2026, 7, 6)), uc.ReferOn())
    assert again.handover.state is HandoverState.REFERRED


async def test_the_coordinator_withdraws_and_may_propose_again(desk: Desk) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    view = await uc.withdraw_proposal(desk.uow(), COORDINATOR, proposal.handover.id)
    assert (view.handover.state, view.handover.decided_by) == (HandoverState.WITHDRAWN, COORDINATOR.staff_id)
    assert view.handover.decline_reason is None
    event = desk.store.published[-1].data
    assert isinstance(event, NextStepWithdrawn)
    assert event.handover_id == proposal.handover.id
    desk.clock.set(desk.clock.now() + timedelta(hours=1))  # the handovers of a course are listed oldest first
    second = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step(date(2026, 7, 6)))
    assert second.handover.state is HandoverState.PROPOSED
    found = await uc.handovers_of(desk.uow(), CASEWORKER, course)
    assert [h.state for h in found.onward] == [HandoverState.WITHDRAWN, HandoverState.PROPOSED]


@pytest.mark.parametrize("decision", ["declined", "withdrawn", "referred"])
async def test_a_decided_proposal_takes_no_other_decision_and_nothing_is_written(desk: Desk, decision: str) -> None:
    course = await physio_course(desk)
    hid = (await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())).handover.id
    if decision == "declined":
        await uc.decline_proposal(desk.uow(), CASEWORKER, hid, DeclineReason.OTHER)
    elif decision == "withdrawn":
        await uc.withdraw_proposal(desk.uow(), COORDINATOR, hid)
    else:
        await uc.refer_on_as_proposed(desk.uow(), CASEWORKER, hid, uc.ReferOn())
    before = tables(desk)
    attempts: tuple[Callable[[], Awaitable[uc.HandoverView]], ...] = (
        lambda: uc.decline_proposal(desk.uow(), CASEWORKER, hid, DeclineReason.NO_LONGER_RELEVANT),
        lambda: uc.withdraw_proposal(desk.uow(), COORDINATOR, hid),
        lambda: uc.refer_on_as_proposed(desk.uow(), CASEWORKER, hid, uc.ReferOn()),
    )
    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            await attempt()
        assert refused.value.extra["current_state"] == decision
    assert tables(desk) == before
    assert (await uc.get_handover(desk.uow(), CASEWORKER, hid)).handover.state.value == decision


async def test_only_the_referring_caseworker_declines_and_only_the_proposing_coordinator_withdraws(
    desk: Desk,
) -> None:
    course = await physio_course(desk)
    await define_programme(desk.uow(), OTHER_COORDINATOR, define_command("ASPA-UDV", intake_weekdays=(0,)), HORIZON)
    hid = (
        await uc.propose_next_step(
            desk.uow(), COORDINATOR, course, uc.NextStep("ASPA-UDV", ASPA, Rel.OVERLAP, TWO_WEEKS_BEFORE)
        )
    ).handover.id
    before = tables(desk)
    with pytest.raises(NotFound):  # another jobcentre
        await uc.decline_proposal(desk.uow(), OTHER_CASEWORKER, hid, DeclineReason.OTHER)
    with pytest.raises(NotFound):  # the next provider never sees the proposal
        await uc.withdraw_proposal(desk.uow(), OTHER_COORDINATOR, hid)
    with pytest.raises(NotFound):  # the provider does not decline for the jobcentre
        await uc.decline_proposal(desk.uow(), COORDINATOR, hid, DeclineReason.OTHER)
    with pytest.raises(NotFound):  # nor the jobcentre withdraw for the provider
        await uc.withdraw_proposal(desk.uow(), CASEWORKER, hid)
    assert tables(desk) == before


async def test_the_participant_s_export_holds_a_declined_proposal_with_its_reason_not_who_declined(
    desk: Desk,
) -> None:
    course = await physio_course(desk)
    proposal = await uc.propose_next_step(desk.uow(), COORDINATOR, course, step())
    await uc.decline_proposal(desk.uow(), CASEWORKER, proposal.handover.id, DeclineReason.ANOTHER_STEP_PLANNED)
    dpo = Principal(staff_id="dpo-1", org=PROVIDER_ORG, roles=frozenset({"dpo"}))
    referral = (await desk.get(course)).referral
    part = await export_participant(desk.uow(), dpo, referral.participant_id, 1826)
    [category] = [c for c in part["categories"] if c["category"] == "handovers"]
    [record] = category["records"]
    assert (record["state"], record["decline_reason"]) == ("declined", "another_step_planned")
    assert "decided_by" not in record
    assert CASEWORKER.staff_id not in str(record)
    assert COORDINATOR.staff_id not in str(record)

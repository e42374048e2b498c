"""One contract for the handover repository, run against PostgreSQL and the in-memory twin alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.handover import (
    AttainmentCounts,
    Handover,
    HandoverFacts,
    HandoverState,
    MeetingParty,
    new_handover,
)
from forlob_referral.domain.referral import Referral, State
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import DeclineReason, HandoverRelation
from forlob_testkit.referral import NOW, PROVIDER_ORG, REFERRING_ORG
from forlob_testkit.referral_rules import programme, referral

MakeUoW = Callable[[], ReferralUoW]
NEXT_ORG = "aspa-odense"
FACTS = HandoverFacts(
    programme_code="RCA-FYS",
    provider_org=PROVIDER_ORG,
    start_date=date(2026, 6, 1),
    planned_end_date=date(2026, 7, 12),
    goals=AttainmentCounts(1, 1, 0),
    sub_goals=AttainmentCounts(0, 1, 0),
    recommendation=Recommendation.ANOTHER_PROGRAMME,
    resources=(WorkAbilityArea.SOCIAL_SKILLS,),
    challenges=(WorkAbilityArea.HEALTH, WorkAbilityArea.NETWORK),
)


async def _courses(make_uow: MakeUoW) -> tuple[Referral, Referral]:
    course = referral("RCA-FYS", state=State.STARTED, start_date=date(2026, 6, 1), planned_end_date=date(2026, 7, 12))
    nxt = referral("ASPA-UDV", provider_org=NEXT_ORG)
    async with make_uow() as uow:
        await uow.programmes.save(programme("RCA-FYS"))
        await uow.programmes.save(programme("ASPA-UDV", provider_org=NEXT_ORG))
        await uow.referrals.add(course)
        await uow.referrals.add(nxt)
        await uow.commit()
    return course, nxt


def _proposal(course: Referral, at: datetime = NOW) -> Handover:
    return new_handover(
        course=course,
        next_programme=programme("ASPA-UDV", provider_org=NEXT_ORG),
        relation=HandoverRelation.OVERLAP,
        planned_start=date(2026, 6, 29),
        facts=FACTS,
        proposed_by_provider=True,
        staff_id="co-3",
        now=at,
    )


async def test_a_handover_is_read_back_whole_and_changes_are_saved(make_uow: MakeUoW) -> None:
    course, nxt = await _courses(make_uow)
    handover = _proposal(course)
    async with make_uow() as uow:
        await uow.handovers.add(handover)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.handovers.get(handover.id, PROVIDER_ORG) == handover
        handover.referred(nxt, "cw-7", NOW + timedelta(hours=1))
        handover.plan_meeting(
            starts_at=NOW + timedelta(days=2),
            timezone="Europe/Copenhagen",
            parties=(
                MeetingParty(REFERRING_ORG, "cw-7"),
                MeetingParty(PROVIDER_ORG, "co-3"),
                MeetingParty(NEXT_ORG, "co-9"),
            ),
            staff_id="co-3",
            now=NOW + timedelta(hours=2),
        )
        await uow.handovers.save(handover)
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.handovers.get(handover.id, REFERRING_ORG)
        assert found == handover
        assert found is not None
        assert found.state is HandoverState.REFERRED
        assert await uow.handovers.into(nxt.id) == handover
        assert await uow.handovers.into(course.id) is None


async def test_only_the_parties_read_it_and_the_next_provider_once_referred(make_uow: MakeUoW) -> None:
    course, nxt = await _courses(make_uow)
    handover = _proposal(course)
    async with make_uow() as uow:
        await uow.handovers.add(handover)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.handovers.get(handover.id, NEXT_ORG) is None
        assert await uow.handovers.get(handover.id, "jobcenter-odense") is None
        assert await uow.handovers.get(uuid4(), PROVIDER_ORG) is None
        handover.referred(nxt, "cw-7", NOW)
        await uow.handovers.save(handover)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.handovers.get(handover.id, NEXT_ORG) == handover


async def test_the_handovers_of_a_course_oldest_first(make_uow: MakeUoW) -> None:
    course, _ = await _courses(make_uow)
    later, earlier = _proposal(course, NOW + timedelta(minutes=5)), _proposal(course)
    async with make_uow() as uow:
        await uow.handovers.add(later)
        await uow.handovers.add(earlier)
        await uow.commit()
    async with make_uow() as uow:
        assert [h.id for h in await uow.handovers.of_course(course.id)] == [earlier.id, later.id]
        assert await uow.handovers.of_course(uuid4()) == []


async def test_a_referral_comes_from_one_handover_at_most(make_uow: MakeUoW) -> None:
    course, nxt = await _courses(make_uow)
    first, second = _proposal(course), _proposal(course)
    first.referred(nxt, "cw-7", NOW)
    second.referred(nxt, "cw-7", NOW)
    async with make_uow() as uow:
        await uow.handovers.add(first)
        await uow.commit()
    async with make_uow() as uow:
        with pytest.raises(Exception):  # noqa: B017 - the unique constraint: IntegrityError or KeyError
            await uow.handovers.add(second)


async def test_erasure_empties_the_areas_of_handovers_from_and_into_the_referrals(make_uow: MakeUoW) -> None:
    course, nxt = await _courses(make_uow)
    handover = _proposal(course)
    handover.referred(nxt, "cw-7", NOW)
    async with make_uow() as uow:
        await uow.handovers.add(handover)
        await uow.commit()
    async with make_uow() as uow:
        await uow.handovers.erase([nxt.id])
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.handovers.get(handover.id, PROVIDER_ORG)
    assert found == replace(handover, facts=replace(FACTS, resources=(), challenges=()))


@pytest.mark.parametrize("decision", ["declined", "withdrawn"])
async def test_a_decided_proposal_is_read_back_with_who_when_and_the_reason(make_uow: MakeUoW, decision: str) -> None:
    course, _ = await _courses(make_uow)
    handover = _proposal(course)
    async with make_uow() as uow:
        await uow.handovers.add(handover)
        await uow.commit()
    decided_at = NOW + timedelta(hours=3)
    if decision == "declined":
        handover.decline(DeclineReason.PARTICIPANT_NOT_READY, "cw-7", decided_at)
    else:
        handover.withdraw("co-3", decided_at)
    async with make_uow() as uow:
        await uow.handovers.save(handover)
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.handovers.get(handover.id, REFERRING_ORG)
        [of_course] = await uow.handovers.of_course(course.id)
    assert found == handover == of_course
    assert found is not None
    assert (found.state.value, found.decided_at) == (decision, decided_at)
    assert found.decided_by == ("cw-7" if decision == "declined" else "co-3")
    expected = DeclineReason.PARTICIPANT_NOT_READY if decision == "declined" else None
    assert found.decline_reason is expected
    async with make_uow() as uow:  # the next provider never sees a proposal, decided or not
        assert await uow.handovers.get(handover.id, NEXT_ORG) is None

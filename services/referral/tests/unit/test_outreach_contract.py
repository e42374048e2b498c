"""One contract for the outreach cases' repository, run against PostgreSQL and the in-memory twin alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain import outreach as rules
from forlob_referral.domain.outreach import OutreachCase, Phase
from forlob_referral.domain.participant import IdentityScheme, identify
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)
from forlob_testkit.referral import CPR, NOW
from forlob_testkit.referral_outreach import OUTREACH_ORG, outreach_programme

MakeUoW = Callable[[], ReferralUoW]


def new_case(within: int | None = 3) -> OutreachCase:
    case, _ = rules.open_case(
        programme=outreach_programme(),
        working_name="The man at the kiosk",
        description="Sleeps in the stairwell.",
        staff_id="op-1",
        opened_by="op-1",
        next_within_days=within,
        next_by=None,
        now=NOW,
    )
    return case


async def test_a_case_is_read_back_whole_and_only_by_its_organisation(make_uow: MakeUoW) -> None:
    case = new_case()
    async with make_uow() as uow:
        await uow.outreach.add(case)
        attempt, _ = case.attempt(
            place=ContactPlace.SHELTER,
            channel=ContactChannel.IN_PERSON,
            outcome=ContactOutcome.MEETING_AGREED,
            staff_id="op-1",
            attempted_at=NOW + timedelta(hours=1),
            next_within_days=None,
            next_by=date(2026, 5, 27),
            note="Coffee on Tuesday",
            now=NOW + timedelta(hours=1),
        )
        await uow.outreach.add_attempt(attempt)
        case.move_to(Phase.RELATIONSHIP, staff_id="op-1", now=NOW + timedelta(hours=2))
        case.record_consent(method=ConsentMethod.DIGITAL, given_at=NOW, staff_id="op-1", now=NOW + timedelta(hours=2))
        case.identify(identify("Jens Hansen", CPR, IdentityScheme.DK_CPR), uuid4(), NOW + timedelta(hours=2))
        case.hand_over(uuid4(), staff_id="op-1", now=NOW + timedelta(hours=3))
        await uow.outreach.save(case)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.outreach.get(case.id, OUTREACH_ORG) == case
        assert await uow.outreach.get(case.id, "ops-odense") is None
        assert await uow.outreach.attempts_of(case.id) == [attempt]
        assert [c.id for c in await uow.outreach.of_org(OUTREACH_ORG, include_closed=False)] == [case.id]
        assert case.participant is not None
        assert await uow.outreach.pseudonym_at(OUTREACH_ORG, case.participant) == case.participant_id
        assert await uow.outreach.pseudonym_at("ops-odense", case.participant) is None
        assert case.participant_id is not None
        assert [c.id for c in await uow.outreach.of_participant(OUTREACH_ORG, case.participant_id)] == [case.id]
        assert await uow.outreach.with_identity_number(OUTREACH_ORG, CPR) == [(case.id, case.participant_id)]
        assert await uow.outreach.with_identity_number("ops-odense", CPR) == []


async def test_a_case_left_without_commit_is_gone(make_uow: MakeUoW) -> None:
    case = new_case()
    async with make_uow() as uow:
        await uow.outreach.add(case)
    async with make_uow() as uow:
        assert await uow.outreach.get(case.id, OUTREACH_ORG) is None


async def test_closed_cases_leave_the_caseload_and_become_due_for_erasure(make_uow: MakeUoW) -> None:
    open_one, closed = new_case(), new_case()
    closed.move_to(Phase.CLOSED, staff_id="op-1", now=NOW, close_reason=OutreachCloseReason.MOVED_AWAY)
    async with make_uow() as uow:
        await uow.outreach.add(open_one)
        await uow.outreach.add(closed)
        await uow.commit()
    async with make_uow() as uow:
        assert [c.id for c in await uow.outreach.of_org(OUTREACH_ORG, include_closed=False)] == [open_one.id]
        assert len(await uow.outreach.of_org(OUTREACH_ORG, include_closed=True)) == 2
        assert await uow.outreach.due_for_erasure(NOW, 10) == []
        [due] = await uow.outreach.due_for_erasure(NOW + timedelta(seconds=1), 10)
        assert due.id == closed.id


async def test_overdue_candidates_are_open_past_due_and_not_yet_reported(make_uow: MakeUoW) -> None:
    due, later, reported, unplanned = new_case(1), new_case(10), new_case(1), new_case(None)
    reported.overdue_reported_for = reported.next_attempt_by
    async with make_uow() as uow:
        for case in (due, later, reported, unplanned):
            await uow.outreach.add(case)
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.outreach.overdue_candidates(date(2026, 5, 25), 10)
        assert [c.id for c in found] == [due.id]


async def test_erasing_notes_keeps_the_attempts_facts(make_uow: MakeUoW) -> None:
    case = new_case()
    attempt, _ = case.attempt(
        place=ContactPlace.HOME,
        channel=ContactChannel.LETTER,
        outcome=ContactOutcome.NO_ANSWER,
        staff_id="op-1",
        attempted_at=NOW,
        next_within_days=None,
        next_by=None,
        note="Left a note under the door",
        now=NOW,
    )
    async with make_uow() as uow:
        await uow.outreach.add(case)
        await uow.outreach.add_attempt(attempt)
        await uow.outreach.erase_notes([case.id])
        await uow.commit()
    async with make_uow() as uow:
        [kept] = await uow.outreach.attempts_of(case.id)
        assert kept.note is None
        assert kept.outcome is ContactOutcome.NO_ANSWER

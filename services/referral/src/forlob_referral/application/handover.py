"""Use cases of referring on (docs/referral.md#referring-on-the-next-step): the provider's
coordinator proposes a next step for a running course, the referring caseworker refers on (from
the proposal or directly), and the parties plan and hold the handover meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain import handover as rules
from forlob_referral.domain import handover_checks as checks
from forlob_referral.domain import referral as referral_rules
from forlob_referral.domain.handover import Handover, MeetingParty
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.records import Goal, GoalAttainment, check_attainment_covers
from forlob_referral.domain.referral import Referral
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.handover import DeclineReason, HandoverRelation
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class NextStep:
    programme_code: str
    provider_org: str
    relation: HandoverRelation
    planned_start: date


@dataclass(frozen=True)
class ReferOn:
    """What the caseworker writes for the next referral, as in any referral."""

    goals: tuple[Goal, ...] = ()
    wished_weekly_hours: float | None = None
    legal_basis: str | None = None  # default: the course's
    legal_context: str | None = None


@dataclass(frozen=True)
class HandoverView:
    handover: Handover
    next_referral: Referral | None = None


async def _next_programme(uow: ReferralUoW, provider_org: str, code: str, *, lock: bool = False) -> Programme:
    programme = await uow.programmes.get(provider_org, code, lock=lock)
    if programme is None:
        # A body naming something that does not exist is invalid input, not a missing resource.
        raise InvalidInput(f"{provider_org} has no programme {code}", field="programme_code")
    programme.require_shape(ProgrammeShape.TIMETABLED, ProgrammeShape.MEETINGS, doing="take referrals")
    return programme


async def _check_step(
    uow: ReferralUoW, course: Referral, step: NextStep, *, excluding: UUID | None = None
) -> Programme:
    """The course runs, no other next step is under way from it, the timing fits and the next
    programme has a seat free for the period (under its row lock, as every seat decision)."""
    checks.check_course(course)
    checks.check_another_programme(course, step.provider_org, step.programme_code)
    others = [h for h in await uow.handovers.of_course(course.id, lock=True) if h.id != excluding]
    states = {}
    for h in others:
        if h.next_referral_id is not None:
            made = await uow.referrals.get_visible(h.next_referral_id, h.referring_org)
            if made is not None:
                states[made.id] = made.state
    checks.check_open(others, states)
    course_programme = await uow.programmes.get(course.provider_org, course.programme_code)
    assert course_programme is not None  # a programme is never deleted
    today = course_programme.calendar.local_date(uow.clock.now())
    checks.check_timing(course, step.relation, step.planned_start, today)
    programme = await _next_programme(uow, step.provider_org, step.programme_code, lock=True)
    held = await uow.referrals.seats(programme.provider_org, programme.code)
    checks.check_seat(programme, [h.seat for h in held], step.planned_start)
    return programme


async def propose_next_step(
    uow: ReferralUoW,
    coordinator: Principal,
    referral_id: UUID,
    step: NextStep,
    attainment: tuple[GoalAttainment, ...] | None = None,
) -> HandoverView:
    """The provider's coordinator proposes the next step, with the goals' attainment so far (else
    the closing note's, if written); the caseworker refers on from it, or not."""
    async with uow:
        course = await uow.referrals.get_provided_by(referral_id, coordinator.org, lock=True)
        if course is None:
            raise NotFound(f"no referral {referral_id}")
        programme = await _check_step(uow, course, step)
        personal = await uow.personal.get(course.id)
        if attainment is not None:
            check_attainment_covers(attainment, personal.goals if personal else [], "goal_attainment")
        elif personal is not None and personal.closing_note is not None:
            attainment = tuple(personal.closing_note.goal_attainment)
        facts = rules.handover_facts(course, attainment, await uow.employment.clarification(course.id))
        handover = rules.new_handover(
            course=course,
            next_programme=programme,
            relation=step.relation,
            planned_start=step.planned_start,
            facts=facts,
            proposed_by_provider=True,
            staff_id=coordinator.staff_id,
            now=uow.clock.now(),
        )
        await uow.handovers.add(handover)
        uow.emit(handover.proposed())
        view = HandoverView(handover)
        await uow.commit(view)
    return view


async def decline_proposal(
    uow: ReferralUoW, caseworker: Principal, handover_id: UUID, reason: DeclineReason
) -> HandoverView:
    """The referring caseworker declines the provider's proposal, with a coded reason; another next
    step may then be proposed or referred on."""
    async with uow:
        handover = await uow.handovers.get(handover_id, caseworker.org, lock=True)
        if handover is None or handover.referring_org != caseworker.org:
            raise NotFound(f"no handover {handover_id}")
        uow.emit(handover.decline(reason, caseworker.staff_id, uow.clock.now()))
        await uow.handovers.save(handover)
        view = HandoverView(handover)
        await uow.commit(view)
    return view


async def withdraw_proposal(uow: ReferralUoW, coordinator: Principal, handover_id: UUID) -> HandoverView:
    """The proposing provider's coordinator takes back a proposal nobody has decided on."""
    async with uow:
        handover = await uow.handovers.get(handover_id, coordinator.org, lock=True)
        # The next provider (once it is a party) did not propose: to it this is no proposal to take back.
        if handover is None or handover.provider_org != coordinator.org:
            raise NotFound(f"no handover {handover_id}")
        uow.emit(handover.withdraw(coordinator.staff_id, uow.clock.now()))
        await uow.handovers.save(handover)
        view = HandoverView(handover)
        await uow.commit(view)
    return view


async def _refer(
    uow: ReferralUoW, caseworker: Principal, course: Referral, handover: Handover, command: ReferOn
) -> Referral:
    personal = await uow.personal.get(course.id)
    if personal is None:
        raise Conflict("the participant's personal data has been erased", reason="erased")
    programme = await _next_programme(uow, handover.next_provider_org, handover.next_programme_code)
    now = uow.clock.now()
    next_referral, received = referral_rules.receive(
        programme=programme,
        referring_org=course.referring_org,
        caseworker_id=caseworker.staff_id,
        now=now,
        participant_id=await uow.personal.pseudonym_at(programme.provider_org, personal.participant),
        wished_start=handover.planned_start,
        wished_weekly_hours=command.wished_weekly_hours,
        legal_basis=command.legal_basis or course.legal_basis,
        legal_context=command.legal_context or course.legal_context,
    )
    await uow.referrals.add(next_referral)
    # The participant's identity stays in this service; only the caseworker's own goals go with it.
    await uow.personal.add(next_referral.id, personal.participant, command.goals)
    uow.emit(received, handover.referred(next_referral, caseworker.staff_id, now))
    return next_referral


async def refer_on(
    uow: ReferralUoW, caseworker: Principal, referral_id: UUID, step: NextStep, command: ReferOn
) -> HandoverView:
    """The referring caseworker refers on from a running course, without a proposal."""
    async with uow:
        course = await uow.referrals.get_referred_by(referral_id, caseworker.org, lock=True)
        if course is None:
            raise NotFound(f"no referral {referral_id}")
        programme = await _check_step(uow, course, step)
        personal = await uow.personal.get(course.id)
        attainment = personal.closing_note.goal_attainment if personal and personal.closing_note else None
        handover = rules.new_handover(
            course=course,
            next_programme=programme,
            relation=step.relation,
            planned_start=step.planned_start,
            facts=rules.handover_facts(course, attainment, await uow.employment.clarification(course.id)),
            proposed_by_provider=False,
            staff_id=caseworker.staff_id,
            now=uow.clock.now(),
        )
        next_referral = await _refer(uow, caseworker, course, handover, command)
        await uow.handovers.add(handover)
        view = HandoverView(handover, next_referral)
        await uow.commit(view)
    return view


async def refer_on_as_proposed(
    uow: ReferralUoW, caseworker: Principal, handover_id: UUID, command: ReferOn
) -> HandoverView:
    """The referring caseworker refers on as the provider proposed; the rules are checked again."""
    async with uow:
        handover = await uow.handovers.get(handover_id, caseworker.org, lock=True)
        if handover is None or handover.referring_org != caseworker.org:
            raise NotFound(f"no handover {handover_id}")
        handover.require_undecided()  # before the rules: a decided proposal is a 409 with its state
        course = await uow.referrals.get_referred_by(handover.referral_id, caseworker.org, lock=True)
        assert course is not None  # referrals are never deleted
        step = NextStep(
            handover.next_programme_code, handover.next_provider_org, handover.relation, handover.planned_start
        )
        await _check_step(uow, course, step, excluding=handover.id)
        next_referral = await _refer(uow, caseworker, course, handover, command)
        await uow.handovers.save(handover)
        view = HandoverView(handover, next_referral)
        await uow.commit(view)
    return view


async def _party(uow: ReferralUoW, staff: Principal, handover_id: UUID, *, lock: bool) -> Handover:
    handover = await uow.handovers.get(handover_id, staff.org, lock=lock)
    if handover is None:
        raise NotFound(f"no handover {handover_id}")
    return handover


async def plan_meeting(
    uow: ReferralUoW, staff: Principal, handover_id: UUID, starts_at: datetime, parties: tuple[MeetingParty, ...]
) -> HandoverView:
    """Any of the parties plans the handover meeting, in the course's zone."""
    async with uow:
        handover = await _party(uow, staff, handover_id, lock=True)
        programme = await uow.programmes.get(handover.provider_org, handover.programme_code)
        assert programme is not None
        uow.emit(
            handover.plan_meeting(
                starts_at=starts_at,
                timezone=programme.timezone,
                parties=parties,
                staff_id=staff.staff_id,
                now=uow.clock.now(),
            )
        )
        await uow.handovers.save(handover)
        view = HandoverView(handover)
        await uow.commit(view)
    return view


async def record_meeting_held(uow: ReferralUoW, staff: Principal, handover_id: UUID) -> HandoverView:
    async with uow:
        handover = await _party(uow, staff, handover_id, lock=True)
        uow.emit(handover.meeting_held(staff.staff_id, uow.clock.now()))
        await uow.handovers.save(handover)
        view = HandoverView(handover)
        await uow.commit(view)
    return view


async def get_handover(uow: ReferralUoW, viewer: Principal, handover_id: UUID) -> HandoverView:
    async with uow:
        return HandoverView(await _party(uow, viewer, handover_id, lock=False))


@dataclass(frozen=True)
class Handovers:
    """A referral's way on: the handovers from its course, and the one it came from."""

    onward: list[Handover]
    came_from: Handover | None


async def handovers_of(uow: ReferralUoW, viewer: Principal, referral_id: UUID) -> Handovers:
    async with uow:
        referral = await uow.referrals.get_visible(referral_id, viewer.org)
        if referral is None:
            raise NotFound(f"no referral {referral_id}")
        onward = [
            h
            for h in await uow.handovers.of_course(referral.id)
            # The next provider sees only a proposal's outcome, never the proposal itself.
            if await uow.handovers.get(h.id, viewer.org) is not None
        ]
        came_from = await uow.handovers.into(referral.id)
        return Handovers(onward, came_from)

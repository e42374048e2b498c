"""Use cases of an outreach team: open a case, record contact attempts, move its phases, record
consent, identify, hand over as a referral; the caseload; the overdue contact plans' sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.application.referrals import ReferralView
from forlob_referral.domain import outreach as rules
from forlob_referral.domain import referral as referral_rules
from forlob_referral.domain.outreach import ContactAttempt, OutreachCase, Phase, caseload_order
from forlob_referral.domain.participant import IdentityScheme, identify
from forlob_referral.domain.records import Goal
from forlob_referral.domain.referral import OutreachFacts
from forlob_referral.runtime import ReferralRuntime
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class CaseView:
    case: OutreachCase
    attempts: list[ContactAttempt] = field(default_factory=list)
    overdue: bool = False


async def _case(uow: ReferralUoW, staff: Principal, case_id: UUID, *, lock: bool = True) -> OutreachCase:
    """The team's own case, or 404 (also for every other organisation's)."""
    case = await uow.outreach.get(case_id, staff.org, lock=lock)
    if case is None:
        raise NotFound(f"no outreach case {case_id}")
    return case


async def _view(uow: ReferralUoW, case: OutreachCase) -> CaseView:
    return CaseView(case, await uow.outreach.attempts_of(case.id), case.is_overdue(uow.clock.now()))


@dataclass(frozen=True)
class OpenCase:
    programme_code: str
    working_name: str
    description: str
    staff_id: str | None = None  # default: whoever opens it
    next_within_days: int | None = None
    next_attempt_by: date | None = None


async def open_case(uow: ReferralUoW, staff: Principal, command: OpenCase) -> CaseView:
    async with uow:
        programme = await uow.programmes.get(staff.org, command.programme_code)
        if programme is None:
            raise InvalidInput(f"{staff.org} has no programme {command.programme_code}", field="programme_code")
        case, event = rules.open_case(
            programme=programme,
            working_name=command.working_name,
            description=command.description,
            staff_id=command.staff_id or staff.staff_id,
            opened_by=staff.staff_id,
            next_within_days=command.next_within_days,
            next_by=command.next_attempt_by,
            now=uow.clock.now(),
        )
        await uow.outreach.add(case)
        uow.emit(event)
        view = await _view(uow, case)
        await uow.commit(view)
    return view


@dataclass(frozen=True)
class RecordAttempt:
    place: ContactPlace
    channel: ContactChannel
    outcome: ContactOutcome
    attempted_at: datetime | None = None  # default: now
    note: str | None = None
    next_within_days: int | None = None
    next_attempt_by: date | None = None


async def record_attempt(uow: ReferralUoW, staff: Principal, case_id: UUID, command: RecordAttempt) -> CaseView:
    async with uow:
        case = await _case(uow, staff, case_id)
        now = uow.clock.now()
        attempt, event = case.attempt(
            place=command.place,
            channel=command.channel,
            outcome=command.outcome,
            staff_id=staff.staff_id,
            attempted_at=command.attempted_at or now,
            next_within_days=command.next_within_days,
            next_by=command.next_attempt_by,
            note=command.note,
            now=now,
        )
        await uow.outreach.add_attempt(attempt)
        await uow.outreach.save(case)
        uow.emit(event)
        view = await _view(uow, case)
        await uow.commit(view)
    return view


async def change_phase(
    uow: ReferralUoW,
    staff: Principal,
    case_id: UUID,
    phase: Phase,
    close_reason: OutreachCloseReason | None = None,
    helped_on_to: str | None = None,
) -> CaseView:
    async with uow:
        case = await _case(uow, staff, case_id)
        event = case.move_to(
            phase, staff_id=staff.staff_id, now=uow.clock.now(), close_reason=close_reason, helped_on_to=helped_on_to
        )
        await uow.outreach.save(case)
        uow.emit(event)
        view = await _view(uow, case)
        await uow.commit(view)
    return view


async def record_consent(
    uow: ReferralUoW, staff: Principal, case_id: UUID, method: ConsentMethod, given_at: datetime
) -> CaseView:
    async with uow:
        case = await _case(uow, staff, case_id)
        event = case.record_consent(method=method, given_at=given_at, staff_id=staff.staff_id, now=uow.clock.now())
        await uow.outreach.save(case)
        uow.emit(event)
        view = await _view(uow, case)
        await uow.commit(view)
    return view


async def identify_case(
    uow: ReferralUoW, staff: Principal, case_id: UUID, name: str, identity_number: str, scheme: IdentityScheme
) -> CaseView:
    """After consent: validate the identity number and link the case to the participant's
    pseudonymous id at this provider (the one an earlier case or referral gave, or a new one)."""
    async with uow:
        case = await _case(uow, staff, case_id)
        case.check_identifiable()  # before the number is validated: without consent it is not even read
        participant = identify(name, identity_number, scheme)
        participant_id = (
            await uow.outreach.pseudonym_at(case.provider_org, participant)
            or await uow.personal.pseudonym_at(case.provider_org, participant)
            or uuid4()
        )
        event = case.identify(participant, participant_id, uow.clock.now())
        await uow.outreach.save(case)
        uow.emit(event)
        view = await _view(uow, case)
        await uow.commit(view)
    return view


@dataclass(frozen=True)
class HandOver:
    programme_code: str
    provider_org: str
    goals: tuple[Goal, ...] = ()
    wished_start: date | None = None
    wished_weekly_hours: float | None = None
    legal_basis: str | None = None
    legal_context: str | None = None


async def hand_over(uow: ReferralUoW, staff: Principal, case_id: UUID, command: HandOver) -> ReferralView:
    """A referral like any other from the outreach team's organisation, carrying the case's
    history's facts; the case moves to bridging."""
    async with uow:
        case = await _case(uow, staff, case_id)
        case.check_handover()
        assert case.participant is not None
        programme = await uow.programmes.get(command.provider_org, command.programme_code)
        if programme is None:
            raise InvalidInput(
                f"{command.provider_org} has no programme {command.programme_code}", field="programme_code"
            )
        now = uow.clock.now()
        attempts, first_contact_on, days_in_contact = case.history_facts(now)
        referral, received = referral_rules.receive(
            programme=programme,
            referring_org=case.provider_org,
            caseworker_id=staff.staff_id,
            now=now,
            participant_id=await uow.personal.pseudonym_at(programme.provider_org, case.participant),
            wished_start=command.wished_start,
            wished_weekly_hours=command.wished_weekly_hours,
            legal_basis=command.legal_basis,
            legal_context=command.legal_context,
            outreach=OutreachFacts(case.id, attempts, first_contact_on, days_in_contact),
        )
        await uow.referrals.add(referral)
        await uow.personal.add(referral.id, case.participant, command.goals)
        uow.emit(received, *case.hand_over(referral.id, staff_id=staff.staff_id, now=now))
        await uow.outreach.save(case)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


async def get_case(uow: ReferralUoW, staff: Principal, case_id: UUID) -> CaseView:
    async with uow:
        return await _view(uow, await _case(uow, staff, case_id, lock=False))


async def caseload(uow: ReferralUoW, staff: Principal, *, include_closed: bool = False) -> list[CaseView]:
    """The team's cases: overdue contacts first, then the soonest planned attempt."""
    async with uow:
        cases = await uow.outreach.of_org(staff.org, include_closed=include_closed)
    now = uow.clock.now()
    return [CaseView(c, [], c.is_overdue(now)) for c in sorted(cases, key=lambda c: caseload_order(c, now))]


async def remind_overdue_contacts(uow: ReferralUoW, now: datetime, batch: int = 200) -> int:
    """Publish ``outreach.contact_overdue.v1`` once per case and due date for open cases whose
    next attempt's day has passed with no attempt; returns how many. Several replicas may run it:
    the case row's lock and its ``overdue_reported_for`` make each reminder go out once."""
    # Due dates are local days; a day later than UTC's covers every provider's timezone.
    before = now.date() + timedelta(days=1)
    reminded = 0
    while True:
        async with uow:
            candidates = await uow.outreach.overdue_candidates(before, batch)
            due = [(case, event) for case in candidates if (event := case.overdue(now)) is not None]
            if not due:
                return reminded
            uow.emit(*(event for _, event in due))
            await uow.outreach.save(*(case for case, _ in due))
            await uow.commit()
        reminded += len(due)
        if len(candidates) < batch:
            return reminded


async def outreach_overdue_job(runtime: ReferralRuntime, now: datetime) -> int:
    """The periodic form of :func:`remind_overdue_contacts`, run in the service's lifespan."""
    uow: ReferralUoW = runtime.uow()
    return await remind_overdue_contacts(uow, now)

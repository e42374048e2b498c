"""Use cases of the referring caseworker, and reading what one may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from forlob_referral.application.common import (
    locked_intake,
    own_programme,
    read_intake,
    referred,
    save_intake,
    visible,
)
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain import referral as rules
from forlob_referral.domain.course_record import Meeting, current_closing_meeting
from forlob_referral.domain.participant import IdentityScheme, Participant, identify
from forlob_referral.domain.personal import PersonalData
from forlob_referral.domain.records import Goal
from forlob_referral.domain.referral import Referral, State, WithdrawReason
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class ReceiveReferral:
    programme_code: str
    provider_org: str
    participant_name: str
    identity_number: str
    identity_scheme: IdentityScheme
    goals: tuple[Goal, ...] = field(default_factory=tuple)
    wished_start: date | None = None
    wished_weekly_hours: float | None = None
    legal_basis: str | None = None
    legal_context: str | None = None


@dataclass(frozen=True)
class ReferralView:
    """A referral with what its viewer may read of the participant (never the identity number)."""

    referral: Referral
    personal: PersonalData | None
    waitlist_position: int | None = None
    estimated_start: date | None = None
    closing_meeting: Meeting | None = None


async def receive_referral(uow: ReferralUoW, caseworker: Principal, command: ReceiveReferral) -> ReferralView:
    participant = identify(command.participant_name, command.identity_number, command.identity_scheme)
    async with uow:
        programme = await uow.programmes.get(command.provider_org, command.programme_code)
        if programme is None:
            # A body naming something that does not exist is invalid input, not a missing resource.
            raise InvalidInput(
                f"{command.provider_org} has no programme {command.programme_code}", field="programme_code"
            )
        referral, event = rules.receive(
            programme=programme,
            referring_org=caseworker.org,
            caseworker_id=caseworker.staff_id,
            now=uow.clock.now(),
            participant_id=await uow.personal.pseudonym_at(programme.provider_org, participant),
            wished_start=command.wished_start,
            wished_weekly_hours=command.wished_weekly_hours,
            legal_basis=command.legal_basis,
            legal_context=command.legal_context,
        )
        await uow.referrals.add(referral)
        await uow.personal.add(referral.id, participant, command.goals)
        uow.emit(event)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


async def withdraw_referral(
    uow: ReferralUoW, caseworker: Principal, referral_id: UUID, reason: WithdrawReason, horizon: timedelta
) -> ReferralView:
    async with uow:
        intake, referral = await locked_intake(uow, await referred(uow, caseworker, referral_id), horizon)
        uow.emit(*intake.withdraw(referral, reason, uow.clock.now()))
        await save_intake(uow, intake, referral)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


async def get_referral(uow: ReferralUoW, viewer: Principal, referral_id: UUID, horizon: timedelta) -> ReferralView:
    async with uow:
        referral = await visible(uow, viewer, referral_id)
        personal = await uow.personal.get(referral.id)
        if referral.start_date is not None:
            # Read from the course record, where the closing meeting is kept (and re-booked).
            meeting = current_closing_meeting(await uow.record.meetings(referral.id))
            return ReferralView(referral, personal, closing_meeting=meeting)
        if referral.state is not State.WAITLISTED:
            return ReferralView(referral, personal)
        intake = await read_intake(
            uow, await own_programme(uow, referral.provider_org, referral.programme_code), horizon
        )
        for waiting, position, estimate in intake.positions(uow.clock.now()):
            if waiting.id == referral.id:
                return ReferralView(referral, personal, position, estimate)
        return ReferralView(referral, personal)


async def list_referrals(
    uow: ReferralUoW,
    viewer: Principal,
    *,
    state: State | None = None,
    programme_code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Referral]:
    async with uow:
        return await uow.referrals.visible_to(
            viewer.org, state=state, programme_code=programme_code, limit=limit, offset=offset
        )


async def read_identity(uow: ReferralUoW, reader: Principal, referral_id: UUID, purpose: str) -> Participant:
    """The participant's identity number: a separate call, written to the audit log with its purpose."""
    if len(purpose.strip()) < 3:
        raise InvalidInput("say why you need the identity number (purpose)", field="purpose")
    async with uow:
        referral = await visible(uow, reader, referral_id)
        personal = await uow.personal.get(referral.id)
        if personal is None:
            raise NotFound("the participant's personal data has been erased (retention period ended)")
        await uow.audit.identity_read(referral.id, reader.org, reader.staff_id, purpose.strip(), uow.clock.now())
        await uow.commit()
    return personal.participant

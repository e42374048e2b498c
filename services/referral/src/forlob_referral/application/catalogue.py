"""Use cases on a provider's programme catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from forlob_referral.application.common import own_programme, read_intake, save_intake
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain import programme as rules
from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_shared.events.common import AttendanceRules, ProgrammeShape, TimeWindow
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class DefineProgramme:
    code: str
    name: str
    kind: ProgrammeKind
    capacity: int
    intake_weekdays: tuple[int, ...]
    default_weeks: int
    min_weeks: int
    max_weeks: int
    opening_hours: tuple[TimeWindow, ...]
    country: str
    timezone: str | None = None
    rules: AttendanceRules = field(default_factory=AttendanceRules)
    shape: ProgrammeShape = ProgrammeShape.TIMETABLED


async def define_programme(
    uow: ReferralUoW, coordinator: Principal, command: DefineProgramme, horizon: timedelta
) -> tuple[Programme, bool]:
    """Create or change a programme; returns it and whether it is new.

    More seats (or a programme that opens) may let the waiting list in: those seats are offered
    in the same transaction.
    """
    async with uow:
        existing = await uow.programmes.get(coordinator.org, command.code, lock=True)
        programme, event = rules.define(
            provider_org=coordinator.org,
            code=command.code,
            name=command.name,
            kind=command.kind,
            capacity=command.capacity,
            intake_weekdays=command.intake_weekdays,
            default_weeks=command.default_weeks,
            min_weeks=command.min_weeks,
            max_weeks=command.max_weeks,
            opening_hours=command.opening_hours,
            country=command.country,
            timezone=command.timezone,
            rules=command.rules,
            now=uow.clock.now(),
            shape=command.shape,
        )
        await uow.programmes.save(programme)
        uow.emit(event)
        if existing is not None:
            intake = await read_intake(uow, programme, horizon)
            uow.emit(*intake.offer_freed_seats(uow.clock.now()))
            await save_intake(uow, intake)
        await uow.commit((programme, existing is None))
    return programme, existing is None


async def get_programme(uow: ReferralUoW, provider_org: str, code: str) -> Programme:
    async with uow:
        return await own_programme(uow, provider_org, code)


async def list_programmes(uow: ReferralUoW, provider_org: str) -> list[Programme]:
    async with uow:
        return await uow.programmes.list(provider_org)

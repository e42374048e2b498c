"""Pieces the use cases share: finding what a caller may see, and a programme's seats under lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.intake import Intake
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.referral import HOLDS_A_SEAT, Referral
from forlob_shared.errors import NotFound
from forlob_shared.http.auth import Principal


async def provided(uow: ReferralUoW, coordinator: Principal, referral_id: UUID) -> Referral:
    """A referral the caller's organisation provides, or 404 (also for everyone else's)."""
    referral = await uow.referrals.get_provided_by(referral_id, coordinator.org)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


async def referred(uow: ReferralUoW, caseworker: Principal, referral_id: UUID) -> Referral:
    referral = await uow.referrals.get_referred_by(referral_id, caseworker.org)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


async def visible(uow: ReferralUoW, viewer: Principal, referral_id: UUID) -> Referral:
    referral = await uow.referrals.get_visible(referral_id, viewer.org)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


async def own_programme(uow: ReferralUoW, provider_org: str, code: str, *, lock: bool = False) -> Programme:
    programme = await uow.programmes.get(provider_org, code, lock=lock)
    if programme is None:
        raise NotFound(f"no programme {code}")
    return programme


async def locked_intake(uow: ReferralUoW, referral: Referral, horizon: timedelta) -> tuple[Intake, Referral]:
    """Lock the referral's programme and read its seats and waiting list; returns the fresh referral.

    Every change to seats takes the programme's row lock first, so decisions about one
    programme happen one at a time and never see a half-made one; other programmes go on.
    No decision changes another holder's seat (only the referral decided, and the waiting
    list's), so the other holders are read as seats alone, not as whole referrals.
    """
    programme = await own_programme(uow, referral.provider_org, referral.programme_code, lock=True)
    intake = await read_intake(uow, programme, horizon)
    fresh = await uow.referrals.get_provided_by(referral.id, referral.provider_org)
    assert fresh is not None  # referrals are never deleted
    intake.held = [h for h in intake.held if h.referral_id != fresh.id]
    if fresh.state in HOLDS_A_SEAT:
        intake.holders.append(fresh)
    intake.waiting = [fresh if r.id == fresh.id else r for r in intake.waiting]
    return intake, fresh


async def read_intake(uow: ReferralUoW, programme: Programme, horizon: timedelta) -> Intake:
    return Intake(
        programme=programme,
        holders=[],
        waiting=[*await uow.referrals.waiting(programme.provider_org, programme.code)],
        horizon=horizon,
        held=await uow.referrals.seats(programme.provider_org, programme.code),
    )


async def save_intake(uow: ReferralUoW, intake: Intake, *referrals: Referral) -> None:
    """Write back what a decision may have changed. The referrals it holds whole (the one decided)
    are saved whole; the waiters it let in are loaded whole in one query, accepted and saved; the
    other waiters' new ranks are one statement. The other holders' seats are read-only."""
    if admitted := intake.admitted:
        intake.admit(await uow.referrals.many_provided_by([w.id for w in admitted], intake.programme.provider_org))
    touched: dict[Any, Referral] = {r.id: r for r in [*intake.whole, *referrals]}
    await uow.referrals.save(*touched.values())
    if reranked := intake.reranked:
        await uow.referrals.rerank(reranked)

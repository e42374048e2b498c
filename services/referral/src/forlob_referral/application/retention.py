"""Retention: erase the personal data of closed referrals, keep the pseudonymous facts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.outreach import OutreachCase
from forlob_referral.domain.referral import Referral
from forlob_referral.runtime import ReferralRuntime
from forlob_shared.progress import Progress


async def erase_personal_data(uow: ReferralUoW, referrals: Sequence[Referral], now: datetime) -> None:
    """Inside the caller's transaction: delete the referrals' personal data and stamp when.
    The retention sweep and a data protection officer's erasure both erase this way."""
    ids = [r.id for r in referrals]
    await uow.personal.erase(ids)
    await uow.record.erase(ids)  # the course record and the messages are notes about the person too
    await uow.messages.erase(ids)
    await uow.employment.erase(ids)  # what a job's disclosure and a resource profile say about the person
    await uow.sms.erase(ids)  # the mobile number, language and consent to text messages
    await uow.handovers.erase(ids)  # the resource profile's areas handed over with the course
    for referral in referrals:
        referral.personal_data_erased_at = now
    await uow.referrals.save(*referrals)


async def erase_outreach_personal_data(uow: ReferralUoW, cases: Sequence[OutreachCase], now: datetime) -> None:
    """Inside the caller's transaction: empty the cases' working name, description, identity,
    "helped on to" and the attempts' notes; the coded facts stay for the figures."""
    for case in cases:
        case.erase_personal_data(now)
    await uow.outreach.erase_notes([c.id for c in cases])
    await uow.outreach.save(*cases)


async def erase_expired_outreach_cases(
    uow: ReferralUoW, now: datetime, retention: timedelta, batch: int = 500, progress: Progress | None = None
) -> int:
    """The retention sweep's part for outreach cases closed before ``now - retention``."""
    erased = 0
    while True:
        async with uow:
            due = await uow.outreach.due_for_erasure(now - retention, batch)
            if not due:
                return erased
            await erase_outreach_personal_data(uow, due, now)
            await uow.commit()
        erased += len(due)
        if progress is not None:
            progress.advance(len(due))


async def erase_expired_personal_data(
    uow: ReferralUoW, now: datetime, retention: timedelta, batch: int = 500, progress: Progress | None = None
) -> int:
    """Erase name, identity number, mobile number, goals, plan, closing note, course record and
    messages of referrals closed before ``now - retention``; returns how many were erased. Ids,
    programme, dates, states and the outcome stay, so the figures still add up. Several replicas
    may run it: rows being erased elsewhere are skipped, not waited for.
    """
    erased = 0
    while True:
        async with uow:
            due = await uow.referrals.due_for_erasure(now - retention, batch)
            if not due:
                return erased
            await erase_personal_data(uow, due, now)
            await uow.commit()
        erased += len(due)
        if progress is not None:
            progress.advance(len(due))


async def forget_idempotency_keys(uow: ReferralUoW, now: datetime, keep: timedelta) -> int:
    """Forget Idempotency-Keys older than ``keep``: their stored responses hold names and goals."""
    async with uow:
        forgotten = await uow.idempotency.forget_before(now - keep)
        await uow.commit()
    return forgotten


async def retention_job(runtime: ReferralRuntime, now: datetime, progress: Progress | None = None) -> int:
    """The periodic form of the two above, run in the service's lifespan (and once, by hand, by
    ``forlob-referral retention``, whose ``progress`` advances with each referral and case erased);
    returns referrals erased."""
    uow: ReferralUoW = runtime.uow()
    settings = runtime.settings
    await forget_idempotency_keys(uow, now, timedelta(days=settings.idempotency_key_days))
    await erase_expired_outreach_cases(uow, now, timedelta(days=settings.retention_days), progress=progress)
    return await erase_expired_personal_data(uow, now, timedelta(days=settings.retention_days), progress=progress)

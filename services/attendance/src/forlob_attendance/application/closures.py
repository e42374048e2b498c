"""Closures a provider declares (summer closure, staff day) and the customary closures it works on.

Nobody is expected while a provider is closed: slots are never materialised there, and slots
already materialised on the days a new closure touches are planned again in the same transaction
(removed, or cut at the closure), so the sweep never turns them into absences. A closure that would
take away an arrival already registered or already swept is refused (409): that day happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.slots import add_slots, reports_between, slot_values
from forlob_attendance.db.models import ClosureRow, SlotRow
from forlob_shared.calendar import CLOSURE_REASONS, CUSTOMARY_CODES, Closure
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import DeclaredClosure, PendingEvent, ProviderCalendarChanged
from forlob_shared.http.auth import Principal

# Who decides when the provider is open.
CALENDAR_ROLES = ("coordinator",)
# A closure is a holiday period or a day, not a way to stop a course: a year at most.
MAX_CLOSURE_DAYS = 366
# Slots nothing has happened on yet (an excused one is planned again with its report): a closure
# may remove or cut them. Slots a withdrawn closure gives back are added only where not yet due:
# one already due would be swept as an absence at once.
_UNTOUCHED = ("expected", "excused")


@dataclass(frozen=True)
class ClosureDeclaration:
    first_day: date
    last_day: date
    reason: str
    start: time | None = None
    end: time | None = None


def _closure(declaration: ClosureDeclaration) -> Closure:
    if declaration.reason not in CLOSURE_REASONS:
        raise InvalidInput(
            f"unknown closure reason {declaration.reason!r}", field="reason", known=list(CLOSURE_REASONS)
        )
    if (declaration.last_day - declaration.first_day).days >= MAX_CLOSURE_DAYS:
        raise InvalidInput(f"a closure lasts at most {MAX_CLOSURE_DAYS} days", field="last_day")
    try:
        return Closure(
            declaration.first_day, declaration.last_day, declaration.reason, declaration.start, declaration.end
        )
    except ValueError as exc:
        raise InvalidInput(
            str(exc), field="last_day" if declaration.last_day < declaration.first_day else "end"
        ) from None


def _overlaps(start: time, end: time, other_start: time, other_end: time) -> bool:
    return start < other_end and other_start < end


async def _replan(uow: AttendanceUoW, org: str, first: date, last: date, now: datetime) -> None:
    """Plan the materialised slots of ``org``'s running courses on ``first``..``last`` again.

    Expected and excused slots the calendar no longer gives are removed; a registered one (present,
    absent, internship) that no open part of the day overlaps any more is a conflict; slots the
    calendar now gives are added when they are not yet due.
    """
    rows = await uow.courses.running_at(org, first, last)
    for row in rows:
        if row.shape != "timetabled":
            continue  # planned meetings are planned one by one: a closure leaves them be
        lo, hi = max(first, row.start_date), min(last, row.end_date, row.materialised_through or first)
        if hi < lo:
            continue
        course = await uow.courses.course(row)
        reports = await reports_between(uow, row.referral_id, lo, hi)
        internships = await uow.internships.between(row.referral_id, lo, hi)
        planned = slot_values(course, lo, hi, reports, internships)
        existing = await uow.slots.between(row.referral_id, lo, hi)
        keep = {(p["day"], p["window_start"], p["window_end"]) for p in planned}
        stale, replaced = [], set()
        for slot in existing:
            if (slot.day, slot.window_start, slot.window_end) in keep:
                continue
            if slot.state in _UNTOUCHED:
                stale.append(slot.id)
                replaced.add((slot.day, slot.window_start))
            elif not any(
                p["day"] == slot.day
                and _overlaps(slot.window_start, slot.window_end, p["window_start"], p["window_end"])
                for p in planned
            ):
                raise Conflict(
                    f"an arrival on {slot.day} is already registered or detected as missed: "
                    "a closure cannot take back a day that has happened",
                    field="first_day",
                )
        await uow.slots.delete(stale)
        kept = [s for s in existing if s.id not in stale]
        # New slots only where none was due yet, and in place of one just removed (a window cut
        # at a closure keeps its expected arrival, due or not).
        await add_slots(
            uow,
            [
                p
                for p in planned
                if not _taken(p, kept) and (p["due_at"] > now or (p["day"], p["window_start"]) in replaced)
            ],
        )


def _taken(planned: dict[str, Any], kept: list[SlotRow]) -> bool:
    """A kept slot over any part of the planned window already holds that day's arrival (one
    checked in at 08:05 keeps the morning that a closure from 08:00 to 10:00 cuts away)."""
    return any(
        s.day == planned["day"]
        and _overlaps(s.window_start, s.window_end, planned["window_start"], planned["window_end"])
        for s in kept
    )


# Closures that ended longer ago than this are left out of the event: working time is counted
# from an absence's detection onwards, never a month back.
ANNOUNCED_PAST_DAYS = 31


async def _announce(uow: AttendanceUoW, org: str, now: datetime) -> None:
    """Tell the other services (notifications' working time) the provider's calendar as it now is."""
    rows = await uow.calendar.closures(org, ending_from=now.date() - timedelta(days=ANNOUNCED_PAST_DAYS))
    worked = await uow.calendar.worked_customary(org)
    closures = [
        DeclaredClosure(
            closure_id=str(r.id),
            first_day=r.first_day,
            last_day=r.last_day,
            reason=r.reason,
            start=r.start_time,
            end=r.end_time,
        )
        for r in rows
    ]
    data = ProviderCalendarChanged(provider_org=org, closures=closures, customary_worked=list(worked), changed_at=now)
    uow.emit(PendingEvent(data=data, subject=org, provider_org=org))


async def _lock_calendar(uow: AttendanceUoW, org: str) -> datetime:
    """One change to a provider's calendar at a time, so each announcement holds every change
    committed before it and is stamped after them (notifications keeps the newest); returns now."""
    await uow.calendar.lock(org)
    return uow.clock.now()


async def declare_closure(uow: AttendanceUoW, staff: Principal, declaration: ClosureDeclaration) -> UUID:
    staff.require(*CALENDAR_ROLES)
    closure = _closure(declaration)
    async with uow:
        now = await _lock_calendar(uow, staff.org)
        closure_id = uuid4()
        await uow.calendar.add_closure(
            ClosureRow(
                id=closure_id,
                provider_org=staff.org,
                first_day=closure.first_day,
                last_day=closure.last_day,
                start_time=closure.start,
                end_time=closure.end,
                reason=closure.reason,
                declared_at=now,
                declared_by=staff.staff_id,
            )
        )
        await _replan(uow, staff.org, closure.first_day, closure.last_day, now)
        await _announce(uow, staff.org, now)
        await uow.commit(closure_id)
    return closure_id


async def withdraw_closure(uow: AttendanceUoW, staff: Principal, closure_id: UUID) -> None:
    staff.require(*CALENDAR_ROLES)
    async with uow:
        now = await _lock_calendar(uow, staff.org)
        row = await uow.calendar.closure(closure_id, staff.org)
        if row is None:
            raise NotFound(f"no closure {closure_id}")
        first, last = row.first_day, row.last_day
        await uow.calendar.remove_closure(row)
        await _replan(uow, staff.org, first, last, now)
        await _announce(uow, staff.org, now)
        await uow.commit()


async def set_customary(uow: AttendanceUoW, staff: Principal, code: str, *, observed: bool) -> None:
    """Keep (``observed``) or work on a customary closure, from now on (every year)."""
    staff.require(*CALENDAR_ROLES)
    if code not in CUSTOMARY_CODES:
        raise NotFound(f"no customary closure {code!r}")
    async with uow:
        now = await _lock_calendar(uow, staff.org)
        if observed:
            await uow.calendar.observe_customary(staff.org, code)
        else:
            await uow.calendar.work_on_customary(staff.org, code, now, staff.staff_id)
        # Materialised slots reach at most a few weeks ahead: plan those again.
        today = now.date()  # the UTC date is never after the provider's local date
        await _replan(uow, staff.org, today, today + timedelta(days=MAX_CLOSURE_DAYS), now)
        await _announce(uow, staff.org, now)
        await uow.commit()


@dataclass(frozen=True)
class ProviderClosures:
    closures: list[tuple[UUID, Closure]]
    worked_customary: list[str]


async def provider_closures(uow: AttendanceUoW, staff: Principal) -> ProviderClosures:
    async with uow:
        rows = await uow.calendar.closures(staff.org)
        closures = [(r.id, Closure(r.first_day, r.last_day, r.reason, r.start_time, r.end_time)) for r in rows]
        return ProviderClosures(closures, await uow.calendar.worked_customary(staff.org))

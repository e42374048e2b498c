"""The staff directory and the courses' assignments (who is whose contact person and caseworker)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import date, datetime, time
from typing import cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import AssignmentRow, StaffRow
from forlob_notifications.db.repositories.rows import columns_of
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_shared.working_time import Window


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, member: StaffMember, now: datetime) -> None:
        values = columns_of(member)
        values["working_hours"] = [
            {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()} for w in member.working_hours
        ]
        values["updated_at"] = now
        stmt = pg_insert(StaffRow).values(**values)
        update = {k: stmt.excluded[k] for k in values if k not in ("org", "staff_id")}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["org", "staff_id"], set_=update))

    async def get(self, org: str, staff_id: str) -> StaffMember | None:
        row = await self.session.get(StaffRow, (org, staff_id))
        return _staff(row) if row else None

    async def addresses(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """E-mail addresses of active staff, by (org, staff id), in one query."""
        if not keys:
            return {}
        rows = await self.session.execute(
            sa.select(StaffRow.org, StaffRow.staff_id, StaffRow.email).where(
                sa.tuple_(StaffRow.org, StaffRow.staff_id).in_(keys), StaffRow.active.is_(True)
            )
        )
        return {(org, staff_id): email for org, staff_id, email in rows.all() if email}

    async def of_org(self, org: str, role: str | None = None) -> list[StaffMember]:
        query = sa.select(StaffRow).where(StaffRow.org == org).order_by(StaffRow.staff_id)
        if role:
            query = query.where(StaffRow.role == role)
        return [_staff(row) for row in await self.session.scalars(query)]


def _staff(row: StaffRow) -> StaffMember:
    return StaffMember(
        org=row.org,
        staff_id=row.staff_id,
        role=row.role,
        email=row.email,
        team_leader_id=row.team_leader_id,
        working_hours=[
            Window(int(w["weekday"]), time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
            for w in row.working_hours
        ],
        channels=list(row.channels),
        country=row.country,
        timezone=row.timezone,
        active=row.active,
    )


# The two-key advisory locks are a key space apart from the one-key lock the outbox relay holds.
ASSIGNMENT_LOCK_CLASS = 0x464C4F42  # "FLOB"
# Statements every course start runs, built once (building one cost as much as running it).
# One row per key, in the array's order: the locks are taken in that order.
_ASSIGNMENT_LOCKS = sa.text(
    "SELECT pg_advisory_xact_lock(:lock_class, hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k"
).bindparams(lock_class=ASSIGNMENT_LOCK_CLASS)


_ASSIGNMENT_FIELDS = tuple(f.name for f in fields(Assignment))


_SQL_TYPES = {UUID: "uuid", str: "text", int: "integer", date: "date"}


@functools.cache
def _assignment_upsert(only: tuple[str, ...] | None, keep_legal_basis: bool) -> sa.TextClause:
    """One statement for a batch of any size, built once per shape: each column goes in as one
    array (so the text, and the statement prepared on each connection, is the same whatever the
    batch), the rows in the arrays' order."""
    table = cast(sa.Table, AssignmentRow.__table__)
    arrays = ", ".join(
        f"CAST(:{name} AS {_SQL_TYPES[table.c[name].type.python_type]}[])" for name in _ASSIGNMENT_FIELDS
    )
    columns = only if only is not None else _ASSIGNMENT_FIELDS
    update = {name: f"excluded.{name}" for name in columns if name != "referral_id"}
    if keep_legal_basis and "legal_basis" in update:
        update["legal_basis"] = "coalesce(nullif(excluded.legal_basis, ''), assignments.legal_basis)"
    return sa.text(
        f"INSERT INTO assignments ({', '.join(_ASSIGNMENT_FIELDS)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT (referral_id) DO UPDATE SET {', '.join(f'{k} = {v}' for k, v in update.items())}"
    )


def _folded(
    assignments: Sequence[Assignment], only: Collection[str] | None, keep_legal_basis: bool
) -> list[Assignment]:
    """Each course once, as saving them one after another would leave it: a course named again
    takes the later one's ``only`` columns (its legal basis kept from the earlier one when
    keeping and the later names none). One statement may not write a row twice."""
    folded: dict[UUID, Assignment] = {}
    for assignment in assignments:
        earlier = folded.get(assignment.referral_id)
        if earlier is None:
            folded[assignment.referral_id] = assignment
            continue
        update = {k: getattr(assignment, k) for k in (only if only is not None else _ASSIGNMENT_FIELDS)}
        if keep_legal_basis and "legal_basis" in update:
            update["legal_basis"] = assignment.legal_basis or earlier.legal_basis
        folded[assignment.referral_id] = replace(earlier, **update)
    return list(folded.values())


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referral_id: UUID, *, for_update: bool = False, fresh: bool = False) -> Assignment | None:
        """``fresh``: read again what this session has read before (after waiting for a lock)."""
        query = sa.select(AssignmentRow).where(AssignmentRow.referral_id == referral_id)
        if for_update:
            query = query.with_for_update()
        if fresh:
            query = query.execution_options(populate_existing=True)
        row = await self.session.scalar(query)
        if row is None:
            return None
        return Assignment(**{f.name: getattr(row, f.name) for f in fields(Assignment)})

    async def lock(self, referral_id: UUID) -> None:
        """Hold the course's directory entry until the transaction ends, whether it exists or not.

        Raising an alert reads the assignment; a course's start writes it and then looks for the
        alerts raised without one. Handled side by side, each would miss the other's uncommitted
        work (an alert left unassigned for good); taken under this lock, one comes after the other.
        """
        await self.lock_many([referral_id])

    async def lock_many(self, referral_ids: Collection[UUID]) -> None:
        """:meth:`lock` for many courses in one statement, in a fixed order (no deadlock between
        two transactions taking overlapping sets)."""
        keys = sorted({str(r) for r in referral_ids})
        if keys:
            await self.session.execute(_ASSIGNMENT_LOCKS, {"keys": keys})

    async def save(
        self, assignment: Assignment, *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        """Insert or overwrite in one statement. ``only``: the columns an existing row takes
        (default all); ``keep_legal_basis``: an existing row keeps its legal basis unless this one
        names one."""
        await self.save_many([assignment], only=only, keep_legal_basis=keep_legal_basis)

    async def save_many(
        self, assignments: Sequence[Assignment], *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        """:meth:`save` for many courses in one statement (each course once)."""
        if not assignments:
            return
        statement = _assignment_upsert(tuple(only) if only is not None else None, keep_legal_basis)
        if len({a.referral_id for a in assignments}) < len(assignments):
            assignments = _folded(assignments, only, keep_legal_basis)
        # Shallow: asdict() deep-copies every value, which cost more than the statement.
        params = {name: [getattr(a, name) for a in assignments] for name in _ASSIGNMENT_FIELDS}
        await self.session.execute(statement, params)

    async def visible_to(self, org: str, staff_id: str | None, limit: int) -> list[Assignment]:
        query = sa.select(AssignmentRow).where(
            sa.or_(AssignmentRow.provider_org == org, AssignmentRow.referring_org == org)
        )
        if staff_id:
            query = query.where(
                sa.or_(
                    AssignmentRow.contact_person_id == staff_id,
                    AssignmentRow.team_leader_id == staff_id,
                    AssignmentRow.caseworker_id == staff_id,
                )
            )
        rows = await self.session.scalars(query.order_by(AssignmentRow.referral_id).limit(limit))
        return [Assignment(**{f.name: getattr(row, f.name) for f in fields(Assignment)}) for row in rows]

"""Repositories: rows in, domain objects out. Writers of seats lock the programme row first.

Each satisfies its Protocol in ``forlob_referral.application.ports``; the in-memory twins in
``forlob_testkit.in_memory.referral`` satisfy the same ones and pass the same contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import PersonalDataRow, ProgrammeRow, ReferralRow
from forlob_referral.domain.participant import IdentityScheme, Participant
from forlob_referral.domain.personal import PersonalData
from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan, Goal
from forlob_referral.domain.referral import CLOSED, HOLDS_A_SEAT, Referral, State, Waiter, seat_of
from forlob_referral.domain.seats import HeldSeat
from forlob_shared.events.common import AttendanceRules, MeetingCadence, Outcome, ProgrammeShape, TimeWindow
from forlob_shared.events.employment import SupportPhase


class ProgrammeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, provider_org: str, code: str, *, lock: bool = False) -> Programme | None:
        """The programme; ``lock`` takes its row lock, which every seat decision holds."""
        query = sa.select(ProgrammeRow).where(ProgrammeRow.provider_org == provider_org, ProgrammeRow.code == code)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _programme(row) if row else None

    async def list(self, provider_org: str) -> list[Programme]:
        rows = await self.session.scalars(
            sa.select(ProgrammeRow).where(ProgrammeRow.provider_org == provider_org).order_by(ProgrammeRow.code)
        )
        return [_programme(r) for r in rows]

    async def save(self, programme: Programme) -> None:
        values = {
            "provider_org": programme.provider_org,
            "code": programme.code,
            "name": programme.name,
            "kind": programme.kind.value,
            "capacity": programme.capacity,
            "intake_weekdays": list(programme.intake_weekdays),
            "default_weeks": programme.default_weeks,
            "min_weeks": programme.min_weeks,
            "max_weeks": programme.max_weeks,
            "opening_hours": [w.model_dump(mode="json") for w in programme.opening_hours],
            "country": programme.country,
            "timezone": programme.timezone,
            "rules": programme.rules.model_dump(mode="json"),
            "defined_at": programme.defined_at,
            "shape": programme.shape.value,
        }
        await self.session.merge(ProgrammeRow(**values))


def _programme(row: ProgrammeRow) -> Programme:
    return Programme(
        provider_org=row.provider_org,
        code=row.code,
        name=row.name,
        kind=ProgrammeKind(row.kind),
        capacity=row.capacity,
        intake_weekdays=tuple(row.intake_weekdays),
        default_weeks=row.default_weeks,
        min_weeks=row.min_weeks,
        max_weeks=row.max_weeks,
        opening_hours=tuple(TimeWindow.model_validate(w) for w in row.opening_hours),
        country=row.country,
        timezone=row.timezone,
        rules=AttendanceRules.model_validate(row.rules),
        defined_at=row.defined_at,
        shape=ProgrammeShape(row.shape),
    )


_REFERRAL_FIELDS = [f.name for f in fields(Referral)]
_WAITER_COLUMNS = [getattr(ReferralRow, f.name) for f in fields(Waiter)]


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: dict[UUID, ReferralRow] = {}
        self._written: dict[UUID, dict[str, Any]] = {}

    async def add(self, referral: Referral) -> None:
        values = _referral_values(referral)
        row = ReferralRow(**values)
        self.session.add(row)
        self._rows[referral.id] = row
        self._written[referral.id] = values
        # The personal data's row refers to this one: it must exist before that is added.
        await self.session.flush()

    async def save(self, *referrals: Referral) -> None:
        """Write back referrals read through this repository; only changed fields are touched
        (a seat decision reads a whole programme's referrals and changes one or two)."""
        for referral in referrals:
            row = self._rows[referral.id]
            written = self._written[referral.id]
            values = _referral_values(referral)
            for name, value in values.items():
                if written.get(name) != value:
                    setattr(row, name, value)
            self._written[referral.id] = values
        await self.session.flush()

    async def get_visible(self, referral_id: UUID, org: str) -> Referral | None:
        """The referral if ``org`` is its referring or providing organisation, else None."""
        return await self._one(
            ReferralRow.id == referral_id,
            sa.or_(ReferralRow.referring_org == org, ReferralRow.provider_org == org),
        )

    async def get_referred_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None:
        return await self._one(ReferralRow.id == referral_id, ReferralRow.referring_org == org, lock=lock)

    async def get_provided_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None:
        return await self._one(ReferralRow.id == referral_id, ReferralRow.provider_org == org, lock=lock)

    async def _one(self, *where: Any, lock: bool = False) -> Referral | None:
        query = sa.select(ReferralRow).where(*where)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return self._track(row) if row else None

    async def in_programme(self, provider_org: str, code: str, states: Sequence[State]) -> list[Referral]:
        rows = await self.session.scalars(
            sa.select(ReferralRow)
            .where(
                ReferralRow.provider_org == provider_org,
                ReferralRow.programme_code == code,
                ReferralRow.state.in_([s.value for s in states]),
            )
            .order_by(ReferralRow.waitlist_rank, ReferralRow.received_at, ReferralRow.id)
            .execution_options(populate_existing=True)
        )
        return [self._track(r) for r in rows]

    async def seats(self, provider_org: str, code: str) -> list[HeldSeat]:
        """The programme's seats as four columns a row, not as referrals: every seat decision reads
        them under the programme's lock, and a year-long programme has hundreds of holders."""
        rows = await self.session.execute(
            sa.select(
                ReferralRow.id,
                ReferralRow.state,
                ReferralRow.intake_date,
                ReferralRow.start_date,
                ReferralRow.planned_end_date,
            )
            .where(
                ReferralRow.provider_org == provider_org,
                ReferralRow.programme_code == code,
                ReferralRow.state.in_(sorted(s.value for s in HOLDS_A_SEAT)),
            )
            .order_by(ReferralRow.id)
        )
        return [
            HeldSeat(referral_id, seat)
            for referral_id, state, intake, start, end in rows.all()
            if (seat := seat_of(State(state), intake, start, end)) is not None
        ]

    async def waiting(self, provider_org: str, code: str) -> list[Waiter]:
        """Nine columns a row, not whole referrals: every seat decision reads the waiting list under
        the programme's lock, and lets in few of its hundreds, if any."""
        rows = await self.session.execute(
            sa.select(*_WAITER_COLUMNS)
            .where(
                ReferralRow.provider_org == provider_org,
                ReferralRow.programme_code == code,
                ReferralRow.state == State.WAITLISTED.value,
            )
            .order_by(ReferralRow.waitlist_rank, ReferralRow.received_at, ReferralRow.id)
        )
        return [
            Waiter(*row[:6], wished_start=row.wished_start, state=State(row.state), waitlist_rank=row.waitlist_rank)
            for row in rows.all()
        ]

    async def many_provided_by(self, referral_ids: Sequence[UUID], org: str) -> list[Referral]:
        if not referral_ids:
            return []
        rows = await self.session.scalars(
            sa.select(ReferralRow)
            .where(ReferralRow.id.in_(list(referral_ids)), ReferralRow.provider_org == org)
            .order_by(ReferralRow.id)
            .execution_options(populate_existing=True)
        )
        return [self._track(r) for r in rows]

    async def rerank(self, ranks: Sequence[tuple[UUID, float | None]]) -> None:
        """One ``UPDATE ... FROM (VALUES ...)``: a move re-ranks the whole list behind the moved one."""
        if not ranks:
            return
        new = sa.values(sa.column("id", sa.Uuid), sa.column("rank", sa.Double), name="new_ranks").data(list(ranks))
        table = cast(sa.Table, ReferralRow.__table__)
        await self.session.execute(sa.update(table).where(table.c.id == new.c.id).values(waitlist_rank=new.c.rank))

    async def visible_to(
        self, org: str, *, state: State | None, programme_code: str | None, limit: int, offset: int
    ) -> list[Referral]:
        query = sa.select(ReferralRow).where(sa.or_(ReferralRow.referring_org == org, ReferralRow.provider_org == org))
        if state is not None:
            query = query.where(ReferralRow.state == state.value)
        if programme_code is not None:
            query = query.where(ReferralRow.programme_code == programme_code)
        rows = await self.session.scalars(
            query.order_by(ReferralRow.received_at.desc(), ReferralRow.id).limit(limit).offset(offset)
        )
        return [self._track(r) for r in rows]

    async def of_programme(self, provider_org: str, code: str) -> list[Referral]:
        rows = await self.session.scalars(
            sa.select(ReferralRow).where(ReferralRow.provider_org == provider_org, ReferralRow.programme_code == code)
        )
        return [self._track(r) for r in rows]

    async def programmes_with_waiting_lists(self) -> list[tuple[str, str]]:
        rows = await self.session.execute(
            sa.select(ReferralRow.provider_org, ReferralRow.programme_code)
            .where(ReferralRow.state == State.WAITLISTED.value)
            .distinct()
            .order_by(ReferralRow.provider_org, ReferralRow.programme_code)
        )
        return [(org, code) for org, code in rows.all()]

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[Referral]:
        rows = await self.session.scalars(
            sa.select(ReferralRow)
            .where(
                ReferralRow.closed_at < closed_before,
                ReferralRow.personal_data_erased_at.is_(None),
                ReferralRow.state.in_(sorted(s.value for s in CLOSED)),
            )
            .order_by(ReferralRow.closed_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [self._track(r) for r in rows]

    async def of_participant(self, provider_org: str, participant_id: UUID, *, lock: bool = False) -> list[Referral]:
        query = (
            sa.select(ReferralRow)
            .where(ReferralRow.provider_org == provider_org, ReferralRow.participant_id == participant_id)
            .order_by(ReferralRow.received_at, ReferralRow.id)
            .execution_options(populate_existing=True)
        )
        if lock:
            query = query.with_for_update()
        return [self._track(r) for r in await self.session.scalars(query)]

    def _track(self, row: ReferralRow) -> Referral:
        self._rows[row.id] = row
        values = {name: getattr(row, name) for name in _REFERRAL_FIELDS}
        values["state"] = State(row.state)
        values["outcome"] = Outcome(row.outcome) if row.outcome else None
        values["schedule"] = tuple(TimeWindow.model_validate(w) for w in row.schedule or [])
        values["cadence"] = MeetingCadence.model_validate(row.cadence) if row.cadence else None
        values["support_phase"] = SupportPhase(row.support_phase) if row.support_phase else None
        referral = Referral(**values)
        self._written[row.id] = _referral_values(referral)
        return referral


def _referral_values(referral: Referral) -> dict[str, Any]:
    values = {name: getattr(referral, name) for name in _REFERRAL_FIELDS}
    values["state"] = referral.state.value
    values["outcome"] = referral.outcome.value if referral.outcome else None
    values["schedule"] = [w.model_dump(mode="json") for w in referral.schedule]
    values["cadence"] = referral.cadence.model_dump(mode="json") if referral.cadence else None
    values["support_phase"] = referral.support_phase.value if referral.support_phase else None
    return values


def _personal(row: PersonalDataRow) -> PersonalData:
    return PersonalData(
        participant=Participant(row.participant_name, row.identity_number, IdentityScheme(row.identity_scheme)),
        goals=[Goal.model_validate(g) for g in row.goals],
        plan=DevelopmentPlan.model_validate(row.plan) if row.plan is not None else None,
        closing_note=ClosingNote.model_validate(row.closing_note) if row.closing_note is not None else None,
    )


class PersonalDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, referral_id: UUID, participant: Participant, goals: Sequence[Goal]) -> None:
        self.session.add(
            PersonalDataRow(
                referral_id=referral_id,
                participant_name=participant.name,
                identity_scheme=participant.scheme.value,
                identity_number=participant.identity_number,
                goals=[g.model_dump(mode="json") for g in goals],
            )
        )
        await self.session.flush()

    async def get(self, referral_id: UUID) -> PersonalData | None:
        row = await self.session.get(PersonalDataRow, referral_id, populate_existing=True)
        return _personal(row) if row else None

    async def set_plan(self, referral_id: UUID, plan: DevelopmentPlan) -> None:
        await self._update(referral_id, plan=plan.model_dump(mode="json"))

    async def set_closing_note(self, referral_id: UUID, note: ClosingNote) -> None:
        await self._update(referral_id, closing_note=note.model_dump(mode="json"))

    async def _update(self, referral_id: UUID, **values: Any) -> None:
        await self.session.execute(
            sa.update(PersonalDataRow).where(PersonalDataRow.referral_id == referral_id).values(**values)
        )

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None:
        """The participant's pseudonymous id at this provider, if an earlier referral gave one."""
        found: UUID | None = await self.session.scalar(
            sa.select(ReferralRow.participant_id)
            .join(PersonalDataRow, PersonalDataRow.referral_id == ReferralRow.id)
            .where(
                ReferralRow.provider_org == provider_org,
                PersonalDataRow.identity_scheme == participant.scheme.value,
                PersonalDataRow.identity_number == participant.identity_number,
            )
            .order_by(ReferralRow.received_at)
            .limit(1)
        )
        return found

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        if referral_ids:
            await self.session.execute(
                sa.delete(PersonalDataRow).where(PersonalDataRow.referral_id.in_(list(referral_ids)))
            )

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        rows = await self.session.execute(
            sa.select(ReferralRow.id, ReferralRow.participant_id)
            .join(PersonalDataRow, PersonalDataRow.referral_id == ReferralRow.id)
            .where(ReferralRow.provider_org == provider_org, PersonalDataRow.identity_number == identity_number)
            .order_by(ReferralRow.received_at)
        )
        return [(referral_id, participant_id) for referral_id, participant_id in rows.all()]

"""Reporting's read model in memory: the fast tier's twin of ``ReportingUnitOfWork``.

The fact rows live in the ``FakeStore`` (one dictionary per fact table, keyed as the table's
primary key), written through the product's own ``MemoryFactStore`` (the rebuild's, which merges
exactly as the SQL store does) and read by :class:`MemoryFactReads`, which answers as
``forlob_reporting.db.reads.SqlFactReads`` does: the same rows, in key order, as fresh copies.
The contract tests (services/reporting/tests/unit/test_*_contract.py) hold the two equal.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from forlob_reporting.application.events import record_events
from forlob_reporting.application.ports import ErasureUnitOfWork, FactReads, FiguresUnitOfWork, ReadModelUnitOfWork
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain.erasure import forget_erased
from forlob_reporting.domain.facts import (
    ALERTS,
    BREACHES,
    CLARIFICATIONS,
    DAYS,
    EMPLOYER_CONTACTS,
    HANDOVERS,
    JOB_SPELLS,
    MEETING_REMINDERS,
    MEETINGS,
    OUTREACH_ATTEMPTS,
    OUTREACH_CASES,
    OUTREACH_PHASES,
    OUTREACH_REMINDERS,
    PROGRAMMES,
    PROPOSALS,
    REFERRALS,
    SUPPORT_PHASES,
    VISITS,
    WEEKS,
    FactTable,
    Row,
)
from forlob_reporting.domain.groups import Programme
from forlob_shared.clock import Clock, SystemClock
from forlob_shared.events import decode
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork
from forlob_testkit.in_memory.erasure import InMemoryErasureRegister

FACTS = "reporting.facts"
REBUILD = "reporting.rebuild"

Rows = dict[str, dict[tuple[Any, ...], Row]]


class FactRows(dict[str, dict[tuple[Any, ...], Row]]):
    """The fact tables, snapshotted by the unit of work two levels deep rather than deep-copied:
    merge replaces a row with a new dictionary and never changes one in place, so rows can be
    shared between snapshots (a deep copy of every UUID and date made the fast tests slow)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> FactRows:
        return FactRows({name: dict(rows) for name, rows in self.items()})


def fact_rows(store: FakeStore) -> Rows:
    """The store's fact tables (made on first use)."""
    rows: Rows = store.table(FACTS, FactRows)
    return rows


class MemoryFactReads:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def _table(self, table: FactTable) -> list[Row]:
        # Fresh copies in key order: the caller may change them, as it may a row read from SQL.
        found = self.rows.get(table.name, {})
        return [dict(found[key]) for key in sorted(found)]

    def _party(self, table: FactTable, org: str, programme: str | None) -> list[Row]:
        return [
            r
            for r in self._table(table)
            if org in (r["provider_org"], r["referring_org"]) and programme in (None, r["programme_code"])
        ]

    async def referrals(self, org: str, programme: str | None) -> list[Row]:
        return self._party(REFERRALS, org, programme)

    async def weeks(self, org: str, programme: str | None) -> list[Row]:
        return self._party(WEEKS, org, programme)

    async def breaches(self, org: str, programme: str | None) -> list[Row]:
        return self._party(BREACHES, org, programme)

    async def alerts(self, org: str) -> list[Row]:
        return [a for a in self._table(ALERTS) if a["org"] == org]

    async def programmes(self) -> dict[tuple[str, str], Programme]:
        return {
            (p["provider_org"], p["programme_code"]): Programme(p["capacity"], p["timezone"], p["shape"], p.get("kind"))
            for p in self._table(PROGRAMMES)
        }

    async def referral(self, referral_id: UUID) -> Row | None:
        found = self.rows.get(REFERRALS.name, {}).get((referral_id,))
        return dict(found) if found is not None else None

    async def weeks_of(self, referral_id: UUID) -> list[Row]:
        return [w for w in self._table(WEEKS) if w["referral_id"] == referral_id]

    async def days_attended(self, referral_id: UUID) -> int:
        return sum(1 for d in self._table(DAYS) if d["referral_id"] == referral_id and d["checked_in_at"] is not None)

    async def meetings(self, org: str, programme: str | None) -> list[Row]:
        return self._party(MEETINGS, org, programme)

    async def meeting_reminders(self, org: str, programme: str | None) -> list[Row]:
        return self._party(MEETING_REMINDERS, org, programme)

    def _own(self, table: FactTable, org: str, programme: str | None) -> list[Row]:
        return [r for r in self._table(table) if r["provider_org"] == org and programme in (None, r["programme_code"])]

    async def outreach_cases(self, org: str, programme: str | None) -> list[Row]:
        return self._own(OUTREACH_CASES, org, programme)

    async def outreach_attempts(self, org: str, programme: str | None) -> list[Row]:
        return self._own(OUTREACH_ATTEMPTS, org, programme)

    async def outreach_phases(self, org: str, programme: str | None) -> list[Row]:
        return self._own(OUTREACH_PHASES, org, programme)

    async def outreach_reminders(self, org: str, programme: str | None) -> list[Row]:
        return self._own(OUTREACH_REMINDERS, org, programme)

    async def visits(self, org: str) -> list[Row]:
        return [v for v in self._table(VISITS) if v["provider_org"] == org]

    async def employer_contacts(self, org: str, programme: str | None) -> list[Row]:
        return self._own(EMPLOYER_CONTACTS, org, programme)

    async def job_spells(self, org: str, programme: str | None) -> list[Row]:
        return self._own(JOB_SPELLS, org, programme)

    async def support_phases(self, org: str, programme: str | None) -> list[Row]:
        return self._own(SUPPORT_PHASES, org, programme)

    async def clarifications(self, org: str, programme: str | None) -> list[Row]:
        return self._party(CLARIFICATIONS, org, programme)

    async def handovers(self, org: str, programme: str | None) -> list[Row]:
        return [
            r
            for r in self._table(HANDOVERS)
            if org in (r["provider_org"], r["referring_org"], r["next_provider_org"])
            and programme in (None, r["programme_code"], r["next_programme_code"])
        ]

    async def proposals(self, org: str, programme: str | None) -> list[Row]:
        return self._party(PROPOSALS, org, programme)


class MemoryParticipantFacts:
    """``DpoFacts.forget_participant`` on the fake's rows: the same rule as a rebuild's."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def forget_participant(self, provider_org: str, participant_id: UUID, referral_ids: Sequence[UUID]) -> None:
        forget_erased(self.rows, {participant_id, *referral_ids}, provider_org)


class FakeRebuildLock:
    """Held by a rebuild while ``store.tables[REBUILD]["held"]`` is true (a test sets it)."""

    def __init__(self, store: FakeStore) -> None:
        self.state: dict[str, bool] = store.table(REBUILD)

    async def try_share(self) -> bool:
        return not self.state.get("held", False)


def hold_rebuild_lock(store: FakeStore, held: bool = True) -> None:
    store.table(REBUILD)["held"] = held


class FakeReportingUnitOfWork(FakeUnitOfWork):
    facts: MemoryFactStore
    reads: MemoryFactReads
    rebuild_lock: FakeRebuildLock
    erasures: InMemoryErasureRegister
    dpo: MemoryParticipantFacts

    def __init__(self, store: FakeStore | None = None, clock: Clock | None = None) -> None:
        super().__init__(store if store is not None else FakeStore(), clock or SystemClock())

    async def _on_enter(self) -> None:
        rows = fact_rows(self.store)
        self.facts = MemoryFactStore(rows)
        self.reads = MemoryFactReads(rows)
        self.rebuild_lock = FakeRebuildLock(self.store)
        self.erasures = InMemoryErasureRegister(self.store)
        self.dpo = MemoryParticipantFacts(rows)


def _satisfies_the_ports(uow: FakeReportingUnitOfWork, reads: MemoryFactReads) -> None:
    # mypy holds the fake to the ports the use cases are typed against.
    _: ReadModelUnitOfWork = uow
    __: FiguresUnitOfWork = uow
    ___: FactReads = reads
    ____: ErasureUnitOfWork = uow


def mixed(bodies: Sequence[bytes], seed: int | None, *, one_in: int = 3) -> list[bytes]:
    """``bodies`` as a broker may bring them: in a seeded random order, one in ``one_in`` of them
    delivered twice (``seed`` None: as they are)."""
    if seed is None:
        return list(bodies)
    rnd = random.Random(seed)
    out = list(bodies) + rnd.sample(list(bodies), len(bodies) // one_in)
    rnd.shuffle(out)
    return out


async def projected(bodies: Sequence[bytes], *, batch: int = 5) -> FakeStore:
    """A read model in memory from these events, applied as the consumer applies them: ``batch``
    at a time, each batch in a unit of work of its own."""
    store = FakeStore()
    envelopes = [decode(b) for b in bodies]
    for start in range(0, len(envelopes), batch):
        async with FakeReportingUnitOfWork(store) as uow:
            await record_events(uow, envelopes[start : start + batch])
            await uow.commit()
    return store

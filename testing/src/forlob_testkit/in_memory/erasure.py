"""The erasure register's twin for the fast tier: the same contract as
:class:`forlob_shared.erasure.SqlErasureRegister`, kept in the fake store (so a rollback undoes it)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from forlob_shared.erasure import ErasureRegister, register_rows
from forlob_shared.events import ParticipantErased
from forlob_testkit.fakes import FakeStore

TABLE = "erased_subjects"


class InMemoryErasureRegister:
    def __init__(self, store: FakeStore) -> None:
        self.rows: dict[UUID, dict[str, Any]] = store.table(TABLE)

    async def record(self, erased: ParticipantErased) -> None:
        for row in register_rows(erased):
            self.rows.setdefault(row["id"], row)

    async def erased_among(self, ids: Collection[UUID]) -> set[UUID]:
        return {i for i in ids if i in self.rows}

    async def all_ids(self) -> set[UUID]:
        return set(self.rows)


def _satisfies_the_port(register: InMemoryErasureRegister) -> None:
    _: ErasureRegister = register

"""The in-memory twin of ``forlob_shared.http.idempotency.IdempotentUnitOfWork``: the part of the
Idempotency-Key handling the use cases meet. A guard set on the unit of work claims its key on
entry (a replay raises :class:`Replayed` with the stored response, a reused key with another
request is refused) and ``commit(result)`` stores the rendered result with the key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from forlob_shared.clock import Clock
from forlob_shared.errors import InvalidInput
from forlob_shared.http.idempotency import HEADER, IdempotencyGuard, Replayed, StoredResponse
from forlob_shared.wake import Wakes
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork

# (org, key) → the claim: fingerprint, then the stored status and body once the use case committed.
IdempotencyRows = dict[tuple[str, str], dict[str, Any]]


class InMemoryIdempotencyKeys:
    def __init__(self, store: FakeStore) -> None:
        self.rows: IdempotencyRows = store.table("idempotency_keys")

    async def forget_before(self, before: datetime) -> int:
        old = [k for k, row in self.rows.items() if row["created_at"] < before]
        for key in old:
            del self.rows[key]
        return len(old)


class FakeIdempotentUnitOfWork(FakeUnitOfWork):
    """A fake unit of work that honours a guard as the real one does; ``results`` keeps what each
    commit stored as the use case's answer."""

    idempotency: InMemoryIdempotencyKeys

    def __init__(self, store: FakeStore, clock: Clock, wakes: Wakes | None = None) -> None:
        super().__init__(store, clock, wakes)
        self.guard: IdempotencyGuard | None = None
        self.results: list[Any] = []

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.idempotency = InMemoryIdempotencyKeys(self.store)
        if self.guard is not None:
            try:
                self._claim(self.guard)
            except BaseException:
                await self.rollback()
                raise
        return self

    def _claim(self, guard: IdempotencyGuard) -> None:
        rows = self.idempotency.rows
        found = rows.get((guard.org, guard.key))
        if found is None:
            rows[(guard.org, guard.key)] = {
                "fingerprint": guard.fingerprint,
                "status_code": None,
                "response": None,
                "created_at": self.clock.now(),
            }
            return
        if found["fingerprint"] != guard.fingerprint or found["status_code"] is None:
            raise InvalidInput(
                f"the {HEADER} {guard.key!r} was used for a different request; use a new key for a new request",
                reason="idempotency-key-reused",
            )
        raise Replayed(StoredResponse(found["status_code"], found["response"]))

    async def commit(self, result: Any = None) -> None:
        if self.guard is not None:
            row = self.idempotency.rows[(self.guard.org, self.guard.key)]
            row["status_code"], row["response"] = self.guard.status_code, self.guard.render(result)
            self.guard = None
        self.results.append(result)
        await super().commit()

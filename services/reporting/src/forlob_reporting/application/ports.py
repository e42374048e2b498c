"""What the use cases need of the unit of work: the real one (SQL) and the fast tests' fake
(``forlob_testkit.in_memory.reporting``) both satisfy these, and mypy checks both."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from forlob_reporting.domain.facts import Row
from forlob_reporting.domain.groups import Programme
from forlob_reporting.domain.merge import Change


class FactStore(Protocol):
    """The command side: where projected changes land."""

    async def apply(self, changes: Iterable[Change]) -> None: ...


class FactReads(Protocol):
    """The read side: the fact rows the figures are computed from, in key order."""

    async def referrals(self, org: str, programme: str | None) -> list[Row]: ...
    async def weeks(self, org: str, programme: str | None) -> list[Row]: ...
    async def breaches(self, org: str, programme: str | None) -> list[Row]: ...
    async def alerts(self, org: str) -> list[Row]: ...
    async def programmes(self) -> dict[tuple[str, str], Programme]: ...
    async def referral(self, referral_id: UUID) -> Row | None: ...
    async def weeks_of(self, referral_id: UUID) -> list[Row]: ...
    async def days_attended(self, referral_id: UUID) -> int: ...


class RebuildLock(Protocol):
    async def try_share(self) -> bool: ...


class _Transaction(Protocol):
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...


class ReadModelUnitOfWork(_Transaction, Protocol):
    """The live consumer's: its batch's changes, under the rebuild lock taken shared."""

    @property
    def facts(self) -> FactStore: ...
    @property
    def rebuild_lock(self) -> RebuildLock: ...


class FiguresUnitOfWork(_Transaction, Protocol):
    @property
    def reads(self) -> FactReads: ...

"""The erasure register: the participants whose data was erased (GDPR Art. 17), and their referrals.

Every service that holds something about a participant keeps its own register, filled from
``participant.erased.v1``, and nothing that replays events ever empties it (reporting's rebuild
truncates the read model, never the register). So whatever comes after an erasure, in whatever
order — a redelivery, an event that was late or dead-lettered and replayed, the whole history
replayed by a rebuild, with or without the erasure event still in it — writes nothing that points
at the participant: attendance and notifications skip such an event (:func:`skipping_erased`),
reporting applies it without the participant id. The register holds pseudonymous ids only.

An erasure and an event about the same participant may be handled at the same moment, in two
transactions that cannot see each other's rows. The erasure takes an advisory lock exclusively
before it records and deletes; a check takes it shared before it reads the register. Either the
erasure commits first and the check sees it, or the event's rows commit first and the erasure's
statements, run after the lock was granted, see them and delete or scrub them.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Collection, Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.events import Envelope, EventData, ParticipantErased
from forlob_shared.logging import get_logger
from forlob_shared.messaging.subscription import BatchHandler, Handler, Subscription

log = get_logger("forlob.erasure")

erasure_metadata = sa.MetaData()

erased_subjects = sa.Table(
    "erased_subjects",
    erasure_metadata,
    # The participant id, and each of the participant's referral ids at the provider: an event
    # names one or both, and one primary-key lookup answers for all of them.
    sa.Column("id", PgUUID(as_uuid=True), primary_key=True),
    sa.Column("participant_id", PgUUID(as_uuid=True), nullable=False),
    sa.Column("provider_org", sa.Text, nullable=False),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

ERASURE_LOCK = zlib.crc32(b"forlob.erasures")


def create_erasure_register() -> None:
    """From a service's migration: the register, on an existing database as on a new one."""
    from alembic import op  # migrations only: the services' runtime needs no Alembic

    erasure_metadata.create_all(op.get_bind(), checkfirst=True)


def drop_erasure_register() -> None:
    from alembic import op

    erasure_metadata.drop_all(op.get_bind(), checkfirst=True)


def register_rows(erased: ParticipantErased) -> list[dict[str, Any]]:
    """The register's rows for one erasure: the participant and each of their referrals."""
    common = {
        "participant_id": erased.participant_id,
        "provider_org": erased.provider_org,
        "erased_at": erased.erased_at,
    }
    return [{"id": subject, **common} for subject in dict.fromkeys([erased.participant_id, *erased.referral_ids])]


def subjects_of(data: EventData) -> set[UUID]:
    """The participant and referral an event is about (either may be missing)."""
    found = set()
    for name in ("participant_id", "referral_id"):
        value = getattr(data, name, None)
        if isinstance(value, UUID):
            found.add(value)
    return found


class ErasureRegister(Protocol):
    async def record(self, erased: ParticipantErased) -> None:
        """Remember the erasure (idempotent); taken exclusively until the transaction ends."""

    async def erased_among(self, ids: Collection[UUID]) -> set[UUID]:
        """Those of ``ids`` that belong to an erased participant."""


# Built once: every consumer batch of every service asks (skipping_erased). The ids go in as one
# array, so the statement's text is the same for any number of them: an expanding IN renders a
# text per count, and each text is prepared anew on each pooled connection (a round trip).
_SHARE_LOCK = sa.select(sa.func.pg_advisory_xact_lock_shared(ERASURE_LOCK))
_ERASED_AMONG = sa.select(erased_subjects.c.id).where(
    erased_subjects.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(PgUUID(as_uuid=True))))
)


class SqlErasureRegister:
    """The register in the service's database, in the caller's transaction. The lock, once taken,
    is held until that transaction ends: a consumer's batch takes it once, not per step."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._locked_in: object | None = None  # the transaction that holds the lock

    async def record(self, erased: ParticipantErased) -> None:
        await self.session.execute(sa.select(sa.func.pg_advisory_xact_lock(ERASURE_LOCK)))
        self._locked_in = self.session.sync_session.get_transaction()
        await self.session.execute(pg_insert(erased_subjects).on_conflict_do_nothing(), register_rows(erased))

    async def erased_among(self, ids: Collection[UUID]) -> set[UUID]:
        if not ids:
            return set()
        current = self.session.sync_session.get_transaction()
        if current is None or current is not self._locked_in:
            # A statement of its own: the lookup's snapshot must be taken after the lock is granted.
            await self.session.execute(_SHARE_LOCK)
            self._locked_in = self.session.sync_session.get_transaction()
        found = await self.session.scalars(_ERASED_AMONG, {"ids": list(ids)})
        return set(found)

    async def all_ids(self) -> set[UUID]:
        """Every erased id: what a rebuild scrubs, read while it holds its lock."""
        return set(await self.session.scalars(sa.select(erased_subjects.c.id)))


class HasErasures(Protocol):
    @property
    def erasures(self) -> ErasureRegister: ...


U = TypeVar("U", bound=HasErasures)


def skipping_erased(subscription: Subscription[U]) -> Subscription[U]:
    """``subscription`` whose handlers leave out the events about an erased participant: such an
    event is acknowledged and recorded in the inbox like any, and writes nothing else.

    The erasure's own handler is left as it is: announcing an erasure again applies again.
    """
    batches: dict[int, BatchHandler[U]] = {}

    def batch_of(batch: BatchHandler[U]) -> BatchHandler[U]:
        # One wrapper per function: the consumer runs consecutive types together only while they
        # map to the same function object.
        if id(batch) not in batches:
            batches[id(batch)] = _skipping_batch(batch)
        return batches[id(batch)]

    return dataclasses.replace(
        subscription,
        handlers={
            kind: handler if kind is ParticipantErased else _skipping_one(handler)
            for kind, handler in subscription.handlers.items()
        },
        batches={kind: batch_of(batch) for kind, batch in subscription.batches.items()},
    )


def _skipped(envelope: Envelope[Any]) -> None:
    # Neither the participant nor the referral: the event id finds it in the sender's outbox.
    log.info("consumer.erased_participant_skipped", event_id=str(envelope.id), event_type=envelope.type)


def _skipping_one(handler: Handler[U]) -> Handler[U]:
    async def apply(envelope: Envelope[Any], uow: U) -> None:
        if await uow.erasures.erased_among(subjects_of(envelope.data)):
            _skipped(envelope)
            return
        await handler(envelope, uow)

    return apply


def _skipping_batch(batch: BatchHandler[U]) -> BatchHandler[U]:
    async def apply(envelopes: Sequence[Envelope[Any]], uow: U) -> None:
        erased = await uow.erasures.erased_among(set().union(*(subjects_of(e.data) for e in envelopes)))
        kept = [e for e in envelopes if not subjects_of(e.data) & erased]
        for envelope in envelopes:
            if subjects_of(envelope.data) & erased:
                _skipped(envelope)
        if kept:
            await batch(kept, uow)

    return apply

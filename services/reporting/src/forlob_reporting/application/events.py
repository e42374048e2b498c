"""One event into the read model: the live consumer and the rebuild both go through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_reporting.application.ports import ErasureUnitOfWork, FactStore, ReadModelUnitOfWork
from forlob_reporting.domain.erasure import subjects, without_erased
from forlob_reporting.domain.projection import project
from forlob_shared.events import Envelope, ParticipantErased


class RebuildInProgress(TimeoutError):
    """Transient for the consumer: it rolls back (the inbox row too) and retries with back-off.

    Waiting for the lock inside the transaction instead would hold the event's uncommitted inbox
    row, on which the rebuild's own inbox copy would wait: a deadlock.
    """


async def apply_event(facts: FactStore, envelope: Envelope[Any]) -> bool:
    """Apply one event's changes; False when the read model has no use for its type."""
    changes = project(envelope)
    if not changes:
        return False
    await facts.apply(changes)
    return True


async def record_event(uow: ReadModelUnitOfWork, envelope: Envelope[Any]) -> None:
    """:func:`record_events` of one: the rule is written once, for many."""
    await record_events(uow, [envelope])


async def record_events(uow: ReadModelUnitOfWork, envelopes: Sequence[Envelope[Any]]) -> None:
    """The live consumer's use case, in the transaction that also records the inbox row: a batch's
    events' changes, in order, through one pass of the store. An erased participant's id is left
    out: an event about them that comes after the erasure still counts, without naming them."""
    locked = await uow.rebuild_lock.try_share()
    if not locked:
        raise RebuildInProgress("the read model is being rebuilt")
    changes = [change for envelope in envelopes for change in project(envelope)]
    await uow.facts.apply(without_erased(changes, await uow.erasures.erased_among(subjects(changes))))


async def forget_participant(uow: ErasureUnitOfWork, erased: ParticipantErased) -> None:
    """An erasure: into the register (which a rebuild keeps), then out of the facts. Under the
    rebuild lock like any change of the read model: a rebuild swapping in rows it built before
    the erasure was recorded would bring the id back."""
    if not await uow.rebuild_lock.try_share():
        raise RebuildInProgress("the read model is being rebuilt")
    await uow.erasures.record(erased)
    await uow.dpo.forget_participant(erased.provider_org, erased.participant_id, erased.referral_ids)

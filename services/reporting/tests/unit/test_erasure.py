"""An erased participant's id stays out of the read model (no server): whatever order the history
is replayed in, with the erasure anywhere in it or only in the register, and for events about
the participant that the live consumer gets after the erasure. The figures stay as they were."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from forlob_reporting.application.events import RebuildInProgress, forget_participant, record_events
from forlob_reporting.application.figures import Scope, figures
from forlob_reporting.application.rebuild import Replay
from forlob_reporting.domain.erasure import forget_erased, subjects, without_erased
from forlob_reporting.domain.facts import REFERRALS, WEEKS
from forlob_reporting.domain.merge import Change
from forlob_shared.events import ParticipantErased, PendingEvent, decode, encode
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, fact_rows, hold_rebuild_lock
from forlob_testkit.reporting.cohort import Cohort, Published, Referral, build_cohort
from forlob_testkit.reporting.expected import PERIODS, VIEWS, jsonable

ERASED_AT = datetime(2032, 1, 5, 9, tzinfo=UTC)
_built: dict[str, Cohort] = {}


def _cohort() -> Cohort:
    if "cohort" not in _built:
        _built["cohort"] = build_cohort(40, seed=5)
    return _built["cohort"]


def _erased() -> Referral:
    """A participant with summarised weeks: rows in both tables that hold the id."""
    return next(r for r in _cohort().referrals if r.weeks and r.end_date)


def _erasure(referral: Referral) -> ParticipantErased:
    return ParticipantErased(
        participant_id=referral.participant_id,
        provider_org=referral.programme.provider_org,
        referral_ids=[referral.referral_id],
        erased_at=ERASED_AT,
    )


def _body(data: Any, subject: str, provider: str) -> bytes:
    pending = PendingEvent(data=data, subject=subject, provider_org=provider)
    return encode(pending, source="forlob/referral", sequence=1, time=ERASED_AT)


def _erasure_body(referral: Referral) -> bytes:
    return _body(_erasure(referral), str(referral.participant_id), referral.programme.provider_org)


def _events_of(referral: Referral) -> list[Published]:
    return [p for p in _cohort().events if getattr(p.event.data, "participant_id", None) == referral.participant_id]


def _late_copies(referral: Referral) -> list[bytes]:
    """The participant's events once more under new ids: a redelivery the inbox cannot recognise,
    or a producer's late resend."""
    return [encode(dataclasses.replace(p.event, id=uuid4()), source="forlob/x", sequence=p.sequence, time=p.at)
            for p in _events_of(referral)]  # fmt: skip


def _naming(rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]], participant_id: UUID) -> list[Any]:
    return [
        (name, key)
        for name, table in rows.items()
        for key, row in table.items()
        if row.get("participant_id") == participant_id
    ]


def _without_the_id(rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]], participant_id: UUID) -> Any:
    return {
        name: {key: {**row, "participant_id": None} if row.get("participant_id") == participant_id else row
               for key, row in table.items()}
        for name, table in rows.items()
    }  # fmt: skip


async def _replay(bodies: list[bytes], register: frozenset[UUID] = frozenset()) -> Replay:
    replay = Replay()
    for body in bodies:
        await replay.on_body(body)
    replay.forget_erased(set(register))
    return replay


def _history(seed: int) -> list[bytes]:
    bodies = [p.body() for p in _cohort().events]
    random.Random(seed).shuffle(bodies)
    return bodies


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("seed", [1, 2])
async def test_a_rebuild_leaves_out_the_id_wherever_the_erasure_is_in_the_history(where: str, seed: int) -> None:
    referral = _erased()
    history = _history(seed)
    at = {"first": 0, "middle": len(history) // 2, "last": len(history)}[where]
    with_erasure = [*history[:at], _erasure_body(referral), *history[at:], *_late_copies(referral)]
    plain = await _replay(history)
    assert _naming(plain.store.rows, referral.participant_id)  # the history does name the participant

    rebuilt = await _replay(with_erasure)
    assert _naming(rebuilt.store.rows, referral.participant_id) == []
    assert len(rebuilt.erasures) == 1
    assert rebuilt.store.rows == _without_the_id(plain.store.rows, referral.participant_id)


async def test_a_rebuild_whose_history_lost_the_erasure_leaves_out_the_ids_in_the_register() -> None:
    referral = _erased()
    history = [*_history(3), *_late_copies(referral)]
    plain = await _replay(history)
    rebuilt = await _replay(history, register=frozenset({referral.participant_id, referral.referral_id}))
    assert _naming(rebuilt.store.rows, referral.participant_id) == []
    assert rebuilt.store.rows == _without_the_id(plain.store.rows, referral.participant_id)
    # every other participant keeps their id
    named = {row["participant_id"] for row in rebuilt.store.rows[REFERRALS.name].values()}
    assert named == {r.participant_id for r in _cohort().referrals} - {referral.participant_id} | {None}


async def _answers(store: FakeStore) -> dict[str, Any]:
    answers = {}
    for org, by in VIEWS:
        for period in PERIODS:
            found = await figures(FakeReportingUnitOfWork(store), Scope(org, by_referring_org=by), period)
            answers[f"{org}/{by}/{period.start}"] = jsonable(found)
    return answers


async def _consume(store: FakeStore, bodies: list[bytes]) -> None:
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, [decode(b) for b in bodies])
        await uow.commit()


async def test_the_live_read_model_forgets_the_id_and_events_after_the_erasure_do_not_bring_it_back() -> None:
    referral = _erased()
    store = FakeStore()
    await _consume(store, _history(4))
    before = await _answers(store)
    assert _naming(fact_rows(store), referral.participant_id)

    async with FakeReportingUnitOfWork(store) as uow:
        await forget_participant(uow, _erasure(referral))
        await uow.commit()
    assert _naming(fact_rows(store), referral.participant_id) == []
    assert await _answers(store) == before

    await _consume(store, _late_copies(referral))
    assert _naming(fact_rows(store), referral.participant_id) == []
    assert await _answers(store) == before  # the same facts again: every count as it was


async def test_an_erasure_waits_for_a_rebuild_like_any_change_of_the_read_model() -> None:
    referral = _erased()
    store = FakeStore()
    hold_rebuild_lock(store)
    async with FakeReportingUnitOfWork(store) as uow:
        with pytest.raises(RebuildInProgress):
            await forget_participant(uow, _erasure(referral))
    async with FakeReportingUnitOfWork(store) as uow:
        assert await uow.erasures.erased_among({referral.participant_id}) == set()  # nothing recorded


def test_a_change_naming_an_erased_referral_loses_the_participant_id_and_nothing_else() -> None:
    participant, referral, other = uuid4(), uuid4(), uuid4()
    week = Change(WEEKS, (referral, date(2026, 3, 2)), {"participant_id": participant, "agreed_minutes": 600})
    theirs = Change(REFERRALS, (other,), {"participant_id": uuid4(), "outcome": "education"})
    assert subjects([week, theirs]) == {participant, referral, other, theirs.values["participant_id"]}
    kept = without_erased([week, theirs], {referral})  # by the referral id alone
    assert kept[0].values == {"participant_id": None, "agreed_minutes": 600}
    assert kept[1] is theirs
    assert without_erased([week], set()) == [week]


def test_forgetting_in_rows_keeps_other_providers_and_replaces_rather_than_changes_rows() -> None:
    participant, referral = uuid4(), uuid4()
    row = {"referral_id": referral, "participant_id": participant, "provider_org": "a"}
    rows = {REFERRALS.name: {(referral,): row}}
    assert forget_erased(rows, {participant}, provider_org="b") == 0
    assert forget_erased(rows, {participant}, provider_org="a") == 1
    assert rows[REFERRALS.name][(referral,)]["participant_id"] is None
    assert row["participant_id"] == participant  # the fast tier's snapshots share row objects

"""Identity reads, retention and the Idempotency-Key on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from forlob_referral.application.course import EndCourse, end_course, read_closing_note
from forlob_referral.application.intake import reject_referral
from forlob_referral.application.referrals import read_identity, receive_referral
from forlob_referral.application.retention import erase_expired_personal_data, forget_idempotency_keys
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.records import Attainment, ClosingNote, GoalAttainment, SubGoalAttainment
from forlob_referral.domain.referral import RejectReason, State
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.events.common import Outcome
from forlob_shared.http.idempotency import IdempotencyGuard, Replayed
from forlob_testkit.referral import CPR, PROVIDER_ORG
from forlob_testkit.referral_rules import (
    CASEWORKER,
    COORDINATOR,
    HORIZON,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    Desk,
    receive_command,
)

RETENTION = timedelta(days=5 * 365)
NOTE = ClosingNote(
    summary="s",
    resources="r",
    development_possibilities="d",
    goal_attainment=[
        GoalAttainment(
            goal="Stable attendance",
            attainment=Attainment.ACHIEVED,
            sub_goals=[SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.PARTLY)],
        ),
        GoalAttainment(goal="Increase weekly hours", attainment=Attainment.NOT_ACHIEVED),
    ],
)


@pytest.mark.parametrize("reader", [CASEWORKER, COORDINATOR])
async def test_reading_an_identity_number_is_audited_with_its_purpose(desk: Desk, reader: Any) -> None:
    await desk.programme()
    rid = await desk.refer()
    participant = await read_identity(desk.uow(), reader, rid, "  phone the participant ")
    assert (participant.identity_number, participant.scheme) == (CPR, IdentityScheme.DK_CPR)
    async with desk.uow() as uow:
        (read,) = await uow.audit.identity_reads(reader.org, rid, 10)
    assert (read.staff_id, read.purpose) == (reader.staff_id, "phone the participant")
    assert "identity" not in " ".join(desk.event_types())  # a read announces nothing


async def test_an_identity_read_needs_a_purpose(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    with pytest.raises(InvalidInput) as refused:
        await read_identity(desk.uow(), COORDINATOR, rid, "x")
    assert refused.value.extra["field"] == "purpose"


@pytest.mark.parametrize("reader", [OTHER_CASEWORKER, OTHER_COORDINATOR])
async def test_other_organisations_cannot_read_an_identity_and_leave_no_trace(desk: Desk, reader: Any) -> None:
    await desk.programme()
    rid = await desk.refer()
    with pytest.raises(NotFound):
        await read_identity(desk.uow(), reader, rid, "curious")
    async with desk.uow() as uow:
        assert await uow.audit.identity_reads(reader.org, None, 10) == []


async def test_a_swedish_personnummer_is_accepted_and_kept_as_stdnum_compacts_it(desk: Desk) -> None:
    await desk.programme()
    view = await receive_referral(
        desk.uow(),
        CASEWORKER,
        receive_command(identity_number="19811218 9876", identity_scheme=IdentityScheme.SE_PERSONNUMMER),
    )
    assert view.personal is not None
    assert (
        view.personal.participant.identity_number == "19811218-9876"
    )  # the separator is part of the number (+ from 100)


async def _ended_and_running(desk: Desk) -> tuple[UUID, UUID]:
    await desk.programme()
    ended, running = await desk.refer(), await desk.refer()
    for rid in (ended, running):
        await desk.accept(rid)
    desk.clock.set(datetime(2026, 6, 1, 8, tzinfo=UTC))
    for rid in (ended, running):
        await desk.start(rid)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    await end_course(desk.uow(), COORDINATOR, ended, EndCourse(date(2026, 6, 5), Outcome.EDUCATION, NOTE), HORIZON)
    return ended, running


async def test_retention_erases_personal_data_once_and_keeps_the_facts(desk: Desk) -> None:
    ended, running = await _ended_and_running(desk)
    closed_at = desk.clock.now()
    assert await erase_expired_personal_data(desk.uow(), closed_at + RETENTION - timedelta(days=1), RETENTION) == 0
    later = closed_at + RETENTION + timedelta(days=1)
    assert await erase_expired_personal_data(desk.uow(), later, RETENTION) == 1
    assert await erase_expired_personal_data(desk.uow(), later, RETENTION) == 0  # nothing twice
    erased = await desk.get(ended)
    assert erased.personal is None
    assert erased.referral.personal_data_erased_at == later
    assert (erased.referral.state, erased.referral.outcome) == (State.ENDED, Outcome.EDUCATION)
    with pytest.raises(NotFound):
        await read_closing_note(desk.uow(), CASEWORKER, ended)
    with pytest.raises(NotFound):
        await read_identity(desk.uow(), COORDINATOR, ended, "audit")
    assert (await desk.get(running)).personal is not None


async def test_retention_takes_rejected_referrals_too_in_batches(desk: Desk) -> None:
    await desk.programme()
    rejected = [await desk.refer() for _ in range(3)]
    for rid in rejected:
        await reject_referral(desk.uow(), COORDINATOR, rid, RejectReason.DUPLICATE, HORIZON)
    later = desk.clock.now() + RETENTION + timedelta(days=1)
    assert await erase_expired_personal_data(desk.uow(), later, RETENTION, batch=2) == 3
    for rid in rejected:
        assert (await desk.get(rid)).personal is None


async def test_a_new_referral_after_erasure_gets_a_new_pseudonym(desk: Desk) -> None:
    await desk.programme()
    first = await desk.refer()
    await reject_referral(desk.uow(), COORDINATOR, first, RejectReason.DUPLICATE, HORIZON)
    await erase_expired_personal_data(desk.uow(), desk.clock.now() + RETENTION * 2, RETENTION)
    second = await desk.refer()
    assert (await desk.get(first)).referral.participant_id != (await desk.get(second)).referral.participant_id


def _guard(key: str, fingerprint: str = "f") -> IdempotencyGuard:
    return IdempotencyGuard(
        org=CASEWORKER.org,
        key=key,
        method="POST",
        path="/referrals",
        fingerprint=fingerprint,
        status_code=201,
        render=lambda view: {"id": str(view.referral.id)},
    )


async def test_a_retried_referral_is_made_once(desk: Desk) -> None:
    await desk.programme()
    uow = desk.uow()
    uow.guard = _guard("k-1")
    view = await receive_referral(uow, CASEWORKER, receive_command())
    retry = desk.uow()
    retry.guard = _guard("k-1")
    with pytest.raises(Replayed) as replay:
        await receive_referral(retry, CASEWORKER, receive_command())
    assert replay.value.stored.body == {"id": str(view.referral.id)}
    assert desk.event_types().count("referral.received.v1") == 1


async def test_the_same_key_for_another_request_is_refused(desk: Desk) -> None:
    await desk.programme()
    uow = desk.uow()
    uow.guard = _guard("k-1")
    await receive_referral(uow, CASEWORKER, receive_command())
    other = desk.uow()
    other.guard = _guard("k-1", fingerprint="another body")
    with pytest.raises(InvalidInput):
        await receive_referral(other, CASEWORKER, receive_command())


async def test_a_failed_request_does_not_use_up_its_key(desk: Desk) -> None:
    await desk.programme()
    failing = desk.uow()
    failing.guard = _guard("k-1")
    with pytest.raises(InvalidInput):
        await receive_referral(failing, CASEWORKER, receive_command("NOPE"))
    retry = desk.uow()
    retry.guard = _guard("k-1")
    view = await receive_referral(retry, CASEWORKER, receive_command())
    assert view.referral.provider_org == PROVIDER_ORG


async def test_keys_are_forgotten_after_their_time(desk: Desk) -> None:
    await desk.programme()
    uow = desk.uow()
    uow.guard = _guard("k-1")
    await receive_referral(uow, CASEWORKER, receive_command())
    keep = timedelta(days=7)
    assert await forget_idempotency_keys(desk.uow(), desk.clock.now() + keep, keep) == 0
    assert await forget_idempotency_keys(desk.uow(), desk.clock.now() + keep + timedelta(seconds=2), keep) == 1
    again = desk.uow()
    again.guard = _guard("k-1")
    await receive_referral(again, CASEWORKER, receive_command())
    assert desk.event_types().count("referral.received.v1") == 2

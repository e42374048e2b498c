"""After a participant's erasure, events about them (a redelivery under a new id, a late absence,
the course's start replayed from the dead letters) raise no alert, send nothing and put nobody
back in the directory: the erasure register (forlob_shared.erasure) outlives what it erased."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forlob_shared.events import ParticipantErased
from forlob_testkit.wait import eventually

ERASED_AT = datetime(2031, 12, 1, 9, tzinfo=UTC)


async def _at_least(world: Any, query: str, n: int, **params: Any) -> int | None:
    found = int(await world.scalar(query, **params))
    return found if found >= n else None


async def test_events_after_the_erasure_write_nothing_about_the_participant(world: Any) -> None:
    erased, other = await world.start_course(), await world.start_course()
    absence = world.absence(erased)
    await world.publish(absence, subject=str(erased.referral_id))
    await world.alert_for(f"absence:{absence.absence_id}")

    erasure = ParticipantErased(
        participant_id=erased.participant_id,
        provider_org=world.provider,
        referral_ids=[erased.referral_id],
        erased_at=ERASED_AT,
    )
    await world.publish(erasure, subject=str(erased.participant_id))

    async def forgotten() -> bool:
        left = await world.scalar(
            "SELECT (SELECT count(*) FROM alerts WHERE participant_id = :p)"
            " + (SELECT count(*) FROM assignments WHERE participant_id = :p OR referral_id = :r)",
            p=erased.participant_id,
            r=erased.referral_id,
        )
        return int(left) == 0

    await eventually(forgotten, what="the erasure to be applied")
    consumed = int(await world.scalar("SELECT count(*) FROM inbox WHERE consumer = 'notifications.alerts'"))

    # Late: the same absence under a new event id (its alert, which stopped a repeat, is gone),
    # a new absence, the course's start again; and the other participant's absence beside them.
    await world.publish(absence, subject=str(erased.referral_id))
    await world.publish(world.absence(erased), subject=str(erased.referral_id))
    await world.publish(world.programme_started(erased), subject=str(erased.referral_id))
    theirs = world.absence(other)
    await world.publish(theirs, subject=str(other.referral_id))

    await eventually(
        lambda: _at_least(world, "SELECT count(*) FROM inbox WHERE consumer = 'notifications.alerts'", consumed + 4),
        what="the four late events to be consumed",
    )
    await world.alert_for(f"absence:{theirs.absence_id}")  # the consumer works as before
    assert await world.scalar("SELECT count(*) FROM alerts WHERE participant_id = :p", p=erased.participant_id) == 0
    assert (
        await world.scalar(
            "SELECT count(*) FROM assignments WHERE participant_id = :p OR referral_id = :r",
            p=erased.participant_id,
            r=erased.referral_id,
        )
        == 0
    )
    assert [r["participant_id"] for r in await world.rows("SELECT participant_id FROM alerts")] == [
        other.participant_id
    ]
    assert await world.scalar(
        "SELECT count(*) FROM deliveries WHERE alert_id NOT IN (SELECT id FROM alerts)"
    ) == 0  # fmt: skip
    assert {row["id"] for row in await world.rows("SELECT id FROM erased_subjects")} == {
        erased.participant_id,
        erased.referral_id,
    }


async def test_the_erasure_announced_again_applies_again(world: Any) -> None:
    course = await world.start_course()
    erasure = ParticipantErased(
        participant_id=course.participant_id,
        provider_org=world.provider,
        referral_ids=[course.referral_id],
        erased_at=ERASED_AT,
    )
    await world.publish(erasure, subject=str(course.participant_id))
    await world.publish(erasure, subject=str(course.participant_id))  # the DPO asked twice

    await eventually(
        lambda: _at_least(world, "SELECT count(*) FROM inbox WHERE consumer = 'notifications.dpo'", 2),
        what="both announcements to be consumed",
    )
    assert await world.scalar("SELECT count(*) FROM erased_subjects") == 2
    assert await world.scalar("SELECT count(*) FROM assignments WHERE referral_id = :r", r=course.referral_id) == 0

"""What the notice of an absence tells the jobcentre: the minutes of the agreed window missed
(never more), and the facts known when it is sent. An absence explained by the policy's deadline
is not notified; one explained later is, with its reason.

The clock starts on Monday 23 November 2026 at 09:00 in Copenhagen; the contact person works
08:00-16:00, so the notice deadline is counted in those working minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forlob_notifications.application.alerts import run_due_rules
from forlob_shared.events import AbsenceReason, AbsenceResolved, ContactRecorded
from forlob_testkit.wait import eventually

CASEWORKER_MAIL = "cw1@jobcenter.example"


async def _notices(world: Any) -> list[Any]:
    return await world.rows("SELECT * FROM alerts WHERE kind = 'absence_notice'")


async def _notice_mail(world: Any) -> Any:
    [mail] = await eventually(lambda: _mails(world), what="the notice e-mail to the caseworker")
    return mail


async def _mails(world: Any) -> Any:
    return world.smtp.to(CASEWORKER_MAIL)


async def _subscribe(world: Any, receiver: Any, *types: str) -> None:
    created = await world.client.post(
        "/webhooks/subscriptions",
        json={"url": receiver.url, "event_types": list(types)},
        headers=world.auth(world.jobcentre, "admin-1", "admin"),
    )
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]


async def test_a_notice_sent_a_day_later_counts_the_window_missed_not_the_time_since(
    world: Any, webhook_receiver: Any
) -> None:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email=CASEWORKER_MAIL)
    await _subscribe(world, webhook_receiver, "absence.unexplained")
    course = await world.start_course(legal_basis="LAB-68a")  # told within 480 working minutes
    absence = world.absence(course, window=timedelta(hours=4))  # expected 08:45, the window to 12:45
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    # 09:00 + 480 working minutes: seven hours on Monday, the last one on Tuesday morning
    assert alert["notice_due_at"] == world.clock.now() + timedelta(days=1)

    world.clock.advance(timedelta(days=1))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 1

    [notice] = await _notices(world)
    assert notice["facts"]["minutes_missed"] == 240  # the four hours agreed, not the 1,455 since
    assert notice["facts"]["agreed_minutes"] == 240
    assert notice["facts"]["reason"] == "unexplained"
    body = (await _notice_mail(world)).body
    assert "Minutters fravær: 240" in body.splitlines()
    await eventually(lambda: _got(webhook_receiver, 1), what="the absence.unexplained webhook")
    [payload] = webhook_receiver.accepted.values()
    assert payload["data"]["minutes_missed"] == 240  # the partner contract's notice: the facts as fields
    assert (payload["data"]["agreed_minutes"], payload["data"]["reason"]) == (240, "unexplained")


async def test_a_late_arrival_after_the_deadline_is_notified_with_the_minutes_it_missed(world: Any) -> None:
    """The deadline passed unexplained; the sweep had not yet told the jobcentre when the
    participant came: the notice goes all the same, counting the minutes up to the arrival."""
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email=CASEWORKER_MAIL)
    course = await world.start_course(legal_basis="LAB-32-1-2")  # told within 120 working minutes
    absence = world.absence(course)  # expected 08:45, the window to 12:45, due for notice at 11:00
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")

    world.clock.advance(timedelta(hours=2, minutes=30))  # 11:30: arrived 165 minutes late
    await world.publish(
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="late_arrival",
            minutes_late=165,
            resolved_at=world.clock.now(),
        ),
        subject=str(absence.absence_id),
    )
    notice = await world.alert_for(f"notice:absence:{absence.absence_id}")
    assert notice["facts"]["minutes_missed"] == 165
    assert notice["facts"]["agreed_minutes"] == 240
    assert notice["facts"]["arrived_at"] == (absence.expected_at + timedelta(minutes=165)).isoformat()
    closed = await world.rows("SELECT state, close_reason FROM alerts WHERE id = :i", i=alert["id"])
    assert [(r["state"], r["close_reason"]) for r in closed] == [("closed", "late_arrival")]
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 0
    body = (await _notice_mail(world)).body
    assert "Minutters fravær: 165" in body.splitlines()
    assert "Mødt: 23.11.2026 kl. 11:30" in body.splitlines()


async def test_a_late_arrival_before_the_deadline_is_not_notified(world: Any) -> None:
    course = await world.start_course(legal_basis="LAB-32-1-2")
    absence = world.absence(course)
    await world.publish(absence)
    await world.alert_for(f"absence:{absence.absence_id}")
    world.clock.advance(timedelta(hours=1))
    await world.publish(
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="late_arrival",
            minutes_late=75,
            resolved_at=world.clock.now(),
        ),
        subject=str(absence.absence_id),
    )

    async def closed() -> Any:
        return await world.scalar(
            "SELECT state = 'closed' FROM alerts WHERE cause_key = :k", k=f"absence:{absence.absence_id}"
        )

    await eventually(closed, what="the absence alert to close")
    world.clock.advance(timedelta(hours=3))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 0
    assert await _notices(world) == []


async def test_a_reason_recorded_by_the_deadline_means_no_notice(world: Any) -> None:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email=CASEWORKER_MAIL)
    course = await world.start_course(legal_basis="LAB-32-1-2")  # due for notice at 11:00
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    world.clock.advance(timedelta(hours=1))  # 10:00: the contact person reached the participant
    await world.publish(
        ContactRecorded(
            **world.of_course(course),
            absence_id=absence.absence_id,
            outcome="reason_given",
            reason=AbsenceReason.ILLNESS,
            recorded_at=world.clock.now(),
        ),
        subject=str(absence.absence_id),
    )

    async def explained() -> Any:
        return await world.scalar("SELECT facts->>'reason' = 'illness' FROM alerts WHERE id = :i", i=alert["id"])

    await eventually(explained, what="the reason to reach the alert")
    world.clock.advance(timedelta(days=1))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 0
    assert await _notices(world) == []
    assert world.smtp.to(CASEWORKER_MAIL) == []


@pytest.mark.parametrize("how", ["contact", "report"])
async def test_a_reason_given_after_the_deadline_is_in_the_notice(world: Any, how: str) -> None:
    """Explained at 11:30, after the 11:00 deadline, before the notice was sent: the notice goes
    (the deadline passed unexplained) and carries the reason known when it is sent."""
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email=CASEWORKER_MAIL)
    course = await world.start_course(legal_basis="LAB-32-1-2")
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    world.clock.advance(timedelta(hours=2, minutes=30))
    if how == "contact":
        await world.publish(
            ContactRecorded(
                **world.of_course(course),
                absence_id=absence.absence_id,
                outcome="reason_given",
                reason=AbsenceReason.ILLNESS,
                recorded_at=world.clock.now(),
            ),
            subject=str(absence.absence_id),
        )

        async def explained() -> Any:
            return await world.scalar("SELECT contact_attempts FROM alerts WHERE id = :i", i=alert["id"])

        await eventually(explained, what="the contact attempt to reach the alert")
        assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 1
    else:  # the absence reported afterwards: the alert closes, the notice goes first
        await world.publish(
            AbsenceResolved(
                **world.of_course(course),
                absence_id=absence.absence_id,
                resolution="reported",
                reason=AbsenceReason.ILLNESS,
                resolved_at=world.clock.now(),
            ),
            subject=str(absence.absence_id),
        )
    notice = await world.alert_for(f"notice:absence:{absence.absence_id}")
    assert notice["facts"]["reason"] == "illness"
    assert notice["facts"]["reason_given_at"] == world.clock.now().isoformat()
    assert notice["facts"]["minutes_missed"] == 165  # 08:45 to 11:30, the window still running
    assert notice["facts"]["contact_attempts"] == (1 if how == "contact" else 0)
    body = (await _notice_mail(world)).body
    assert "Kodet årsag: Sygdom" in body.splitlines()  # the code in words
    assert "unexplained" not in body


async def _got(receiver: Any, n: int) -> bool:
    return len(receiver.accepted) >= n

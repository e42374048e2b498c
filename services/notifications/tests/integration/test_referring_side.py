"""What the referring organisation hears: an absence still unexplained at the policy's deadline
(facts only, with the notice text), and the end of a course (the closing note is ready)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from forlob_notifications.application.sweep import run_due_rules
from forlob_shared.events import ContactRecorded
from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.wait import eventually


async def test_an_unexplained_absence_is_told_to_the_caseworker_at_the_policy_deadline(
    world: Any, webhook_receiver: Any, collector: Any
) -> None:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email="cw1@jobcenter.example")
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    created = await world.client.post(
        "/webhooks/subscriptions",
        json={"url": webhook_receiver.url, "event_types": ["absence.unexplained"]},
        headers=admin,
    )
    webhook_receiver.secret = created.json()["secret"]
    course = await world.start_course(legal_basis="LAB-32-1-2")  # default: told within 120 working minutes
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    assert alert["notice_due_at"] == world.clock.now() + timedelta(minutes=120)
    await world.publish(
        ContactRecorded(
            **world.of_course(course),
            absence_id=absence.absence_id,
            outcome="called_no_answer",
            recorded_at=world.clock.now(),
        )
    )

    async def contacted() -> Any:
        return await world.scalar("SELECT contact_attempts FROM alerts WHERE id = :i", i=alert["id"])

    await eventually(contacted, what="the contact attempt to be counted")

    world.clock.advance(timedelta(minutes=119))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 0
    world.clock.advance(timedelta(minutes=1))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 1
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).notices == 0

    [mail] = await eventually(lambda: _mails(world, "cw1@jobcenter.example"), what="the notice e-mail")
    assert mail.message["Subject"].startswith("Underretning om fravær")
    body = mail.body
    assert "Minutters fravær: 135" in body  # expected 08:45, told at 11:00 local
    assert "Kontaktforsøg: 1" in body
    assert "Kodet årsag: Endnu ikke forklaret" in body  # the code in words, never raw
    assert raw_codes(body) == []
    assert "jobcentrets afgørelse" in body  # the default notice text: facts, the decision is theirs
    await eventually(lambda: _got(webhook_receiver, 1), what="the absence.unexplained webhook")
    [payload] = webhook_receiver.accepted.values()
    assert payload["type"] == "absence.unexplained"
    assert payload["data"]["minutes_missed"] == 135
    assert payload["data"]["contact_attempts"] == 1
    assert datetime.fromisoformat(payload["data"]["deadline_at"]) == alert["notice_due_at"]
    caseworker = world.auth(world.jobcentre, "cw-1", "caseworker")
    [notice] = (await world.client.get("/inbox", headers=caseworker)).json()
    assert notice["kind"] == "absence_notice"
    # the provider's own alert stays the provider's: the caseworker cannot open it
    assert (await world.client.get(f"/alerts/{alert['id']}", headers=caseworker)).status_code == 404


async def test_the_end_of_a_course_tells_the_caseworker(world: Any, collector: Any) -> None:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email="cw1@jobcenter.example")
    course = await world.start_course()
    ended = world.ended(course, date(2027, 2, 19))
    await world.publish(ended, subject=str(course.referral_id))
    alert = await world.alert_for(f"ended:{course.referral_id}")
    assert alert["recipient_staff_id"] == "cw-1"
    [mail] = await eventually(lambda: _mails(world, "cw1@jobcenter.example"), what="the closing-note e-mail")
    assert "afslutningsnotatet er klar" in mail.message["Subject"]
    assert "Udfald: Ordinær beskæftigelse" in mail.body
    assert raw_codes(mail.body, also=every_code()) == []
    # a person's link: the alert's page on the web, where the caseworker is signed in
    assert f"Se advarslen: https://forlob.example/alerts/{alert['id']}" in mail.body
    assert await world.scalar("SELECT state FROM assignments WHERE referral_id = :r", r=course.referral_id) == "ended"


async def _mails(world: Any, address: str) -> Any:
    return world.smtp.to(address)


async def _got(receiver: Any, n: int) -> bool:
    return len(receiver.accepted) >= n

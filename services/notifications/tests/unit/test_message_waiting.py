"""``referral.message_posted`` → an e-mail to the other side that a message waits: the link to the
thread, in the course's language, never the message's text (the event has none to give)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from forlob_notifications.application.messages import on_message_posted
from forlob_notifications.domain.deliveries import Channel, Delivery
from forlob_shared.events.referral import MessagePosted
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, PROVIDER, Course, Notifications


def posted(course: Course, from_side: str, contact_person_id: str | None = "kp-1") -> MessagePosted:
    return MessagePosted(
        referral_id=course.referral_id,
        message_id=uuid4(),
        from_side=from_side,
        referring_org=JOBCENTRE,
        provider_org=PROVIDER,
        caseworker_id="cw-1",
        contact_person_id=contact_person_id,
        posted_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )


async def deliver(world: Notifications, event: MessagePosted) -> list[Delivery]:
    async with world.uow() as uow:
        await on_message_posted(uow, world.options, event)
        await uow.commit()
    return list(world.store.tables.get("notifications.deliveries", {}).values())


async def test_the_caseworker_is_told_by_email_that_the_providers_message_waits(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    [mail] = await deliver(world, posted(course, "provider"))
    assert (mail.channel, mail.org, mail.recipient) == (Channel.EMAIL, JOBCENTRE, "cw-1")
    assert mail.alert_id is None
    assert mail.content["subject"] == f"Ny besked om henvisning ref. {str(course.referral_id)[:8]}"
    assert f"https://forlob.example/referrals/{course.referral_id}/messages" in mail.content["body"]
    assert "Tilbudsstedet har skrevet" in mail.content["body"]


async def test_the_contact_person_is_told_of_the_caseworkers_message(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(country="SE", timezone="Europe/Stockholm")
    [mail] = await deliver(world, posted(course, "referrer"))
    assert (mail.org, mail.recipient) == (PROVIDER, "kp-1")
    assert mail.content["subject"].startswith("Nytt meddelande om remiss")  # the course's language


async def test_nobody_at_the_provider_is_emailed_before_the_course_has_a_contact_person(world: Notifications) -> None:
    await world.staff_the_provider()
    assert await deliver(world, posted(Course(), "referrer", contact_person_id=None)) == []
    assert await deliver(world, posted(Course(), "provider")) != []  # the caseworker is in the directory

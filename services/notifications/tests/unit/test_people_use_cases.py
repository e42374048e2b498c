"""What people do, over the in-memory unit of work: the inbox, acknowledging, the staff directory,
the notification policies, webhook subscriptions and re-sending a delivery."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from forlob_notifications.application import directory, policies, subscriptions
from forlob_notifications.application.inbox import InboxQuery, acknowledge, get_alert, get_alert_only, inbox
from forlob_notifications.domain.alerts import Alert, AlertState
from forlob_notifications.domain.deliveries import Channel, DeliveryState
from forlob_notifications.domain.directory import StaffMember
from forlob_notifications.domain.policy import DANISH_DEFAULTS, NoticeRecipient, NotificationPolicy
from forlob_shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from forlob_shared.events import AlertAcknowledged, StaffChanged
from forlob_shared.http.auth import Principal
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, MONDAY_9, PROVIDER, Notifications


def person(staff_id: str, *roles: str, org: str = PROVIDER) -> Principal:
    return Principal(staff_id, org, frozenset(roles))


CONTACT = person("kp-1", "contact_person")
LEADER = person("tl-1", "team_leader")
ADMIN = person("admin-1", "admin")


async def an_alert(world: Notifications) -> Alert:
    await world.staff_the_provider()
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    return alert


# -- the inbox ----------------------------------------------------------------------------------


async def test_acknowledging_keeps_who_when_and_the_note_and_tells_the_inbox(world: Notifications) -> None:
    alert = await an_alert(world)
    world.clock.advance(timedelta(minutes=5))
    done = await acknowledge(world.uow(), CONTACT, alert.id, "called, back tomorrow")
    assert (done.state, done.acknowledged_by, done.acknowledged_at) == (
        AlertState.ACKNOWLEDGED,
        "kp-1",
        MONDAY_9 + timedelta(minutes=5),
    )
    stored = await world.alert_for(alert.cause_key)
    assert stored is not None
    assert stored.acknowledgement_note == "called, back tomorrow"
    [event] = world.published_of(AlertAcknowledged)
    assert "note" not in event.model_dump()  # the note may be about health: never in an event
    assert world.inbox_notices[-1]["change"] == "acknowledged"


async def test_acknowledging_twice_changes_nothing(world: Notifications) -> None:
    alert = await an_alert(world)
    first = await acknowledge(world.uow(), CONTACT, alert.id)
    world.clock.advance(timedelta(minutes=5))
    again = await acknowledge(world.uow(), CONTACT, alert.id, "later note")
    assert again.acknowledged_at == first.acknowledged_at
    assert len(world.published_of(AlertAcknowledged)) == 1
    stored = await world.alert_for(alert.cause_key)
    assert stored is not None
    assert stored.acknowledgement_note is None


async def test_acknowledging_a_closed_alert_is_a_conflict(world: Notifications) -> None:
    alert = await an_alert(world)
    async with world.uow() as uow:
        stored = await uow.alerts.get(alert.id, PROVIDER)
        assert stored is not None
        stored.close("reported", MONDAY_9)
        await uow.alerts.save(stored)
        await uow.commit()
    with pytest.raises(Conflict):
        await acknowledge(world.uow(), CONTACT, alert.id)


async def test_another_organisations_alert_is_not_found(world: Notifications) -> None:
    alert = await an_alert(world)
    stranger = person("kp-1", "contact_person", org="another-provider")
    with pytest.raises(NotFound):
        await acknowledge(world.uow(), stranger, alert.id)
    with pytest.raises(NotFound):
        await get_alert(world.uow(), stranger, alert.id)
    with pytest.raises(NotFound):
        await get_alert_only(world.uow(), stranger, alert.id)


async def test_an_alert_is_read_with_its_deliveries(world: Notifications) -> None:
    alert = await an_alert(world)
    found, deliveries = await get_alert(world.uow(), CONTACT, alert.id)
    assert found.id == alert.id
    assert [(d.channel, d.recipient) for d in deliveries] == [(Channel.EMAIL, "kp-1")]
    assert (await get_alert_only(world.uow(), LEADER, alert.id)).id == alert.id


async def test_the_inbox_is_the_persons_own_and_the_organisations_for_a_team_leader(world: Notifications) -> None:
    alert = await an_alert(world)
    assert [a.id for a in await inbox(world.uow(), CONTACT, InboxQuery())] == [alert.id]
    assert await inbox(world.uow(), LEADER, InboxQuery()) == []  # not addressed to the leader (yet)
    assert [a.id for a in await inbox(world.uow(), LEADER, InboxQuery(everyone=True))] == [alert.id]
    await world.sweep(MONDAY_9 + timedelta(minutes=30))
    assert [a.id for a in await inbox(world.uow(), LEADER, InboxQuery())] == [alert.id]  # escalated to them


async def test_only_leaders_coordinators_and_admins_read_everyones_alerts(world: Notifications) -> None:
    with pytest.raises(Forbidden):
        await inbox(world.uow(), CONTACT, InboxQuery(everyone=True))
    assert await inbox(world.uow(), person("c-1", "coordinator"), InboxQuery(everyone=True)) == []


async def test_the_inbox_filters_by_state(world: Notifications) -> None:
    alert = await an_alert(world)
    await acknowledge(world.uow(), CONTACT, alert.id)
    assert await inbox(world.uow(), CONTACT, InboxQuery(states=["open"])) == []
    assert [a.id for a in await inbox(world.uow(), CONTACT, InboxQuery(states=["acknowledged"]))] == [alert.id]


@pytest.mark.parametrize("query", [{"states": ["forgotten"]}, {"kinds": ["absence", "party"]}])
def test_an_unknown_filter_is_refused_with_the_known_values(query: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidInput) as refused:
        InboxQuery(**query)  # type: ignore[arg-type]
    assert "unknown filter value" in str(refused.value)


# -- the staff directory ------------------------------------------------------------------------


async def test_an_admin_keeps_their_own_organisations_directory(world: Notifications) -> None:
    member = StaffMember(org="someone-else", staff_id="kp-7", role="contact_person", email="kp7@example.org")
    kept = await directory.put_staff(world.uow(), ADMIN, member)
    assert kept.org == PROVIDER  # nobody keeps another organisation's directory
    assert (await directory.get_staff(world.uow(), ADMIN, "kp-7")).email == "kp7@example.org"
    assert [m.staff_id for m in await directory.list_staff(world.uow(), ADMIN, None)] == ["kp-7"]
    # The other services hear who works here: id, role, active, never the address.
    [announced] = world.published_of(StaffChanged)
    assert (announced.org, announced.staff_id, announced.role, announced.active) == (
        PROVIDER,
        "kp-7",
        "contact_person",
        True,
    )
    assert "kp7@example.org" not in str(announced.model_dump())
    with pytest.raises(NotFound):
        await directory.get_staff(world.uow(), person("admin-2", "admin", org=JOBCENTRE), "kp-7")


async def test_colleagues_are_the_organisations_active_staff_only(world: Notifications) -> None:
    for staff_id, role, active in (
        ("kp-7", "contact_person", True),
        ("tl-2", "team_leader", True),
        ("kp-8", "contact_person", False),
    ):
        member = StaffMember(org=PROVIDER, staff_id=staff_id, role=role, channels=["inbox"], active=active)
        await directory.put_staff(world.uow(), ADMIN, member)
    await directory.put_staff(
        world.uow(),
        person("admin-2", "admin", org=JOBCENTRE),
        StaffMember(org=JOBCENTRE, staff_id="cw-1", role="caseworker", channels=["inbox"]),
    )
    colleagues = await directory.list_colleagues(world.uow(), CONTACT)
    assert [(m.staff_id, m.role) for m in colleagues] == [("kp-7", "contact_person"), ("tl-2", "team_leader")]
    assert await directory.list_colleagues(world.uow(), person("x-1", "contact_person", org="rca-odense")) == []


async def test_a_contact_person_may_not_change_the_directory(world: Notifications) -> None:
    member = StaffMember(org=PROVIDER, staff_id="kp-7", role="contact_person", email="kp7@example.org")
    with pytest.raises(Forbidden):
        await directory.put_staff(world.uow(), CONTACT, member)


async def test_a_course_is_seen_by_both_its_organisations_and_nobody_else(world: Notifications) -> None:
    course = await world.start_course()
    caseworker = person("cw-1", "caseworker", org=JOBCENTRE)
    assert (await directory.get_assignment(world.uow(), caseworker, course.referral_id)).caseworker_id == "cw-1"
    assert (await directory.get_assignment(world.uow(), CONTACT, course.referral_id)).contact_person_id == "kp-1"
    with pytest.raises(NotFound):
        await directory.get_assignment(world.uow(), person("x", "admin", org="elsewhere"), course.referral_id)
    mine = await directory.list_assignments(world.uow(), CONTACT, "kp-1", 10)
    assert [a.referral_id for a in mine] == [course.referral_id]
    assert await directory.list_assignments(world.uow(), CONTACT, "kp-9", 10) == []


# -- notification policies ----------------------------------------------------------------------


async def test_a_provider_sets_and_resets_its_own_policy(world: Notifications) -> None:
    own = NotificationPolicy("LAB-42", 60, frozenset({NoticeRecipient.WEBHOOKS}), "Vores tekst")
    coordinator = person("c-1", "coordinator")
    saved = await policies.put_policy(world.uow(), coordinator, own)
    assert (saved.notify_within_working_minutes, saved.is_default) == (60, False)
    assert (await policies.get_policy(world.uow(), CONTACT, "LAB-42")).notice_text == "Vores tekst"
    listed = {p.legal_basis: p for p in await policies.list_policies(world.uow(), CONTACT)}
    assert listed["LAB-42"].notify_within_working_minutes == 60
    assert listed["LAB-68a"] is DANISH_DEFAULTS["LAB-68a"]
    back = await policies.reset_policy(world.uow(), coordinator, "LAB-42")
    assert back is DANISH_DEFAULTS["LAB-42"]


async def test_a_contact_person_may_not_set_a_policy(world: Notifications) -> None:
    own = NotificationPolicy("LAB-42", 60, frozenset({NoticeRecipient.WEBHOOKS}), "x")
    with pytest.raises(Forbidden):
        await policies.put_policy(world.uow(), CONTACT, own)


# -- webhook subscriptions and deliveries -------------------------------------------------------


NEW = subscriptions.NewSubscription(url="https://partner.example/hook", event_types=["alert.raised"])


async def test_an_admin_creates_a_subscription_with_a_secret(world: Notifications) -> None:
    created = await subscriptions.create_subscription(world.uow(), world.options, ADMIN, NEW)
    assert created.secret.startswith("whsec_")
    assert (created.org, created.owner_staff_id, created.created_at) == (PROVIDER, "admin-1", MONDAY_9)
    listed = await subscriptions.list_subscriptions(world.uow(), ADMIN)
    assert [s.id for s in listed] == [created.id]


async def test_a_subscription_needs_a_known_event_type_and_an_admin(world: Notifications) -> None:
    with pytest.raises(InvalidInput):
        await subscriptions.create_subscription(
            world.uow(), world.options, ADMIN, subscriptions.NewSubscription("https://p.example", ["nonsense"])
        )
    with pytest.raises(Forbidden):
        await subscriptions.create_subscription(world.uow(), world.options, CONTACT, NEW)


async def test_changing_a_subscription_disables_enables_and_rotates(world: Notifications) -> None:
    created = await subscriptions.create_subscription(world.uow(), world.options, ADMIN, NEW)
    off = await subscriptions.change_subscription(
        world.uow(), world.options, ADMIN, created.id, subscriptions.SubscriptionChange(enabled=False)
    )
    assert (off.enabled, off.disabled_reason) == (False, "disabled by admin-1")
    on = await subscriptions.change_subscription(
        world.uow(),
        world.options,
        ADMIN,
        created.id,
        subscriptions.SubscriptionChange(enabled=True, rotate_secret=True, description="ours"),
    )
    assert on.enabled
    assert on.description == "ours"
    assert on.secret != created.secret
    assert on.previous_secret == created.secret
    assert on.previous_secret_expires_at == MONDAY_9 + world.options.secret_overlap


async def test_an_expired_secret_is_dropped_by_the_sweep(world: Notifications) -> None:
    created = await subscriptions.create_subscription(world.uow(), world.options, ADMIN, NEW)
    await subscriptions.rotate_secret(world.uow(), world.options, ADMIN, created.id)
    assert await subscriptions.drop_expired_secrets(world.uow(), MONDAY_9 + timedelta(hours=23)) == 0
    assert await subscriptions.drop_expired_secrets(world.uow(), MONDAY_9 + timedelta(hours=24)) == 1
    found = await subscriptions.get_subscription(world.uow(), ADMIN, created.id)
    assert found.previous_secret is None


async def test_a_deleted_subscription_is_gone_and_wakes_the_dispatcher(world: Notifications) -> None:
    created = await subscriptions.create_subscription(world.uow(), world.options, ADMIN, NEW)
    await subscriptions.delete_subscription(world.uow(), ADMIN, created.id)
    with pytest.raises(NotFound):
        await subscriptions.get_subscription(world.uow(), ADMIN, created.id)
    with pytest.raises(NotFound):
        await subscriptions.delete_subscription(world.uow(), ADMIN, created.id)
    assert world.uow().dispatcher_woken == 1


async def test_a_failed_delivery_is_resent_by_hand_under_the_same_id(world: Notifications) -> None:
    alert = await an_alert(world)
    [mail] = await world.deliveries_of(alert)
    mail.state = DeliveryState.FAILED
    async with world.uow() as uow:
        await uow.deliveries.save(mail)
        await uow.commit()
    world.clock.advance(timedelta(hours=30))
    view = await subscriptions.resend_delivery(world.uow(), world.options, ADMIN, mail.id)
    assert (view.delivery.id, view.delivery.state) == (mail.id, DeliveryState.PENDING)
    assert view.delivery.next_attempt_at == world.clock.now()
    assert view.delivery.give_up_at == world.clock.now() + world.options.retry_window
    listed = await subscriptions.list_deliveries(
        world.uow(), ADMIN, channel="email", subscription_id=None, state="pending", limit=10
    )
    assert [v.delivery.id for v in listed] == [mail.id]


async def test_deliveries_of_an_unknown_channel_or_subscription_are_refused(world: Notifications) -> None:
    with pytest.raises(InvalidInput):
        await subscriptions.list_deliveries(
            world.uow(), ADMIN, channel="fax", subscription_id=None, state=None, limit=5
        )
    with pytest.raises(NotFound):
        await subscriptions.list_deliveries(
            world.uow(), ADMIN, channel=None, subscription_id=uuid4(), state=None, limit=5
        )

"""Safety on visits, over the in-memory unit of work: a visit not ended by its planned end plus
grace alerts the team leader and the colleague once, escalates when nobody acknowledges, and
ending the visit closes its alerts. Grace and escalation are 15 minutes (Options' defaults).

The clock starts on Monday 23 November 2026 at 09:00 in Copenhagen."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forlob_notifications.application import visits
from forlob_notifications.domain import content
from forlob_notifications.domain.alerts import UNASSIGNED, VISIT_ENDED, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Channel
from forlob_notifications.domain.visits import start_visit
from forlob_shared.errors import Forbidden, InvalidInput, NotFound
from forlob_shared.events.visits import VisitEnded, VisitKind, VisitOverdue, VisitStarted
from forlob_testkit.in_memory.notifications_world import MONDAY_9, PROVIDER, Notifications

GRACE = timedelta(minutes=15)


async def a_team(world: Notifications) -> None:
    """kp-1 and kp-2 led by tl-1; a second team leader tl-2 and a coordinator co-1."""
    await world.put_staff("kp-1", team_leader_id="tl-1")
    await world.put_staff("kp-2", team_leader_id="tl-1")
    await world.put_staff("tl-1", role="team_leader")
    await world.put_staff("tl-2", role="team_leader")
    await world.put_staff("co-1", role="coordinator")


# -- the pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned_end", "colleague", "field"),
    [
        (MONDAY_9 - timedelta(minutes=1), None, "planned_end"),  # in the past
        (MONDAY_9, None, "planned_end"),  # now: not in the future
        (MONDAY_9 + timedelta(hours=13), None, "planned_end"),  # a date typed wrong
        (MONDAY_9 + timedelta(hours=1), "kp-1", "colleague_id"),  # along with oneself
    ],
)
def test_a_visit_is_refused_with_a_planned_end_that_cannot_be(
    planned_end: datetime, colleague: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        start_visit(
            org="rca",
            staff_id="kp-1",
            kind=VisitKind.HOME,
            planned_end=planned_end,
            colleague_id=colleague,
            now=MONDAY_9,
            grace=GRACE,
        )
    assert refused.value.extra["field"] == field


def test_a_visit_is_overdue_after_its_planned_end_plus_grace_once_and_not_when_ended() -> None:
    end = MONDAY_9 + timedelta(hours=1)
    visit = start_visit(
        org="rca", staff_id="kp-1", kind=VisitKind.STREET, planned_end=end, colleague_id=" ", now=MONDAY_9, grace=GRACE
    )
    assert visit.colleague_id is None  # a blank colleague is none
    assert not visit.is_overdue(end + GRACE - timedelta(seconds=1))
    assert visit.is_overdue(end + GRACE)
    overdue = visit.mark_overdue(end + GRACE)
    assert isinstance(overdue.data, VisitOverdue)
    assert not visit.is_overdue(end + GRACE + timedelta(minutes=1))  # found once
    ended = visit.end("kp-1", end + GRACE + timedelta(minutes=5))
    assert ended is not None
    assert isinstance(ended.data, VisitEnded)
    assert ended.data.was_overdue
    assert visit.end("kp-1", end + GRACE + timedelta(minutes=6)) is None  # ending twice: nothing new


# -- the use cases ----------------------------------------------------------------------------


async def test_a_visit_ended_in_time_raises_nothing(world: Notifications) -> None:
    await a_team(world)
    visit = await world.start_visit("kp-1", minutes=60, colleague_id="kp-2")
    [started] = world.published_of(VisitStarted)
    assert (started.staff_id, started.colleague_id, started.kind) == ("kp-1", "kp-2", VisitKind.HOME)
    world.clock.advance(timedelta(minutes=70))
    await world.end_visit(visit)
    assert (await world.sweep(MONDAY_9 + timedelta(hours=3))).visits_overdue == 0
    [ended] = world.published_of(VisitEnded)
    assert not ended.was_overdue
    assert await world.alerts_of(kind="visit_overdue") == []


async def test_an_overdue_visit_alerts_the_team_leader_and_the_colleague_once_by_inbox_and_e_mail(
    world: Notifications,
) -> None:
    await a_team(world)
    visit = await world.start_visit("kp-1", minutes=60, colleague_id="kp-2")
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=74))).visits_overdue == 0  # within the grace
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=75))).visits_overdue == 1
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=76))).visits_overdue == 0  # once only
    [overdue] = world.published_of(VisitOverdue)
    assert (overdue.visit_id, overdue.staff_id, overdue.colleague_id) == (visit.id, "kp-1", "kp-2")
    found = await world.alerts_of(kind="visit_overdue")
    assert sorted(a.recipient_staff_id for a in found) == ["kp-2", "tl-1"]
    for alert in found:
        assert (alert.participant_id, alert.referral_id, alert.referring_org) == (None, None, None)
        assert alert.occurred_at == visit.planned_end
        assert alert.due_at == MONDAY_9 + timedelta(minutes=75 + 15)  # found at 75, escalating 15 later
        [mail] = [d for d in await world.deliveries_of(alert) if d.channel is Channel.EMAIL]
        assert mail.recipient == alert.recipient_staff_id
        assert mail.content["subject"] == "Besøg ved kp-1 ikke afsluttet siden 23.11.2026 kl. 10:00"
    assert {n["staff_id"] for n in world.inbox_notices} == {"kp-2", "tl-1"}


async def test_an_overdue_visit_nobody_acknowledges_escalates_and_ending_it_closes_every_alert(
    world: Notifications,
) -> None:
    await a_team(world)
    visit = await world.start_visit("kp-1", minutes=60, colleague_id="kp-2")
    await world.sweep(MONDAY_9 + timedelta(minutes=75))
    result = await world.sweep(MONDAY_9 + timedelta(minutes=90))
    assert result.escalated == 2
    escalated = {a.recipient_staff_id: a.escalated_to for a in await world.alerts_of(kind="visit_overdue")}
    # the colleague's goes to their team leader; the team leader's, who has none, to another one
    assert escalated == {"kp-2": "tl-1", "tl-1": "tl-2"}
    world.clock.advance(timedelta(minutes=5))
    await world.end_visit(visit)
    [ended] = world.published_of(VisitEnded)
    assert ended.was_overdue
    for alert in await world.alerts_of(kind="visit_overdue"):
        assert (alert.state, alert.close_reason) == (AlertState.CLOSED, VISIT_ENDED)


async def test_an_acknowledged_visit_alert_does_not_escalate(world: Notifications) -> None:
    await a_team(world)
    await world.start_visit("kp-1", minutes=60)
    await world.sweep(MONDAY_9 + timedelta(minutes=75))
    [alert] = await world.alerts_of(kind="visit_overdue")
    async with world.uow() as uow:
        stored = await uow.alerts.get(alert.id, PROVIDER, for_update=True)
        assert stored is not None
        stored.acknowledge("tl-1", world.clock.now())
        await uow.alerts.save(stored)
        await uow.commit()
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=120))).escalated == 0


async def test_without_a_team_leader_link_the_organisations_team_leaders_are_alerted(world: Notifications) -> None:
    await world.put_staff("kp-9")  # nobody linked as their team leader
    await world.put_staff("tl-1", role="team_leader")
    await world.put_staff("tl-2", role="team_leader")
    await world.start_visit("kp-9", minutes=30)
    await world.sweep(MONDAY_9 + timedelta(minutes=45))
    assert sorted(a.recipient_staff_id for a in await world.alerts_of(kind="visit_overdue")) == ["tl-1", "tl-2"]


async def test_with_nobody_to_alert_the_alert_is_raised_unassigned_and_escalates_to_a_coordinator(
    world: Notifications,
) -> None:
    await world.put_staff("kp-9")
    visit = await world.start_visit("kp-9", minutes=30)
    await world.sweep(MONDAY_9 + timedelta(minutes=45))
    [alert] = await world.alerts_of(kind="visit_overdue")
    assert alert.recipient_staff_id == UNASSIGNED  # in the organisation's inbox: it never vanishes
    await world.put_staff("co-1", role="coordinator")  # someone joins before it is due
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=60))).escalated == 1
    [alert] = await world.alerts_of(kind="visit_overdue")
    assert alert.escalated_to == "co-1"
    await world.end_visit(visit)
    [alert] = await world.alerts_of(kind="visit_overdue")
    assert alert.state is AlertState.CLOSED


async def test_ending_twice_changes_nothing_and_others_may_not_end_a_visit(world: Notifications) -> None:
    await a_team(world)
    await world.put_staff("kp-3", team_leader_id="tl-2")
    visit = await world.start_visit("kp-1", minutes=60, colleague_id="kp-2")
    with pytest.raises(NotFound):  # another organisation's visit does not exist for them
        await world.end_visit(visit, world.person("kp-1", "team_leader", org="elsewhere"))
    with pytest.raises(Forbidden):  # a colleague not along, and no team leader
        await world.end_visit(visit, world.person("kp-3"))
    first = await world.end_visit(visit, world.person("kp-2"))  # the colleague along may
    world.clock.advance(timedelta(minutes=1))
    again = await world.end_visit(visit)
    assert (again.ended_at, again.ended_by) == (first.ended_at, "kp-2")
    assert len(world.published_of(VisitEnded)) == 1


async def test_open_visits_are_the_persons_own_and_their_teams_and_a_team_leader_sees_all(
    world: Notifications,
) -> None:
    await a_team(world)
    await world.put_staff("kp-3", team_leader_id="tl-2")
    mine = await world.start_visit("kp-1", minutes=60)
    teams = await world.start_visit("kp-2", minutes=90)
    other_team = await world.start_visit("kp-3", minutes=30, colleague_id="kp-1")
    elsewhere = await world.start_visit("kp-1", minutes=60, org="elsewhere")
    ended = await world.start_visit("kp-1", minutes=20)
    await world.end_visit(ended)

    def ids(found: list[visits.Visit]) -> list[object]:
        return [v.id for v in found]

    seen_by_kp1 = await visits.open_visits(world.uow(), world.person("kp-1"))
    assert ids(seen_by_kp1) == [other_team.id, mine.id, teams.id]  # the earliest planned end first
    seen_by_kp3 = await visits.open_visits(world.uow(), world.person("kp-3"))
    assert ids(seen_by_kp3) == [other_team.id]
    seen_by_leader = await visits.open_visits(world.uow(), world.person("tl-2", "team_leader"))
    assert elsewhere.id not in ids(seen_by_leader)
    assert len(seen_by_leader) == 3
    with pytest.raises(NotFound):
        await visits.get(world.uow(), world.person("kp-3"), teams.id)
    assert (await visits.get(world.uow(), world.person("kp-2"), mine.id)).id == mine.id  # the same team


def test_a_visit_e_mail_names_no_place_and_no_citizen_in_every_language() -> None:
    from forlob_notifications.domain.alerts import Alert
    from forlob_notifications.domain.directory import calendar_for

    alert = Alert(
        id=visits.new_alert_id(),
        org="rca",
        kind=AlertKind.VISIT_OVERDUE,
        cause_key="visit_overdue:x:tl-1",
        cause_event_id=visits.new_alert_id(),
        recipient_staff_id="tl-1",
        provider_org="rca",
        raised_at=MONDAY_9,
        occurred_at=MONDAY_9,
        facts={"visit_id": "x", "visit_staff_id": "kp-1", "visit_kind": "home", "planned_end": MONDAY_9.isoformat()},
    )
    zone = calendar_for().zone
    subjects = {
        lang: content.email(alert, "https://f.example", lang=lang, zone=zone)["subject"] for lang in ("da", "sv", "en")
    }
    assert subjects == {
        "da": "Besøg ved kp-1 ikke afsluttet siden 23.11.2026 kl. 09:00",
        "sv": "Besök av kp-1 inte avslutat sedan 2026-11-23 kl. 09:00",
        "en": "Visit by kp-1 overdue since 23 Nov 2026 at 09:00",
    }

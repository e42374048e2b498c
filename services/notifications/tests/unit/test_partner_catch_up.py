"""Catch-up's use cases on the in-memory unit of work: replay by cursor and by time, scoped to
the caller's organisation and role, bad input refused; one referral's state folded from the
partner events its organisation was sent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from forlob_notifications.application.catch_up import (
    parse_cursor,
    prune_feed,
    read_feed,
    referral_state,
    told_of_referral,
)
from forlob_notifications.application.options import Options
from forlob_notifications.domain.partner_feed import FeedPage, Pruned
from forlob_notifications.partners.feed import publish
from forlob_notifications.partners.state import derive
from forlob_shared.clock import ManualClock
from forlob_shared.errors import Forbidden, InvalidInput, NotFound
from forlob_shared.events.employment import Recommendation, SupportPhase, WorkAbilityArea
from forlob_shared.http.auth import Principal
from forlob_shared.partner import PartnerEvent
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.notifications import FakeNotificationsUnitOfWork
from forlob_testkit.in_memory.notifications_world import MONDAY_9
from forlob_testkit.partner_events import AReferral

JC, OTHER = "jobcenter-aalborg", "jobcenter-odense"
SYSTEM = Principal(staff_id="jc-system", org=JC, roles=frozenset({"partner_system"}))
OTHER_SYSTEM = Principal(staff_id="od-system", org=OTHER, roles=frozenset({"partner_system"}))


@pytest.fixture
def uow(clock: ManualClock) -> FakeNotificationsUnitOfWork:
    return FakeNotificationsUnitOfWork(FakeStore(), clock)


async def _publish(uow: FakeNotificationsUnitOfWork, *events: PartnerEvent) -> None:
    async with uow:
        for event in events:
            await publish(uow, Options(), event)
        await uow.commit()


async def _a_course(uow: FakeNotificationsUnitOfWork, clock: ManualClock, referral: AReferral) -> None:
    first, second = uuid4(), uuid4()
    for event in (
        referral.received(),
        referral.accepted(),
        referral.started(weekly_minutes=1200),
        referral.hours_changed(weekly_minutes=1440),
        referral.unexplained(first),
        referral.reestablished(first),
        referral.breached(),
        referral.unexplained(second),
        referral.rescheduled(date(2027, 3, 26)),
        referral.ended(),
    ):
        await _publish(uow, event)
        clock.advance(timedelta(hours=1))


async def test_a_partner_replays_its_organisations_events_from_the_start_page_by_page(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    ours = AReferral(JC)
    await _a_course(uow, clock, ours)
    await _publish(uow, AReferral(OTHER).received())
    seen: list[dict[str, object]] = []
    page = await read_feed(uow, SYSTEM, after=0, limit=3)
    seen += [e.cloudevent() for e in page.events]
    while page.has_more:
        page = await read_feed(uow, SYSTEM, after=page.next, limit=3)
        seen += [e.cloudevent() for e in page.events]
    assert [d["sequence"] for d in seen] == [f"{n:012d}" for n in range(1, 11)]
    assert {d["subject"] for d in seen} == {str(ours.referral_id)}
    assert page.next == 10
    assert [d["id"] for d in seen] == [str(e.id) for e in uow.published if e.referring_org == JC]
    other = await read_feed(uow, OTHER_SYSTEM)
    assert [e.cursor for e in other.events] == [1]


async def test_since_starts_at_the_first_event_written_at_or_after_the_time(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    await _a_course(uow, clock, AReferral(JC))
    page = await read_feed(uow, SYSTEM, since=MONDAY_9 + timedelta(hours=7, minutes=30))
    assert [e.sequence for e in page.events] == [9, 10]
    later = await read_feed(uow, SYSTEM, since=MONDAY_9 + timedelta(days=30))
    assert (later.events, later.next) == ([], 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after": 3, "since": MONDAY_9}, "not both"),
        ({"since": datetime(2026, 12, 1, 9)}, "offset"),
        ({"since": datetime.fromisoformat("0001-01-01T00:30:00+01:00")}, "out of range"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
    ],
)
async def test_bad_input_is_refused(uow: FakeNotificationsUnitOfWork, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await read_feed(uow, SYSTEM, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "-1", "abc", "1.5", "١٢", "9" * 19])
def test_a_cursor_is_a_decimal_number(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_cursor(raw)


def test_a_cursor_reads_back() -> None:
    assert (parse_cursor("0"), parse_cursor("42")) == (0, 42)


async def test_only_a_partner_system_reads_the_feed(uow: FakeNotificationsUnitOfWork) -> None:
    caseworker = Principal(staff_id="cw-7", org=JC, roles=frozenset({"caseworker"}))
    with pytest.raises(Forbidden):
        await read_feed(uow, caseworker)
    with pytest.raises(Forbidden):
        await referral_state(uow, caseworker, uuid4())


async def test_the_state_of_a_referral_is_what_its_organisation_was_told(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    referral = AReferral(JC)
    await _a_course(uow, clock, referral)
    state = await referral_state(uow, SYSTEM, referral.referral_id)
    assert state.status == "ended"
    assert (state.start_date, state.end_date, state.planned_end_date) == (
        date(2026, 11, 30),
        date(2027, 3, 26),
        date(2027, 3, 26),
    )
    assert state.agreed_weekly_minutes == 1440
    assert len(state.agreed_schedule) == 4
    assert state.outcome == "ordinary_employment"
    assert state.first_job_date == date(2027, 4, 1)
    assert state.legal_basis == "LAB-32-1-2"
    assert len(state.open_notices) == 1  # the first absence's contact came back; the second's did not
    assert len(state.breaches) == 1
    assert state.sequence == "000000000010"
    assert state.updated_at == MONDAY_9 + timedelta(hours=9)
    with pytest.raises(NotFound):
        await referral_state(uow, OTHER_SYSTEM, referral.referral_id)
    with pytest.raises(NotFound):
        await referral_state(uow, SYSTEM, uuid4())


def test_the_state_follows_the_intake_and_skips_what_it_does_not_know() -> None:
    referral = AReferral(JC)
    documents = [
        {"type": e.cloudevent_type(), "sequence": str(n), "time": "2026-11-30T12:00:00Z", "data": e.model_dump()}
        for n, e in enumerate([referral.received(), referral.waitlisted(position=2)], start=1)
    ]
    documents.append({"type": "dk.forlob.partner.referral.teleported.v1", "sequence": "3", "time": "x", "data": {}})
    state = derive(documents)
    assert state is not None
    assert (state.status, state.waiting_list_position, state.sequence) == ("waitlisted", 2, "000000000002")
    assert derive([]) is None


async def test_the_state_shows_the_jobs_the_support_phase_and_a_clarification_result(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    ips = AReferral(JC)
    first, second = uuid4(), uuid4()
    await _publish(uow, ips.received(), ips.accepted(), ips.started())
    assert (await referral_state(uow, SYSTEM, ips.referral_id)).phase is None  # nothing told yet
    await _publish(
        uow,
        ips.job_started(first, date(2027, 1, 11), weekly_hours=12.5),
        ips.phase_changed(SupportPhase.EMPLOYED_WITH_SUPPORT, date(2027, 1, 11), first),
    )
    state = await referral_state(uow, SYSTEM, ips.referral_id)
    assert (state.phase, state.phase_since) == (SupportPhase.EMPLOYED_WITH_SUPPORT, date(2027, 1, 11))
    assert [(s.spell_id, s.weekly_hours, s.end_date) for s in state.spells] == [(first, 12.5, None)]
    await _publish(
        uow,
        ips.job_ended(first, date(2027, 1, 11), date(2027, 3, 31)),
        ips.phase_changed(SupportPhase.SEARCH, date(2027, 4, 1), first),
        ips.job_started(second, date(2027, 5, 3), weekly_hours=30.0),
        ips.phase_changed(SupportPhase.EMPLOYED_WITH_SUPPORT, date(2027, 5, 3), second),
    )
    state = await referral_state(uow, SYSTEM, ips.referral_id)
    assert [(s.spell_id, s.start_date, s.weekly_hours, s.end_date) for s in state.spells] == [
        (first, date(2027, 1, 11), 12.5, date(2027, 3, 31)),
        (second, date(2027, 5, 3), 30.0, None),
    ]
    assert (state.phase, state.phase_since, state.status) == (
        SupportPhase.EMPLOYED_WITH_SUPPORT,
        date(2027, 5, 3),
        "started",
    )
    assert state.clarification_result is None
    assert state.sequence == "000000000009"

    clarification = AReferral(JC)
    await _publish(
        uow,
        clarification.received(),
        clarification.accepted(),
        clarification.started(),
        clarification.clarification_result(Recommendation.FLEX_JOB),
    )
    result = (await referral_state(uow, SYSTEM, clarification.referral_id)).clarification_result
    assert result is not None
    assert (result.recommendation, result.resources, result.challenges) == (
        Recommendation.FLEX_JOB,
        [WorkAbilityArea.WORK_EXPERIENCE],
        [WorkAbilityArea.HEALTH, WorkAbilityArea.ADAPTABILITY],
    )
    assert (result.meetings_held, result.work_trials, result.specialist_assessments) == (11, 2, 1)
    assert result.result_date == date(2027, 2, 19)
    with pytest.raises(NotFound):  # another organisation is told nothing of it
        await referral_state(uow, OTHER_SYSTEM, clarification.referral_id)


async def test_the_retention_job_forgets_only_referrals_past_it(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    old, recent = AReferral(JC), AReferral(JC)
    await _publish(uow, old.received(), old.accepted())
    clock.advance(timedelta(days=200))
    await _publish(uow, recent.received())
    assert await prune_feed(uow, timedelta(days=90), clock.now()) == 2
    page = await read_feed(uow, SYSTEM)
    assert [e.subject for e in page.events] == [str(recent.referral_id)]
    assert await prune_feed(uow, timedelta(days=90), clock.now()) == 0


async def test_a_replay_reaching_back_past_what_the_retention_forgot_says_so(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    lively, old, late = AReferral(JC), AReferral(JC), AReferral(JC)
    await _publish(uow, lively.received())  # 1
    clock.advance(timedelta(hours=1))
    await _publish(uow, old.received())  # 2
    clock.advance(timedelta(hours=1))
    await _publish(uow, old.accepted())  # 3, written at MONDAY_9 + 2 h
    await _publish(uow, AReferral(OTHER).received())
    clock.advance(timedelta(days=100))
    await _publish(uow, lively.accepted())  # 4
    await _publish(uow, late.received())  # 5
    before = await read_feed(uow, SYSTEM)
    assert (before.complete, before.pruned, len(before.events)) == (True, None, 5)

    assert await prune_feed(uow, timedelta(days=90), clock.now()) == 3  # the old referral and the other's
    forgot = MONDAY_9 + timedelta(hours=2)

    def seen(page: FeedPage) -> tuple[list[int], bool]:
        return [e.cursor for e in page.events], page.complete

    # From the beginning: every event still kept (the lively referral's first too), and a warning.
    page = await read_feed(uow, SYSTEM, after=0)
    assert seen(page) == ([1, 4, 5], False)
    assert page.pruned == Pruned(through=3, written_until=forgot)
    assert seen(await read_feed(uow, SYSTEM)) == ([1, 4, 5], False)
    assert seen(await read_feed(uow, SYSTEM, after=2)) == ([4, 5], False)  # a cursor before the forgotten one
    after = await read_feed(uow, SYSTEM, after=3)  # at it: nothing after it was forgotten
    assert seen(after) == ([4, 5], True)
    assert after.pruned == page.pruned  # told all the same, so a client can log it
    assert seen(await read_feed(uow, SYSTEM, after=4)) == ([5], True)
    # By time: a time at or before the newest forgotten event's may miss some; a later one not.
    assert seen(await read_feed(uow, SYSTEM, since=MONDAY_9 - timedelta(days=365))) == ([1, 4, 5], False)
    assert seen(await read_feed(uow, SYSTEM, since=forgot)) == ([4, 5], False)
    assert seen(await read_feed(uow, SYSTEM, since=forgot + timedelta(microseconds=1))) == ([4, 5], True)
    # Another organisation is told only of its own.
    other = await read_feed(uow, OTHER_SYSTEM)
    assert (other.events, other.complete, other.pruned) == (
        [],
        False,
        Pruned(through=1, written_until=MONDAY_9 + timedelta(hours=2)),
    )


async def test_a_caseworker_reads_what_their_organisation_was_told_of_one_referral(
    uow: FakeNotificationsUnitOfWork, clock: ManualClock
) -> None:
    referral = AReferral(JC)
    await _a_course(uow, clock, referral)
    caseworker = Principal(staff_id="cw-7", org=JC, roles=frozenset({"caseworker"}))
    told = await told_of_referral(uow, caseworker, referral.referral_id)
    assert [e["type"].removeprefix("dk.forlob.partner.").removesuffix(".v1") for e in told] == [
        "referral.received",
        "referral.accepted",
        "programme.started",
        "programme.agreed_hours_changed",
        "absence.unexplained",
        "absence.contact_reestablished",
        "attendance.agreement_breached",
        "absence.unexplained",
        "programme.rescheduled",
        "programme.ended",
    ]
    assert all(e["data"]["referral_id"] == str(referral.referral_id) for e in told)
    elsewhere = Principal(staff_id="cw-9", org=OTHER, roles=frozenset({"caseworker"}))
    with pytest.raises(NotFound):
        await told_of_referral(uow, elsewhere, referral.referral_id)
    with pytest.raises(Forbidden):
        await told_of_referral(uow, SYSTEM, referral.referral_id)  # the machine reads the feed, not this


async def test_the_state_shows_the_open_proposal_until_it_is_withdrawn_or_referred_on(
    uow: FakeNotificationsUnitOfWork,
) -> None:
    course = AReferral(JC)
    first, second = uuid4(), uuid4()
    await _publish(uow, course.received(), course.accepted(), course.started())
    assert (await referral_state(uow, SYSTEM, course.referral_id)).open_proposal is None
    await _publish(uow, course.next_step_proposed(first))
    shown = (await referral_state(uow, SYSTEM, course.referral_id)).open_proposal
    assert shown is not None
    assert (shown.proposal_id, shown.next_programme_code, shown.relation, shown.planned_start) == (
        first,
        "RCA-JOB-8",
        "sequence",
        date(2027, 3, 1),
    )
    # Withdrawn: none; proposed again, then a withdrawal of another proposal leaves it shown.
    await _publish(uow, course.next_step_withdrawn(first))
    assert (await referral_state(uow, SYSTEM, course.referral_id)).open_proposal is None
    await _publish(uow, course.next_step_proposed(second, "RCA-FYS"), course.next_step_withdrawn(first))
    state = await referral_state(uow, SYSTEM, course.referral_id)
    assert state.open_proposal is not None
    assert state.open_proposal.proposal_id == second
    # Referred on as proposed: the next step, and no proposal open.
    await _publish(uow, course.next_step_planned(uuid4(), "RCA-FYS"))
    state = await referral_state(uow, SYSTEM, course.referral_id)
    assert state.open_proposal is None
    assert state.next_step is not None
    assert state.next_step.next_programme_code == "RCA-FYS"
    # Never a staff id or a decline reason: the state's fields say so, whatever was told.
    fields = set(state.model_dump()) | set(type(shown).model_fields)
    assert not fields & {"staff_id", "proposed_by", "decided_by", "withdrawn_by", "decline_reason", "created_by"}
    with pytest.raises(NotFound):  # another organisation is told nothing of it
        await referral_state(uow, OTHER_SYSTEM, course.referral_id)
    with pytest.raises(NotFound):  # nor of a referral nobody was told of
        await referral_state(uow, SYSTEM, uuid4())


async def test_a_declined_proposal_is_no_longer_open_and_a_decline_of_another_leaves_it(
    uow: FakeNotificationsUnitOfWork,
) -> None:
    """The jobcentre's caseworker declined the proposal in Forløb's web: told back to its case system,
    the state shows it no longer (proposed -> declined -> null); a withdrawal or a decline naming
    another proposal leaves the open one shown."""
    course = AReferral(JC)
    first, second, third = uuid4(), uuid4(), uuid4()
    await _publish(uow, course.received(), course.accepted(), course.started(), course.next_step_proposed(first))
    assert (await referral_state(uow, SYSTEM, course.referral_id)).open_proposal is not None
    await _publish(uow, course.next_step_declined(first))
    declined = await referral_state(uow, SYSTEM, course.referral_id)
    assert (declined.open_proposal, declined.next_step, declined.status) == (None, None, "started")
    await _publish(uow, course.next_step_proposed(second, "RCA-FYS"), course.next_step_withdrawn(first))
    await _publish(uow, course.next_step_declined(third))
    state = await referral_state(uow, SYSTEM, course.referral_id)
    assert state.open_proposal is not None
    assert (state.open_proposal.proposal_id, state.open_proposal.next_programme_code) == (second, "RCA-FYS")
    await _publish(uow, course.next_step_declined(second))
    assert (await referral_state(uow, SYSTEM, course.referral_id)).open_proposal is None
    assert "decline" not in (await referral_state(uow, SYSTEM, course.referral_id)).model_dump_json()

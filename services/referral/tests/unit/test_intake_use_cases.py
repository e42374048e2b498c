"""Receiving referrals, intake decisions, the waiting list and seat offers, on the in-memory
unit of work: the rules of the use cases, with no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from forlob_referral.application.catalogue import define_programme, get_programme, list_programmes
from forlob_referral.application.intake import (
    intake_calendar,
    move_on_waiting_list,
    offer_free_seats,
    reject_referral,
    waiting_list,
    weekly_flow,
)
from forlob_referral.application.referrals import list_referrals, withdraw_referral
from forlob_referral.domain.referral import RejectReason, State, WithdrawReason
from forlob_shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import NOW, PROVIDER_ORG, REFERRING_ORG
from forlob_testkit.referral_rules import (
    CASEWORKER,
    CODE,
    COORDINATOR,
    FIRST_INTAKE,
    HORIZON,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    Desk,
    define_command,
)

# ---- the catalogue -------------------------------------------------------------------------


async def test_a_new_programme_is_announced_and_read_back(desk: Desk) -> None:
    made, new = await define_programme(desk.uow(), COORDINATOR, define_command(), HORIZON)
    assert new is True
    assert made.timezone == "Europe/Copenhagen"  # the country's zone when none is given
    assert desk.event_types() == ["catalogue.programme_defined.v1"]
    assert await get_programme(desk.uow(), PROVIDER_ORG, CODE) == made


async def test_changing_a_programme_is_not_new(desk: Desk) -> None:
    await desk.programme()
    changed, new = await define_programme(desk.uow(), COORDINATOR, define_command(capacity=3), HORIZON)
    assert new is False
    assert changed.capacity == 3
    assert desk.event_types() == ["catalogue.programme_defined.v1"] * 2


async def test_programmes_belong_to_their_provider(desk: Desk) -> None:
    await desk.programme()
    await desk.programme("RCA-AAA")
    assert [p.code for p in await list_programmes(desk.uow(), PROVIDER_ORG)] == ["RCA-AAA", CODE]
    assert await list_programmes(desk.uow(), OTHER_COORDINATOR.org) == []
    with pytest.raises(NotFound):
        await get_programme(desk.uow(), OTHER_COORDINATOR.org, CODE)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"intake_weekdays": ()}, "intake_weekdays"),
        ({"min_weeks": 14}, "default_weeks"),
        ({"max_weeks": 12}, "default_weeks"),
        ({"country": "NO"}, "country"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"opening_hours": ()}, "opening_hours"),
    ],
)
async def test_a_bad_programme_is_refused_and_nothing_is_kept(
    desk: Desk, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await define_programme(desk.uow(), COORDINATOR, define_command(**fields), HORIZON)
    assert refused.value.extra.get("field") == field
    assert desk.store.published == []
    assert await list_programmes(desk.uow(), PROVIDER_ORG) == []


async def test_more_seats_let_the_waiting_list_in(desk: Desk) -> None:
    await desk.programme(capacity=0)
    rid = await desk.refer()
    assert (await desk.accept(rid)).state is State.WAITLISTED
    await desk.programme(capacity=2)
    after = (await desk.get(rid)).referral
    assert after.state is State.ACCEPTED
    assert after.from_waiting_list is True
    assert desk.event_types(rid)[-2:] == ["referral.seat_offered.v1", "referral.accepted.v1"]


# ---- receiving ------------------------------------------------------------------------------


async def test_a_received_referral_keeps_the_person_here_and_announces_only_ids(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    view = await desk.get(rid, CASEWORKER)
    assert view.referral.state is State.RECEIVED
    assert view.personal.participant.name == "Jens Hansen"
    assert [g.text for g in view.personal.goals] == ["Stable attendance", "Increase weekly hours"]
    (received,) = desk.events("referral.received.v1")
    assert received.referral_id == rid
    assert received.participant_id == view.referral.participant_id
    assert "Jens" not in received.model_dump_json()
    assert "2110625629" not in received.model_dump_json()


async def test_a_referral_to_a_programme_that_does_not_exist_is_invalid_input(desk: Desk) -> None:
    await desk.programme()
    with pytest.raises(InvalidInput) as refused:
        await desk.refer("NOPE")
    assert refused.value.extra["field"] == "programme_code"
    assert desk.event_types() == ["catalogue.programme_defined.v1"]


async def test_an_organisation_cannot_refer_to_itself(desk: Desk) -> None:
    await desk.programme()
    with pytest.raises(InvalidInput):
        await desk.refer(caseworker=COORDINATOR)


async def test_a_wished_start_in_the_past_is_refused(desk: Desk) -> None:
    await desk.programme()
    with pytest.raises(InvalidInput) as refused:
        await desk.refer(wished_start=date(2026, 5, 19))
    assert refused.value.extra["field"] == "wished_start"


async def test_a_wrong_identity_number_is_refused_without_echoing_it(desk: Desk) -> None:
    await desk.programme()
    with pytest.raises(InvalidInput) as refused:
        await desk.refer(identity_number="2110625628")
    assert "2110625628" not in str(refused.value)
    assert desk.event_types() == ["catalogue.programme_defined.v1"]


async def test_a_participant_keeps_one_pseudonym_per_provider(desk: Desk) -> None:
    await desk.programme()
    first = (await desk.get(await desk.refer())).referral
    second = (await desk.get(await desk.refer())).referral
    assert first.id != second.id
    assert first.participant_id == second.participant_id


async def test_lists_show_an_organisation_its_own_referrals_newest_first(desk: Desk) -> None:
    await desk.programme()
    a, b = await desk.refer(), await desk.refer()
    assert [r.id for r in await list_referrals(desk.uow(), CASEWORKER)] == [b, a]
    assert [r.id for r in await list_referrals(desk.uow(), COORDINATOR, state=State.RECEIVED)] == [b, a]
    assert await list_referrals(desk.uow(), OTHER_CASEWORKER) == []
    assert [r.id for r in await list_referrals(desk.uow(), CASEWORKER, limit=1, offset=1)] == [a]


# ---- intake decisions -----------------------------------------------------------------------


async def test_accepting_gives_the_first_intake_day_after_the_holiday(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    accepted = await desk.accept(rid)
    assert accepted.state is State.ACCEPTED
    assert accepted.intake_date == FIRST_INTAKE  # 25 May is Whit Monday
    assert accepted.planned_end_date == date(2026, 8, 30)
    (event,) = desk.events("referral.accepted.v1")
    assert (event.intake_date, event.from_waiting_list) == (FIRST_INTAKE, False)


async def test_a_wished_start_later_gives_a_later_intake_day(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer(wished_start=date(2026, 6, 10))
    assert (await desk.accept(rid)).intake_date == date(2026, 6, 15)


async def test_a_full_programme_waitlists_with_position_and_estimated_start(desk: Desk) -> None:
    await desk.programme(capacity=1)
    holder, first, second = await desk.refer(), await desk.refer(), await desk.refer()
    await desk.accept(holder)
    assert (await desk.accept(first)).state is State.WAITLISTED
    assert (await desk.accept(second)).state is State.WAITLISTED
    events = desk.events("referral.waitlisted.v1")
    assert [(e.position, e.estimated_start) for e in events] == [(1, date(2026, 8, 31)), (2, date(2026, 11, 30))]
    view = await desk.get(second)
    assert (view.waitlist_position, view.estimated_start) == (2, date(2026, 11, 30))


async def test_accepting_twice_is_a_conflict_naming_the_state(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    await desk.accept(rid)
    before = list(desk.store.published)
    with pytest.raises(Conflict) as refused:
        await desk.accept(rid)
    assert refused.value.extra["current_state"] == "accepted"
    assert desk.store.published == before


async def test_another_provider_cannot_decide_and_gets_not_found(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    with pytest.raises(NotFound):
        await reject_referral(desk.uow(), OTHER_COORDINATOR, rid, RejectReason.OTHER, HORIZON)
    assert (await desk.get(rid)).referral.state is State.RECEIVED


async def test_rejecting_closes_the_referral_with_its_reason(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    view = await reject_referral(desk.uow(), COORDINATOR, rid, RejectReason.NOT_TARGET_GROUP, HORIZON)
    assert (view.referral.state, view.referral.reason_code) == (State.REJECTED, "not_target_group")
    assert view.referral.closed_at == NOW + timedelta(seconds=1)
    (event,) = desk.events("referral.rejected.v1")
    assert event.reason_code == "not_target_group"


async def test_rejecting_the_head_of_the_waiting_list_keeps_the_rest_in_order(desk: Desk) -> None:
    await desk.programme(capacity=1)
    holder, first, second = await desk.refer(), await desk.refer(), await desk.refer()
    for rid in (holder, first, second):
        await desk.accept(rid)
    await reject_referral(desk.uow(), COORDINATOR, first, RejectReason.DUPLICATE, HORIZON)
    listed = await waiting_list(desk.uow(), COORDINATOR, CODE, HORIZON)
    assert [(e.referral.id, e.position, e.estimated_start) for e in listed.entries] == [(second, 1, date(2026, 8, 31))]


async def test_a_started_course_cannot_be_rejected(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    await desk.accept(rid)
    desk.clock.set(datetime(2026, 6, 1, 8, tzinfo=UTC))
    await desk.start(rid)
    with pytest.raises(Conflict) as refused:
        await reject_referral(desk.uow(), COORDINATOR, rid, RejectReason.OTHER, HORIZON)
    assert refused.value.extra["allowed_from"] == ["received", "waitlisted"]


# ---- withdrawing ----------------------------------------------------------------------------


@pytest.mark.parametrize("decided", [False, True])
async def test_the_caseworker_withdraws_before_the_start(desk: Desk, decided: bool) -> None:
    await desk.programme()
    rid = await desk.refer()
    if decided:
        await desk.accept(rid)
    view = await withdraw_referral(desk.uow(), CASEWORKER, rid, WithdrawReason.PARTICIPANT_DECLINED, HORIZON)
    assert view.referral.state is State.WITHDRAWN
    (event,) = desk.events("referral.withdrawn.v1")
    assert event.previous_state == ("accepted" if decided else "received")
    assert event.reason_code == "participant_declined"


async def test_withdrawing_twice_is_a_conflict(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    await withdraw_referral(desk.uow(), CASEWORKER, rid, WithdrawReason.MOVED, HORIZON)
    with pytest.raises(Conflict) as refused:
        await withdraw_referral(desk.uow(), CASEWORKER, rid, WithdrawReason.MOVED, HORIZON)
    assert refused.value.extra["current_state"] == "withdrawn"


@pytest.mark.parametrize("caller", [COORDINATOR, OTHER_CASEWORKER])
async def test_only_the_referring_organisation_withdraws(desk: Desk, caller: Principal) -> None:
    await desk.programme()
    rid = await desk.refer()
    with pytest.raises(NotFound):
        await withdraw_referral(desk.uow(), caller, rid, WithdrawReason.MOVED, HORIZON)


async def test_a_withdrawn_seat_goes_to_the_first_in_line(desk: Desk) -> None:
    await desk.programme(capacity=1)
    holder, first, second = await desk.refer(), await desk.refer(), await desk.refer()
    for rid in (holder, first, second):
        await desk.accept(rid)
    await withdraw_referral(desk.uow(), CASEWORKER, holder, WithdrawReason.ILLNESS, HORIZON)
    offered = (await desk.get(first)).referral
    assert (offered.state, offered.intake_date, offered.from_waiting_list) == (State.ACCEPTED, FIRST_INTAKE, True)
    assert desk.event_types(first) == [
        "referral.received.v1",
        "referral.waitlisted.v1",
        "referral.seat_offered.v1",
        "referral.accepted.v1",
    ]
    still = await desk.get(second)
    assert (still.referral.state, still.waitlist_position, still.estimated_start) == (
        State.WAITLISTED,
        1,
        date(2026, 8, 31),
    )


# ---- the waiting list -----------------------------------------------------------------------


async def _full_with_two_waiting(desk: Desk) -> tuple[UUID, UUID, UUID]:
    await desk.programme(capacity=1)
    holder, first, second = await desk.refer(), await desk.refer(), await desk.refer()
    for rid in (holder, first, second):
        await desk.accept(rid)
    return holder, first, second


async def test_the_waiting_list_counts_seats_and_days_waited(desk: Desk) -> None:
    await _full_with_two_waiting(desk)
    desk.clock.advance(timedelta(days=10))
    listed = await waiting_list(desk.uow(), COORDINATOR, CODE, HORIZON)
    assert (listed.capacity, listed.seats_held) == (1, 1)
    assert [e.waiting_days for e in listed.entries] == [10, 10]
    assert listed.oldest_wait_days == 10


async def test_an_empty_waiting_list_has_no_oldest_wait(desk: Desk) -> None:
    await desk.programme()
    listed = await waiting_list(desk.uow(), COORDINATOR, CODE, HORIZON)
    assert (listed.entries, listed.oldest_wait_days, listed.seats_held) == ([], None, 0)


async def test_moving_on_the_waiting_list_changes_the_order_and_is_audited(desk: Desk) -> None:
    _, first, second = await _full_with_two_waiting(desk)
    moved = await move_on_waiting_list(
        desk.uow(),
        COORDINATOR,
        CODE,
        second,
        1,
        "  risk of losing housing ",
        HORIZON,
    )
    assert [e.referral.id for e in moved.entries] == [second, first]
    assert [e.estimated_start for e in moved.entries] == [date(2026, 8, 31), date(2026, 11, 30)]
    async with desk.uow() as uow:
        (move,) = await uow.audit.waitlist_moves(PROVIDER_ORG, CODE)
    assert (move.referral_id, move.from_position, move.to_position, move.reason, move.staff_id) == (
        second,
        2,
        1,
        "risk of losing housing",
        "co-3",
    )


async def test_a_move_beyond_the_end_puts_last(desk: Desk) -> None:
    _, first, second = await _full_with_two_waiting(desk)
    moved = await move_on_waiting_list(desk.uow(), COORDINATOR, CODE, first, 99, "later", HORIZON)
    assert [e.referral.id for e in moved.entries] == [second, first]


async def test_a_move_needs_a_reason(desk: Desk) -> None:
    _, first, _ = await _full_with_two_waiting(desk)
    with pytest.raises(InvalidInput) as refused:
        await move_on_waiting_list(desk.uow(), COORDINATOR, CODE, first, 1, " ", HORIZON)
    assert refused.value.extra["field"] == "reason"


async def test_only_a_waitlisted_referral_moves(desk: Desk) -> None:
    holder, _, _ = await _full_with_two_waiting(desk)
    with pytest.raises(Conflict):
        await move_on_waiting_list(desk.uow(), COORDINATOR, CODE, holder, 1, "because", HORIZON)


async def test_a_move_in_another_programme_or_provider_is_not_found(desk: Desk) -> None:
    _, first, _ = await _full_with_two_waiting(desk)
    with pytest.raises(NotFound):
        await move_on_waiting_list(desk.uow(), COORDINATOR, "OTHER", first, 1, "because", HORIZON)
    with pytest.raises(NotFound):
        await move_on_waiting_list(desk.uow(), OTHER_COORDINATOR, CODE, first, 1, "because", HORIZON)


async def test_the_sweep_offers_seats_the_calendar_frees(desk: Desk) -> None:
    _, first, _ = await _full_with_two_waiting(desk)
    assert await offer_free_seats(desk.uow(), desk.clock.now(), HORIZON) == 0
    desk.clock.set(datetime(2026, 8, 3, 8, tzinfo=UTC))  # 31 August is four weeks away
    assert await offer_free_seats(desk.uow(), desk.clock.now(), HORIZON) == 1
    offered = (await desk.get(first)).referral
    assert (offered.state, offered.intake_date) == (State.ACCEPTED, date(2026, 8, 31))
    assert await offer_free_seats(desk.uow(), desk.clock.now(), HORIZON) == 0


async def test_the_sweep_with_no_waiting_lists_offers_nothing(desk: Desk) -> None:
    await desk.programme()
    assert await offer_free_seats(desk.uow(), desk.clock.now(), HORIZON) == 0
    assert desk.store.commits == 1  # the programme only


# ---- seats per intake date and the weekly flow ----------------------------------------------


async def test_free_seats_per_intake_date(desk: Desk) -> None:
    await desk.programme(capacity=2)
    empty = await intake_calendar(desk.uow(), COORDINATOR, CODE, 3)
    assert (empty.capacity, empty.course_weeks) == (2, 13)
    assert [(i.day, i.free) for i in empty.intakes] == [
        (date(2026, 6, 1), 2),
        (date(2026, 6, 8), 2),
        (date(2026, 6, 15), 2),
    ]
    for _ in range(2):
        await desk.accept(await desk.refer())
    full = await intake_calendar(desk.uow(), COORDINATOR, CODE, 14)
    assert [(i.day, i.free) for i in full.intakes][-2:] == [
        (date(2026, 8, 24), 0),
        (date(2026, 8, 31), 2),
    ]


async def test_the_intake_calendar_is_the_coordinators_own(desk: Desk) -> None:
    await desk.programme()
    with pytest.raises(NotFound):
        await intake_calendar(desk.uow(), OTHER_COORDINATOR, CODE, 3)


async def test_weekly_flow_counts_in_and_out_per_iso_week(desk: Desk) -> None:
    await desk.programme()
    a, b = await desk.refer(), await desk.refer()
    await desk.accept(a)
    await reject_referral(desk.uow(), COORDINATOR, b, RejectReason.NOT_TARGET_GROUP, HORIZON)
    desk.clock.set(datetime(2026, 6, 1, 8, tzinfo=UTC))
    await desk.start(a)
    flow = await weekly_flow(desk.uow(), COORDINATOR, CODE, 3)
    assert [w.week for w in flow] == ["2026-W21", "2026-W22", "2026-W23"]
    assert (flow[0].received, flow[0].accepted, flow[0].rejected, flow[0].started) == (2, 1, 1, 0)
    assert (flow[1].received, flow[2].started, flow[2].ended) == (0, 1, 0)


async def test_weekly_flow_of_an_unknown_programme_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        await weekly_flow(desk.uow(), COORDINATOR, "NOPE", 3)


def test_principals_carry_their_roles() -> None:
    with pytest.raises(Forbidden):
        CASEWORKER.require("coordinator")
    assert CASEWORKER.org == REFERRING_ORG

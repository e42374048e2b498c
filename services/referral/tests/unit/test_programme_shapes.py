"""Programme shapes on the in-memory unit of work: a meetings course starts with a cadence and
no schedule; a command of the wrong shape is refused and changes nothing."""

from __future__ import annotations

from datetime import time

import pytest

from forlob_referral.application.course import ChangeAgreement, change_agreement
from forlob_referral.domain.programme import ProgrammeKind
from forlob_referral.domain.referral import State
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events.common import CadenceKind, MeetingCadence, ProgrammeShape, TimeWindow
from forlob_testkit.referral_rules import CODE, COORDINATOR, FIRST_INTAKE, HORIZON, WEEKLY, Desk

WEEKLY_MEETINGS = MeetingCadence.model_validate({"kind": "weekly"})


async def test_the_shape_is_in_the_catalogue_and_its_event(desk: Desk) -> None:
    made = await desk.programme(kind=ProgrammeKind.IPS, shape=ProgrammeShape.MEETINGS)
    assert made.shape is ProgrammeShape.MEETINGS
    [defined] = desk.events("catalogue.programme_defined.v1")
    assert defined.shape is ProgrammeShape.MEETINGS
    default = await desk.programme("OTHER")
    assert default.shape is ProgrammeShape.TIMETABLED


async def test_an_outreach_programme_needs_no_opening_hours_on_intake_days(desk: Desk) -> None:
    weekend = (TimeWindow(weekday=5, start=time(18), end=time(23)),)
    with pytest.raises(InvalidInput):
        await desk.programme("WEEKEND", opening_hours=weekend)
    made = await desk.programme(
        "OPS", kind=ProgrammeKind.OUTREACH, shape=ProgrammeShape.OUTREACH, opening_hours=weekend
    )
    assert made.shape is ProgrammeShape.OUTREACH


async def test_a_meetings_course_starts_with_a_cadence_and_an_empty_schedule(desk: Desk) -> None:
    await desk.programme(kind=ProgrammeKind.IPS, shape=ProgrammeShape.MEETINGS)
    rid = await desk.refer()
    await desk.accept(rid)
    started = await desk.start(rid, schedule=(), cadence=WEEKLY_MEETINGS)
    assert started.state is State.STARTED
    assert started.schedule == ()
    assert started.cadence == WEEKLY_MEETINGS
    [event] = desk.events("programme.started.v1")
    assert event.shape is ProgrammeShape.MEETINGS
    assert event.schedule == []
    assert event.cadence.max_days_between == 7
    fortnightly = MeetingCadence(kind=CadenceKind.FORTNIGHTLY, max_days_between=14)
    changed = await change_agreement(
        desk.uow(),
        COORDINATOR,
        rid,
        ChangeAgreement(effective_from=FIRST_INTAKE, schedule=(), contact_person_id="ips-2", cadence=fortnightly),
        HORIZON,
    )
    assert changed.referral.cadence == fortnightly
    [agreement] = desk.events("programme.agreement_changed.v1")
    assert agreement.cadence == fortnightly
    assert agreement.schedule == []


async def test_wrong_shapes_are_refused_and_nothing_changes(desk: Desk) -> None:
    await desk.programme(kind=ProgrammeKind.IPS, shape=ProgrammeShape.MEETINGS)
    await desk.programme("RCA-2")
    meetings, timetabled = await desk.refer(), await desk.refer("RCA-2")
    await desk.accept(meetings)
    await desk.accept(timetabled)
    before = len(desk.store.published)

    with pytest.raises(Conflict, match="meetings programme"):
        await desk.start(meetings, schedule=WEEKLY, cadence=WEEKLY_MEETINGS)
    with pytest.raises(InvalidInput, match="cadence"):
        await desk.start(meetings, schedule=())
    with pytest.raises(Conflict, match="timetabled programme"):
        await desk.start(timetabled, cadence=WEEKLY_MEETINGS)

    assert len(desk.store.published) == before
    assert (await desk.get(meetings)).referral.state is State.ACCEPTED
    assert (await desk.get(timetabled)).referral.state is State.ACCEPTED


async def test_an_outreach_programme_takes_no_referrals(desk: Desk) -> None:
    await desk.programme(CODE, kind=ProgrammeKind.OUTREACH, shape=ProgrammeShape.OUTREACH)
    with pytest.raises(Conflict, match="outreach programme opens cases, not courses"):
        await desk.refer()
    assert desk.event_types() == ["catalogue.programme_defined.v1"]


async def test_starting_a_course_on_a_programme_turned_outreach_is_refused(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    await desk.accept(rid)
    await desk.programme(kind=ProgrammeKind.OUTREACH, shape=ProgrammeShape.OUTREACH)
    with pytest.raises(Conflict, match="an outreach programme opens cases, not courses"):
        await desk.start(rid)
    assert (await desk.get(rid)).referral.state is State.ACCEPTED

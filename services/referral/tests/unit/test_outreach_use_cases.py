"""Outreach cases on the in-memory unit of work: from the first attempt without identity to
consent, identification and handover; refusals change nothing; other organisations see nothing;
the overdue sweep reminds once per case and due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from forlob_referral.application.outreach import (
    HandOver,
    RecordAttempt,
    caseload,
    change_phase,
    get_case,
    hand_over,
    identify_case,
    record_attempt,
    record_consent,
    remind_overdue_contacts,
)
from forlob_referral.domain.outreach import Phase
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.referral import State
from forlob_shared.clock import ManualClock
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)
from forlob_testkit.referral import CPR, NOW, PROVIDER_ORG
from forlob_testkit.referral_outreach import (
    OTHER_TEAM,
    OUTREACH_CODE,
    OUTREACH_WORKER,
    define_outreach_programme,
    open_a_case,
    stored_case,
)
from forlob_testkit.referral_rules import CODE, COORDINATOR, GOALS, Desk

PERSONAL = ("kiosk", "stairwell", "bench", "Jens", CPR, "Hansen", "addiction")


def met(outcome: ContactOutcome = ContactOutcome.BRIEF_CONTACT, **fields: object) -> RecordAttempt:
    return RecordAttempt(
        place=ContactPlace.STREET,
        channel=ContactChannel.IN_PERSON,
        outcome=outcome,
        note="On the bench again",
        **fields,  # type: ignore[arg-type]
    )


async def test_from_first_attempt_to_handover_with_nothing_personal_in_any_event(
    desk: Desk, clock: ManualClock
) -> None:
    await desk.programme()  # the receiving provider's timetabled course
    await define_outreach_programme(desk)
    opened = await open_a_case(desk)
    cid = opened.case.id
    clock.advance(timedelta(days=1))
    await record_attempt(desk.uow(), OUTREACH_WORKER, cid, met(ContactOutcome.NOT_FOUND, next_within_days=2))
    clock.advance(timedelta(days=2))
    await record_attempt(desk.uow(), OUTREACH_WORKER, cid, met(next_within_days=7))
    await change_phase(desk.uow(), OUTREACH_WORKER, cid, Phase.RELATIONSHIP)
    clock.advance(timedelta(days=7))
    await record_consent(desk.uow(), OUTREACH_WORKER, cid, ConsentMethod.ORAL, clock.now())
    identified = await identify_case(desk.uow(), OUTREACH_WORKER, cid, "Jens Hansen", CPR, IdentityScheme.DK_CPR)
    assert identified.case.participant_id is not None

    view = await hand_over(
        desk.uow(), OUTREACH_WORKER, cid, HandOver(programme_code=CODE, provider_org=PROVIDER_ORG, goals=GOALS)
    )
    referral = view.referral
    assert referral.referring_org == "ops-aalborg"
    assert referral.provider_org == PROVIDER_ORG
    assert (referral.outreach_case_id, referral.outreach_attempts) == (cid, 2)
    assert referral.outreach_first_contact_on == date(2026, 5, 23)
    assert referral.outreach_days_in_contact == 7
    assert view.personal is not None
    assert view.personal.participant.name == "Jens Hansen"
    # The receiving provider decides as on any referral.
    assert (await desk.accept(referral.id)).state is State.ACCEPTED

    case = (await get_case(desk.uow(), OUTREACH_WORKER, cid)).case
    assert case.phase is Phase.BRIDGING
    assert case.handover_referral_ids == (referral.id,)
    [received] = desk.events("referral.received.v1")
    assert received.outreach_case_id == cid
    assert [e.data.routing_key for e in desk.store.published if e.subject == str(cid)] == [
        "outreach.case_opened.v1",
        "outreach.contact_attempted.v1",
        "outreach.contact_attempted.v1",
        "outreach.phase_changed.v1",
        "outreach.consent_recorded.v1",
        "outreach.case_identified.v1",
        "outreach.phase_changed.v1",
    ]
    for event in desk.store.published:
        dumped = event.data.model_dump_json()
        assert not any(word in dumped for word in PERSONAL), dumped


async def test_identify_before_consent_is_refused_and_nothing_is_stored(desk: Desk) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    before = len(desk.store.published)
    with pytest.raises(Conflict, match="consent"):
        await identify_case(desk.uow(), OUTREACH_WORKER, cid, "Jens Hansen", CPR, IdentityScheme.DK_CPR)
    case = stored_case(desk, cid)
    assert case.participant is None
    assert case.participant_id is None
    assert len(desk.store.published) == before


async def test_a_bad_identity_number_is_refused_after_consent(desk: Desk) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    await record_consent(desk.uow(), OUTREACH_WORKER, cid, ConsentMethod.WRITTEN, NOW)
    with pytest.raises(InvalidInput, match="CPR"):
        await identify_case(desk.uow(), OUTREACH_WORKER, cid, "Jens Hansen", "2110625628", IdentityScheme.DK_CPR)
    assert stored_case(desk, cid).participant is None


async def test_an_identified_case_keeps_the_participant_id_of_an_earlier_case(desk: Desk) -> None:
    await define_outreach_programme(desk)
    ids = []
    for _ in range(2):
        cid = (await open_a_case(desk)).case.id
        await record_consent(desk.uow(), OUTREACH_WORKER, cid, ConsentMethod.ORAL, NOW)
        view = await identify_case(desk.uow(), OUTREACH_WORKER, cid, "Jens Hansen", CPR, IdentityScheme.DK_CPR)
        ids.append(view.case.participant_id)
    assert ids[0] == ids[1]


async def test_closing_without_a_reason_is_refused_and_a_closed_case_stays_closed(desk: Desk) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    with pytest.raises(InvalidInput, match="close_reason"):
        await change_phase(desk.uow(), OUTREACH_WORKER, cid, Phase.CLOSED)
    assert stored_case(desk, cid).phase is Phase.CONTACT_CREATION
    closed = await change_phase(
        desk.uow(), OUTREACH_WORKER, cid, Phase.CLOSED, OutreachCloseReason.NOT_IN_TARGET_GROUP, "the addiction centre"
    )
    assert closed.case.helped_on_to == "the addiction centre"
    [event] = list(desk.events("outreach.phase_changed.v1"))
    assert event.close_reason is OutreachCloseReason.NOT_IN_TARGET_GROUP
    with pytest.raises(Conflict):
        await change_phase(desk.uow(), OUTREACH_WORKER, cid, Phase.RELATIONSHIP)


async def test_handover_before_identification_is_refused(desk: Desk) -> None:
    await desk.programme()
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    with pytest.raises(Conflict, match="identified"):
        await hand_over(desk.uow(), OUTREACH_WORKER, cid, HandOver(programme_code=CODE, provider_org=PROVIDER_ORG))
    assert desk.events("referral.received.v1") == []


async def test_a_case_opens_only_on_an_outreach_programme(desk: Desk) -> None:
    await desk.programme()
    await define_outreach_programme(desk)
    with pytest.raises(InvalidInput):
        await open_a_case(desk, programme_code="NOPE")
    with pytest.raises(InvalidInput):  # another organisation's programme code is unknown here
        await open_a_case(desk, programme_code=CODE)
    with pytest.raises(InvalidInput):  # the outreach team's programme is not the course provider's
        await open_a_case(desk, staff=COORDINATOR, programme_code=OUTREACH_CODE)
    with pytest.raises(Conflict, match="only an outreach programme opens cases"):
        await open_a_case(desk, staff=COORDINATOR, programme_code=CODE)
    assert desk.events("outreach.case_opened.v1") == []


async def test_other_organisations_see_nothing(desk: Desk) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    with pytest.raises(NotFound):
        await get_case(desk.uow(), OTHER_TEAM, cid)
    with pytest.raises(NotFound):
        await record_attempt(desk.uow(), OTHER_TEAM, cid, met())
    assert await caseload(desk.uow(), OTHER_TEAM) == []


async def test_the_caseload_shows_overdue_contacts_first(desk: Desk, clock: ManualClock) -> None:
    await define_outreach_programme(desk)
    later = (await open_a_case(desk, working_name="Later", next_within_days=10)).case.id
    soon = (await open_a_case(desk, working_name="Soon", next_within_days=1)).case.id
    none = (await open_a_case(desk, working_name="No plan", next_within_days=None)).case.id
    clock.advance(timedelta(days=3))
    load = await caseload(desk.uow(), OUTREACH_WORKER)
    assert [v.case.id for v in load] == [soon, later, none]
    assert [v.overdue for v in load] == [True, False, False]


async def test_the_overdue_sweep_reminds_once_per_case_and_due_date(desk: Desk, clock: ManualClock) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk, next_within_days=2)).case.id  # due Friday 22 May
    await open_a_case(desk, next_within_days=None)
    assert await remind_overdue_contacts(desk.uow(), datetime(2026, 5, 22, 20, tzinfo=UTC)) == 0
    sweep_at = datetime(2026, 5, 23, 6, tzinfo=UTC)
    # Two replicas' sweeps, one after the other: one reminder.
    assert await remind_overdue_contacts(desk.uow(), sweep_at) == 1
    assert await remind_overdue_contacts(desk.uow(), sweep_at + timedelta(minutes=15)) == 0
    [overdue] = desk.events("outreach.contact_overdue.v1")
    assert (overdue.case_id, overdue.due_by, overdue.staff_id) == (cid, date(2026, 5, 22), "op-1")
    clock.set(sweep_at)
    await record_attempt(desk.uow(), OUTREACH_WORKER, cid, met(ContactOutcome.NO_ANSWER, next_within_days=1))
    assert await remind_overdue_contacts(desk.uow(), sweep_at + timedelta(days=2)) == 1
    await change_phase(desk.uow(), OUTREACH_WORKER, cid, Phase.CLOSED, OutreachCloseReason.NOT_FOUND)
    assert await remind_overdue_contacts(desk.uow(), sweep_at + timedelta(days=30)) == 0

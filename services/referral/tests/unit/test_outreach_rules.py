"""The outreach case's pure rules: the phase state machine, closing reasons, the contact plan,
consent before identity, and the overdue reminder once per due date. No I/O."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from forlob_referral.domain import outreach as rules
from forlob_referral.domain.outreach import TRANSITIONS, OutreachCase, Phase, check_transition, contact_plan
from forlob_referral.domain.participant import IdentityScheme, identify
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)
from forlob_testkit.referral import CPR, NOW
from forlob_testkit.referral_outreach import outreach_programme
from forlob_testkit.referral_rules import programme

Reason = OutreachCloseReason


def new_case(**fields: object) -> OutreachCase:
    case, _ = rules.open_case(
        programme=outreach_programme(),
        working_name="  The man   at the kiosk ",
        description="Sleeps in the stairwell.",
        staff_id="op-1",
        opened_by="op-1",
        next_within_days=3,
        next_by=None,
        now=NOW,
    )
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def attempt(case: OutreachCase, at: datetime, outcome: ContactOutcome = ContactOutcome.NO_ANSWER, **plan: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"next_within_days": None, "next_by": None}
    values.update(plan)
    return case.attempt(
        place=ContactPlace.STREET,
        channel=ContactChannel.IN_PERSON,
        outcome=outcome,
        staff_id="op-1",
        attempted_at=at,
        note="Sat on the bench, did not want to talk",
        now=at,
        **values,  # type: ignore[arg-type]
    )


# The whole table: every (from, to) pair is either allowed or refused, and closed is final.
ALL_PAIRS = [(a, b) for a in Phase for b in Phase if a is not b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_the_state_machine_table(current: Phase, target: Phase) -> None:
    reason = Reason.MOVED_AWAY if target is Phase.CLOSED else None
    if target in TRANSITIONS[current]:
        check_transition(current, target, reason, None)
    else:
        with pytest.raises(Conflict):
            check_transition(current, target, reason, None)


def test_nothing_leaves_closed_and_every_open_phase_may_close() -> None:
    assert TRANSITIONS[Phase.CLOSED] == frozenset()
    assert all(Phase.CLOSED in TRANSITIONS[p] for p in Phase if p is not Phase.CLOSED)


def test_closing_needs_a_reason_and_not_in_target_group_needs_who_helped_on() -> None:
    with pytest.raises(InvalidInput, match="close_reason"):
        check_transition(Phase.RELATIONSHIP, Phase.CLOSED, None, None)
    with pytest.raises(InvalidInput, match="helped_on_to"):
        check_transition(Phase.RELATIONSHIP, Phase.CLOSED, Reason.NOT_IN_TARGET_GROUP, "  ")
    check_transition(Phase.RELATIONSHIP, Phase.CLOSED, Reason.NOT_IN_TARGET_GROUP, "the addiction centre")
    with pytest.raises(InvalidInput):
        check_transition(Phase.CONTACT_CREATION, Phase.RELATIONSHIP, Reason.DECLINED, None)


def test_a_case_opens_only_on_an_outreach_programme_pseudonymous_and_in_contact_creation() -> None:
    case = new_case()
    assert case.phase is Phase.CONTACT_CREATION
    assert case.working_name == "The man at the kiosk"
    assert case.next_attempt_by == date(2026, 5, 23)
    with pytest.raises(Conflict, match="only an outreach programme"):
        rules.open_case(
            programme=programme(shape=ProgrammeShape.MEETINGS),
            working_name="x",
            description="",
            staff_id="op-1",
            opened_by="op-1",
            next_within_days=None,
            next_by=None,
            now=NOW,
        )
    _, event = rules.open_case(
        programme=outreach_programme(),
        working_name="The man at the kiosk",
        description="Sleeps in the stairwell.",
        staff_id="op-1",
        opened_by="op-1",
        next_within_days=None,
        next_by=None,
        now=NOW,
    )
    dumped = event.data.model_dump_json()
    assert "kiosk" not in dumped
    assert "stairwell" not in dumped


def test_the_contact_plan_is_within_n_days_or_by_a_date_not_both() -> None:
    day = date(2026, 5, 20)
    assert contact_plan(day, 7, None) == date(2026, 5, 27)
    assert contact_plan(day, None, date(2026, 6, 1)) == date(2026, 6, 1)
    assert contact_plan(day, None, None) is None
    with pytest.raises(InvalidInput):
        contact_plan(day, 7, date(2026, 6, 1))
    with pytest.raises(InvalidInput):
        contact_plan(day, None, date(2026, 5, 19))
    with pytest.raises(InvalidInput):
        contact_plan(day, 0, None)


def test_an_attempt_counts_sets_the_plan_and_the_first_contact_and_keeps_its_note_out_of_the_event() -> None:
    case = new_case()
    first, event = attempt(case, NOW + timedelta(days=1), next_within_days=5)
    assert case.attempts == 1
    assert case.next_attempt_by == date(2026, 5, 26)
    assert case.first_contact_at is None
    assert first.note == "Sat on the bench, did not want to talk"
    assert "bench" not in event.data.model_dump_json()
    attempt(case, NOW + timedelta(days=3), ContactOutcome.BRIEF_CONTACT)
    assert case.first_contact_at == NOW + timedelta(days=3)
    assert case.next_attempt_by is None  # no plan given: nothing can be overdue


def test_an_attempt_in_the_future_or_on_a_closed_case_is_refused() -> None:
    case = new_case()
    with pytest.raises(InvalidInput):
        case.attempt(
            place=ContactPlace.HOME,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.NO_ANSWER,
            staff_id="op-1",
            attempted_at=NOW + timedelta(hours=1),
            next_within_days=None,
            next_by=None,
            note=None,
            now=NOW,
        )
    case.move_to(Phase.CLOSED, staff_id="op-1", now=NOW, close_reason=Reason.MOVED_AWAY)
    with pytest.raises(Conflict):
        attempt(case, NOW)


def test_identity_only_after_consent() -> None:
    case = new_case()
    person = identify("Jens Hansen", CPR, IdentityScheme.DK_CPR)
    with pytest.raises(Conflict, match="consent"):
        case.identify(person, uuid4(), NOW)
    assert case.participant is None
    assert case.participant_id is None
    event = case.record_consent(method=ConsentMethod.ORAL, given_at=NOW, staff_id="op-1", now=NOW)
    assert event.data.recorded_by == "op-1"
    with pytest.raises(Conflict):
        case.record_consent(method=ConsentMethod.ORAL, given_at=NOW, staff_id="op-1", now=NOW)
    pid = uuid4()
    identified = case.identify(person, pid, NOW)
    assert identified.data.participant_id == pid
    assert CPR not in identified.data.model_dump_json()
    assert "Jens" not in identified.data.model_dump_json()
    with pytest.raises(Conflict, match="already"):
        case.identify(person, uuid4(), NOW)


def test_a_handover_needs_identification_and_moves_to_bridging_once() -> None:
    case = new_case()
    with pytest.raises(Conflict, match="identified"):
        case.hand_over(uuid4(), staff_id="op-1", now=NOW)
    case.record_consent(method=ConsentMethod.WRITTEN, given_at=NOW, staff_id="op-1", now=NOW)
    case.identify(identify("Jens Hansen", CPR, IdentityScheme.DK_CPR), uuid4(), NOW)
    [moved] = case.hand_over(uuid4(), staff_id="op-1", now=NOW)
    assert (moved.data.previous_phase, moved.data.phase) == (Phase.CONTACT_CREATION, Phase.BRIDGING)
    assert case.hand_over(uuid4(), staff_id="op-1", now=NOW) == []
    assert len(case.handover_referral_ids) == 2


def test_the_overdue_reminder_goes_out_once_per_due_date() -> None:
    case = new_case()  # next attempt by Saturday 23 May
    assert case.overdue(datetime(2026, 5, 23, 20, tzinfo=NOW.tzinfo)) is None  # that day is not over
    later = datetime(2026, 5, 24, 8, tzinfo=NOW.tzinfo)
    event = case.overdue(later)
    assert event is not None
    assert event.data.due_by == date(2026, 5, 23)
    assert case.overdue(later + timedelta(days=1)) is None
    attempt(case, later, next_within_days=2)  # a new plan: a new due date may be reminded of again
    assert case.overdue(later + timedelta(days=3)) is not None


def test_history_facts_count_attempts_and_days_since_first_contact() -> None:
    case = new_case()
    attempt(case, NOW + timedelta(days=1))
    attempt(case, NOW + timedelta(days=2), ContactOutcome.MEETING_AGREED)
    assert case.history_facts(NOW + timedelta(days=12)) == (2, date(2026, 5, 22), 10)
    assert new_case().history_facts(NOW) == (0, None, None)

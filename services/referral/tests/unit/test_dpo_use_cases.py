"""The data protection officer's use cases on the in-memory unit of work: the legal holds on an
erasure request, the erasure itself, the access export and the audit (GDPR Art. 15, 17)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from forlob_referral.application.course import EndCourse, end_course
from forlob_referral.application.dpo import (
    ErasureRefused,
    audit_trail,
    export_participant,
    find_participants,
    request_erasure,
)
from forlob_referral.application.intake import reject_referral
from forlob_referral.application.referrals import read_identity
from forlob_referral.domain.course_record import FollowUpTalk, TalkTopic
from forlob_referral.domain.holds import HoldReason, erasure_hold
from forlob_referral.domain.messages import Message, Side
from forlob_referral.domain.records import Attainment, ClosingNote, GoalAttainment, SubGoalAttainment
from forlob_referral.domain.referral import RejectReason, State
from forlob_shared.errors import NotFound
from forlob_shared.events.common import Outcome
from forlob_shared.http.auth import Principal
from forlob_shared.texts import code_text
from forlob_testkit.referral import CPR, PROVIDER_ORG
from forlob_testkit.referral_rules import COORDINATOR, HORIZON, Desk, referral

RETENTION = timedelta(days=1826)
DPO = Principal(staff_id="dpo-1", org=PROVIDER_ORG, roles=frozenset({"dpo"}))
OTHER_DPO = Principal(staff_id="dpo-9", org="aspa-odense", roles=frozenset({"dpo"}))
NOTE = ClosingNote(
    summary="s",
    resources="r",
    development_possibilities="d",
    goal_attainment=[
        GoalAttainment(
            goal="Stable attendance",
            attainment=Attainment.ACHIEVED,
            sub_goals=[SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.PARTLY)],
        ),
        GoalAttainment(goal="Increase weekly hours", attainment=Attainment.NOT_ACHIEVED),
    ],
)
NOW = datetime(2026, 6, 10, 8, tzinfo=UTC)


def test_an_open_course_holds_without_an_end_and_outweighs_retention() -> None:
    closed = referral(state=State.ENDED, closed_at=NOW - timedelta(days=10))
    running = referral(state=State.STARTED)
    hold = erasure_hold([closed, running], NOW, RETENTION)
    assert hold is not None
    assert (hold.reason, hold.referral_id, hold.until) == (HoldReason.COURSE_OPEN, str(running.id), None)


def test_the_latest_retention_end_is_the_hold_and_none_after_it() -> None:
    early = referral(state=State.REJECTED, closed_at=NOW - timedelta(days=400))
    late = referral(state=State.ENDED, closed_at=NOW - timedelta(days=10))
    hold = erasure_hold([early, late], NOW, RETENTION)
    assert hold is not None
    assert (hold.reason, hold.referral_id) == (HoldReason.RETENTION_PERIOD, str(late.id))
    assert hold.until == (late.closed_at + RETENTION).date()  # type: ignore[operator]
    assert erasure_hold([early, late], late.closed_at + RETENTION + timedelta(seconds=1), RETENTION) is None  # type: ignore[operator]


def test_every_hold_reason_has_words_in_every_language() -> None:
    for reason in HoldReason:
        assert {code_text("erasure_hold", reason, lang, strict=True) for lang in ("da", "sv", "en")}


async def _one_participant_with_an_ended_and_a_rejected_referral(desk: Desk) -> tuple[UUID, UUID, UUID]:
    await desk.programme()
    ended, rejected = await desk.refer(), await desk.refer()
    await reject_referral(desk.uow(), COORDINATOR, rejected, RejectReason.DUPLICATE, HORIZON)
    await desk.accept(ended)
    desk.clock.set(datetime(2026, 6, 1, 8, tzinfo=UTC))
    await desk.start(ended)
    participant = (await desk.get(ended)).referral.participant_id
    assert (await desk.get(rejected)).referral.participant_id == participant  # one person, two referrals
    return participant, ended, rejected


async def test_erasure_is_refused_while_held_then_erases_once_and_announces_it(desk: Desk) -> None:
    participant, ended, rejected = await _one_participant_with_an_ended_and_a_rejected_referral(desk)
    with pytest.raises(ErasureRefused) as refused:
        await request_erasure(desk.uow(), DPO, participant, RETENTION)
    assert refused.value.status == 409
    assert refused.value.extra == {"reason": "course_open", "hold_ends": None, "referral_id": str(ended)}

    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    await end_course(desk.uow(), COORDINATOR, ended, EndCourse(date(2026, 6, 5), Outcome.EDUCATION, NOTE), HORIZON)
    with pytest.raises(ErasureRefused) as held:
        await request_erasure(desk.uow(), DPO, participant, RETENTION)
    assert held.value.extra["reason"] == "retention_period"
    assert held.value.extra["hold_ends"] == (desk.clock.now() + RETENTION).date().isoformat()
    assert (await desk.get(ended)).personal is not None  # nothing erased by a refusal
    assert "participant.erased.v1" not in desk.event_types()

    desk.clock.advance(RETENTION + timedelta(days=1))
    done = await request_erasure(desk.uow(), DPO, participant, RETENTION)
    assert set(done.referral_ids) == {ended, rejected}
    for rid in (ended, rejected):
        view = await desk.get(rid)
        assert view.personal is None
        assert view.referral.personal_data_erased_at == done.erased_at
    (announced,) = desk.events("participant.erased.v1")
    assert (announced.participant_id, set(announced.referral_ids)) == (participant, {ended, rejected})
    with pytest.raises(NotFound):
        await read_identity(desk.uow(), COORDINATOR, ended, "after erasure")

    desk.clock.advance(timedelta(days=1))
    again = await request_erasure(desk.uow(), DPO, participant, RETENTION)
    assert again.erased_at == done.erased_at  # idempotent: the first erasure's time
    assert len(desk.events("participant.erased.v1")) == 2  # announced again, applied once by consumers


async def test_another_organisations_dpo_finds_nothing(desk: Desk) -> None:
    participant, _, _ = await _one_participant_with_an_ended_and_a_rejected_referral(desk)
    with pytest.raises(NotFound):
        await request_erasure(desk.uow(), OTHER_DPO, participant, RETENTION)
    with pytest.raises(NotFound):
        await export_participant(desk.uow(), OTHER_DPO, participant, 1826)
    with pytest.raises(NotFound):
        await find_participants(desk.uow(), OTHER_DPO, CPR, "access request")
    with pytest.raises(NotFound):
        await request_erasure(desk.uow(), DPO, uuid4(), RETENTION)


async def test_the_export_holds_every_category_and_the_lookup_is_an_audited_read(desk: Desk) -> None:
    participant, ended, rejected = await _one_participant_with_an_ended_and_a_rejected_referral(desk)
    assert await find_participants(desk.uow(), DPO, f"{CPR[:6]}-{CPR[6:]}", "access request 2 Dec") == [participant]
    await read_identity(desk.uow(), COORDINATOR, ended, "phone the participant")

    async with desk.uow() as uow:
        now = desk.clock.now()
        await uow.record.add_talk(
            FollowUpTalk(uuid4(), ended, now.date(), ("kp-1",), (TalkTopic.HEALTH,), "walk daily", "kp-1", now)
        )
        await uow.messages.add(Message(uuid4(), ended, Side.PROVIDER, "co-3", "see you Monday", now))
        await uow.commit()

    part = await export_participant(desk.uow(), DPO, participant, 1826)
    by_name = {c["category"]: c for c in part["categories"]}
    assert set(by_name) == {
        "identity",
        "referrals",
        "goals_and_plan",
        "closing_notes",
        "course_record",
        "messages",
        "identity_reads",
        "waiting_list_moves",
        "outreach_cases",
        "work_and_education",
        "text_messages",
        "handovers",
    }
    assert by_name["work_and_education"]["records"] == []  # no job, no contact, no result
    assert by_name["text_messages"]["records"] == []  # no consent to text messages was recorded
    [talk] = by_name["course_record"]["records"]
    assert (talk["entry"], talk["next_steps"], talk["topics"]) == ("FollowUpTalk", "walk daily", ["health_situation"])
    [message] = by_name["messages"]["records"]
    assert (message["side"], message["text"]) == ("provider", "see you Monday")
    assert not {"staff_ids", "recorded_by", "author_id"} & (set(talk) | set(message))  # staff stay out
    assert {r["identity_number"] for r in by_name["identity"]["records"]} == {CPR}
    assert {r["referral_id"] for r in by_name["referrals"]["records"]} == {str(ended), str(rejected)}
    assert all("1826 days" in by_name[c]["retention"] for c in ("identity", "goals_and_plan", "closing_notes"))
    purposes = [r["purpose"] for r in by_name["identity_reads"]["records"]]
    assert "access request 2 Dec" in purposes
    assert "phone the participant" in purposes
    assert all("staff_id" not in r for r in by_name["identity_reads"]["records"])  # the provider's staff stay out

    trail = await audit_trail(desk.uow(), DPO, participant, None, 100)
    staff = {(r["staff_id"], r["purpose"]) for r in trail["identity_reads"]}
    assert ("dpo-1", "access request 2 Dec") in staff
    assert ("co-3", "phone the participant") in staff
    assert ("dpo-1", "access request (GDPR Art. 15)") in staff  # the export's own read is audited too
    since = await audit_trail(desk.uow(), DPO, None, desk.clock.now() + timedelta(seconds=1), 100)
    assert since == {"identity_reads": [], "waiting_list_moves": []}

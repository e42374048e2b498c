"""An outreach case's personal data: in the participant's access export and erasure once the case
is identified, and emptied by the retention sweep after a closed case's retention period."""

from __future__ import annotations

from datetime import timedelta

from forlob_referral.application.dpo import export_participant, find_participants, request_erasure
from forlob_referral.application.outreach import (
    RecordAttempt,
    change_phase,
    identify_case,
    record_attempt,
    record_consent,
)
from forlob_referral.application.retention import erase_expired_outreach_cases
from forlob_referral.domain.outreach import Phase
from forlob_referral.domain.participant import IdentityScheme
from forlob_shared.clock import ManualClock
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import CPR, NOW
from forlob_testkit.referral_outreach import (
    OUTREACH_ORG,
    OUTREACH_WORKER,
    define_outreach_programme,
    open_a_case,
    stored_case,
)
from forlob_testkit.referral_rules import Desk

DPO = Principal(staff_id="dpo-1", org=OUTREACH_ORG, roles=frozenset({"dpo"}))
RETENTION = timedelta(days=1826)
MET = RecordAttempt(ContactPlace.STREET, ContactChannel.IN_PERSON, ContactOutcome.BRIEF_CONTACT, note="by the kiosk")


async def test_an_identified_case_is_in_the_export_and_the_erasure(desk: Desk) -> None:
    await define_outreach_programme(desk)
    cid = (await open_a_case(desk)).case.id
    await record_attempt(desk.uow(), OUTREACH_WORKER, cid, MET)
    await record_consent(desk.uow(), OUTREACH_WORKER, cid, ConsentMethod.WRITTEN, NOW)
    view = await identify_case(desk.uow(), OUTREACH_WORKER, cid, "Jens Hansen", CPR, IdentityScheme.DK_CPR)
    participant = view.case.participant_id
    assert participant is not None
    assert await find_participants(desk.uow(), DPO, f"{CPR[:6]}-{CPR[6:]}", "access request") == [participant]

    part = await export_participant(desk.uow(), DPO, participant, 1826)
    [case] = next(c for c in part["categories"] if c["category"] == "outreach_cases")["records"]
    assert (case["identity_number"], case["working_name"]) == (CPR, "The man at the station kiosk")
    assert case["contact_attempts"][0]["note"] == "by the kiosk"

    await request_erasure(desk.uow(), DPO, participant, RETENTION)
    erased = stored_case(desk, cid)
    assert (erased.participant, erased.working_name, erased.description) == (None, None, None)
    assert erased.personal_data_erased_at == NOW
    assert [a.note for a in desk.store.table("outreach_attempts").values()] == [None]
    assert erased.attempts == 1  # the coded facts stay


async def test_the_retention_sweep_empties_closed_cases_after_the_period(desk: Desk, clock: ManualClock) -> None:
    await define_outreach_programme(desk)
    closed = (await open_a_case(desk)).case.id
    still_open = (await open_a_case(desk)).case.id
    await change_phase(desk.uow(), OUTREACH_WORKER, closed, Phase.CLOSED, OutreachCloseReason.MOVED_AWAY)
    assert await erase_expired_outreach_cases(desk.uow(), NOW + RETENTION, RETENTION) == 0
    assert await erase_expired_outreach_cases(desk.uow(), NOW + RETENTION + timedelta(seconds=1), RETENTION) == 1
    assert stored_case(desk, closed).working_name is None
    assert stored_case(desk, still_open).working_name == "The man at the station kiosk"

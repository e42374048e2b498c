"""The data protection officer's use cases (GDPR Art. 15 and 17): find a participant by identity
number (an audited identity read), export what this service holds about them, decide an erasure
request against the legal holds, and read the audit of identity reads and waiting-list moves.

The DPO acts for the provider organisation: only the participant's referrals at the DPO's own
organisation are in scope, another organisation's participant is 404 as everywhere.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.application.retention import erase_outreach_personal_data, erase_personal_data
from forlob_referral.domain.data_categories import categories
from forlob_referral.domain.handover import Handover
from forlob_referral.domain.holds import erasure_hold
from forlob_referral.domain.outreach import ContactAttempt, OutreachCase
from forlob_referral.domain.personal import IdentityRead, WaitlistMove
from forlob_referral.domain.referral import Referral
from forlob_shared.dpo import export_part
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import ParticipantErased, PendingEvent
from forlob_shared.http.auth import Principal


class ErasureRefused(Conflict):
    code = "erasure-refused"
    title = "The data must be kept for now (a legal hold)"


@dataclass(frozen=True)
class Erasure:
    participant_id: UUID
    erased_at: datetime
    referral_ids: list[UUID]


def _compact(identity_number: str) -> str:
    # Stored compact (no separators); a DPO may type it as printed on a letter.
    return "".join(identity_number.split()).replace("-", "").replace("+", "")


async def find_participants(uow: ReferralUoW, dpo: Principal, identity_number: str, purpose: str) -> list[UUID]:
    """The pseudonymous ids behind an identity number at the DPO's organisation. The lookup reads
    identity numbers, so it is audited against each referral (or identified outreach case, by its
    id) it found, like any identity read."""
    if len(purpose.strip()) < 3:
        raise InvalidInput("say why you look the identity number up (purpose)", field="purpose")
    async with uow:
        number = _compact(identity_number)
        found = [
            *await uow.personal.with_identity_number(dpo.org, number),
            *await uow.outreach.with_identity_number(dpo.org, number),
        ]
        if not found:
            raise NotFound("no participant with that identity number")
        now = uow.clock.now()
        for referral_id, _ in found:
            await uow.audit.identity_read(referral_id, dpo.org, dpo.staff_id, purpose.strip(), now)
        await uow.commit()
    return list(dict.fromkeys(participant_id for _, participant_id in found))


async def _referrals_of(
    uow: ReferralUoW, dpo: Principal, participant_id: UUID, *, lock: bool = False
) -> list[Referral]:
    referrals = await uow.referrals.of_participant(dpo.org, participant_id, lock=lock)
    # An outreach case identified after consent knows the participant too, perhaps before any referral.
    if not referrals and not await uow.outreach.of_participant(dpo.org, participant_id):
        raise NotFound(f"no participant {participant_id}")
    return referrals


def _case_shown(case: OutreachCase, attempts: list[ContactAttempt]) -> dict[str, Any]:
    return {
        "case_id": str(case.id),
        "programme_code": case.programme_code,
        "phase": case.phase.value,
        "opened_at": case.opened_at.isoformat(),
        "working_name": case.working_name,
        "description": case.description,
        "consent": {"method": case.consent.method.value, "given_at": case.consent.given_at.isoformat()}
        if case.consent
        else None,
        "name": case.participant.name if case.participant else None,
        "identity_number": case.participant.identity_number if case.participant else None,
        "close_reason": case.close_reason.value if case.close_reason else None,
        "helped_on_to": case.helped_on_to,
        "contact_attempts": [
            {
                "attempted_at": a.attempted_at.isoformat(),
                "place": a.place.value,
                "channel": a.channel.value,
                "outcome": a.outcome.value,
                "note": a.note,
            }
            for a in attempts
        ],
    }


def _referral_facts(r: Referral) -> dict[str, Any]:
    # No staff ids: who at the provider or the jobcentre handled it is the organisations' business.
    return {
        "referral_id": str(r.id),
        "programme_code": r.programme_code,
        "referring_org": r.referring_org,
        "provider_org": r.provider_org,
        "legal_basis": r.legal_basis,
        "received_at": r.received_at.isoformat(),
        "wished_start": r.wished_start.isoformat() if r.wished_start else None,
        "wished_weekly_hours": r.wished_weekly_hours,
        "state": r.state.value,
        "reason_code": r.reason_code,
        "intake_date": r.intake_date.isoformat() if r.intake_date else None,
        "start_date": r.start_date.isoformat() if r.start_date else None,
        "planned_end_date": r.planned_end_date.isoformat() if r.planned_end_date else None,
        "end_date": r.end_date.isoformat() if r.end_date else None,
        "outcome": r.outcome.value if r.outcome else None,
        "first_job_date": r.first_job_date.isoformat() if r.first_job_date else None,
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "personal_data_erased_at": r.personal_data_erased_at.isoformat() if r.personal_data_erased_at else None,
    }


def _read(read: IdentityRead, *, with_staff: bool) -> dict[str, Any]:
    shown = {"referral_id": str(read.referral_id), "organisation": read.org, "purpose": read.purpose}
    if with_staff:
        shown["staff_id"] = read.staff_id
    return shown | {"read_at": read.read_at.isoformat()}


def _move(move: WaitlistMove, *, with_staff: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "referral_id": str(move.referral_id),
        "organisation": move.provider_org,
        "programme_code": move.programme_code,
        "from_position": move.from_position,
        "to_position": move.to_position,
        "reason": move.reason,
    }
    if with_staff:
        shown["staff_id"] = move.staff_id
    return shown | {"moved_at": move.moved_at.isoformat()}


# Who wrote, booked or read is the organisations' data, not the participant's (as in the audit).
_STAFF_FIELDS = frozenset(
    {
        "staff_ids",
        "recorded_by",
        "booked_by",
        "author_id",
        "attached_by",
        "read_by",
        "staff_id",
        "given_by",
        "created_by",
        "referred_by",
        "decided_by",  # who declined or withdrew a proposed next step
    }
)


def _shown(item: Any) -> dict[str, Any]:
    """A course-record entry or message as the participant's export shows it: its kind, its
    content, its times, without the staff who wrote or read it."""
    values = {k: v for k, v in dataclasses.asdict(item).items() if k not in _STAFF_FIELDS}
    shown: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return {"entry": type(item).__name__, **shown}


async def _sms_shown(uow: ReferralUoW, referral_id: UUID) -> list[dict[str, Any]]:
    """The mobile number, language and consent (with its history), the messages asked for (template,
    what became of them) and the replies' codes; the texts themselves are kept nowhere."""
    shown: list[dict[str, Any]] = []
    contact = await uow.sms.contact(referral_id)
    if contact is not None:
        shown.append({"entry": "SmsConsent", **_shown_plain(contact, exclude={"changed_by"})})
    shown += [
        {"entry": "SmsConsentChange", **_shown_plain(c, exclude={"changed_by"})}
        for c in await uow.sms.consent_history(referral_id)
    ]
    shown += [
        {"entry": "SmsMessage", **_shown_plain(m, exclude={"last_error", "claimed_at", "answered_by"})}
        for m in await uow.sms.messages_of(referral_id)
    ]
    shown += [{"entry": "SmsReply", **_shown_plain(r, exclude=set())} for r in await uow.sms.replies_of(referral_id)]
    return shown


def _shown_plain(item: Any, exclude: set[str]) -> dict[str, Any]:
    values = {k: v for k, v in dataclasses.asdict(item).items() if k not in exclude}
    shown: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return shown


def _handover_shown(handover: Handover) -> dict[str, Any]:
    """A handover: its coded facts and dates; of its meeting when and whether it was held, not who came."""
    shown = _shown(dataclasses.replace(handover, meeting=None))
    if handover.meeting is not None:
        shown["meeting"] = {
            "starts_at": handover.meeting.starts_at.isoformat(),
            "held_at": handover.meeting.held_at.isoformat() if handover.meeting.held_at else None,
        }
    return shown


async def export_participant(
    uow: ReferralUoW, dpo: Principal, participant_id: UUID, retention_days: int
) -> dict[str, Any]:
    """Everything this service holds about the participant, by category (Art. 15). Reading the
    identity numbers here is the DPO's disclosure to the data subject, audited as a read."""
    async with uow:
        referrals = await _referrals_of(uow, dpo, participant_id)
        now = uow.clock.now()
        records: dict[str, list[dict[str, Any]]] = {
            "identity": [],
            "referrals": [_referral_facts(r) for r in referrals],
            "goals_and_plan": [],
            "closing_notes": [],
        }
        for r in referrals:
            personal = await uow.personal.get(r.id)
            if personal is None:
                continue
            await uow.audit.identity_read(r.id, dpo.org, dpo.staff_id, "access request (GDPR Art. 15)", now)
            p = personal.participant
            records["identity"].append(
                {
                    "referral_id": str(r.id),
                    "name": p.name,
                    "identity_scheme": p.scheme.value,
                    "identity_number": p.identity_number,
                }
            )
            records["goals_and_plan"].append(
                {
                    "referral_id": str(r.id),
                    "goals": [g.model_dump(mode="json") for g in personal.goals],
                    "plan": personal.plan.model_dump(mode="json") if personal.plan else None,
                }
            )
            if personal.closing_note is not None:
                records["closing_notes"].append(
                    {"referral_id": str(r.id), "closing_note": personal.closing_note.model_dump(mode="json")}
                )
            records.setdefault("course_record", []).extend(
                [_shown(x) for x in await uow.record.talks(r.id)]
                + [_shown(x) for x in await uow.record.meetings(r.id)]
                + [_shown(x) for x in await uow.record.notes(r.id)]
            )
            records.setdefault("messages", []).extend(_shown(x) for x in await uow.messages.thread(r.id))
        for r in referrals:
            records.setdefault("text_messages", []).extend(await _sms_shown(uow, r.id))
        seen: set[UUID] = set()  # a handover between two of the participant's courses here, once
        for r in referrals:  # coded facts, kept after an erasure: exported whether or not personal data is left
            records.setdefault("work_and_education", []).extend(
                [_shown(x) for x in await uow.employment.spells(r.id)]
                + [_shown(x) for x in await uow.employment.contacts(dpo.org, referral_id=r.id)]
                + [_shown(x) for x in [await uow.employment.clarification(r.id)] if x is not None]
            )
            handovers = [*await uow.handovers.of_course(r.id), await uow.handovers.into(r.id)]
            for h in handovers:
                if h is not None and h.id not in seen:
                    seen.add(h.id)
                    records.setdefault("handovers", []).append(_handover_shown(h))
        reads, moves = await uow.audit.trail(dpo.org, [r.id for r in referrals], None, 10_000)
        records["identity_reads"] = [_read(x, with_staff=False) for x in reads]
        records["waiting_list_moves"] = [_move(x, with_staff=False) for x in moves]
        records["outreach_cases"] = [
            _case_shown(c, await uow.outreach.attempts_of(c.id))
            for c in await uow.outreach.of_participant(dpo.org, participant_id)
        ]
        await uow.commit()
    return export_part("referral", participant_id, categories(retention_days), records, now)


async def request_erasure(uow: ReferralUoW, dpo: Principal, participant_id: UUID, retention: timedelta) -> Erasure:
    """Erase the participant's personal data now, unless a legal hold keeps it (409 with the
    reason and the day it ends). Idempotent: asking again erases nothing more and answers the
    first erasure's time; it announces the erasure again, which every consumer applies once."""
    async with uow:
        referrals = await _referrals_of(uow, dpo, participant_id, lock=True)
        now = uow.clock.now()
        hold = erasure_hold(referrals, now, retention)
        if hold is not None:
            raise ErasureRefused(
                f"the participant's data must be kept ({hold.reason.value})",
                reason=hold.reason.value,
                hold_ends=hold.until.isoformat() if hold.until else None,
                referral_id=hold.referral_id,
            )
        await erase_personal_data(uow, [r for r in referrals if r.personal_data_erased_at is None], now)
        cases = [c for c in await uow.outreach.of_participant(dpo.org, participant_id) if not c.personal_data_erased_at]
        await erase_outreach_personal_data(uow, cases, now)
        erased_at = min((r.personal_data_erased_at or now for r in referrals), default=now)
        ids = [r.id for r in referrals]
        uow.emit(
            PendingEvent(
                data=ParticipantErased(
                    participant_id=participant_id, provider_org=dpo.org, referral_ids=ids, erased_at=erased_at
                ),
                subject=str(participant_id),
                provider_org=dpo.org,
            )
        )
        await uow.commit()
    return Erasure(participant_id, erased_at, ids)


async def audit_trail(
    uow: ReferralUoW, dpo: Principal, participant_id: UUID | None, since: datetime | None, limit: int
) -> dict[str, Any]:
    """Identity reads and waiting-list moves of the DPO's organisation's referrals: who, when, why."""
    if participant_id is None and since is None:
        raise InvalidInput("name a participant or a time to list from", field="participant")
    async with uow:
        ids = None if participant_id is None else [r.id for r in await _referrals_of(uow, dpo, participant_id)]
        reads, moves = await uow.audit.trail(dpo.org, ids, since, limit)
    return {
        "identity_reads": [_read(x, with_staff=True) for x in reads],
        "waiting_list_moves": [_move(x, with_staff=True) for x in moves],
    }

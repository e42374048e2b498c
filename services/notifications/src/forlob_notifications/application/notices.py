"""The notice of an absence to the referring organisation, as its notification policy says
(per legal basis: how soon, to whom, with which text)."""

from __future__ import annotations

from datetime import datetime

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import raise_alert
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, new_alert_id
from forlob_notifications.domain.policy import effective
from forlob_notifications.partners import notices as partner_notices


async def send_notice(uow: NotificationsUnit, options: Options, absence: Alert, now: datetime) -> None:
    """The notice of an absence to the referring organisation, with the facts known ``now``
    (the caller saves the absence, now marked as told)."""
    assignment = await uow.assignments.get(absence.referral_id) if absence.referral_id else None
    legal_basis = assignment.legal_basis if assignment else None
    country = assignment.country if assignment else "DK"
    policy = effective(legal_basis, await uow.policies.own(absence.provider_org), country)
    notice = Alert(
        id=new_alert_id(),
        org=absence.referring_org or absence.provider_org,
        kind=AlertKind.ABSENCE_NOTICE,
        cause_key=f"notice:{absence.cause_key}",
        cause_event_id=absence.cause_event_id,
        recipient_staff_id=(assignment.caseworker_id if assignment else None) or UNASSIGNED,
        provider_org=absence.provider_org,
        referring_org=absence.referring_org,
        referral_id=absence.referral_id,
        participant_id=absence.participant_id,
        programme_code=absence.programme_code,
        occurred_at=absence.occurred_at,
        raised_at=now,
        facts=absence.notice_facts(now, legal_basis),
    )
    wants = {r.value for r in policy.recipients}
    raised = await raise_alert(uow, options, notice, notice_text=policy.notice_text, email="caseworker" in wants)
    if raised and "webhooks" in wants:  # the referring organisation's systems: its feed and webhooks
        await partner_notices.absence_unexplained(uow, options, notice, absence)
    absence.notice_sent_at = now

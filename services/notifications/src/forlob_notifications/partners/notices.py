"""The notices the referring organisation's legal basis entitles it to, as partner events.

The notification policy decides when (application/alerts.py: the notice of an unexplained
absence at the policy's deadline, never at detection); these functions only say it in the
contract's words, from the alerts the decision produced: coded facts, never the provider's staff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.alerts import Alert
from forlob_notifications.partners.feed import publish
from forlob_shared import events as internal
from forlob_shared import partner
from forlob_shared.logging import get_logger

log = get_logger("forlob.notifications.partners")

# Contact attempts whose outcome is contact with the participant (absence.contact_recorded.v1),
# as the partner contract says it: a reply by text is told as the call it stands for (a reason
# given, the participant reached), so the jobcentre hears nothing new, not even that it was a text.
# A reply asking to be called ("asked_to_be_called") is no contact yet: the call that follows is.
CONTACT_MADE = {
    "reached": "reached",
    "reason_given": "reason_given",
    "contact_reestablished": "contact_reestablished",
    "reason_given_by_text": "reason_given",
    "on_my_way": "reached",
}
_TOLD = "contact_reestablished_at"  # on the absence alert's facts: told once


def _about(alert: Alert) -> dict[str, Any] | None:
    if None in (alert.referral_id, alert.participant_id, alert.referring_org, alert.programme_code):
        return None  # not about a referral: nothing a referring organisation can be told
    return {
        "referral_id": alert.referral_id,
        "participant_id": alert.participant_id,
        "programme_code": alert.programme_code,
        "referring_org": alert.referring_org,
        "provider_org": alert.provider_org,
    }


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


async def absence_unexplained(uow: NotificationsUnit, options: Options, notice: Alert, absence: Alert) -> None:
    """The policy's notice of an absence (``notice``, just raised for ``absence``)."""
    about = _about(notice)
    if about is None or notice.occurred_at is None:
        log.warning("partners.notice_without_referral", alert_id=str(notice.id))
        return
    facts = notice.facts
    event = partner.AbsenceUnexplained(
        **about,
        absence_id=UUID(str(absence.facts["absence_id"])),
        expected_at=notice.occurred_at,
        minutes_missed=facts.get("minutes_missed"),
        agreed_minutes=facts.get("agreed_minutes"),
        contact_attempts=int(facts.get("contact_attempts") or 0),
        reason=str(facts.get("reason") or "unexplained"),
        reason_given_at=_instant(facts.get("reason_given_at")),
        arrived_at=_instant(facts.get("arrived_at")),
        legal_basis=facts.get("legal_basis"),
        deadline_at=absence.notice_due_at,
        notified_at=notice.raised_at,
    )
    await publish(uow, options, event, alert_id=notice.id)


async def agreement_breached(
    uow: NotificationsUnit, options: Options, breach: internal.AgreementBreached, alert_id: UUID
) -> None:
    event = partner.AgreementBreached(
        referral_id=breach.referral_id,
        participant_id=breach.participant_id,
        programme_code=breach.programme_code,
        referring_org=breach.referring_org,
        provider_org=breach.provider_org,
        breach_id=breach.breach_id,
        rule=breach.rule,
        unexcused_absences=breach.unexcused_absences,
        window_first_day=breach.window_first_day,
        window_last_day=breach.window_last_day,
        detected_at=breach.detected_at,
    )
    await publish(uow, options, event, alert_id=alert_id)


async def contact_reestablished(
    uow: NotificationsUnit,
    options: Options,
    absence: Alert,
    *,
    how: str,
    reason: str | None,
    at: datetime,
) -> bool:
    """After the jobcentre was told of the absence, contact with the participant came back: say
    so, once per absence. Contact before the notice went needs no word (the notice, if it went at
    all, carries the arrival or the reason). The caller saves ``absence`` (it marks it told)."""
    if absence.notice_sent_at is None or at < absence.notice_sent_at or _TOLD in absence.facts:
        return False
    about = _about(absence)
    if about is None:
        return False
    event = partner.ContactReestablished(
        **about,
        absence_id=UUID(str(absence.facts["absence_id"])),
        how=how,
        reason=reason,
        reestablished_at=at,
    )
    absence.facts = {**absence.facts, _TOLD: at.isoformat()}
    await publish(uow, options, event)
    return True


async def on_absence_resolved(uow: NotificationsUnit, options: Options, event: internal.AbsenceResolved) -> None:
    """A late arrival or a reason given: contact is back (runs before the alert rules close the
    absence; an absence whose notice is still owed gets it from them, with this in its facts)."""
    await _contact(uow, options, event.absence_id, event.resolution, event.reason, event.resolved_at)


async def on_contact_recorded(uow: NotificationsUnit, options: Options, event: internal.ContactRecorded) -> None:
    how = CONTACT_MADE.get(event.outcome)
    if how is not None:
        await _contact(uow, options, event.absence_id, how, event.reason, event.recorded_at)


async def _contact(
    uow: NotificationsUnit,
    options: Options,
    absence_id: UUID,
    how: str,
    reason: internal.AbsenceReason | None,
    at: datetime,
) -> None:
    absence = await uow.alerts.by_cause(f"absence:{absence_id}", for_update=True)
    if absence is None:
        return
    reason_code = reason.value if reason is not None else None
    if await contact_reestablished(uow, options, absence, how=how, reason=reason_code, at=at):
        # The alert rules load this alert next, in this transaction, and see the mark: the save is
        # an ORM update, which brings the session's copy of the row up to date too.
        await uow.alerts.save(absence)

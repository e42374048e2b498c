"""What a message says: a pseudonymous reference, the programme, the time and a link. Never a
name, an identity number, contact data or a health note (the service holds none to leak)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from forlob_notifications.domain.alerts import Alert, AlertKind

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# The partner-facing type of a webhook for each kind of alert (besides the generic alert.raised).
# A course's end is not here: partners get programme.ended as the event's own data, like the
# other milestones (application/partner_events.py).
PARTNER_TYPE: dict[AlertKind, str] = {
    AlertKind.ABSENCE_NOTICE: "absence.unexplained",
    AlertKind.BREACH: "attendance.agreement_breached",
}


def alert_link(base_url: str, alert: Alert) -> str:
    return f"{base_url.rstrip('/')}/alerts/{alert.id}"


def _ref(alert: Alert) -> str:
    return str(alert.participant_id)[:8] if alert.participant_id else "-"


def _local(instant: datetime | None, zone: ZoneInfo = COPENHAGEN) -> str:
    return instant.astimezone(zone).strftime("%d.%m.%Y kl. %H:%M") if instant else "-"


_SUBJECTS = {
    AlertKind.ABSENCE: "Fravær: deltager ref. {ref} er ikke mødt ({programme})",
    AlertKind.ABSENCE_NOTICE: "Underretning om fravær: ref. {ref} ({programme})",
    AlertKind.BREACH: "Aftalen om fremmøde er ikke overholdt: ref. {ref} ({programme})",
    AlertKind.CLOSING_NOTE_READY: "Forløbet er afsluttet, afslutningsnotatet er klar: ref. {ref} ({programme})",
    AlertKind.WEBHOOK_DISABLED: "Webhook slået fra efter gentagne fejl",
}

_INTROS = {
    AlertKind.ABSENCE: "Deltageren var ventet {occurred} og er ikke mødt. Kontakt deltageren og kvittér for alarmen.",
    AlertKind.ABSENCE_NOTICE: "Fraværet fra {occurred} er endnu ikke forklaret.",
    AlertKind.BREACH: "Tilbudsstedet meddeler, at aftalen om fremmøde ikke er overholdt.",
    AlertKind.CLOSING_NOTE_READY: "Forløbet er afsluttet {occurred}. Afslutningsnotatet er klar til afslutningsmødet.",
    AlertKind.WEBHOOK_DISABLED: "Leveringer til en af jeres webhooks er fejlet i {hours} timer, og den er slået fra.",
}

_ESCALATED = "Alarmen er ikke kvitteret i tide og er sendt videre til dig som teamleder."


def email(alert: Alert, base_url: str, *, escalated: bool = False, notice_text: str | None = None) -> dict[str, str]:
    values = {
        "ref": _ref(alert),
        "programme": alert.programme_code or "-",
        "occurred": _local(alert.occurred_at),
        "hours": str(alert.facts.get("retry_hours", "")),
    }
    subject = _SUBJECTS[alert.kind].format(**values)
    if escalated:
        subject = "Eskaleret: " + subject
    lines = [_ESCALATED] if escalated else []
    lines.append(_INTROS[alert.kind].format(**values))
    lines.append("")
    if alert.participant_id:
        lines.append(f"Deltager (pseudonym reference): {alert.participant_id}")
    if alert.programme_code:
        lines.append(f"Forløb: {alert.programme_code}")
    if alert.occurred_at:
        lines.append(f"Tidspunkt: {_local(alert.occurred_at)}")
    lines.extend(
        f"{_FACT_LABELS[k]}: {_fact(k, v)}"
        for k, v in sorted(alert.facts.items())
        if k in _FACT_LABELS and v is not None  # a fact not known is left out, not shown as "None"
    )
    if notice_text:
        lines += ["", notice_text]
    lines += ["", f"Se alarmen: {alert_link(base_url, alert)}"]
    return {"subject": subject, "body": "\n".join(lines) + "\n"}


_FACT_LABELS = {
    "minutes_missed": "Minutters fravær",
    "agreed_minutes": "Aftalte minutter",
    "reason_given_at": "Årsag oplyst",
    "arrived_at": "Mødt",
    "contact_attempts": "Kontaktforsøg",
    "reason": "Kodet årsag",
    "rule": "Regel",
    "unexcused_absences": "Uforklarede fravær",
    "window": "Periode",
    "outcome": "Udfald",
    "subscription_id": "Webhook",
}


def _fact(key: str, value: object) -> str:
    """A fact as a person reads it: instants (``..._at``) in local time."""
    if key.endswith("_at") and isinstance(value, str):
        return _local(datetime.fromisoformat(value))
    return str(value)


def webhook_payload(alert: Alert, event_type: str, base_url: str, sent_for: datetime) -> dict[str, Any]:
    """The body partners receive: ``{type, timestamp, data}`` as Standard Webhooks suggests."""
    data: dict[str, Any] = {
        "alert_id": str(alert.id),
        "kind": alert.kind.value,
        "provider_org": alert.provider_org,
        "referring_org": alert.referring_org,
        "referral_id": str(alert.referral_id) if alert.referral_id else None,
        "participant_ref": str(alert.participant_id) if alert.participant_id else None,
        "programme_code": alert.programme_code,
        "occurred_at": alert.occurred_at.isoformat() if alert.occurred_at else None,
        "facts": alert.facts,
        "link": alert_link(base_url, alert),
    }
    return {"type": event_type, "timestamp": sent_for.isoformat(), "data": data}

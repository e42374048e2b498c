"""What a message says: a pseudonymous reference, the programme, the time, coded facts in words
and a link. Never a name, an identity number, contact data or a health note (the service holds
none to leak).

E-mails are for people: in the provider's language, with the link to the alert's page on the web
(``PUBLIC_WEB_URL``). Webhooks are for systems: codes as they are, with the link to the alert's
API resource (``PUBLIC_API_URL``).

Local times are in the zone the caller passes: the course's own (``Assignment.calendar()``), which
its programme announced; nothing here assumes Denmark."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from forlob_notifications.domain.alerts import Alert, AlertKind
from forlob_shared.texts import DEFAULT_LANGUAGE, FACTS_SHOWN, Text, code_text, fact_text, instant_text

# Partners hear notices and milestones in the partner contract (forlob_notifications.partners),
# not as alerts: an alert's webhook is ``alert.raised``, for the organisation's own staff.


def alert_page(web_url: str, alert: Alert) -> str:
    """Where a person opens the alert: its page on the web (signed in, in their language)."""
    return f"{web_url.rstrip('/')}/alerts/{alert.id}"


def alert_resource(api_url: str, alert: Alert) -> str:
    """Where a system reads the alert: the notifications API's resource (with its own token)."""
    return f"{api_url.rstrip('/')}/alerts/{alert.id}"


def _ref(alert: Alert) -> str:
    return str(alert.participant_id)[:8] if alert.participant_id else "-"


def _local(instant: datetime | None, zone: ZoneInfo, lang: str) -> str:
    return instant_text(instant, lang, zone) if instant else "-"


_SUBJECTS: dict[AlertKind, Text] = {
    AlertKind.ABSENCE: Text(
        "Fravær: deltager ref. {ref} er ikke mødt ({programme})",
        "Frånvaro: deltagare ref. {ref} har inte kommit ({programme})",
        "Absence: participant ref. {ref} has not arrived ({programme})",
    ),
    AlertKind.ABSENCE_NOTICE: Text(
        "Underretning om fravær: ref. {ref} ({programme})",
        "Underrättelse om frånvaro: ref. {ref} ({programme})",
        "Notice of absence: ref. {ref} ({programme})",
    ),
    AlertKind.BREACH: Text(
        "Aftalen om fremmøde er ikke overholdt: ref. {ref} ({programme})",
        "Avtalet om närvaro har inte följts: ref. {ref} ({programme})",
        "The attendance agreement was not kept: ref. {ref} ({programme})",
    ),
    AlertKind.CLOSING_NOTE_READY: Text(
        "Forløbet er afsluttet, afslutningsnotatet er klar: ref. {ref} ({programme})",
        "Insatsen är avslutad, slutanteckningen är klar: ref. {ref} ({programme})",
        "The course has ended, the closing note is ready: ref. {ref} ({programme})",
    ),
    AlertKind.WEBHOOK_DISABLED: Text(
        "Webhook slået fra efter gentagne fejl",
        "Webhook avstängd efter upprepade fel",
        "Webhook disabled after repeated failures",
    ),
    AlertKind.VISIT_OVERDUE: Text(
        "Besøg ved {staff} ikke afsluttet siden {occurred}",
        "Besök av {staff} inte avslutat sedan {occurred}",
        "Visit by {staff} overdue since {occurred}",
    ),
    AlertKind.MEETING_OVERDUE: Text(
        "Næste møde er ikke planlagt: ref. {ref} ({programme})",
        "Nästa möte är inte planerat: ref. {ref} ({programme})",
        "The next meeting is not planned: ref. {ref} ({programme})",
    ),
    AlertKind.OUTREACH_CONTACT_OVERDUE: Text(
        "Kontaktforsøg ikke gjort i tide: opsøgende sag {case} ({programme})",
        "Kontaktförsök inte gjort i tid: uppsökande ärende {case} ({programme})",
        "Contact attempt overdue: outreach case {case} ({programme})",
    ),
    AlertKind.CALL_PARTICIPANT: Text(
        "Ring til deltageren: ref. {ref} ({programme})",
        "Ring deltagaren: ref. {ref} ({programme})",
        "Call the participant: ref. {ref} ({programme})",
    ),
}

# A planned meeting not attended is an absence (the same rules), told in its own words.
_MISSED_MEETING_SUBJECT = Text(
    "Udeblevet fra møde: deltager ref. {ref} ({programme})",
    "Uteblev från möte: deltagare ref. {ref} ({programme})",
    "Missed meeting: participant ref. {ref} ({programme})",
)
_MISSED_MEETING_INTRO = Text(
    "Deltageren havde et møde {occurred} og er ikke mødt. Kontakt deltageren og kvittér for advarslen.",
    "Deltagaren hade ett möte {occurred} och har inte kommit. Kontakta deltagaren och kvittera varningen.",
    "The participant had a meeting {occurred} and missed it. Contact them and acknowledge the alert.",
)

_INTROS: dict[AlertKind, Text] = {
    AlertKind.ABSENCE: Text(
        "Deltageren var ventet {occurred} og er ikke mødt. Kontakt deltageren og kvittér for advarslen.",
        "Deltagaren väntades {occurred} och har inte kommit. Kontakta deltagaren och kvittera varningen.",
        "The participant was expected {occurred} and has not arrived. Contact them and acknowledge the alert.",
    ),
    AlertKind.ABSENCE_NOTICE: Text(
        "Fraværet fra {occurred} er endnu ikke forklaret.",
        "Frånvaron från {occurred} är ännu inte förklarad.",
        "The absence from {occurred} is not yet explained.",
    ),
    AlertKind.BREACH: Text(
        "Tilbudsstedet meddeler, at aftalen om fremmøde ikke er overholdt.",
        "Anordnaren meddelar att avtalet om närvaro inte har följts.",
        "The provider reports that the attendance agreement was not kept.",
    ),
    AlertKind.CLOSING_NOTE_READY: Text(
        "Forløbet er afsluttet {occurred}. Afslutningsnotatet er klar til afslutningsmødet.",
        "Insatsen avslutades {occurred}. Slutanteckningen är klar till avslutningsmötet.",
        "The course ended {occurred}. The closing note is ready for the closing meeting.",
    ),
    AlertKind.WEBHOOK_DISABLED: Text(
        "Leveringer til en af jeres webhooks er fejlet i {hours} timer, og den er slået fra.",
        "Leveranser till en av era webhooks har misslyckats i {hours} timmar och den har stängts av.",
        "Deliveries to one of your webhooks failed for {hours} hours, and it has been disabled.",
    ),
    AlertKind.VISIT_OVERDUE: Text(
        "Besøget ved {staff} skulle være slut {occurred} og er ikke afsluttet. Ring til medarbejderen nu og "
        "kvittér for advarslen.",
        "Besöket av {staff} skulle vara slut {occurred} och är inte avslutat. Ring medarbetaren nu och "
        "kvittera varningen.",
        "The visit by {staff} was planned to end {occurred} and has not been ended. Call them now and "
        "acknowledge the alert.",
    ),
    AlertKind.MEETING_OVERDUE: Text(
        "Der er ikke planlagt et møde inden for den aftalte kadence; næste møde skulle have været senest {due_by}.",
        "Inget möte är planerat inom den avtalade takten; nästa möte skulle ha ägt rum senast {due_by}.",
        "No meeting is planned within the agreed cadence; the next one was due by {due_by}.",
    ),
    AlertKind.OUTREACH_CONTACT_OVERDUE: Text(
        "Kontaktplanens næste forsøg skulle være gjort senest {due_by}, og intet er registreret.",
        "Kontaktplanens nästa försök skulle ha gjorts senast {due_by} och inget är registrerat.",
        "The contact plan's next attempt was due by {due_by} and none is recorded.",
    ),
    # The reply's words are never here (nor anywhere in Forløb): only its code, as a fact.
    AlertKind.CALL_PARTICIPANT: Text(
        "Deltageren har svaret på en sms {occurred} og beder om at blive ringet op, eller svaret kunne ikke "
        "læses. Ring til deltageren og kvittér for opgaven.",
        "Deltagaren har svarat på ett sms {occurred} och vill bli uppringd, eller så kunde svaret inte läsas. "
        "Ring deltagaren och kvittera uppgiften.",
        "The participant replied to a text message {occurred} and asks to be called, or the reply could not be "
        "read. Call them and acknowledge the task.",
    ),
}

_WORDS: dict[str, Text] = {
    "escalated": Text(
        "Advarslen er ikke kvitteret i tide og er sendt videre til dig som teamleder.",
        "Varningen kvitterades inte i tid och har skickats vidare till dig som teamledare.",
        "The alert was not acknowledged in time and is passed on to you as team leader.",
    ),
    "escalated_subject": Text("Eskaleret: ", "Eskalerat: ", "Escalated: "),
    "participant": Text("Deltager (pseudonym reference)", "Deltagare (pseudonym referens)", "Participant (pseudonym)"),
    "programme": Text("Forløb", "Insats", "Programme"),
    "when": Text("Tidspunkt", "Tidpunkt", "When"),
    "link": Text("Se advarslen", "Se varningen", "Open the alert"),
}


def email(
    alert: Alert,
    web_url: str,
    *,
    escalated: bool = False,
    notice_text: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    zone: ZoneInfo,
) -> dict[str, str]:
    """The e-mail about an alert, in ``lang`` (the provider's: see ``language_of_country``), its
    times in ``zone`` (the course's), with the link to the alert's page on the web."""

    def w(key: str) -> str:
        return _WORDS[key].in_language(lang)

    values = {
        "ref": _ref(alert),
        "programme": alert.programme_code or "-",
        "occurred": _local(alert.occurred_at, zone, lang),
        "hours": str(alert.facts.get("retry_hours", "")),
        "staff": str(alert.facts.get("visit_staff_id", "-")),
        "due_by": str(alert.facts.get("due_by", "-")),
        "case": str(alert.facts.get("case_id", "-"))[:8],
    }
    missed_meeting = alert.kind is AlertKind.ABSENCE and alert.facts.get("meeting_id") is not None
    subject_text = _MISSED_MEETING_SUBJECT if missed_meeting else _SUBJECTS[alert.kind]
    intro_text = _MISSED_MEETING_INTRO if missed_meeting else _INTROS[alert.kind]
    subject = subject_text.in_language(lang).format(**values)
    if escalated:
        subject = w("escalated_subject") + subject
    lines = [w("escalated")] if escalated else []
    lines.append(intro_text.in_language(lang).format(**values))
    lines.append("")
    if alert.participant_id:
        lines.append(f"{w('participant')}: {alert.participant_id}")
    if alert.programme_code:
        lines.append(f"{w('programme')}: {alert.programme_code}")
    if alert.occurred_at:
        lines.append(f"{w('when')}: {_local(alert.occurred_at, zone, lang)}")
    lines.extend(
        f"{code_text('fact', name, lang)}: {fact_text(name, alert.facts[name], lang, zone)}"
        for name in FACTS_SHOWN
        if alert.facts.get(name) is not None  # a fact not known is left out, not shown as "None"
    )
    if notice_text:
        lines += ["", notice_text]
    lines += ["", f"{w('link')}: {alert_page(web_url, alert)}"]
    return {"subject": subject, "body": "\n".join(lines) + "\n"}


def webhook_payload(alert: Alert, event_type: str, api_url: str, sent_for: datetime) -> dict[str, Any]:
    """The body partners receive: ``{type, timestamp, data}`` as Standard Webhooks suggests. Its
    ``link`` is the alert's API resource: a system reads it with its own token."""
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
        "link": alert_resource(api_url, alert),
    }
    return {"type": event_type, "timestamp": sent_for.isoformat(), "data": data}

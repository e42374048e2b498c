"""A small message catalogue in Danish, Swedish and English: the pages' own words.

The words for codes (outcomes, alert kinds, states, reasons, figures ...) are not here but in
``forlob_shared.texts``, the one catalogue the e-mails use too; templates reach them through
``code(domain, value)`` and ``figure_name(name)``.

The language comes from the ``lang`` cookie (the switch in the page header), else from the
browser's Accept-Language (``sv``, ``sv-SE`` ... pick Swedish), else Danish. Each message is a
``forlob_shared.texts.Text`` (da, sv, en), the same shape as the shared catalogue's words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal

from forlob_shared.texts import LANGUAGES as SHARED_LANGUAGES
from forlob_shared.texts import Text, code_text, day_text, figure, unit_text
from forlob_web.dpo_words import DPO_MESSAGES
from forlob_web.employment_words import EMPLOYMENT_MESSAGES
from forlob_web.figures_words import FIGURES_MESSAGES
from forlob_web.handover_words import HANDOVER_MESSAGES
from forlob_web.messages_course import COURSE_MESSAGES
from forlob_web.record_texts import RECORD_MESSAGES
from forlob_web.shapes_words import SHAPE_MESSAGES
from forlob_web.sms_words import SMS_MESSAGES

# The pages speak every language the shared catalogue does: Danish, Swedish, English.
LANGUAGES: tuple[str, ...] = SHARED_LANGUAGES
DEFAULT = "da"
# The switch in the page header: each language named in its own words.
LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "en": "English"}

# key: Text(Danish, Swedish, English)
MESSAGES: dict[str, Text] = {
    "app": Text("Forløb", "Forløb", "Forløb"),
    "skip": Text("Spring til indhold", "Hoppa till innehållet", "Skip to content"),
    "nav": Text("Hovedmenu", "Huvudmeny", "Main menu"),
    "nav.inbox": Text("Advarsler", "Varningar", "Alerts"),
    "nav.attendance": Text("Dagens fremmøde", "Dagens närvaro", "Today's attendance"),
    "nav.intake": Text("Visitation", "Antagning", "Intake board"),
    "nav.referrals": Text("Mine henvisninger", "Mina remisser", "My referrals"),
    "nav.figures": Text("Nøgletal", "Nyckeltal", "Figures"),
    "language": Text("Sprog", "Språk", "Language"),
    "signed_in_as": Text(
        "Logget ind som {staff} ({org})", "Inloggad som {staff} ({org})", "Signed in as {staff} ({org})"
    ),
    "sign_in": Text("Log ind", "Logga in", "Sign in"),
    "sign_out": Text("Log ud", "Logga ut", "Sign out"),
    "sign_in.title": Text("Log ind i Forløb", "Logga in i Forløb", "Sign in to Forløb"),
    "sign_in.oidc": Text(
        "Log ind med din organisations login",
        "Logga in med din organisations inloggning",
        "Sign in with your organisation's account",
    ),
    "sign_in.local": Text(
        "Lokal log ind (kun til udvikling og demo): vælg en person.",
        "Lokal inloggning (endast för utveckling och demo): välj en person.",
        "Local sign-in (development and demo only): pick a person.",
    ),
    "sign_in.person": Text("Demo-person", "Demoperson", "Demo person"),
    "sign_in.or_own": Text("… eller angiv selv", "… eller ange själv", "… or enter your own"),
    "sign_in.org": Text("Organisation", "Organisation", "Organisation"),
    "sign_in.staff": Text("Medarbejder-id", "Medarbetar-id", "Staff id"),
    "sign_in.roles": Text("Roller (adskilt af komma)", "Roller (kommaseparerade)", "Roles (comma-separated)"),
    "sign_in.unavailable": Text(
        "Der er ikke sat nogen log ind op. Kontakt en administrator.",
        "Ingen inloggning är konfigurerad. Kontakta en administratör.",
        "No sign-in is configured. Ask an administrator.",
    ),
    "sign_in.failed": Text(
        "Log ind mislykkedes: {reason}", "Inloggningen misslyckades: {reason}", "Sign-in failed: {reason}"
    ),
    "sign_in.needed": Text("Log ind for at fortsætte.", "Logga in för att fortsätta.", "Please sign in to continue."),
    "sign_in.too_many": Text(
        "For mange forsøg på at logge ind herfra. Prøv igen om {seconds} sekunder.",
        "För många inloggningsförsök härifrån. Försök igen om {seconds} sekunder.",
        "Too many sign-ins from here. Try again in {seconds} seconds.",
    ),
    "csrf": Text(
        "Formularen var forældet eller kom ikke fra denne side. Prøv igen.",
        "Formuläret var inaktuellt eller kom inte från den här webbplatsen. Försök igen.",
        "The form was out of date or did not come from this site. Please try again.",
    ),
    "not_found": Text("Ikke fundet", "Hittades inte", "Not found"),
    "not_found.text": Text(
        "Det, du leder efter, findes ikke, eller din organisation har ikke adgang til det.",
        "Det du letar efter finns inte, eller så har din organisation inte åtkomst till det.",
        "What you are looking for does not exist, or your organisation has no access to it.",
    ),
    "forbidden": Text("Ikke tilladt", "Inte tillåtet", "Not allowed"),
    "forbidden.text": Text(
        "Din rolle giver ikke adgang til dette.",
        "Din roll ger inte åtkomst till detta.",
        "Your role does not give access to this.",
    ),
    "error": Text("Noget gik galt", "Något gick fel", "Something went wrong"),
    "error.text": Text(
        "Der skete en fejl hos os. Den er logget; prøv igen om lidt.",
        "Ett fel uppstod hos oss. Det har loggats; försök igen om en stund.",
        "Something went wrong on our side. It has been logged; please try again shortly.",
    ),
    "error.api": Text("{service} svarede: {words}", "{service} svarade: {words}", "{service} answered: {words}"),
    "down": Text(
        "{service} svarer ikke lige nu. Resten af siden virker; prøv igen om lidt.",
        "{service} svarar inte just nu. Resten av sidan fungerar; försök igen om en stund.",
        "The {service} service does not answer right now. The rest of the page works; try again shortly.",
    ),
    "service.referral": Text("Henvisningstjenesten", "Remisstjänsten", "referral"),
    "service.attendance": Text("Fremmødetjenesten", "Närvarotjänsten", "attendance"),
    "service.notifications": Text("Besked-tjenesten", "Meddelandetjänsten", "notifications"),
    "service.reporting": Text("Rapporteringstjenesten", "Rapporteringstjänsten", "reporting"),
    "participant": Text("Deltager", "Deltagare", "Participant"),
    "programme": Text("Forløb", "Insats", "Programme"),
    "state": Text("Status", "Status", "State"),
    "save": Text("Gem", "Spara", "Save"),
    "none": Text("Ingen", "Ingen", "None"),
    # inbox
    "inbox.title": Text("Åbne advarsler", "Öppna varningar", "Open alerts"),
    "inbox.empty": Text("Ingen åbne advarsler.", "Inga öppna varningar.", "No open alerts."),
    "inbox.live": Text("Opdateres automatisk.", "Uppdateras automatiskt.", "Updates live."),
    "inbox.new": Text("Ny advarsel", "Ny varning", "New alert"),
    "inbox.escalated": Text("Eskaleret", "Eskalerad", "Escalated"),
    "inbox.escalated_to": Text("Eskaleret til {who}", "Eskalerad till {who}", "Escalated to {who}"),
    "inbox.raised": Text("Oprettet", "Skapad", "Raised"),
    "inbox.occurred": Text("Tidspunkt", "Tidpunkt", "When"),
    "inbox.due": Text("Eskaleres", "Eskaleras", "Escalates"),
    "inbox.note": Text("Note (valgfri)", "Anteckning (valfri)", "Note (optional)"),
    "inbox.note_hint": Text(
        "fx ringet op, syg, kommer i morgen",
        "t.ex. ringt upp, sjuk, kommer i morgon",
        "e.g. called, ill, back tomorrow",
    ),
    "inbox.acknowledge": Text("Kvittér", "Kvittera", "Acknowledge"),
    "inbox.acknowledged": Text("Advarslen er kvitteret.", "Varningen är kvitterad.", "The alert is acknowledged."),
    "inbox.lost": Text(
        "Forbindelsen blev afbrudt; forsøger igen …",
        "Anslutningen bröts; försöker igen …",
        "The live connection was lost; retrying …",
    ),
    "inbox.open_alert": Text("Åbn advarslen", "Öppna varningen", "Open the alert"),
    # one alert (the page e-mails link to)
    "alert.title": Text("Advarsel", "Varning", "Alert"),
    "alert.participant": Text("Deltager", "Deltagare", "Participant"),
    "alert.state": Text("Status", "Status", "State"),
    "alert.raised": Text("Oprettet", "Skapad", "Raised"),
    "alert.acknowledged_by": Text("Kvitteret af {who}", "Kvitterad av {who}", "Acknowledged by {who}"),
    "alert.closed_because": Text("Lukket: {why}", "Stängd: {why}", "Closed: {why}"),
    "alert.facts": Text("Fakta", "Fakta", "Facts"),
    "alert.note": Text("Note", "Anteckning", "Note"),
    "alert.to_inbox": Text("Til advarslerne", "Till varningarna", "To the alerts"),
    # attendance
    "attendance.title": Text("Fremmøde {day}", "Närvaro {day}", "Attendance {day}"),
    "attendance.day": Text("Dag", "Dag", "Day"),
    "attendance.show": Text("Vis", "Visa", "Show"),
    "attendance.missing": Text("Mangler nu", "Saknas nu", "Missing now"),
    "attendance.nobody_missing": Text("Ingen mangler.", "Ingen saknas.", "Nobody is missing."),
    "attendance.expected": Text("Forventede deltagere", "Förväntade deltagare", "Expected participants"),
    "attendance.none": Text("Ingen forventet denne dag.", "Ingen förväntas denna dag.", "Nobody expected this day."),
    "attendance.agreed": Text("Aftalt tid", "Avtalad tid", "Agreed time"),
    "attendance.in": Text("Kom", "Kom", "In"),
    "attendance.out": Text("Gik", "Gick", "Out"),
    "attendance.check_in": Text("Tjek ind", "Checka in", "Check in"),
    "attendance.check_out": Text("Tjek ud", "Checka ut", "Check out"),
    "attendance.absence": Text("Meld fravær", "Anmäl frånvaro", "Report absence"),
    "attendance.reason": Text("Årsag", "Orsak", "Reason"),
    "attendance.checked_in": Text("Tjekket ind.", "Incheckad.", "Checked in."),
    "attendance.checked_out": Text("Tjekket ud.", "Utcheckad.", "Checked out."),
    "attendance.absence_reported": Text("Fravær er meldt.", "Frånvaron är anmäld.", "Absence reported."),
    "attendance.late": Text("{minutes} min. forsinket", "{minutes} min försenad", "{minutes} min late"),
    # intake
    "intake.title": Text("Visitation", "Antagning", "Intake board"),
    "intake.new": Text("Nye henvisninger", "Nya remisser", "New referrals"),
    "intake.no_new": Text("Ingen nye henvisninger.", "Inga nya remisser.", "No new referrals."),
    "intake.received": Text("Modtaget", "Mottagen", "Received"),
    "intake.from": Text("Fra", "Från", "From"),
    "intake.wished_start": Text("Ønsket start", "Önskad start", "Wished start"),
    "intake.accept": Text(
        "Optag (venteliste hvis fuldt)", "Anta (väntelista om fullt)", "Accept (waiting list when full)"
    ),
    "intake.reject": Text("Afvis", "Avvisa", "Reject"),
    "intake.reject_reason": Text("Årsag til afvisning", "Orsak till avvisning", "Reason for rejecting"),
    "intake.accepted": Text("Optaget med opstart {date}.", "Antagen med start {date}.", "Accepted, intake on {date}."),
    "intake.waitlisted": Text(
        "Sat på venteliste som nr. {position}, forventet start {date}.",
        "Placerad på väntelistan som nr {position}, beräknad start {date}.",
        "On the waiting list at position {position}, estimated start {date}.",
    ),
    "intake.rejected": Text("Henvisningen er afvist.", "Remissen är avvisad.", "The referral is rejected."),
    "intake.seats": Text("Pladser og venteliste", "Platser och väntelista", "Seats and waiting list"),
    "intake.capacity": Text("Pladser", "Platser", "Seats"),
    "intake.held": Text("Optaget", "Upptagna", "Taken"),
    "intake.free": Text("Ledige nu", "Lediga nu", "Free now"),
    "intake.waiting": Text("På venteliste", "På väntelista", "Waiting"),
    "intake.position": Text("Nr.", "Nr", "No."),
    "intake.waiting_days": Text("Ventet (dage)", "Väntat (dagar)", "Waited (days)"),
    "intake.estimated_start": Text("Forventet start", "Beräknad start", "Estimated start"),
    "intake.dates": Text("Næste opstartsdatoer", "Kommande startdatum", "Next intake dates"),
    "intake.dates_caption": Text(
        "Ledige pladser til et helt forløb på {weeks} uger fra opstartsdatoen.",
        "Lediga platser för en hel insats på {weeks} veckor från startdatumet.",
        "Seats free for a whole course of {weeks} weeks from the intake date.",
    ),
    "intake.date": Text("Opstart", "Startdatum", "Intake date"),
    "intake.free_seats": Text("Ledige pladser", "Lediga platser", "Free seats"),
    "intake.no_programmes": Text(
        "Ingen forløb i kataloget.", "Inga insatser i katalogen.", "No programmes in the catalogue."
    ),
    # referrals
    "referrals.title": Text("Mine henvisninger", "Mina remisser", "My referrals"),
    "referrals.none": Text(
        "Du har ingen henvisninger endnu.", "Du har inga remisser ännu.", "You have no referrals yet."
    ),
    "referrals.new": Text("Ny henvisning", "Ny remiss", "New referral"),
    "referrals.open": Text("Åbn", "Öppna", "Open"),
    "referrals.created": Text("Henvisningen er sendt.", "Remissen är skickad.", "The referral is sent."),
    "referrals.fix": Text(
        "Ret de markerede felter.", "Rätta de markerade fälten.", "Please correct the marked fields."
    ),
    "field.provider_org": Text("Udbyder (organisation)", "Utförare (organisation)", "Provider (organisation)"),
    "field.programme_code": Text("Forløbskode", "Insatskod", "Programme code"),
    "field.participant.name": Text("Deltagerens navn", "Deltagarens namn", "Participant's name"),
    "field.participant.identity_number": Text(
        "CPR-/personnummer", "Personnummer/CPR-nummer", "CPR / personal identity number"
    ),
    "field.participant.identity_scheme": Text("Nummertype", "Nummertyp", "Number type"),
    "field.goals": Text(
        "Mål (ét pr. linje; delmål på linjer der starter med »-«)",
        "Mål (ett per rad; delmål på rader som börjar med ”-”)",
        "Goals (one per line; sub-goals on lines starting with '-')",
    ),
    "field.wished_start": Text("Ønsket start", "Önskad start", "Wished start"),
    "field.wished_weekly_hours": Text("Ønskede timer pr. uge", "Önskade timmar per vecka", "Wished hours per week"),
    "field.legal_basis": Text("Lovgrundlag (kode)", "Rättslig grund (kod)", "Legal basis (code)"),
    "field.legal_context": Text("Sammenhæng (kode)", "Sammanhang (kod)", "Legal context (code)"),
    "field.not_a_number": Text("Skal være et tal.", "Måste vara ett tal.", "Must be a number."),
    "field.required": Text("Skal udfyldes.", "Måste fyllas i.", "Required."),
    "field.not_a_date": Text(
        "Skal være en dato (ÅÅÅÅ-MM-DD).", "Måste vara ett datum (ÅÅÅÅ-MM-DD).", "Must be a date (YYYY-MM-DD)."
    ),
    "send": Text("Send", "Skicka", "Send"),
    "referral.title": Text("Henvisning", "Remiss", "Referral"),
    "referral.intake_date": Text("Opstart", "Startdatum", "Intake date"),
    "referral.estimated_start": Text("Forventet start", "Beräknad start", "Estimated start"),
    "referral.position": Text("Plads på venteliste", "Plats på väntelistan", "Waiting list position"),
    "referral.course": Text("Forløbet", "Insatsen", "The course"),
    "referral.planned_end": Text("Planlagt slut", "Planerat slut", "Planned end"),
    "referral.end_date": Text("Sluttede", "Avslutades", "Ended"),
    "referral.outcome": Text("Udfald", "Utfall", "Outcome"),
    "referral.closing_note": Text("Afslutningsnotat", "Slutanteckning", "Closing note"),
    "referral.no_closing_note": Text(
        "Intet afslutningsnotat endnu.", "Ingen slutanteckning ännu.", "No closing note yet."
    ),
    "note.summary": Text("Sammenfatning", "Sammanfattning", "Summary"),
    "note.resources": Text("Ressourcer", "Resurser", "Resources"),
    "note.development_possibilities": Text(
        "Udviklingsmuligheder", "Utvecklingsmöjligheter", "Development possibilities"
    ),
    "note.next_step": Text("Næste skridt", "Nästa steg", "Next step"),
    "note.goal_attainment": Text("Målopfyldelse", "Måluppfyllelse", "Goal attainment"),
    "referral.statement": Text("Fremmødeopgørelse", "Närvarosammanställning", "Attendance statement"),
    "referral.no_statement": Text(
        "Ingen fremmøde registreret endnu.", "Ingen närvaro registrerad ännu.", "No attendance recorded yet."
    ),
    "statement.week": Text("Uge fra", "Vecka från", "Week from"),
    "statement.agreed_hours": Text("Aftalte timer", "Avtalade timmar", "Agreed hours"),
    "statement.attended_hours": Text("Fremmødte timer", "Närvarotimmar", "Attended hours"),
    "statement.rate": Text("Fremmøde", "Närvaro", "Attendance"),
    "statement.absent_hours": Text("Fraværstimer", "Frånvarotimmar", "Hours absent"),
    "statement.total": Text("I alt", "Totalt", "Total"),
    "not_applicable": Text("ikke relevant", "ej tillämpligt", "n/a"),
    **DPO_MESSAGES,
}
MESSAGES.update(RECORD_MESSAGES)

# The coordinator's and contact person's pages have their own module of words.
MESSAGES.update(COURSE_MESSAGES)
# The pages for programmes without a timetable (meetings, outreach, visits).
MESSAGES.update(SHAPE_MESSAGES)
# The figures page, the statement's chart and the specialist's home.
MESSAGES.update(FIGURES_MESSAGES)
MESSAGES.update(EMPLOYMENT_MESSAGES)
# The next step on the referral page: referring on and the handover.
MESSAGES.update(HANDOVER_MESSAGES)
# The participant's consent to text messages on the referral page.
MESSAGES.update(SMS_MESSAGES)


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, str]] = []
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip().lower()[:2]))
    for _, tag in sorted(ranked, key=lambda r: -r[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **values: Any) -> str:
        found = MESSAGES.get(key)
        text = found.in_language(lang) if found else key
        return text.format(**values) if values else text

    return t


# A moment on the provider's clock, where a page shows one: Swedish writes dates the ISO way
# (2026-12-02), as ``forlob_shared.texts.day_text`` does.
TIME_FORMATS = {"da": "%d.%m. %H:%M", "sv": "%Y-%m-%d %H:%M", "en": "%d.%m. %H:%M"}


def time_format(lang: str) -> str:
    return TIME_FORMATS.get(lang, TIME_FORMATS[DEFAULT])


def date_words(lang: str) -> Callable[[Any], str]:
    """A day (``date`` or ISO text) as the language writes it: 02.12.2026, or 2026-12-02 in Swedish."""

    def day(value: Any) -> str:
        if value is None or value == "":
            return ""
        return day_text(value.isoformat() if hasattr(value, "isoformat") else str(value), lang)

    return day


# The locale whose number format each language writes: Danish 1.234,5; Swedish 1 234,5; English 1,234.5.
NUMBER_LOCALES = {"da": "da_DK", "sv": "sv_SE", "en": "en_GB"}


def number_words(lang: str) -> Callable[..., str]:
    """A number as the language writes it (Babel's CLDR data): a decimal comma in Danish and
    Swedish, digits grouped by thousands.

    ``places`` fixes the decimals (hours in a statement); without it, at most two, trailing zeros
    left out.
    """
    locale = NUMBER_LOCALES.get(lang, NUMBER_LOCALES[DEFAULT])

    def write(value: Any, places: int | None = None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        pattern = "#,##0." + "0" * places if places else "#,##0" if places == 0 else "#,##0.##"
        return str(format_decimal(value, format=pattern, locale=locale, decimal_quantization=True))

    return write


def code_words(lang: str) -> Callable[[str, Any], str]:
    """``code("outcome", "education")`` in a template: the catalogue's words in this language."""

    def code(domain: str, value: Any) -> str:
        return "" if value is None else code_text(domain, str(value), lang)

    return code


def figure_words(lang: str, number: Callable[[Any], str]) -> tuple[Callable[[str], str], Callable[[str, Any], str]]:
    """A figure's name, and its value with its unit (a share as a percentage), in this language."""
    t = translator(lang)

    def name(key: str) -> str:
        found = figure(key)
        return found.name.in_language(lang) if found else key

    def value(key: str, raw: Any) -> str:
        if raw is None:
            return t("not_applicable")
        found = figure(key)
        unit = found.unit if found else "count"
        if unit == "share" and isinstance(raw, int | float):
            return f"{number(round(raw * 100, 1))} %"
        if unit == "text":
            return str(raw)
        words = unit_text(unit, lang)
        return f"{number(raw)} {words}" if words else number(raw)

    return name, value

"""A small message catalogue in Danish and English: the pages' own words.

The words for codes (outcomes, alert kinds, states, reasons, figures ...) are not here but in
``forlob_shared.texts``, the one catalogue the e-mails use too; templates reach them through
``code(domain, value)`` and ``figure_name(name)``.

The language comes from the ``lang`` cookie (the switch in the page header), else from the
browser's Accept-Language, else Danish.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forlob_shared.texts import code_text, figure, unit_text

LANGUAGES = ("da", "en")
DEFAULT = "da"

# key: (Danish, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("Forløb", "Forløb"),
    "skip": ("Spring til indhold", "Skip to content"),
    "nav": ("Hovedmenu", "Main menu"),
    "nav.inbox": ("Advarsler", "Alerts"),
    "nav.attendance": ("Dagens fremmøde", "Today's attendance"),
    "nav.intake": ("Visitation", "Intake board"),
    "nav.referrals": ("Mine henvisninger", "My referrals"),
    "nav.figures": ("Nøgletal", "Figures"),
    "language": ("Sprog", "Language"),
    "signed_in_as": ("Logget ind som {staff} ({org})", "Signed in as {staff} ({org})"),
    "sign_in": ("Log ind", "Sign in"),
    "sign_out": ("Log ud", "Sign out"),
    "sign_in.title": ("Log ind i Forløb", "Sign in to Forløb"),
    "sign_in.oidc": ("Log ind med din organisations login", "Sign in with your organisation's account"),
    "sign_in.local": (
        "Lokal log ind (kun til udvikling og demo): vælg en person.",
        "Local sign-in (development and demo only): pick a person.",
    ),
    "sign_in.person": ("Demo-person", "Demo person"),
    "sign_in.or_own": ("… eller angiv selv", "… or enter your own"),
    "sign_in.org": ("Organisation", "Organisation"),
    "sign_in.staff": ("Medarbejder-id", "Staff id"),
    "sign_in.roles": ("Roller (adskilt af komma)", "Roles (comma-separated)"),
    "sign_in.unavailable": (
        "Der er ikke sat nogen log ind op. Kontakt en administrator.",
        "No sign-in is configured. Ask an administrator.",
    ),
    "sign_in.failed": ("Log ind mislykkedes: {reason}", "Sign-in failed: {reason}"),
    "sign_in.needed": ("Log ind for at fortsætte.", "Please sign in to continue."),
    "sign_in.too_many": (
        "For mange forsøg på at logge ind herfra. Prøv igen om {seconds} sekunder.",
        "Too many sign-ins from here. Try again in {seconds} seconds.",
    ),
    "csrf": (
        "Formularen var forældet eller kom ikke fra denne side. Prøv igen.",
        "The form was out of date or did not come from this site. Please try again.",
    ),
    "not_found": ("Ikke fundet", "Not found"),
    "not_found.text": (
        "Det, du leder efter, findes ikke, eller din organisation har ikke adgang til det.",
        "What you are looking for does not exist, or your organisation has no access to it.",
    ),
    "forbidden": ("Ikke tilladt", "Not allowed"),
    "forbidden.text": ("Din rolle giver ikke adgang til dette.", "Your role does not give access to this."),
    "error": ("Noget gik galt", "Something went wrong"),
    "error.text": (
        "Der skete en fejl hos os. Den er logget; prøv igen om lidt.",
        "Something went wrong on our side. It has been logged; please try again shortly.",
    ),
    "error.api": ("{service} svarede: {words}", "{service} answered: {words}"),
    "down": (
        "{service} svarer ikke lige nu. Resten af siden virker; prøv igen om lidt.",
        "The {service} service does not answer right now. The rest of the page works; try again shortly.",
    ),
    "service.referral": ("Henvisningstjenesten", "referral"),
    "service.attendance": ("Fremmødetjenesten", "attendance"),
    "service.notifications": ("Besked-tjenesten", "notifications"),
    "service.reporting": ("Rapporteringstjenesten", "reporting"),
    "participant": ("Deltager", "Participant"),
    "programme": ("Forløb", "Programme"),
    "state": ("Status", "State"),
    "save": ("Gem", "Save"),
    "none": ("Ingen", "None"),
    # inbox
    "inbox.title": ("Åbne advarsler", "Open alerts"),
    "inbox.empty": ("Ingen åbne advarsler.", "No open alerts."),
    "inbox.live": ("Opdateres automatisk.", "Updates live."),
    "inbox.new": ("Ny advarsel", "New alert"),
    "inbox.escalated": ("Eskaleret", "Escalated"),
    "inbox.escalated_to": ("Eskaleret til {who}", "Escalated to {who}"),
    "inbox.raised": ("Oprettet", "Raised"),
    "inbox.occurred": ("Tidspunkt", "When"),
    "inbox.due": ("Eskaleres", "Escalates"),
    "inbox.note": ("Note (valgfri)", "Note (optional)"),
    "inbox.note_hint": ("fx ringet op, syg, kommer i morgen", "e.g. called, ill, back tomorrow"),
    "inbox.acknowledge": ("Kvittér", "Acknowledge"),
    "inbox.acknowledged": ("Advarslen er kvitteret.", "The alert is acknowledged."),
    "inbox.lost": ("Forbindelsen blev afbrudt; forsøger igen …", "The live connection was lost; retrying …"),
    "inbox.open_alert": ("Åbn advarslen", "Open the alert"),
    # one alert (the page e-mails link to)
    "alert.title": ("Advarsel", "Alert"),
    "alert.participant": ("Deltager", "Participant"),
    "alert.state": ("Status", "State"),
    "alert.raised": ("Oprettet", "Raised"),
    "alert.acknowledged_by": ("Kvitteret af {who}", "Acknowledged by {who}"),
    "alert.closed_because": ("Lukket: {why}", "Closed: {why}"),
    "alert.facts": ("Fakta", "Facts"),
    "alert.note": ("Note", "Note"),
    "alert.to_inbox": ("Til advarslerne", "To the alerts"),
    # attendance
    "attendance.title": ("Fremmøde {day}", "Attendance {day}"),
    "attendance.day": ("Dag", "Day"),
    "attendance.show": ("Vis", "Show"),
    "attendance.missing": ("Mangler nu", "Missing now"),
    "attendance.nobody_missing": ("Ingen mangler.", "Nobody is missing."),
    "attendance.expected": ("Forventede deltagere", "Expected participants"),
    "attendance.none": ("Ingen forventet denne dag.", "Nobody expected this day."),
    "attendance.agreed": ("Aftalt tid", "Agreed time"),
    "attendance.in": ("Kom", "In"),
    "attendance.out": ("Gik", "Out"),
    "attendance.check_in": ("Tjek ind", "Check in"),
    "attendance.check_out": ("Tjek ud", "Check out"),
    "attendance.absence": ("Meld fravær", "Report absence"),
    "attendance.reason": ("Årsag", "Reason"),
    "attendance.checked_in": ("Tjekket ind.", "Checked in."),
    "attendance.checked_out": ("Tjekket ud.", "Checked out."),
    "attendance.absence_reported": ("Fravær er meldt.", "Absence reported."),
    "attendance.late": ("{minutes} min. forsinket", "{minutes} min late"),
    # intake
    "intake.title": ("Visitation", "Intake board"),
    "intake.new": ("Nye henvisninger", "New referrals"),
    "intake.no_new": ("Ingen nye henvisninger.", "No new referrals."),
    "intake.received": ("Modtaget", "Received"),
    "intake.from": ("Fra", "From"),
    "intake.wished_start": ("Ønsket start", "Wished start"),
    "intake.accept": ("Optag (venteliste hvis fuldt)", "Accept (waiting list when full)"),
    "intake.reject": ("Afvis", "Reject"),
    "intake.reject_reason": ("Årsag til afvisning", "Reason for rejecting"),
    "intake.accepted": ("Optaget med opstart {date}.", "Accepted, intake on {date}."),
    "intake.waitlisted": (
        "Sat på venteliste som nr. {position}, forventet start {date}.",
        "On the waiting list at position {position}, estimated start {date}.",
    ),
    "intake.rejected": ("Henvisningen er afvist.", "The referral is rejected."),
    "intake.seats": ("Pladser og venteliste", "Seats and waiting list"),
    "intake.capacity": ("Pladser", "Seats"),
    "intake.held": ("Optaget", "Taken"),
    "intake.free": ("Ledige nu", "Free now"),
    "intake.waiting": ("På venteliste", "Waiting"),
    "intake.position": ("Nr.", "No."),
    "intake.waiting_days": ("Ventet (dage)", "Waited (days)"),
    "intake.estimated_start": ("Forventet start", "Estimated start"),
    "intake.dates": ("Næste opstartsdatoer", "Next intake dates"),
    "intake.dates_caption": (
        "Ledige pladser til et helt forløb på {weeks} uger fra opstartsdatoen.",
        "Seats free for a whole course of {weeks} weeks from the intake date.",
    ),
    "intake.date": ("Opstart", "Intake date"),
    "intake.free_seats": ("Ledige pladser", "Free seats"),
    "intake.no_programmes": ("Ingen forløb i kataloget.", "No programmes in the catalogue."),
    # referrals
    "referrals.title": ("Mine henvisninger", "My referrals"),
    "referrals.none": ("Du har ingen henvisninger endnu.", "You have no referrals yet."),
    "referrals.new": ("Ny henvisning", "New referral"),
    "referrals.open": ("Åbn", "Open"),
    "referrals.created": ("Henvisningen er sendt.", "The referral is sent."),
    "referrals.fix": ("Ret de markerede felter.", "Please correct the marked fields."),
    "field.provider_org": ("Udbyder (organisation)", "Provider (organisation)"),
    "field.programme_code": ("Forløbskode", "Programme code"),
    "field.participant.name": ("Deltagerens navn", "Participant's name"),
    "field.participant.identity_number": ("CPR-/personnummer", "CPR / personal identity number"),
    "field.participant.identity_scheme": ("Nummertype", "Number type"),
    "field.goals": (
        "Mål (ét pr. linje; delmål på linjer der starter med »-«)",
        "Goals (one per line; sub-goals on lines starting with '-')",
    ),
    "field.wished_start": ("Ønsket start", "Wished start"),
    "field.wished_weekly_hours": ("Ønskede timer pr. uge", "Wished hours per week"),
    "field.legal_basis": ("Lovgrundlag (kode)", "Legal basis (code)"),
    "field.legal_context": ("Sammenhæng (kode)", "Legal context (code)"),
    "field.not_a_number": ("Skal være et tal.", "Must be a number."),
    "field.required": ("Skal udfyldes.", "Required."),
    "field.not_a_date": ("Skal være en dato (ÅÅÅÅ-MM-DD).", "Must be a date (YYYY-MM-DD)."),
    "send": ("Send", "Send"),
    "referral.title": ("Henvisning", "Referral"),
    "referral.intake_date": ("Opstart", "Intake date"),
    "referral.estimated_start": ("Forventet start", "Estimated start"),
    "referral.position": ("Plads på venteliste", "Waiting list position"),
    "referral.course": ("Forløbet", "The course"),
    "referral.planned_end": ("Planlagt slut", "Planned end"),
    "referral.end_date": ("Sluttede", "Ended"),
    "referral.outcome": ("Udfald", "Outcome"),
    "referral.closing_note": ("Afslutningsnotat", "Closing note"),
    "referral.no_closing_note": ("Intet afslutningsnotat endnu.", "No closing note yet."),
    "note.summary": ("Sammenfatning", "Summary"),
    "note.resources": ("Ressourcer", "Resources"),
    "note.development_possibilities": ("Udviklingsmuligheder", "Development possibilities"),
    "note.next_step": ("Næste skridt", "Next step"),
    "note.goal_attainment": ("Målopfyldelse", "Goal attainment"),
    "referral.statement": ("Fremmødeopgørelse", "Attendance statement"),
    "referral.no_statement": ("Ingen fremmøde registreret endnu.", "No attendance recorded yet."),
    "statement.week": ("Uge fra", "Week from"),
    "statement.agreed_hours": ("Aftalte timer", "Agreed hours"),
    "statement.attended_hours": ("Fremmødte timer", "Attended hours"),
    "statement.rate": ("Fremmøde", "Attendance"),
    "statement.absent_hours": ("Fraværstimer", "Hours absent"),
    "statement.total": ("I alt", "Total"),
    "not_applicable": ("ikke relevant", "n/a"),
    # figures
    "figures.title": ("Nøgletal", "Figures"),
    "figures.from": ("Fra", "From"),
    "figures.to": ("Til", "To"),
    "figures.show": ("Vis", "Show"),
    "figures.csv": ("Hent som CSV", "Download as CSV"),
    "figures.none": ("Ingen tal for perioden.", "No figures for the period."),
    "figures.charts": ("Grafer", "Charts"),
    "chart.waiting-list": ("Venteliste pr. uge", "Waiting list per week"),
    "chart.occupancy": ("Belægning pr. dag", "Occupancy per day"),
    "chart.attendance": ("Fremmøde pr. uge", "Attendance per week"),
    "chart.outcomes": ("Udfald", "Outcomes"),
}


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
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str, **values: Any) -> str:
        pair = MESSAGES.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


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

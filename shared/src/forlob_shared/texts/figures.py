"""The names and units of reporting's figures."""

from __future__ import annotations

from typing import Literal, NamedTuple

from forlob_shared.texts.codes import CODES, MissingText
from forlob_shared.texts.language import DEFAULT_LANGUAGE, Text

Unit = Literal["count", "days", "hours", "minutes", "seats", "share", "text", "weeks", "date", "yes_no"]

UNITS: dict[str, Text] = {
    "days": Text("dage", "dagar", "days"),
    "hours": Text("timer", "timmar", "hours"),
    "minutes": Text("minutter", "minuter", "minutes"),
    "seats": Text("pladser", "platser", "seats"),
    "weeks": Text("uger", "veckor", "weeks"),
    "share": Text("%", "%", "%"),
}


class Figure(NamedTuple):
    name: Text
    unit: Unit = "count"


def _dist(what: Text, unit: Unit) -> dict[str, Figure]:
    """count, median and p90 of a distribution (forlob_reporting's ``_distribution``)."""
    return {
        "count": Figure(Text(f"{what.da}: antal", f"{what.sv}: antal", f"{what.en}: count")),
        "median": Figure(Text(f"{what.da}: median", f"{what.sv}: median", f"{what.en}: median"), unit),
        "p90": Figure(
            Text(f"{what.da}: 90 %-fraktil", f"{what.sv}: 90:e percentilen", f"{what.en}: 90th percentile"), unit
        ),
    }


def _prefixed(prefix: str, figures: dict[str, Figure]) -> dict[str, Figure]:
    return {f"{prefix}.{key}": figure for key, figure in figures.items()}


# Every figure of forlob_reporting's GET /figures rows, by its dotted name (as in the CSV header).
FIGURES: dict[str, Figure] = {
    "provider_org": Figure(Text("Udbyder", "Anordnare", "Provider"), "text"),
    "programme_code": Figure(Text("Forløb", "Insats", "Programme"), "text"),
    "referring_org": Figure(
        Text("Henvisende organisation", "Remitterande organisation", "Referring organisation"), "text"
    ),
    "referrals_received": Figure(Text("Henvisninger modtaget", "Mottagna remisser", "Referrals received")),
    **_prefixed(
        "waiting_days", _dist(Text("Ventetid til start", "Väntetid till start", "Waiting time to start"), "days")
    ),
    "waiting_list.length_before": Figure(
        Text("Venteliste før perioden", "Väntelista före perioden", "Waiting list before the period")
    ),
    "waiting_list.length_at_end": Figure(
        Text("Venteliste ved periodens slut", "Väntelista vid periodens slut", "Waiting list at the end")
    ),
    "waiting_list.inflow": Figure(Text("Tilgang til ventelisten", "Tillflöde till väntelistan", "Waiting list inflow")),
    "waiting_list.outflow": Figure(Text("Afgang fra ventelisten", "Utflöde från väntelistan", "Waiting list outflow")),
    "waiting_list.mean_weekly_inflow": Figure(
        Text("Tilgang pr. uge (gennemsnit)", "Tillflöde per vecka (medel)", "Mean weekly inflow")
    ),
    "waiting_list.mean_weekly_outflow": Figure(
        Text("Afgang pr. uge (gennemsnit)", "Utflöde per vecka (medel)", "Mean weekly outflow")
    ),
    "occupancy.capacity": Figure(Text("Pladser", "Platser", "Capacity"), "seats"),
    "occupancy.mean_seats_used": Figure(
        Text("Belagte pladser (gennemsnit)", "Belagda platser (medel)", "Mean seats used"), "seats"
    ),
    "occupancy.peak_seats_used": Figure(
        Text("Belagte pladser (højst)", "Belagda platser (högst)", "Peak seats used"), "seats"
    ),
    "occupancy.mean_occupancy": Figure(Text("Belægning (gennemsnit)", "Beläggning (medel)", "Mean occupancy"), "share"),
    "attendance.participant_weeks": Figure(Text("Deltageruger", "Deltagarveckor", "Participant weeks"), "weeks"),
    "attendance.agreed_hours": Figure(Text("Aftalte timer", "Avtalade timmar", "Agreed hours"), "hours"),
    "attendance.attended_hours": Figure(Text("Fremmødte timer", "Närvarotimmar", "Attended hours"), "hours"),
    "attendance.at_provider_hours": Figure(
        Text("Heraf timer hos udbyderen", "Varav timmar hos anordnaren", "Of which hours at the provider"), "hours"
    ),
    "attendance.at_internship_hours": Figure(
        Text("Heraf timer i virksomhedspraktik", "Varav timmar på praktik", "Of which hours at a company internship"),
        "hours",
    ),
    "attendance.attendance_rate": Figure(Text("Fremmøde", "Närvaro", "Attendance rate"), "share"),
    "attendance.mean_weekly_hours": Figure(
        Text("Timer pr. deltager og uge", "Timmar per deltagare och vecka", "Hours per participant and week"), "hours"
    ),
    "attendance.unexcused_absences": Figure(
        Text("Uforklarede fravær", "Oförklarade frånvarotillfällen", "Unexcused absences")
    ),
    "hours_progression.participants": Figure(
        Text("Deltagere med timeudvikling", "Deltagare med timutveckling", "Participants with hours progression")
    ),
    "hours_progression.mean_first_four_weeks_hours": Figure(
        Text(
            "Timer pr. uge, første fire uger",
            "Timmar per vecka, första fyra veckorna",
            "Weekly hours, first four weeks",
        ),
        "hours",
    ),
    "hours_progression.mean_last_four_weeks_hours": Figure(
        Text(
            "Timer pr. uge, sidste fire uger", "Timmar per vecka, sista fyra veckorna", "Weekly hours, last four weeks"
        ),
        "hours",
    ),
    "hours_progression.share_increased": Figure(
        Text("Andel med flere timer", "Andel med fler timmar", "Share with more hours"), "share"
    ),
    "outcomes.ended": Figure(Text("Afsluttede forløb", "Avslutade insatser", "Courses ended")),
    "outcomes.share_ordinary_work": Figure(
        Text("Andel i ordinær beskæftigelse", "Andel i reguljärt arbete", "Share in ordinary work"), "share"
    ),
    "outcomes.share_education": Figure(Text("Andel i uddannelse", "Andel i utbildning", "Share in education"), "share"),
    "outcomes.share_work_or_education": Figure(
        Text("Andel i job eller uddannelse", "Andel i arbete eller utbildning", "Share in work or education"), "share"
    ),
    "outcomes.share_other": Figure(Text("Andel med andet udfald", "Andel med annat utfall", "Share other"), "share"),
    **_prefixed(
        "outcomes.days_to_first_job",
        _dist(Text("Dage til første job", "Dagar till första arbete", "Days to first job"), "days"),
    ),
    "breaches.count": Figure(Text("Aftalebrud", "Avtalsbrott", "Breaches of agreement")),
    "breaches.participants": Figure(
        Text("Deltagere med aftalebrud", "Deltagare med avtalsbrott", "Participants with a breach")
    ),
    "alerts.raised": Figure(Text("Advarsler oprettet", "Varningar skapade", "Alerts raised")),
    "alerts.acknowledged": Figure(Text("Advarsler kvitteret", "Varningar kvitterade", "Alerts acknowledged")),
    "alerts.escalated": Figure(Text("Advarsler eskaleret", "Varningar eskalerade", "Alerts escalated")),
    **_prefixed(
        "alerts.response_minutes",
        _dist(Text("Svartid på advarsler", "Svarstid på varningar", "Alert response time"), "minutes"),
    ),
    "alerts.with_deadline": Figure(Text("Advarsler med frist", "Varningar med tidsfrist", "Alerts with a deadline")),
    "alerts.share_acknowledged_in_time": Figure(
        Text("Andel kvitteret i tide", "Andel kvitterade i tid", "Share acknowledged in time"), "share"
    ),
    # Meetings-shaped courses (IPS, clarification, conversation courses).
    "meetings.planned": Figure(Text("Møder planlagt", "Planerade möten", "Meetings planned")),
    "meetings.held": Figure(Text("Møder holdt", "Genomförda möten", "Meetings held")),
    "meetings.cancelled_by_participant": Figure(
        Text("Møder aflyst af deltageren", "Möten inställda av deltagaren", "Meetings cancelled by the participant")
    ),
    "meetings.cancelled_by_provider": Figure(
        Text("Møder aflyst af udbyderen", "Möten inställda av anordnaren", "Meetings cancelled by the provider")
    ),
    "meetings.missed": Figure(Text("Møder udeblevet", "Uteblivna möten", "Meetings missed")),
    "meetings.share_held": Figure(
        Text("Andel møder holdt", "Andel genomförda möten", "Share of meetings held"), "share"
    ),
    "meetings.cadence_reminders": Figure(
        Text(
            "Påmindelser: intet møde planlagt i tide",
            "Påminnelser: inget möte planerat i tid",
            "Reminders: no meeting planned in time",
        )
    ),
    **_prefixed(
        "meetings.days_start_to_first_meeting",
        _dist(
            Text(
                "Dage fra start til første møde",
                "Dagar från start till första mötet",
                "Days from start to first meeting",
            ),
            "days",
        ),
    ),
    # Outreach work.
    "outreach.cases_opened": Figure(Text("Opsøgende sager oprettet", "Uppsökande ärenden öppnade", "Cases opened")),
    "outreach.contact_attempts": Figure(Text("Kontaktforsøg", "Kontaktförsök", "Contact attempts")),
    "outreach.contact_reminders": Figure(
        Text(
            "Påmindelser: kontaktforsøg over tid",
            "Påminnelser: kontaktförsök försenat",
            "Reminders: contact attempt overdue",
        )
    ),
    **_prefixed(
        "outreach.attempts_to_stable_contact",
        _dist(
            Text(
                "Kontaktforsøg til stabil kontakt",
                "Kontaktförsök till stabil kontakt",
                "Contact attempts until a stable contact",
            ),
            "count",
        ),
    ),
    **_prefixed(
        "outreach.days_in_contact_creation",
        _dist(Text("Dage i kontaktskabelse", "Dagar i kontaktskapande", "Days in contact creation"), "days"),
    ),
    **_prefixed(
        "outreach.days_in_relationship",
        _dist(Text("Dage i relationsarbejde", "Dagar i relationsarbete", "Days in relationship work"), "days"),
    ),
    **_prefixed(
        "outreach.days_in_bridging",
        _dist(Text("Dage i brobygning", "Dagar i brobyggande", "Days in bridging and handover"), "days"),
    ),
    "outreach.consents_recorded": Figure(Text("Samtykker registreret", "Registrerade samtycken", "Consents recorded")),
    "outreach.cases_identified": Figure(
        Text("Sager med identificeret borger", "Ärenden med identifierad person", "Cases identified")
    ),
    "outreach.cases_handed_over": Figure(Text("Sager overdraget", "Ärenden överlämnade", "Cases handed over")),
    "outreach.cases_closed": Figure(Text("Sager afsluttet", "Ärenden avslutade", "Cases closed")),
    # Safety on visits (GET /figures/visits: one row per organisation).
    "visits.started": Figure(Text("Besøg påbegyndt", "Påbörjade besök", "Visits started")),
    "visits.with_colleague": Figure(Text("Besøg med kollega", "Besök med kollega", "Visits with a colleague")),
    "visits.overdue": Figure(Text("Besøg over tid", "Besök över tiden", "Visits overdue")),
    "visits.share_overdue": Figure(
        Text("Andel besøg over tid", "Andel besök över tiden", "Share of visits overdue"), "share"
    ),
    "visits.not_ended": Figure(Text("Besøg ikke afsluttet", "Besök inte avslutade", "Visits not ended")),
}

# Figures whose last part is a code of another catalogue: "outcomes.by_outcome.education".
FIGURE_FAMILIES: dict[str, tuple[str, Text]] = {
    "attendance.absences_by_reason": ("absence_reason", Text("Fravær", "Frånvaro", "Absences")),
    "outcomes.by_outcome": ("outcome", Text("Afsluttet med", "Avslutad med", "Ended with")),
    "outreach.closed_by_reason": (
        "outreach_close_reason",
        Text("Sager afsluttet", "Ärenden avslutade", "Cases closed"),
    ),
}


def figure(name: str, *, strict: bool = False) -> Figure | None:
    """A figure's name and unit by its dotted name; the families' names are built from their code."""
    found = FIGURES.get(name)
    if found is not None:
        return found
    for prefix, (domain, lead) in FIGURE_FAMILIES.items():
        if name.startswith(prefix + "."):
            code = name[len(prefix) + 1 :]
            entry = CODES[domain].get(code)
            if entry is None:
                break
            return Figure(Text(*(f"{a}: {b}" for a, b in zip(lead, entry, strict=True))))
    if strict:
        raise MissingText(f"no text for the figure {name!r}")
    return None


def figure_name(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    found = figure(name)
    return found.name.in_language(lang) if found else name


def unit_text(unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    found = UNITS.get(unit)
    return found.in_language(lang) if found else ""

"""Words for the codes people read, in Danish, Swedish and English: one catalogue for the web's
pages and the notifications service's e-mails, so a code is never shown raw and never named two
ways.

Codes travel between the services and to partners as they are (``ordinary_employment``,
``partly_achieved``, ``closing_note_ready``); where a person reads one, it goes through
:func:`code_text`. Each service's tests check that every value of its enums has a text here in
every language (``tests/contract/test_texts.py``), so a new code without words fails a test
rather than reaching a page.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

LANGUAGES = ("da", "sv", "en")
DEFAULT_LANGUAGE = "da"
# The language of a provider's country: e-mails go out in it.
COUNTRY_LANGUAGE = {"DK": "da", "SE": "sv"}


class Text(NamedTuple):
    da: str
    sv: str
    en: str

    def in_language(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE))


def language_of_country(country: str | None) -> str:
    return COUNTRY_LANGUAGE.get((country or "").upper(), DEFAULT_LANGUAGE)


CODES: dict[str, dict[str, Text]] = {
    # forlob_shared.events.common.Outcome
    "outcome": {
        "ordinary_employment": Text("Ordinær beskæftigelse", "Reguljärt arbete", "Ordinary employment"),
        "education": Text("Uddannelse", "Utbildning", "Education"),
        "flex_job": Text("Fleksjob", "Anställning med lönebidrag", "Flex job"),
        "subsidised_job": Text("Job med løntilskud", "Subventionerad anställning", "Subsidised job"),
        "another_programme": Text("Et andet tilbud", "En annan insats", "Another programme"),
        "resource_course": Text("Ressourceforløb", "Resursförlopp", "Resource course"),
        "pension": Text("Pension", "Pension", "Pension"),
        "dropped_out": Text("Afbrudt", "Avbrutet", "Dropped out"),
        "moved": Text("Fraflyttet", "Flyttat", "Moved away"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_referral.domain.records.Attainment
    "attainment": {
        "achieved": Text("Opfyldt", "Uppnått", "Achieved"),
        "partly_achieved": Text("Delvist opfyldt", "Delvis uppnått", "Partly achieved"),
        "not_achieved": Text("Ikke opfyldt", "Inte uppnått", "Not achieved"),
    },
    # forlob_shared.events.common.AbsenceReason, and "unexplained" while no reason is known
    "absence_reason": {
        "illness": Text("Sygdom", "Sjukdom", "Illness"),
        "internship": Text("Praktik", "Praktik", "Internship"),
        "specialist_appointment": Text("Lægeaftale o.l.", "Läkarbesök o.d.", "Specialist appointment"),
        "holiday": Text("Ferie", "Semester", "Holiday"),
        "approved_leave": Text("Godkendt fri", "Beviljad ledighet", "Approved leave"),
        "other": Text("Andet", "Annat", "Other"),
        "unexplained": Text("Endnu ikke forklaret", "Ännu inte förklarad", "Not yet explained"),
    },
    # forlob_notifications.domain.alerts.AlertKind
    "alert_kind": {
        "absence": Text("Udeblivelse", "Utebliven närvaro", "Missed arrival"),
        "absence_notice": Text("Udeblivelse ikke forklaret", "Frånvaro inte förklarad", "Absence not explained"),
        "breach": Text("Aftalebrud", "Avtalsbrott", "Breach of agreement"),
        "closing_note_ready": Text(
            "Forløb afsluttet: afslutningsnotat klar",
            "Insatsen avslutad: slutanteckningen klar",
            "Course ended: closing note ready",
        ),
        "webhook_disabled": Text("Webhook slået fra", "Webhook avstängd", "Webhook disabled"),
    },
    # forlob_notifications.domain.alerts.AlertState
    "alert_state": {
        "open": Text("Åben", "Öppen", "Open"),
        "acknowledged": Text("Kvitteret", "Kvitterad", "Acknowledged"),
        "closed": Text("Lukket", "Stängd", "Closed"),
    },
    # why an alert closed by itself (attendance's resolutions, and the course's end)
    "close_reason": {
        "late_arrival": Text("Deltageren mødte senere", "Deltagaren kom senare", "The participant arrived late"),
        "reported": Text("Fraværet blev meldt", "Frånvaron anmäldes", "The absence was reported"),
        "course_ended": Text("Forløbet var slut", "Insatsen hade avslutats", "The course had ended"),
    },
    # forlob_shared.calendar: why a provider is closed (its own closures, and the customary ones)
    "closure_reason": {
        "summer_closure": Text("Sommerlukning", "Sommarstängt", "Summer closure"),
        "staff_day": Text("Personaledag", "Personaldag", "Staff day"),
        "other": Text("Lukket af anden grund", "Stängt av annat skäl", "Closed for another reason"),
        "christmas_eve": Text("Juleaftensdag", "Julafton", "Christmas Eve"),
        "new_years_eve": Text("Nytårsaftensdag", "Nyårsafton", "New Year's Eve"),
        "constitution_day_afternoon": Text(
            "Grundlovsdag fra kl. 12", "Grundlagsdagen (Danmark) från kl. 12", "Constitution Day from noon"
        ),
        "midsummer_eve": Text("Midsommeraften (Sverige)", "Midsommarafton", "Midsummer Eve"),
    },
    # forlob_attendance breach rules (AgreementBreached.rule)
    "breach_rule": {
        "unexcused_in_window": Text(
            "For mange uforklarede fravær i perioden",
            "För många oförklarade frånvarotillfällen under perioden",
            "Too many unexcused absences in the period",
        ),
        "consecutive_days": Text(
            "Uforklaret fravær flere dage i træk",
            "Oförklarad frånvaro flera dagar i rad",
            "Unexcused absence several days in a row",
        ),
    },
    # forlob_referral.domain.programme.ProgrammeKind
    "programme_kind": {
        "development_course": Text("Udviklingsforløb", "Utvecklingsinsats", "Development course"),
        "clarification": Text("Afklaringsforløb", "Kartläggning", "Clarification"),
        "conversation_course": Text("Samtaleforløb", "Samtalsinsats", "Conversation course"),
        "ips": Text("IPS (individuelt job med støtte)", "IPS (individanpassat stöd till arbete)", "IPS"),
        "outreach": Text("Opsøgende indsats", "Uppsökande insats", "Outreach"),
        "physiotherapy": Text("Fysioterapi", "Fysioterapi", "Physiotherapy"),
        "group_activation": Text("Gruppeaktivering", "Gruppaktivering", "Group activation"),
        "work_ability_assessment": Text("Arbejdsprøvning", "Arbetsförmågebedömning", "Work ability assessment"),
        "work_training": Text("Arbejdstræning", "Arbetsträning", "Work training"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # the legal bases the notification policies know by default (an unknown one is shown as given)
    "legal_basis": {
        "LAB-32-1-1": Text("LAB § 32, stk. 1, nr. 1", "LAB § 32, st. 1, nr. 1 (dansk lag)", "LAB s. 32(1)(1)"),
        "LAB-32-1-2": Text("LAB § 32, stk. 1, nr. 2", "LAB § 32, st. 1, nr. 2 (dansk lag)", "LAB s. 32(1)(2)"),
        "LAB-42": Text(
            "LAB § 42 (virksomhedspraktik)", "LAB § 42 (praktik på arbetsplats)", "LAB s. 42 (work placement)"
        ),
        "LAB-68a": Text("LAB § 68 a (ressourceforløb)", "LAB § 68 a (resursförlopp)", "LAB s. 68a (resource course)"),
        "LAB-68b": Text(
            "LAB § 68 b (jobafklaringsforløb)",
            "LAB § 68 b (arbetslivsinriktad utredning)",
            "LAB s. 68b (job clarification course)",
        ),
        "AKTL-68a": Text(
            "Aktivloven § 68 a (revalidering)", "Aktivloven § 68 a (rehabilitering)", "Active Social Policy Act s. 68a"
        ),
        "*": Text("Andet lovgrundlag", "Annan rättslig grund", "Other legal basis"),
    },
    # forlob_referral.domain.referral.RejectReason
    "reject_reason": {
        "not_target_group": Text("Ikke i målgruppen", "Inte i målgruppen", "Not in the target group"),
        "no_capacity_long_term": Text("Ingen plads på længere sigt", "Ingen plats på längre sikt", "No capacity"),
        "duplicate": Text("Dublet", "Dubblett", "Duplicate"),
        "other_offer_better": Text(
            "Et andet tilbud passer bedre", "En annan insats passar bättre", "Another fits better"
        ),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_referral.domain.referral.WithdrawReason
    "withdraw_reason": {
        "participant_declined": Text("Deltageren takkede nej", "Deltagaren tackade nej", "The participant declined"),
        "circumstances_changed": Text(
            "Forholdene har ændret sig", "Förhållandena har ändrats", "Circumstances changed"
        ),
        "other_offer": Text("Et andet tilbud", "En annan insats", "Another offer"),
        "moved": Text("Fraflyttet", "Flyttat", "Moved away"),
        "illness": Text("Sygdom", "Sjukdom", "Illness"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_referral.domain.referral.State
    "referral_state": {
        "received": Text("Modtaget", "Mottagen", "Received"),
        "accepted": Text("Optaget", "Antagen", "Accepted"),
        "waitlisted": Text("På venteliste", "På väntelista", "Waiting list"),
        "rejected": Text("Afvist", "Avvisad", "Rejected"),
        "withdrawn": Text("Trukket tilbage", "Återkallad", "Withdrawn"),
        "started": Text("I gang", "Pågår", "Started"),
        "ended": Text("Afsluttet", "Avslutad", "Ended"),
    },
    # an expected arrival's state in attendance (GET /days/{day})
    "slot_state": {
        "expected": Text("Forventet", "Förväntad", "Expected"),
        "present": Text("Til stede", "Närvarande", "Present"),
        "absent": Text("Udeblevet", "Frånvarande", "Absent"),
        "excused": Text("Meldt fravær", "Anmäld frånvaro", "Excused"),
        "internship": Text("I praktik", "På praktik", "Internship"),
    },
    # forlob_notifications.domain.directory.ROLES and the web's roles
    "role": {
        "contact_person": Text("Kontaktperson", "Kontaktperson", "Contact person"),
        "team_leader": Text("Teamleder", "Teamledare", "Team leader"),
        "coordinator": Text("Koordinator", "Samordnare", "Coordinator"),
        "caseworker": Text("Sagsbehandler", "Handläggare", "Caseworker"),
        "admin": Text("Administrator", "Administratör", "Administrator"),
        "specialist": Text("Specialist", "Specialist", "Specialist"),
        "workshop_lead": Text("Værkstedsleder", "Verkstadsledare", "Workshop lead"),
    },
    # forlob_referral.domain.records.Specialty
    "specialty": {
        "physiotherapist": Text("Fysioterapeut", "Fysioterapeut", "Physiotherapist"),
        "psychologist": Text("Psykolog", "Psykolog", "Psychologist"),
        "physician": Text("Læge", "Läkare", "Physician"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_referral.domain.participant.IdentityScheme
    "identity_scheme": {
        "dk_cpr": Text("CPR-nummer (DK)", "CPR-nummer (DK)", "CPR number (DK)"),
        "se_personnummer": Text("Personnummer (SE)", "Personnummer (SE)", "Personnummer (SE)"),
    },
    # the coded facts of an alert, as e-mails and the alert's page label them
    "fact": {
        "minutes_missed": Text("Minutters fravær", "Minuters frånvaro", "Minutes missed"),
        "agreed_minutes": Text("Aftalte minutter", "Avtalade minuter", "Agreed minutes"),
        "arrived_at": Text("Mødt", "Kom", "Arrived"),
        "reason_given_at": Text("Årsag oplyst", "Orsak angiven", "Reason given"),
        "contact_attempts": Text("Kontaktforsøg", "Kontaktförsök", "Contact attempts"),
        "reason": Text("Kodet årsag", "Kodad orsak", "Coded reason"),
        "rule": Text("Regel", "Regel", "Rule"),
        "unexcused_absences": Text("Uforklarede fravær", "Oförklarade frånvarotillfällen", "Unexcused absences"),
        "window": Text("Periode", "Period", "Period"),
        "outcome": Text("Udfald", "Utfall", "Outcome"),
        "legal_basis": Text("Lovgrundlag", "Rättslig grund", "Legal basis"),
        "subscription_id": Text("Webhook", "Webhook", "Webhook"),
        "retry_hours": Text("Forsøgt i timer", "Försökt i timmar", "Tried for hours"),
    },
}

# Which catalogue names a fact's value (facts not named here are numbers, dates or ids).
FACT_VALUE_CODES = {
    "reason": "absence_reason",
    "rule": "breach_rule",
    "outcome": "outcome",
    "legal_basis": "legal_basis",
}

# The facts of an alert a person reads, in this order (ids and internal details stay out).
FACTS_SHOWN = (
    "minutes_missed",
    "agreed_minutes",
    "arrived_at",
    "reason_given_at",
    "contact_attempts",
    "reason",
    "rule",
    "unexcused_absences",
    "window",
    "outcome",
    "legal_basis",
)


def fact_text(name: str, value: object, lang: str = DEFAULT_LANGUAGE, zone: ZoneInfo | None = None) -> str:
    """A fact's value as a person reads it: a code in words, a period ``first..last`` as dates,
    an instant (``..._at``) in the provider's local time (``zone``, else Copenhagen)."""
    domain = FACT_VALUE_CODES.get(name)
    if domain is not None and isinstance(value, str):
        return code_text(domain, value, lang)
    if name.endswith("_at") and isinstance(value, str):
        try:
            return instant_text(datetime.fromisoformat(value), lang, zone)
        except ValueError:
            return value
    if name == "window" and isinstance(value, str) and ".." in value:
        first, _, last = value.partition("..")
        return f"{day_text(first, lang)} - {day_text(last, lang)}"
    return "-" if value is None else str(value)


_AT = {"da": "%d.%m.%Y kl. %H:%M", "sv": "%Y-%m-%d kl. %H:%M", "en": "%d %b %Y at %H:%M"}


def instant_text(instant: datetime, lang: str = DEFAULT_LANGUAGE, zone: ZoneInfo | None = None) -> str:
    """A moment as each language writes it, on the provider's clock."""
    return instant.astimezone(zone or ZoneInfo("Europe/Copenhagen")).strftime(_AT.get(lang, _AT[DEFAULT_LANGUAGE]))


def day_text(iso: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as each language writes it: 23.11.2026 (Danish, English), 2026-11-23 (Swedish)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return day.isoformat() if lang == "sv" else day.strftime("%d.%m.%Y")


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
}

# Figures whose last part is a code of another catalogue: "outcomes.by_outcome.education".
FIGURE_FAMILIES: dict[str, tuple[str, Text]] = {
    "attendance.absences_by_reason": ("absence_reason", Text("Fravær", "Frånvaro", "Absences")),
    "outcomes.by_outcome": ("outcome", Text("Afsluttet med", "Avslutad med", "Ended with")),
}


class MissingText(LookupError):
    """A code with no words in the catalogue: a test finds it, a page shows the code instead."""


def code_text(domain: str, code: str, lang: str = DEFAULT_LANGUAGE, *, strict: bool = False) -> str:
    """The words for ``code`` of ``domain`` in ``lang``. An unknown code is returned as it is
    (a page must still render), unless ``strict`` (what the tests ask)."""
    found = CODES.get(domain, {}).get(code)
    if found is None:
        if strict:
            raise MissingText(f"no text for {domain} {code!r}")
        return code
    return found.in_language(lang)


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


# What a code looks like where a person should read words: snake_case, or a dotted key.
_RAW = re.compile(r"\b[a-z_][a-z0-9_]+(?:\.[a-z_][a-z0-9_]+)+\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Addresses are not codes: a link or an e-mail address is left out before looking.
_ADDRESSES = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+")


def every_code() -> set[str]:
    return {code for codes in CODES.values() for code in codes} | set(FIGURES)


def raw_codes(text: str, *, also: set[str] | None = None) -> list[str]:
    """Codes left raw in ``text`` a person reads (the visible text of a page, an e-mail): any
    snake_case word or dotted key, and any of ``also`` standing as a word of its own (links and
    e-mail addresses left out)."""
    text = _ADDRESSES.sub(" ", text)
    found = set(_RAW.findall(text))
    for code in also or set():
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.add(code)
    return sorted(found)

"""What the key figures count, in words a team leader reads beside the number.

The English is docs/reporting.md's own definition of the figure (its "What is counted" cell,
markdown left out): forlob_reporting's tests hold the two to the same words, so the page never
explains a figure differently from the reference. Danish and Swedish translate it.
"""

from __future__ import annotations

from forlob_shared.texts.language import DEFAULT_LANGUAGE, Text

DEFINITIONS: dict[str, Text] = {
    "waiting_days.median": Text(
        "over de forløb, der startede i perioden: dage fra den dag, henvisningen blev modtaget, til startdatoen",
        "över de insatser som startade under perioden: dagar från den dag remissen togs emot till startdatumet",
        "over the courses that started in the period: days from the day the referral was received to the start date",
    ),
    "occupancy.mean_occupancy": Text(
        "belagte pladser / pladser, pr. dag, i gennemsnit over perioden",
        "belagda platser / platser, per dag, i genomsnitt över perioden",
        "seats used / capacity, per day, averaged over the period",
    ),
    "attendance.attendance_rate": Text(
        "(fremmødte + praktikminutter) / aftalte minutter, over de deltageruger, hvis uge starter i perioden",
        "(närvaro- + praktikminuter) / avtalade minuter, över de deltagarveckor vars vecka börjar under perioden",
        "(attended + internship minutes) / agreed minutes, over the participant-weeks whose week starts in the period",
    ),
    "attendance.unexcused_absences": Text(
        "fravær registreret og ikke meldt med en grund (uforklaret), over de deltageruger, hvis uge starter i perioden",
        "frånvaro som registrerats och inte anmälts med ett skäl (oförklarad), över de deltagarveckor vars vecka "
        "börjar under perioden",
        "absences detected and not reported with a reason (unexcused), over the participant-weeks whose week starts "
        "in the period",
    ),
    "outcomes.share_work_or_education": Text(
        "af de forløb, der sluttede i perioden, andelen der sluttede i ordinær beskæftigelse eller uddannelse",
        "av de insatser som avslutades under perioden, andelen som avslutades i reguljärt arbete eller utbildning",
        "of the courses that ended in the period, the share that ended in ordinary employment or education",
    ),
    "alerts.share_acknowledged_in_time": Text(
        "af de advarsler oprettet i perioden, der havde en frist for kvittering, andelen kvitteret senest ved fristen",
        "av de varningar som skapades under perioden och hade en tidsfrist för kvittering, andelen kvitterade senast "
        "vid fristen",
        "of the alerts raised in the period that had a deadline to be acknowledged by, the share acknowledged at or "
        "before it",
    ),
    "meetings.share_held": Text(
        "af de møder, der var planlagt til en dag i perioden, andelen der blev holdt",
        "av de möten som var planerade till en dag under perioden, andelen som genomfördes",
        "of the meetings planned for a day in the period, the share held",
    ),
    "outreach.cases_opened": Text(
        "opsøgende sager oprettet på en dag i perioden",
        "uppsökande ärenden öppnade en dag under perioden",
        "outreach cases opened on a day in the period",
    ),
    "outreach.contact_attempts": Text(
        "kontaktforsøg gjort på en dag i perioden (uanset udfald)",
        "kontaktförsök gjorda en dag under perioden (oavsett utfall)",
        "contact attempts made on a day in the period (whatever their outcome)",
    ),
}


def definition(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    found = DEFINITIONS.get(name)
    return found.in_language(lang) if found else ""

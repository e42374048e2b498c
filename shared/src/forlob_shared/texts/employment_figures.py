"""The IPS fidelity items (reporting's GET /figures/ips-fidelity) and the clarification results
(GET /figures/clarification-results) a team leader reads on the figures page: each shown figure's
name and unit, and the definitions beside them. The English definition is docs/reporting.md's
"What is counted" cell (markdown left out): forlob_reporting's tests hold the two to the same
words. A family's name (``caseload.per_contact_person.<contact_person>``) is keyed by its prefix."""

from __future__ import annotations

from forlob_shared.texts.figures import Figure
from forlob_shared.texts.language import Text

IPS_FIGURES: dict[str, Figure] = {
    "caseload.per_contact_person": Figure(Text("Deltagere pr. konsulent", "Deltagare per konsulent", "Caseload")),
    "caseload.max": Figure(Text("Største caseload", "Största antal deltagare", "Largest caseload")),
    "caseload.threshold_max": Figure(Text("Skalaens grænse", "Skalans gräns", "The scale's limit")),
    "caseload.contact_persons_over_threshold": Figure(
        Text("Konsulenter over grænsen", "Konsulenter över gränsen", "Consultants over the limit")
    ),
    "rapid_job_search.share_within_threshold": Figure(
        Text(
            "Første arbejdsgiverkontakt inden for 30 dage",
            "Första arbetsgivarkontakt inom 30 dagar",
            "First employer contact within 30 days",
        ),
        "share",
    ),
    "rapid_job_search.courses": Figure(Text("Jobsøgninger begyndt", "Jobbsökningar påbörjade", "Job searches begun")),
    "rapid_job_search.decided": Figure(Text("Afgjorte", "Avgjorda", "Decided")),
    "employer_contacts.total": Figure(Text("Arbejdsgiverkontakter", "Arbetsgivarkontakter", "Employer contacts")),
    "employer_contacts.per_consultant.per_week": Figure(
        Text("Kontakter pr. uge", "Kontakter per vecka", "Contacts per week")
    ),
    "into_work_or_education.share": Figure(
        Text(
            "I job eller uddannelse under forløbet",
            "I arbete eller utbildning under insatsen",
            "Into work or education while in the programme",
        ),
        "share",
    ),
    "into_work_or_education.courses_ended": Figure(Text("Forløb afsluttet", "Insatser avslutade", "Courses ended")),
    "into_work_or_education.ever_employed": Figure(
        Text("Heraf i job eller uddannelse", "Varav i arbete eller utbildning", "Of those in work or education")
    ),
    "days_start_to_first_job.median": Figure(
        Text(
            "Dage fra start til første job: median",
            "Dagar från start till första arbete: median",
            "Days from start to first job: median",
        ),
        "days",
    ),
    "days_start_to_first_job.count": Figure(Text("Forløb", "Insatser", "Courses")),
    "time_unlimited_support.in_support": Figure(Text("I job med støtte", "I arbete med stöd", "In work with support")),
    "time_unlimited_support.days_in_support.median": Figure(
        Text("Dage med støtte: median", "Dagar med stöd: median", "Days in support: median"), "days"
    ),
    "jobs_ended.count": Figure(Text("Job afsluttet", "Arbeten avslutade", "Jobs ended")),
    "jobs_ended.search_resumed": Figure(
        Text("Jobsøgning begyndt igen", "Jobbsökning påbörjad igen", "Search started again")
    ),
}

IPS_DEFINITIONS: dict[str, Text] = {
    "caseload.per_contact_person.<contact_person>": Text(
        "igangværende forløb (startet senest periodens sidste dag, ikke afsluttet da; deltagere i job "
        "medregnet), hvis seneste "
        "kontaktperson er denne (uden kontaktperson for sig)",
        "pågående insatser (startade senast periodens sista dag, inte avslutade då; deltagare i arbete "
        "medräknade) vars senaste "
        "kontaktperson är denna (utan kontaktperson för sig)",
        "running courses (started on or before to, not ended by then; participants in work included) whose latest "
        "contact person is this one (unassigned if none)",
    ),
    "caseload.max": Text("den største af disse caseloads", "den största av dessa", "the largest of those caseloads"),
    "caseload.contact_persons_over_threshold": Text(
        "hvor mange kontaktpersoner der har mere end 20 igangværende forløb (flaget)",
        "hur många kontaktpersoner som har fler än 20 pågående insatser (flaggan)",
        "how many contact persons have more than 20 running courses (the flag)",
    ),
    "rapid_job_search.courses": Text(
        "forløb, hvis jobsøgning begyndte i perioden: den begynder ved det første afholdte møde (IPS: søgningen "
        "starter ved første møde); et forløb uden afholdt møde måles fra sin startdato",
        "insatser vars jobbsökning började under perioden: den börjar vid det första genomförda mötet (IPS: sökandet "
        "börjar vid första mötet); en insats utan genomfört möte mäts från sitt startdatum",
        "courses whose job search began in the period: it begins at the first meeting held (IPS: search starts at "
        "the first meeting); a course with no meeting held is measured from its start date",
    ),
    "rapid_job_search.decided": Text(
        "af forløbene dem, hvis svar kendes senest periodens sidste dag: en første arbejdsgiverkontakt inden "
        "for 30 dage, eller 30 "
        "dage gået uden (et forløb stadig i sine første 30 dage uden kontakt er udeladt)",
        "av insatserna de vars svar är känt senast periodens sista dag: en första arbetsgivarkontakt inom 30 "
        "dagar, eller 30 dagar "
        "gångna utan (en insats ännu i sina första 30 dagar utan kontakt utelämnas)",
        "of the courses, those whose answer is known by to: a first employer contact within 30 days, or 30 days "
        "over without one (a course still in its first 30 days without a contact is left out)",
    ),
    "rapid_job_search.share_within_threshold": Text(
        "af de afgjorte forløb andelen, hvis første arbejdsgiverkontakt kom inden for 30 dage (et forløb helt uden "
        "kontakt tæller som ikke inden for)",
        "av de avgjorda insatserna andelen vars första arbetsgivarkontakt kom inom 30 dagar (en insats helt utan "
        "kontakt räknas som inte inom)",
        "of the decided courses, the share whose first employer contact came within 30 days (a course with no "
        "contact at all counts as not within)",
    ),
    "employer_contacts.total": Text(
        "arbejdsgiverkontakter på en dag i perioden (alle slags: første kontakt, opfølgning, jobåbning fundet, "
        "ansøgning, jobsamtale)",
        "arbetsgivarkontakter en dag under perioden (alla slag: första kontakt, uppföljning, ledigt jobb hittat, "
        "ansökan, intervju)",
        "employer contacts on a day in the period (every kind: first contact, follow-up, job opening found, "
        "application, interview)",
    ),
    "employer_contacts.per_consultant.<consultant>.per_week": Text(
        "pr. konsulent, der tog kontakter: hvor mange, og det tal / periodens længde i uger (skalaen beder om hyppig "
        "arbejdsgiverkontakt, seks om ugen pr. jobkonsulent på sit højeste niveau)",
        "per konsulent som tog kontakter: hur många, och det antalet / periodens längd i veckor (skalan ber om täta "
        "arbetsgivarkontakter, sex i veckan per jobbkonsulent på sin högsta nivå)",
        "per consultant who made contacts: how many, and that number / weeks (the scale asks for frequent employer "
        "contact, six a week per specialist at its highest level)",
    ),
    "into_work_or_education.courses_ended": Text(
        "forløb, der sluttede på en dag i perioden",
        "insatser som avslutades en dag under perioden",
        "courses that ended on a day in the period",
    ),
    "into_work_or_education.ever_employed": Text(
        "af dem, de der nogensinde var i job eller uddannelse under forløbet: et job startet senest på forløbets "
        "slutdag (enhver slags: ordinært, fleksjob, støttet, uddannelse), eller en første dag i job angivet ved "
        "forløbets afslutning — sådan som IPS-teams opgør det, uanset udfaldskoden ved afslutningen",
        "av dem, de som någon gång var i arbete eller utbildning under insatsen: ett arbete påbörjat senast på "
        "insatsens slutdag (alla slag: reguljärt, flexjobb, subventionerat, utbildning), eller en första dag i "
        "arbete angiven vid insatsens slut — så som IPS-team redovisar det, oavsett utfallskoden vid slutet",
        "of those, the ones ever in work or education while in the programme: any spell started on or before the "
        "course's end (any kind: ordinary, flex job, subsidised, education), or a first day in work the course's "
        "end gave — the way IPS teams report it, whatever the outcome code at the end",
    ),
    "days_start_to_first_job.median": Text(
        "for forløb, hvis første dag i job eller uddannelse (det tidligste jobs start; uden job den første jobdato, "
        "forløbets afslutning angav) ligger i perioden: hvor mange, og dagene fra forløbets start til den",
        "för insatser vars första dag i arbete eller utbildning (det tidigaste arbetets start; utan arbeten det "
        "första arbetsdatum som insatsens slut angav) ligger i perioden: hur många, och dagarna från insatsens "
        "start till den",
        "for courses whose first day in work or education (the earliest spell's start; without spells, the first "
        "job date the course's end gave) is in the period: how many, and the days from the course's start to it",
    ),
    "time_unlimited_support.in_support": Text(
        "igangværende forløb (som for caseloads), hvis seneste fase på periodens sidste dag er i job med støtte",
        "pågående insatser (som för antalet deltagare) vars senaste fas på periodens sista dag är i arbete med stöd",
        "running courses (as for the caseloads) whose latest phase by to is employed with support",
    ),
    "time_unlimited_support.days_in_support.median": Text(
        "for dem: hvor mange, og dagene fra den dag støttefasen begyndte til periodens sidste dag (støtten "
        "varer så længe, "
        "der er brug for den: ingen grænse)",
        "för dem: hur många, och dagarna från den dag stödfasen började till periodens sista dag (stödet "
        "varar så länge "
        "som det behövs: ingen gräns)",
        "for those: how many, and the days from the day the support phase began (since) to to (support lasts as "
        "long as needed: no limit)",
    ),
    "jobs_ended.count": Text(
        "job eller uddannelser, hvis sidste dag ligger i perioden",
        "arbeten eller utbildningar vars sista dag ligger i perioden",
        "spells of work or education whose last day is in the period",
    ),
    "jobs_ended.search_resumed": Text(
        "skift fra i job med støtte tilbage til jobsøgning, der begyndte på en dag i perioden: et job sluttede, og "
        "søgningen begynder igen",
        "byten från i arbete med stöd tillbaka till jobbsökning som började en dag under perioden: ett arbete "
        "upphörde och sökandet börjar igen",
        "moves from employed with support back to search that began on a day in the period: a job ended and the "
        "search starts again",
    ),
}

CLARIFICATION_FIGURES: dict[str, Figure] = {
    "results": Figure(Text("Afklaringsresultater", "Utredningsresultat", "Clarification results")),
    "meetings_held.median": Figure(
        Text("Afholdte møder bag: median", "Genomförda möten bakom: median", "Meetings held behind: median")
    ),
    "with_work_trial": Figure(Text("Med arbejdsprøvning", "Med arbetsprövning", "With a work trial")),
    "with_specialist_assessment": Figure(
        Text("Med specialistvurdering", "Med specialistbedömning", "With a specialist assessment")
    ),
}

CLARIFICATION_DEFINITIONS: dict[str, Text] = {
    "results": Text(
        "resultater givet på en dag i perioden",
        "resultat givna en dag under perioden",
        "results given on a day in the period",
    ),
    "meetings_held.median": Text(
        "for dem: hvor mange, og de afholdte møder, som resultatet nævner som sit grundlag",
        "för dem: hur många, och de genomförda möten som resultatet anger som sitt underlag",
        "for those: how many, and the meetings held that the result names as its evidence",
    ),
    "with_work_trial": Text(
        "af dem, resultaterne med mindst én arbejdsprøvning bag sig",
        "av dem, resultaten med minst en arbetsprövning bakom sig",
        "of those, the results with at least one work trial behind them",
    ),
    "with_specialist_assessment": Text(
        "af dem, resultaterne med mindst én vedlagt specialistvurdering",
        "av dem, resultaten med minst en bifogad specialistbedömning",
        "of those, the results with at least one specialist assessment attached",
    ),
}

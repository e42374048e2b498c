"""The words of the pages for work and the way into it (the IPS consultant's caseload, the employer
register, one participant's work, the clarification result), in Danish, Swedish and English. Part
of the pages' catalogue (forlob_web.i18n.MESSAGES). The codes' own words (phases, contact kinds,
spell kinds, reasons, recommendations, areas) are the shared catalogue's
(forlob_shared.texts.employment_codes)."""

from __future__ import annotations

from forlob_shared.texts import Text

EMPLOYMENT_MESSAGES: dict[str, Text] = {
    "nav.caseload": Text("Jobstøtte", "Jobbstöd", "Job support"),
    "nav.employers": Text("Arbejdsgivere", "Arbetsgivare", "Employers"),
    # the caseload
    "caseload.title": Text("Deltagere i jobstøtte", "Deltagare i jobbstöd", "Participants in job support"),
    "caseload.hint": Text(
        "Deltagerne i dine mødeforløb: fase, seneste arbejdsgiverkontakt og job.",
        "Deltagarna i dina mötesinsatser: fas, senaste arbetsgivarkontakt och arbete.",
        "The participants of your meetings courses: phase, latest employer contact and job.",
    ),
    "caseload.none": Text("Ingen deltagere i mødeforløb.", "Inga deltagare i mötesinsatser.", "No participants."),
    "caseload.participant": Text("Deltager", "Deltagare", "Participant"),
    "caseload.consultant": Text("Konsulent", "Konsulent", "Consultant"),
    "caseload.latest_contact": Text(
        "Seneste arbejdsgiverkontakt", "Senaste arbetsgivarkontakt", "Latest employer contact"
    ),
    "caseload.no_contact": Text("Ingen endnu", "Ingen ännu", "None yet"),
    "caseload.job": Text("Job eller uddannelse", "Arbete eller utbildning", "Job or education"),
    "caseload.no_job": Text("Intet", "Inget", "None"),
    "caseload.record_contact": Text(
        "Registrér arbejdsgiverkontakt", "Registrera arbetsgivarkontakt", "Record an employer contact"
    ),
    "caseload.record_job": Text("Registrér job", "Registrera arbete", "Record a job"),
    # the employer register
    "employers.title": Text("Arbejdsgivere", "Arbetsgivare", "Employers"),
    "employers.none": Text(
        "Ingen arbejdsgivere registreret endnu.", "Inga arbetsgivare registrerade ännu.", "No employers yet."
    ),
    "employers.register": Text(
        "Registrér en ny arbejdsgiver", "Registrera en ny arbetsgivare", "Register a new employer"
    ),
    "employers.save": Text("Registrér arbejdsgiveren", "Registrera arbetsgivaren", "Register the employer"),
    "employers.registered": Text(
        "Arbejdsgiveren er registreret.", "Arbetsgivaren är registrerad.", "The employer is registered."
    ),
    "employers.country": Text("Land", "Land", "Country"),
    "employers.country_DK": Text("Danmark (CVR-nummer)", "Danmark (CVR-nummer)", "Denmark (CVR number)"),
    "employers.country_SE": Text(
        "Sverige (organisationsnummer)", "Sverige (organisationsnummer)", "Sweden (organisation number)"
    ),
    "employers.number": Text(
        "CVR- eller organisationsnummer", "CVR- eller organisationsnummer", "CVR or organisation number"
    ),
    "employers.name": Text("Navn", "Namn", "Name"),
    "employers.sector": Text("Sektor", "Sektor", "Sector"),
    "employers.industry_code": Text(
        "Branchekode (DB07 / SNI 2007)", "Branschkod (SNI 2007 / DB07)", "Industry code (DB07 / SNI 2007)"
    ),
    "employers.contact_name": Text("Kontaktperson", "Kontaktperson", "Contact person"),
    "employers.contact_email": Text("Kontaktens e-mail", "Kontaktens e-post", "Contact's e-mail"),
    "employers.contact_phone": Text("Kontaktens telefon", "Kontaktens telefon", "Contact's phone"),
    "employers.contacts": Text(
        "Kontakter med arbejdsgiveren", "Kontakter med arbetsgivaren", "Contacts with the employer"
    ),
    "employers.no_contacts": Text("Ingen kontakter endnu.", "Inga kontakter ännu.", "No contacts yet."),
    "employers.general": Text("Generel jobudvikling", "Allmän jobbutveckling", "General job development"),
    "employers.for_participant": Text("For en deltager", "För en deltagare", "For a participant"),
    "employers.by_id": Text("Arbejdsgiver #{id}", "Arbetsgivare #{id}", "Employer #{id}"),
    "employers.number_needed": Text(
        "Angiv et CVR-nummer (8 cifre) eller et organisationsnummer (10 cifre), eller registrér uden nummer.",
        "Ange ett CVR-nummer (8 siffror) eller ett organisationsnummer (10 siffror), eller registrera utan nummer.",
        "Give a CVR number (8 digits) or an organisation number (10 digits), or register without a number.",
    ),
    "employers.without_number": Text(
        "Uden nummer (svensk enskild firma: nummeret er ejerens personnummer og gemmes ikke)",
        "Utan nummer (enskild firma: numret är ägarens personnummer och sparas inte)",
        "Without a number (Swedish sole trader: its number is the owner's personnummer and is not kept)",
    ),
    "employers.personal_number": Text(
        "Nummeret er et personnummer: en enskild firmas nummer er ejerens eget. Registrér firmaet uden nummer.",
        "Numret är ett personnummer: en enskild firmas nummer är ägarens eget. Registrera firman utan nummer.",
        "The number is a personnummer: a sole trader's number is the owner's own. Register the firm without a number.",
    ),
    "employers.no_number": Text("uden nummer", "utan nummer", "no number"),
    # one participant's work
    "employment.title": Text("Job og jobsøgning", "Arbete och jobbsökning", "Work and job search"),
    "employment.phase": Text("Fase", "Fas", "Phase"),
    "employment.since": Text("siden {day}", "sedan {day}", "since {day}"),
    "employment.spells": Text("Job og uddannelse", "Arbete och utbildning", "Jobs and education"),
    "employment.no_spells": Text(
        "Intet job eller uddannelse endnu.", "Inget arbete eller utbildning ännu.", "No job or education yet."
    ),
    "employment.ongoing": Text("i gang", "pågår", "ongoing"),
    "employment.hours": Text("{hours} timer/uge", "{hours} tim/vecka", "{hours} hours/week"),
    "employment.contact_title": Text(
        "Registrér en arbejdsgiverkontakt", "Registrera en arbetsgivarkontakt", "Record an employer contact"
    ),
    "employment.employer": Text("Arbejdsgiver", "Arbetsgivare", "Employer"),
    "employment.no_employer": Text("(ingen: uddannelse)", "(ingen: utbildning)", "(none: education)"),
    "employment.day": Text("Dato", "Datum", "Date"),
    "employment.kind": Text("Slags", "Slag", "Kind"),
    "employment.consented": Text(
        # Not "arbejdsgiver": the employer field's label is "Arbejdsgiver", and a label names one field.
        "Deltageren har sagt ja til kontakten (kræves på deltagerens egen arbejdsplads)",
        "Deltagaren har sagt ja till kontakten (krävs på deltagarens egen arbetsplats)",
        "The participant agreed to this contact (needed at their own workplace)",
    ),
    "employment.contact_saved": Text(
        "Arbejdsgiverkontakten er registreret.",
        "Arbetsgivarkontakten är registrerad.",
        "The employer contact is recorded.",
    ),
    "employment.contacts": Text("Arbejdsgiverkontakter", "Arbetsgivarkontakter", "Employer contacts"),
    "employment.job_title": Text(
        "Registrér et job eller en uddannelse", "Registrera ett arbete eller en utbildning", "Record a job or education"
    ),
    "employment.start_date": Text("Første dag", "Första dag", "First day"),
    "employment.weekly_hours": Text("Timer pr. uge", "Timmar per vecka", "Hours per week"),
    "employment.disclosure": Text(
        "Har deltageren valgt at fortælle arbejdsgiveren om sin situation?",
        "Har deltagaren valt att berätta om sin situation för arbetsgivaren?",
        "Did the participant choose to tell the employer about their situation?",
    ),
    "employment.disclosure_hint": Text(
        "Kun deltagerens valg registreres, aldrig hvad der blev fortalt.",
        "Bara deltagarens val registreras, aldrig vad som berättades.",
        "Only the participant's choice is recorded, never what was told.",
    ),
    "employment.job_saved": Text("Jobbet er registreret.", "Arbetet är registrerat.", "The job is recorded."),
    "employment.end_title": Text("Afslut", "Avsluta", "End it"),
    "employment.end_date": Text("Sidste dag", "Sista dag", "Last day"),
    "employment.reason": Text("Årsag", "Orsak", "Reason"),
    "employment.end": Text("Gem: afsluttet", "Spara: avslutat", "Save: ended"),
    "employment.job_ended": Text("Jobbet er afsluttet.", "Arbetet är avslutat.", "The job has ended."),
    "employment.new_employer": Text(
        "Ny arbejdsgiver? Registrér den her", "Ny arbetsgivare? Registrera den här", "A new employer? Register it here"
    ),
    "employment.link": Text("Job og jobsøgning", "Arbete och jobbsökning", "Work and job search"),
    "employment.hours_range": Text(
        "Skal være et antal timer over 0 og højst 60.",
        "Måste vara ett antal timmar över 0 och högst 60.",
        "Must be hours above 0 and at most 60.",
    ),
    "employment.employer_needed": Text(
        "Vælg arbejdsgiveren (kun en uddannelse kan være uden).",
        "Välj arbetsgivaren (bara en utbildning kan vara utan).",
        "Choose the employer (only education may go without).",
    ),
    # the clarification result
    "result.title": Text("Afklaringens resultat", "Utredningens resultat", "The clarification result"),
    "result.hint": Text(
        "En anbefaling til jobcentret, som træffer afgørelsen.",
        "En rekommendation till Arbetsförmedlingen, som fattar beslutet.",
        "A recommendation to the jobcentre, which keeps the decision.",
    ),
    "result.recommendation": Text("Anbefaling", "Rekommendation", "Recommendation"),
    "result.resources": Text("Ressourcer", "Resurser", "Resources"),
    "result.challenges": Text("Udfordringer", "Utmaningar", "Challenges"),
    "result.evidence": Text("Grundlag", "Underlag", "Evidence"),
    "result.meetings_held": Text("Afholdte møder", "Genomförda möten", "Meetings held"),
    "result.work_trials": Text("Arbejdsprøvninger", "Arbetsprövningar", "Work trials"),
    "result.specialist_assessments": Text(
        "Lægelige og faglige vurderinger", "Specialistbedömningar", "Specialist assessments"
    ),
    "result.day": Text("Dato for resultatet", "Datum för resultatet", "Date of the result"),
    "result.give": Text(
        "Send resultatet til sagsbehandleren",
        "Skicka resultatet till handläggaren",
        "Send the result to the caseworker",
    ),
    "result.given": Text(
        "Resultatet er sendt til sagsbehandleren.",
        "Resultatet är skickat till handläggaren.",
        "The result is sent to the caseworker.",
    ),
    "result.none": Text("Intet resultat endnu.", "Inget resultat ännu.", "No result yet."),
    "result.none_ticked": Text("Ingen angivet", "Inga angivna", "None given"),
    "result.count_range": Text(
        "Skal være et helt tal fra 0.", "Måste vara ett heltal från 0.", "Must be a whole number from 0."
    ),
}

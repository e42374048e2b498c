"""The words of the coordinator's and the contact person's pages (courses, the week grid, contact
attempts, day lists, the week of those one follows), in Danish, Swedish and English. Part of the
pages' catalogue (forlob_web.i18n.MESSAGES); kept apart so that neither module grows too long."""

from __future__ import annotations

from forlob_shared.texts import Text

COURSE_MESSAGES: dict[str, Text] = {
    "nav.day_list": Text("Dagsliste", "Dagslista", "Day list"),
    "nav.following": Text("Mine deltagere", "Mina deltagare", "My participants"),
    "nav.courses": Text("Forløb", "Förlopp", "Courses"),
    # the week grid
    "grid.title": Text("Aftalt ugeskema", "Överenskommet veckoschema", "Agreed weekly schedule"),
    "grid.hint": Text(
        "Angiv fra og til for hvert tidsrum deltageren skal møde; lad resten stå tomt. "
        "Tiderne skal ligge inden for åbningstiden.",
        "Ange från och till för varje tidsperiod deltagaren ska närvara; lämna resten tomt. "
        "Tiderna ska ligga inom öppettiderna.",
        "Give from and to for each period the participant attends; leave the rest empty. "
        "Times must lie within the opening hours.",
    ),
    "grid.weekday": Text("Ugedag", "Veckodag", "Weekday"),
    "grid.opening": Text("Åbningstid", "Öppettid", "Opening hours"),
    "grid.window": Text("Tidsrum {n}", "Tidsperiod {n}", "Period {n}"),
    "grid.start": Text("{day}, tidsrum {n}: fra", "{day}, tidsperiod {n}: från", "{day}, period {n}: from"),
    "grid.end": Text("{day}, tidsrum {n}: til", "{day}, tidsperiod {n}: till", "{day}, period {n}: to"),
    "grid.half": Text("Angiv både fra og til.", "Ange både från och till.", "Give both from and to."),
    "grid.not_a_time": Text(
        "Skal være et klokkeslæt (tt:mm).", "Måste vara en tid (tt:mm).", "Must be a time (hh:mm)."
    ),
    "grid.end_before_start": Text(
        "Sluttiden skal ligge efter starttiden.",
        "Sluttiden måste vara efter starttiden.",
        "The end must be after the start.",
    ),
    "grid.outside": Text(
        "Uden for åbningstiden ({hours}).", "Utanför öppettiderna ({hours}).", "Outside the opening hours ({hours})."
    ),
    "grid.empty": Text(
        "Angiv mindst ét tidsrum i ugen.", "Ange minst en tidsperiod i veckan.", "Give at least one period in the week."
    ),
    "weekday.0": Text("Mandag", "Måndag", "Monday"),
    "weekday.1": Text("Tirsdag", "Tisdag", "Tuesday"),
    "weekday.2": Text("Onsdag", "Onsdag", "Wednesday"),
    "weekday.3": Text("Torsdag", "Torsdag", "Thursday"),
    "weekday.4": Text("Fredag", "Fredag", "Friday"),
    "weekday.5": Text("Lørdag", "Lördag", "Saturday"),
    "weekday.6": Text("Søndag", "Söndag", "Sunday"),
    # the coordinator's courses
    "courses.title": Text("Forløb", "Förlopp", "Courses"),
    "courses.to_start": Text("Optaget, skal startes", "Antagna, ska startas", "Accepted, to start"),
    "courses.running": Text("I gang", "Pågående", "Running"),
    "courses.none": Text("Ingen.", "Inga.", "None."),
    "courses.from_date": Text("Start", "Start", "Start"),
    "course.title": Text("Forløbet", "Förloppet", "The course"),
    "course.start_title": Text("Start forløbet", "Starta förloppet", "Start the course"),
    "course.of": Text("{name} · {programme}", "{name} · {programme}", "{name} · {programme}"),
    "course.referral": Text("Henvisningen", "Remissen", "The referral"),
    "course.start_date": Text("Startdato", "Startdatum", "Start date"),
    "course.weeks": Text("Varighed i uger", "Längd i veckor", "Length in weeks"),
    "course.contact_person": Text(
        "Kontaktperson (medarbejder-id)", "Kontaktperson (medarbetar-id)", "Contact person (staff id)"
    ),
    "course.team_leader": Text("Teamleder (medarbejder-id)", "Teamledare (medarbetar-id)", "Team leader (staff id)"),
    "course.workshop": Text("Værksted", "Verkstad", "Workshop"),
    "course.closing_meeting": Text("Afslutningsmøde (dato)", "Avslutningsmöte (datum)", "Closing meeting (date)"),
    "course.closing_meeting_time": Text(
        "Afslutningsmøde (klokkeslæt)", "Avslutningsmöte (klockslag)", "Closing meeting (time)"
    ),
    "course.closing_meeting_title": Text("Afslutningsmøde", "Avslutningsmöte", "Closing meeting"),
    "referral.withdraw_title": Text("Træk henvisningen tilbage", "Återkalla remissen", "Withdraw the referral"),
    "referral.withdraw_hint": Text(
        "Før forløbet starter. Udbyderen får besked, og en plads på ventelisten gives videre.",
        "Innan förloppet börjar. Anordnaren meddelas, och en plats i kön går vidare.",
        "Before the course starts. The provider is told, and a place on the waiting list moves on.",
    ),
    "referral.withdraw_reason": Text("Årsag", "Orsak", "Reason"),
    "timeline.title": Text("Forløbet som tidslinje", "Förloppet som tidslinje", "The course as a timeline"),
    "timeline.link": Text("Tidslinje", "Tidslinje", "Timeline"),
    "timeline.empty": Text("Intet endnu.", "Inget ännu.", "Nothing yet."),
    "timeline.from": Text("fra", "från", "from"),
    "timeline.missing": Text(
        "En del af forløbet kunne ikke hentes:",
        "En del av förloppet kunde inte hämtas:",
        "Part of the course could not be fetched:",
    ),
    "referral.withdraw": Text("Træk tilbage", "Återkalla", "Withdraw"),
    "referral.withdrawn": Text(
        "Henvisningen er trukket tilbage.", "Remissen är återkallad.", "The referral is withdrawn."
    ),
    "course.closing_meeting_hint": Text(
        "Aftales ved opstart, på en dag i forløbet; sagsbehandleren inviteres.",
        "Bestäms vid starten, en dag under förloppet; handläggaren bjuds in.",
        "Agreed at the start, on a day of the course; the caseworker is invited.",
    ),
    "course.no_closing_meeting": Text("Ikke booket", "Inte bokat", "Not booked"),
    "course.rebook_title": Text("Flyt afslutningsmødet", "Flytta avslutningsmötet", "Re-book the closing meeting"),
    "course.rebook_hint": Text(
        "En dag fra {start} til {end}.",
        "En dag från {start} till {end}.",
        "A day from {start} to {end}.",
    ),
    "course.rebook": Text("Gem afslutningsmødet", "Spara avslutningsmötet", "Save the closing meeting"),
    "course.closing_meeting_moved": Text(
        "Afslutningsmødet er booket.", "Avslutningsmötet är bokat.", "The closing meeting is booked."
    ),
    "course.place_missing": Text("Vælg et sted.", "Välj en plats.", "Choose a place."),
    "course.sub_goal": Text("Delmål: {sub_goal}", "Delmål: {sub_goal}", "Sub-goal: {sub_goal}"),
    "course.goals_carried": Text(
        "Henvisningens mål bliver forløbets mål:",
        "Remissens mål blir förloppets mål:",
        "The referral's goals become the course's goals:",
    ),
    "course.start": Text("Start forløbet", "Starta förloppet", "Start the course"),
    "course.back": Text("Til forløbene", "Till förloppen", "To the courses"),
    "course.fix": Text(
        "Ret det markerede og send igen.",
        "Rätta det markerade och skicka igen.",
        "Correct what is marked and send again.",
    ),
    "course.started": Text(
        "Forløbet starter {date} med {hours} timer om ugen. Afslutningsmøde aftalt {meeting}.",
        "Förloppet startar {date} med {hours} timmar i veckan. Avslutningsmöte överenskommet {meeting}.",
        "The course starts on {date} with {hours} hours a week. Closing meeting agreed for {meeting}.",
    ),
    "course.meeting_before_start": Text(
        "Afslutningsmødet kan ikke ligge før start.",
        "Avslutningsmötet kan inte ligga före start.",
        "The closing meeting cannot be before the start.",
    ),
    "course.meeting_after_end": Text(
        "Afslutningsmødet skal ligge inden forløbets slut.",
        "Avslutningsmötet måste ligga före förloppets slut.",
        "The closing meeting must be before the course ends.",
    ),
    "course.before_start": Text(
        "Kan ikke ligge før forløbets start.",
        "Kan inte ligga före förloppets start.",
        "Cannot be before the course's start.",
    ),
    "course.end_before_start": Text(
        "Slutdatoen kan ikke ligge før forløbets start.",
        "Slutdatumet kan inte ligga före förloppets start.",
        "The end cannot be before the course's start.",
    ),
    "course.outcome_missing": Text("Vælg forløbets udfald.", "Välj förloppets utfall.", "Choose the course's outcome."),
    "course.attainment_missing": Text(
        "Vælg hvor langt målet er nået.", "Välj hur långt målet är uppnått.", "Choose how far the goal was attained."
    ),
    "course.rescheduled": Text(
        "Forløbets længde er ændret.", "Förloppets längd är ändrad.", "The course's length is changed."
    ),
    "course.agreed": Text(
        "Den aftalte tid er ændret.", "Den överenskomna tiden är ändrad.", "The agreed hours are changed."
    ),
    "course.ended": Text(
        "Forløbet er afsluttet med afslutningsnotat.",
        "Förloppet är avslutat med avslutningsanteckning.",
        "The course is ended with its closing note.",
    ),
    "course.planned_end": Text("Planlagt slut", "Planerat slut", "Planned end"),
    "course.outcome": Text("Udfald", "Utfall", "Outcome"),
    "course.agreed_week": Text("Aftalt uge", "Överenskommen vecka", "Agreed week"),
    "course.length": Text("Forlæng eller afkort", "Förläng eller förkorta", "Extend or shorten"),
    "course.new_weeks": Text(
        "Ny varighed i uger fra start ({min}-{max})",
        "Ny längd i veckor från start ({min}-{max})",
        "New length in weeks from the start ({min}-{max})",
    ),
    "course.reschedule": Text("Gem varighed", "Spara längd", "Save the length"),
    "course.change_hours": Text("Ændr aftalt tid", "Ändra överenskommen tid", "Change the agreed hours"),
    "course.effective_from": Text("Gælder fra", "Gäller från", "From"),
    "course.save_hours": Text("Gem aftalt tid", "Spara överenskommen tid", "Save the agreed hours"),
    "course.end_title": Text("Afslut forløbet", "Avsluta förloppet", "End the course"),
    "course.end_date": Text("Slutdato", "Slutdatum", "End date"),
    "course.choose": Text("— vælg —", "— välj —", "— choose —"),
    "course.first_job_date": Text(
        "Første arbejdsdag (hvis job)", "Första arbetsdag (vid arbete)", "First day at work (if a job)"
    ),
    "course.goal": Text("Mål: {goal}", "Mål: {goal}", "Goal: {goal}"),
    "course.attainment": Text("Målopfyldelse", "Måluppfyllelse", "Attainment"),
    "course.comment": Text("Bemærkning", "Kommentar", "Comment"),
    "course.summary": Text("Forløbet", "Förloppet", "The course"),
    "course.resources": Text("Ressourcer", "Resurser", "Resources"),
    "course.development_possibilities": Text(
        "Udviklingsmuligheder", "Utvecklingsmöjligheter", "Development possibilities"
    ),
    "course.next_step": Text("Næste skridt", "Nästa steg", "Next step"),
    "course.end": Text("Afslut med afslutningsnotat", "Avsluta med avslutningsanteckning", "End with the closing note"),
    # the waiting list
    "waiting.move": Text("Flyt", "Flytta", "Move"),
    "waiting.position": Text("Ny plads", "Ny plats", "New place"),
    "waiting.reason": Text("Begrundelse", "Motivering", "Reason"),
    "waiting.moved": Text(
        "Flyttet til plads {position} på ventelisten.",
        "Flyttad till plats {position} på väntelistan.",
        "Moved to place {position} on the waiting list.",
    ),
    "waiting.reason_needed": Text(
        "En flytning på ventelisten kræver en begrundelse.",
        "En flytt på väntelistan kräver en motivering.",
        "Moving someone on the waiting list needs a reason.",
    ),
    # the contact attempt, on the alert's page
    "contact.title": Text("Kontaktforsøg", "Kontaktförsök", "Contact attempt"),
    "contact.outcome": Text("Hvordan gik det?", "Hur gick det?", "What happened?"),
    "contact.reason": Text("Årsag (hvis oplyst)", "Orsak (om angiven)", "Reason (if given)"),
    "contact.no_reason": Text("Ingen årsag oplyst", "Ingen orsak angiven", "No reason given"),
    "contact.record": Text("Registrér kontaktforsøget", "Registrera kontaktförsöket", "Record the contact attempt"),
    "contact.outcome_missing": Text("Vælg hvordan det gik.", "Välj hur det gick.", "Choose what happened."),
    "contact.reason_unknown": Text(
        "Vælg en årsag fra listen.", "Välj en orsak i listan.", "Choose a reason from the list."
    ),
    "contact.reason_needed": Text(
        "Angiv årsagen, der blev oplyst.", "Ange orsaken som angavs.", "Give the reason that was given."
    ),
    "contact.no_absence": Text(
        "Denne advarsel gælder ikke en udeblivelse.",
        "Denna varning gäller inte en utebliven närvaro.",
        "This alert is not about a missed arrival.",
    ),
    "contact.recorded": Text(
        "Kontaktforsøget er registreret: {outcome}.",
        "Kontaktförsöket är registrerat: {outcome}.",
        "The contact attempt is recorded: {outcome}.",
    ),
    # the day list and the week of those one follows
    "day_list.title": Text("Dagsliste", "Dagslista", "Day list"),
    "day_list.by": Text("Gruppér efter", "Gruppera efter", "Group by"),
    "day_list.by_workshop": Text("Værksted", "Verkstad", "Workshop"),
    "day_list.by_contact_person": Text("Kontaktperson", "Kontaktperson", "Contact person"),
    "day_list.show": Text("Vis", "Visa", "Show"),
    "day_list.nobody": Text("Ingen forventes denne dag.", "Ingen förväntas denna dag.", "Nobody is expected that day."),
    "day_list.you": Text("dig", "du", "you"),
    "day_list.none_workshop": Text("Intet værksted angivet", "Ingen verkstad angiven", "No workshop given"),
    "day_list.none_contact_person": Text("Ingen kontaktperson", "Ingen kontaktperson", "No contact person"),
    "day_list.agreed": Text("Aftalt tid", "Överenskommen tid", "Agreed time"),
    "following.title": Text("Mine deltageres uge", "Mina deltagares vecka", "The week of my participants"),
    "following.previous": Text("Forrige uge", "Föregående vecka", "Previous week"),
    "following.next": Text("Næste uge", "Nästa vecka", "Next week"),
    "following.nobody": Text(
        "Ingen deltagere med dig som kontaktperson forventes i denne uge.",
        "Inga deltagare med dig som kontaktperson förväntas denna vecka.",
        "No participant with you as contact person is expected this week.",
    ),
}

"""The words of the pages for programmes without a timetable (a meetings course's cadence, the week
of meetings, the outreach caseload and its cases, visits), in Danish, Swedish and English. Part of
the pages' catalogue (forlob_web.i18n.MESSAGES). The codes' own words (places, topics, phases,
outcomes, kinds) are the shared catalogue's (forlob_shared.texts.shape_codes)."""

from __future__ import annotations

from forlob_shared.texts import Text

SHAPE_MESSAGES: dict[str, Text] = {
    "nav.meetings": Text("Mine møder", "Mina möten", "My meetings"),
    "nav.outreach": Text("Opsøgende sager", "Uppsökande ärenden", "Outreach cases"),
    "nav.visits": Text("Besøg", "Besök", "Visits"),
    # the start of a meetings course
    "cadence.title": Text("Hvor ofte mødes I?", "Hur ofta träffas ni?", "How often do you meet?"),
    "cadence.hint": Text(
        "Et mødeforløb har intet ugeskema: kun et planlagt møde forventes.",
        "En mötesinsats har inget veckoschema: bara ett planerat möte förväntas.",
        "A meetings course has no weekly timetable: only a planned meeting is expected.",
    ),
    "cadence.max_days": Text(
        "Højst dage mellem to møder (tom: 7 hver uge, 14 hver anden uge)",
        "Högst dagar mellan två möten (tomt: 7 varje vecka, 14 varannan vecka)",
        "At most days between two meetings (empty: 7 weekly, 14 every other week)",
    ),
    "cadence.at_most": Text(
        "højst {days} dage mellem møderne", "högst {days} dagar mellan mötena", "at most {days} days between meetings"
    ),
    "cadence.missing": Text("Vælg hvor ofte I mødes.", "Välj hur ofta ni träffas.", "Choose how often you meet."),
    "cadence.gap_range": Text(
        "Skal være et helt antal dage fra 1 til 92.",
        "Måste vara ett helt antal dagar från 1 till 92.",
        "Must be a whole number of days from 1 to 92.",
    ),
    "cadence.gap_needed": Text(
        "Angiv hvor mange dage der højst må gå mellem to møder.",
        "Ange hur många dagar som högst får gå mellan två möten.",
        "Give the most days that may pass between two meetings.",
    ),
    "cadence.change": Text("Ændr hvor ofte I mødes", "Ändra hur ofta ni träffas", "Change how often you meet"),
    "cadence.save": Text("Gem", "Spara", "Save"),
    "cadence.changed": Text(
        "Hvor ofte I mødes er ændret.", "Hur ofta ni träffas är ändrat.", "How often you meet is changed."
    ),
    "course.cadence": Text("Aftalte møder", "Avtalade möten", "Agreed meetings"),
    "course.started_meetings": Text(
        "Forløbet starter {date}: {cadence}, højst {days} dage mellem møderne.",
        "Insatsen startar {date}: {cadence}, högst {days} dagar mellan mötena.",
        "The course starts on {date}: {cadence}, at most {days} days between meetings.",
    ),
    "course.outreach_has_no_start": Text(
        "Et opsøgende forløb startes ikke: teamet åbner en sag om personen på siden for opsøgende sager.",
        "En uppsökande insats startas inte: teamet öppnar ett ärende om personen på sidan för uppsökande ärenden.",
        "An outreach programme has no course start: the team opens a case on the outreach page.",
    ),
    # the week of meetings and one participant's meetings
    "meetings.title": Text("Mine møder", "Mina möten", "My meetings"),
    "meetings.none": Text("Ingen møder.", "Inga möten.", "No meetings."),
    "meetings.of_one": Text("Møder med deltageren", "Möten med deltagaren", "Meetings with the participant"),
    "meetings.all": Text("Alle møder", "Alla möten", "All meetings"),
    "meetings.none_yet": Text("Ingen møder endnu.", "Inga möten ännu.", "No meetings yet."),
    "meeting.state_planned": Text("Planlagt", "Planerat", "Planned"),
    "meeting.state_held": Text("Holdt", "Genomfört", "Held"),
    "meeting.state_cancelled": Text("Aflyst", "Inställt", "Cancelled"),
    "meeting.state_missed": Text("Udeblevet", "Uteblev", "Missed"),
    "meeting.held": Text("Holdt", "Genomfört", "Held"),
    "meeting.cancelled": Text("Aflyst af deltageren", "Inställt av deltagaren", "Cancelled by the participant"),
    "meeting.began": Text("Begyndte kl.", "Började kl.", "Began at"),
    "meeting.duration": Text("Varighed (minutter)", "Längd (minuter)", "Duration (minutes)"),
    "meeting.topics": Text("Emner", "Ämnen", "Topics"),
    "meeting.record_held": Text("Gem: mødet er holdt", "Spara: mötet är genomfört", "Save: the meeting was held"),
    "meeting.reason": Text("Årsag", "Orsak", "Reason"),
    "meeting.choose": Text("Vælg …", "Välj …", "Choose …"),
    "meeting.record_cancelled": Text("Gem: aflyst", "Spara: inställt", "Save: cancelled"),
    "meeting.missed_hint": Text(
        "Gør du intet, opdages en udeblivelse af sig selv.",
        "Gör du inget upptäcks en utevaro av sig själv.",
        "Do nothing and a missed meeting is detected by itself.",
    ),
    "meeting.came_late_hint": Text(
        "Kom deltageren alligevel, så registrér mødet som holdt: udeblivelsen lukkes.",
        "Kom deltagaren ändå, registrera mötet som genomfört: utevaron stängs.",
        "If the participant came after all, record the meeting as held: the absence closes.",
    ),
    "meeting.move": Text("Flyt mødet", "Flytta mötet", "Move the meeting"),
    "meeting.save_move": Text("Gem det nye tidspunkt", "Spara den nya tiden", "Save the new time"),
    "meeting.moved": Text("Mødet er flyttet.", "Mötet är flyttat.", "The meeting is moved."),
    "meeting.plan_next": Text("Planlæg næste møde", "Planera nästa möte", "Plan the next meeting"),
    "meeting.plan_title": Text("Planlæg et møde", "Planera ett möte", "Plan a meeting"),
    "meeting.plan": Text("Planlæg", "Planera", "Plan"),
    "meeting.day": Text("Dag", "Dag", "Day"),
    "meeting.from": Text("Fra", "Från", "From"),
    "meeting.to": Text("Til", "Till", "To"),
    "meeting.place": Text("Sted", "Plats", "Place"),
    "meeting.planned": Text(
        "Mødet er planlagt {day} kl. {at}.",
        "Mötet är planerat {day} kl. {at}.",
        "The meeting is planned for {day} at {at}.",
    ),
    "meeting.recorded_held": Text(
        "Mødet er registreret som holdt.", "Mötet är registrerat som genomfört.", "The meeting is recorded as held."
    ),
    "meeting.recorded_cancelled": Text(
        "Mødet er registreret som aflyst af deltageren.",
        "Mötet är registrerat som inställt av deltagaren.",
        "The meeting is recorded as cancelled by the participant.",
    ),
    "meeting.duration_range": Text(
        "Varigheden skal være 1 til 480 minutter.",
        "Längden måste vara 1 till 480 minuter.",
        "The duration must be 1 to 480 minutes.",
    ),
    "meeting.topic_unknown": Text("Ukendt emne.", "Okänt ämne.", "Unknown topic."),
    "meeting.reason_needed": Text(
        "Vælg en årsag til aflysningen.",
        "Välj en orsak till att mötet ställdes in.",
        "Choose why the meeting was cancelled.",
    ),
    "meeting.in_the_past": Text("Dagen er gået.", "Dagen har passerat.", "That day has passed."),
    "meeting.place_missing": Text("Vælg hvor I mødes.", "Välj var ni träffas.", "Choose where you meet."),
    # the outreach caseload and one case
    "outreach.title": Text("Opsøgende sager", "Uppsökande ärenden", "Outreach cases"),
    "outreach.new": Text("Åbn en ny sag", "Öppna ett nytt ärende", "Open a new case"),
    "outreach.new_hint": Text(
        "Ingen CPR og intet rigtigt navn: et arbejdsnavn og en beskrivelse, så teamet kan genkende personen.",
        "Inget personnummer och inget riktigt namn: ett arbetsnamn och en beskrivning "
        "så att teamet känner igen personen.",
        "No identity number and no real name: a working name and a description the team recognises the person by.",
    ),
    "outreach.none": Text("Ingen sager.", "Inga ärenden.", "No cases."),
    "outreach.case": Text("Opsøgende sag", "Uppsökande ärende", "Outreach case"),
    "outreach.open_case": Text("Åbn sagen", "Öppna ärendet", "Open the case"),
    "outreach.overdue": Text("Kontakt overskredet", "Kontakt försenad", "Contact overdue"),
    "outreach.phase": Text("Fase", "Fas", "Phase"),
    "outreach.last_attempt": Text("Sidste forsøg", "Senaste försök", "Last attempt"),
    "outreach.no_attempt": Text("Ingen kontaktforsøg endnu.", "Inga kontaktförsök ännu.", "No contact attempts yet."),
    "outreach.next_due": Text("Næste forsøg senest", "Nästa försök senast", "Next attempt by"),
    "outreach.no_plan": Text("Ikke planlagt", "Inte planerat", "Not planned"),
    "outreach.programme": Text("Indsats", "Insats", "Programme"),
    "outreach.programme_missing": Text(
        "Vælg en opsøgende indsats.", "Välj en uppsökande insats.", "Choose an outreach programme."
    ),
    "outreach.working_name": Text("Arbejdsnavn", "Arbetsnamn", "Working name"),
    "outreach.description": Text("Beskrivelse", "Beskrivning", "Description"),
    "outreach.open": Text("Åbn sagen", "Öppna ärendet", "Open the case"),
    "outreach.opened": Text("Sagen om {name} er åbnet.", "Ärendet om {name} är öppnat.", "The case of {name} is open."),
    "outreach.back": Text("Til sagerne", "Till ärendena", "To the cases"),
    "outreach.attempt": Text("Kontaktforsøg", "Kontaktförsök", "Contact attempt"),
    "outreach.attempts": Text("Kontaktforsøg indtil nu", "Kontaktförsök hittills", "Contact attempts so far"),
    "outreach.place": Text("Hvor", "Var", "Where"),
    "outreach.channel": Text("Hvordan", "Hur", "How"),
    "outreach.outcome": Text("Hvad kom der ud af det?", "Vad blev resultatet?", "What came of it?"),
    "outreach.next_in_days": Text("Prøv igen inden for (dage)", "Försök igen inom (dagar)", "Try again within (days)"),
    "outreach.record_attempt": Text("Gem forsøget", "Spara försöket", "Save the attempt"),
    "outreach.attempt_recorded": Text(
        "Kontaktforsøget er gemt.", "Kontaktförsöket är sparat.", "The contact attempt is saved."
    ),
    "outreach.choose": Text("Vælg en.", "Välj en.", "Choose one."),
    "outreach.days_range": Text("Skal være 1 til 92 dage.", "Måste vara 1 till 92 dagar.", "Must be 1 to 92 days."),
    "outreach.change_phase": Text("Skift fase eller afslut", "Byt fas eller avsluta", "Change phase or close"),
    "outreach.new_phase": Text("Ny fase", "Ny fas", "New phase"),
    "outreach.close_reason": Text("Afsluttet fordi", "Avslutat eftersom", "Closed because"),
    "outreach.close_reason_if": Text(
        "Årsag (når sagen afsluttes)", "Orsak (när ärendet avslutas)", "Reason (when closing)"
    ),
    "outreach.close_reason_needed": Text(
        "Angiv hvorfor sagen afsluttes.", "Ange varför ärendet avslutas.", "Say why the case is closed."
    ),
    "outreach.helped_on_to": Text(
        "Hjulpet videre til (ikke i målgruppen)",
        "Hjälpt vidare till (inte i målgruppen)",
        "Helped on to (not in the target group)",
    ),
    "outreach.helped_on_needed": Text(
        "Angiv hvem personen blev hjulpet videre til.",
        "Ange vem personen hjälptes vidare till.",
        "Say who the person was helped on to.",
    ),
    "outreach.show_closed": Text("Vis også afsluttede", "Visa även avslutade", "Show closed cases too"),
    "outreach.hide_closed": Text("Skjul afsluttede", "Dölj avslutade", "Hide closed cases"),
    "outreach.save_phase": Text("Gem fasen", "Spara fasen", "Save the phase"),
    "outreach.phase_changed": Text("Fasen er ændret.", "Fasen är ändrad.", "The phase is changed."),
    "outreach.consent": Text("Samtykke", "Samtycke", "Consent"),
    "outreach.consent_given": Text("Givet", "Givet", "Given"),
    "outreach.consent_not_yet": Text("Ikke givet", "Inte givet", "Not given"),
    "outreach.record_consent": Text("Registrér samtykke", "Registrera samtycke", "Record consent"),
    "outreach.consent_hint": Text(
        "Først når borgeren siger ja, må identitet og CPR-nummer noteres.",
        "Först när personen säger ja får identitet och personnummer antecknas.",
        "Only when the citizen agrees may their identity and number be taken.",
    ),
    "outreach.consent_method": Text("Hvordan blev samtykket givet?", "Hur gavs samtycket?", "How was consent given?"),
    "outreach.consent_day": Text("Dag for samtykket", "Dag för samtycket", "Day of consent"),
    "outreach.consent_future": Text(
        "Dagen er ikke kommet endnu.", "Dagen har inte kommit än.", "That day has not come yet."
    ),
    "outreach.save_consent": Text("Gem samtykket", "Spara samtycket", "Save the consent"),
    "outreach.consent_recorded": Text(
        "Samtykket er registreret.", "Samtycket är registrerat.", "The consent is recorded."
    ),
    "outreach.identity": Text("Identitet", "Identitet", "Identity"),
    "outreach.is_identified": Text("Identificeret", "Identifierad", "Identified"),
    "outreach.identify": Text("Notér identitet", "Anteckna identitet", "Record identity"),
    "outreach.save_identity": Text("Gem identiteten", "Spara identiteten", "Save the identity"),
    "outreach.identified": Text("Personen er identificeret.", "Personen är identifierad.", "The person is identified."),
    "outreach.handover": Text("Overdragelse", "Överlämning", "Handover"),
    "outreach.handover_referral": Text("Henvisningen", "Remissen", "The referral"),
    "outreach.to_programme": Text("Forløbets kode", "Insatsens kod", "The programme's code"),
    "outreach.to_provider": Text("Udbyder (organisation)", "Utförare (organisation)", "Provider (organisation)"),
    "outreach.handover_hint": Text(
        "En overdragelse er en henvisning til en anden udbyders forløb med sagens forløb som fakta.",
        "En överlämning är en remiss till en annan utförares insats med ärendets förlopp som fakta.",
        "A handover is a referral to another provider's programme, carrying the case's history as facts.",
    ),
    "outreach.hand_over": Text("Overdrag", "Överlämna", "Hand over"),
    "outreach.handed_over": Text("Sagen er overdraget.", "Ärendet är överlämnat.", "The case is handed over."),
    # the reminders' alerts (meeting_overdue, outreach_contact_overdue)
    "reminder.due_by": Text("Skulle være sket senest", "Skulle ha skett senast", "Due by"),
    "reminder.last_meeting": Text("Sidste møde", "Senaste mötet", "Last meeting"),
    "reminder.cadence": Text("Aftalt", "Avtalat", "Agreed"),
    # visits
    "visits.title": Text("Besøg", "Besök", "Visits"),
    "visits.team": Text("Teamets igangværende besøg", "Teamets pågående besök", "The team's visits under way"),
    "visits.none_open": Text("Ingen er ude på besøg.", "Ingen är ute på besök.", "Nobody is out on a visit."),
    "visit.start_title": Text("Start et besøg", "Starta ett besök", "Start a visit"),
    "visit.hint": Text(
        "Er besøget ikke afsluttet til tiden, får din teamleder og din kollega besked.",
        "Avslutas inte besöket i tid får din teamledare och din kollega besked.",
        "If the visit is not ended in time, your team leader and your colleague are alerted.",
    ),
    "visit.kind": Text("Slags besøg", "Typ av besök", "Kind of visit"),
    "visit.kind_missing": Text("Vælg slags besøg.", "Välj typ av besök.", "Choose the kind of visit."),
    "visit.planned_end": Text("Slut senest kl.", "Slut senast kl.", "Over by"),
    "visit.colleague": Text("Kollega med (valgfri)", "Kollega med (valfritt)", "Colleague along (optional)"),
    "visit.end_in_the_past": Text(
        "Sluttiden skal ligge senere end nu.", "Sluttiden måste vara senare än nu.", "The end must be later than now."
    ),
    "visit.start": Text("Start besøget", "Starta besöket", "Start the visit"),
    "visit.started": Text(
        "Besøget er startet; afslut det senest kl. {at}.",
        "Besöket har startat; avsluta det senast kl. {at}.",
        "The visit has started; end it by {at}.",
    ),
    "visit.on": Text("Du er på besøg", "Du är på besök", "You are on a visit"),
    "visit.with": Text("med {who}", "med {who}", "with {who}"),
    "visit.end": Text("Afslut besøget", "Avsluta besöket", "End the visit"),
    "visit.ended": Text("Besøget er afsluttet.", "Besöket är avslutat.", "The visit is ended."),
    "visit.late": Text("Over tiden", "Över tiden", "Overdue"),
    "visit.staff": Text("Medarbejder", "Medarbetare", "Staff member"),
    "visit.alert_title": Text("Besøget", "Besöket", "The visit"),
    "visit.alert_what": Text(
        "Ring til medarbejderen; svarer de ikke, følg teamets sikkerhedsplan.",
        "Ring medarbetaren; svarar de inte, följ teamets säkerhetsplan.",
        "Call the staff member; if they do not answer, follow the team's safety plan.",
    ),
}

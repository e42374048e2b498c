"""Words for the published partner contract's event types (forlob_shared.partner): what the
referring organisation was told, as its caseworker reads it on the course's timeline."""

from __future__ import annotations

from forlob_shared.texts.language import Text

PARTNER_CODES: dict[str, dict[str, Text]] = {
    "partner_event": {
        "referral.received": Text("Henvisningen modtaget", "Remissen mottagen", "Referral received"),
        "referral.accepted": Text("Optaget på forløbet", "Antagen till förloppet", "Accepted"),
        "referral.waitlisted": Text("Sat på venteliste", "Satt på väntelista", "Put on the waiting list"),
        "referral.seat_offered": Text("Tilbudt en plads", "Erbjuden en plats", "Offered a seat"),
        "referral.rejected": Text("Afvist", "Avvisad", "Rejected"),
        "referral.withdrawn": Text("Trukket tilbage", "Återkallad", "Withdrawn"),
        "programme.started": Text("Forløbet startede", "Förloppet började", "The course started"),
        "programme.rescheduled": Text(
            "Forløbet forlænget eller afkortet",
            "Förloppet förlängt eller förkortat",
            "The course extended or shortened",
        ),
        "programme.agreed_hours_changed": Text(
            "De aftalte timer ændret", "De avtalade timmarna ändrade", "The agreed hours changed"
        ),
        "programme.phase_changed": Text("Ny fase i forløbet", "Ny fas i förloppet", "A new phase of the course"),
        "programme.clarification_result": Text(
            "Afklaringens resultat", "Utredningens resultat", "The clarification's result"
        ),
        "programme.ended": Text("Forløbet sluttede", "Förloppet avslutades", "The course ended"),
        "absence.unexplained": Text("Uforklaret fravær", "Oförklarad frånvaro", "Unexplained absence"),
        "absence.contact_reestablished": Text(
            "Kontakten genoprettet", "Kontakten återupptagen", "Contact re-established"
        ),
        "attendance.agreement_breached": Text(
            "Aftalen er ikke overholdt", "Överenskommelsen har inte hållits", "The agreement was not kept"
        ),
        "closing_note.available": Text(
            "Afslutningsnotatet er klar", "Slutanteckningen är klar", "The closing note is ready"
        ),
        "employment.job_started": Text(
            "Job eller uddannelse startet", "Arbete eller utbildning påbörjad", "Work or education started"
        ),
        "employment.job_ended": Text(
            "Job eller uddannelse sluttet", "Arbete eller utbildning avslutad", "Work or education ended"
        ),
        "programme.next_step_proposed": Text(
            "Udbyderen foreslår et næste skridt",
            "Anordnaren föreslår ett nästa steg",
            "The provider proposes a next step",
        ),
        "programme.next_step_withdrawn": Text(
            "Forslaget trukket tilbage af udbyderen",
            "Förslaget återkallat av anordnaren",
            "The proposal withdrawn by the provider",
        ),
        "programme.next_step_declined": Text(
            "Forslaget afvist af sagsbehandleren",
            "Förslaget avböjt av handläggaren",
            "The proposal declined by the caseworker",
        ),
        "programme.next_step_planned": Text(
            "Henvist videre til næste skridt", "Remitterad vidare till nästa steg", "Referred on to the next step"
        ),
    },
    # absence.contact_reestablished's ``how``: attendance's resolutions (late_arrival, reported) and
    # the contact attempts that reached the participant (forlob_notifications.partners.notices)
    "contact_how": {
        "late_arrival": Text("Deltageren mødte senere", "Deltagaren kom senare", "The participant arrived late"),
        "reported": Text("Fraværet blev meldt", "Frånvaron anmäldes", "The absence was reported"),
        "reached": Text("Kontakt med deltageren", "Kontakt med deltagaren", "The participant was reached"),
        "reason_given": Text("Årsag oplyst", "Orsak angiven", "A reason was given"),
        "contact_reestablished": Text("Kontakt genoprettet", "Kontakt återupprättad", "Contact re-established"),
    },
    "timeline_kind": {
        "told": Text("Besked", "Besked", "Notice"),
        "message": Text("Besked mellem jer", "Meddelande mellan er", "Message"),
        "absence_week": Text("Fravær i ugen", "Frånvaro under veckan", "Absence that week"),
        "meeting": Text("Møde", "Möte", "Meeting"),
    },
}

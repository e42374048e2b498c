"""Words for the codes of work and the way into it (forlob_shared.events.employment)."""

from __future__ import annotations

from forlob_shared.texts.language import Text

EMPLOYMENT_CODES: dict[str, dict[str, Text]] = {
    # forlob_shared.events.employment.EmployerSector
    "employer_sector": {
        "private": Text("Privat virksomhed", "Privat företag", "Private company"),
        "public": Text("Offentlig arbejdsplads", "Offentlig arbetsplats", "Public employer"),
        "voluntary": Text("Forening eller socialøkonomisk virksomhed", "Ideell organisation", "Voluntary sector"),
    },
    # forlob_shared.events.employment.EmployerContactKind
    "employer_contact_kind": {
        "first_contact": Text("Første kontakt", "Första kontakt", "First contact"),
        "follow_up": Text("Opfølgning", "Uppföljning", "Follow-up"),
        "job_opening_found": Text("Ledig stilling fundet", "Ledig tjänst hittad", "Job opening found"),
        "application": Text("Ansøgning", "Ansökan", "Application"),
        "interview": Text("Jobsamtale", "Anställningsintervju", "Interview"),
    },
    # forlob_shared.events.employment.SpellKind
    "spell_kind": {
        "ordinary": Text("Ordinært job", "Reguljärt arbete", "Ordinary job"),
        "flex_job": Text("Fleksjob", "Anställning med lönebidrag", "Flex job"),
        "subsidised": Text("Job med løntilskud", "Subventionerad anställning", "Subsidised job"),
        "education": Text("Uddannelse", "Utbildning", "Education"),
    },
    # forlob_shared.events.employment.SpellEndReason
    "spell_end_reason": {
        "fixed_term_ended": Text("Tidsbegrænset ansættelse udløb", "Visstidsanställning upphörde", "Fixed term ended"),
        "resigned": Text("Sagde selv op", "Sade upp sig själv", "Resigned"),
        "dismissed": Text("Afskediget", "Uppsagd", "Dismissed"),
        "new_job": Text("Nyt job eller uddannelse", "Nytt arbete eller utbildning", "New job or education"),
        "education_completed": Text("Uddannelse gennemført", "Utbildning slutförd", "Education completed"),
        "education_left": Text("Uddannelse afbrudt", "Utbildning avbruten", "Education left"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_shared.events.employment.Disclosure
    "disclosure": {
        "yes": Text("Har fortalt arbejdsgiveren", "Har berättat för arbetsgivaren", "Told the employer"),
        "no": Text("Har ikke fortalt arbejdsgiveren", "Har inte berättat för arbetsgivaren", "Did not tell"),
        "partly": Text("Har fortalt en del", "Har berättat delvis", "Told in part"),
    },
    # forlob_shared.events.employment.SupportPhase
    "support_phase": {
        "search": Text("Jobsøgning", "Jobbsökning", "Search"),
        "employed_with_support": Text(
            "I job eller uddannelse med støtte", "I arbete eller utbildning med stöd", "In work or education, supported"
        ),
    },
    # forlob_shared.events.employment.Recommendation
    "recommendation": {
        "ordinary_work_or_education": Text(
            "Ordinært job eller uddannelse", "Reguljärt arbete eller utbildning", "Ordinary work or education"
        ),
        "resource_course": Text("Ressourceforløb", "Resursförlopp", "Resource course"),
        "flex_job": Text("Fleksjob", "Anställning med lönebidrag", "Flex job"),
        "disability_pension": Text("Førtidspension", "Sjukersättning", "Disability pension"),
        "another_programme": Text("Et andet tilbud", "En annan insats", "Another programme"),
    },
    # forlob_shared.events.employment.WorkAbilityArea
    "work_ability_area": {
        "education": Text("Uddannelse", "Utbildning", "Education"),
        "work_experience": Text("Arbejdsmarkedserfaring", "Arbetslivserfarenhet", "Work experience"),
        "interests": Text("Interesser", "Intressen", "Interests"),
        "social_skills": Text("Sociale kompetencer", "Social förmåga", "Social skills"),
        "adaptability": Text("Omstillingsevne", "Anpassningsförmåga", "Adaptability"),
        "learning": Text("Indlæringsevne", "Inlärningsförmåga", "Learning"),
        "work_identity": Text("Arbejdsidentitet", "Yrkesidentitet", "Work identity"),
        "goals": Text("Ønsker og mål", "Önskemål och mål", "Wishes and goals"),
        "housing_and_finances": Text("Bolig og økonomi", "Boende och ekonomi", "Housing and finances"),
        "network": Text("Socialt netværk", "Socialt nätverk", "Social network"),
        "health": Text("Helbred", "Hälsa", "Health"),
    },
    # forlob_shared.events.handover.HandoverRelation
    "handover_relation": {
        "overlap": Text("Overlapper dette forløb", "Överlappar denna insats", "Overlaps this course"),
        "sequence": Text("Efter dette forløb", "Efter denna insats", "After this course"),
    },
    # forlob_referral.domain.handover.HandoverState
    "handover_state": {
        "proposed": Text("Foreslået af udbyderen", "Föreslaget av anordnaren", "Proposed by the provider"),
        "referred": Text("Henvist videre", "Remitterad vidare", "Referred on"),
        "declined": Text("Afvist af sagsbehandleren", "Avböjt av handläggaren", "Declined by the caseworker"),
        "withdrawn": Text("Trukket tilbage af udbyderen", "Återkallat av anordnaren", "Withdrawn by the provider"),
    },
    # forlob_shared.events.handover.DeclineReason
    "handover_decline_reason": {
        "another_step_planned": Text(
            "Et andet næste skridt er planlagt", "Ett annat nästa steg är planerat", "Another step is planned"
        ),
        "participant_not_ready": Text(
            "Borgeren er ikke klar", "Deltagaren är inte redo", "The participant is not ready"
        ),
        "not_the_right_programme": Text("Ikke det rette tilbud", "Inte rätt insats", "Not the right programme"),
        "no_longer_relevant": Text("Ikke længere relevant", "Inte längre aktuellt", "No longer relevant"),
        "other": Text("Andet", "Annat", "Other"),
    },
}

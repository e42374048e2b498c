"""Words for the programme shapes' codes: shape and cadence (forlob_shared.events.common), meetings,
outreach cases (forlob_shared.events.outreach) and visits (forlob_shared.events.visits)."""

from __future__ import annotations

from forlob_shared.texts.language import Text

SHAPE_CODES: dict[str, dict[str, Text]] = {
    # forlob_shared.events.common.ProgrammeShape
    "programme_shape": {
        "timetabled": Text("Skemalagt forløb", "Schemalagd insats", "Timetabled course"),
        "meetings": Text("Aftalte møder", "Avtalade möten", "Agreed meetings"),
        "outreach": Text("Opsøgende arbejde", "Uppsökande arbete", "Outreach work"),
    },
    # forlob_shared.events.common.CadenceKind
    "cadence_kind": {
        "weekly": Text("Hver uge", "Varje vecka", "Every week"),
        "fortnightly": Text("Hver anden uge", "Varannan vecka", "Every other week"),
        "planned": Text("Planlægges møde for møde", "Planeras möte för möte", "Planned one by one"),
    },
    # forlob_shared.events.common.MeetingPlace
    "meeting_place": {
        "provider": Text("Hos udbyderen", "Hos utföraren", "At the provider"),
        "home": Text("I hjemmet", "I hemmet", "At home"),
        "workplace": Text("På arbejdspladsen", "På arbetsplatsen", "At the workplace"),
        "phone": Text("Telefon", "Telefon", "Phone"),
        "video": Text("Video", "Video", "Video"),
        "other": Text("Andet sted", "Annan plats", "Elsewhere"),
    },
    # forlob_attendance.domain.meetings.MeetingState: a meeting as attendance shows it
    "attendance_meeting_state": {
        "planned": Text("Planlagt", "Planerat", "Planned"),
        "held": Text("Afholdt", "Genomfört", "Held"),
        "missed": Text("Udeblevet", "Uteblivet", "Missed"),
        "cancelled": Text("Aflyst", "Inställt", "Cancelled"),
    },
    # forlob_attendance.domain.meetings.CancelledBy (MeetingCancelled.cancelled_by)
    "meeting_cancelled_by": {
        "participant": Text("Aflyst af deltageren", "Inställt av deltagaren", "Cancelled by the participant"),
        "provider": Text("Aflyst af udbyderen", "Inställt av utföraren", "Cancelled by the provider"),
    },
    # forlob_shared.events.common.MeetingTopic
    "meeting_topic": {
        "job_search": Text("Jobsøgning", "Jobbsökning", "Job search"),
        "employer_contact": Text("Kontakt til arbejdsgivere", "Kontakt med arbetsgivare", "Employer contact"),
        "education": Text("Uddannelse", "Utbildning", "Education"),
        "work_ability": Text("Arbejdsevne", "Arbetsförmåga", "Work ability"),
        "health": Text("Helbred", "Hälsa", "Health"),
        "finances": Text("Økonomi", "Ekonomi", "Finances"),
        "housing": Text("Bolig", "Boende", "Housing"),
        "daily_life": Text("Hverdagsliv", "Vardagsliv", "Daily life"),
        "network": Text("Netværk", "Nätverk", "Network"),
        "goals": Text("Mål", "Mål", "Goals"),
        "follow_along": Text("Støtte i job", "Stöd i arbetet", "Support in work"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_shared.events.outreach.OutreachPhase
    "outreach_phase": {
        "contact_creation": Text("Kontaktskabelse", "Kontaktskapande", "Contact creation"),
        "relationship": Text("Relationsarbejde", "Relationsarbete", "Relationship work"),
        "bridging": Text("Brobygning og overlevering", "Brobygge och överlämning", "Bridging and handover"),
        "closed": Text("Afsluttet", "Avslutat", "Closed"),
    },
    # forlob_shared.events.outreach.OutreachCloseReason
    "outreach_close_reason": {
        "not_in_target_group": Text(
            "Ikke i målgruppen, hjulpet videre",
            "Inte i målgruppen, hjälpt vidare",
            "Not in the target group, helped on",
        ),
        "handed_over": Text("Stabil kontakt overdraget", "Stabil kontakt överlämnad", "Stable contact handed over"),
        "moved_away": Text("Fraflyttet", "Flyttat", "Moved away"),
        "declined": Text("Ønsker ikke kontakt", "Vill inte ha kontakt", "Declined contact"),
        "not_found": Text("Ikke fundet", "Inte hittad", "Not found"),
        "other": Text("Andet", "Annat", "Other"),
    },
    # forlob_shared.events.outreach.ContactPlace
    "contact_place": {
        "street": Text("På gaden", "På gatan", "In the street"),
        "home": Text("I hjemmet", "I hemmet", "At home"),
        "shelter": Text("På herberg eller værested", "På härbärge eller dagverksamhet", "At a shelter or drop-in"),
        "provider": Text("Hos udbyderen", "Hos utföraren", "At the provider"),
        "partner_site": Text("Hos en samarbejdspartner", "Hos en samarbetspartner", "At a partner's site"),
        "phone": Text("Telefon", "Telefon", "Phone"),
        "other": Text("Andet sted", "Annan plats", "Elsewhere"),
    },
    # forlob_shared.events.outreach.ContactChannel
    "contact_channel": {
        "in_person": Text("Personligt fremmøde", "Personligt möte", "In person"),
        "phone": Text("Telefon", "Telefon", "Phone"),
        "letter": Text("Brev", "Brev", "Letter"),
        "via_network": Text("Gennem netværk", "Genom nätverk", "Through their network"),
    },
    # forlob_shared.events.outreach.ContactOutcome
    "outreach_contact_outcome": {
        "not_found": Text("Ikke truffet", "Inte anträffad", "Not found"),
        "no_answer": Text("Intet svar", "Inget svar", "No answer"),
        "refused": Text("Afviste kontakt", "Avböjde kontakt", "Refused"),
        "brief_contact": Text("Kort kontakt", "Kort kontakt", "Brief contact"),
        "meeting_agreed": Text("Møde aftalt", "Möte avtalat", "Meeting agreed"),
    },
    # forlob_shared.events.outreach.ConsentMethod
    "consent_method": {
        "oral": Text("Mundtligt", "Muntligt", "Orally"),
        "written": Text("Skriftligt", "Skriftligt", "In writing"),
        "digital": Text("Digitalt", "Digitalt", "Digitally"),
    },
    # forlob_shared.events.visits.VisitKind
    "visit_kind": {
        "home": Text("Hjemmebesøg", "Hembesök", "Home visit"),
        "street": Text("Gadebesøg", "Gatuarbete", "Street visit"),
        "other": Text("Andet besøg", "Annat besök", "Other visit"),
    },
}

"""The catalogue of codes a person reads, by domain (an enum of a service or an event)."""

from __future__ import annotations

from forlob_shared.texts.employment_codes import EMPLOYMENT_CODES
from forlob_shared.texts.language import DEFAULT_LANGUAGE, Text
from forlob_shared.texts.partner_codes import PARTNER_CODES
from forlob_shared.texts.record_codes import RECORD_CODES
from forlob_shared.texts.shape_codes import SHAPE_CODES
from forlob_shared.texts.sms_codes import SMS_CODES, TEXT_CONTACT_OUTCOMES

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
    # forlob_attendance.api.schemas.ContactIn.outcome: a contact person's attempt to reach someone
    "contact_outcome": {
        "called_no_answer": Text("Ringet, intet svar", "Ringt, inget svar", "Called, no answer"),
        "reached": Text("Talt med deltageren", "Talat med deltagaren", "Reached the participant"),
        "reason_given": Text("Årsag oplyst", "Orsak angiven", "Reason given"),
        "contact_reestablished": Text("Kontakt genoprettet", "Kontakt återupprättad", "Contact re-established"),
        **TEXT_CONTACT_OUTCOMES,  # a participant's reply by text (attendance records it, not staff)
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
        "visit_overdue": Text("Besøg ikke afsluttet i tide", "Besök inte avslutat i tid", "Visit overdue"),
        "meeting_overdue": Text("Næste møde ikke planlagt", "Nästa möte inte planerat", "Next meeting not planned"),
        "outreach_contact_overdue": Text(
            "Kontaktforsøg ikke gjort i tide", "Kontaktförsök inte gjort i tid", "Contact attempt overdue"
        ),
        "call_participant": Text("Ring til deltageren", "Ring deltagaren", "Call the participant"),
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
        "visit_ended": Text("Besøget blev afsluttet", "Besöket avslutades", "The visit was ended"),
        "meeting_planned": Text("Et møde blev planlagt", "Ett möte planerades", "A meeting was planned"),
        "contact_attempted": Text(
            "Et kontaktforsøg blev gjort", "Ett kontaktförsök gjordes", "A contact attempt was made"
        ),
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
    # forlob_referral.domain.holds.HoldReason: why an erasure request must wait (GDPR Art. 17(3))
    "erasure_hold": {
        "course_open": Text(
            "Forløbet er ikke afsluttet: jobcentrets afgørelse bygger på det",
            "Insatsen är inte avslutad: Arbetsförmedlingens beslut bygger på den",
            "The course is not closed: the jobcentre's decision depends on it",
        ),
        "retention_period": Text(
            "Opbevaringspligt: forløbet skal gemmes til opbevaringsperioden udløber",
            "Bevarandeskyldighet: insatsen ska sparas tills bevarandetiden löper ut",
            "Legal hold: the course must be kept until its retention period ends",
        ),
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
        "cancelled": Text("Aflyst", "Inställt", "Cancelled"),  # a meeting the provider called off
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
        "replied_by_text": Text("Svaret pr. sms", "Svarat via sms", "Replied by text"),
    },
}
CODES.update(RECORD_CODES)
CODES.update(SHAPE_CODES)
CODES.update(SMS_CODES)
CODES.update(EMPLOYMENT_CODES)
CODES.update(PARTNER_CODES)


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

"""The words of the next step on the referral page (referring on, the handover and its meeting), in
Danish, Swedish and English. Part of the pages' catalogue (forlob_web.i18n.MESSAGES); the codes'
own words (overlap or sequence, proposed or referred) are the shared catalogue's."""

from __future__ import annotations

from forlob_shared.texts import Text

HANDOVER_MESSAGES: dict[str, Text] = {
    "next_step.title": Text("Næste trin", "Nästa steg", "Next step"),
    "next_step.hint": Text(
        "Det næste tilbud kan overlappe dette forløb eller følge efter det. Sagsbehandleren henviser videre; "
        "kun kodede oplysninger følger med, aldrig noter.",
        "Nästa insats kan överlappa denna eller följa efter den. Handläggaren remitterar vidare; bara kodade "
        "uppgifter följer med, aldrig anteckningar.",
        "The next programme may overlap this course or follow it. The caseworker refers on; only coded facts go "
        "with it, never notes.",
    ),
    "next_step.none": Text("Intet næste trin endnu.", "Inget nästa steg ännu.", "No next step yet."),
    "next_step.came_from": Text("Kommer fra", "Kommer från", "Comes from"),
    "next_step.planned_start": Text("Planlagt start", "Planerad start", "Planned start"),
    "next_step.previous_end": Text("Forrige forløbs sidste dag", "Föregående insats sista dag", "Last day before"),
    "next_step.meeting": Text("Overdragelsesmøde", "Överlämningsmöte", "Handover meeting"),
    "next_step.meeting_held": Text("holdt", "genomfört", "held"),
    "next_step.goals": Text(
        "Mål: {achieved} nået, {partly} delvist, {not_achieved} ikke nået",
        "Mål: {achieved} uppnådda, {partly} delvis, {not_achieved} ej uppnådda",
        "Goals: {achieved} achieved, {partly} partly, {not_achieved} not achieved",
    ),
    "next_step.programme": Text("Programkode", "Programkod", "Programme code"),
    "next_step.provider": Text("Udbyder (organisation)", "Anordnare (organisation)", "Provider (organisation)"),
    "next_step.relation": Text("Forhold til dette forløb", "Förhållande till denna insats", "Relation to this course"),
    "next_step.propose": Text("Foreslå næste trin", "Föreslå nästa steg", "Propose the next step"),
    "next_step.refer_on": Text("Henvis videre", "Remittera vidare", "Refer on"),
    "next_step.refer_as_proposed": Text(
        "Henvis videre som foreslået", "Remittera vidare som föreslaget", "Refer on as proposed"
    ),
    "next_step.proposed": Text(
        "Næste trin er foreslået. Sagsbehandleren beslutter.",
        "Nästa steg är föreslaget. Handläggaren beslutar.",
        "The next step is proposed. The caseworker decides.",
    ),
    "next_step.referred": Text(
        "Deltageren er henvist videre.", "Deltagaren är remitterad vidare.", "The participant is referred on."
    ),
    "next_step.decline": Text("Afvis forslaget", "Avböj förslaget", "Decline the proposal"),
    "next_step.decline_reason": Text("Begrundelse", "Skäl", "Reason"),
    "next_step.choose_reason": Text("Vælg en begrundelse.", "Välj ett skäl.", "Choose a reason."),
    "next_step.declined": Text(
        "Forslaget er afvist. Et andet næste trin kan nu foreslås eller henvises til.",
        "Förslaget är avböjt. Ett annat nästa steg kan nu föreslås eller remitteras till.",
        "The proposal is declined. Another next step may now be proposed or referred on to.",
    ),
    "next_step.withdraw": Text("Træk forslaget tilbage", "Återkalla förslaget", "Withdraw the proposal"),
    "next_step.withdrawn": Text(
        "Forslaget er trukket tilbage.", "Förslaget är återkallat.", "The proposal is withdrawn."
    ),
    "next_step.fix": Text(
        "Udfyld programkode, udbyder og en gyldig dato.",
        "Fyll i programkod, anordnare och ett giltigt datum.",
        "Fill in the programme code, the provider and a valid day.",
    ),
}

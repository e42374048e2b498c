"""The handover figures (reporting's GET /figures/handovers): each one's name and unit, and its
definition in words. The English definition is docs/reporting.md's "What is counted" cell
(markdown left out): forlob_reporting's tests hold the two to the same words."""

from __future__ import annotations

from forlob_shared.texts.figures import Figure
from forlob_shared.texts.language import Text

HANDOVER_FIGURES: dict[str, Figure] = {
    "handovers": Figure(Text("Overgange", "Överlämningar", "Handovers")),
    "overlapping": Figure(Text("Overgange, der overlapper", "Överlämningar med överlapp", "Overlapping handovers")),
    "days_without_programme": Figure(
        Text("Dage uden tilbud mellem to trin", "Dagar utan insats mellan två steg", "Days without any programme"),
        "days",
    ),
    "days_without_programme.median": Figure(
        Text(
            "Dage uden tilbud mellem to trin: median",
            "Dagar utan insats mellan två steg: median",
            "Days without any programme: median",
        ),
        "days",
    ),
    "days_without_programme.mean": Figure(
        Text(
            "Dage uden tilbud mellem to trin: gennemsnit",
            "Dagar utan insats mellan två steg: medelvärde",
            "Days without any programme: mean",
        ),
        "days",
    ),
    "share_without_gap": Figure(
        Text("Andel overgange uden pause", "Andel överlämningar utan uppehåll", "Share of handovers with no gap"),
        "share",
    ),
    "not_started": Figure(Text("Næste trin ikke startet", "Nästa steg inte påbörjat", "Next step not started")),
    "next_step_not_taken": Figure(
        Text(
            "Næste trin ikke påbegyndt (afvist/trukket tilbage)",
            "Nästa steg avböjt eller återkallat",
            "Next step not taken",
        )
    ),
    "relation": Figure(Text("Overlap eller efter hinanden", "Överlapp eller i följd", "Overlap or sequence"), "text"),
    "previous_last_day": Figure(
        Text("Forrige forløbs sidste dag", "Föregående insats sista dag", "Last day before"), "date"
    ),
    "next_first_day": Figure(
        Text("Næste trins første dag", "Nästa stegs första dag", "First day of the next step"), "date"
    ),
}

HANDOVER_DEFINITIONS: dict[str, Text] = {
    "handovers": Text(
        "overgange, hvis næste trin startede på en dag i perioden",
        "överlämningar vars nästa steg började en dag under perioden",
        "handovers whose next step started on a day in the period",
    ),
    "days_without_programme": Text(
        "pr. overgang: dagene helt mellem det forrige forløbs sidste dag og næste trins første dag; "
        "0 når de to overlapper, eller det næste starter dagen efter",
        "per överlämning: dagarna helt mellan den föregående insatsens sista dag och nästa stegs "
        "första dag; 0 när de två överlappar eller nästa börjar dagen efter",
        "per handover (per=handover): the days strictly between the course before's last day and the next step's "
        "first day; 0 when the two overlap or the next starts the day after",
    ),
    "share_without_gap": Text(
        "af de overgange, der tælles under Overgange, andelen med 0 dage uden tilbud",
        "av de överlämningar som räknas under Överlämningar, andelen med 0 dagar utan insats",
        "of the handovers counted in handovers, the share with 0 days without any programme",
    ),
}

# The next steps the provider proposed (reporting's GET /figures/next-step-proposals); a decline
# reason in words is the catalogue's code kind ``handover_decline_reason``.
PROPOSAL_FIGURES: dict[str, Figure] = {
    "proposals": Figure(Text("Foreslåede næste trin", "Föreslagna nästa steg", "Next steps proposed")),
    "accepted": Figure(
        Text("Henvist videre som foreslået", "Remitterade vidare som föreslaget", "Referred on as proposed")
    ),
    "declined": Figure(Text("Afvist af sagsbehandleren", "Avböjda av handläggaren", "Declined by the caseworker")),
    "declined_by_reason.<decline_reason>": Figure(Text("Afvist: årsag", "Avböjda: skäl", "Declined: reason")),
    "withdrawn": Figure(Text("Trukket tilbage af udbyderen", "Återkallade av anordnaren", "Withdrawn by the provider")),
    "open": Figure(Text("Endnu ikke besluttet", "Ännu inte beslutade", "Not decided yet")),
    "median_days_to_decision": Figure(
        Text(
            "Dage fra forslag til beslutning: median",
            "Dagar från förslag till beslut: median",
            "Days from proposal to decision: median",
        ),
        "days",
    ),
}

PROPOSAL_DEFINITIONS: dict[str, Text] = {
    "proposals": Text(
        "næste trin, som udbyderen foreslog på en dag i perioden, hver talt én gang efter, hvad der er blevet af det",
        "nästa steg som anordnaren föreslog en dag under perioden, vart och ett räknat en gång efter vad som blivit "
        "av det",
        "next steps the provider proposed on a day in the period, each counted once by what has become of it",
    ),
    "declined": Text(
        "af dem: afvist af den henvisende sagsbehandler med en kodet årsag",
        "av dem: avböjda av den remitterande handläggaren med ett kodat skäl",
        "of those, declined by the referring caseworker with a coded reason",
    ),
    "median_days_to_decision": Text(
        "over de besluttede (henvist videre, afvist, trukket tilbage): medianen af dagene fra forslagets dag "
        "til beslutningens dag",
        "över de beslutade (remitterade vidare, avböjda, återkallade): medianen av dagarna från förslagets dag "
        "till beslutets dag",
        "over the decided (referred on, declined, withdrawn): the median of the days from the proposal's day to "
        "the decision's day",
    ),
}

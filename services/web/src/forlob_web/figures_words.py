"""The words of the figures page, the attendance statement's chart and the specialist's home."""

from __future__ import annotations

from forlob_shared.texts import Text

FIGURES_MESSAGES: dict[str, Text] = {
    # the figures page
    "figures.title": Text("Nøgletal", "Nyckeltal", "Figures"),
    "figures.from": Text("Fra", "Från", "From"),
    "figures.to": Text("Til", "Till", "To"),
    "figures.show": Text("Vis", "Visa", "Show"),
    "figures.csv": Text("Hent som CSV", "Hämta som CSV", "Download as CSV"),
    "figures.none": Text("Ingen tal for perioden.", "Inga siffror för perioden.", "No figures for the period."),
    "figures.charts": Text("Grafer", "Diagram", "Charts"),
    "chart.waiting-list": Text("Venteliste pr. uge", "Väntelista per vecka", "Waiting list per week"),
    "chart.occupancy": Text("Belægning pr. dag", "Beläggning per dag", "Occupancy per day"),
    "chart.attendance": Text("Fremmøde pr. uge", "Närvaro per vecka", "Attendance per week"),
    "chart.outcomes": Text("Udfald", "Utfall", "Outcomes"),
    "figures.period": Text(
        "{start} til {end}, sammenlignet med {before_start} til {before_end}",
        "{start} till {end}, jämfört med {before_start} till {before_end}",
        "{start} to {end}, compared with {before_start} to {before_end}",
    ),
    "figures.referred_by": Text("henvist af {org}", "remitterade av {org}", "referred by {org}"),
    "figures.previous": Text("Forrige periode: {value}", "Föregående period: {value}", "Previous period: {value}"),
    "figures.no_previous": Text(
        "Intet tal for forrige periode", "Ingen siffra för föregående period", "No figure for the previous period"
    ),
    "figures.up": Text("op {change}", "upp {change}", "up {change}"),
    "figures.down": Text("ned {change}", "ned {change}", "down {change}"),
    "figures.same": Text("uændret", "oförändrat", "unchanged"),
    "figures.better": Text("bedre", "bättre", "better"),
    "figures.worse": Text("dårligere", "sämre", "worse"),
    "figures.points": Text("procentpoint", "procentenheter", "percentage points"),
    "figures.all": Text("Alle tal for {programme}", "Alla siffror för {programme}", "Every figure for {programme}"),
    "figures.ips": Text("IPS-troskab", "IPS-trohet", "IPS fidelity"),
    "figures.ips_hint": Text(
        "De punkter på IPS-troskabsskalaen, som registreringerne viser, for organisationens IPS-forløb.",
        "De punkter på IPS-trohetsskalan som registreringarna visar, för organisationens IPS-insatser.",
        "The items of the IPS fidelity scale the records show, for the organisation's IPS programmes.",
    ),
    "figures.clarification": Text("Afklaringsresultater", "Utredningsresultat", "Clarification results"),
    "figures.clarification_hint": Text(
        "Hvad afklaringsforløbene anbefalede jobcentret, som træffer afgørelsen.",
        "Vad utredningsinsatserna rekommenderade arbetsförmedlingen, som fattar beslutet.",
        "What clarification courses recommended to the jobcentre, which keeps the decision.",
    ),
    "figures.handovers": Text(
        "Overgange mellem to trin", "Överlämningar mellan två steg", "Handovers between two steps"
    ),
    "figures.handovers_hint": Text(
        "Pr. par af forløb: dage uden tilbud mellem det ene trin og det næste, og andelen uden pause.",
        "Per par av insatser: dagar utan insats mellan ett steg och nästa, och andelen utan uppehåll.",
        "Per pair of programmes: days without any programme between one step and the next, and the share with no gap.",
    ),
    "figures.proposals": Text("Foreslåede næste trin", "Föreslagna nästa steg", "Next steps proposed"),
    "figures.proposals_hint": Text(
        "Pr. forløb: de næste trin, udbyderen foreslog i perioden, og hvad der blev af dem.",
        "Per insats: de nästa steg som anordnaren föreslog under perioden, och vad som blev av dem.",
        "Per programme: the next steps the provider proposed in the period, and what became of them.",
    ),
    "figures.chart_open": Text("Åbn som SVG", "Öppna som SVG", "Open as SVG"),
    "figures.chart_png": Text("Hent som PNG", "Hämta som PNG", "Download as PNG"),
    "figures.overdue": Text("Advarsler over fristen", "Varningar efter tidsfristen", "Alerts overdue"),
    "figures.overdue_none": Text(
        "Ingen åbne advarsler er over fristen.",
        "Inga öppna varningar har passerat tidsfristen.",
        "No open alert is overdue.",
    ),
    "figures.alert": Text("Advarsel", "Varning", "Alert"),
    "figures.participant": Text("Deltager", "Deltagare", "Participant"),
    "figures.programme": Text("Forløb", "Insats", "Programme"),
    "figures.due": Text("Frist", "Tidsfrist", "Deadline"),
    "figures.recipient": Text("Hos", "Hos", "With"),
    "figures.escalated": Text("eskaleret til {who}", "eskalerad till {who}", "escalated to {who}"),
    "figures.links": Text("Hent og se", "Hämta och se", "Download and view"),
    # the attendance statement's chart, in the closing note and its printout
    "statement.chart": Text(
        "Aftalte og fremmødte timer pr. uge",
        "Avtalade och närvarotimmar per vecka",
        "Agreed and attended hours per week",
    ),
    "statement.chart_alt": Text(
        "Søjlediagram over {weeks} uger: {agreed} aftalte timer, {attended} fremmødte timer i alt, fremmøde {rate}.",
        "Stapeldiagram över {weeks} veckor: {agreed} avtalade timmar, {attended} närvarotimmar totalt, närvaro {rate}.",
        "Bar chart of {weeks} weeks: {agreed} agreed hours, {attended} attended hours in all, attendance {rate}.",
    ),
    "referral.start_date": Text("Startede", "Startade", "Started"),
    "statement.print": Text("Udskriv afslutningsnotatet", "Skriv ut slutanteckningen", "Print the closing note"),
    "statement.pdf": Text(
        "Hent afslutningsnotatet som PDF", "Hämta slutanteckningen som PDF", "Download the closing note as PDF"
    ),
    # the specialist's home
    "nav.specialist": Text("Mine deltagere", "Mina deltagare", "My participants"),
    "specialist.title": Text("Specialistnotater", "Specialistanteckningar", "Specialist notes"),
    "specialist.awaiting": Text("Venter på et notat", "Väntar på en anteckning", "Awaiting a note"),
    "specialist.awaiting_hint": Text(
        "Afslutningsmødet er booket, og der er endnu intet specialistnotat til afslutningsnotatet.",
        "Avslutningsmötet är bokat och det finns ännu ingen specialistanteckning till slutanteckningen.",
        "The closing meeting is booked and no specialist has written a note for the closing note yet.",
    ),
    "specialist.none_awaiting": Text(
        "Intet forløb venter på et notat.", "Ingen insats väntar på en anteckning.", "No course awaits a note."
    ),
    "specialist.mine": Text("Deltagere du skriver for", "Deltagare du skriver för", "Participants you write for"),
    "specialist.none_mine": Text(
        "Du har ikke skrevet notater i et igangværende forløb.",
        "Du har inte skrivit anteckningar i en pågående insats.",
        "You have written no note in a running course.",
    ),
    "specialist.notes": Text("Dine seneste notater", "Dina senaste anteckningar", "Your recent notes"),
    "specialist.no_notes": Text("Ingen notater endnu.", "Inga anteckningar ännu.", "No notes yet."),
    "specialist.others": Text(
        "Andre igangværende forløb ({count})", "Andra pågående insatser ({count})", "Other running courses ({count})"
    ),
    "specialist.write": Text("Skriv et notat", "Skriv en anteckning", "Write a note"),
    "specialist.started": Text("startede {day}", "startade {day}", "started {day}"),
    "specialist.closing_meeting": Text("afslutningsmøde {at}", "avslutningsmöte {at}", "closing meeting {at}"),
    "specialist.last_note": Text("dit seneste notat {at}", "din senaste anteckning {at}", "your last note {at}"),
}

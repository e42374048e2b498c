"""The data protection officer's page's own words (Danish, Swedish, English), kept apart from the
pages' main catalogue and merged into it (forlob_web.i18n)."""

from __future__ import annotations

from forlob_shared.texts import Text

DPO_MESSAGES: dict[str, Text] = {
    "nav.dpo": Text("Databeskyttelse", "Dataskydd", "Data protection"),
    "dpo.title": Text("Den registreredes rettigheder", "Den registrerades rättigheter", "Data subjects' rights"),
    "dpo.find": Text("Find deltager", "Hitta deltagare", "Find a participant"),
    "dpo.identity_number": Text("CPR-/personnummer", "Personnummer", "Identity number"),
    "dpo.purpose": Text("Formål (logges)", "Syfte (loggas)", "Purpose (logged)"),
    "dpo.or_participant": Text("eller deltager-id", "eller deltagar-id", "or participant id"),
    "dpo.show": Text("Vis indsigt", "Visa registerutdrag", "Show access export"),
    "dpo.export": Text("Indsigt (art. 15)", "Registerutdrag (art. 15)", "Access export (Art. 15)"),
    "dpo.download": Text("Hent som JSON", "Ladda ner som JSON", "Download as JSON"),
    "dpo.service": Text("Tjeneste", "Tjänst", "Service"),
    "dpo.category": Text("Kategori", "Kategori", "Category"),
    "dpo.records": Text("Poster", "Poster", "Records"),
    "dpo.retention": Text("Opbevares", "Bevaras", "Kept"),
    "dpo.on_erasure": Text("Ved sletning", "Vid radering", "On erasure"),
    "dpo.erase": Text(
        "Slet personoplysninger (art. 17)", "Radera personuppgifter (art. 17)", "Erase personal data (Art. 17)"
    ),
    "dpo.erased": Text(
        "Personoplysningerne er slettet.", "Personuppgifterna är raderade.", "The personal data is erased."
    ),
    "dpo.refused": Text(
        "Kan ikke slettes endnu: {reason}", "Kan inte raderas ännu: {reason}", "Cannot be erased yet: {reason}"
    ),
    "dpo.refused_until": Text(
        "Kan ikke slettes før {day}: {reason}",
        "Kan inte raderas före {day}: {reason}",
        "Cannot be erased before {day}: {reason}",
    ),
}

"""The words of the text-message consent on the referral page, in Danish, Swedish and English. Part
of the pages' catalogue (forlob_web.i18n.MESSAGES); the codes' own words (agreed or declined, the
languages, in person or by phone) are the shared catalogue's."""

from __future__ import annotations

from forlob_shared.texts import Text

SMS_MESSAGES: dict[str, Text] = {
    "sms.title": Text("Sms til deltageren", "Sms till deltagaren", "Text messages to the participant"),
    "sms.hint": Text(
        "Med deltagerens samtykke sendes en påmindelse aftenen før og et spørgsmål ved udeblivelse. "
        "Deltageren kan altid svare STOP. Nummeret vises aldrig helt igen.",
        "Med deltagarens samtycke skickas en påminnelse kvällen före och en fråga vid utebliven närvaro. "
        "Deltagaren kan alltid svara STOPP. Numret visas aldrig helt igen.",
        "With the participant's consent, a reminder goes out the evening before and a question when they "
        "do not arrive. The participant can always reply STOP. The number is never shown in full again.",
    ),
    "sms.never_asked": Text(
        "Deltageren er ikke spurgt endnu.",
        "Deltagaren har inte tillfrågats ännu.",
        "The participant has not been asked yet.",
    ),
    "sms.number": Text("Mobilnummer", "Mobilnummer", "Mobile number"),
    "sms.language": Text("Sprog i beskederne", "Språk i meddelandena", "Language of the messages"),
    "sms.channel": Text("Samtykke givet", "Samtycke givet", "Consent given"),
    "sms.withdraw_channel": Text("Frameldt", "Avböjt", "Withdrawn"),
    "sms.changed": Text("Ændret", "Ändrat", "Changed"),
    "sms.history": Text("Tidligere", "Tidigare", "Earlier"),
    "sms.opt_in": Text("Registrér samtykke", "Registrera samtycke", "Record consent"),
    "sms.change": Text("Skift nummer eller sprog", "Byt nummer eller språk", "Change the number or the language"),
    "sms.withdraw": Text("Frameld sms", "Avböj sms", "Withdraw consent"),
    "sms.recorded": Text(
        "Samtykket til sms er registreret.",
        "Samtycket till sms är registrerat.",
        "The consent to text messages is recorded.",
    ),
    "sms.withdrawn": Text(
        "Der sendes ikke flere sms'er til deltageren.",
        "Inga fler sms skickas till deltagaren.",
        "No more text messages go to the participant.",
    ),
    "sms.fix": Text(
        "Udfyld mobilnummer, sprog og hvordan samtykket blev givet.",
        "Fyll i mobilnummer, språk och hur samtycket gavs.",
        "Fill in the mobile number, the language and how the consent was given.",
    ),
    "sms.number_refused": Text(
        "Nummeret er ikke et dansk eller svensk mobilnummer.",
        "Numret är inte ett danskt eller svenskt mobilnummer.",
        "The number is not a Danish or Swedish mobile number.",
    ),
}

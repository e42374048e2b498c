"""Words for the codes of text messages to participants (forlob_shared.events.sms) as staff read
them: a participant's coded reply, and the contact attempts a reply becomes in attendance."""

from __future__ import annotations

from forlob_shared.texts.language import Text

SMS_CODES: dict[str, dict[str, Text]] = {
    # forlob_shared.events.sms.SmsReplyCode: what the participant answered, never the text itself
    "sms_reply": {
        "sick": Text("Syg", "Sjuk", "Sick"),
        "on_my_way": Text("På vej", "På väg", "On my way"),
        "doctor": Text("Hos lægen", "Hos läkaren", "At the doctor's"),
        "other_call_me": Text("Andet, ring til mig", "Annat, ring mig", "Other, call me"),
        "stop": Text("Ønsker ikke flere sms'er", "Vill inte ha fler sms", "No more text messages"),
        "unknown": Text("Svar kunne ikke læses", "Svaret kunde inte läsas", "Reply not understood"),
    },
}

# The contact attempts a reply by text becomes (forlob_attendance.domain.sms.TEXT_OUTCOMES); the
# catalogue's "contact_outcome" takes them beside the outcomes staff record.
TEXT_CONTACT_OUTCOMES: dict[str, Text] = {
    "reason_given_by_text": Text("Årsag oplyst pr. sms", "Orsak angiven via sms", "Reason given by text"),
    "on_my_way": Text("Svarede pr. sms: på vej", "Svarade via sms: på väg", "Replied by text: on my way"),
    "asked_to_be_called": Text(
        "Bad pr. sms om at blive ringet op", "Bad via sms att bli uppringd", "Asked by text to be called"
    ),
}

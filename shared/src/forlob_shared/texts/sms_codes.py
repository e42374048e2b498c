"""Words for the text messages' codes a person reads: the consent (status, how), why a message
was not sent, a participant's coded reply (never its text), and the contact attempts a reply
becomes in attendance."""

from __future__ import annotations

from forlob_shared.texts.language import Text

SMS_CODES: dict[str, dict[str, Text]] = {
    # forlob_shared.events.sms.SmsConsentStatus
    "sms_consent_status": {
        "opted_in": Text("Har sagt ja til sms", "Har sagt ja till sms", "Agreed to text messages"),
        "opted_out": Text("Har frameldt sms", "Har avböjt sms", "Declined text messages"),
    },
    # forlob_shared.events.sms.SmsConsentChannel
    "sms_consent_channel": {
        "in_person": Text("Personligt", "Personligen", "In person"),
        "phone": Text("Telefon", "Telefon", "Phone"),
        "web": Text("Web", "Webb", "Web"),
        "sms_stop": Text("Svarede STOP på sms", "Svarade STOPP på sms", "Replied STOP by text"),
    },
    # forlob_referral.domain.sms_catalogue.SmsLanguage: the language a participant's messages are in
    "sms_language": {
        "da": Text("Dansk", "Danska", "Danish"),
        "sv": Text("Svensk", "Svenska", "Swedish"),
        "en": Text("Engelsk", "Engelska", "English"),
        "ar": Text("Arabisk", "Arabiska", "Arabic"),
        "so": Text("Somali", "Somaliska", "Somali"),
        "uk": Text("Ukrainsk", "Ukrainska", "Ukrainian"),
        "ti": Text("Tigrinya", "Tigrinja", "Tigrinya"),
    },
    # forlob_referral.domain.sms.SmsSkipReason
    "sms_skip_reason": {
        "no_consent": Text("Intet samtykke til sms", "Inget samtycke till sms", "No consent to text messages"),
        "opted_out": Text("Har frameldt sms", "Har avböjt sms", "Declined text messages"),
        "expired": Text("For sent at sende", "För sent att skicka", "Too late to send"),
        "gateway_refused": Text("Afvist af sms-tjenesten", "Avvisat av sms-tjänsten", "Refused by the SMS service"),
        "too_many_attempts": Text(
            "Sms-tjenesten svarede ikke", "Sms-tjänsten svarade inte", "The SMS service did not answer"
        ),
    },
    # forlob_shared.events.sms.SmsReplyCode: what the participant answered, never the text itself
    "sms_reply_code": {
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

"""Words for the text messages' codes a person reads: the consent (status, how), why a message
was not sent, and a reply's code. The languages are named in their catalogues."""

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
    # forlob_shared.events.sms.SmsReplyCode
    "sms_reply_code": {
        "sick": Text("Syg", "Sjuk", "Sick"),
        "on_my_way": Text("På vej", "På väg", "On the way"),
        "doctor": Text("Læge eller anden aftale", "Läkare eller annan tid", "Doctor or other appointment"),
        "other_call_me": Text("Andet - ring op", "Annat - ring upp", "Other - call back"),
        "stop": Text("Frameldte sms", "Avböjde sms", "Stopped text messages"),
        "unknown": Text("Uklart svar - ring op", "Oklart svar - ring upp", "Unclear reply - call back"),
    },
}

"""A participant's mobile number: validated and kept in E.164 (``+4512345678``) with Google's
libphonenumber rules (the ``phonenumbers`` package). The number is personal data: it is never
echoed in an error, a log line or an event; a person sees it masked (``+45 •• •• •• 78``)."""

from __future__ import annotations

import phonenumbers

from forlob_shared.errors import InvalidInput

# The countries whose mobile numbers a provider records today; a number written without its
# country code is read as the provider's country's.
SUPPORTED_REGIONS = frozenset({"DK", "SE"})
_MOBILE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def normalise_mobile(raw: str, default_region: str = "DK") -> str:
    """``raw`` (``+45 12 34 56 78``, ``0046 70-123 45 67``, ``070 123 45 67`` in Sweden) in E.164.

    Raises :class:`InvalidInput` (naming the field, never the number) for anything that is not a
    valid Danish or Swedish mobile number."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidInput("the mobile number is not a phone number", field="mobile_number") from None
    region = phonenumbers.region_code_for_number(parsed)
    if region not in SUPPORTED_REGIONS:
        raise InvalidInput("the mobile number must be Danish (+45) or Swedish (+46)", field="mobile_number")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("the mobile number is not a valid number", field="mobile_number")
    if phonenumbers.number_type(parsed) not in _MOBILE:
        raise InvalidInput("the number is not a mobile number (text messages need one)", field="mobile_number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def msisdn_to_e164(msisdn: int | str) -> str | None:
    """A gateway's MSISDN (``4512345678``, no plus) in E.164, or None if it is no valid number."""
    digits = str(msisdn).strip().lstrip("+")
    if not digits.isdigit():
        return None
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def e164_to_msisdn(number: str) -> int:
    """E.164 as the gateway's MSISDN: the digits, country code first."""
    return int(number.lstrip("+"))


def masked(number: str) -> str:
    """The country code and the last two digits, for a person to recognise a number they typed."""
    return f"{number[:3]} •• •• •• {number[-2:]}"

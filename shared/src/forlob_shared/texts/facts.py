"""An alert's facts, instants and days as a person reads them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from forlob_shared.texts.codes import code_text
from forlob_shared.texts.language import DEFAULT_LANGUAGE

# Which catalogue names a fact's value (facts not named here are numbers, dates or ids).
FACT_VALUE_CODES = {
    "reason": "absence_reason",
    "rule": "breach_rule",
    "outcome": "outcome",
    "legal_basis": "legal_basis",
    "replied_by_text": "sms_reply_code",
}

# The facts of an alert a person reads, in this order (ids and internal details stay out).
FACTS_SHOWN = (
    "minutes_missed",
    "agreed_minutes",
    "arrived_at",
    "reason_given_at",
    "contact_attempts",
    "replied_by_text",
    "reason",
    "rule",
    "unexcused_absences",
    "window",
    "outcome",
    "legal_basis",
)


def fact_text(name: str, value: object, lang: str = DEFAULT_LANGUAGE, zone: ZoneInfo | None = None) -> str:
    """A fact's value as a person reads it: a code in words, a period ``first..last`` as dates,
    an instant (``..._at``) in the provider's local time (``zone``, else Copenhagen)."""
    domain = FACT_VALUE_CODES.get(name)
    if domain is not None and isinstance(value, str):
        return code_text(domain, value, lang)
    if name.endswith("_at") and isinstance(value, str):
        try:
            return instant_text(datetime.fromisoformat(value), lang, zone)
        except ValueError:
            return value
    if name == "window" and isinstance(value, str) and ".." in value:
        first, _, last = value.partition("..")
        return f"{day_text(first, lang)} - {day_text(last, lang)}"
    return "-" if value is None else str(value)


_AT = {"da": "%d.%m.%Y kl. %H:%M", "sv": "%Y-%m-%d kl. %H:%M", "en": "%d %b %Y at %H:%M"}


def instant_text(instant: datetime, lang: str = DEFAULT_LANGUAGE, zone: ZoneInfo | None = None) -> str:
    """A moment as each language writes it, on the provider's clock."""
    return instant.astimezone(zone or ZoneInfo("Europe/Copenhagen")).strftime(_AT.get(lang, _AT[DEFAULT_LANGUAGE]))


def day_text(iso: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as each language writes it: 23.11.2026 (Danish, English), 2026-11-23 (Swedish)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return day.isoformat() if lang == "sv" else day.strftime("%d.%m.%Y")

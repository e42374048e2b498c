"""The three languages and a text in each."""

from __future__ import annotations

from typing import NamedTuple

LANGUAGES = ("da", "sv", "en")
DEFAULT_LANGUAGE = "da"
# The language of a provider's country: e-mails go out in it.
COUNTRY_LANGUAGE = {"DK": "da", "SE": "sv"}


class Text(NamedTuple):
    da: str
    sv: str
    en: str

    def in_language(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE))


def language_of_country(country: str | None) -> str:
    return COUNTRY_LANGUAGE.get((country or "").upper(), DEFAULT_LANGUAGE)

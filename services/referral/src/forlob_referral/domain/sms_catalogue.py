"""The text messages' words: one catalogue file per language in ``sms_texts/`` (JSON, UTF-8), so a
provider can have each reviewed by a speaker of the language without reading code.

A file holds the four templates, the date formats, and the words a reply may use for each
numbered answer and for STOP. Placeholders are ``{when}`` (``{date}`` with or without
``{time}``), filled here; a rendered message must have none left (tested for every template in
every language). No template names the programme, the provider or the person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from forlob_shared.events.sms import SmsReplyCode, SmsTemplate

TEXTS = Path(__file__).with_name("sms_texts")


class SmsLanguage(StrEnum):
    DA = "da"
    SV = "sv"
    EN = "en"
    AR = "ar"
    SO = "so"
    UK = "uk"
    TI = "ti"


@dataclass(frozen=True)
class Catalogue:
    language: SmsLanguage
    formats: dict[str, str]
    templates: dict[SmsTemplate, str]
    answers: dict[SmsReplyCode, tuple[str, ...]]
    number_words: tuple[str, ...]  # the words for 1, 2, 3, 4

    def render(self, template: SmsTemplate, day: date, local_time: str | None) -> str:
        day_text = self.formats["date"].format(d=day.day, m=day.month)
        if local_time:
            when = self.formats["when_time"].format(date=day_text, time=local_time)
        else:
            when = self.formats["when_day"].format(date=day_text)
        return self.templates[template].format(when=when)


@cache
def catalogue(language: SmsLanguage | str) -> Catalogue:
    lang = SmsLanguage(language)
    raw = json.loads((TEXTS / f"{lang.value}.json").read_text(encoding="utf-8"))
    return Catalogue(
        language=lang,
        formats=dict(raw["formats"]),
        templates={SmsTemplate(k): v for k, v in raw["templates"].items()},
        answers={SmsReplyCode(k): tuple(v) for k, v in raw["answers"].items()},
        number_words=tuple(raw["number_words"]),
    )


def render(template: SmsTemplate, language: SmsLanguage | str, day: date, local_time: str | None) -> str:
    return catalogue(language).render(template, day, local_time)


def every_catalogue() -> list[Catalogue]:
    return [catalogue(lang) for lang in SmsLanguage]

"""Codes left raw in a text a person reads: what the tests look for on pages and in e-mails."""

from __future__ import annotations

import re

from forlob_shared.texts.codes import CODES
from forlob_shared.texts.figures import FIGURES

# What a code looks like where a person should read words: snake_case, or a dotted key.
_RAW = re.compile(r"\b[a-z_][a-z0-9_]+(?:\.[a-z_][a-z0-9_]+)+\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Addresses are not codes: a link or an e-mail address is left out before looking.
_ADDRESSES = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+")


# Domains whose codes are also everyday words in the pages' languages (ISO 639: Danish "en", "da",
# "ti"), so a page could not be searched for them raw; their words are tested per code instead.
_WORDLIKE = {"sms_language"}


def every_code() -> set[str]:
    return {code for domain, codes in CODES.items() if domain not in _WORDLIKE for code in codes} | set(FIGURES)


def raw_codes(text: str, *, also: set[str] | None = None) -> list[str]:
    """Codes left raw in ``text`` a person reads (the visible text of a page, an e-mail): any
    snake_case word or dotted key, and any of ``also`` standing as a word of its own (links and
    e-mail addresses left out)."""
    text = _ADDRESSES.sub(" ", text)
    found = set(_RAW.findall(text))
    for code in also or set():
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.add(code)
    return sorted(found)

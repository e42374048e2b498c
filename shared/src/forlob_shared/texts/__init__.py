"""Words for the codes people read, in Danish, Swedish and English: one catalogue for the web's
pages and the notifications service's e-mails, so a code is never shown raw and never named two
ways.

Codes travel between the services and to partners as they are (``ordinary_employment``,
``partly_achieved``, ``closing_note_ready``); where a person reads one, it goes through
:func:`code_text`. Each service's tests check that every value of its enums has a text here in
every language (``tests/contract/test_texts.py``), so a new code without words fails a test
rather than reaching a page.
"""

from forlob_shared.texts.codes import CODES, MissingText, code_text
from forlob_shared.texts.definitions import DEFINITIONS, definition
from forlob_shared.texts.facts import FACT_VALUE_CODES, FACTS_SHOWN, day_text, fact_text, instant_text
from forlob_shared.texts.figures import (
    FIGURE_FAMILIES,
    FIGURES,
    UNITS,
    Figure,
    Unit,
    figure,
    figure_name,
    unit_text,
)
from forlob_shared.texts.language import COUNTRY_LANGUAGE, DEFAULT_LANGUAGE, LANGUAGES, Text, language_of_country
from forlob_shared.texts.raw import every_code, raw_codes

__all__ = [
    "CODES",
    "COUNTRY_LANGUAGE",
    "DEFAULT_LANGUAGE",
    "DEFINITIONS",
    "FACTS_SHOWN",
    "FACT_VALUE_CODES",
    "FIGURES",
    "FIGURE_FAMILIES",
    "LANGUAGES",
    "UNITS",
    "Figure",
    "MissingText",
    "Text",
    "Unit",
    "code_text",
    "day_text",
    "definition",
    "every_code",
    "fact_text",
    "figure",
    "figure_name",
    "instant_text",
    "language_of_country",
    "raw_codes",
    "unit_text",
]

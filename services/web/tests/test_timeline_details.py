"""The facts beside the partner notices that had too few: a change of the agreed hours says from
when, a spell of work that ended says its first and last day, and contact re-established after an
unexplained absence says how (and the coded reason, if one was given), in the reader's language; a
code the catalogue does not know falls back to itself, a fact missing leaves no dangling words."""

from __future__ import annotations

import pytest

from forlob_shared.texts import every_code, raw_codes
from forlob_web.timeline import told_detail
from forlob_web.web import Web


@pytest.mark.parametrize(
    ("lang", "said"), [("da", "8,0 → 12,0 h · fra 07.12.2026"), ("en", "8.0 → 12.0 h · from 07.12.2026")]
)
def test_a_change_of_the_agreed_hours_says_from_when(lang: str, said: str) -> None:
    data = {"previous_weekly_minutes": 480, "agreed_weekly_minutes": 720, "effective_from": "2026-12-07"}
    assert told_detail("programme.agreed_hours_changed", data, Web.words(lang)) == said
    without = data | {"effective_from": None}
    assert told_detail("programme.agreed_hours_changed", without, Web.words(lang)) == said.split(" · ")[0]


def test_work_that_ended_says_its_first_and_last_day() -> None:
    data = {"kind": "education", "start_date": "2026-10-01", "end_date": "2026-11-20"}
    ended = told_detail("employment.job_ended", data, Web.words("da"))
    assert ended == "Uddannelse · 01.10.2026 - 20.11.2026", ended
    started = told_detail("employment.job_started", data, Web.words("da"))
    assert started.endswith("01.10.2026"), started
    assert "20.11.2026" not in started


@pytest.mark.parametrize(
    ("lang", "late", "reached"),
    [
        ("da", "Deltageren mødte senere", "Årsag oplyst · Sygdom"),
        ("en", "The participant arrived late", "A reason was given · Illness"),
    ],
)
def test_contact_reestablished_says_how(lang: str, late: str, reached: str) -> None:
    words = Web.words(lang)
    assert told_detail("absence.contact_reestablished", {"how": "late_arrival"}, words) == late
    given = told_detail("absence.contact_reestablished", {"how": "reason_given", "reason": "illness"}, words)
    assert given == reached
    assert raw_codes(given, also=every_code() if lang != "en" else set()) == [], given


def test_contact_reestablished_with_an_unknown_or_no_how() -> None:
    words = Web.words("en")
    assert told_detail("absence.contact_reestablished", {"how": "by_pigeon"}, words) == "by_pigeon"
    assert told_detail("absence.contact_reestablished", {}, words) == ""

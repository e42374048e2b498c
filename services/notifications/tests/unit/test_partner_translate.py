"""Internal events become partner events with the fields the referring organisation is entitled
to, and nothing of the provider's own: no staff ids, no rules, no opening hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from uuid import uuid4

from forlob_notifications.partners import translate
from forlob_shared import events as internal
from forlob_shared import partner
from forlob_shared.events.common import AttendanceRules, Outcome, TimeWindow

NOW = datetime(2026, 11, 30, 7, tzinfo=UTC)
MORNINGS = [TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5)]
ABOUT = {
    "referral_id": uuid4(),
    "participant_id": uuid4(),
    "programme_code": "RCA-UDV-13",
    "referring_org": "jobcenter-aalborg",
    "provider_org": "rca-aalborg",
}


def _started() -> internal.ProgrammeStarted:
    return internal.ProgrammeStarted(
        **ABOUT,
        start_date=date(2026, 11, 30),
        planned_end_date=date(2027, 2, 26),
        schedule=MORNINGS,
        opening_hours=MORNINGS,
        timezone="Europe/Copenhagen",
        country="DK",
        contact_person_id="kp-1",
        team_leader_id="tl-1",
        caseworker_id="cw-7",
        legal_basis="LAB-32-1-2",
        rules=AttendanceRules(),
        started_at=NOW,
    )


def test_a_start_tells_the_agreed_hours_and_no_staff() -> None:
    [started] = translate.milestones(_started())
    assert isinstance(started, partner.CourseStarted)
    assert started.agreed_weekly_minutes == 5 * 4 * 60
    assert [(w.weekday, w.start, w.end) for w in started.agreed_schedule] == [(d, time(8), time(12)) for d in range(5)]
    wire = started.model_dump_json()
    for staff in ("kp-1", "tl-1", "cw-7"):
        assert staff not in wire
    assert "rules" not in wire
    assert "opening_hours" not in wire


def test_an_agreement_that_keeps_the_hours_is_not_news() -> None:
    change = internal.AgreementChanged(
        **ABOUT,
        effective_from=date(2026, 12, 7),
        schedule=list(reversed(MORNINGS)),  # the same windows in another order
        contact_person_id="kp-2",
        changed_at=NOW,
    )
    assert translate.agreed_hours_changed(change, MORNINGS) is None
    longer = change.model_copy(update={"schedule": [TimeWindow(weekday=0, start=time(8), end=time(14))]})
    told = translate.agreed_hours_changed(longer, MORNINGS)
    assert told is not None
    assert (told.agreed_weekly_minutes, told.previous_weekly_minutes) == (360, 1200)
    assert "kp-2" not in told.model_dump_json()


def test_a_reschedule_says_which_way_and_an_end_brings_the_closing_note() -> None:
    shorter = internal.ProgrammeRescheduled(
        **ABOUT,
        previous_end_date=date(2027, 2, 26),
        planned_end_date=date(2027, 1, 29),
        change="shortened",
        changed_at=NOW,
    )
    [rescheduled] = translate.milestones(shorter)
    assert isinstance(rescheduled, partner.CourseRescheduled)
    assert rescheduled.change == "shortened"
    ended = internal.ProgrammeEnded(
        **ABOUT,
        start_date=date(2026, 11, 30),
        end_date=date(2027, 1, 29),
        outcome=Outcome.EDUCATION,
        ended_at=NOW,
    )
    assert [type(e) for e in translate.milestones(ended)] == [partner.CourseEnded, partner.ClosingNoteAvailable]


def test_the_provider_s_day_to_day_becomes_nothing() -> None:
    detected = internal.AbsenceDetected(
        **ABOUT,
        absence_id=uuid4(),
        day=date(2026, 12, 1),
        expected_at=NOW,
        detected_at=NOW,
    )
    assert translate.milestones(detected) == []  # an absence reaches a partner only as the policy's notice

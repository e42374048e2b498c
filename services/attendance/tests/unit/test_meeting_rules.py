"""The meetings shape's pure rules: cadence reminders, meeting times, a meeting's state, and the
week's agreed minutes from planned meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from forlob_attendance.domain.meetings import (
    MeetingState,
    WrongShape,
    cadence_overdue,
    check_meeting_times,
    meeting_state,
    require_shape,
)
from forlob_attendance.domain.summary import SlotFacts, summarise_week
from forlob_shared.errors import InvalidInput
from forlob_shared.events import ProgrammeShape

START = date(2026, 11, 23)  # a Monday
END = date(2027, 2, 19)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_no_reminder_while_a_meeting_lies_within_the_interval() -> None:
    assert cadence_overdue(START, END, [START + timedelta(days=5)], 7, START + timedelta(days=10)) is None


def test_no_reminder_on_the_due_day_itself() -> None:
    assert cadence_overdue(START, END, [], 7, START + timedelta(days=7)) is None


def test_a_reminder_the_day_after_the_interval_from_the_start() -> None:
    assert cadence_overdue(START, END, [], 7, START + timedelta(days=8)) == START + timedelta(days=7)


def test_the_interval_runs_from_the_last_meeting() -> None:
    last = START + timedelta(days=9)
    assert cadence_overdue(START, END, [START + timedelta(days=2), last], 7, last + timedelta(days=7)) is None
    assert cadence_overdue(START, END, [START + timedelta(days=2), last], 7, last + timedelta(days=8)) == (
        last + timedelta(days=7)
    )


def test_a_meeting_planned_beyond_the_interval_does_not_keep_the_cadence() -> None:
    later = START + timedelta(days=20)
    assert cadence_overdue(START, END, [later], 14, START + timedelta(days=15)) == START + timedelta(days=14)


def test_every_further_interval_without_a_meeting_is_a_new_due_day() -> None:
    assert cadence_overdue(START, END, [], 7, START + timedelta(days=15)) == START + timedelta(days=14)


def test_no_reminder_for_a_due_day_after_the_course() -> None:
    assert cadence_overdue(START, START + timedelta(days=5), [], 7, START + timedelta(days=9)) is None


def test_meeting_times_are_checked() -> None:
    check_meeting_times(NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW)
    with pytest.raises(InvalidInput, match="ends before"):
        check_meeting_times(NOW + timedelta(hours=2), NOW + timedelta(hours=1), NOW)
    with pytest.raises(InvalidInput, match="ends before"):
        check_meeting_times(NOW + timedelta(hours=1), NOW + timedelta(hours=1), NOW)
    with pytest.raises(InvalidInput, match="past"):
        check_meeting_times(NOW - timedelta(hours=1), NOW + timedelta(hours=1), NOW)
    with pytest.raises(InvalidInput, match="12 hours"):
        check_meeting_times(NOW + timedelta(hours=1), NOW + timedelta(hours=14), NOW)


def test_a_meeting_s_state_from_its_slot() -> None:
    assert meeting_state("expected") is MeetingState.PLANNED
    assert meeting_state("present") is MeetingState.HELD
    assert meeting_state("absent") is MeetingState.MISSED
    assert meeting_state("excused") is MeetingState.CANCELLED
    assert meeting_state("cancelled") is MeetingState.CANCELLED


def test_a_command_of_another_shape_is_a_wrong_shape_conflict() -> None:
    require_shape("meetings", ProgrammeShape.MEETINGS, "a meeting")
    with pytest.raises(WrongShape) as refused:
        require_shape("timetabled", ProgrammeShape.MEETINGS, "a meeting")
    assert (refused.value.status, refused.value.code) == (409, "wrong-shape")


def test_the_week_agrees_the_planned_meetings_minutes_not_those_the_provider_called_off() -> None:
    hour = timedelta(hours=1)
    held = SlotFacts("present", NOW, NOW + hour, NOW, NOW + 50 * timedelta(minutes=1))
    by_participant = SlotFacts("excused", NOW + 24 * hour, NOW + 25 * hour, reason="illness")
    by_provider = SlotFacts("cancelled", NOW + 48 * hour, NOW + 49 * hour)
    missed = SlotFacts("absent", NOW + 72 * hour, NOW + 73 * hour)
    figures = summarise_week(START, [held, by_participant, by_provider, missed])
    assert (figures.agreed_minutes, figures.attended_minutes, figures.absent_minutes) == (180, 50, 130)
    assert figures.unexcused_absences == 1
    assert figures.absences_by_reason == {"illness": 1}

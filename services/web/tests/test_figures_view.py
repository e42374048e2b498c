"""The figures page's arithmetic, with no services: the period before, the change and its verdict,
which alerts are overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from forlob_web.figures_view import KeyFigure, Period, groups, overdue, period_of


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.before() == Period(date(2025, 10, 3), date(2025, 12, 31))
    assert quarter.before().days == quarter.days == 90
    assert period_of(None, None, date(2026, 12, 1)) == Period(date(2026, 9, 3), date(2026, 12, 1))
    assert period_of(None, date(2026, 3, 31), date(2026, 12, 1)).start == date(2026, 1, 1)
    assert period_of(date(2026, 11, 1), None, date(2026, 12, 1)) == Period(date(2026, 11, 1), date(2026, 12, 1))


def test_a_change_is_better_or_worse_by_the_figures_own_direction() -> None:
    assert KeyFigure("waiting_days.median", 12.5, 10.0, "down").verdict == "worse"
    assert KeyFigure("waiting_days.median", 8, 10.0, "down").verdict == "better"
    rate = KeyFigure("attendance.attendance_rate", 0.87, 0.9, "up")
    assert (rate.is_share, rate.change, rate.verdict) == (True, -3.0, "worse")  # percentage points
    assert KeyFigure("attendance.unexcused_absences", 4, 4, "down").verdict == "same"
    assert KeyFigure("occupancy.mean_occupancy", 0.8, None, "up").verdict == "none"
    assert KeyFigure("occupancy.mean_occupancy", None, 0.8, "up").change is None


def test_a_group_compares_with_its_own_row_of_the_period_before_and_shows_its_shapes_figures() -> None:
    now = [
        {"provider_org": "p", "programme_code": "A", "attendance": {"attendance_rate": 0.8}},
        {"provider_org": "p", "programme_code": "M", "meetings": {"share_held": 0.5, "planned": 4}},
    ]
    before = [{"provider_org": "p", "programme_code": "A", "attendance": {"attendance_rate": 0.7}}]
    shown = groups(now, before)
    assert [k.name for k in shown[0].key] == ["attendance.attendance_rate"]
    assert shown[0].key[0].previous == 0.7
    assert [(k.name, k.previous, k.context) for k in shown[1].key] == [
        ("meetings.share_held", None, (("meetings.planned", 4),))
    ]
    assert ("provider_org", "p") not in shown[1].every


def test_overdue_alerts_are_the_open_ones_past_their_deadline_longest_first() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    alerts = [
        {"id": "later", "state": "open", "due_at": "2026-12-01T08:30:00Z"},
        {"id": "first", "state": "open", "due_at": "2026-12-01T07:00:00+00:00"},
        {"id": "in time", "state": "open", "due_at": "2026-12-01T09:30:00+00:00"},
        {"id": "no deadline", "state": "open", "due_at": None},
        {"id": "done", "state": "acknowledged", "due_at": "2026-12-01T07:00:00+00:00"},
    ]
    assert [a["id"] for a in overdue(alerts, now)] == ["first", "later"]

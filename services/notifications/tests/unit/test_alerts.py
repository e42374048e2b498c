from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from forlob_notifications.domain.alerts import Alert, AlertKind, AlertState
from forlob_shared.errors import Conflict
from forlob_shared.events import AlertAcknowledged, AlertClosed, AlertEscalated, AlertRaised

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def absence_alert(**changes: object) -> Alert:
    alert = Alert(
        id=uuid4(),
        org="rca",
        kind=AlertKind.ABSENCE,
        cause_key=f"absence:{uuid4()}",
        cause_event_id=uuid4(),
        recipient_staff_id="kp-1",
        provider_org="rca",
        referring_org="jc",
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="P",
        raised_at=NOW,
        due_at=NOW + timedelta(minutes=30),
        notice_due_at=NOW + timedelta(hours=2),
    )
    for key, value in changes.items():
        setattr(alert, key, value)
    return alert


def test_raised_event_carries_ids_and_codes_only() -> None:
    alert = absence_alert()
    event = alert.raised()
    assert isinstance(event.data, AlertRaised)
    assert event.subject == str(alert.id)
    assert event.referring_org == "jc"
    assert event.data.due_at == NOW + timedelta(minutes=30)


def test_every_event_of_an_alert_names_the_organisation_it_is_for() -> None:
    # A caseworker's alert names the provider too; reporting counts it for the jobcentre alone.
    alert = absence_alert(org="jc", kind=AlertKind.CLOSING_NOTE_READY, due_at=NOW)
    escalated = alert.escalate("tl-1", NOW)
    acknowledged = alert.acknowledge("cw-1", NOW)
    closed = alert.close("reported", NOW)
    assert acknowledged is not None
    assert closed is not None
    for event in (alert.raised(), escalated, acknowledged, closed):
        assert (event.data.org, event.data.provider_org, event.referring_org) == ("jc", "rca", "jc")  # type: ignore[attr-defined]
    assert absence_alert().raised().data.org == "rca"  # type: ignore[attr-defined]


def test_escalates_once_when_due_and_not_before() -> None:
    alert = absence_alert()
    assert not alert.is_due(NOW + timedelta(minutes=29))
    with pytest.raises(Conflict):
        alert.escalate("tl-1", NOW + timedelta(minutes=29))
    event = alert.escalate("tl-1", NOW + timedelta(minutes=30))
    assert isinstance(event.data, AlertEscalated)
    assert (alert.level, alert.escalated_to, alert.due_at) == (1, "tl-1", None)
    assert alert.addressed_to("tl-1")
    assert alert.addressed_to("kp-1")
    assert not alert.is_due(NOW + timedelta(days=1))


def test_acknowledging_stops_escalation_and_twice_changes_nothing() -> None:
    alert = absence_alert()
    event = alert.acknowledge("kp-2", NOW)
    assert event is not None
    assert isinstance(event.data, AlertAcknowledged)
    assert alert.state is AlertState.ACKNOWLEDGED
    assert not alert.is_due(NOW + timedelta(hours=1))
    assert alert.acknowledge("kp-1", NOW + timedelta(minutes=1)) is None
    assert alert.acknowledged_by == "kp-2"


def test_closing_is_final_and_stops_everything() -> None:
    alert = absence_alert()
    event = alert.close("late_arrival", NOW)
    assert event is not None
    assert isinstance(event.data, AlertClosed)
    assert alert.close("reported", NOW) is None
    assert alert.close_reason == "late_arrival"
    assert not alert.is_due(NOW + timedelta(hours=1))
    assert not alert.notice_is_due(NOW + timedelta(hours=3))
    with pytest.raises(Conflict):
        alert.acknowledge("kp-1", NOW)


def test_notice_is_due_even_when_acknowledged_but_only_once() -> None:
    alert = absence_alert()
    alert.acknowledge("kp-1", NOW)
    assert not alert.notice_is_due(NOW + timedelta(minutes=119))
    assert alert.notice_is_due(NOW + timedelta(hours=2))
    alert.notice_sent_at = NOW + timedelta(hours=2)
    assert not alert.notice_is_due(NOW + timedelta(hours=3))


def test_the_notice_counts_the_minutes_of_the_window_missed_and_never_more() -> None:
    start = NOW  # a four-hour window, 08:00 to 12:00 UTC
    window = {"absence_id": "a", "window_end": (start + timedelta(hours=4)).isoformat()}

    def missed(now: datetime, **facts: object) -> object:
        alert = absence_alert(occurred_at=start, facts={**window, **facts})
        return alert.notice_facts(now, "LAB-32-1-2")["minutes_missed"]

    assert missed(start + timedelta(hours=2, minutes=15)) == 135  # still running: up to now
    assert missed(start + timedelta(days=3, hours=23)) == 240  # told days later: the window, no more
    assert missed(start + timedelta(days=1), arrived_at=(start + timedelta(minutes=75)).isoformat()) == 75
    assert missed(start + timedelta(days=1), arrived_at=(start + timedelta(hours=5)).isoformat()) == 240
    # without the window's end (an absence detected by an older attendance) the minutes are not known
    unknown = absence_alert(occurred_at=start, facts={"absence_id": "a"}).notice_facts(NOW, None)
    assert (unknown["minutes_missed"], unknown["agreed_minutes"]) == (None, None)


def test_a_reason_by_the_notice_deadline_means_no_notice_and_a_later_one_is_told() -> None:
    in_time = absence_alert()
    in_time.reason_given("illness", NOW + timedelta(hours=2))  # the deadline itself is in time
    assert not in_time.notice_is_due(NOW + timedelta(days=1))
    late = absence_alert()
    late.reason_given("illness", NOW + timedelta(hours=2, minutes=1))
    assert late.notice_is_due(NOW + timedelta(hours=2, minutes=1))
    facts = late.notice_facts(NOW + timedelta(hours=2, minutes=1), None)
    assert (facts["reason"], facts["reason_given_at"]) == ("illness", (NOW + timedelta(hours=2, minutes=1)).isoformat())

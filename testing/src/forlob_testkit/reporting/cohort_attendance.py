"""The synthetic cohort's attendance: each course's weeks, breaches and alerts, as events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from forlob_shared.events import (
    AgreementBreached,
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    CheckedIn,
    CheckedOut,
    EventData,
    WeekSummarised,
)
from forlob_testkit.reporting.cohort_model import (
    Alert,
    CohortBuilder,
    Emit,
    Referral,
    Week,
    utc_at,
)


def weeks_of(
    b: CohortBuilder, r: Referral, ids: dict[str, Any], emit: Emit, start: date, last: date, days_share: float
) -> None:
    rnd = b.rnd
    with_days = rnd.random() < days_share
    monday = start
    n = 0
    while monday + timedelta(days=6) <= last:
        agreed = 4 * 5 * 60
        # Hours tend to rise over the course: attendance is itself a goal.
        attended_days = min(4, max(0, round(rnd.gauss(2 + n * 0.2, 1))))
        internship = 5 * 60 if attended_days < 4 and rnd.random() < 0.15 else 0
        attended = attended_days * 5 * 60 - rnd.randrange(0, 40)
        attended = max(0, attended)
        missing = 4 - attended_days - (1 if internship else 0)
        reasons: dict[str, int] = {}
        unexcused = 0
        for _ in range(max(0, missing)):
            reason = rnd.choice(("illness", "illness", "specialist_appointment", "unexcused"))
            if reason == "unexcused":
                unexcused += 1
            else:
                reasons[reason] = reasons.get(reason, 0) + 1
        if internship:
            reasons["internship"] = 1
        week = Week(monday, agreed, attended, internship, max(0, missing) * 300, unexcused, reasons)
        summaries = [week]
        if rnd.random() < 0.1:  # first summarised with less, corrected later: the later counts
            summaries.insert(
                0,
                Week(
                    monday,
                    agreed,
                    max(0, attended - 120),
                    internship,
                    week.absent_minutes + 120,
                    unexcused + 1,
                    reasons,
                ),
            )
        for k, s in enumerate(summaries):
            at = utc_at(monday + timedelta(days=7 + k), 2)
            emit(
                at,
                WeekSummarised(
                    **ids,
                    week_start=s.week_start,
                    agreed_minutes=s.agreed_minutes,
                    attended_minutes=s.attended_minutes,
                    internship_minutes=s.internship_minutes,
                    absent_minutes=s.absent_minutes,
                    unexcused_absences=s.unexcused_absences,
                    absences_by_reason=s.absences_by_reason,
                    summarised_at=at,
                ),
            )
        r.weeks.append(week)
        if with_days:
            for d in range(attended_days):
                day = monday + timedelta(days=d)
                emit(utc_at(day, 7), CheckedIn(**ids, day=day, checked_in_at=utc_at(day, 7)))
                emit(
                    utc_at(day, 12),
                    CheckedOut(**ids, day=day, checked_out_at=utc_at(day, 12), attended_minutes=300),
                )
            r.days_attended += attended_days
        monday += timedelta(weeks=1)
        n += 1


def breaches_and_alerts(
    b: CohortBuilder, r: Referral, ids: dict[str, Any], emit: Emit, start: date, last: date
) -> None:
    rnd = b.rnd
    span = (last - start).days
    if span < 3:
        return
    for _ in range(rnd.choice((0, 0, 0, 0, 1, 2))):
        day = start + timedelta(days=rnd.randrange(2, span + 1))
        r.breach_days.append(day)
        emit(
            utc_at(day, 10),
            AgreementBreached(
                **ids,
                breach_id=b.uuid(),
                rule="unexcused_in_window",
                unexcused_absences=3,
                window_first_day=day - timedelta(days=13),
                window_last_day=day,
                absence_ids=[b.uuid() for _ in range(3)],
                detected_at=utc_at(day, 10),
            ),
        )
        caseworker_alert(b, r, "breach", utc_at(day, 10, 1))
    for _ in range(rnd.choice((0, 1, 1, 2, 3))):
        day = start + timedelta(days=rnd.randrange(0, span + 1))
        raised = utc_at(day, 7, rnd.randrange(30))
        due = raised + timedelta(minutes=30)
        alert = Alert(
            b.uuid(), r.programme.provider_org, r.referral_id, raised, due, None, None, False, r.programme.provider_org
        )
        alert_ids = _alert_ids(b, r, alert)
        emit_alert = _alert_emitter(b, r, alert)
        emit_alert(
            raised,
            AlertRaised(
                **alert_ids,
                participant_id=r.participant_id,
                kind="absence",
                cause_event_id=b.uuid(),
                recipient_staff_id=r.contact_person_id or "staff",
                raised_at=raised,
                due_at=due,
            ),
        )
        r.alerts.append(alert)
        if rnd.random() < 0.3:  # unexplained by the policy's deadline: a notice to the caseworker
            caseworker_alert(b, r, "absence_notice", raised + timedelta(hours=2))
        fate = rnd.random()
        if fate < 0.1:  # the participant arrived: closed by itself
            alert.closed_at = raised + timedelta(minutes=rnd.randrange(5, 25))
            emit_alert(alert.closed_at, AlertClosed(**alert_ids, reason="late_arrival", closed_at=alert.closed_at))
            continue
        minutes = rnd.choice((rnd.randrange(1, 30), rnd.randrange(1, 30), rnd.randrange(30, 240)))
        if fate < 0.9:
            alert.acknowledged_at = raised + timedelta(minutes=minutes, seconds=rnd.randrange(60))
        if alert.acknowledged_at is None or alert.acknowledged_at > due:
            alert.escalated = True
            emit_alert(
                due,
                AlertEscalated(**alert_ids, escalated_to="team-leader", level=1, escalated_at=due),
            )
        if alert.acknowledged_at is not None:
            emit_alert(
                alert.acknowledged_at,
                AlertAcknowledged(**alert_ids, acknowledged_by="staff", acknowledged_at=alert.acknowledged_at),
            )
            if rnd.random() < 0.1:  # acknowledged twice (two people at once): the first counts
                again = alert.acknowledged_at + timedelta(minutes=3)
                emit_alert(again, AlertAcknowledged(**alert_ids, acknowledged_by="other", acknowledged_at=again))


def _alert_ids(b: CohortBuilder, r: Referral, alert: Alert) -> dict[str, Any]:
    ids = {"alert_id": alert.alert_id, "provider_org": alert.provider_org, "referral_id": r.referral_id}
    # Some history predates alerts naming their organisation: reporting tells whose they are by
    # their kind then.
    if b.rnd.random() < 0.5:
        ids["org"] = alert.org
    return ids


def _alert_emitter(b: CohortBuilder, r: Referral, alert: Alert) -> Callable[[datetime, EventData], None]:
    def emit_alert(at: datetime, data: EventData) -> None:
        # Notifications names both organisations of the course on every alert's envelope.
        b.emit(at, data, str(alert.alert_id), r.referring_org, alert.provider_org)

    return emit_alert


def caseworker_alert(b: CohortBuilder, r: Referral, kind: str, raised: datetime) -> None:
    """An alert to the referring caseworker about the provider's course (a notice, a breach, a
    closing note): it names the provider, but it is the referring organisation's."""
    rnd = b.rnd
    alert = Alert(
        b.uuid(), r.programme.provider_org, r.referral_id, raised, None, None, None, False, r.referring_org, kind
    )
    ids = _alert_ids(b, r, alert)
    emit_alert = _alert_emitter(b, r, alert)
    emit_alert(
        raised,
        AlertRaised(
            **ids,
            participant_id=r.participant_id,
            kind=kind,
            cause_event_id=b.uuid(),
            recipient_staff_id="cw-1",
            raised_at=raised,
        ),
    )
    r.alerts.append(alert)
    if rnd.random() < 0.7:
        alert.acknowledged_at = raised + timedelta(minutes=rnd.randrange(5, 3000), seconds=rnd.randrange(60))
        emit_alert(
            alert.acknowledged_at,
            AlertAcknowledged(**ids, acknowledged_by="cw-1", acknowledged_at=alert.acknowledged_at),
        )

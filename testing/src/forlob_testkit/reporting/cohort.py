"""A synthetic cohort: referrals across programmes with waits, absences, extensions and mixed
outcomes, as the events the other services would publish, plus the ground truth they came from.

Tests publish the events and compare every figure with a value they compute from the ground
truth themselves; the rebuild bench uses the same events at a larger scale.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from forlob_shared.events import (
    AgreementBreached,
    AgreementChanged,
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    AttendanceRules,
    CheckedIn,
    CheckedOut,
    EventData,
    Outcome,
    PendingEvent,
    ProgrammeDefined,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    TimeWindow,
    WeekSummarised,
    encode,
)

# Noon UTC is the same local day in Copenhagen and Stockholm all year.
NOON = time(12, 0)
SCHEDULE = [TimeWindow(weekday=d, start=time(8, 0), end=time(13, 0)) for d in range(4)]
REFERRING = ("jobcenter-aalborg", "jobcenter-odense")
Emit = Callable[[datetime, EventData], None]


@dataclass(frozen=True)
class ProgrammeSpec:
    provider_org: str
    code: str
    kind: str
    capacity: int
    weeks: int
    summarised: bool  # has weekly attendance (an IPS course does not)


PROGRAMMES = (
    ProgrammeSpec("rca-aalborg", "RCA-UDV-13", "development_course", 40, 13, True),
    ProgrammeSpec("rca-aalborg", "RCA-FYS-4", "physiotherapy", 15, 5, True),
    ProgrammeSpec("ips-nord", "IPS-1", "ips", 60, 52, False),
)


@dataclass
class Week:
    week_start: date
    agreed_minutes: int
    attended_minutes: int
    internship_minutes: int
    absent_minutes: int
    unexcused_absences: int
    absences_by_reason: dict[str, int]


@dataclass
class Alert:
    alert_id: UUID
    provider_org: str
    referral_id: UUID
    raised_at: datetime
    due_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None
    escalated: bool
    org: str = ""  # whose alert it is: the provider's (absence) or the referring organisation's
    kind: str = "absence"


@dataclass
class Referral:
    """What really happened to one referral: the ground truth the figures must show."""

    referral_id: UUID
    participant_id: UUID
    programme: ProgrammeSpec
    referring_org: str
    received_on: date
    rejected_on: date | None = None
    withdrawn_on: date | None = None
    waitlisted_on: date | None = None
    start_date: date | None = None
    planned_end_date: date | None = None
    end_date: date | None = None
    outcome: str | None = None
    first_job_date: date | None = None
    contact_person_id: str | None = None
    weeks: list[Week] = field(default_factory=list)
    days_attended: int = 0
    breach_days: list[date] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """One event as it goes on the wire."""

    event: PendingEvent
    sequence: int
    at: datetime

    @property
    def routing_key(self) -> str:
        return self.event.data.routing_key

    def body(self) -> bytes:
        return encode(self.event, source="forlob/synthetic", sequence=self.sequence, time=self.at)


@dataclass
class Cohort:
    referrals: list[Referral]
    capacities: dict[tuple[str, str], int]
    events: list[Published]
    today: date


def _at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _weekday_on_or_after(day: date, weekday: int = 0) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


OUTCOMES = (
    (Outcome.ORDINARY_EMPLOYMENT, 30),
    (Outcome.EDUCATION, 15),
    (Outcome.FLEX_JOB, 10),
    (Outcome.ANOTHER_PROGRAMME, 15),
    (Outcome.RESOURCE_COURSE, 10),
    (Outcome.DROPPED_OUT, 15),
    (Outcome.OTHER, 5),
)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.sequences: dict[tuple[str, str], int] = defaultdict(int)
        self.raw: list[tuple[datetime, int, PendingEvent]] = []
        self.order = 0

    def uuid(self) -> UUID:
        return UUID(int=self.rnd.getrandbits(128), version=4)

    def emit(self, at: datetime, data: EventData, subject: str, referring: str | None, provider: str | None) -> None:
        self.order += 1
        event = PendingEvent(data=data, subject=subject, referring_org=referring, provider_org=provider, id=self.uuid())
        self.raw.append((at, self.order, event))

    def published(self) -> list[Published]:
        # Sequences follow each aggregate's own time order, as the producers' outboxes give them.
        events = []
        for at, _, event in sorted(self.raw, key=lambda r: (r[0], r[1])):
            key = (event.aggregate_type, event.subject)
            self.sequences[key] += 1
            events.append(Published(event, self.sequences[key], at))
        return events


def build_cohort(
    referrals: int = 300,
    *,
    seed: int = 7,
    first_day: date = date(2025, 1, 6),
    today: date = date(2026, 11, 20),
    days_share: float = 0.05,
) -> Cohort:
    """``referrals`` referrals received over the ``first_day``..``today`` span, spread evenly."""
    b = _Builder(seed)
    rules = AttendanceRules()
    capacities: dict[tuple[str, str], int] = {}
    for spec in PROGRAMMES:
        subject = f"{spec.provider_org}/{spec.code}"
        for n, capacity in enumerate((spec.capacity - 5, spec.capacity)):  # redefined: the later one counts
            b.emit(
                _at(first_day - timedelta(days=30 - n), 8),
                ProgrammeDefined(
                    provider_org=spec.provider_org,
                    programme_code=spec.code,
                    kind=spec.kind,
                    capacity=capacity,
                    intake_weekdays=[0],
                    default_weeks=spec.weeks,
                    min_weeks=1,
                    max_weeks=spec.weeks * 2,
                    opening_hours=SCHEDULE,
                    timezone="Europe/Copenhagen",
                    country="DK",
                    rules=rules,
                    defined_at=_at(first_day - timedelta(days=30 - n), 8),
                ),
                subject,
                None,
                spec.provider_org,
            )
        capacities[(spec.provider_org, spec.code)] = spec.capacity
    span = (today - first_day).days - 20
    truth = []
    for _ in range(referrals):
        truth.append(_referral(b, first_day + timedelta(days=b.rnd.randrange(span)), today, rules, days_share))
    return Cohort(truth, capacities, b.published(), today)


def _referral(b: _Builder, received_on: date, today: date, rules: AttendanceRules, days_share: float) -> Referral:
    rnd = b.rnd
    spec = rnd.choice(PROGRAMMES)
    r = Referral(b.uuid(), b.uuid(), spec, rnd.choice(REFERRING), received_on)
    ids: dict[str, Any] = {
        "referral_id": r.referral_id,
        "participant_id": r.participant_id,
        "programme_code": spec.code,
        "referring_org": r.referring_org,
        "provider_org": spec.provider_org,
    }
    subject = str(r.referral_id)

    def emit(at: datetime, data: EventData) -> None:
        b.emit(at, data, subject, r.referring_org, spec.provider_org)

    emit(_at(received_on, 9, rnd.randrange(60)), ReferralReceived(**ids, received_at=_at(received_on, 9)))
    decided = received_on + timedelta(days=rnd.randrange(1, 5))
    fate = rnd.random()
    if fate < 0.1:
        r.rejected_on = decided
        emit(_at(decided), ReferralRejected(**ids, reason_code="not_target_group", decided_at=_at(decided)))
        return r
    start = _weekday_on_or_after(decided + timedelta(days=rnd.choice((0, 0, 7, 14, 21, 35, 56))))
    if fate < 0.45:
        r.waitlisted_on = decided
        emit(_at(decided), ReferralWaitlisted(**ids, position=rnd.randrange(1, 9), decided_at=_at(decided)))
        if fate < 0.16:
            r.withdrawn_on = decided + timedelta(days=rnd.randrange(3, 30))
            emit(
                _at(r.withdrawn_on),
                ReferralWithdrawn(
                    **ids, previous_state="waitlisted", reason_code="other", withdrawn_at=_at(r.withdrawn_on)
                ),
            )
            return r
        decided = start - timedelta(days=rnd.randrange(1, 6))
        emit(_at(decided), ReferralAccepted(**ids, intake_date=start, decided_at=_at(decided), from_waiting_list=True))
    else:
        emit(_at(decided), ReferralAccepted(**ids, intake_date=start, decided_at=_at(decided)))
    if start > today:
        return r  # accepted, still waiting for its intake day
    r.start_date = start
    weeks = spec.weeks if spec.kind != "ips" else rnd.randrange(20, 80)
    r.planned_end_date = start + timedelta(weeks=weeks, days=-3)
    r.contact_person_id = f"{spec.provider_org}-cp{rnd.randrange(4)}"
    emit(
        _at(start, 8),
        ProgrammeStarted(
            **ids,
            start_date=start,
            planned_end_date=r.planned_end_date,
            schedule=SCHEDULE,
            opening_hours=SCHEDULE,
            timezone="Europe/Copenhagen",
            country="DK",
            contact_person_id=r.contact_person_id,
            caseworker_id="cw-1",
            rules=rules,
            started_at=_at(start, 8),
        ),
    )
    if rnd.random() < 0.25:  # extended or shortened by agreement, halfway
        changed = start + timedelta(weeks=weeks // 2)
        previous = r.planned_end_date
        r.planned_end_date = previous + timedelta(weeks=rnd.choice((-2, 2, 4)))
        if changed <= today:
            emit(
                _at(changed),
                ProgrammeRescheduled(
                    **ids,
                    previous_end_date=previous,
                    planned_end_date=r.planned_end_date,
                    change="extended" if r.planned_end_date > previous else "shortened",
                    changed_at=_at(changed),
                ),
            )
        else:
            r.planned_end_date = previous
    if rnd.random() < 0.15:  # a new contact person from the third week
        changed = start + timedelta(weeks=2)
        if changed <= today:
            r.contact_person_id = f"{spec.provider_org}-cp{rnd.randrange(4, 6)}"
            emit(
                _at(changed),
                AgreementChanged(
                    **ids,
                    effective_from=changed,
                    schedule=SCHEDULE,
                    contact_person_id=r.contact_person_id,
                    changed_at=_at(changed),
                ),
            )
    end = r.planned_end_date
    if rnd.random() < 0.12:  # dropped out early
        end = start + timedelta(days=rnd.randrange(7, max(8, (end - start).days)))
    last = min(end, today)
    if spec.summarised:
        _weeks(b, r, ids, emit, start, last, days_share)
    _breaches_and_alerts(b, r, ids, emit, start, last)
    if end <= today:
        _caseworker_alert(b, r, "closing_note_ready", _at(end, 15, 1))
        outcome = rnd.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        if end < r.planned_end_date and rnd.random() < 0.7:
            outcome = Outcome.DROPPED_OUT
        r.end_date, r.outcome = end, str(outcome)
        if outcome in (Outcome.ORDINARY_EMPLOYMENT, Outcome.EDUCATION, Outcome.FLEX_JOB):
            r.first_job_date = start + timedelta(days=rnd.randrange(0, (end - start).days + 1))
        emit(
            _at(end, 15),
            ProgrammeEnded(
                **ids,
                start_date=start,
                end_date=end,
                outcome=outcome,
                first_job_date=r.first_job_date,
                ended_at=_at(end, 15),
            ),
        )
    return r


def _weeks(
    b: _Builder, r: Referral, ids: dict[str, Any], emit: Emit, start: date, last: date, days_share: float
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
            at = _at(monday + timedelta(days=7 + k), 2)
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
                emit(_at(day, 7), CheckedIn(**ids, day=day, checked_in_at=_at(day, 7)))
                emit(
                    _at(day, 12),
                    CheckedOut(**ids, day=day, checked_out_at=_at(day, 12), attended_minutes=300),
                )
            r.days_attended += attended_days
        monday += timedelta(weeks=1)
        n += 1


def _breaches_and_alerts(b: _Builder, r: Referral, ids: dict[str, Any], emit: Emit, start: date, last: date) -> None:
    rnd = b.rnd
    span = (last - start).days
    if span < 3:
        return
    for _ in range(rnd.choice((0, 0, 0, 0, 1, 2))):
        day = start + timedelta(days=rnd.randrange(2, span + 1))
        r.breach_days.append(day)
        emit(
            _at(day, 10),
            AgreementBreached(
                **ids,
                breach_id=b.uuid(),
                rule="unexcused_in_window",
                unexcused_absences=3,
                window_first_day=day - timedelta(days=13),
                window_last_day=day,
                absence_ids=[b.uuid() for _ in range(3)],
                detected_at=_at(day, 10),
            ),
        )
        _caseworker_alert(b, r, "breach", _at(day, 10, 1))
    for _ in range(rnd.choice((0, 1, 1, 2, 3))):
        day = start + timedelta(days=rnd.randrange(0, span + 1))
        raised = _at(day, 7, rnd.randrange(30))
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
            _caseworker_alert(b, r, "absence_notice", raised + timedelta(hours=2))
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


def _alert_ids(b: _Builder, r: Referral, alert: Alert) -> dict[str, Any]:
    ids = {"alert_id": alert.alert_id, "provider_org": alert.provider_org, "referral_id": r.referral_id}
    # Some history predates alerts naming their organisation: reporting tells whose they are by
    # their kind then.
    if b.rnd.random() < 0.5:
        ids["org"] = alert.org
    return ids


def _alert_emitter(b: _Builder, r: Referral, alert: Alert) -> Callable[[datetime, EventData], None]:
    def emit_alert(at: datetime, data: EventData) -> None:
        # Notifications names both organisations of the course on every alert's envelope.
        b.emit(at, data, str(alert.alert_id), r.referring_org, alert.provider_org)

    return emit_alert


def _caseworker_alert(b: _Builder, r: Referral, kind: str, raised: datetime) -> None:
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

"""A small history for the programme shapes: a meetings-shaped IPS course, an outreach team's
cases and its visits, with the figures they must give for March 2026 (worked out by hand in
docs/reporting.md's terms, not by the code under test).

The unit tests project these events in any order; the rebuild test publishes them, lets the
live consumer build the read model, rebuilds it from the history and compares.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from forlob_shared.events import (
    AbsenceDetected,
    AttendanceRules,
    EventData,
    PendingEvent,
    ProgrammeDefined,
    ProgrammeStarted,
    ReferralReceived,
    TimeWindow,
)
from forlob_shared.events.common import AbsenceReason, CadenceKind, MeetingCadence, MeetingPlace, ProgrammeShape
from forlob_shared.events.meetings import MeetingCadenceOverdue, MeetingCancelled, MeetingHeld, MeetingPlanned
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachCloseReason,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhase,
    OutreachPhaseChanged,
)
from forlob_shared.events.visits import VisitEnded, VisitKind, VisitOverdue, VisitStarted
from forlob_testkit.reporting.cohort import Published

IPS = ("ips-nord", "IPS-M")
OUTREACH = ("gadeteam", "OPS-1")
TIMETABLED = ("ips-nord", "UDV-T")  # a timetabled programme beside them: none of their figures
JOBCENTRE = "jobcenter-aalborg"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
HOURS = [TimeWindow(weekday=d, start=time(8, 0), end=time(16, 0)) for d in range(5)]

# What the history above gives for March 2026 (GET /figures rows and /figures/visits).
EXPECTED_MEETINGS: dict[str, Any] = {
    "planned": 6,
    "held": 3,
    "cancelled_by_participant": 1,
    "cancelled_by_provider": 1,
    "missed": 1,
    "share_held": 0.5,
    "cadence_reminders": 1,
    "days_start_to_first_meeting": {"count": 2, "median": 7.0, "p90": 10.2},
}
EXPECTED_OUTREACH: dict[str, Any] = {
    "cases_opened": 2,
    "contact_attempts": 4,
    "contact_reminders": 1,
    "attempts_to_stable_contact": {"count": 2, "median": 2.5, "p90": 3.7},
    "days_in_contact_creation": {"count": 3, "median": 13.0, "p90": 45.0},
    "days_in_relationship": {"count": 1, "median": 16.0, "p90": 16.0},
    "days_in_bridging": {"count": 1, "median": 5.0, "p90": 5.0},
    "consents_recorded": 1,
    "cases_identified": 1,
    "cases_handed_over": 1,
    "cases_closed": 2,
    "closed_by_reason": {"declined": 1, "handed_over": 1},
}
EXPECTED_VISITS: dict[str, Any] = {
    "started": 3,
    "with_colleague": 1,
    "overdue": 1,
    "share_overdue": 1 / 3,
    "not_ended": 1,
}


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _id(n: int) -> UUID:
    return UUID(int=0x5A0E << 64 | n)


@dataclass
class _History:
    raw: list[tuple[datetime, PendingEvent]] = field(default_factory=list)
    count: int = 0

    def emit(self, at: datetime, data: EventData, subject: str, provider: str, referring: str | None = None) -> None:
        self.count += 1
        event = PendingEvent(
            data=data, subject=subject, referring_org=referring, provider_org=provider, id=_id(self.count)
        )
        self.raw.append((at, event))

    def published(self) -> list[Published]:
        sequences: dict[tuple[str, str], int] = defaultdict(int)
        events = []
        for at, event in sorted(self.raw, key=lambda r: r[0]):
            sequences[(event.aggregate_type, event.subject)] += 1
            events.append(Published(event, sequences[(event.aggregate_type, event.subject)], at))
        return events


def _define(h: _History, provider: str, code: str, kind: str, shape: ProgrammeShape) -> None:
    h.emit(
        _at(date(2025, 12, 1), 8),
        ProgrammeDefined(
            provider_org=provider,
            programme_code=code,
            kind=kind,
            capacity=20,
            intake_weekdays=[0],
            default_weeks=26,
            min_weeks=1,
            max_weeks=52,
            opening_hours=HOURS,
            timezone="Europe/Copenhagen",
            country="DK",
            rules=AttendanceRules(),
            defined_at=_at(date(2025, 12, 1), 8),
            shape=shape,
        ),
        f"{provider}/{code}",
        provider,
    )


def _meetings_course(h: _History, n: int, received: date, start: date) -> dict[str, Any]:
    provider, code = IPS
    ids = {
        "referral_id": _id(1000 + n),
        "participant_id": _id(2000 + n),
        "programme_code": code,
        "referring_org": JOBCENTRE,
        "provider_org": provider,
    }
    subject = str(ids["referral_id"])
    h.emit(_at(received), ReferralReceived(**ids, received_at=_at(received)), subject, provider, JOBCENTRE)
    h.emit(
        _at(start, 8),
        ProgrammeStarted(
            **ids,
            start_date=start,
            planned_end_date=date(2026, 9, 1),
            schedule=[],
            opening_hours=HOURS,
            timezone="Europe/Copenhagen",
            country="DK",
            contact_person_id="ips-1",
            caseworker_id="cw-1",
            rules=AttendanceRules(),
            started_at=_at(start, 8),
            shape=ProgrammeShape.MEETINGS,
            cadence=MeetingCadence(kind=CadenceKind.WEEKLY, max_days_between=7),
        ),
        subject,
        provider,
        JOBCENTRE,
    )
    return ids


def _plan(h: _History, ids: dict[str, Any], meeting: int, day: date, planned: date) -> UUID:
    meeting_id = _id(3000 + meeting)
    data = MeetingPlanned(
        **ids,
        meeting_id=meeting_id,
        starts_at=_at(day, 9),
        ends_at=_at(day, 10),
        place=MeetingPlace.PROVIDER,
        staff_id="ips-1",
        planned_at=_at(planned, 10),
    )
    h.emit(_at(planned, 10), data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)
    return meeting_id


def _held(h: _History, ids: dict[str, Any], meeting_id: UUID, day: date, minutes_late: int = 0) -> None:
    data = MeetingHeld(
        **ids,
        meeting_id=meeting_id,
        day=day,
        held_at=_at(day, 9),
        minutes_late=minutes_late,
        duration_minutes=50,
        recorded_at=_at(day, 11),
    )
    h.emit(_at(day, 11), data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)


def _cancelled(h: _History, ids: dict[str, Any], meeting_id: UUID, by: str, day: date) -> None:
    reason = AbsenceReason.ILLNESS if by == "participant" else None
    data = MeetingCancelled(**ids, meeting_id=meeting_id, cancelled_by=by, reason=reason, cancelled_at=_at(day, 7))
    h.emit(_at(day, 7), data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)


def _missed(h: _History, ids: dict[str, Any], meeting_id: UUID, n: int, day: date) -> None:
    data = AbsenceDetected(
        **ids,
        absence_id=_id(4000 + n),
        day=day,
        expected_at=_at(day, 9),
        detected_at=_at(day, 10),
        meeting_id=meeting_id,
    )
    h.emit(_at(day, 10), data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)


def _meetings(h: _History) -> None:
    _define(h, *IPS, "ips", ProgrammeShape.MEETINGS)
    first = _meetings_course(h, 1, date(2026, 2, 20), date(2026, 3, 2))
    m1 = _plan(h, first, 1, date(2026, 3, 5), date(2026, 3, 2))
    _held(h, first, m1, date(2026, 3, 5))
    m2 = _plan(h, first, 2, date(2026, 3, 12), date(2026, 3, 5))
    _plan(h, first, 2, date(2026, 3, 13), date(2026, 3, 9))  # moved a day: still one meeting
    _cancelled(h, first, m2, "participant", date(2026, 3, 12))
    m3 = _plan(h, first, 3, date(2026, 3, 19), date(2026, 3, 13))
    _missed(h, first, m3, 1, date(2026, 3, 19))
    m4 = _plan(h, first, 4, date(2026, 3, 26), date(2026, 3, 19))
    _cancelled(h, first, m4, "provider", date(2026, 3, 24))
    _plan(h, first, 5, date(2026, 4, 2), date(2026, 3, 26))  # April: not in March's figures
    _held(h, first, _id(3006), date(2026, 3, 27))  # recorded as held without a plan

    second = _meetings_course(h, 2, date(2026, 3, 1), date(2026, 3, 9))
    m7 = _plan(h, second, 7, date(2026, 3, 20), date(2026, 3, 9))
    _missed(h, second, m7, 2, date(2026, 3, 20))
    _held(h, second, m7, date(2026, 3, 20), minutes_late=25)  # came late: held, not missed
    for _ in range(2):  # the reminder published twice (two events, one reminder)
        data = MeetingCadenceOverdue(
            **second,
            last_meeting_day=date(2026, 3, 9),
            max_days_between=7,
            due_by=date(2026, 3, 16),
            detected_at=_at(date(2026, 3, 17), 6),
        )
        h.emit(_at(date(2026, 3, 17), 6), data, str(second["referral_id"]), IPS[0], JOBCENTRE)


def _outreach(h: _History) -> None:
    provider, code = OUTREACH
    _define(h, provider, code, "outreach", ProgrammeShape.OUTREACH)
    case_of = {"provider_org": provider, "programme_code": code}

    def emit(case: UUID, at: datetime, data: EventData) -> None:
        h.emit(at, data, str(case), provider)

    attempt = 0

    def attempt_on(case: UUID, day: date, outcome: ContactOutcome) -> None:
        nonlocal attempt
        attempt += 1
        data = OutreachContactAttempted(
            **case_of,
            case_id=case,
            attempt_id=_id(5000 + attempt),
            place=ContactPlace.STREET,
            channel=ContactChannel.IN_PERSON,
            outcome=outcome,
            staff_id="ops-1",
            attempted_at=_at(day, 14),
        )
        emit(case, _at(day, 14), data)

    def phase(case: UUID, day: date, before: OutreachPhase, after: OutreachPhase, reason: Any = None) -> None:
        data = OutreachPhaseChanged(
            **case_of, case_id=case, previous_phase=before, phase=after, close_reason=reason, changed_at=_at(day, 15)
        )
        emit(case, _at(day, 15), data)

    def opened(case: UUID, day: date) -> None:
        emit(case, _at(day, 9), OutreachCaseOpened(**case_of, case_id=case, staff_id="ops-1", opened_at=_at(day, 9)))

    cc, rel, bridge, closed = (
        OutreachPhase.CONTACT_CREATION,
        OutreachPhase.RELATIONSHIP,
        OutreachPhase.BRIDGING,
        OutreachPhase.CLOSED,
    )
    # C1: months of contact creation, then relationship, consent, identity, handover.
    c1 = _id(6001)
    opened(c1, date(2026, 1, 10))
    attempt_on(c1, date(2026, 1, 12), ContactOutcome.NOT_FOUND)
    attempt_on(c1, date(2026, 1, 20), ContactOutcome.NO_ANSWER)
    attempt_on(c1, date(2026, 2, 1), ContactOutcome.BRIEF_CONTACT)
    for due_by in (date(2026, 2, 15), date(2026, 3, 1)):  # the plan said "try again by": late twice
        overdue = OutreachContactOverdue(
            **case_of,
            case_id=c1,
            staff_id="ops-1",
            due_by=due_by,
            last_attempt_at=_at(date(2026, 2, 1), 14),
            detected_at=_at(due_by, 6),
        )
        emit(c1, _at(due_by, 6), overdue)
    attempt_on(c1, date(2026, 3, 3), ContactOutcome.MEETING_AGREED)
    phase(c1, date(2026, 3, 4), cc, rel)
    consent = OutreachConsentRecorded(
        **case_of,
        case_id=c1,
        method=ConsentMethod.WRITTEN,
        given_at=_at(date(2026, 3, 18), 10),
        recorded_by="ops-1",
        recorded_at=_at(date(2026, 3, 18), 11),
    )
    emit(c1, _at(date(2026, 3, 18), 11), consent)
    identified = OutreachCaseIdentified(
        **case_of, case_id=c1, participant_id=_id(2100), identified_at=_at(date(2026, 3, 19), 9)
    )
    emit(c1, _at(date(2026, 3, 19), 9), identified)
    phase(c1, date(2026, 3, 20), rel, bridge)
    handover = ReferralReceived(
        referral_id=_id(1100),
        participant_id=_id(2100),
        programme_code="IPS-M",
        referring_org=provider,
        provider_org=IPS[0],
        received_at=_at(date(2026, 3, 21), 10),
        outreach_case_id=c1,
    )
    h.emit(_at(date(2026, 3, 21), 10), handover, str(_id(1100)), IPS[0], provider)
    phase(c1, date(2026, 3, 25), bridge, closed, OutreachCloseReason.HANDED_OVER)
    # C2: opened in March, refused, closed.
    c2 = _id(6002)
    opened(c2, date(2026, 3, 2))
    attempt_on(c2, date(2026, 3, 3), ContactOutcome.NO_ANSWER)
    attempt_on(c2, date(2026, 3, 10), ContactOutcome.REFUSED)
    phase(c2, date(2026, 3, 15), cc, closed, OutreachCloseReason.DECLINED)
    # C3: a contact on the first try.
    c3 = _id(6003)
    opened(c3, date(2026, 3, 10))
    attempt_on(c3, date(2026, 3, 11), ContactOutcome.BRIEF_CONTACT)
    phase(c3, date(2026, 3, 12), cc, rel)


def _visits(h: _History) -> None:
    provider = OUTREACH[0]

    def started(n: int, day: date, colleague: str | None) -> UUID:
        visit = _id(7000 + n)
        data = VisitStarted(
            visit_id=visit,
            provider_org=provider,
            staff_id="ops-1",
            kind=VisitKind.STREET,
            colleague_id=colleague,
            planned_end=_at(day, 16),
            started_at=_at(day, 14),
        )
        h.emit(_at(day, 14), data, str(visit), provider)
        return visit

    v1 = started(1, date(2026, 3, 5), "ops-2")
    h.emit(
        _at(date(2026, 3, 5), 15),
        VisitEnded(visit_id=v1, provider_org=provider, staff_id="ops-1", ended_at=_at(date(2026, 3, 5), 15)),
        str(v1),
        provider,
    )
    v2 = started(2, date(2026, 3, 6), None)
    overdue = VisitOverdue(
        visit_id=v2,
        provider_org=provider,
        staff_id="ops-1",
        planned_end=_at(date(2026, 3, 6), 16),
        detected_at=_at(date(2026, 3, 6), 17),
    )
    h.emit(_at(date(2026, 3, 6), 17), overdue, str(v2), provider)
    ended = VisitEnded(
        visit_id=v2, provider_org=provider, staff_id="ops-1", ended_at=_at(date(2026, 3, 6), 18), was_overdue=True
    )
    h.emit(_at(date(2026, 3, 6), 18), ended, str(v2), provider)
    started(3, date(2026, 3, 7), None)  # not ended (yet)
    started(4, date(2026, 2, 20), "ops-2")  # February


def build_shapes() -> list[Published]:
    """The shapes' history, in time order with per-aggregate sequences."""
    h = _History()
    _define(h, *TIMETABLED, "development_course", ProgrammeShape.TIMETABLED)
    _meetings(h)
    _outreach(h)
    _visits(h)
    return h.published()

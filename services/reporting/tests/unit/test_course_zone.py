"""A course's days are dated in its own zone (programme.started, else its programme's
definition), whatever order the events arrive in; Europe/Copenhagen when no event names one."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import pytest

from forlob_reporting.application.events import record_events
from forlob_reporting.application.figures import Scope, figures, referrals_received
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain.facts import REFERRALS
from forlob_reporting.domain.figures import Period
from forlob_reporting.domain.merge import zone_named
from forlob_reporting.domain.projection import project
from forlob_shared.events import (
    AgreementBreached,
    AlertRaised,
    AttendanceRules,
    EventData,
    PendingEvent,
    ProgrammeDefined,
    ProgrammeStarted,
    ReferralReceived,
    ReferralRejected,
    TimeWindow,
    decode,
    encode,
)
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork

PROVIDER, REFERRING, CODE = "ips-nyc", "jobcenter-aalborg", "NYC-1"
# 03:00 UTC: still the evening before in New York and the same day in Copenhagen.
LATE = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
NEW_YORK_DAY, COPENHAGEN_DAY = date(2026, 3, 2), date(2026, 3, 3)
HOURS = [TimeWindow(weekday=0, start=time(9), end=time(15))]

_sequence = itertools.count(1)


def _event(data: EventData, subject: str) -> Any:
    pending = PendingEvent(data=data, subject=subject, referring_org=REFERRING, provider_org=PROVIDER)
    return decode(encode(pending, source="forlob/test", sequence=next(_sequence), time=LATE))


def _course(referral_id: UUID, participant_id: UUID) -> dict[str, Any]:
    return {
        "referral_id": referral_id,
        "participant_id": participant_id,
        "programme_code": CODE,
        "referring_org": REFERRING,
        "provider_org": PROVIDER,
    }


def _received(referral_id: UUID, participant_id: UUID) -> Any:
    return _event(ReferralReceived(**_course(referral_id, participant_id), received_at=LATE), str(referral_id))


def _started(referral_id: UUID, participant_id: UUID, zone: str) -> Any:
    data = ProgrammeStarted(
        **_course(referral_id, participant_id),
        start_date=date(2026, 3, 9),
        planned_end_date=date(2026, 6, 1),
        schedule=HOURS,
        opening_hours=HOURS,
        timezone=zone,
        country="US",
        contact_person_id="kp-1",
        caseworker_id="cw-1",
        rules=AttendanceRules(),
        started_at=datetime(2026, 3, 9, 14, tzinfo=UTC),
    )
    return _event(data, str(referral_id))


def _defined(zone: str) -> Any:
    data = ProgrammeDefined(
        provider_org=PROVIDER,
        programme_code=CODE,
        kind="ips",
        capacity=10,
        intake_weekdays=[0],
        default_weeks=13,
        min_weeks=4,
        max_weeks=26,
        opening_hours=HOURS,
        timezone=zone,
        country="US",
        rules=AttendanceRules(),
        defined_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return _event(data, f"{PROVIDER}/{CODE}")


def _row(*envelopes: Any) -> dict[str, Any]:
    store = MemoryFactStore()
    for envelope in envelopes:
        store.apply_now(project(envelope))
    (row,) = store.rows[REFERRALS.name].values()
    return row


@pytest.mark.parametrize("started_first", [True, False])
def test_a_referral_is_dated_in_its_courses_zone_in_either_order(started_first: bool) -> None:
    referral_id, participant_id = uuid4(), uuid4()
    received, started = (
        _received(referral_id, participant_id),
        _started(referral_id, participant_id, "America/New_York"),
    )
    row = _row(*((started, received) if started_first else (received, started)))
    assert row["timezone"] == "America/New_York"
    assert row["received_on"] == NEW_YORK_DAY


def test_a_referral_whose_zone_no_event_named_is_dated_in_copenhagen() -> None:
    assert _row(_received(uuid4(), uuid4()))["received_on"] == COPENHAGEN_DAY


def test_an_unknown_zone_falls_back_to_copenhagen() -> None:
    assert zone_named("Mars/Olympus_Mons") == zone_named(None) == zone_named("Europe/Copenhagen")


async def _feed(*envelopes: Any) -> FakeStore:
    store = FakeStore()
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, list(envelopes))
        await uow.commit()  # as the consumer does
    return store


async def test_a_rejected_referral_and_the_alerts_and_breaches_are_dated_in_the_programmes_zone() -> None:
    referral_id, participant_id = uuid4(), uuid4()
    rejected = ReferralRejected(**_course(referral_id, participant_id), reason_code="other", decided_at=LATE)
    alert = AlertRaised(
        alert_id=uuid4(),
        provider_org=PROVIDER,
        referral_id=referral_id,
        org=PROVIDER,
        kind="absence",
        cause_event_id=uuid4(),
        recipient_staff_id="kp-1",
        raised_at=LATE,
    )
    breach = AgreementBreached(
        **_course(referral_id, participant_id),
        breach_id=uuid4(),
        rule="consecutive_days",
        unexcused_absences=3,
        window_first_day=date(2026, 2, 23),
        window_last_day=date(2026, 3, 2),
        absence_ids=[],
        detected_at=LATE,
    )
    store = await _feed(
        _defined("America/New_York"),
        _received(referral_id, participant_id),
        _event(rejected, str(referral_id)),
        _event(alert, str(alert.alert_id)),
        _event(breach, str(referral_id)),
    )
    uow = FakeReportingUnitOfWork(store)
    new_york, copenhagen = Period(NEW_YORK_DAY, NEW_YORK_DAY), Period(COPENHAGEN_DAY, COPENHAGEN_DAY)
    (row,) = await figures(uow, Scope(PROVIDER), new_york)
    assert row["referrals_received"] == 1
    assert row["waiting_list"]["outflow"] == 1  # rejected the same (New York) day
    assert row["alerts"]["raised"] == 1
    assert row["breaches"]["count"] == 1
    (later,) = await figures(uow, Scope(PROVIDER), copenhagen)
    assert (later["referrals_received"], later["alerts"]["raised"], later["breaches"]["count"]) == (0, 0, 0)
    assert [r.count for r in await referrals_received(uow, Scope(PROVIDER), new_york)] == [1]


async def test_without_any_zone_the_same_facts_fall_on_the_copenhagen_day() -> None:
    referral_id, participant_id = uuid4(), uuid4()
    store = await _feed(_received(referral_id, participant_id))
    uow = FakeReportingUnitOfWork(store)
    (row,) = await figures(uow, Scope(PROVIDER), Period(COPENHAGEN_DAY, COPENHAGEN_DAY))
    assert row["referrals_received"] == 1

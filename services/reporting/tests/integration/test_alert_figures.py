"""Alert figures of an organisation count only the alerts raised to its own staff.

The course seen by a jobcentre and a provider (issue 16, item 3): one absence on one programme
raises an alert to the provider's contact person and, later, a notice and a breach alert to the
jobcentre's caseworker; six courses of another programme end without any absence, and each
ending raises a closing-note-ready alert to the caseworker. Every one of those alerts names the
provider (``provider_org``); only the first is the provider's. Half of the events are published as
the history before alerts named their organisation (no ``org``): whose they are then follows from
their kind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_reporting.main import spec as reporting_spec
from forlob_shared.events import (
    AlertAcknowledged,
    AlertRaised,
    EventData,
    Outcome,
    PendingEvent,
    ProgrammeEnded,
    ReferralReceived,
)
from forlob_testkit.auth import auth as bearer
from forlob_testkit.reporting.cohort import Published

PROVIDER, JOBCENTRE, OTHER_JOBCENTRE = "rca-aalborg", "jobcenter-aalborg", "jobcenter-odense"
WITH_ABSENCE, WITHOUT = "RCA-UDV-13", "RCA-FYS-4"
DAY = date(2026, 11, 23)
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


class Events:
    def __init__(self) -> None:
        self.published: list[Published] = []
        self.sequences: dict[str, int] = {}

    def add(self, when: datetime, data: EventData, subject: str) -> None:
        self.sequences[subject] = self.sequences.get(subject, 0) + 1
        event = PendingEvent(data=data, subject=subject, referring_org=JOBCENTRE, provider_org=PROVIDER)
        self.published.append(Published(event, self.sequences[subject], when))

    def referral(self, programme: str) -> dict[str, Any]:
        ids = {
            "referral_id": uuid4(),
            "participant_id": uuid4(),
            "programme_code": programme,
            "referring_org": JOBCENTRE,
            "provider_org": PROVIDER,
        }
        self.add(at(7), ReferralReceived(**ids, received_at=at(7)), str(ids["referral_id"]))
        return ids

    def alert(
        self, course: dict[str, Any], kind: str, org: str, raised: datetime, *, named: bool, acknowledged: bool
    ) -> UUID:
        """An alert about ``course`` to ``org``'s staff; ``named``: the event says whose it is."""
        alert_id = uuid4()
        ids: dict[str, Any] = {
            "alert_id": alert_id,
            "provider_org": PROVIDER,
            "referral_id": course["referral_id"],
            "participant_id": course["participant_id"],
        }
        if named:
            ids["org"] = org
        due = raised + timedelta(minutes=30) if kind == "absence" else None
        self.add(
            raised,
            AlertRaised(
                **ids, kind=kind, cause_event_id=uuid4(), recipient_staff_id="s-1", raised_at=raised, due_at=due
            ),
            str(alert_id),
        )
        if acknowledged:
            then = raised + timedelta(minutes=10)
            self.add(then, AlertAcknowledged(**ids, acknowledged_by="s-1", acknowledged_at=then), str(alert_id))
        return alert_id


def the_course() -> list[Published]:
    events = Events()
    absent = events.referral(WITH_ABSENCE)
    # The contact person's alert, the caseworker's notice two hours on, then a breach alert.
    events.alert(absent, "absence", PROVIDER, at(8, 15), named=True, acknowledged=True)
    events.alert(absent, "absence_notice", JOBCENTRE, at(10, 15), named=False, acknowledged=True)
    events.alert(absent, "breach", JOBCENTRE, at(10, 30), named=True, acknowledged=False)
    for n in range(6):
        course = events.referral(WITHOUT)
        ended = ProgrammeEnded(
            **course,
            start_date=DAY - timedelta(weeks=5),
            end_date=DAY,
            outcome=Outcome.EDUCATION,
            ended_at=at(14),
        )
        events.add(at(14), ended, str(course["referral_id"]))
        events.alert(course, "closing_note_ready", JOBCENTRE, at(14, 1), named=n % 2 == 0, acknowledged=n < 4)
    return events.published


def auth(org: str) -> dict[str, str]:
    return bearer(org, "coordinator", staff="s-1")


async def alerts_by_programme(client: Any, org: str, **params: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/figures", params={**PERIOD, **params}, headers=auth(org))
    assert response.status_code == 200, response.text
    return {row["programme_code"]: row["alerts"] for row in response.json()["rows"]}


async def test_each_organisation_counts_only_the_alerts_raised_to_its_own_staff(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any
) -> None:
    events = the_course()
    async with run_service(reporting_spec(), await make_database(reporting_spec())) as reporting:
        await publish(mix(events, seed=3, duplicates=0.2))
        await inbox_reaches(reporting.runtime.engine, len(events))
        client = reporting.client

        # The provider: its contact person's one alert; the programme without absences has none.
        provider = await alerts_by_programme(client, PROVIDER)
        assert {code: a["raised"] for code, a in provider.items()} == {WITH_ABSENCE: 1, WITHOUT: 0}
        assert provider[WITH_ABSENCE]["acknowledged"] == 1
        assert provider[WITH_ABSENCE]["response_minutes"] == {"count": 1, "median": 10.0, "p90": 10.0}
        assert provider[WITH_ABSENCE]["share_acknowledged_in_time"] == 1.0
        only = await alerts_by_programme(client, PROVIDER, programme=WITHOUT)
        assert only[WITHOUT]["raised"] == 0
        split = await client.get("/figures", params={**PERIOD, "by": "referring_org"}, headers=auth(PROVIDER))
        assert {r["programme_code"]: r["alerts"]["raised"] for r in split.json()["rows"]} == {
            WITH_ABSENCE: 1,
            WITHOUT: 0,
        }

        # The jobcentre: its caseworker's notice and breach, and the six closing notes.
        jobcentre = await alerts_by_programme(client, JOBCENTRE)
        assert {code: a["raised"] for code, a in jobcentre.items()} == {WITH_ABSENCE: 2, WITHOUT: 6}
        assert {code: a["acknowledged"] for code, a in jobcentre.items()} == {WITH_ABSENCE: 1, WITHOUT: 4}
        assert jobcentre[WITHOUT]["escalated"] == 0
        assert jobcentre[WITHOUT]["with_deadline"] == 0  # a caseworker's alert does not escalate

        # Another jobcentre has nothing to do with these courses.
        assert await alerts_by_programme(client, OTHER_JOBCENTRE) == {}

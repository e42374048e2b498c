"""Real data of organisation A in each service, made through its API or the same application
functions its consumers call; returns the ids a route can name."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from forlob_notifications.application.alerts import on_absence_detected
from forlob_notifications.application.directory import record_programme_started
from forlob_notifications.application.options import Options
from forlob_reporting.application.events import record_event
from forlob_shared.events import AbsenceDetected, PendingEvent, decode
from forlob_shared.events.envelope import encode
from forlob_testkit.attendance import Attendance, local, programme_started
from forlob_testkit.fixtures import RunningService
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

from .conftest import ALL_ROLES

# What each service needs to hold still while a test looks: no background sweeps, and the
# notifications dispatcher quick to make (and fail) its first webhook attempt.
SETTINGS: dict[str, dict[str, Any]] = {
    "referral": {},
    "attendance": {"periodic_enabled": False},
    "notifications": {"rules_interval": 3600.0, "dispatch_poll_interval": 0.1},
    "reporting": {},
}


async def _scalar(service: RunningService, query: str) -> Any:
    async with service.runtime.engine.connect() as connection:
        return (await connection.execute(sa.text(query))).scalar_one()


async def seed(name: str, service: RunningService) -> dict[str, str]:
    seeders = {
        "referral": _referral,
        "attendance": _attendance,
        "notifications": _notifications,
        "reporting": _reporting,
    }
    return await seeders[name](service)


async def _referral(service: RunningService) -> dict[str, str]:
    client = service.client
    response = await client.put(
        "/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=auth(PROVIDER, "coordinator")
    )
    assert response.status_code in (200, 201), response.text
    response = await client.post(
        "/referrals",
        json=referral_body(random.Random(9)),
        headers={**auth(JOBCENTRE, "caseworker"), "Idempotency-Key": str(uuid4())},
    )
    assert response.status_code == 201, response.text
    referral_id = response.json()["id"]
    employer = {"country": "DK", "number": "13585628", "name": "Bageriet ApS", "sector": "private"}
    response = await client.post(
        "/employers", json=employer, headers={**auth(PROVIDER, "coordinator"), "Idempotency-Key": str(uuid4())}
    )
    assert response.status_code == 201, response.text
    employer_id = response.json()["id"]
    return {"referral_id": referral_id, "employer_id": employer_id, "handover_id": await _handover(client)}


async def _handover(client: Any) -> str:
    """A running course referred on (an overlap into another of the provider's programmes)."""
    coordinator, caseworker = auth(PROVIDER, "coordinator"), auth(JOBCENTRE, "caseworker")
    response = await client.put("/programmes/RCA-UDV-26", json=DEVELOPMENT_COURSE, headers=coordinator)
    assert response.status_code == 201, response.text
    response = await client.post("/referrals", json=referral_body(random.Random(10)), headers=caseworker)
    assert response.status_code == 201, response.text
    course = response.json()["id"]
    assert (await client.post(f"/referrals/{course}/accept", headers=coordinator)).status_code == 200
    start = {
        "start_date": "2026-11-23",
        "contact_person_id": "kp-1",
        "schedule": [{"weekday": 0, "start": "08:00", "end": "12:00"}],
    }
    response = await client.post(f"/referrals/{course}/start", json=start, headers=coordinator)
    assert response.status_code == 200, response.text
    step = {
        "programme_code": "RCA-UDV-26",
        "provider_org": PROVIDER,
        "relation": "overlap",
        "planned_start": "2026-12-07",
    }
    response = await client.post(f"/referrals/{course}/refer-on", json=step, headers=caseworker)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _attendance(service: RunningService) -> dict[str, str]:
    world = Attendance(service, service.runtime.clock)
    course = await world.start(programme_started())
    world.at(local(course.start_date, 10))
    assert await world.sweep() >= 1, "no absence to refer to"
    absence_id = await _scalar(service, "SELECT absence_id FROM slots WHERE absence_id IS NOT NULL LIMIT 1")
    return {"participant_id": str(course.participant_id), "absence_id": str(absence_id)}


async def _notifications(service: RunningService) -> dict[str, str]:
    clock = service.runtime.clock
    response = await service.client.post(
        "/webhooks/subscriptions",
        json={"url": "https://partner.example/hooks", "event_types": ["alert.raised"]},
        headers=auth(PROVIDER, "admin"),
    )
    assert response.status_code == 201, response.text
    started = programme_started()
    async with service.runtime.uow() as uow:
        await record_programme_started(uow, started)
    absence = AbsenceDetected(
        referral_id=started.referral_id,
        participant_id=started.participant_id,
        programme_code=started.programme_code,
        provider_org=PROVIDER,
        referring_org=JOBCENTRE,
        absence_id=uuid4(),
        day=clock.now().date(),
        expected_at=clock.now() - timedelta(minutes=15),
        detected_at=clock.now(),
    )
    async with service.runtime.uow() as uow:
        await on_absence_detected(uow, Options.of(service.settings), absence, uuid4())
        await uow.commit()  # as the consumer would, after the handler

    async def first_attempt_made() -> bool:
        # The webhook's first attempt fails (no such host); the retry waits on the manual clock.
        return bool(await _scalar(service, "SELECT count(*) FROM delivery_attempts"))

    await eventually(first_attempt_made, what="the first webhook attempt")
    return {
        "referral_id": str(started.referral_id),
        "alert_id": str(await _scalar(service, "SELECT id FROM alerts LIMIT 1")),
        "subscription_id": response.json()["id"],
        "delivery_id": str(await _scalar(service, "SELECT id FROM deliveries LIMIT 1")),
    }


async def _reporting(service: RunningService) -> dict[str, str]:
    started = programme_started()
    body = encode(
        PendingEvent(data=started, subject=str(started.referral_id), id=uuid4()),
        source="forlob/referral",
        sequence=1,
        time=started.started_at,
    )
    async with service.runtime.uow() as uow:
        await record_event(uow, decode(body))
        await uow.commit()  # as the consumer would, after the handler
    ok = await service.client.get(f"/statements/{started.referral_id}", headers=auth(PROVIDER, *ALL_ROLES))
    assert ok.status_code == 200, ok.text
    return {"referral_id": str(started.referral_id)}

"""The outbox's bulk path: envelopes built in SQL, sequences gapless beside the Python writer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
from cloudevents.v1.http import from_json

from forlob_shared.events import AbsenceDetected, PendingEvent, ReferralReceived, decode
from forlob_shared.messaging.bulk import insert_events_from_query
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.messaging import MessagingDb, referral_event

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

ROWS = """
    SELECT gen_random_uuid() AS event_id, r.subject, jsonb_build_object(
               'referral_id', r.subject, 'participant_id', gen_random_uuid(), 'programme_code', 'RCA-UDV-13',
               'referring_org', 'jobcenter-aalborg', 'provider_org', 'rca-aalborg',
               'received_at', CAST(:now AS timestamptz)) AS data,
           'jobcenter-aalborg' AS referring_org, NULL AS provider_org
    FROM unnest(CAST(:subjects AS text[])) AS r(subject)
"""


async def test_bulk_events_continue_each_aggregates_sequence_and_decode(messaging_db: MessagingDb) -> None:
    first, second = uuid4(), uuid4()
    await messaging_db.emit(referral_event(first), referral_event(first))  # sequences 1, 2 by the writer
    async with messaging_db.uow() as uow:
        count = await insert_events_from_query(
            uow.session,
            ReferralReceived,
            ROWS,
            {"now": NOW, "subjects": [str(first), str(second), str(first), str(first), str(first)]},
            source="forlob/test",
            now=NOW,
        )
        await uow.commit()
    assert count == 5
    await messaging_db.emit(referral_event(second))  # the writer goes on after the bulk rows
    conn = await asyncpg.connect(plain_postgres_url(messaging_db.url))
    try:
        rows = await conn.fetch("SELECT aggregate_id, aggregate_sequence, headers, body FROM outbox ORDER BY position")
    finally:
        await conn.close()
    sequences: dict[str, list[int]] = {}
    for row in rows:
        envelope = decode(bytes(row["body"]))
        assert envelope.sequence == row["aggregate_sequence"]
        assert envelope.subject == row["aggregate_id"]
        sequences.setdefault(row["aggregate_id"], []).append(envelope.sequence)
    # In position order, which the relay publishes in: each aggregate's events in their sequence's
    # (the bulk rows of an aggregate with two, and of one with one, among them).
    assert sequences[str(first)] == [1, 2, 3, 4, 5, 6]
    assert sequences[str(second)] == [1, 2]
    [bulk_row] = [r for r in rows if r["aggregate_id"] == str(first) and r["aggregate_sequence"] == 3]
    event = from_json(bytes(bulk_row["body"]))
    assert event["type"] == "dk.forlob.referral.received.v1"
    assert event["source"] == "forlob/test"
    assert event["time"] == "2026-11-23T09:30:00Z"
    assert event["referringorg"] == "jobcenter-aalborg"
    assert "providerorg" not in event.get_attributes()
    assert json.loads(bulk_row["headers"]) == {
        "type": "dk.forlob.referral.received.v1",
        "subject": str(first),
        "partitionkey": str(first),  # a referral's events: the subject
        "content-type": "application/cloudevents+json",
        "referringorg": "jobcenter-aalborg",
    }
    assert decode(bytes(bulk_row["body"])).data.referring_org == "jobcenter-aalborg"


async def test_an_empty_query_writes_nothing(messaging_db: MessagingDb) -> None:
    async with messaging_db.uow() as uow:
        count = await insert_events_from_query(
            uow.session, ReferralReceived, ROWS, {"now": NOW, "subjects": []}, source="forlob/test", now=NOW
        )
        await uow.commit()
    assert count == 0
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox") == 0
    assert await messaging_db.fetchval("SELECT count(*) FROM aggregate_sequence") == 0


ABSENCES = """
    SELECT gen_random_uuid() AS event_id, CAST(r.absence AS text) AS subject, jsonb_build_object(
               'referral_id', CAST(:course AS uuid), 'participant_id', CAST(:course AS uuid),
               'programme_code', 'RCA-UDV-13', 'referring_org', 'jobcenter-aalborg', 'provider_org', 'rca-aalborg',
               'absence_id', r.absence, 'day', '2026-11-23', 'expected_at', CAST(:now AS timestamptz),
               'detected_at', CAST(:now AS timestamptz)) AS data,
           'jobcenter-aalborg' AS referring_org, 'rca-aalborg' AS provider_org
    FROM unnest(CAST(:absences AS uuid[])) AS r(absence)
"""


async def test_bulk_and_writer_give_an_absence_its_course_as_partition_key(messaging_db: MessagingDb) -> None:
    course, absence = uuid4(), uuid4()
    async with messaging_db.uow() as uow:
        await insert_events_from_query(
            uow.session,
            AbsenceDetected,
            ABSENCES,
            {"now": NOW, "course": str(course), "absences": [absence]},
            source="forlob/test",
            now=NOW,
        )
        await uow.commit()
    by_writer = AbsenceDetected(
        referral_id=course,
        participant_id=course,
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        absence_id=absence,
        day=NOW.date(),
        expected_at=NOW,
        detected_at=NOW,
    )
    await messaging_db.emit(PendingEvent(data=by_writer, subject=str(absence)))
    conn = await asyncpg.connect(plain_postgres_url(messaging_db.url))
    try:
        rows = await conn.fetch("SELECT headers, body FROM outbox ORDER BY position")
    finally:
        await conn.close()
    assert len(rows) == 2
    for row in rows:  # the bulk row, then the writer's
        assert json.loads(row["headers"])["partitionkey"] == str(course)
        envelope = decode(bytes(row["body"]))
        assert (envelope.subject, envelope.partitionkey, envelope.lane_key) == (str(absence), str(course), str(course))

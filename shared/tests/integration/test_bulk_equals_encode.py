"""The outbox's bulk path builds the CloudEvents envelope in SQL, for speed; OutboxWriter builds it
with :func:`~forlob_shared.events.envelope.encode`. The same event written both ways must give the
same envelope, attribute for attribute and ``data`` field for field once parsed (its id and
time aside, which each write draws), and the same headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
import sqlalchemy as sa

from forlob_shared.events import AbsenceDetected, PendingEvent
from forlob_shared.logging import bind_trace, current_traceparent, unbind_trace
from forlob_shared.messaging.bulk import insert_events_from_query, pydantic_time
from forlob_shared.partner import PartnerEvent
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.messaging import TEST_RELEASE, MessagingDb

# Microseconds with a trailing zero, and a time stored at another offset than UTC: where
# PostgreSQL's own JSON and pydantic's differ.
EXPECTED = datetime(2026, 11, 23, 8, 45, 0, 120300, tzinfo=UTC)
DETECTED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# As a service's query makes it: timestamptz columns into jsonb_build_object, the optional
# expected_end left out, the session in another zone.
ROW = """
    SELECT CAST(:event_id AS uuid) AS event_id, CAST(:absence AS text) AS subject, jsonb_build_object(
               'referral_id', CAST(:course AS uuid), 'participant_id', CAST(:participant AS uuid),
               'programme_code', 'RCA-UDV-13', 'referring_org', 'jobcenter-aalborg', 'provider_org', 'rca-aalborg',
               'absence_id', CAST(:absence AS uuid), 'day', CAST('2026-11-23' AS date),
               'expected_at', CAST(:expected AS timestamptz), 'detected_at', CAST(:detected AS timestamptz)
           ) AS data,
           'jobcenter-aalborg' AS referring_org, 'rca-aalborg' AS provider_org
"""

# The same, its timestamps written by the query (``times_written``), as the sweep does.
ROW_WRITTEN = ROW.replace("CAST(:expected AS timestamptz)", pydantic_time("CAST(:expected AS timestamptz)")).replace(
    "CAST(:detected AS timestamptz)", pydantic_time("CAST(:detected AS timestamptz)")
)

NOT_COMPARED = ("id", "time")


async def _rows(messaging_db: MessagingDb) -> list[Any]:
    conn = await asyncpg.connect(plain_postgres_url(messaging_db.url))
    try:
        return list(await conn.fetch("SELECT aggregate_id, headers, body FROM outbox ORDER BY position"))
    finally:
        await conn.close()


def _comparable(body: bytes) -> dict[str, Any]:
    document = json.loads(body)
    return {key: value for key, value in document.items() if key not in NOT_COMPARED}


@pytest.mark.parametrize(("row", "times_written"), [(ROW, False), (ROW_WRITTEN, True)], ids=["rewritten", "written"])
async def test_the_bulk_path_writes_the_envelope_encode_writes(
    messaging_db: MessagingDb, row: str, times_written: bool
) -> None:
    course, participant = uuid4(), uuid4()
    absences = [uuid4(), uuid4()]  # one per path: each its own aggregate, both sequence 1
    token = bind_trace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    try:
        traceparent = current_traceparent()
        async with messaging_db.uow() as uow:
            await uow.session.execute(sa.text("SET LOCAL TIME ZONE 'Europe/Copenhagen'"))
            await insert_events_from_query(
                uow.session,
                AbsenceDetected,
                row,
                {
                    "event_id": str(uuid4()),
                    "absence": str(absences[0]),
                    "course": str(course),
                    "participant": str(participant),
                    "expected": EXPECTED,
                    "detected": DETECTED,
                },
                source="forlob/test",
                now=DETECTED,
                source_version=TEST_RELEASE,
                times_written=times_written,
            )
            await uow.commit()
        by_writer = AbsenceDetected(
            referral_id=course,
            participant_id=participant,
            programme_code="RCA-UDV-13",
            referring_org="jobcenter-aalborg",
            provider_org="rca-aalborg",
            absence_id=absences[1],
            day=DETECTED.date(),
            expected_at=EXPECTED,
            detected_at=DETECTED,
        )
        await messaging_db.emit(
            PendingEvent(
                data=by_writer,
                subject=str(absences[1]),
                referring_org="jobcenter-aalborg",
                provider_org="rca-aalborg",
            )
        )
    finally:
        unbind_trace(token)
    bulk, written = await _rows(messaging_db)
    assert (bulk["aggregate_id"], written["aggregate_id"]) == (str(absences[0]), str(absences[1]))

    def same_absence(document: dict[str, Any]) -> dict[str, Any]:
        # the one difference asked for: each path wrote its own absence
        document = {**document, "subject": "-", "data": {**document["data"], "absence_id": "-"}}
        return document

    from_bulk, from_writer = same_absence(_comparable(bulk["body"])), same_absence(_comparable(written["body"]))
    assert from_bulk == from_writer
    attributes = ("partitionkey", "sequence", "referringorg", "providerorg", "traceparent", "datacontenttype")
    for attribute in (*attributes, "sourceversion"):
        assert attribute in from_bulk, attribute
    assert from_bulk["traceparent"] == traceparent
    assert from_bulk["sourceversion"] == TEST_RELEASE  # the publishing release, as the writer stamps it
    assert from_bulk["partitionkey"] == str(course)
    assert from_bulk["data"]["expected_at"] == "2026-11-23T08:45:00.120300Z"
    assert from_bulk["data"]["expected_end"] is None  # the model's default, though the query left it out

    def same_subject(headers: str) -> dict[str, Any]:
        return {**json.loads(headers), "subject": "-"}

    assert same_subject(bulk["headers"]) == same_subject(written["headers"])


async def test_without_a_trace_neither_path_writes_a_traceparent(messaging_db: MessagingDb) -> None:
    assert current_traceparent() is None
    absence = uuid4()
    async with messaging_db.uow() as uow:
        await insert_events_from_query(
            uow.session,
            AbsenceDetected,
            ROW,
            {
                "event_id": str(UUID(int=7)),
                "absence": str(absence),
                "course": str(uuid4()),
                "participant": str(uuid4()),
                "expected": DETECTED,
                "detected": DETECTED,
            },
            source="forlob/test",
            now=DETECTED,
        )
        await uow.commit()
    [row] = await _rows(messaging_db)
    document = json.loads(row["body"])
    assert "traceparent" not in document
    assert document["data"]["expected_at"] == "2026-11-23T09:00:00Z"  # no fraction, as pydantic writes it


async def test_a_type_with_envelope_attributes_of_its_own_is_refused(messaging_db: MessagingDb) -> None:
    # the partner contract's (a string ``sequence``, a ``dataschema``): written one by one
    async with messaging_db.uow() as uow:
        with pytest.raises(TypeError):
            await insert_events_from_query(uow.session, PartnerEvent, ROW, {}, source="forlob/test", now=DETECTED)


async def test_a_type_superseding_an_older_major_is_refused(messaging_db: MessagingDb) -> None:
    # one fact as each emitted major (forlob_shared.events.majors): written by the OutboxWriter
    from forlob_testkit.event_majors import FactNotedV2

    async with messaging_db.uow() as uow:
        with pytest.raises(TypeError, match="supersedes an older major"):
            await insert_events_from_query(uow.session, FactNotedV2, ROW, {}, source="forlob/test", now=DETECTED)

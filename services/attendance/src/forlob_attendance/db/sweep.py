"""The sweep's SQL: one statement marks the missed arrivals, flags their courses and writes the
events, because one sweep after an outage or at a busy start of day may turn tens of thousands of
slots at once. The events are built in the database by the outbox's bulk path.

Several replicas may sweep at once: each takes its slots with ``FOR UPDATE SKIP LOCKED`` and
re-checks their state under the lock, so every missed arrival is detected (and announced) once.

The same statement asks a question by text of each participant who opted in (db/sms.py's
``QUESTIONS``, a join of the marked rows to the few consents), and one more statement publishes
those: still set-based, two statements per sweep however many absences.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.sms import PARAMS, QUESTIONS, publish_requested
from forlob_shared.events import AbsenceDetected
from forlob_shared.messaging.bulk import insert_events_from_query, pydantic_time
from forlob_shared.release import release_version

SOURCE = "forlob/attendance"

# The state change: due slots taken without waiting for those another sweep holds, re-checked
# under the lock (a check-in may have committed meanwhile), marked absent. The due ids are taken
# once (MATERIALIZED): a join to a LIMITed subquery may be rescanned by the planner, and each
# rescan under SKIP LOCKED would take another batch.
# The locked rows are joined back with the due condition again: without it the planner hashed
# every slot still expected, the fortnight ahead (materialise_days_ahead) included, however few
# were due (110,000 rows hashed for 1,000 or 10,000 due). Taking them by ctid (a Tid Scan) was
# cheaper still, alone, but its estimate of 5 rows turned the events' joins into nested loops
# over the marked rows: 100 s for 10,000.
_MARK_MISSED = """
    WITH due AS MATERIALIZED (
        SELECT id FROM slots
        WHERE state = 'expected' AND due_at <= :now
        ORDER BY due_at
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    )
    UPDATE slots AS s
    SET state = 'absent', absence_id = s.id, detected_at = :now
    FROM due
    WHERE s.id = due.id AND s.state = 'expected' AND s.due_at <= :now
    RETURNING s.referral_id, s.absence_id, s.day, s.expected_start, s.expected_end, s.detected_at, s.meeting_id
"""

# The courses whose breach rules must run again (check_breaches), apart from the hot path.
# DO UPDATE, not DO NOTHING: it waits for a breach check that holds the row (and will delete it
# having read the slots before this sweep's absences), then inserts the row again. In key order,
# so that two sweeps flagging the same courses take their rows in one order and never deadlock.
_FLAG_BREACH_CHECK = """
    INSERT INTO breach_checks (referral_id)
    SELECT DISTINCT referral_id FROM marked ORDER BY referral_id
    ON CONFLICT (referral_id) DO UPDATE SET referral_id = excluded.referral_id
    RETURNING referral_id
"""

# The timestamps written as the event's JSON writes them, here, once: parsed back out of the
# jsonb and written again by the bulk path they cost more than the rest of the body.
_DETECTED_EVENTS = f"""
    SELECT gen_random_uuid() AS event_id,
           m.absence_id::text AS subject,
           jsonb_build_object(
               'referral_id', c.referral_id, 'participant_id', c.participant_id,
               'programme_code', c.programme_code, 'provider_org', c.provider_org,
               'referring_org', c.referring_org, 'absence_id', m.absence_id, 'day', m.day,
               'expected_at', {pydantic_time("m.expected_start")}, 'detected_at', {pydantic_time("m.detected_at")},
               'expected_end', {pydantic_time("m.expected_end")}, 'meeting_id', m.meeting_id
           ) AS data,
           c.referring_org, c.provider_org, c.traceparent
    FROM marked AS m JOIN courses AS c ON c.referral_id = m.referral_id
"""


async def mark_missed_arrivals(session: AsyncSession, now: datetime, batch: int) -> int:
    """Detect the missed arrivals due by ``now`` (at most ``batch``); returns how many."""
    detected = await insert_events_from_query(
        session,
        AbsenceDetected,
        _DETECTED_EVENTS,
        {"now": now, "batch": batch, **PARAMS},
        source=SOURCE,
        now=now,
        source_version=release_version("attendance"),
        ctes=[("marked", _MARK_MISSED), ("flagged", _FLAG_BREACH_CHECK), ("asked", QUESTIONS)],
        row_traces=True,  # each absence under its course's trace context (docs/operations.md#traces)
        times_written=True,
    )
    if detected:
        await publish_requested(session, now)
    return detected

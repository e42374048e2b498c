"""Text messages in SQL: consent as referral tells it, the messages asked for, the replies taken.

Requests are written set-based, as the sweep writes its absences: the sweep's one statement
writes a question for each new absence of an opted-in participant (``QUESTIONS``, a CTE of
db/sweep.py) and :func:`publish_requested` publishes them with one more; the reminder job asks
and publishes in one statement. ``sms.requested.v1`` carries no referring organisation: it is an
internal command, and a partner's feed, which matches on that header, never sees it.
"""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import SmsConsentRow, SmsReplyRow
from forlob_attendance.domain.sms import REQUEST_NAMESPACE
from forlob_shared.events import SmsConsentChanged, SmsConsentStatus, SmsReplied, SmsRequested, SmsTemplate
from forlob_shared.messaging.bulk import insert_events_from_query

SOURCE = "forlob/attendance"

# The parameters the statements below take beside ``now`` (and ``at``).
PARAMS = {
    "sms_namespace": str(REQUEST_NAMESPACE),
    "sms_opted_in": SmsConsentStatus.OPTED_IN.value,
    "sms_missed_arrival": SmsTemplate.QUESTION_MISSED_ARRIVAL.value,
    "sms_missed_meeting": SmsTemplate.QUESTION_MISSED_MEETING.value,
    "sms_first_day": SmsTemplate.REMINDER_FIRST_DAY.value,
    "sms_meeting": SmsTemplate.REMINDER_MEETING.value,
}

# A question for each absence just marked (the sweep's ``marked``) whose participant opted in,
# asked until the end of that day in the course's zone (uuid5 as domain/sms.py derives it).
QUESTIONS = """
    INSERT INTO sms_requests (request_id, referral_id, template, day, local_time, absence_id, meeting_id,
                              requested_at, expires_at)
    SELECT uuid_generate_v5(CAST(:sms_namespace AS uuid), m.absence_id::text || ':' || q.template),
           m.referral_id, q.template, m.day, to_char(timezone(c.timezone, m.expected_start), 'HH24:MI'),
           m.absence_id, m.meeting_id, :now, timezone(c.timezone, CAST(m.day + 1 AS timestamp))
    FROM marked AS m
    JOIN sms_consents AS k ON k.referral_id = m.referral_id AND k.status = :sms_opted_in
    JOIN courses AS c ON c.referral_id = m.referral_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN m.meeting_id IS NULL THEN :sms_missed_arrival ELSE :sms_missed_meeting END AS template
    ) AS q
    WHERE timezone(c.timezone, CAST(m.day + 1 AS timestamp)) > :now
    ON CONFLICT (request_id) DO NOTHING
"""

# Tomorrow's first day of a timetabled course (its first window) and tomorrow's planned meetings,
# for the opted-in participants of the courses whose local time has reached ``at`` (each course in
# its own zone), once per course or meeting and day; published in the same statement.
_REMINDERS = """
    INSERT INTO sms_requests (request_id, referral_id, template, day, local_time, absence_id, meeting_id,
                              requested_at, expires_at, published_at)
    SELECT uuid_generate_v5(CAST(:sms_namespace AS uuid), d.cause::text || ':' || d.day::text || ':' || d.template),
           d.referral_id, d.template, d.day, to_char(timezone(d.timezone, d.expected_start), 'HH24:MI'),
           NULL, d.meeting_id, :now, d.expected_start, :now
    FROM (
        SELECT DISTINCT ON (s.referral_id, coalesce(s.meeting_id, s.referral_id))
               s.referral_id, s.day, s.expected_start, s.meeting_id, c.timezone,
               coalesce(s.meeting_id, s.referral_id) AS cause,
               CASE WHEN s.meeting_id IS NULL THEN :sms_first_day ELSE :sms_meeting END AS template
        FROM sms_consents AS k
        JOIN courses AS c ON c.referral_id = k.referral_id
        JOIN slots AS s ON s.referral_id = c.referral_id AND s.day = CAST(timezone(c.timezone, :now) AS date) + 1
        WHERE k.status = :sms_opted_in AND NOT c.ended
          AND CAST(timezone(c.timezone, :now) AS time) >= :at
          AND s.state = 'expected' AND s.expected_start > :now
          AND (s.meeting_id IS NOT NULL OR NOT EXISTS (
              SELECT 1 FROM slots AS p WHERE p.referral_id = s.referral_id AND p.meeting_id IS NULL AND p.day < s.day
          ))
        ORDER BY s.referral_id, coalesce(s.meeting_id, s.referral_id), s.expected_start
    ) AS d
    ON CONFLICT (request_id) DO NOTHING
    RETURNING *
"""

# What the sweep's questions are, once published (NULL only in the transaction that wrote them).
_PUBLISH = """
    UPDATE sms_requests SET published_at = :now WHERE published_at IS NULL
    RETURNING request_id, referral_id, template, day, local_time, absence_id, meeting_id, requested_at, expires_at
"""


def _requested_events(rows: str) -> str:
    return f"""
    SELECT gen_random_uuid() AS event_id,
           r.request_id::text AS subject,
           jsonb_build_object(
               'referral_id', c.referral_id, 'participant_id', c.participant_id, 'provider_org', c.provider_org,
               'request_id', r.request_id, 'template', r.template, 'day', r.day, 'local_time', r.local_time,
               'absence_id', r.absence_id, 'meeting_id', r.meeting_id, 'requested_at', r.requested_at,
               'expires_at', r.expires_at
           ) AS data,
           CAST(NULL AS text) AS referring_org, c.provider_org
    FROM {rows} AS r JOIN courses AS c ON c.referral_id = r.referral_id
    """


async def publish_requested(session: AsyncSession, now: datetime) -> int:
    """``sms.requested.v1`` for each request this transaction wrote and has not published."""
    return await insert_events_from_query(
        session,
        SmsRequested,
        _requested_events("published"),
        {"now": now},
        source=SOURCE,
        now=now,
        ctes=[("published", _PUBLISH)],
    )


class SmsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def consent(self, referral_id: UUID) -> SmsConsentRow | None:
        query = sa.select(SmsConsentRow).where(SmsConsentRow.referral_id == referral_id)
        return (await self.session.scalars(query.execution_options(populate_existing=True))).first()

    async def set_consent(self, event: SmsConsentChanged) -> bool:
        """Keep the course's consent unless a later change is kept already; returns whether kept."""
        values = {
            "referral_id": event.referral_id,
            "participant_id": event.participant_id,
            "provider_org": event.provider_org,
            "status": event.status.value,
            "channel": event.channel.value,
            "changed_at": event.changed_at,
        }
        stmt = pg_insert(SmsConsentRow).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[SmsConsentRow.referral_id],
            set_={k: stmt.excluded[k] for k in values if k != "referral_id"},
            where=SmsConsentRow.changed_at < stmt.excluded.changed_at,
        )
        kept = await self.session.execute(stmt.returning(SmsConsentRow.referral_id))
        return kept.first() is not None

    async def record_reply(self, event: SmsReplied, now: datetime) -> bool:
        """Take the reply unless its ``reply_id`` was taken; returns whether this is the first time."""
        stmt = pg_insert(SmsReplyRow).values(
            reply_id=event.reply_id,
            referral_id=event.referral_id,
            absence_id=event.absence_id,
            code=event.code.value,
            received_at=event.received_at,
            recorded_at=now,
        )
        taken = await self.session.execute(stmt.on_conflict_do_nothing().returning(SmsReplyRow.reply_id))
        return taken.first() is not None

    async def request_reminders(self, now: datetime, at: time) -> int:
        """Ask for (and publish) the reminders due at ``now`` not asked for yet; returns how many."""
        return await insert_events_from_query(
            self.session,
            SmsRequested,
            _requested_events("asked"),
            {"now": now, "at": at, **PARAMS},
            source=SOURCE,
            now=now,
            ctes=[("asked", _REMINDERS)],
        )

"""Events written into the outbox by one INSERT ... SELECT, for use cases that emit thousands at once.

:class:`~forlob_shared.messaging.outbox.OutboxWriter` builds each envelope in Python, which is
right for a request's handful of events. A sweep that turns ten thousand rows into ten thousand
events would spend its time building and shipping them; here PostgreSQL builds the same
CloudEvents envelope and headers (the ``partitionkey`` included) from a query's rows, reserves
each aggregate's sequence numbers in the same statement (gapless, taken in sorted order like the
writer's), and inserts the rows.

The query must return the columns ``event_id`` (uuid), ``subject`` (text), ``data`` (jsonb: the
event's ``data``, matching its model), ``referring_org`` and ``provider_org`` (text or NULL).
It runs in the caller's transaction, so the state change and its events commit together.
A query may also return ``traceparent`` (text or NULL) and say so with ``row_traces=True``: each
event is then written under its row's trace context (a sweep's absence under its course's),
the current one where the row has none.
``ctes`` are named statements placed before the query in the same ``WITH``: typically the
``UPDATE ... RETURNING`` that makes the state change, whose rows the query reads, so that the
change and its events are one statement (PostgreSQL allows data-modifying statements only in a
top-level ``WITH``).

The envelope is :func:`~forlob_shared.events.envelope.encode`'s, attribute for attribute, the
``traceparent`` of the current trace included (shared/tests/integration/test_bulk_equals_encode.py).
``data`` is made the model's JSON too: fields the query leaves out get the model's defaults, and
timestamps are written as pydantic writes them (UTC, ``Z``, microseconds only when not zero),
not as ``to_jsonb`` does (the session's offset, trailing zeros trimmed).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast, get_args

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.events.base import EventData, supersession
from forlob_shared.events.envelope import CONTENT_TYPE, SPEC_VERSION
from forlob_shared.logging import current_traceparent
from forlob_shared.messaging.tables import NOTIFY_CHANNEL

_BULK_INSERT = """
WITH {ctes}src AS ({query}),
counts AS (
    SELECT subject, count(*) AS n FROM src GROUP BY subject
),
reserved AS (
    INSERT INTO aggregate_sequence AS s (aggregate_type, aggregate_id, last)
    SELECT CAST(:_aggregate_type AS text), subject, n FROM counts ORDER BY subject
    ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET last = s.last + excluded.last
    RETURNING aggregate_id, last
),
numbered AS (
    SELECT src.*, reserved.last AS sequence
    FROM src
    JOIN counts ON counts.subject = src.subject AND counts.n = 1
    JOIN reserved ON reserved.aggregate_id = src.subject
    UNION ALL
    SELECT src.*,
           reserved.last - counts.n
             + row_number() OVER (PARTITION BY src.subject ORDER BY src.event_id) AS sequence
    FROM src
    JOIN counts ON counts.subject = src.subject AND counts.n > 1
    JOIN reserved ON reserved.aggregate_id = src.subject
)
INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_sequence, routing_key, headers, body)
SELECT
    event_id, CAST(:_aggregate_type AS text), subject, sequence, CAST(:_routing_key AS text),
    jsonb_strip_nulls(jsonb_build_object(
        'type', CAST(:_type AS text), 'subject', subject, 'partitionkey', partition_key,
        'content-type', CAST(:_content_type AS text),
        'referringorg', nullif(referring_org, ''), 'providerorg', nullif(provider_org, ''),
        'traceparent', {traceparent})),
    convert_to(CAST(:_envelope AS text)
        || ', "id": ' || to_json(event_id)::text || ', "subject": ' || to_json(subject)::text
        || ', "sequence": ' || CAST(sequence AS text) || ', "partitionkey": ' || to_json(partition_key)::text
        || coalesce(', "referringorg": ' || to_json(nullif(referring_org, ''))::text, '')
        || coalesce(', "providerorg": ' || to_json(nullif(provider_org, ''))::text, '')
        || coalesce(', "traceparent": ' || to_json({traceparent})::text, '')
        || ', "data": ' || ({data}{timestamps})::text || '}}', 'UTF8')
FROM (SELECT numbered.*, coalesce(data ->> CAST(:_partition_field AS text), subject) AS partition_key
      FROM numbered) AS keyed
"""

# An aggregate with one event takes the number reserved for it; only those with several are
# numbered by a window, whose sort (in event_id order, so that each aggregate's rows are inserted,
# and so relayed, in the order of their sequence numbers) would otherwise take every row, wide with
# its data, for nothing: a sweep's absences are one event each.
# The body is spliced as text: the envelope's attributes common to every row (written once, in
# Python: :func:`_envelope`), then each row's, each value quoted by ``to_json``, the optional ones
# only when not NULL, then ``"data"`` and the brace. Building it as a json object and stripping its
# nulls (``json_strip_nulls`` parses the text it was given again) took three times as long:
# about 150 ms against 50 ms for 10,000 absences' bodies; as one jsonb, longer still. Consumers
# parse the body, so its key order is nobody's concern.
# A timestamptz as pydantic's JSON writes a datetime: UTC with "Z", six digits of fraction or none.
# One parse and one to_char per value (a sweep formats three per event, ten thousand events at
# once): the fraction is always written and a whole second's ".000000" (the only "." in the
# format's output) taken out again.
_PYDANTIC_TIME = """replace(to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '')
    || 'Z'"""


def pydantic_time(value: str) -> str:
    """SQL writing the timestamptz expression ``value`` as pydantic's JSON writes a datetime (NULL
    stays NULL), for a query that puts its timestamps into ``data`` already written: with
    ``times_written=True`` they are not parsed back and written again (three per absence, the
    largest cost of a sweep's event bodies)."""
    return _PYDANTIC_TIME.format(value=value)


async def insert_events_from_query(
    session: AsyncSession,
    event_type: type[EventData],
    query: str,
    params: dict[str, Any],
    *,
    source: str,
    now: datetime,
    source_version: str | None = None,
    ctes: Sequence[tuple[str, str]] = (),
    row_traces: bool = False,
    times_written: bool = False,
) -> int:
    """Insert one ``event_type`` event per row of ``query`` into the outbox; returns how many.
    ``times_written``: the query wrote every timestamp in ``data`` with :func:`pydantic_time`."""
    if event_type.envelope_attributes.__func__ is not EventData.envelope_attributes.__func__:  # type: ignore[attr-defined]
        # (the partner contract's string ``sequence`` and ``dataschema``): its events go one by one
        raise TypeError(f"{event_type.__name__} has envelope attributes of its own: write it with OutboxWriter")
    if supersession(event_type) is not None:
        # One fact as several majors (forlob_shared.events.majors) is the writer's, not one INSERT's.
        raise TypeError(f"{event_type.__name__} supersedes an older major: write it with OutboxWriter")
    prefix = "".join(f"{name} AS ({sql}),\n" for name, sql in ctes)
    traceparent = "coalesce(traceparent, CAST(:_traceparent AS text))" if row_traces else "CAST(:_traceparent AS text)"
    statement = sa.text(
        _BULK_INSERT.format(
            ctes=prefix,
            query=query,
            data=_with_defaults(event_type),
            timestamps="" if times_written else _as_pydantic_times(event_type),
            traceparent=traceparent,
        )
    )
    result = await session.execute(
        statement,
        {
            **params,
            "_aggregate_type": event_type.aggregate(),
            "_routing_key": event_type.routing_key,
            "_partition_field": event_type.partition_field,  # NULL: the subject
            "_type": event_type.cloudevent_type(),
            "_content_type": CONTENT_TYPE,
            "_envelope": _envelope(event_type, source, now, source_version),
            "_traceparent": current_traceparent(),
            "_defaults": json.dumps(_defaults(event_type)),
            "_default_keys": list(_defaults(event_type)),
        },
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        await session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, "")))
    return count


def _envelope(event_type: type[EventData], source: str, now: datetime, source_version: str | None) -> str:
    """The body's attributes common to every event of one call, as JSON without its closing brace."""
    document = {
        "specversion": SPEC_VERSION,
        "source": source,
        "type": event_type.cloudevent_type(),
        "time": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        **({"sourceversion": source_version} if source_version else {}),
    }
    return json.dumps(document)[:-1]


@functools.cache
def _with_defaults(event_type: type[EventData]) -> str:
    """``data`` with the model's defaults for the fields the query left out. Merged only where one is
    missing: a query that writes them all (the sweep's) is spared a merge per row."""
    if not _defaults(event_type):
        return "data"
    return "CASE WHEN data ?& CAST(:_default_keys AS text[]) THEN data ELSE CAST(:_defaults AS jsonb) || data END"


def _timestamp_fields(event_type: type[EventData]) -> list[str]:
    """The model's top-level datetime fields (optional ones included)."""
    return [
        name
        for name, field in event_type.model_fields.items()
        if field.annotation is datetime or datetime in get_args(field.annotation)
    ]


@functools.cache
def _as_pydantic_times(event_type: type[EventData]) -> str:
    """The ``jsonb`` to merge over ``data`` that rewrites its timestamps as pydantic writes them."""
    fields = _timestamp_fields(event_type)
    if not fields:
        return ""
    pairs = ", ".join(
        f"'{name}', {_PYDANTIC_TIME.format(value=f'CAST(data ->> {_quoted(name)} AS timestamptz)')}" for name in fields
    )
    return f" || jsonb_build_object({pairs})"


def _quoted(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"unexpected field name {name!r}")
    return f"'{name}'"


@functools.cache
def _defaults(event_type: type[EventData]) -> dict[str, Any]:
    """What the model's JSON holds for the fields with a default (the query may leave them out)."""
    return {
        name: TypeAdapter[Any](cast(Any, field.annotation)).dump_python(field.default, mode="json")
        for name, field in event_type.model_fields.items()
        if not field.is_required() and field.default_factory is None
    }

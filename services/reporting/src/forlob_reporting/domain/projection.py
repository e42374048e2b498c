"""How each event changes the read model: pure functions, no I/O.

An event becomes a list of :class:`Change` s, each aimed at one row of one fact table. A change
carries the columns the event knows and, where several events write the same columns, a guard:
the change wins only over a row whose guard is older. So the result of applying a set of events
is the same in every order, and applying one twice changes nothing — which is what lets the
live consumer take events out of order and lets a rebuild replay a stream with duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from forlob_shared.events import (
    AgreementBreached,
    AgreementChanged,
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    CheckedIn,
    CheckedOut,
    Envelope,
    EventData,
    ProgrammeDefined,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
    WeekSummarised,
)

# Danish and Swedish providers share one civil time (CET/CEST), so one zone dates every instant.
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")

Row = dict[str, Any]
Guard = tuple[Any, ...]


@dataclass(frozen=True)
class FactTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # every column, key first, in the table's order


PROGRAMMES = FactTable(
    "programme_facts",
    ("provider_org", "programme_code"),
    ("provider_org", "programme_code", "kind", "capacity", "timezone", "country", "defined_at", "defined_guard"),
)
REFERRALS = FactTable(
    "referral_facts",
    ("referral_id",),
    (
        "referral_id",
        "participant_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "received_at",
        "received_on",
        "accepted_on",
        "intake_date",
        "waitlisted_on",
        "rejected_on",
        "withdrawn_on",
        "start_date",
        "planned_end_date",
        "planned_end_guard",
        "contact_person_id",
        "contact_guard",
        "end_date",
        "outcome",
        "first_job_date",
    ),
)
WEEKS = FactTable(
    "attendance_week_facts",
    ("referral_id", "week_start"),
    (
        "referral_id",
        "week_start",
        "participant_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "agreed_minutes",
        "attended_minutes",
        "internship_minutes",
        "absent_minutes",
        "unexcused_absences",
        "absences_by_reason",
        "summary_guard",
    ),
)
DAYS = FactTable(
    "attendance_day_facts",
    ("referral_id", "day"),
    (
        "referral_id",
        "day",
        "provider_org",
        "programme_code",
        "referring_org",
        "checked_in_at",
        "minutes_late",
        "in_guard",
        "checked_out_at",
        "attended_minutes",
        "out_guard",
    ),
)
BREACHES = FactTable(
    "breach_facts",
    ("breach_id",),
    (
        "breach_id",
        "referral_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "rule",
        "unexcused_absences",
        "detected_at",
        "detected_on",
    ),
)
ALERTS = FactTable(
    "alert_facts",
    ("alert_id",),
    (
        "alert_id",
        "provider_org",
        "referral_id",
        "kind",
        "raised_at",
        "due_at",
        "acknowledged_at",
        "escalation_level",
        "closed_at",
        "org",  # whose alert it is: the organisation whose staff it was raised to
    ),
)
TABLES: tuple[FactTable, ...] = (PROGRAMMES, REFERRALS, WEEKS, DAYS, BREACHES, ALERTS)


@dataclass(frozen=True)
class Change:
    """Set ``values`` on the row ``key`` of ``table``; with a guard, only if it is newer.

    ``guard_column`` holds the guard of the change that last wrote these values (JSON text of
    e.g. ``[sequence]`` or ``[summarised_at, sequence]``). Columns in ``earliest`` keep the
    smallest value ever written (the first acknowledgement of an alert), ``greatest`` the largest.
    """

    table: FactTable
    key: tuple[Any, ...]
    values: Mapping[str, Any]
    guard_column: str | None = None
    guard: Guard = ()
    earliest: tuple[str, ...] = ()
    greatest: tuple[str, ...] = ()


def merge(row: Row | None, change: Change) -> Row:
    """The row after ``change``; ``row`` is not modified."""
    merged: Row = dict(row) if row is not None else dict.fromkeys(change.table.columns)
    merged.update(zip(change.table.key, change.key, strict=True))
    values = dict(change.values)
    for column in change.earliest:
        new, old = values.get(column), merged.get(column)
        if new is not None and old is not None and old <= new:
            del values[column]
    for column in change.greatest:
        new, old = values.get(column), merged.get(column)
        if new is not None and old is not None and old >= new:
            del values[column]
    if change.guard_column is not None:
        current = merged.get(change.guard_column)
        if current is not None and tuple(json.loads(current)) >= change.guard:
            # An older change than the one that wrote these columns: it may still fill in the
            # identity of a row that a newer event created, nothing else.
            values = {c: v for c, v in values.items() if c in IDENTITY_COLUMNS}
        else:
            merged[change.guard_column] = json.dumps(list(change.guard))
    merged.update(values)
    return merged


# Columns every event about one referral carries with the same value.
IDENTITY_COLUMNS = frozenset({"participant_id", "programme_code", "referring_org", "provider_org", "referral_id"})


def _guard_part(value: Any) -> Any:
    # Fixed-width UTC text, so stored guards compare as the instants do.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def guard_of(*parts: Any) -> Guard:
    """A guard comparable with a stored one: ordered parts, timestamps as fixed-width UTC text."""
    return tuple(_guard_part(p) for p in parts)


def local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_ZONE).date()


def _identity(e: Any) -> dict[str, Any]:
    return {
        "participant_id": e.participant_id,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "provider_org": e.provider_org,
    }


def _programme_defined(env: Envelope[Any], e: ProgrammeDefined) -> list[Change]:
    values = {
        "kind": e.kind,
        "capacity": e.capacity,
        "timezone": e.timezone,
        "country": e.country,
        "defined_at": e.defined_at,
    }
    return [
        Change(
            PROGRAMMES,
            (e.provider_org, e.programme_code),
            values,
            "defined_guard",
            guard_of(e.defined_at, env.sequence),
        )
    ]


def _referral(e: Any, **values: Any) -> list[Change]:
    return [Change(REFERRALS, (e.referral_id,), {**_identity(e), **values})]


def _received(env: Envelope[Any], e: ReferralReceived) -> list[Change]:
    return _referral(e, received_at=e.received_at, received_on=local_date(e.received_at))


def _accepted(env: Envelope[Any], e: ReferralAccepted) -> list[Change]:
    # A referral accepted twice (first from intake, later re-offered) keeps its first decision.
    change = _referral(e, accepted_on=local_date(e.decided_at), intake_date=e.intake_date)[0]
    return [Change(REFERRALS, change.key, change.values, earliest=("accepted_on",))]


def _seat_offered(env: Envelope[Any], e: SeatOffered) -> list[Change]:
    return _referral(e)


def _waitlisted(env: Envelope[Any], e: ReferralWaitlisted) -> list[Change]:
    change = _referral(e, waitlisted_on=local_date(e.decided_at))[0]
    return [Change(REFERRALS, change.key, change.values, earliest=("waitlisted_on",))]


def _rejected(env: Envelope[Any], e: ReferralRejected) -> list[Change]:
    return _referral(e, rejected_on=local_date(e.decided_at))


def _withdrawn(env: Envelope[Any], e: ReferralWithdrawn) -> list[Change]:
    return _referral(e, withdrawn_on=local_date(e.withdrawn_at))


def _started(env: Envelope[Any], e: ProgrammeStarted) -> list[Change]:
    key = (e.referral_id,)
    return [
        Change(REFERRALS, key, {**_identity(e), "start_date": e.start_date}),
        Change(REFERRALS, key, {"planned_end_date": e.planned_end_date}, "planned_end_guard", (env.sequence,)),
        Change(REFERRALS, key, {"contact_person_id": e.contact_person_id}, "contact_guard", (env.sequence,)),
    ]


def _rescheduled(env: Envelope[Any], e: ProgrammeRescheduled) -> list[Change]:
    key = (e.referral_id,)
    return [
        Change(REFERRALS, key, _identity(e)),
        Change(REFERRALS, key, {"planned_end_date": e.planned_end_date}, "planned_end_guard", (env.sequence,)),
    ]


def _agreement_changed(env: Envelope[Any], e: AgreementChanged) -> list[Change]:
    key = (e.referral_id,)
    return [
        Change(REFERRALS, key, _identity(e)),
        Change(REFERRALS, key, {"contact_person_id": e.contact_person_id}, "contact_guard", (env.sequence,)),
    ]


def _ended(env: Envelope[Any], e: ProgrammeEnded) -> list[Change]:
    return _referral(
        e, start_date=e.start_date, end_date=e.end_date, outcome=str(e.outcome), first_job_date=e.first_job_date
    )


def _checked_in(env: Envelope[Any], e: CheckedIn) -> list[Change]:
    values = {
        "provider_org": e.provider_org,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "checked_in_at": e.checked_in_at,
        "minutes_late": e.minutes_late,
    }
    return [Change(DAYS, (e.referral_id, e.day), values, "in_guard", guard_of(e.checked_in_at, env.sequence))]


def _checked_out(env: Envelope[Any], e: CheckedOut) -> list[Change]:
    values = {
        "provider_org": e.provider_org,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "checked_out_at": e.checked_out_at,
        "attended_minutes": e.attended_minutes,
    }
    return [Change(DAYS, (e.referral_id, e.day), values, "out_guard", guard_of(e.checked_out_at, env.sequence))]


def _week(env: Envelope[Any], e: WeekSummarised) -> list[Change]:
    values = {
        **_identity(e),
        "agreed_minutes": e.agreed_minutes,
        "attended_minutes": e.attended_minutes,
        "internship_minutes": e.internship_minutes,
        "absent_minutes": e.absent_minutes,
        "unexcused_absences": e.unexcused_absences,
        "absences_by_reason": json.dumps(e.absences_by_reason, sort_keys=True),
    }
    # A week can be summarised again (a late check-out, a reason given afterwards): the latest wins.
    return [
        Change(WEEKS, (e.referral_id, e.week_start), values, "summary_guard", guard_of(e.summarised_at, env.sequence))
    ]


def _breach(env: Envelope[Any], e: AgreementBreached) -> list[Change]:
    values = {
        "referral_id": e.referral_id,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "provider_org": e.provider_org,
        "rule": e.rule,
        "unexcused_absences": e.unexcused_absences,
        "detected_at": e.detected_at,
        "detected_on": local_date(e.detected_at),
    }
    return [Change(BREACHES, (e.breach_id,), values)]


# Alerts raised to the provider's own staff, for events published before alerts named their
# organisation; every other kind then went to the referring organisation's caseworker.
PROVIDER_ALERT_KINDS = frozenset({"absence"})


def alert_org(env: Envelope[Any], e: AlertRaised) -> str:
    """The organisation whose staff an alert was raised to: the event says so; an older event
    (without ``org``) by its kind: an absence is the provider's, a notice, a breach or a closing
    note the referring organisation's (the envelope's ``referringorg``), and one about no
    referral (a webhook switched off) the subscription owner's, which the event names as
    ``provider_org``."""
    if e.org is not None:
        return str(e.org)
    if e.kind in PROVIDER_ALERT_KINDS:
        return str(e.provider_org)
    return str(env.referringorg or e.provider_org)


def _alert_identity(e: Any) -> dict[str, Any]:
    values = {"provider_org": e.provider_org, "referral_id": e.referral_id}
    if e.org is not None:  # an older event does not know it: leave what alert.raised derived
        values["org"] = e.org
    return values


def _alert_raised(env: Envelope[Any], e: AlertRaised) -> list[Change]:
    values = {
        **_alert_identity(e),
        "org": alert_org(env, e),
        "kind": e.kind,
        "raised_at": e.raised_at,
        "due_at": e.due_at,
    }
    return [Change(ALERTS, (e.alert_id,), values)]


def _alert_acknowledged(env: Envelope[Any], e: AlertAcknowledged) -> list[Change]:
    values = {**_alert_identity(e), "acknowledged_at": e.acknowledged_at}
    return [Change(ALERTS, (e.alert_id,), values, earliest=("acknowledged_at",))]


def _alert_escalated(env: Envelope[Any], e: AlertEscalated) -> list[Change]:
    return [
        Change(
            ALERTS, (e.alert_id,), {**_alert_identity(e), "escalation_level": e.level}, greatest=("escalation_level",)
        )
    ]


def _alert_closed(env: Envelope[Any], e: AlertClosed) -> list[Change]:
    return [Change(ALERTS, (e.alert_id,), {**_alert_identity(e), "closed_at": e.closed_at}, earliest=("closed_at",))]


Projector = Callable[[Envelope[Any], Any], list[Change]]

PROJECTORS: dict[type[EventData], Projector] = {
    ProgrammeDefined: _programme_defined,
    ReferralReceived: _received,
    ReferralAccepted: _accepted,
    SeatOffered: _seat_offered,
    ReferralWaitlisted: _waitlisted,
    ReferralRejected: _rejected,
    ReferralWithdrawn: _withdrawn,
    ProgrammeStarted: _started,
    ProgrammeRescheduled: _rescheduled,
    AgreementChanged: _agreement_changed,
    ProgrammeEnded: _ended,
    CheckedIn: _checked_in,
    CheckedOut: _checked_out,
    WeekSummarised: _week,
    AgreementBreached: _breach,
    AlertRaised: _alert_raised,
    AlertAcknowledged: _alert_acknowledged,
    AlertEscalated: _alert_escalated,
    AlertClosed: _alert_closed,
}


def project(envelope: Envelope[Any]) -> list[Change]:
    """The changes one event makes to the read model (none for a type it does not use)."""
    projector = PROJECTORS.get(type(envelope.data))
    return projector(envelope, envelope.data) if projector is not None else []

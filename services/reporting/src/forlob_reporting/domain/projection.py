"""How each event changes the read model: pure functions, no I/O.

An event becomes a list of :class:`Change` s, each aimed at one row of one fact table. A change
carries the columns the event knows and, where several events write the same columns, a guard:
the change wins only over a row whose guard is older. So the result of applying a set of events
is the same in every order, and applying one twice changes nothing — which is what lets the
live consumer take events out of order and lets a rebuild replay a stream with duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from forlob_reporting.domain.employment_projection import EMPLOYMENT_PROJECTORS
from forlob_reporting.domain.facts import ALERTS, BREACHES, DAYS, PROGRAMMES, REFERRALS, WEEKS
from forlob_reporting.domain.merge import Change, guard_of
from forlob_reporting.domain.merge import local_date as local_date  # the day of an instant, as the API's "today"
from forlob_reporting.domain.proposal_projection import PROPOSAL_PROJECTORS
from forlob_reporting.domain.shape_projection import SHAPE_PROJECTORS, referral_from_outreach
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
        "shape": str(e.shape),
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


# A referral's days (received, accepted, ...) are not set here: the row keeps the instants and
# merge dates them in the course's zone, which only programme.started tells (merge.date_in_zone).


def _received(env: Envelope[Any], e: ReferralReceived) -> list[Change]:
    return [*_referral(e, received_at=e.received_at), *referral_from_outreach(env, e)]


def _accepted(env: Envelope[Any], e: ReferralAccepted) -> list[Change]:
    # A referral accepted twice (first from intake, later re-offered) keeps its first decision.
    change = _referral(e, accepted_at=e.decided_at, intake_date=e.intake_date)[0]
    return [Change(REFERRALS, change.key, change.values, earliest=("accepted_at",))]


def _seat_offered(env: Envelope[Any], e: SeatOffered) -> list[Change]:
    return _referral(e)


def _waitlisted(env: Envelope[Any], e: ReferralWaitlisted) -> list[Change]:
    change = _referral(e, waitlisted_at=e.decided_at)[0]
    return [Change(REFERRALS, change.key, change.values, earliest=("waitlisted_at",))]


def _rejected(env: Envelope[Any], e: ReferralRejected) -> list[Change]:
    return _referral(e, rejected_at=e.decided_at)


def _withdrawn(env: Envelope[Any], e: ReferralWithdrawn) -> list[Change]:
    return _referral(e, withdrawn_at=e.withdrawn_at)


def _started(env: Envelope[Any], e: ProgrammeStarted) -> list[Change]:
    key = (e.referral_id,)
    return [
        Change(
            REFERRALS,
            key,
            {**_identity(e), "start_date": e.start_date, "timezone": e.timezone, "shape": str(e.shape)},
        ),
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
    **SHAPE_PROJECTORS,
    **EMPLOYMENT_PROJECTORS,
    **PROPOSAL_PROJECTORS,
}


def project(envelope: Envelope[Any]) -> list[Change]:
    """The changes one event makes to the read model (none for a type it does not use)."""
    projector = PROJECTORS.get(type(envelope.data))
    return projector(envelope, envelope.data) if projector is not None else []

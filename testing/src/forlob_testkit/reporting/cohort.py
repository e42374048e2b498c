"""A synthetic cohort: referrals across programmes with waits, absences, extensions and mixed
outcomes, as the events the other services would publish, plus the ground truth they came from.

Tests publish the events and compare every figure with a value they compute from the ground
truth themselves; the rebuild bench uses the same events at a larger scale.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from forlob_shared.events import (
    AgreementChanged,
    AttendanceRules,
    EventData,
    Outcome,
    ProgrammeDefined,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
)
from forlob_testkit.reporting.cohort_attendance import breaches_and_alerts, caseworker_alert, weeks_of
from forlob_testkit.reporting.cohort_model import (
    OUTCOMES,
    PROGRAMMES,
    REFERRING,
    SCHEDULE,
    Alert,
    Cohort,
    CohortBuilder,
    ProgrammeSpec,
    Published,
    Referral,
    Week,
    utc_at,
    weekday_on_or_after,
)

# The cohort's parts, for the tests that read its ground truth (they import them from here).
__all__ = ["PROGRAMMES", "Alert", "Cohort", "ProgrammeSpec", "Published", "Referral", "Week", "build_cohort"]


def build_cohort(
    referrals: int = 300,
    *,
    seed: int = 7,
    first_day: date = date(2025, 1, 6),
    today: date = date(2026, 11, 20),
    days_share: float = 0.05,
) -> Cohort:
    """``referrals`` referrals received over the ``first_day``..``today`` span, spread evenly."""
    b = CohortBuilder(seed)
    rules = AttendanceRules()
    capacities: dict[tuple[str, str], int] = {}
    for spec in PROGRAMMES:
        subject = f"{spec.provider_org}/{spec.code}"
        for n, capacity in enumerate((spec.capacity - 5, spec.capacity)):  # redefined: the later one counts
            b.emit(
                utc_at(first_day - timedelta(days=30 - n), 8),
                ProgrammeDefined(
                    provider_org=spec.provider_org,
                    programme_code=spec.code,
                    kind=spec.kind,
                    capacity=capacity,
                    intake_weekdays=[0],
                    default_weeks=spec.weeks,
                    min_weeks=1,
                    max_weeks=spec.weeks * 2,
                    opening_hours=SCHEDULE,
                    timezone="Europe/Copenhagen",
                    country="DK",
                    rules=rules,
                    defined_at=utc_at(first_day - timedelta(days=30 - n), 8),
                ),
                subject,
                None,
                spec.provider_org,
            )
        capacities[(spec.provider_org, spec.code)] = spec.capacity
    span = (today - first_day).days - 20
    truth = []
    for _ in range(referrals):
        truth.append(_referral(b, first_day + timedelta(days=b.rnd.randrange(span)), today, rules, days_share))
    return Cohort(truth, capacities, b.published(), today)


def _referral(b: CohortBuilder, received_on: date, today: date, rules: AttendanceRules, days_share: float) -> Referral:
    rnd = b.rnd
    spec = rnd.choice(PROGRAMMES)
    r = Referral(b.uuid(), b.uuid(), spec, rnd.choice(REFERRING), received_on)
    ids: dict[str, Any] = {
        "referral_id": r.referral_id,
        "participant_id": r.participant_id,
        "programme_code": spec.code,
        "referring_org": r.referring_org,
        "provider_org": spec.provider_org,
    }
    subject = str(r.referral_id)

    def emit(at: datetime, data: EventData) -> None:
        b.emit(at, data, subject, r.referring_org, spec.provider_org)

    emit(utc_at(received_on, 9, rnd.randrange(60)), ReferralReceived(**ids, received_at=utc_at(received_on, 9)))
    decided = received_on + timedelta(days=rnd.randrange(1, 5))
    fate = rnd.random()
    if fate < 0.1:
        r.rejected_on = decided
        emit(utc_at(decided), ReferralRejected(**ids, reason_code="not_target_group", decided_at=utc_at(decided)))
        return r
    start = weekday_on_or_after(decided + timedelta(days=rnd.choice((0, 0, 7, 14, 21, 35, 56))))
    if fate < 0.45:
        r.waitlisted_on = decided
        emit(utc_at(decided), ReferralWaitlisted(**ids, position=rnd.randrange(1, 9), decided_at=utc_at(decided)))
        if fate < 0.16:
            r.withdrawn_on = decided + timedelta(days=rnd.randrange(3, 30))
            emit(
                utc_at(r.withdrawn_on),
                ReferralWithdrawn(
                    **ids, previous_state="waitlisted", reason_code="other", withdrawn_at=utc_at(r.withdrawn_on)
                ),
            )
            return r
        decided = start - timedelta(days=rnd.randrange(1, 6))
        emit(
            utc_at(decided),
            ReferralAccepted(**ids, intake_date=start, decided_at=utc_at(decided), from_waiting_list=True),
        )
    else:
        emit(utc_at(decided), ReferralAccepted(**ids, intake_date=start, decided_at=utc_at(decided)))
    if start > today:
        return r  # accepted, still waiting for its intake day
    r.start_date = start
    weeks = spec.weeks if spec.kind != "ips" else rnd.randrange(20, 80)
    r.planned_end_date = start + timedelta(weeks=weeks, days=-3)
    r.contact_person_id = f"{spec.provider_org}-cp{rnd.randrange(4)}"
    emit(
        utc_at(start, 8),
        ProgrammeStarted(
            **ids,
            start_date=start,
            planned_end_date=r.planned_end_date,
            schedule=SCHEDULE,
            opening_hours=SCHEDULE,
            timezone="Europe/Copenhagen",
            country="DK",
            contact_person_id=r.contact_person_id,
            caseworker_id="cw-1",
            rules=rules,
            started_at=utc_at(start, 8),
        ),
    )
    if rnd.random() < 0.25:  # extended or shortened by agreement, halfway
        changed = start + timedelta(weeks=weeks // 2)
        previous = r.planned_end_date
        r.planned_end_date = previous + timedelta(weeks=rnd.choice((-2, 2, 4)))
        if changed <= today:
            emit(
                utc_at(changed),
                ProgrammeRescheduled(
                    **ids,
                    previous_end_date=previous,
                    planned_end_date=r.planned_end_date,
                    change="extended" if r.planned_end_date > previous else "shortened",
                    changed_at=utc_at(changed),
                ),
            )
        else:
            r.planned_end_date = previous
    if rnd.random() < 0.15:  # a new contact person from the third week
        changed = start + timedelta(weeks=2)
        if changed <= today:
            r.contact_person_id = f"{spec.provider_org}-cp{rnd.randrange(4, 6)}"
            emit(
                utc_at(changed),
                AgreementChanged(
                    **ids,
                    effective_from=changed,
                    schedule=SCHEDULE,
                    contact_person_id=r.contact_person_id,
                    changed_at=utc_at(changed),
                ),
            )
    end = r.planned_end_date
    if rnd.random() < 0.12:  # dropped out early
        end = start + timedelta(days=rnd.randrange(7, max(8, (end - start).days)))
    last = min(end, today)
    if spec.summarised:
        weeks_of(b, r, ids, emit, start, last, days_share)
    breaches_and_alerts(b, r, ids, emit, start, last)
    if end <= today:
        caseworker_alert(b, r, "closing_note_ready", utc_at(end, 15, 1))
        outcome = rnd.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        if end < r.planned_end_date and rnd.random() < 0.7:
            outcome = Outcome.DROPPED_OUT
        r.end_date, r.outcome = end, str(outcome)
        if outcome in (Outcome.ORDINARY_EMPLOYMENT, Outcome.EDUCATION, Outcome.FLEX_JOB):
            r.first_job_date = start + timedelta(days=rnd.randrange(0, (end - start).days + 1))
        emit(
            utc_at(end, 15),
            ProgrammeEnded(
                **ids,
                start_date=start,
                end_date=end,
                outcome=outcome,
                first_job_date=r.first_job_date,
                ended_at=utc_at(end, 15),
            ),
        )
    return r

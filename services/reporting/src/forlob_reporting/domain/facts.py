"""The read model's fact tables as the projection sees them: names, keys and columns.

The SQL tables (db/models.py) have these columns in this order; a test holds them equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]
Guard = tuple[Any, ...]


@dataclass(frozen=True)
class FactTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # every column, key first, in the table's order
    # (local day column, instant column): the day is derived from the instant in the row's zone
    # (``zone_column``), so it is right whichever of the two arrives first.
    dated: tuple[tuple[str, str], ...] = ()
    zone_column: str | None = None


PROGRAMMES = FactTable(
    "programme_facts",
    ("provider_org", "programme_code"),
    (
        "provider_org",
        "programme_code",
        "kind",
        "capacity",
        "timezone",
        "country",
        "defined_at",
        "defined_guard",
        "shape",  # timetabled | meetings | outreach; none (a definition from before shapes): timetabled
    ),
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
        "timezone",  # the course's zone (programme.started); none yet: Europe/Copenhagen
        "accepted_at",
        "waitlisted_at",
        "rejected_at",
        "withdrawn_at",
        "shape",  # the course's shape (programme.started)
    ),
    dated=(
        ("received_on", "received_at"),
        ("accepted_on", "accepted_at"),
        ("waitlisted_on", "waitlisted_at"),
        ("rejected_on", "rejected_at"),
        ("withdrawn_on", "withdrawn_at"),
    ),
    zone_column="timezone",
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
# The shapes' facts (domain/shape_projection.py): meetings of meetings-shaped courses, outreach
# cases and their attempts and phases, visits. Days a figure needs are taken from the events
# that carry them, or dated when read in the group's zone.
MEETINGS = FactTable(
    "meeting_facts",
    ("meeting_id",),
    (
        "meeting_id",
        "referral_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "starts_at",  # the latest plan's start (a meeting moved keeps its id)
        "plan_guard",
        "held_on",
        "held_at",
        "cancelled_at",
        "cancelled_by",  # participant | provider
        "missed_on",  # absence.detected with this meeting_id
    ),
)
MEETING_REMINDERS = FactTable(
    "meeting_reminder_facts",
    ("referral_id", "due_by"),
    ("referral_id", "due_by", "programme_code", "referring_org", "provider_org", "detected_at"),
)
OUTREACH_CASES = FactTable(
    "outreach_case_facts",
    ("case_id",),
    (
        "case_id",
        "provider_org",
        "programme_code",
        "opened_at",
        "consent_recorded_at",  # the first consent
        "identified_at",
        "handed_over_at",  # the first of: closed as handed over, a referral naming the case
    ),
)
OUTREACH_ATTEMPTS = FactTable(
    "outreach_attempt_facts",
    ("attempt_id",),
    ("attempt_id", "case_id", "provider_org", "programme_code", "attempted_at", "outcome"),
)
OUTREACH_PHASES = FactTable(
    "outreach_phase_facts",
    ("case_id", "changed_at", "phase"),
    ("case_id", "changed_at", "phase", "provider_org", "programme_code", "previous_phase", "close_reason"),
)
OUTREACH_REMINDERS = FactTable(
    "outreach_reminder_facts",
    ("case_id", "due_by"),
    ("case_id", "due_by", "provider_org", "programme_code", "detected_at"),
)
VISITS = FactTable(
    "visit_facts",
    ("visit_id",),
    ("visit_id", "provider_org", "kind", "with_colleague", "started_at", "planned_end", "ended_at", "overdue_at"),
)
SHAPE_TABLES: tuple[FactTable, ...] = (
    MEETINGS,
    MEETING_REMINDERS,
    OUTREACH_CASES,
    OUTREACH_ATTEMPTS,
    OUTREACH_PHASES,
    OUTREACH_REMINDERS,
    VISITS,
)
# The way into work (domain/employment_projection.py): ids and codes only, never the participant's
# id, so an erasure has nothing to take out of them and a rebuild nothing to bring back.
EMPLOYER_CONTACTS = FactTable(
    "employer_contact_facts",
    ("contact_id",),
    (
        "contact_id",
        "provider_org",
        "programme_code",  # none: general job development, for no course
        "referring_org",
        "referral_id",
        "staff_id",
        "day",
        "kind",
    ),
)
JOB_SPELLS = FactTable(
    "job_spell_facts",
    ("spell_id",),
    (
        "spell_id",
        "referral_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "kind",  # ordinary | flex_job | subsidised | education
        "start_date",
        "end_date",
        "end_reason",
    ),
)
SUPPORT_PHASES = FactTable(
    "support_phase_facts",
    ("referral_id", "changed_at", "phase"),
    (
        "referral_id",
        "changed_at",
        "phase",
        "programme_code",
        "referring_org",
        "provider_org",
        "previous_phase",
        "since",  # the day the phase began (a job's start or end)
    ),
)
CLARIFICATIONS = FactTable(
    "clarification_facts",
    ("referral_id",),
    (
        "referral_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "recommendation",
        "day",
        "meetings_held",
        "work_trials",
        "specialist_assessments",
        "result_guard",  # a result given again: the latest is the course's
    ),
)
# A referral on (course.referred_on): the pair of courses; their start and end are each one's referral facts.
HANDOVERS = FactTable(
    "handover_facts",
    ("handover_id",),
    (
        "handover_id",
        "referral_id",  # the course before
        "programme_code",
        "referring_org",
        "provider_org",
        "next_referral_id",
        "next_programme_code",
        "next_provider_org",
        "relation",  # overlap | sequence
        "planned_start",
        "previous_planned_end",  # the course before's planned last day when it was referred on
        "referred_at",
    ),
)
# A next step the provider proposed (course.next_step_proposed) and what became of it: referred on
# as proposed (course.referred_on with the same handover_id), declined with a coded reason, or
# withdrawn. Each decision its own column, set once: the same in any order. No participant id.
PROPOSALS = FactTable(
    "next_step_proposal_facts",
    ("handover_id",),
    (
        "handover_id",
        "referral_id",  # the running course the step was proposed for
        "programme_code",
        "referring_org",
        "provider_org",  # the proposing provider
        "next_programme_code",
        "next_provider_org",
        "proposed_at",
        "referred_at",  # accepted: the caseworker referred on as proposed
        "declined_at",
        "decline_reason",  # forlob_shared.events.handover.DeclineReason
        "withdrawn_at",
    ),
)
EMPLOYMENT_TABLES: tuple[FactTable, ...] = (
    EMPLOYER_CONTACTS,
    JOB_SPELLS,
    SUPPORT_PHASES,
    CLARIFICATIONS,
    HANDOVERS,
    PROPOSALS,
)
TABLES: tuple[FactTable, ...] = (
    PROGRAMMES,
    REFERRALS,
    WEEKS,
    DAYS,
    BREACHES,
    ALERTS,
    *SHAPE_TABLES,
    *EMPLOYMENT_TABLES,
)

# Columns every event about one referral carries with the same value.
IDENTITY_COLUMNS = frozenset({"participant_id", "programme_code", "referring_org", "provider_org", "referral_id"})

"""The read model's fact tables. Their columns are the projection's (domain/facts.py)."""

from __future__ import annotations

import sqlalchemy as sa

from forlob_reporting.domain import facts as p

metadata = sa.MetaData()

_ORGS = (
    sa.Column("programme_code", sa.Text),
    sa.Column("referring_org", sa.Text),
    sa.Column("provider_org", sa.Text),
)


def _orgs() -> list[sa.Column[str]]:
    return [c._copy() for c in _ORGS]


programme_facts = sa.Table(
    p.PROGRAMMES.name,
    metadata,
    sa.Column("provider_org", sa.Text, primary_key=True),
    sa.Column("programme_code", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text),
    sa.Column("capacity", sa.Integer),
    sa.Column("timezone", sa.Text),
    sa.Column("country", sa.Text),
    sa.Column("defined_at", sa.DateTime(timezone=True)),
    sa.Column("defined_guard", sa.Text),
    sa.Column("shape", sa.Text),
)

referral_facts = sa.Table(
    p.REFERRALS.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("participant_id", sa.Uuid),
    *_orgs(),
    sa.Column("received_at", sa.DateTime(timezone=True)),
    sa.Column("received_on", sa.Date),
    sa.Column("accepted_on", sa.Date),
    sa.Column("intake_date", sa.Date),
    sa.Column("waitlisted_on", sa.Date),
    sa.Column("rejected_on", sa.Date),
    sa.Column("withdrawn_on", sa.Date),
    sa.Column("start_date", sa.Date),
    sa.Column("planned_end_date", sa.Date),
    sa.Column("planned_end_guard", sa.Text),
    sa.Column("contact_person_id", sa.Text),
    sa.Column("contact_guard", sa.Text),
    sa.Column("end_date", sa.Date),
    sa.Column("outcome", sa.Text),
    sa.Column("first_job_date", sa.Date),
    sa.Column("timezone", sa.Text),
    sa.Column("accepted_at", sa.DateTime(timezone=True)),
    sa.Column("waitlisted_at", sa.DateTime(timezone=True)),
    sa.Column("rejected_at", sa.DateTime(timezone=True)),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.Column("shape", sa.Text),
    sa.Index("referral_facts_provider", "provider_org", "programme_code"),
)

attendance_week_facts = sa.Table(
    p.WEEKS.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("week_start", sa.Date, primary_key=True),
    sa.Column("participant_id", sa.Uuid),
    *_orgs(),
    sa.Column("agreed_minutes", sa.Integer),
    sa.Column("attended_minutes", sa.Integer),
    sa.Column("internship_minutes", sa.Integer),
    sa.Column("absent_minutes", sa.Integer),
    sa.Column("unexcused_absences", sa.Integer),
    sa.Column("absences_by_reason", sa.Text, doc="JSON object: reason → count"),
    sa.Column("summary_guard", sa.Text),
    sa.Index("attendance_week_facts_provider", "provider_org", "programme_code", "week_start"),
)

attendance_day_facts = sa.Table(
    p.DAYS.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("referring_org", sa.Text),
    sa.Column("checked_in_at", sa.DateTime(timezone=True)),
    sa.Column("minutes_late", sa.Integer),
    sa.Column("in_guard", sa.Text),
    sa.Column("checked_out_at", sa.DateTime(timezone=True)),
    sa.Column("attended_minutes", sa.Integer),
    sa.Column("out_guard", sa.Text),
)

breach_facts = sa.Table(
    p.BREACHES.name,
    metadata,
    sa.Column("breach_id", sa.Uuid, primary_key=True),
    sa.Column("referral_id", sa.Uuid),
    *_orgs(),
    sa.Column("rule", sa.Text),
    sa.Column("unexcused_absences", sa.Integer),
    sa.Column("detected_at", sa.DateTime(timezone=True)),
    sa.Column("detected_on", sa.Date),
)

alert_facts = sa.Table(
    p.ALERTS.name,
    metadata,
    sa.Column("alert_id", sa.Uuid, primary_key=True),
    sa.Column("provider_org", sa.Text, index=True),
    sa.Column("referral_id", sa.Uuid),
    sa.Column("kind", sa.Text),
    sa.Column("raised_at", sa.DateTime(timezone=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    sa.Column("escalation_level", sa.Integer),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("org", sa.Text, index=True),
)

_AT = sa.DateTime(timezone=True)

meeting_facts = sa.Table(
    p.MEETINGS.name,
    metadata,
    sa.Column("meeting_id", sa.Uuid, primary_key=True),
    sa.Column("referral_id", sa.Uuid),
    *_orgs(),
    sa.Column("starts_at", _AT),
    sa.Column("plan_guard", sa.Text),
    sa.Column("held_on", sa.Date),
    sa.Column("held_at", _AT),
    sa.Column("cancelled_at", _AT),
    sa.Column("cancelled_by", sa.Text),
    sa.Column("missed_on", sa.Date),
    sa.Index("meeting_facts_provider", "provider_org", "programme_code"),
)

meeting_reminder_facts = sa.Table(
    p.MEETING_REMINDERS.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("due_by", sa.Date, primary_key=True),
    *_orgs(),
    sa.Column("detected_at", _AT),
)

outreach_case_facts = sa.Table(
    p.OUTREACH_CASES.name,
    metadata,
    sa.Column("case_id", sa.Uuid, primary_key=True),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("opened_at", _AT),
    sa.Column("consent_recorded_at", _AT),
    sa.Column("identified_at", _AT),
    sa.Column("handed_over_at", _AT),
    sa.Index("outreach_case_facts_provider", "provider_org", "programme_code"),
)

outreach_attempt_facts = sa.Table(
    p.OUTREACH_ATTEMPTS.name,
    metadata,
    sa.Column("attempt_id", sa.Uuid, primary_key=True),
    sa.Column("case_id", sa.Uuid),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("attempted_at", _AT),
    sa.Column("outcome", sa.Text),
    sa.Index("outreach_attempt_facts_provider", "provider_org", "programme_code"),
)

outreach_phase_facts = sa.Table(
    p.OUTREACH_PHASES.name,
    metadata,
    sa.Column("case_id", sa.Uuid, primary_key=True),
    sa.Column("changed_at", _AT, primary_key=True),
    sa.Column("phase", sa.Text, primary_key=True),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("previous_phase", sa.Text),
    sa.Column("close_reason", sa.Text),
    sa.Index("outreach_phase_facts_provider", "provider_org", "programme_code"),
)

outreach_reminder_facts = sa.Table(
    p.OUTREACH_REMINDERS.name,
    metadata,
    sa.Column("case_id", sa.Uuid, primary_key=True),
    sa.Column("due_by", sa.Date, primary_key=True),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("detected_at", _AT),
    sa.Index("outreach_reminder_facts_provider", "provider_org", "programme_code"),
)

visit_facts = sa.Table(
    p.VISITS.name,
    metadata,
    sa.Column("visit_id", sa.Uuid, primary_key=True),
    sa.Column("provider_org", sa.Text, index=True),
    sa.Column("kind", sa.Text),
    sa.Column("with_colleague", sa.Boolean),
    sa.Column("started_at", _AT),
    sa.Column("planned_end", _AT),
    sa.Column("ended_at", _AT),
    sa.Column("overdue_at", _AT),
)

employer_contact_facts = sa.Table(
    p.EMPLOYER_CONTACTS.name,
    metadata,
    sa.Column("contact_id", sa.Uuid, primary_key=True),
    sa.Column("provider_org", sa.Text),
    sa.Column("programme_code", sa.Text),
    sa.Column("referring_org", sa.Text),
    sa.Column("referral_id", sa.Uuid),
    sa.Column("staff_id", sa.Text),
    sa.Column("day", sa.Date),
    sa.Column("kind", sa.Text),
    sa.Index("employer_contact_facts_provider", "provider_org", "programme_code"),
)

job_spell_facts = sa.Table(
    p.JOB_SPELLS.name,
    metadata,
    sa.Column("spell_id", sa.Uuid, primary_key=True),
    sa.Column("referral_id", sa.Uuid),
    *_orgs(),
    sa.Column("kind", sa.Text),
    sa.Column("start_date", sa.Date),
    sa.Column("end_date", sa.Date),
    sa.Column("end_reason", sa.Text),
    sa.Index("job_spell_facts_provider", "provider_org", "programme_code"),
)

support_phase_facts = sa.Table(
    p.SUPPORT_PHASES.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("changed_at", _AT, primary_key=True),
    sa.Column("phase", sa.Text, primary_key=True),
    *_orgs(),
    sa.Column("previous_phase", sa.Text),
    sa.Column("since", sa.Date),
    sa.Index("support_phase_facts_provider", "provider_org", "programme_code"),
)

clarification_facts = sa.Table(
    p.CLARIFICATIONS.name,
    metadata,
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    *_orgs(),
    sa.Column("recommendation", sa.Text),
    sa.Column("day", sa.Date),
    sa.Column("meetings_held", sa.Integer),
    sa.Column("work_trials", sa.Integer),
    sa.Column("specialist_assessments", sa.Integer),
    sa.Column("result_guard", sa.Text),
    sa.Index("clarification_facts_provider", "provider_org", "programme_code"),
    sa.Index("clarification_facts_referring", "referring_org", "programme_code"),
)

handover_facts = sa.Table(
    p.HANDOVERS.name,
    metadata,
    sa.Column("handover_id", sa.Uuid, primary_key=True),
    sa.Column("referral_id", sa.Uuid),
    *_orgs(),
    sa.Column("next_referral_id", sa.Uuid),
    sa.Column("next_programme_code", sa.Text),
    sa.Column("next_provider_org", sa.Text),
    sa.Column("relation", sa.Text),
    sa.Column("planned_start", sa.Date),
    sa.Column("previous_planned_end", sa.Date),
    sa.Column("referred_at", _AT),
    sa.Index("handover_facts_provider", "provider_org", "programme_code"),
    sa.Index("handover_facts_next_provider", "next_provider_org", "next_programme_code"),
    sa.Index("handover_facts_referring", "referring_org"),
)

next_step_proposal_facts = sa.Table(
    p.PROPOSALS.name,
    metadata,
    sa.Column("handover_id", sa.Uuid, primary_key=True),
    sa.Column("referral_id", sa.Uuid),
    *_orgs(),
    sa.Column("next_programme_code", sa.Text),
    sa.Column("next_provider_org", sa.Text),
    sa.Column("proposed_at", _AT),
    sa.Column("referred_at", _AT),
    sa.Column("declined_at", _AT),
    sa.Column("decline_reason", sa.Text),
    sa.Column("withdrawn_at", _AT),
    sa.Index("next_step_proposal_facts_provider", "provider_org", "programme_code"),
    sa.Index("next_step_proposal_facts_referring", "referring_org"),
)

TABLES: dict[str, sa.Table] = {t.name: t for t in metadata.sorted_tables}

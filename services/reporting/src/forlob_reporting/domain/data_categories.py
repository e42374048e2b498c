"""The data the reporting service holds about a participant, per category (GDPR Art. 15, 30).

The read model is facts for figures, keyed by referral; only two tables name the participant's
pseudonymous id, and no figure uses it. On an accepted erasure that id is removed (set to null):
the facts stay, so the figures still add up, and nothing here points to the person any more.
"""

from __future__ import annotations

from forlob_shared.dpo import DataCategory

LEGAL_BASIS = (
    "GDPR Art. 6(1)(e) and 89: statistics on waiting times, attendance and outcomes for the provider and the "
    "jobcentre, from pseudonymous facts"
)
KEPT = "as long as the figures are kept; the participant id is removed when the participant's data is erased"

CATEGORIES = (
    DataCategory(
        "referral_facts",
        "the referral's dates, states and outcome as the figures count them",
        KEPT,
        LEGAL_BASIS,
        "kept without the participant id",
    ),
    DataCategory(
        "attendance_week_facts",
        "agreed, attended and absent minutes per week, absences by coded reason",
        KEPT,
        LEGAL_BASIS,
        "kept without the participant id",
    ),
    DataCategory(
        "attendance_day_facts", "check-in and check-out per day", KEPT, LEGAL_BASIS, "kept, keyed by referral only"
    ),
    DataCategory("breach_facts", "breaches of the agreement", KEPT, LEGAL_BASIS, "kept, keyed by referral only"),
    DataCategory(
        "meeting_facts",
        "meetings of a meetings-shaped course: planned start, held, cancelled by whom, missed",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only",
    ),
    DataCategory(
        "job_spell_facts",
        "spells of work or education: kind, start, end and coded reason (never the employer's name)",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only",
    ),
    DataCategory(
        "support_phase_facts",
        "a meetings course's moves between job search and support in work, and since when",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only",
    ),
    DataCategory(
        "employer_contact_facts",
        "the consultant's employer contacts for the course: day and kind (never the employer's name)",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only",
    ),
    DataCategory(
        "clarification_facts",
        "a clarification course's recommendation and how much evidence is behind it (counts)",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only",
    ),
    DataCategory(
        "handover_facts",
        "referrals on from one course to the next programme: the two referrals, programmes and providers, overlap "
        "or sequence, the planned start and the course before's planned last day",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only (no participant id)",
    ),
    DataCategory(
        "next_step_proposal_facts",
        "next steps the provider proposed for a course: the programmes and providers, when proposed, and whether "
        "and when referred on as proposed, declined (with the coded reason) or withdrawn; no staff",
        KEPT,
        LEGAL_BASIS,
        "kept, keyed by referral only (no participant id)",
    ),
)

"""The data the notifications service holds about a participant, per category (GDPR Art. 15, 30).

Alerts and deliveries are about a participant but addressed to the provider's staff: the staff
ids and e-mail addresses are the provider's data, left out of the participant's export (the
export says "the provider's staff" instead). On an accepted erasure it all goes: the alert
response times are reporting's, built from the events.
"""

from __future__ import annotations

from forlob_shared.dpo import DataCategory

LEGAL_BASIS = (
    "GDPR Art. 6(1)(e) and 9(2)(b): following up the attendance the jobcentre's referral agreed, and "
    "the notices its legal basis requires"
)
KEPT = "while the course runs, and until the participant's data is erased (see referral's legal holds)"

CATEGORIES = (
    DataCategory(
        "course_assignments",
        "who at the provider and the jobcentre looks after the course (as roles), its legal basis",
        KEPT,
        LEGAL_BASIS,
        "deleted",
    ),
    DataCategory(
        "alerts",
        "alerts to the provider's staff about the participant's absences and breaches, with the coded facts "
        "and the note written on acknowledging",
        KEPT,
        LEGAL_BASIS,
        "deleted",
    ),
    DataCategory(
        "deliveries",
        "the e-mails, inbox entries and notices to the jobcentre sent about those alerts (recipients left out)",
        KEPT,
        LEGAL_BASIS,
        "deleted with their attempts",
    ),
    DataCategory(
        "told_to_the_referring_organisation",
        "the partner events the referring organisation's system was sent about the participant's referrals "
        "(pseudonymous ids, dates and coded facts: never a name, an identity number or free text), kept so "
        "that its system can catch up",
        "PARTNER_FEED_RETENTION_DAYS after the referral's last partner event (400 days by default, at least 90)",
        LEGAL_BASIS,
        "kept until its retention ends: it is what the referring organisation was told under its legal basis, "
        "and its catch-up depends on it; no event of the participant is added after the erasure",
    ),
)

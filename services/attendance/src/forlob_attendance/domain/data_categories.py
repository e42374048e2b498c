"""The data the attendance service holds about a participant, per category (GDPR Art. 15, 30).

All of it is pseudonymous (the participant id, never a name), yet personal data: attendance and
reasons for absence say something about a person's health and circumstances. On an accepted
erasure all of it goes: the figures are reporting's, built from the events, not from these rows.
"""

from __future__ import annotations

from forlob_shared.dpo import DataCategory

LEGAL_BASIS = (
    "GDPR Art. 6(1)(e) and 9(2)(b): the course agreed in the jobcentre's referral; attendance is what "
    "the provider must follow and report under the legal basis"
)
KEPT = "while the course runs, and until the participant's data is erased (see referral's legal holds)"
ERASED = "deleted"


def _category(name: str, description: str) -> DataCategory:
    return DataCategory(name, description, KEPT, LEGAL_BASIS, ERASED)


CATEGORIES = (
    _category("courses", "the course's dates, programme and agreed weekly schedule"),
    _category("slots", "each expected arrival: check-in, check-out, lateness, absence and its reason"),
    _category("absences_reported", "absences reported in advance, with their coded reason"),
    _category("internship_days", "a combined course's internship days at a company (employer by id) in the plan"),
    _category("contact_attempts", "the provider's attempts to reach the participant after an absence"),
    _category("breaches", "breaches of the attendance agreement the rules found"),
    _category("week_summaries", "agreed, attended and absent minutes per week"),
    _category("sms_consent", "whether the participant takes text messages, since when and how (never the number)"),
    _category("sms_requested", "the reminders and questions by text asked of referral: template, day and time"),
    _category("sms_replies", "the participant's coded replies by text (a code, never the text)"),
)

"""The personal data the referral service holds about a participant, per category (GDPR Art. 15
and 30): what the access export is divided into, and what the record of processing lists."""

from __future__ import annotations

from forlob_shared.dpo import DataCategory

LEGAL_BASIS = (
    "GDPR Art. 6(1)(e) and 9(2)(b)/(h): the jobcentre's referral under the employment and social "
    "legislation (LAB, aktivloven), carried out by the provider as the jobcentre's processor and "
    "for its own course"
)


# ReferralSettings.retention_days's default (a test keeps them equal); the record of processing names it.
DEFAULT_RETENTION_DAYS = 5 * 365 + 1


def categories(retention_days: int) -> tuple[DataCategory, ...]:
    kept = f"until {retention_days} days after the referral closes (ended, rejected or withdrawn)"
    return (
        DataCategory(
            "identity",
            "name and national identity number (CPR / personnummer), held only here",
            kept,
            LEGAL_BASIS,
            "erased",
        ),
        DataCategory(
            "referrals",
            "the referral's pseudonymous facts: programme, dates, states, reason codes, outcome",
            "kept pseudonymous after the personal data is erased: the figures need them",
            LEGAL_BASIS,
            "kept, pseudonymous (no name or identity number points to them any more)",
        ),
        DataCategory("goals_and_plan", "the referral's goals and the development plan", kept, LEGAL_BASIS, "erased"),
        DataCategory("closing_notes", "the closing note to the jobcentre", kept, LEGAL_BASIS, "erased"),
        DataCategory(
            "course_record",
            "the course record: follow-up talks (topics, agreed next steps), meetings, specialist notes",
            kept,
            LEGAL_BASIS,
            "erased",
        ),
        DataCategory(
            "messages", "messages about the referral between provider and caseworker", kept, LEGAL_BASIS, "erased"
        ),
        DataCategory(
            "text_messages",
            "the mobile number, preferred language and consent to text messages (when, how, by whom; its "
            "withdrawal, also by a STOP reply), the messages asked for (template, day, what became of each, "
            "delivery status) and the replies' codes; never a message's text",
            kept,
            LEGAL_BASIS + "; the number and text messages with the participant's consent (GDPR Art. 6(1)(a))",
            "the number, language and consent erased; the messages' and replies' codes kept, pseudonymous",
        ),
        DataCategory(
            "work_and_education",
            "spells of work or education during a course (employer, kind, dates, weekly hours, end reason, the "
            "participant's choice whether to tell the employer), the employer contacts made for the course, and "
            "a clarification course's result (recommendation, resources and challenges by area, evidence counts)",
            kept,
            LEGAL_BASIS,
            "the disclosure choice and the resources and challenges erased; the coded facts kept, pseudonymous",
        ),
        DataCategory(
            "handovers",
            "referrals on from a course to the next programme: the next step (programme, provider, overlap or "
            "sequence, planned start), the coded facts handed over (goal attainment counted, a clarification's "
            "recommendation and resource-profile areas, the course's dates) and the handover meeting's time",
            kept,
            LEGAL_BASIS,
            "the resource-profile areas erased; the coded facts kept, pseudonymous",
        ),
        DataCategory(
            "outreach_cases",
            "outreach cases: the working name and description of a person of concern, the contact attempts "
            "(place, channel, outcome, notes), the consent (how and when), and after consent the name and "
            'identity number; a closing\'s "helped on to"',
            f"until {retention_days} days after the case closes",
            "GDPR Art. 6(1)(e) and 9(2)(h): the municipality's outreach work under the social legislation "
            "(serviceloven / socialtjänstlagen); identification only with the citizen's consent",
            'working name, description, identity, notes and "helped on to" erased; coded facts kept',
        ),
        DataCategory(
            "identity_reads",
            "audit: who read the identity number, when and why",
            "kept with the referral: the accountability of the reads (Art. 5(2))",
            "GDPR Art. 6(1)(c) and 32: security of processing",
            "kept, pseudonymous",
        ),
        DataCategory(
            "waiting_list_moves",
            "audit: the participant's place on a waiting list changed by a coordinator, and why",
            "kept with the referral: the accountability of the moves",
            "GDPR Art. 6(1)(c) and 5(2): accountability",
            "kept, pseudonymous",
        ),
    )


CATEGORIES = categories(DEFAULT_RETENTION_DAYS)

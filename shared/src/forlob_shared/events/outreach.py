"""Events about outreach cases: contact work with citizens who did not ask, before any referral.

A case is pseudonymous (``case_id``); its working name and description never leave the referral
service. It gains a ``participant_id`` only when the citizen consents and is identified.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


class OutreachPhase(StrEnum):
    CONTACT_CREATION = "contact_creation"
    RELATIONSHIP = "relationship"
    BRIDGING = "bridging"  # bridging and handover
    CLOSED = "closed"


class OutreachCloseReason(StrEnum):
    NOT_IN_TARGET_GROUP = "not_in_target_group"  # helped on to someone else
    HANDED_OVER = "handed_over"  # stable contact handed over
    MOVED_AWAY = "moved_away"
    DECLINED = "declined"
    NOT_FOUND = "not_found"
    OTHER = "other"


class ContactPlace(StrEnum):
    STREET = "street"
    HOME = "home"
    SHELTER = "shelter"
    PROVIDER = "provider"
    PARTNER_SITE = "partner_site"
    PHONE = "phone"
    OTHER = "other"


class ContactChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    VIA_NETWORK = "via_network"  # through a relative, landlord, another service


class ContactOutcome(StrEnum):
    NOT_FOUND = "not_found"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    BRIEF_CONTACT = "brief_contact"
    MEETING_AGREED = "meeting_agreed"


class ConsentMethod(StrEnum):
    ORAL = "oral"
    WRITTEN = "written"
    DIGITAL = "digital"


class _OutreachEvent(EventData):
    aggregate_type = "outreach"

    case_id: UUID
    provider_org: str
    programme_code: str


@register
class OutreachCaseOpened(_OutreachEvent):
    routing_key = "outreach.case_opened.v1"
    description = "The outreach team opened a case about a person of concern (pseudonymous: no name, no identity)."

    staff_id: str = Field(description="the team member responsible for the contact work")
    opened_at: datetime


@register
class OutreachContactAttempted(_OutreachEvent):
    routing_key = "outreach.contact_attempted.v1"
    description = "A contact attempt: where, how, and its coded outcome; the next attempt is due by next_attempt_by."

    attempt_id: UUID
    place: ContactPlace
    channel: ContactChannel
    outcome: ContactOutcome
    staff_id: str
    attempted_at: datetime
    next_attempt_by: date | None = Field(default=None, description="the contact plan: try again by this day")


@register
class OutreachPhaseChanged(_OutreachEvent):
    routing_key = "outreach.phase_changed.v1"
    description = "The case moved between contact creation, relationship, bridging/handover and closed."

    previous_phase: OutreachPhase
    phase: OutreachPhase
    close_reason: OutreachCloseReason | None = None
    changed_at: datetime


@register
class OutreachConsentRecorded(_OutreachEvent):
    routing_key = "outreach.consent_recorded.v1"
    description = "The citizen agreed to be identified and helped on; only now may an identity number be taken."

    method: ConsentMethod
    given_at: datetime
    recorded_by: str = Field(description="staff id")
    recorded_at: datetime


@register
class OutreachCaseIdentified(_OutreachEvent):
    routing_key = "outreach.case_identified.v1"
    description = "After consent, the case became an identified participant (the pseudonymous participant_id)."

    participant_id: UUID
    identified_at: datetime


@register
class OutreachContactOverdue(_OutreachEvent):
    routing_key = "outreach.contact_overdue.v1"
    description = "The contact plan's next attempt is past its day with no attempt made: the team member is reminded."

    staff_id: str
    due_by: date
    last_attempt_at: datetime | None = None
    detected_at: datetime

"""Events about referrals. Pseudonymous ids only: no names, identity numbers or notes."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


@register
class ReferralReceived(EventData):
    routing_key = "referral.received.v1"
    description = "A caseworker referred a participant to a provider's programme."

    referral_id: UUID
    participant_id: UUID = Field(description="pseudonymous id of the participant at this provider")
    programme_code: str
    referring_org: str
    provider_org: str
    received_at: datetime
    wished_start: date | None = None
    wished_weekly_hours: float | None = None
    legal_basis: str | None = Field(default=None, description="coded legal basis, e.g. 'LAB-32-1-2'")
    outreach_case_id: UUID | None = Field(
        default=None, description="a handover from an outreach case: the case whose history's facts it carries"
    )


@register
class ReferralAccepted(EventData):
    routing_key = "referral.accepted.v1"
    description = "The provider accepted the referral with an intake date."

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    intake_date: date
    decided_at: datetime
    from_waiting_list: bool = False


@register
class ReferralWaitlisted(EventData):
    routing_key = "referral.waitlisted.v1"
    description = "The programme is full: the referral is on its waiting list with an estimated start."

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    position: int = Field(ge=1)
    estimated_start: date | None = None
    decided_at: datetime


@register
class ReferralRejected(EventData):
    routing_key = "referral.rejected.v1"
    description = "The provider rejected the referral, with a coded reason."

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    reason_code: str = Field(description="e.g. not_target_group, no_capacity_long_term, duplicate, other")
    decided_at: datetime


@register
class ReferralWithdrawn(EventData):
    routing_key = "referral.withdrawn.v1"
    description = "The referral was withdrawn before the course started."

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    previous_state: str
    reason_code: str
    withdrawn_at: datetime


@register
class SeatOffered(EventData):
    routing_key = "referral.seat_offered.v1"
    description = "A seat freed up and was offered to the first referral on the waiting list."

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    intake_date: date
    offered_at: datetime


@register
class MessagePosted(EventData):
    routing_key = "referral.message_posted.v1"
    description = (
        "A message about a referral waits for the other side (the provider's staff or the referring "
        "caseworker). Ids only: the text stays in the referral service; notifications tells the "
        "recipients by e-mail, with a link to the thread."
    )

    referral_id: UUID
    message_id: UUID
    from_side: str = Field(pattern="^(provider|referrer)$", description="'provider' or 'referrer'")
    referring_org: str
    provider_org: str
    caseworker_id: str = Field(description="the referral's caseworker at the referring organisation")
    contact_person_id: str | None = Field(default=None, description="the course's contact person, if started")
    posted_at: datetime

"""Events about a participant as a person rather than one course: the erasure of their data."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


@register
class ParticipantErased(EventData):
    routing_key = "participant.erased.v1"
    description = (
        "The provider's data protection officer granted a participant's erasure request (GDPR Art. 17): "
        "the referral service erased their personal data, and every service that holds something "
        "about them erases it or keeps only the pseudonymous facts the figures need. Internal: never "
        "a partner's. Carries the pseudonymous id only."
    )

    participant_id: UUID
    provider_org: str
    referral_ids: list[UUID] = Field(description="the participant's referrals at this provider, all closed")
    erased_at: datetime

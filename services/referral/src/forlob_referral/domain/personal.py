"""What the service keeps about a person apart from the referral's pseudonymous facts: the
participant's identity and what people wrote (held only here, erased after retention), and the
audit trail of who read an identity number or moved someone on the waiting list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from forlob_referral.domain.participant import Participant
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan, Goal


@dataclass(frozen=True)
class PersonalData:
    """The personal part of one referral."""

    participant: Participant
    goals: list[Goal] = field(default_factory=list)
    plan: DevelopmentPlan | None = None
    closing_note: ClosingNote | None = None


@dataclass(frozen=True)
class IdentityRead:
    """One read of an identity number, with its purpose (the audit log)."""

    referral_id: UUID
    org: str
    staff_id: str
    purpose: str
    read_at: datetime


@dataclass(frozen=True)
class WaitlistMove:
    """A coordinator's change of the waiting list's order, with the reason given."""

    referral_id: UUID
    provider_org: str
    programme_code: str
    staff_id: str
    from_position: int
    to_position: int
    reason: str
    moved_at: datetime

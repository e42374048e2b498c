"""What arrives from the gateway: a participant's reply (kept as a code) and the cost count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from forlob_shared.events.sms import SmsReplyCode

# The gateway's final delivery states (GatewayAPI): a transient one after these is ignored.
FINAL_DELIVERY_STATES = frozenset(
    {"DELIVERED", "EXPIRED", "DELETED", "UNDELIVERABLE", "ACCEPTED", "REJECTED", "SKIPPED"}
)


@dataclass(frozen=True)
class SmsReply:
    reply_id: UUID
    referral_id: UUID | None  # None: no participant has the number it came from
    code: SmsReplyCode
    in_reply_to: UUID | None
    received_at: datetime


@dataclass(frozen=True)
class SmsUsage:
    """A month's messages for one provider, for the gateway's invoice."""

    provider_org: str
    messages: int
    parts: int

"""Messages about one referral between the provider's staff and the referring caseworker.

A message is free text: it lives only here. The other side hears that one waits (an event with
ids only, turned into an e-mail by notifications) and reads it in the pages; opening the thread
is the read receipt of every message the other side sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from forlob_referral.domain.referral import Referral
from forlob_shared.http.auth import Principal

# The provider's staff who take part in the conversation with the jobcentre.
PROVIDER_ROLES = frozenset({"coordinator", "contact_person", "team_leader"})


class Side(StrEnum):
    PROVIDER = "provider"
    REFERRER = "referrer"

    @property
    def other(self) -> Side:
        return Side.REFERRER if self is Side.PROVIDER else Side.PROVIDER


@dataclass(frozen=True)
class Message:
    id: UUID
    referral_id: UUID
    side: Side
    author_id: str
    text: str
    posted_at: datetime
    read_by: str | None = None
    read_at: datetime | None = None

    def read(self, reader_id: str, at: datetime) -> Message:
        return self if self.read_at is not None else replace(self, read_by=reader_id, read_at=at)


def side_of(viewer: Principal, referral: Referral) -> Side | None:
    """The side the caller speaks for, or None: the thread is then not there for them (404)."""
    if viewer.org == referral.provider_org and viewer.roles & PROVIDER_ROLES:
        return Side.PROVIDER
    if viewer.org == referral.referring_org and "caseworker" in viewer.roles:
        return Side.REFERRER
    return None

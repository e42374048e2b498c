"""In-memory twin of the text messages' repository (referral service): satisfies ``SmsStore`` of
``forlob_referral.application.ports``, held to the SQL original by
``services/referral/tests/unit/test_sms_contract.py``."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from forlob_referral.domain.sms import QUESTIONS, ConsentChange, SmsContact, SmsMessage, SmsState
from forlob_referral.domain.sms_inbound import SmsReply, SmsUsage
from forlob_testkit.fakes import FakeStore

_OPEN = (SmsState.SENT, SmsState.SENDING, SmsState.UNCONFIRMED)


class InMemorySms:
    def __init__(self, store: FakeStore) -> None:
        self._contacts: dict[UUID, SmsContact] = store.table("sms_contacts")
        self._changes: list[ConsentChange] = store.table("sms_consent_changes", list)
        self._messages: dict[UUID, SmsMessage] = store.table("sms_messages")
        self._replies: dict[UUID, SmsReply] = store.table("sms_replies")

    async def contact(self, referral_id: UUID, *, lock: bool = False) -> SmsContact | None:
        return copy.deepcopy(self._contacts.get(referral_id))

    async def save_contact(self, contact: SmsContact) -> None:
        self._contacts[contact.referral_id] = copy.deepcopy(contact)

    async def add_consent_change(self, change: ConsentChange) -> None:
        self._changes.append(change)

    async def consent_history(self, referral_id: UUID) -> list[ConsentChange]:
        return [c for c in self._changes if c.referral_id == referral_id]

    async def contacts_with_number(self, mobile_number: str, *, lock: bool = False) -> list[SmsContact]:
        found = [c for c in self._contacts.values() if c.mobile_number == mobile_number]
        found.sort(key=lambda c: str(c.referral_id))
        found.sort(key=lambda c: c.changed_at, reverse=True)
        return copy.deepcopy(found)

    async def add_message(self, message: SmsMessage) -> bool:
        if message.request_id in self._messages:
            return False
        self._messages[message.request_id] = copy.deepcopy(message)
        return True

    async def message(self, request_id: UUID, *, lock: bool = False) -> SmsMessage | None:
        return copy.deepcopy(self._messages.get(request_id))

    async def message_by_gateway_id(self, gateway_message_id: str, *, lock: bool = False) -> SmsMessage | None:
        found = [m for m in self._messages.values() if m.gateway_message_id == gateway_message_id]
        return copy.deepcopy(found[0]) if found else None

    async def save_messages(self, *messages: SmsMessage) -> None:
        for message in messages:
            if message.request_id in self._messages:  # like an UPDATE
                self._messages[message.request_id] = copy.deepcopy(message)

    async def due(self, now: datetime, limit: int) -> list[SmsMessage]:
        found = [
            m
            for m in self._messages.values()
            if m.state is SmsState.PENDING and m.not_before is not None and m.not_before <= now
        ]
        found.sort(key=lambda m: (m.not_before, str(m.request_id)))
        return copy.deepcopy(found[:limit])

    async def stale_sending(self, claimed_before: datetime, limit: int) -> list[SmsMessage]:
        found = [
            m
            for m in self._messages.values()
            if m.state is SmsState.SENDING and m.claimed_at is not None and m.claimed_at < claimed_before
        ]
        found.sort(key=lambda m: m.claimed_at or claimed_before)
        return copy.deepcopy(found[:limit])

    async def latest_open_question(self, referral_ids: Sequence[UUID], now: datetime) -> SmsMessage | None:
        found = [
            m
            for m in self._messages.values()
            if m.referral_id in referral_ids
            and m.template in QUESTIONS
            and m.state in _OPEN
            and m.answered_by is None
            and m.expires_at > now
        ]
        found.sort(key=lambda m: m.claimed_at or datetime.min.replace(tzinfo=now.tzinfo), reverse=True)
        return copy.deepcopy(found[0]) if found else None

    async def messages_of(self, referral_id: UUID) -> list[SmsMessage]:
        found = [m for m in self._messages.values() if m.referral_id == referral_id]
        return copy.deepcopy(sorted(found, key=lambda m: (m.requested_at, str(m.request_id))))

    async def add_reply(self, reply: SmsReply) -> bool:
        if reply.reply_id in self._replies:
            return False
        self._replies[reply.reply_id] = reply
        return True

    async def replies_of(self, referral_id: UUID) -> list[SmsReply]:
        return sorted((r for r in self._replies.values() if r.referral_id == referral_id), key=lambda r: r.received_at)

    async def usage(self, start: datetime, end: datetime, provider_org: str | None) -> list[SmsUsage]:
        counts: dict[str, list[int]] = {}
        for m in self._messages.values():
            if m.sent_at is None or not start <= m.sent_at < end:
                continue
            if provider_org is not None and m.provider_org != provider_org:
                continue
            row = counts.setdefault(m.provider_org, [0, 0])
            row[0] += 1
            row[1] += m.parts if m.parts is not None else 1
        return [SmsUsage(org, n, parts) for org, (n, parts) in sorted(counts.items())]

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        for referral_id in referral_ids:
            self._contacts.pop(referral_id, None)
        self._changes[:] = [c for c in self._changes if c.referral_id not in referral_ids]

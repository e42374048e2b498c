"""SQL repository of the participants' text messages (satisfies ``SmsStore``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.sms_models import SmsConsentChangeRow, SmsContactRow, SmsMessageRow, SmsReplyRow
from forlob_referral.domain.sms import (
    QUESTIONS,
    ConsentChange,
    SmsContact,
    SmsMessage,
    SmsSkipReason,
    SmsState,
)
from forlob_referral.domain.sms_catalogue import SmsLanguage
from forlob_referral.domain.sms_inbound import SmsReply, SmsUsage
from forlob_shared.events.sms import SmsConsentChannel, SmsConsentStatus, SmsReplyCode, SmsTemplate

_MESSAGE_FIELDS = [f.name for f in fields(SmsMessage)]


def _contact(row: SmsContactRow) -> SmsContact:
    return SmsContact(
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        provider_org=row.provider_org,
        mobile_number=row.mobile_number,
        language=SmsLanguage(row.language),
        status=SmsConsentStatus(row.status),
        channel=SmsConsentChannel(row.channel),
        changed_by=row.changed_by,
        changed_at=row.changed_at,
    )


def _message(row: SmsMessageRow) -> SmsMessage:
    values: dict[str, Any] = {name: getattr(row, name) for name in _MESSAGE_FIELDS}
    values["template"] = SmsTemplate(row.template)
    values["state"] = SmsState(row.state)
    values["skip_reason"] = SmsSkipReason(row.skip_reason) if row.skip_reason else None
    values["language"] = SmsLanguage(row.language) if row.language else None
    return SmsMessage(**values)


def _message_values(message: SmsMessage) -> dict[str, Any]:
    values = {name: getattr(message, name) for name in _MESSAGE_FIELDS}
    for name in ("template", "state", "skip_reason", "language"):
        value = values[name]
        values[name] = value.value if value is not None else None
    return values


class SmsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- consent and number ---------------------------------------------------------------------

    async def contact(self, referral_id: UUID, *, lock: bool = False) -> SmsContact | None:
        query = sa.select(SmsContactRow).where(SmsContactRow.referral_id == referral_id)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _contact(row) if row else None

    async def save_contact(self, contact: SmsContact) -> None:
        values = {
            "referral_id": contact.referral_id,
            "participant_id": contact.participant_id,
            "provider_org": contact.provider_org,
            "mobile_number": contact.mobile_number,
            "language": contact.language.value,
            "status": contact.status.value,
            "channel": contact.channel.value,
            "changed_by": contact.changed_by,
            "changed_at": contact.changed_at,
        }
        statement = insert(SmsContactRow).values(**values)
        update = {k: v for k, v in values.items() if k != "referral_id"}
        await self.session.execute(statement.on_conflict_do_update(index_elements=["referral_id"], set_=update))

    async def add_consent_change(self, change: ConsentChange) -> None:
        self.session.add(
            SmsConsentChangeRow(
                referral_id=change.referral_id,
                status=change.status.value,
                channel=change.channel.value,
                changed_by=change.changed_by,
                changed_at=change.changed_at,
            )
        )
        await self.session.flush()

    async def consent_history(self, referral_id: UUID) -> list[ConsentChange]:
        rows = await self.session.scalars(
            sa.select(SmsConsentChangeRow)
            .where(SmsConsentChangeRow.referral_id == referral_id)
            .order_by(SmsConsentChangeRow.id)
        )
        return [
            ConsentChange(
                r.referral_id, SmsConsentStatus(r.status), SmsConsentChannel(r.channel), r.changed_by, r.changed_at
            )
            for r in rows
        ]

    async def contacts_with_number(self, mobile_number: str, *, lock: bool = False) -> list[SmsContact]:
        query = (
            sa.select(SmsContactRow)
            .where(SmsContactRow.mobile_number == mobile_number)
            .order_by(SmsContactRow.changed_at.desc(), SmsContactRow.referral_id)
        )
        if lock:
            query = query.with_for_update()
        rows = await self.session.scalars(query.execution_options(populate_existing=True))
        return [_contact(r) for r in rows]

    # -- messages -------------------------------------------------------------------------------

    async def add_message(self, message: SmsMessage) -> bool:
        """Store a requested message; False (and nothing changes) if its request id is known."""
        statement = insert(SmsMessageRow).values(**_message_values(message))
        result = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=["request_id"]).returning(SmsMessageRow.request_id)
        )
        return result.scalar_one_or_none() is not None

    async def message(self, request_id: UUID, *, lock: bool = False) -> SmsMessage | None:
        query = sa.select(SmsMessageRow).where(SmsMessageRow.request_id == request_id)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _message(row) if row else None

    async def message_by_gateway_id(self, gateway_message_id: str, *, lock: bool = False) -> SmsMessage | None:
        query = sa.select(SmsMessageRow).where(SmsMessageRow.gateway_message_id == gateway_message_id)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _message(row) if row else None

    async def save_messages(self, *messages: SmsMessage) -> None:
        for message in messages:
            values = _message_values(message)
            request_id = values.pop("request_id")
            await self.session.execute(
                sa.update(SmsMessageRow).where(SmsMessageRow.request_id == request_id).values(**values)
            )

    async def due(self, now: datetime, limit: int) -> list[SmsMessage]:
        """PENDING messages whose time has come, locked; rows another sender holds are skipped."""
        rows = await self.session.scalars(
            sa.select(SmsMessageRow)
            .where(SmsMessageRow.state == SmsState.PENDING.value, SmsMessageRow.not_before <= now)
            .order_by(SmsMessageRow.not_before, SmsMessageRow.request_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [_message(r) for r in rows]

    async def stale_sending(self, claimed_before: datetime, limit: int) -> list[SmsMessage]:
        rows = await self.session.scalars(
            sa.select(SmsMessageRow)
            .where(SmsMessageRow.state == SmsState.SENDING.value, SmsMessageRow.claimed_at < claimed_before)
            .order_by(SmsMessageRow.claimed_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [_message(r) for r in rows]

    async def latest_open_question(self, referral_ids: Sequence[UUID], now: datetime) -> SmsMessage | None:
        if not referral_ids:
            return None
        row = await self.session.scalar(
            sa.select(SmsMessageRow)
            .where(
                SmsMessageRow.referral_id.in_(list(referral_ids)),
                SmsMessageRow.template.in_([t.value for t in QUESTIONS]),
                SmsMessageRow.state.in_([SmsState.SENT.value, SmsState.SENDING.value, SmsState.UNCONFIRMED.value]),
                SmsMessageRow.answered_by.is_(None),
                SmsMessageRow.expires_at > now,
            )
            .order_by(SmsMessageRow.claimed_at.desc().nulls_last())
            .limit(1)
            .with_for_update()
        )
        return _message(row) if row else None

    async def messages_of(self, referral_id: UUID) -> list[SmsMessage]:
        rows = await self.session.scalars(
            sa.select(SmsMessageRow)
            .where(SmsMessageRow.referral_id == referral_id)
            .order_by(SmsMessageRow.requested_at, SmsMessageRow.request_id)
        )
        return [_message(r) for r in rows]

    # -- replies and cost -----------------------------------------------------------------------

    async def add_reply(self, reply: SmsReply) -> bool:
        """Record a reply; False (and nothing changes) if the same inbound message came before."""
        statement = insert(SmsReplyRow).values(
            reply_id=reply.reply_id,
            referral_id=reply.referral_id,
            code=reply.code.value,
            in_reply_to=reply.in_reply_to,
            received_at=reply.received_at,
        )
        result = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=["reply_id"]).returning(SmsReplyRow.reply_id)
        )
        return result.scalar_one_or_none() is not None

    async def replies_of(self, referral_id: UUID) -> list[SmsReply]:
        rows = await self.session.scalars(
            sa.select(SmsReplyRow).where(SmsReplyRow.referral_id == referral_id).order_by(SmsReplyRow.received_at)
        )
        return [SmsReply(r.reply_id, r.referral_id, SmsReplyCode(r.code), r.in_reply_to, r.received_at) for r in rows]

    async def usage(self, start: datetime, end: datetime, provider_org: str | None) -> list[SmsUsage]:
        """Messages the gateway accepted in [start, end), and their parts, per provider."""
        query = (
            sa.select(
                SmsMessageRow.provider_org,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.func.coalesce(SmsMessageRow.parts, 1)), 0),
            )
            .where(SmsMessageRow.sent_at >= start, SmsMessageRow.sent_at < end)
            .group_by(SmsMessageRow.provider_org)
            .order_by(SmsMessageRow.provider_org)
        )
        if provider_org is not None:
            query = query.where(SmsMessageRow.provider_org == provider_org)
        rows = await self.session.execute(query)
        return [SmsUsage(org, int(count), int(parts)) for org, count, parts in rows]

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        """The number, language and consent go with the referral's personal data; the messages' and
        replies' coded facts (no number, no text) stay pseudonymous."""
        if referral_ids:
            ids = list(referral_ids)
            await self.session.execute(sa.delete(SmsContactRow).where(SmsContactRow.referral_id.in_(ids)))
            await self.session.execute(sa.delete(SmsConsentChangeRow).where(SmsConsentChangeRow.referral_id.in_(ids)))

"""Tables of the participants' text messages (migration 0007): consent and number (personal, erased
with the referral's personal data), the messages asked for, and the replies' codes."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forlob_referral.db.models import Base

TZ = sa.DateTime(timezone=True)


class SmsContactRow(Base):
    """The participant's mobile number (E.164), language and consent: personal data, like the identity number."""

    __tablename__ = "sms_contacts"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), primary_key=True)
    participant_id: Mapped[UUID]
    provider_org: Mapped[str] = mapped_column(sa.Text)
    mobile_number: Mapped[str] = mapped_column(sa.Text, index=True)
    language: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.Text)
    changed_by: Mapped[str | None] = mapped_column(sa.Text)
    changed_at: Mapped[datetime] = mapped_column(TZ)


class SmsConsentChangeRow(Base):
    """The history of a consent: when, how and by whom (never the number)."""

    __tablename__ = "sms_consent_changes"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    status: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.Text)
    changed_by: Mapped[str | None] = mapped_column(sa.Text)
    changed_at: Mapped[datetime] = mapped_column(TZ)


class SmsMessageRow(Base):
    """One message asked for (by its request id) and what became of it; no number, no text."""

    __tablename__ = "sms_messages"
    __table_args__ = (sa.Index("sms_messages_due", "state", "not_before"),)

    request_id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(index=True)
    participant_id: Mapped[UUID]
    provider_org: Mapped[str] = mapped_column(sa.Text)
    template: Mapped[str] = mapped_column(sa.Text)
    day: Mapped[date]
    local_time: Mapped[str | None] = mapped_column(sa.Text)
    absence_id: Mapped[UUID | None]
    meeting_id: Mapped[UUID | None]
    zone: Mapped[str] = mapped_column(sa.Text)
    requested_at: Mapped[datetime] = mapped_column(TZ)
    expires_at: Mapped[datetime] = mapped_column(TZ)
    state: Mapped[str] = mapped_column(sa.Text)
    not_before: Mapped[datetime | None] = mapped_column(TZ)
    attempts: Mapped[int]
    claimed_at: Mapped[datetime | None] = mapped_column(TZ)
    skip_reason: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.Text)
    gateway_message_id: Mapped[str | None] = mapped_column(sa.Text, unique=True)
    parts: Mapped[int | None]
    sent_at: Mapped[datetime | None] = mapped_column(TZ)
    delivery_status: Mapped[str | None] = mapped_column(sa.Text)
    delivery_at: Mapped[datetime | None] = mapped_column(TZ)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    answered_by: Mapped[UUID | None]


class SmsReplyRow(Base):
    """A reply received, by the gateway's message id (as a uuid5): its code, never its text."""

    __tablename__ = "sms_replies"

    reply_id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID | None] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(sa.Text)
    in_reply_to: Mapped[UUID | None]
    received_at: Mapped[datetime] = mapped_column(TZ)

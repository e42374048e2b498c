"""What the gateway tells: a participant's reply (MO SMS) and a message's delivery status.

A reply becomes its code (``parse_reply``), matched to the latest open question sent to its
number, and ``sms.replied``; the same inbound message delivered twice is one fact (its id is
the gateway's, as a uuid5). STOP withdraws consent at once for every referral with that number.
The text is read once, here, and kept nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.sms import ConsentChange, SmsContact, SmsState, reply_id_of
from forlob_referral.domain.sms_inbound import FINAL_DELIVERY_STATES, SmsReply, SmsUsage
from forlob_referral.domain.sms_number import msisdn_to_e164
from forlob_referral.domain.sms_replies import parse_reply
from forlob_shared.errors import InvalidInput
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.events.sms import SmsConsentChannel, SmsReplied, SmsReplyCode
from forlob_shared.logging import get_logger

log = get_logger("forlob.referral.sms")
GATEWAY = "gatewayapi"


@dataclass(frozen=True)
class ReplyOutcome:
    reply_id: UUID
    duplicate: bool
    matched: bool
    code: SmsReplyCode


def _instant(value: Any, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def _text(claims: dict[str, Any], keyword: str) -> str:
    text = str(claims.get("message") or "")
    # A keyword on a shared short code comes first in the message ("FORLOB 1"): it is no answer.
    if keyword and text.strip().casefold().startswith(keyword.casefold()):
        text = text.strip()[len(keyword) :]
    return text


async def receive_reply(uow: ReferralUoW, claims: dict[str, Any], *, keyword: str = "") -> ReplyOutcome:
    """A verified MO SMS webhook's payload: record the reply once and tell what it says."""
    if "id" not in claims or "msisdn" not in claims:
        raise InvalidInput("the inbound message has no id or msisdn", field="payload")
    reply_id = reply_id_of(GATEWAY, str(claims["id"]))
    code = parse_reply(_text(claims, keyword))
    async with uow:
        now = uow.clock.now()
        received_at = _instant(claims.get("senttime"), now)
        number = msisdn_to_e164(claims["msisdn"])
        contacts = await uow.sms.contacts_with_number(number, lock=True) if number else []
        question = await uow.sms.latest_open_question([c.referral_id for c in contacts], now)
        target = _target(contacts, question.referral_id if question else None)
        reply = SmsReply(
            reply_id,
            target.referral_id if target else None,
            code,
            question.request_id if question else None,
            received_at,
        )
        if not await uow.sms.add_reply(reply):
            await uow.commit()
            log.info("sms.reply_duplicate", reply_id=str(reply_id))
            return ReplyOutcome(reply_id, duplicate=True, matched=target is not None, code=code)
        if question is not None and code is not SmsReplyCode.STOP:
            question.answered_by = reply_id
            await uow.sms.save_messages(question)
        if code is SmsReplyCode.STOP:
            await _stop(uow, contacts, now)
        if target is not None:
            uow.emit(_replied(target, reply, question.absence_id if question else None))
        log.info(
            "sms.reply",
            reply_id=str(reply_id),
            code=code.value,
            matched=target is not None,
            in_reply_to=str(reply.in_reply_to) if reply.in_reply_to else None,
        )
        await uow.commit()
    return ReplyOutcome(reply_id, duplicate=False, matched=target is not None, code=code)


def _target(contacts: list[SmsContact], referral_id: UUID | None) -> SmsContact | None:
    """The referral a reply is about: the open question's, else the newest consent's."""
    if referral_id is not None:
        return next(c for c in contacts if c.referral_id == referral_id)
    opted_in = [c for c in contacts if c.opted_in]
    chosen = opted_in or contacts
    return chosen[0] if chosen else None


async def _stop(uow: ReferralUoW, contacts: list[SmsContact], now: datetime) -> None:
    for contact in contacts:
        if contact.opt_out(SmsConsentChannel.SMS_STOP, None, now):
            await uow.sms.save_contact(contact)
            await uow.sms.add_consent_change(
                ConsentChange(contact.referral_id, contact.status, contact.channel, None, now)
            )
            uow.emit(contact.event())
            log.info("sms.opted_out", referral_id=str(contact.referral_id), channel="sms_stop")


def _replied(contact: SmsContact, reply: SmsReply, absence_id: UUID | None) -> PendingEvent:
    data = SmsReplied(
        referral_id=contact.referral_id,
        participant_id=contact.participant_id,
        provider_org=contact.provider_org,
        reply_id=reply.reply_id,
        code=reply.code,
        in_reply_to=reply.in_reply_to,
        absence_id=absence_id,
        received_at=reply.received_at,
    )
    return PendingEvent(data=data, subject=str(contact.referral_id), provider_org=contact.provider_org)


async def receive_delivery_status(uow: ReferralUoW, claims: dict[str, Any]) -> bool:
    """A verified delivery status webhook's payload: record it on its message (found by the
    gateway's id, or by our reference for a send whose answer was lost). False: no such message."""
    if "id" not in claims or "status" not in claims:
        raise InvalidInput("the delivery status has no id or status", field="payload")
    gateway_id, status = str(claims["id"]), str(claims["status"]).upper()
    async with uow:
        now = uow.clock.now()
        message = await uow.sms.message_by_gateway_id(gateway_id, lock=True)
        if message is None and claims.get("userref"):
            try:
                message = await uow.sms.message(UUID(str(claims["userref"])), lock=True)
            except ValueError:
                message = None
        if message is None:
            log.info("sms.status_unknown", gateway_message_id=gateway_id, status=status)
            return False
        if message.state in (SmsState.SENDING, SmsState.UNCONFIRMED):
            message.sent(gateway_id, message.parts, message.claimed_at or now)  # the report confirms the send
            log.info("sms.confirmed_by_report", request_id=str(message.request_id), gateway_message_id=gateway_id)
        if not (message.delivery_status in FINAL_DELIVERY_STATES and status not in FINAL_DELIVERY_STATES):
            message.delivery_status, message.delivery_at = status, _instant(claims.get("time"), now)
        await uow.sms.save_messages(message)
        await uow.commit()
    log.info("sms.status", request_id=str(message.request_id), status=status)
    return True


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``"2026-12"`` as [first instant, first instant of the next month), UTC."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput("month must be YYYY-MM", field="month") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime.combine(first, datetime.min.time(), UTC), datetime.combine(following, datetime.min.time(), UTC)


async def usage(uow: ReferralUoW, month: str, provider_org: str | None) -> list[SmsUsage]:
    """Messages the gateway accepted in the month, and their parts, per provider (for the invoice)."""
    start, end = month_bounds(month)
    async with uow:
        return await uow.sms.usage(start, end, provider_org)

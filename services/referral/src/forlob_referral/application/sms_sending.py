"""Sending the text messages other services ask for (``sms.requested``).

The request is stored first (once per request id, however often it is asked); a sweep sends what
is due: it claims each message (committed) before it calls the gateway and records the gateway's
message id after, so a crash in between never sends twice (domain/sms.py). Consent, expiry and
quiet hours are decided when the message is due, so a STOP received in between is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.application.sms_metrics import count
from forlob_referral.domain.sms import SmsMessage, SmsSkipReason, SmsState, plan
from forlob_referral.domain.sms_catalogue import render
from forlob_referral.domain.sms_number import e164_to_msisdn
from forlob_referral.domain.sms_quiet import QuietHours, parse_clock
from forlob_referral.runtime import ReferralRuntime
from forlob_referral.settings import ReferralSettings
from forlob_referral.sms_gateway import GatewayApi, GatewayRefused, GatewayUncertain, Sent, SmsGateway
from forlob_shared.errors import NotFound
from forlob_shared.events.sms import SmsRequested
from forlob_shared.logging import get_logger

log = get_logger("forlob.referral.sms")


@dataclass(frozen=True)
class SendOptions:
    quiet: QuietHours = field(default_factory=QuietHours)
    max_attempts: int = 6
    backoff: timedelta = timedelta(seconds=30)
    confirm_window: timedelta = timedelta(minutes=15)
    batch: int = 50

    @classmethod
    def of(cls, settings: ReferralSettings) -> SendOptions:
        return cls(
            quiet=QuietHours(parse_clock(settings.sms_quiet_start), parse_clock(settings.sms_quiet_end)),
            max_attempts=settings.sms_max_attempts,
            backoff=timedelta(seconds=settings.sms_retry_backoff),
            confirm_window=timedelta(seconds=settings.sms_confirm_window),
        )


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retrying: int = 0
    failed: int = 0
    unconfirmed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


async def record_request(uow: ReferralUoW, data: SmsRequested) -> bool:
    """Inside the consumer's transaction: store the request (False if its id is known already)."""
    referral = await uow.referrals.get_provided_by(data.referral_id, data.provider_org)
    if referral is None:
        raise NotFound(f"no referral {data.referral_id} at {data.provider_org}")
    programme = await uow.programmes.get(referral.provider_org, referral.programme_code)
    if programme is None:
        raise NotFound(f"no programme {referral.programme_code}")
    added = await uow.sms.add_message(SmsMessage.requested(data, programme.timezone))
    log.info("sms.requested", request_id=str(data.request_id), template=data.template.value, duplicate=not added)
    return added


async def _give_up_on_silent_sends(uow: ReferralUoW, now: datetime, options: SendOptions, report: SendReport) -> None:
    async with uow:
        stale = await uow.sms.stale_sending(now - options.confirm_window, options.batch)
        for message in stale:
            message.unconfirmed()
            log.warning("sms.unconfirmed", request_id=str(message.request_id), attempts=message.attempts)
        await uow.sms.save_messages(*stale)
        await uow.commit()
    report.unconfirmed += len(stale)


async def _claim(
    uow: ReferralUoW, now: datetime, options: SendOptions, report: SendReport
) -> list[tuple[SmsMessage, str, str]]:
    """Decide each due message; claim those to send (committed before any gateway call)."""
    to_send: list[tuple[SmsMessage, str, str]] = []
    async with uow:
        due = await uow.sms.due(now, options.batch)
        for message in due:
            contact = await uow.sms.contact(message.referral_id)
            decision = plan(message, contact, options.quiet, now)
            if decision.skip is not None:
                message.skip(decision.skip)
                report.skipped += 1
                report.reasons[decision.skip.value] = report.reasons.get(decision.skip.value, 0) + 1
                log.info("sms.skipped", request_id=str(message.request_id), reason=decision.skip.value)
            elif decision.defer_until is not None:
                message.not_before = decision.defer_until
                report.deferred += 1
                log.info("sms.deferred", request_id=str(message.request_id), until=decision.defer_until.isoformat())
            else:
                assert contact is not None
                message.claim(contact.language, now)
                text = render(message.template, contact.language, message.day, message.local_time)
                to_send.append((message, contact.mobile_number, text))
        await uow.sms.save_messages(*due)
        await uow.commit()
    return to_send


async def _record(
    uow: ReferralUoW,
    claimed: SmsMessage,
    outcome: Sent | Exception,
    now: datetime,
    options: SendOptions,
    report: SendReport,
) -> None:
    async with uow:
        message = await uow.sms.message(claimed.request_id, lock=True)
        if message is None or message.state is not SmsState.SENDING:
            return  # a delivery report confirmed it meanwhile
        request = str(message.request_id)
        if isinstance(outcome, Sent):
            message.sent(outcome.message_id, outcome.parts, now)
            report.sent += 1
            log.info("sms.sent", request_id=request, gateway_message_id=outcome.message_id, parts=outcome.parts)
        elif isinstance(outcome, GatewayRefused) and outcome.permanent:
            message.fail(SmsSkipReason.GATEWAY_REFUSED, str(outcome))
            report.failed += 1
            log.warning("sms.refused", request_id=request, error=str(outcome))
        elif isinstance(outcome, GatewayRefused):
            message.retry_later(now, str(outcome), options.backoff, options.max_attempts)
            if message.skip_reason is SmsSkipReason.TOO_MANY_ATTEMPTS:
                report.failed += 1
            else:
                report.retrying += 1
            log.warning("sms.retry", request_id=request, attempts=message.attempts, error=str(outcome))
        else:  # uncertain: it stays SENDING until a delivery report confirms it, or the window ends
            message.last_error = str(outcome)
            log.warning("sms.uncertain", request_id=request, error=str(outcome))
        await uow.sms.save_messages(message)
        await uow.commit()


async def send_due(uow: ReferralUoW, gateway: SmsGateway, now: datetime, options: SendOptions) -> SendReport:
    """One sweep: settle silent sends, then send (or skip, or defer) what is due."""
    report = SendReport()
    await _give_up_on_silent_sends(uow, now, options, report)
    for message, number, text in await _claim(uow, now, options, report):
        outcome: Sent | Exception
        try:
            outcome = await gateway.send(
                e164_to_msisdn(number), text, reference=str(message.request_id), label=message.provider_org
            )
        except (GatewayRefused, GatewayUncertain) as exc:
            outcome = exc
        await _record(uow, message, outcome, now, options, report)
    return report


async def sms_send_job(runtime: ReferralRuntime, now: datetime) -> SendReport:
    """The periodic form of :func:`send_due`, on GatewayAPI as the settings configure it, counted
    for Prometheus."""
    report = await send_due(runtime.uow(), GatewayApi.of(runtime.settings), now, SendOptions.of(runtime.settings))
    count(report)
    return report

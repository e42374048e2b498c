"""A participant's consent to text messages, with their mobile number and language: recorded by
the provider's staff (opt-in or opt-out), or withdrawn by the participant's own STOP
(``sms_inbound``). The number is never shown whole again: a view masks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from forlob_referral.application.common import own_programme, provided
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.sms import ConsentChange, SmsContact
from forlob_referral.domain.sms_catalogue import SmsLanguage
from forlob_referral.domain.sms_number import masked, normalise_mobile
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.sms import SmsConsentChannel, SmsConsentStatus
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class OptIn:
    mobile_number: str
    language: SmsLanguage
    channel: SmsConsentChannel


@dataclass(frozen=True)
class ConsentView:
    referral_id: UUID
    status: SmsConsentStatus | None  # None: never asked
    language: SmsLanguage | None
    mobile_number_masked: str | None
    channel: SmsConsentChannel | None
    changed_by: str | None
    changed_at: datetime | None
    history: list[ConsentChange]


async def _view(uow: ReferralUoW, referral_id: UUID) -> ConsentView:
    contact = await uow.sms.contact(referral_id)
    history = await uow.sms.consent_history(referral_id)
    if contact is None:
        return ConsentView(referral_id, None, None, None, None, None, None, history)
    return ConsentView(
        referral_id,
        contact.status,
        contact.language,
        masked(contact.mobile_number),
        contact.channel,
        contact.changed_by,
        contact.changed_at,
        history,
    )


def _record(contact: SmsContact) -> ConsentChange:
    return ConsentChange(contact.referral_id, contact.status, contact.channel, contact.changed_by, contact.changed_at)


async def opt_in(uow: ReferralUoW, staff: Principal, referral_id: UUID, command: OptIn) -> ConsentView:
    """Record the participant's consent with their number and language (a new number or language
    replaces the old); ``sms.consent_changed`` when the consent itself changes."""
    if command.channel is SmsConsentChannel.SMS_STOP:
        raise InvalidInput("a STOP reply withdraws consent; it cannot give it", field="channel")
    async with uow:
        referral = await provided(uow, staff, referral_id)
        if referral.personal_data_erased_at is not None:
            raise Conflict("the referral's personal data is erased", current_state="erased")
        programme = await own_programme(uow, referral.provider_org, referral.programme_code)
        number = normalise_mobile(command.mobile_number, programme.country)
        now = uow.clock.now()
        before = await uow.sms.contact(referral_id, lock=True)
        contact = SmsContact(
            referral_id=referral.id,
            participant_id=referral.participant_id,
            provider_org=referral.provider_org,
            mobile_number=number,
            language=command.language,
            status=SmsConsentStatus.OPTED_IN,
            channel=command.channel,
            changed_by=staff.staff_id,
            changed_at=now,
        )
        await uow.sms.save_contact(contact)
        await uow.sms.add_consent_change(_record(contact))
        if before is None or not before.opted_in:
            uow.emit(contact.event())
        view = await _view(uow, referral_id)
        await uow.commit(view)
    return view


async def opt_out(uow: ReferralUoW, staff: Principal, referral_id: UUID, channel: SmsConsentChannel) -> ConsentView:
    """Withdraw consent at once (messages not yet sent are skipped); the number stays until erasure."""
    if channel is SmsConsentChannel.SMS_STOP:
        raise InvalidInput("only the participant's own STOP reply is recorded as sms_stop", field="channel")
    async with uow:
        await provided(uow, staff, referral_id)
        contact = await uow.sms.contact(referral_id, lock=True)
        if contact is None:
            raise NotFound(f"no consent to text messages is recorded for referral {referral_id}")
        if contact.opt_out(channel, staff.staff_id, uow.clock.now()):
            await uow.sms.save_contact(contact)
            await uow.sms.add_consent_change(_record(contact))
            uow.emit(contact.event())
        view = await _view(uow, referral_id)
        await uow.commit(view)
    return view


async def consent(uow: ReferralUoW, staff: Principal, referral_id: UUID) -> ConsentView:
    async with uow:
        await provided(uow, staff, referral_id)
        return await _view(uow, referral_id)

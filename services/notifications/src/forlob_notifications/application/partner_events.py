"""A referral's milestones told to its referring organisation, in the published partner contract.

The jobcentre's system hears that its referral was received, accepted, wait-listed, offered a
seat, rejected or withdrawn, that the course started, that its agreed hours changed, that it was
extended or shortened, that it ended (with its outcome) and that the closing note is ready; and
the course's results: work or education started and ended, the support phase of a meetings
course (IPS), a clarification course's recommendation, a next step the provider proposes (and
that it withdrew it, or that the jobcentre's caseworker declined it), the next step it was referred
on to. Each
internal event is translated (forlob_notifications.partners.translate: pseudonymous ids and codes,
never a staff id) and sent on both channels, the AMQP feed and webhooks, with one payload. There
is no alert behind these: nobody has to act, the partner keeps its case up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_notifications.application.options import Options
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.partners import agreed_hours, translate
from forlob_notifications.partners.feed import publish
from forlob_shared.events import AgreementChanged, ProgrammeStarted
from forlob_shared.events.envelope import Envelope

# routing key of the internal event -> the partner types it becomes
FORWARDED = {
    "referral.received.v1": ("referral.received",),
    "referral.accepted.v1": ("referral.accepted",),
    "referral.waitlisted.v1": ("referral.waitlisted",),
    "referral.seat_offered.v1": ("referral.seat_offered",),
    "referral.rejected.v1": ("referral.rejected",),
    "referral.withdrawn.v1": ("referral.withdrawn",),
    "programme.started.v1": ("programme.started",),
    "programme.agreement_changed.v1": ("programme.agreed_hours_changed",),
    "programme.rescheduled.v1": ("programme.rescheduled",),
    "programme.ended.v1": ("programme.ended", "closing_note.available"),
    "employment.job_started.v1": ("employment.job_started",),
    "employment.job_ended.v1": ("employment.job_ended",),
    "programme.phase_changed.v1": ("programme.phase_changed",),
    "programme.clarification_result.v1": ("programme.clarification_result",),
    "course.referred_on.v1": ("programme.next_step_planned",),
    # The provider's proposal is the jobcentre's to decide, so it hears of it, of its withdrawal and
    # of its own caseworker's decline in Forløb's web (its case system knows nothing of that act):
    # the proposal and when, never who declined it nor the coded reason.
    "course.next_step_proposed.v1": ("programme.next_step_proposed",),
    "course.next_step_withdrawn.v1": ("programme.next_step_withdrawn",),
    "course.next_step_declined.v1": ("programme.next_step_declined",),
}


# Internal events that must never reach a partner, whatever is added to FORWARDED: text messages
# to participants are between the provider's services (the command to send one, consent, a reply).
INTERNAL_ONLY = ("sms.",)


async def forward_to_referring_org(uow: NotificationsUnitOfWork, options: Options, envelope: Envelope[Any]) -> int:
    """Publish what this internal event means to the referring organisation (in the caller's
    transaction: the caller commits); returns how many partner events."""
    event = envelope.data
    if event.routing_key.startswith(INTERNAL_ONLY):
        return 0  # the provider's own business: no translation, no feed, no webhook
    if isinstance(event, AgreementChanged):
        told = await agreed_hours.told(uow.session, event.referral_id)
        changed = translate.agreed_hours_changed(event, told)
        if changed is None:
            return 0
        await agreed_hours.record(uow.session, event.referral_id, event.schedule, event.changed_at)
        await publish(uow, options, changed)
        return 1
    if isinstance(event, ProgrammeStarted):
        await agreed_hours.record(uow.session, event.referral_id, event.schedule, event.started_at)
    return await _publish_milestones(uow, options, event)


async def forward_many(uow: NotificationsUnitOfWork, options: Options, envelopes: Sequence[Envelope[Any]]) -> int:
    """:func:`forward_to_referring_org` for a consumer's run of milestones that change no agreed
    hours (no ``AgreementChanged``): the starts' agreed hours in one statement, not one each,
    then each event's partner events in the order the events came; returns how many."""
    if any(isinstance(e.data, AgreementChanged) for e in envelopes):
        raise ValueError("an agreement change is compared with what was told: forward it alone")
    forwarded = [e.data for e in envelopes if not e.data.routing_key.startswith(INTERNAL_ONLY)]
    starts = [event for event in forwarded if isinstance(event, ProgrammeStarted)]
    await agreed_hours.record_many(uow.session, [(s.referral_id, s.schedule, s.started_at) for s in starts])
    published = 0
    for event in forwarded:
        published += await _publish_milestones(uow, options, event)
    return published


async def _publish_milestones(uow: NotificationsUnitOfWork, options: Options, event: Any) -> int:
    published = translate.milestones(event)
    for partner_event in published:
        await publish(uow, options, partner_event)
    return len(published)

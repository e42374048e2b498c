"""Messages about one referral between the provider's staff and the referring caseworker.

Posting stores the text here and emits ``referral.message_posted.v1`` with ids only; notifications
turns it into an e-mail to the other side that says a message waits, never what it says.
Reading the thread is the read receipt for the other side's messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.messages import Message, Side, side_of
from forlob_referral.domain.referral import Referral
from forlob_shared.errors import NotFound
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.events.referral import MessagePosted
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class Thread:
    referral_id: UUID
    side: Side  # the reader's
    messages: list[Message]


async def _party(uow: ReferralUoW, caller: Principal, referral_id: UUID) -> tuple[Referral, Side]:
    """The referral and the caller's side, or 404 for anyone who is not a party to the thread."""
    referral = await uow.referrals.get_visible(referral_id, caller.org)
    side = side_of(caller, referral) if referral is not None else None
    if referral is None or side is None:
        raise NotFound(f"no referral {referral_id}")
    return referral, side


async def post_message(uow: ReferralUoW, author: Principal, referral_id: UUID, text: str) -> Message:
    async with uow:
        referral, side = await _party(uow, author, referral_id)
        now = uow.clock.now()
        message = Message(
            id=uuid4(), referral_id=referral.id, side=side, author_id=author.staff_id, text=text, posted_at=now
        )
        await uow.messages.add(message)
        uow.emit(
            PendingEvent(
                data=MessagePosted(
                    referral_id=referral.id,
                    message_id=message.id,
                    from_side=side.value,
                    referring_org=referral.referring_org,
                    provider_org=referral.provider_org,
                    caseworker_id=referral.caseworker_id,
                    contact_person_id=referral.contact_person_id,
                    posted_at=now,
                ),
                subject=str(referral.id),
                referring_org=referral.referring_org,
                provider_org=referral.provider_org,
            )
        )
        await uow.commit(message)
    return message


async def read_thread(uow: ReferralUoW, reader: Principal, referral_id: UUID) -> Thread:
    """The thread, oldest first; the other side's unread messages get their read receipt now."""
    async with uow:
        referral, side = await _party(uow, reader, referral_id)
        marked = await uow.messages.mark_read(referral.id, side.other, reader.staff_id, uow.clock.now())
        thread = Thread(referral.id, side, await uow.messages.thread(referral.id))
        if marked:
            await uow.commit(thread)
    return thread


async def unread_count(uow: ReferralUoW, reader: Principal, referral_id: UUID) -> int:
    async with uow:
        referral, side = await _party(uow, reader, referral_id)
        return sum(1 for m in await uow.messages.thread(referral.id) if m.side is side.other and m.read_at is None)

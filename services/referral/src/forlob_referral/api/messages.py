"""Messages about one referral between the provider's staff and the referring caseworker.

Anyone else, the provider's specialists and workshop leads too, gets 404 for the thread.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from forlob_referral.api.deps import UoW
from forlob_referral.api.record_schemas import MessageIn, MessageOut, ThreadOut
from forlob_referral.application.messages import post_message, read_thread, unread_count
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey, run_idempotent

router = APIRouter(prefix="/referrals/{referral_id}/messages", tags=["messages"])

# Roles that may call; whether the caller is a party to this referral's thread is the domain's
# ``side_of`` (404 otherwise).
Party = Annotated[Principal, requires("caseworker", "coordinator", "contact_person", "team_leader")]


@router.get("", summary="The thread, oldest first; opening it is the read receipt for the other side's messages")
async def get_thread(referral_id: UUID, principal: Party, uow: UoW) -> ThreadOut:
    return ThreadOut.of(await read_thread(uow, principal, referral_id))


@router.get("/unread", summary="How many of the other side's messages wait unread")
async def get_unread(referral_id: UUID, principal: Party, uow: UoW) -> int:
    return await unread_count(uow, principal, referral_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Write a message to the other side; they are told by e-mail that it waits",
)
async def post(
    referral_id: UUID, body: MessageIn, principal: Party, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    result: Response = await run_idempotent(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        render=lambda message: MessageOut.of(message).model_dump(mode="json"),
        use_case=lambda u: post_message(u, principal, referral_id, body.text),
    )
    return result

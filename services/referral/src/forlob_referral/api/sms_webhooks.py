"""GatewayAPI's webhooks: a participant's reply (MO SMS) and a message's delivery status.

No token: GatewayAPI signs each call with a JWT (HS256, the webhook's authentication token) in
``X-Gwapi-Signature``; a call without a valid one gets 401 and changes nothing (and counts against
its address like any 401). The JWT carries the whole payload, so the body is not read. A 2xx
tells GatewayAPI not to call again; a reply delivered twice is still one fact.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel

from forlob_referral.api.deps import Runtime, UoW
from forlob_referral.application.sms_inbound import receive_delivery_status, receive_reply
from forlob_referral.sms_gateway import SIGNATURE_HEADER, BadSignature, verify_webhook
from forlob_shared.errors import Unauthenticated
from forlob_shared.http.auth import PUBLIC
from forlob_shared.logging import get_logger

log = get_logger("forlob.referral.sms")

router = APIRouter(prefix="/sms/gatewayapi", tags=["text messages"], dependencies=[PUBLIC])

Signature = Annotated[str | None, Header(alias=SIGNATURE_HEADER, description="GatewayAPI's JWT (HS256)")]


class Received(BaseModel):
    status: str


def _verified(signature: str | None, runtime: Any) -> dict[str, Any]:
    try:
        return verify_webhook(signature, runtime.settings.sms_webhook_secret.get_secret_value())
    except BadSignature as exc:
        log.warning("sms.webhook_refused", reason=str(exc))
        raise Unauthenticated("the webhook's signature is missing or does not verify") from None


@router.post("/inbound", summary="GatewayAPI's MO SMS webhook: a participant's reply (signed)")
async def inbound(runtime: Runtime, uow: UoW, signature: Signature = None) -> Received:
    claims = _verified(signature, runtime)
    outcome = await receive_reply(uow, claims, keyword=runtime.settings.sms_keyword)
    return Received(status="duplicate" if outcome.duplicate else "recorded")


@router.post("/status", summary="GatewayAPI's delivery status webhook (signed)")
async def delivery_status(runtime: Runtime, uow: UoW, signature: Signature = None) -> Received:
    claims = _verified(signature, runtime)
    known = await receive_delivery_status(uow, claims)
    return Received(status="recorded" if known else "unknown message")

"""The adapter for GatewayAPI (gatewayapi.com / gatewayapi.eu, OnlineCity, Denmark): sending by
``POST /rest/mtsms``, and the verification of its webhooks (delivery status and MO SMS), each
signed with a JWT (HS256, the webhook's authentication token) in ``X-Gwapi-Signature``.
See docs/sms.md for the API as used here and where it is documented.

GatewayAPI has no idempotency key: ``userref`` (our request id) only comes back in the delivery
status. So a send is retried here only when the request surely never reached the gateway
(connection refused or not established); any answer that leaves it unknown whether the message
was taken (a read timeout, a 5xx, a broken response) is :class:`GatewayUncertain`, and the caller
never sends that request again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import jwt

from forlob_referral.settings import ReferralSettings

SIGNATURE_HEADER = "X-Gwapi-Signature"
# GSM 03.38's basic set: a message of these alone goes as GSM 7-bit (160 characters a part);
# anything else as UCS-2 (70), which Arabic, Ukrainian and Tigrinya always need.
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class Sent:
    message_id: str
    parts: int | None


class GatewayRefused(Exception):
    """The gateway surely did not take the message; ``permanent``: sending it again will not help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class GatewayUncertain(Exception):
    """The gateway may have taken the message: it must not be sent again."""


class SmsGateway(Protocol):
    async def send(self, msisdn: int, text: str, *, reference: str, label: str) -> Sent: ...


def encoding_of(text: str) -> str:
    return "UTF8" if set(text) <= _GSM else "UCS2"


class GatewayApi:
    """GatewayAPI's REST API over httpx: timeouts, and retries only of connections never made."""

    def __init__(
        self,
        base_url: str,
        token: str,
        sender: str,
        *,
        max_parts: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.sender = sender
        self.max_parts = max_parts
        # httpx's transport retries only a connection that failed to be made: nothing was sent.
        self.transport = transport or httpx.AsyncHTTPTransport(retries=2)

    @classmethod
    def of(cls, settings: ReferralSettings) -> GatewayApi:
        return cls(
            settings.sms_gateway_url,
            settings.sms_gateway_token.get_secret_value(),
            settings.sms_sender,
            max_parts=settings.sms_max_parts,
        )

    async def send(self, msisdn: int, text: str, *, reference: str, label: str) -> Sent:
        if not self.token:
            raise GatewayRefused("no gateway token is configured", permanent=False)
        body = {
            "sender": self.sender,
            "message": text,
            "encoding": encoding_of(text),
            "recipients": [{"msisdn": msisdn}],
            "userref": reference,
            "label": label,
            "max_parts": self.max_parts,
            "extra_details": "recipients_usage",
        }
        timeout = httpx.Timeout(15.0, connect=5.0)
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=timeout) as client:
                response = await client.post(f"{self.base_url}/rest/mtsms", json=body, auth=(self.token, ""))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise GatewayRefused(f"gateway unreachable: {type(exc).__name__}", permanent=False) from None
        except httpx.HTTPError as exc:
            raise GatewayUncertain(f"no answer from the gateway: {type(exc).__name__}") from None
        return _answer(response)


def _answer(response: httpx.Response) -> Sent:
    status = response.status_code
    if status in (400, 422):
        raise GatewayRefused(f"gateway refused the message: HTTP {status} {_code(response)}", permanent=True)
    if status in (401, 403, 429):
        raise GatewayRefused(f"gateway refused the call: HTTP {status} {_code(response)}", permanent=False)
    if status != 200:
        raise GatewayUncertain(f"gateway answered HTTP {status}")
    try:
        data = response.json()
        message_id = str(data["ids"][0])
    except (ValueError, KeyError, IndexError, TypeError):
        raise GatewayUncertain("gateway answered 200 without a message id") from None
    return Sent(message_id, _parts(data))


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code") or "")  # e.g. "0x0213"; never its message (it may quote input)
    except ValueError:
        return ""


def _parts(data: dict[str, Any]) -> int | None:
    try:
        return int(data["details"]["messages"][0]["recipients"][0]["parts"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


class BadSignature(Exception):
    """A webhook without a valid signature."""


def verify_webhook(token: str | None, secret: str) -> dict[str, Any]:
    """The webhook's payload from its JWT (``X-Gwapi-Signature``), verified with ``secret``
    (HS256, as GatewayAPI signs). The JWT carries the whole payload: the body is not trusted."""
    if not secret:
        raise BadSignature("no webhook secret is configured")
    if not token:
        raise BadSignature(f"no {SIGNATURE_HEADER} header")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": []})
    except jwt.PyJWTError as exc:
        raise BadSignature(f"the signature does not verify: {type(exc).__name__}") from None
    if not isinstance(claims, dict):
        raise BadSignature("the signed payload is not an object")
    return claims

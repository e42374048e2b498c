"""Webhooks signed per the Standard Webhooks spec (HMAC-SHA256 over id, timestamp and body)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from forlob_notifications.domain.deliveries import AttemptOutcome


def body_bytes(payload: dict[str, object]) -> bytes:
    """The same bytes on every attempt (sorted keys), so a receiver can compare re-sends."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(secret: str, delivery_id: str, body: bytes, sent_at: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=delivery_id, timestamp=sent_at, data=body.decode())
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Forlob-Webhooks/1",
    }


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def webhook(self, url: str, secret: str, delivery_id: str, payload: dict[str, object]) -> AttemptOutcome:
        body = body_bytes(payload)
        # The receiver checks the timestamp against its own clock (5 minutes' tolerance), so it
        # is the real moment of sending, never the service's (possibly simulated) clock.
        headers = signed_headers(secret, delivery_id, body, datetime.now(UTC))
        started = time.perf_counter()
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            return AttemptOutcome(False, "timeout", repr(exc)[:300], duration_ms=_ms(started))
        except httpx.HTTPError as exc:
            return AttemptOutcome(False, "connection-failed", repr(exc)[:300], duration_ms=_ms(started))
        ms = _ms(started)
        if 200 <= response.status_code < 300:
            return AttemptOutcome(True, status_code=response.status_code, duration_ms=ms)
        return AttemptOutcome(
            False, f"http-{response.status_code}", response.text[:300], status_code=response.status_code, duration_ms=ms
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)

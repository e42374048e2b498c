"""Webhooks signed per the Standard Webhooks spec (HMAC-SHA256 over id, timestamp and body)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from standardwebhooks.webhooks import Webhook

from forlob_notifications.channels.targets import RefusedTarget
from forlob_notifications.domain.deliveries import AttemptOutcome
from forlob_shared.redaction import describe_error

# The answers whose Retry-After says when to come back (RFC 9110 section 10.2.3).
_RETRY_AFTER_STATUSES = frozenset({429, 503})


def body_bytes(payload: dict[str, object]) -> bytes:
    """The same bytes on every attempt (sorted keys), so a receiver can compare re-sends."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(secrets: Sequence[str], delivery_id: str, body: bytes, sent_at: datetime) -> dict[str, str]:
    """One ``v1,<signature>`` per secret, space-separated: while a secret is being rotated the
    call carries a signature with the new and one with the old, and a receiver holding either
    verifies it (Standard Webhooks: a signature matching any entry is valid)."""
    if not secrets:
        raise ValueError("a webhook is signed with at least one secret")
    signature = " ".join(
        Webhook(secret).sign(msg_id=delivery_id, timestamp=sent_at, data=body.decode()) for secret in secrets
    )
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Forlob-Webhooks/1",
    }


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds, or an HTTP date) as a wait from ``now``; None if absent or
    unreadable. A date in the past means: now."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value[:9]))  # nine digits are 31 years: enough, and no overflow
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT; parsedate gives "-0000" as naive
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


class WebhookSender:
    """Sends one signed call. The client's transport decides where a connection may go
    (``channels.targets.checked_transport``: only to public addresses); ``wall_clock`` is the
    real time, injectable for tests of Retry-After dates."""

    def __init__(self, client: httpx.AsyncClient, wall_clock: Callable[[], datetime] | None = None) -> None:
        self.client = client
        self.wall_clock = wall_clock or (lambda: datetime.now(UTC))

    async def webhook(
        self, url: str, secrets: Sequence[str], delivery_id: str, payload: dict[str, object]
    ) -> AttemptOutcome:
        body = body_bytes(payload)
        # The receiver checks the timestamp against its own clock (5 minutes' tolerance), so it
        # is the real moment of sending, never the service's (possibly simulated) clock.
        headers = signed_headers(secrets, delivery_id, body, self.wall_clock())
        started = time.perf_counter()
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except RefusedTarget as exc:
            return AttemptOutcome(False, "target-refused", str(exc)[:300], duration_ms=_ms(started))
        except httpx.TimeoutException as exc:
            return AttemptOutcome(False, "timeout", describe_error(exc), duration_ms=_ms(started))
        except httpx.HTTPError as exc:
            return AttemptOutcome(False, "connection-failed", describe_error(exc), duration_ms=_ms(started))
        ms = _ms(started)
        if 200 <= response.status_code < 300:
            return AttemptOutcome(True, status_code=response.status_code, duration_ms=ms)
        wait = None
        if response.status_code in _RETRY_AFTER_STATUSES:
            wait = retry_after(response.headers.get("retry-after"), self.wall_clock())
        return AttemptOutcome(
            False,
            f"http-{response.status_code}",
            response.text[:300],
            status_code=response.status_code,
            duration_ms=ms,
            retry_after=wait,
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)

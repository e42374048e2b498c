"""A delivery is one message to one channel (an e-mail to a person, a webhook to a subscription).

It is stored with the alert in one transaction and sent afterwards, as often as it takes: every
attempt is recorded, failures are retried with exponential back-off until the retry window
closes, and only then does the delivery fail for good. A webhook's gaps are jittered and a
partner's ``Retry-After`` is honoured (below). Its id is the idempotency key the
receiver sees (the e-mail's Message-ID, the webhook's ``webhook-id``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


FIRST_RETRY = timedelta(seconds=5)
# SMTP outages are usually short and a person waits for the e-mail; partner systems get longer gaps.
MAX_RETRY_GAP = {Channel.EMAIL: timedelta(minutes=5), Channel.WEBHOOK: timedelta(hours=1)}
# Full jitter for webhooks: every failed call waits a random share of its back-off, so the calls
# that failed together at a partner's outage do not all come back in the same second. Not less
# than this, so a draw near zero does not turn into a busy loop.
MIN_JITTERED_GAP = timedelta(seconds=1)
# A partner's Retry-After (on 429 and 503) is honoured up to this long; a longer one is capped,
# so one header cannot park a delivery past its retry window.
MAX_RETRY_AFTER = timedelta(hours=1)

Random = Callable[[], float]  # a number in [0, 1); random.random, or a fixed one in tests


@dataclass
class Delivery:
    id: UUID
    org: str  # whose delivery it is (who may see it and re-send it)
    channel: Channel
    recipient: str  # a staff id (e-mail) or a subscription id (webhook)
    event_type: str
    content: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    give_up_at: datetime
    alert_id: UUID | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None
    # The trace context it was queued in (W3C traceparent): each attempt's span joins that trace.
    traceparent: str | None = None


@dataclass(frozen=True)
class AttemptOutcome:
    ok: bool
    error_code: str = ""  # e.g. smtp-unavailable, http-500, timeout, no-address
    detail: str = ""
    status_code: int | None = None
    duration_ms: int = 0
    permanent: bool = False  # no point in retrying (e.g. the subscription was disabled)
    retry_after: timedelta | None = None  # the receiver's Retry-After (429, 503), if it sent one


@dataclass(frozen=True)
class Attempt:
    """One try, as it stays on record."""

    number: int
    attempted_at: datetime
    ok: bool
    error_code: str | None
    status_code: int | None
    duration_ms: int


@dataclass
class AttemptResult:
    number: int
    final: bool  # delivered, or failed for good
    retry_at: datetime | None = None
    first_failure: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def new_delivery(
    *,
    org: str,
    channel: Channel,
    recipient: str,
    event_type: str,
    content: dict[str, Any],
    now: datetime,
    retry_window: timedelta,
    alert_id: UUID | None = None,
) -> Delivery:
    return Delivery(
        id=uuid4(),
        org=org,
        channel=channel,
        recipient=recipient,
        event_type=event_type,
        content=content,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + retry_window,
        alert_id=alert_id,
    )


def retry_gap(channel: Channel, failed_attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... capped per channel."""
    gap: timedelta = FIRST_RETRY * int(2 ** min(failed_attempts - 1, 20))
    return min(gap, MAX_RETRY_GAP[channel])


def next_gap(channel: Channel, outcome: AttemptOutcome, failed_attempts: int, rand: Random) -> timedelta:
    """How long to wait after this failure. E-mail: the back-off itself (one relay, nothing to
    spread out). Webhook: a uniform share of the back-off ("full jitter", at least
    MIN_JITTERED_GAP), and never less than the partner's Retry-After (capped at MAX_RETRY_AFTER)."""
    ceiling = retry_gap(channel, failed_attempts)
    if channel is not Channel.WEBHOOK:
        return ceiling
    gap = max(MIN_JITTERED_GAP, ceiling * rand())
    if outcome.retry_after is not None:
        gap = max(gap, min(outcome.retry_after, MAX_RETRY_AFTER))
    return gap


def record_attempt(
    delivery: Delivery, outcome: AttemptOutcome, now: datetime, *, rand: Random = random.random
) -> AttemptResult:
    """Apply one attempt's outcome to the delivery: delivered, retry later, or failed for good."""
    if delivery.state is not DeliveryState.PENDING:
        raise ValueError(f"delivery {delivery.id} is {delivery.state}, not pending")
    delivery.attempts += 1
    number = delivery.attempts
    if outcome.ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = None
        return AttemptResult(number, final=True)
    first_failure = delivery.last_error is None
    delivery.last_error = outcome.error_code
    retry_at = now + next_gap(delivery.channel, outcome, number, rand)
    if outcome.permanent or retry_at > delivery.give_up_at:
        delivery.state = DeliveryState.FAILED
        return AttemptResult(number, final=True, first_failure=first_failure)
    delivery.next_attempt_at = retry_at
    return AttemptResult(number, final=False, retry_at=retry_at, first_failure=first_failure)


def resend(delivery: Delivery, now: datetime, retry_window: timedelta) -> None:
    """Send again (by hand): a delivered or failed delivery goes back to pending, same id."""
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = now
    delivery.give_up_at = now + retry_window
    delivery.last_error = None

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forlob_notifications.domain.deliveries import (
    AttemptOutcome,
    Channel,
    DeliveryState,
    new_delivery,
    record_attempt,
    resend,
    retry_gap,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
FAIL = AttemptOutcome(False, "http-503")


def test_back_off_doubles_and_is_capped_per_channel() -> None:
    assert [retry_gap(Channel.WEBHOOK, n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 40, 80]
    assert retry_gap(Channel.WEBHOOK, 30) == timedelta(hours=1)
    assert retry_gap(Channel.EMAIL, 30) == timedelta(minutes=5)


def test_a_webhook_is_retried_for_24_hours_then_fails_for_good() -> None:
    delivery = new_delivery(
        org="jc", channel=Channel.WEBHOOK, recipient="s", event_type="t", content={}, now=NOW, retry_window=DAY
    )
    now = NOW
    results = []
    while delivery.state is DeliveryState.PENDING:
        result = record_attempt(delivery, FAIL, now, rand=lambda: 1.0)  # the whole back-off, no jitter
        results.append(result)
        if result.retry_at is not None:
            now = result.retry_at
    assert delivery.state is DeliveryState.FAILED
    assert now <= NOW + DAY
    assert results[0].first_failure
    assert not any(r.first_failure for r in results[1:])
    assert results[-1].final
    assert 20 < len(results) < 40  # every attempt counted, none lost


def test_success_after_failures_and_a_manual_resend() -> None:
    delivery = new_delivery(
        org="jc", channel=Channel.EMAIL, recipient="kp-1", event_type="t", content={}, now=NOW, retry_window=DAY
    )
    record_attempt(delivery, AttemptOutcome(False, "smtp-unavailable"), NOW)
    result = record_attempt(delivery, AttemptOutcome(True), NOW + timedelta(seconds=5))
    assert result.final
    assert delivery.state is DeliveryState.DELIVERED
    assert delivery.attempts == 2
    resend(delivery, NOW + timedelta(hours=1), DAY)
    assert delivery.state is DeliveryState.PENDING
    assert delivery.next_attempt_at == NOW + timedelta(hours=1)
    assert delivery.give_up_at == NOW + timedelta(hours=25)


def test_a_permanent_failure_needs_no_more_attempts() -> None:
    delivery = new_delivery(
        org="jc", channel=Channel.WEBHOOK, recipient="s", event_type="t", content={}, now=NOW, retry_window=DAY
    )
    result = record_attempt(delivery, AttemptOutcome(False, "subscription-disabled", permanent=True), NOW)
    assert result.final
    assert delivery.state is DeliveryState.FAILED

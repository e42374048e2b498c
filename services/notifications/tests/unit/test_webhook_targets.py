"""Where a webhook may go, how long it waits after a failure, and two signatures during a
secret's rotation (the parts without a network; tests/integration/test_webhook_targets.py sends)."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from forlob_notifications.channels.targets import RefusedTarget, checked_addresses, refusal
from forlob_notifications.channels.webhook import body_bytes, retry_after, signed_headers
from forlob_notifications.domain.deliveries import (
    MAX_RETRY_AFTER,
    AttemptOutcome,
    Channel,
    new_delivery,
    next_gap,
    record_attempt,
    retry_gap,
)
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_notifications.settings import NotificationsSettings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),  # reserved (Python counts it private too)
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.5", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("64:ff9b:1::a00:5", "private"),  # local-use NAT64 prefix
        ("2002:a00:5::1", "private"),  # 6to4 of 10.0.0.5
    ],
)
def test_addresses_a_webhook_must_not_reach(address: str, kind: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "64:ff9b::5db8:d822", "::ffff:93.184.216.34"])
def test_public_addresses_are_fine(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_one_private_answer_among_public_ones_refuses_the_name() -> None:
    with pytest.raises(RefusedTarget, match=r"10\.0\.0\.5, a private address"):
        checked_addresses("hooks.partner.example", ["93.184.216.34", "10.0.0.5"], allow_private=False)
    assert checked_addresses("hooks.partner.example", ["93.184.216.34"], allow_private=False) == ["93.184.216.34"]
    # local development and tests: allowed when configured so
    assert checked_addresses("localhost", ["127.0.0.1"], allow_private=True) == ["127.0.0.1"]


def test_production_refuses_to_start_with_private_targets_allowed() -> None:
    public: dict[str, Any] = {
        "public_web_url": "https://forlob.example",
        "public_api_url": "https://api.forlob.example",
        "jwt_secret": "a-real-secret",
    }
    with pytest.raises(ValidationError, match="WEBHOOK_ALLOW_PRIVATE_TARGETS"):
        NotificationsSettings(environment="production", webhook_allow_private_targets=True, **public)
    assert not NotificationsSettings(environment="production", **public).webhook_allow_private_targets
    assert not NotificationsSettings().webhook_allow_private_targets  # off unless set, everywhere


# -- retries ------------------------------------------------------------------------------------


def test_webhook_retries_wait_a_random_share_of_the_back_off() -> None:
    draws = random.Random(18)
    for failed in range(1, 30):
        ceiling = retry_gap(Channel.WEBHOOK, failed)
        gap = next_gap(Channel.WEBHOOK, AttemptOutcome(False, "http-500"), failed, draws.random)
        assert timedelta(seconds=1) <= gap <= ceiling
    fail = AttemptOutcome(False, "http-500")
    assert next_gap(Channel.WEBHOOK, fail, 3, lambda: 0.5) == timedelta(seconds=10)  # half of 20 s
    assert next_gap(Channel.WEBHOOK, fail, 3, lambda: 0.0) == timedelta(seconds=1)  # never a busy loop
    assert next_gap(Channel.WEBHOOK, fail, 30, lambda: 0.25) == timedelta(minutes=15)  # a quarter of the 1 h cap
    # e-mail goes to one relay: its back-off stays as it was
    assert next_gap(Channel.EMAIL, fail, 3, lambda: 0.0) == timedelta(seconds=20)


def test_jittered_retries_stay_inside_the_retry_window_and_spread_out() -> None:
    def attempts(seed: int) -> list[datetime]:
        draws = random.Random(seed)
        delivery = new_delivery(
            org="jc", channel=Channel.WEBHOOK, recipient="s", event_type="t", content={}, now=NOW, retry_window=DAY
        )
        now, times = NOW, []
        while True:
            times.append(now)
            result = record_attempt(delivery, AttemptOutcome(False, "http-500"), now, rand=draws.random)
            if result.final:
                return times
            assert result.retry_at is not None
            now = result.retry_at

    first, second = attempts(1), attempts(2)
    assert all(t < NOW + DAY for t in first + second)
    assert first[-1] > NOW + DAY - timedelta(hours=1)  # retried until the window closed (gaps at most 1 h)
    assert first[1:4] != second[1:4]  # two deliveries failing together come back apart


def test_retry_after_is_honoured_and_capped() -> None:
    asked = AttemptOutcome(False, "http-503", status_code=503, retry_after=timedelta(seconds=120))
    assert next_gap(Channel.WEBHOOK, asked, 1, lambda: 0.9) == timedelta(seconds=120)
    # a longer back-off than the partner asked for stays
    assert next_gap(Channel.WEBHOOK, asked, 10, lambda: 1.0) == timedelta(seconds=2560)
    greedy = AttemptOutcome(False, "http-429", status_code=429, retry_after=timedelta(days=3))
    assert next_gap(Channel.WEBHOOK, greedy, 1, lambda: 0.5) == MAX_RETRY_AFTER

    delivery = new_delivery(
        org="jc", channel=Channel.WEBHOOK, recipient="s", event_type="t", content={}, now=NOW, retry_window=DAY
    )
    result = record_attempt(delivery, asked, NOW, rand=lambda: 0.0)
    assert result.retry_at == delivery.next_attempt_at == NOW + timedelta(seconds=120)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert retry_after("120", NOW) == timedelta(seconds=120)
    assert retry_after(" 0 ", NOW) == timedelta(0)
    assert retry_after(format_datetime(NOW + timedelta(minutes=3), usegmt=True), NOW) == timedelta(minutes=3)
    assert retry_after("Mon, 23 Nov 2026 07:00:00 GMT", NOW) == timedelta(0)  # in the past: now
    assert retry_after("soon", NOW) is None
    assert retry_after("-5", NOW) is None
    assert retry_after(None, NOW) is None


# -- rotating a secret --------------------------------------------------------------------------


def _subscription() -> Subscription:
    return Subscription(
        id=uuid4(),
        org="jc",
        url="https://partner.example/hooks",
        event_types=["referral.received"],
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=NOW,
    )


def test_during_the_overlap_either_secret_verifies_and_after_it_only_the_new_one() -> None:
    subscription = _subscription()
    old = subscription.secret
    new = subscription.rotate_secret(NOW, DAY)
    assert new != old
    assert new.startswith("whsec_")
    body = body_bytes({"type": "referral.received", "data": {"a": 1}})

    # signed "now" in real time: the receiver checks the timestamp against its own clock
    sent = datetime.now(UTC)
    during = signed_headers(subscription.signing_secrets(NOW + DAY - timedelta(seconds=1)), "msg-1", body, sent)
    assert len(during["webhook-signature"].split(" ")) == 2
    assert all(part.startswith("v1,") for part in during["webhook-signature"].split(" "))
    for secret in (old, new):
        assert _verifies(secret, body, during)

    after = signed_headers(subscription.signing_secrets(NOW + DAY), "msg-2", body, sent)
    assert len(after["webhook-signature"].split(" ")) == 1
    assert _verifies(new, body, after)
    assert not _verifies(old, body, after)

    subscription.drop_expired_secret(NOW + DAY)
    assert subscription.previous_secret is None


def test_a_second_rotation_within_the_overlap_keeps_two_secrets_at_most() -> None:
    subscription = _subscription()
    first = subscription.secret
    second = subscription.rotate_secret(NOW, DAY)
    third = subscription.rotate_secret(NOW + timedelta(hours=1), DAY)
    assert subscription.signing_secrets(NOW + timedelta(hours=2)) == [third, second]
    assert first not in subscription.signing_secrets(NOW + timedelta(hours=2))
    # no overlap configured: the old secret stops at once
    assert subscription.rotate_secret(NOW, timedelta(0)) != third
    assert subscription.signing_secrets(NOW) == [subscription.secret]


def _verifies(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True

"""The GCRA limiter and the identity-read spike watch, on a manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.exceptions import HTTPException as StarletteHTTPException
from structlog.testing import capture_logs

from forlob_shared.clock import ManualClock
from forlob_shared.http.ratelimit import PARTNER_READS, Gcra, Rate, RateLimits, RefusalLog, SpikeWatch

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_caller_may_use_the_whole_allowance_at_once_then_one_per_interval() -> None:
    clock = ManualClock(START)
    limiter = Gcra(clock)
    rate = Rate(6, 60.0)  # one request's share comes back every 10 s
    assert [limiter.take("w", "a", rate) for _ in range(6)] == [0.0] * 6
    assert limiter.take("w", "a", rate) == 10.0
    assert limiter.wait("w", "a", rate) == 10.0
    assert limiter.take("w", "b", rate) == 0.0  # keys are independent
    assert limiter.take("other", "a", rate) == 0.0  # and so are limits
    clock.advance(timedelta(seconds=4))
    assert limiter.take("w", "a", rate) == 6.0  # a refusal charges nothing
    clock.advance(timedelta(seconds=6))
    assert limiter.take("w", "a", rate) == 0.0
    assert limiter.take("w", "a", rate) == 10.0
    clock.advance(timedelta(minutes=5))  # idle for long: a full allowance again, not more
    assert [limiter.take("w", "a", rate) for _ in range(7)][-2:] == [0.0, 10.0]


def test_where_a_caller_stands_is_told_in_ratelimit_headers_and_on_the_refusal() -> None:
    clock = ManualClock(START)
    limits = RateLimits(clock=clock, rates={PARTNER_READS: Rate(3, 60.0)})
    assert limits.limiter.standing(PARTNER_READS, "a", Rate(3, 60.0)) == (3, 0.0)  # untouched: all of it
    told = [limits.check_telling(PARTNER_READS, "a") for _ in range(3)]
    assert [(t["RateLimit-Remaining"], t["RateLimit-Reset"]) for t in told] == [("2", "20"), ("1", "40"), ("0", "60")]
    assert {(t["RateLimit-Limit"], t["RateLimit-Policy"]) for t in told} == {("3", "3;w=60")}
    with pytest.raises(StarletteHTTPException) as refused:
        limits.check_telling(PARTNER_READS, "a")
    assert refused.value.status_code == 429
    assert refused.value.headers == {
        "Retry-After": "20",
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "60",  # nothing was charged for the refusal
        "RateLimit-Policy": "3;w=60",
    }
    assert limits.check_telling(PARTNER_READS, "b")["RateLimit-Remaining"] == "2"  # another caller
    clock.advance(timedelta(seconds=25))
    assert limits.check_telling(PARTNER_READS, "a")["RateLimit-Remaining"] == "0"  # one came back, and went
    clock.advance(timedelta(minutes=2))
    assert limits.check_telling(PARTNER_READS, "a")["RateLimit-Remaining"] == "2"  # never more than the allowance


def test_a_clock_set_back_does_not_refuse_the_caller_for_the_whole_jump() -> None:
    """`make demo` moves the services' clock weeks back: a caller who was charged "later" starts afresh."""

    class DemoClock:  # the demo's clock-offset file: unlike a test's ManualClock, it may go back
        instant = START

        def now(self) -> datetime:
            return self.instant

    clock = DemoClock()
    limiter = Gcra(clock)
    rate = Rate(6, 60.0)
    for _ in range(6):
        assert limiter.take("writes", "co-1", rate) == 0
    assert limiter.take("writes", "co-1", rate) > 0
    clock.instant = START - timedelta(days=40)
    assert limiter.wait("writes", "co-1", rate) == 0
    for _ in range(6):
        assert limiter.take("writes", "co-1", rate) == 0
    assert 0 < limiter.take("writes", "co-1", rate) <= 10.0  # and the rate holds from there


def test_the_limiter_keeps_at_most_its_capacity_of_keys() -> None:
    clock = ManualClock(START)
    limiter = Gcra(clock, capacity=100)
    rate = Rate(1, 1.0)
    for i in range(100):
        limiter.take("f", f"10.0.0.{i}", rate)
    clock.advance(timedelta(seconds=2))  # every key is idle again: forgetting them changes nothing
    assert limiter.take("f", "10.0.1.1", rate) == 0.0
    assert len(limiter) == 1
    for i in range(300):  # all busy: the oldest go first
        limiter.take("f", f"10.0.2.{i}", rate)
    assert len(limiter) == 100
    assert limiter.take("f", "10.0.2.299", rate) > 0


def test_a_spike_of_reads_is_reported_once_per_window() -> None:
    clock = ManualClock(START)
    watch = SpikeWatch(clock, threshold=3, window=600.0)
    assert [watch.read("org-a") for _ in range(3)] == [False, False, False]
    assert watch.read("org-b") is False
    assert watch.spiking() == 0
    assert watch.read("org-a") is True  # the 4th within ten minutes
    assert watch.read("org-a") is False  # said once
    assert watch.spiking() == 1  # the gauge behind ForlobIdentityReadsSpike: a count, no names
    clock.advance(timedelta(minutes=11))
    assert watch.spiking() == 0  # the window has passed without more reads
    assert [watch.read("org-a") for _ in range(3)] == [False, False, False]  # slow reading is no spike
    assert watch.read("org-a") is True


def test_refusals_are_logged_once_a_minute_per_key_with_no_token() -> None:
    clock = ManualClock(START)
    said = RefusalLog(clock)
    with capture_logs() as logs:
        for _ in range(800):  # a second of forged tokens from one address
            said.refused("failed_auth", "198.51.100.7", 0.05)
        said.refused("writes", "org-a\x1fcw-1", 12.0)
        clock.advance(timedelta(seconds=61))
        said.refused("failed_auth", "198.51.100.7", 0.05)
    assert [(e["event"], e["limit"], e["key"], e["retry_after"]) for e in logs] == [
        ("ratelimit.refused", "failed_auth", "198.51.100.7", "1"),
        ("ratelimit.refused", "writes", "org-a/cw-1", "12"),
        ("ratelimit.refused", "failed_auth", "198.51.100.7", "1"),
    ]


def test_production_without_trusted_proxies_is_warned_that_every_caller_is_the_proxy() -> None:
    from types import SimpleNamespace

    from forlob_shared.http.ratelimit import warn_if_every_caller_is_the_proxy

    with capture_logs() as logs:
        warn_if_every_caller_is_the_proxy(SimpleNamespace(environment="production", forwarded_allow_ips="127.0.0.1"))
        warn_if_every_caller_is_the_proxy(SimpleNamespace(environment="production", forwarded_allow_ips="10.0.0.0/8"))
        warn_if_every_caller_is_the_proxy(SimpleNamespace(environment="development", forwarded_allow_ips="127.0.0.1"))
    assert [(e["event"], e["setting"]) for e in logs] == [
        ("ratelimit.client_address_is_the_proxy", "FORLOB_FORWARDED_ALLOW_IPS")
    ]

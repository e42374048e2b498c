"""Rate limits every service (and the web's sign-in) shares: one GCRA limiter, keyed by caller
and by route class, answering 429 problem+json with ``Retry-After``.

- **Per caller** (the verified token's organisation and staff id): identity reads
  (``identity_reads``, a dependency the route declares) and changing requests (``writes``: every
  POST, PUT, PATCH and DELETE, a dependency :func:`install_rate_limits` puts on the service's
  routers). The caller is known only once the token is verified, so these are dependencies on
  :func:`~forlob_shared.http.auth.current_principal`, which FastAPI solves once per request.
- **Per partner system** (the token's organisation and subject): reads of the partner API
  (``partner_reads``, a dependency the partner routes declare). Its answers say where the caller
  stands: ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` (seconds until the
  whole allowance is back) and ``RateLimit-Policy`` (draft-ietf-httpapi-ratelimit-headers), on
  the 429 too, so a well-behaved client paces itself before it is refused.
- **Per client address**: failed authentications (``failed_auth``). A pure ASGI middleware
  counts each 401 an address received; once the address is over its rate, every request from it
  is refused before its token is verified (verifying a JWKS token with an unknown key would
  otherwise fetch the identity provider's keys for each forged token).

GCRA (the generic cell rate algorithm) keeps one instant per key, the "theoretical arrival time":
a request is let through if, charged, that instant is no further ahead of now than the rate's
burst allows. ``count`` per ``period`` with a burst of ``count`` means a caller may use a whole
minute's allowance at once and then one more every ``period / count``.

Limits are per process: with N replicas a caller may get up to N times the rate (load balancers
spread a caller's requests, so in practice less). The clock is the service's clock, so tests move
time instead of waiting for buckets to refill.
"""

from __future__ import annotations

import collections
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forlob_shared import metrics
from forlob_shared.clock import Clock
from forlob_shared.http.auth import Principal, current_principal
from forlob_shared.http.problems import problem
from forlob_shared.logging import get_logger

log = get_logger("forlob.http.ratelimit")

IDENTITY_READS = "identity_reads"
WRITES = "writes"
PARTNER_READS = "partner_reads"
FAILED_AUTH = "failed_auth"
SIGN_IN = "sign_in"
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Never refused: orchestrators' probes and the metrics scrape come from addresses a hostile caller
# might share, and they send no token.
UNLIMITED_PATHS = ("/health/", "/metrics")


@dataclass(frozen=True)
class Rate:
    count: int
    period: float  # seconds

    @property
    def interval(self) -> float:
        """Seconds one request's share takes to come back."""
        return self.period / self.count


class Gcra:
    """A GCRA limiter over many keys, in memory; ``capacity`` bounds the keys kept."""

    def __init__(self, clock: Clock, capacity: int = 100_000) -> None:
        self._clock = clock
        self._capacity = capacity
        self._tat: dict[tuple[str, str], float] = {}

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def wait(self, name: str, key: str, rate: Rate) -> float:
        """Seconds until ``key`` may make a request under ``name`` (0: now); charges nothing."""
        now = self._now()
        tat = self._arrival(name, key, rate, now)
        return max(0.0, tat + rate.interval - rate.period - now)

    def take(self, name: str, key: str, rate: Rate) -> float:
        """Charge one request; 0 if it may go ahead, else the seconds to wait (nothing charged)."""
        now = self._now()
        tat = self._arrival(name, key, rate, now)
        new_tat = tat + rate.interval
        allowed_at = new_tat - rate.period
        if allowed_at > now:
            return allowed_at - now
        if (name, key) not in self._tat and len(self._tat) >= self._capacity:
            self._forget_idle(now)
        self._tat[(name, key)] = new_tat
        return 0.0

    def standing(self, name: str, key: str, rate: Rate) -> tuple[int, float]:
        """(requests ``key`` may still make at once, seconds until its whole allowance is back)."""
        now = self._now()
        tat = self._arrival(name, key, rate, now)
        return max(0, math.floor((now + rate.period - tat) / rate.interval + 1e-9)), tat - now

    def _arrival(self, name: str, key: str, rate: Rate, now: float) -> float:
        tat = self._tat.get((name, key), now)
        if tat > now + rate.period:
            # Further ahead than any charge allows: the clock was set back (the demo's clock,
            # a test's). Counting from the old instant would refuse the caller for the whole
            # jump (weeks), so the key starts afresh.
            return now
        return max(tat, now)

    def _forget_idle(self, now: float) -> None:
        # A key whose instant has passed is as good as new: dropping it changes no answer.
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]
        while len(self._tat) >= self._capacity:  # all busy: forget the oldest (the least charged)
            del self._tat[next(iter(self._tat))]

    def __len__(self) -> int:
        return len(self._tat)


class SpikeWatch:
    """Warns (once per window) when one organisation makes more than ``threshold`` identity reads
    within ``window`` seconds; the Prometheus rule ForlobIdentityReadsSpike watches the same."""

    def __init__(self, clock: Clock, threshold: int, window: float) -> None:
        self._clock = clock
        self.threshold = threshold
        self.window = window
        self._seen: dict[str, collections.deque[float]] = {}
        self._warned: dict[str, float] = {}

    def read(self, org: str) -> bool:
        """Record one read; True if it makes a spike that has not been warned of yet."""
        now = self._clock.now().timestamp()
        times = self._seen.setdefault(org, collections.deque(maxlen=self.threshold + 1))
        times.append(now)
        if len(times) <= self.threshold or now - times[0] > self.window:
            return False
        if now - self._warned.get(org, -math.inf) < self.window:
            return False
        self._warned[org] = now
        return True

    def spiking(self) -> int:
        """How many organisations are over the threshold within the window now."""
        now = self._clock.now().timestamp()
        return sum(1 for times in self._seen.values() if len(times) > self.threshold and now - times[0] <= self.window)


@dataclass
class RateLimits:
    """One service's limits and their state (built with the service's runtime)."""

    clock: Clock
    rates: dict[str, Rate]
    spike_threshold: int = 100
    spike_window: float = 600.0
    limiter: Gcra = field(init=False)
    spikes: SpikeWatch = field(init=False)
    said: RefusalLog = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = Gcra(self.clock)
        self.spikes = SpikeWatch(self.clock, self.spike_threshold, self.spike_window)
        # Read at each scrape, so the gauge falls back to 0 when the window has passed.
        metrics.IDENTITY_READS_SPIKING.set_function(self.spikes.spiking)
        self.said = RefusalLog(self.clock)

    @classmethod
    def from_settings(cls, settings: Any, clock: Clock) -> RateLimits:
        warn_if_every_caller_is_the_proxy(settings)
        return cls(
            clock=clock,
            rates={
                IDENTITY_READS: Rate(settings.rate_identity_reads_per_minute, 60.0),
                WRITES: Rate(settings.rate_writes_per_minute, 60.0),
                PARTNER_READS: Rate(settings.rate_partner_reads_per_minute, 60.0),
                FAILED_AUTH: Rate(settings.rate_failed_auth_per_second, 1.0),
            },
            spike_threshold=settings.identity_reads_spike_threshold,
            spike_window=settings.identity_reads_spike_minutes * 60.0,
        )

    def check(self, name: str, key: str) -> None:
        """Charge ``key`` one request under ``name``, or raise 429 with ``Retry-After``."""
        wait = self.limiter.take(name, key, self.rates[name])
        if wait:
            raise self.refuse(name, key, wait)

    def refuse(self, name: str, key: str, wait: float, headers: dict[str, str] | None = None) -> StarletteHTTPException:
        """The 429 a refused request gets (the problem handlers render it as problem+json)."""
        metrics.REQUESTS_REFUSED.labels(name).inc()
        self.said.refused(name, key, wait)
        return StarletteHTTPException(
            429,
            f"too many requests ({name}); try again in {retry_after(wait)} s",
            {"Retry-After": retry_after(wait), **(headers or {})},
        )

    def check_telling(self, name: str, key: str) -> dict[str, str]:
        """:meth:`check`, and the ``RateLimit-*`` headers of where ``key`` stands after it (the
        429 carries them too)."""
        rate = self.rates[name]
        wait = self.limiter.take(name, key, rate)
        remaining, reset = self.limiter.standing(name, key, rate)
        headers = {
            "RateLimit-Limit": str(rate.count),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset))),
            "RateLimit-Policy": f"{rate.count};w={round(rate.period)}",
        }
        if wait:
            raise self.refuse(name, key, wait, headers)
        return headers


class RefusalLog:
    """Logs ``ratelimit.refused`` once a minute per limit and key: a flood of refused requests
    (800 forged tokens a second) must not become a flood of log lines. The key is an address or
    an organisation and staff id, never a token."""

    def __init__(self, clock: Clock, every: float = 60.0, capacity: int = 10_000) -> None:
        self._clock = clock
        self._every = every
        self._capacity = capacity
        self._last: dict[tuple[str, str], float] = {}

    def refused(self, name: str, key: str, wait: float) -> None:
        now = self._clock.now().timestamp()
        if now - self._last.get((name, key), -math.inf) < self._every:
            return
        if len(self._last) >= self._capacity:
            self._last = {k: t for k, t in self._last.items() if now - t < self._every}
            if len(self._last) >= self._capacity:
                return  # that many refused callers in a minute: the counter and the alert tell
        self._last[(name, key)] = now
        log.info("ratelimit.refused", limit=name, key=key.replace("\x1f", "/"), retry_after=retry_after(wait))


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def caller_key(principal: Principal) -> str:
    return f"{principal.org}\x1f{principal.staff_id}"


def limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.runtime.rate_limits
    return limits


async def _writes(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> None:
    if request.method in CHANGING:
        limits_of(request).check(WRITES, caller_key(principal))


async def _identity_reads(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> AsyncIterator[None]:
    limits = limits_of(request)
    limits.check(IDENTITY_READS, caller_key(principal))
    yield
    # Reached only when the route answered: a refused or unknown id is no read.
    metrics.IDENTITY_READS.inc()
    if limits.spikes.read(principal.org):
        log.warning(
            "identity_reads.spike",
            org=principal.org,
            reads=limits.spikes.threshold + 1,
            window_minutes=round(limits.spikes.window / 60),
            last_staff_id=principal.staff_id,
        )


async def _partner_reads(
    request: Request, response: Response, principal: Annotated[Principal, Depends(current_principal)]
) -> None:
    response.headers.update(limits_of(request).check_telling(PARTNER_READS, caller_key(principal)))


WRITES_LIMIT = Depends(_writes)
"""Put on a service's routers by :func:`install_rate_limits`: every changing request, per caller."""

IDENTITY_READS_LIMIT = Depends(_identity_reads)
"""Declared by the route that answers an identity number: per caller, counted and watched per org."""

PARTNER_READS_LIMIT = Depends(_partner_reads)
"""Declared by the partner API's routes: per partner system, with ``RateLimit-*`` headers."""


class FailedAuthLimit:
    """Pure ASGI middleware: refuses an address that received too many 401s, before any work."""

    def __init__(self, app: ASGIApp, limits: Callable[[Scope], RateLimits]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(UNLIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        limits = self.limits(scope)
        address = client_address(scope)
        rate = limits.rates[FAILED_AUTH]
        wait = limits.limiter.wait(FAILED_AUTH, address, rate)
        if wait:
            exc = limits.refuse(FAILED_AUTH, address, wait)
            response = problem(
                429, "Too many requests", exc.detail, instance=scope.get("path"), headers=dict(exc.headers or {})
            )
            await response(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                limits.limiter.take(FAILED_AUTH, address, rate)
            await send(message)

        await self.app(scope, receive, counting)


def client_address(scope: Scope) -> str:
    """The caller's address as the server saw it (behind a proxy: uvicorn's proxy headers)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def install_rate_limits(app: FastAPI) -> None:
    """The failed-authentication limit, outermost (call it after the other middleware)."""

    def runtime_limits(scope: Scope) -> RateLimits:
        limits: RateLimits = scope["app"].state.runtime.rate_limits
        return limits

    app.add_middleware(FailedAuthLimit, limits=runtime_limits)


def warn_if_every_caller_is_the_proxy(settings: Any) -> None:
    """In production a service sits behind an ingress: unless its addresses are trusted for
    X-Forwarded-For, every caller has the ingress's address and one client's bad tokens (or a
    morning's sign-ins) would spend everybody's per-address allowance."""
    if settings.environment == "production" and settings.forwarded_allow_ips.strip() in {"", "127.0.0.1"}:
        log.warning(
            "ratelimit.client_address_is_the_proxy",
            setting="FORLOB_FORWARDED_ALLOW_IPS",
            detail="set it to the ingress's addresses; per-address limits count the proxy, not the client",
        )

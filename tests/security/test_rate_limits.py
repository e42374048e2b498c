"""Rate limits (docs/security.md, "Rate limits"): identity reads and changing requests per caller,
failed authentications per client address; each refusal a 429 problem+json with ``Retry-After``,
and a spike of identity reads counted per organisation and warned of.

The services run in process on a ManualClock, with low limits set here (the test fixtures'
defaults are out of any test's reach); waiting for a bucket to refill is moving the clock.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from forlob_testkit.fixtures import RunningService
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body

from .conftest import ALL_ROLES, operations
from .test_tokens import BAD_TOKENS

PURPOSE = {"purpose": "contact the municipality"}


def _assert_429(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    seconds = int(response.headers["Retry-After"])
    assert seconds >= 1
    return seconds


def _from(service: RunningService, address: str) -> httpx.AsyncClient:
    """A client of the same app that connects from ``address``."""
    transport = httpx.ASGITransport(app=service.client._transport.app, client=(address, 40000))  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _refused(limit: str) -> float:
    return REGISTRY.get_sample_value("forlob_requests_refused_total", {"limit": limit}) or 0.0


async def _referral(service: RunningService) -> str:
    client = service.client
    assert (
        await client.put("/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=auth(PROVIDER, "coordinator"))
    ).status_code in (200, 201)
    response = await client.post(
        "/referrals",
        json=referral_body(random.Random(3)),
        headers={**auth(JOBCENTRE, "caseworker", staff="cw-1"), "Idempotency-Key": str(uuid4())},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_identity_reads_are_limited_per_caller_counted_per_org_and_a_spike_is_warned_of(start: Any) -> None:
    org = f"jobcenter-{uuid4().hex[:8]}"  # an organisation of this test's own, for the per-org counter
    limits = {"rate_identity_reads_per_minute": 5, "identity_reads_spike_threshold": 7}
    async with start("referral", **limits) as service:
        referral_id = await _referral(service)
        url = f"/referrals/{referral_id}/identity"
        # The caseworker of the referring organisation, and a colleague; another organisation's
        # caller sees nothing of the referral, but is limited all the same.
        reader = auth(JOBCENTRE, "caseworker", staff="cw-1")
        colleague = auth(JOBCENTRE, "caseworker", staff="cw-2")
        stranger = auth(org, "caseworker", staff="cw-1")
        reads_before = REGISTRY.get_sample_value("forlob_identity_reads_total") or 0.0
        refused_before = _refused("identity_reads")

        for _ in range(5):
            response = await service.client.get(url, params=PURPOSE, headers=reader)
            assert response.status_code == 200, response.text
        wait = _assert_429(await service.client.get(url, params=PURPOSE, headers=reader))
        assert wait <= 12  # one read's share of a minute comes back every 12 s
        assert _refused("identity_reads") == refused_before + 1
        assert REGISTRY.get_sample_value("forlob_identity_reads_total") == reads_before + 5

        # Another caller (the same organisation, the same address) is not held up.
        assert (await service.client.get(url, params=PURPOSE, headers=colleague)).status_code == 200
        # A caller whose reads find nothing is limited too, and nothing it asked is counted as read.
        for _ in range(5):
            assert (await service.client.get(url, params=PURPOSE, headers=stranger)).status_code == 404
        _assert_429(await service.client.get(url, params=PURPOSE, headers=stranger))
        assert REGISTRY.get_sample_value("forlob_identity_reads_total") == reads_before + 6

        # After Retry-After the caller may read again: one read, not a new burst.
        service.runtime.clock.advance(timedelta(seconds=wait))
        with capture_logs() as logs:
            assert (await service.client.get(url, params=PURPOSE, headers=reader)).status_code == 200
            # The organisation's 8th read within ten minutes is over the spike threshold (7).
            assert (await service.client.get(url, params=PURPOSE, headers=colleague)).status_code == 200
            assert (await service.client.get(url, params=PURPOSE, headers=colleague)).status_code == 200
        spikes = [entry for entry in logs if entry["event"] == "identity_reads.spike"]
        assert len(spikes) == 1, logs  # warned once per window, not on every read after
        assert spikes[0]["log_level"] == "warning"
        assert spikes[0]["org"] == JOBCENTRE
        # /metrics pages the operator with a count and names no organisation: the log does.
        assert REGISTRY.get_sample_value("forlob_identity_reads_spiking_organisations") == 1
        exposed = (await service.client.get("/metrics")).text
        assert "forlob_identity_reads_total" in exposed
        assert JOBCENTRE not in exposed
        assert org not in exposed
        assert _assert_429(await service.client.get(url, params=PURPOSE, headers=reader))


async def test_changing_requests_are_limited_per_caller_and_reads_are_not(start: Any) -> None:
    async with start("referral", rate_writes_per_minute=3) as service:
        client = service.client
        coordinator = auth(PROVIDER, "coordinator", staff="co-1")
        for code in ("RCA-A-1", "RCA-A-2", "RCA-A-3"):
            response = await client.put(f"/programmes/{code}", json=DEVELOPMENT_COURSE, headers=coordinator)
            assert response.status_code in (200, 201), response.text
        refused_before = _refused("writes")
        _assert_429(await client.put("/programmes/RCA-A-4", json=DEVELOPMENT_COURSE, headers=coordinator))
        assert _refused("writes") == refused_before + 1
        assert (await client.get("/programmes/RCA-A-4", headers=coordinator)).status_code == 404  # nothing written
        for _ in range(10):  # reads are not changing requests
            assert (await client.get("/programmes", headers=coordinator)).status_code == 200
        # Another coordinator of the same organisation still may.
        other = auth(PROVIDER, "coordinator", staff="co-2")
        assert (await client.put("/programmes/RCA-A-4", json=DEVELOPMENT_COURSE, headers=other)).status_code == 201
        # A POST is counted like a PUT (the referral is refused before it is read).
        caseworker = auth(JOBCENTRE, "caseworker", staff="cw-9")
        body = referral_body(random.Random(4), programme_code="RCA-A-1")
        for _ in range(3):
            headers = {**caseworker, "Idempotency-Key": str(uuid4())}
            assert (await client.post("/referrals", json=body, headers=headers)).status_code == 201
        _assert_429(await client.post("/referrals", json=body, headers={**caseworker, "Idempotency-Key": str(uuid4())}))
        service.runtime.clock.advance(timedelta(seconds=20))
        again = await client.put("/programmes/RCA-A-5", json=DEVELOPMENT_COURSE, headers=coordinator)
        assert again.status_code == 201


async def test_an_address_sending_bad_tokens_is_refused_before_its_tokens_are_read(
    start: Any, service_name: str
) -> None:
    async with start(service_name, rate_failed_auth_per_second=20) as service:
        path = next(op for op in operations(service_name) if op.method == "get").url()
        good = auth(PROVIDER, *ALL_ROLES, staff="ok-1")
        async with _from(service, "198.51.100.7") as attacker, _from(service, "198.51.100.8") as bystander:
            bad = list(BAD_TOKENS.values())
            refused_before = _refused("failed_auth")
            for i in range(20):
                assert (await attacker.get(path, headers=bad[i % len(bad)])).status_code == 401
            wait = _assert_429(await attacker.get(path, headers=bad[0]))
            assert wait == 1
            # While refused, the address gets 429 whatever it sends: its tokens are not even verified.
            _assert_429(await attacker.get(path, headers=good))
            assert _refused("failed_auth") == refused_before + 2
            # Probes and the metrics scrape are never refused.
            assert (await attacker.get("/health/live")).status_code == 200
            # Another address, and the same address once the second has passed, are served.
            assert (await bystander.get(path, headers=good)).status_code not in (401, 429)
            service.runtime.clock.advance(timedelta(seconds=wait))
            assert (await attacker.get(path, headers=good)).status_code not in (401, 429)
        # The OpenAPI says so: every operation may answer 429 problem+json with Retry-After.
        for item in (await service.client.get("/openapi.json")).json()["paths"].values():
            for operation in item.values():
                if operation.get("tags") == ["operations"]:
                    continue
                documented = operation["responses"]["429"]
                assert "application/problem+json" in documented["content"]
                assert "Retry-After" in documented["headers"]

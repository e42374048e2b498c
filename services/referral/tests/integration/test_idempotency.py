"""Idempotency-Key: a retried POST answers as the first one did and acts once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from forlob_referral.application.retention import forget_idempotency_keys
from forlob_testkit.referral import CASEWORKER, COORDINATOR, Api, auth, referral_body


async def test_a_retried_referral_is_made_once(api: Api) -> None:
    await api.programme()
    headers = {**CASEWORKER, "Idempotency-Key": "partner-42"}
    first = await api.client.post("/referrals", json=referral_body(), headers=headers)
    again = await api.client.post("/referrals", json=referral_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await api.scalar("SELECT count(*) FROM referrals") == 1
    assert (await api.event_types()).count("referral.received.v1") == 1


async def test_the_same_key_for_another_request_is_refused(api: Api) -> None:
    await api.programme()
    headers = {**CASEWORKER, "Idempotency-Key": "partner-43"}
    assert (await api.client.post("/referrals", json=referral_body(), headers=headers)).status_code == 201
    other = await api.client.post("/referrals", json=referral_body(wished_weekly_hours=20), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["reason"] == "idempotency-key-reused"
    assert await api.scalar("SELECT count(*) FROM referrals") == 1


async def test_keys_belong_to_an_organisation(api: Api) -> None:
    """Two organisations may pick the same key without seeing each other's responses."""
    await api.programme()
    other = {**auth("jobcenter-odense", "caseworker"), "Idempotency-Key": "k1"}
    mine = {**CASEWORKER, "Idempotency-Key": "k1"}
    a = await api.client.post("/referrals", json=referral_body(), headers=mine)
    b = await api.client.post("/referrals", json=referral_body(), headers=other)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_a_failed_request_does_not_use_up_its_key(api: Api) -> None:
    headers = {**CASEWORKER, "Idempotency-Key": "partner-44"}
    missing = await api.client.post("/referrals", json=referral_body(), headers=headers)
    assert missing.status_code == 422  # the programme does not exist yet
    await api.programme()
    assert (await api.client.post("/referrals", json=referral_body(), headers=headers)).status_code == 201
    assert await api.scalar("SELECT count(*) FROM idempotency_keys") == 1


async def test_concurrent_retries_act_once(api: Api) -> None:
    await api.programme(capacity=5)
    rid = (await api.refer())["id"]
    headers = {**COORDINATOR, "Idempotency-Key": "accept-1"}
    responses = await asyncio.gather(*(api.client.post(f"/referrals/{rid}/accept", headers=headers) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert all(r.json() == responses[0].json() for r in responses)
    assert (await api.event_types(rid)) == ["referral.received.v1", "referral.accepted.v1"]


async def test_keys_are_forgotten_after_their_time(api: Api) -> None:
    """Stored responses hold names and goals, so keys do not outlive their retries."""
    await api.programme()
    headers = {**CASEWORKER, "Idempotency-Key": "old"}
    assert (await api.client.post("/referrals", json=referral_body(), headers=headers)).status_code == 201
    uow = api.service.runtime.uow()
    assert await forget_idempotency_keys(uow, api.clock.now(), timedelta(days=7)) == 0
    api.clock.advance(timedelta(days=8))
    assert await forget_idempotency_keys(uow, api.clock.now(), timedelta(days=7)) == 1
    assert await api.scalar("SELECT count(*) FROM idempotency_keys") == 0


async def test_key_format(api: Api) -> None:
    await api.programme()
    for key in ("", " ", "x" * 201):
        response = await api.client.post(
            "/referrals", json=referral_body(), headers={**CASEWORKER, "Idempotency-Key": key}
        )
        assert response.status_code == 422, key
    assert await api.scalar("SELECT count(*) FROM referrals") == 0

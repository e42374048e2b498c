"""Plain hostile input gets 422 problem+json, never a 500, on every route of every service (read
from its OpenAPI): a NUL character in any text (body, key, query, path), a day or moment near
year 1 or 9999, a number past 64 bits, and webhook URLs no HTTP client may be given."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from forlob_testkit.scenario import JOBCENTRE, PROVIDER, auth

from .conftest import ALL_ROLES, SERVICES, openapi, table_digest
from .hostile import Request, far_values, operations, with_nul
from .seeds import SETTINGS, seed

PROBLEM = "application/problem+json"


async def _send(client: httpx.AsyncClient, request: Request, headers: dict[str, str]) -> httpx.Response:
    headers = {**headers, "Idempotency-Key": str(uuid4())}
    return await client.request(request.method, request.path, params=request.query, json=request.body, headers=headers)


def _is_problem(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith(PROBLEM)


@pytest.mark.parametrize("service_name", SERVICES)
async def test_a_nul_character_in_any_text_is_refused_with_a_problem(start: Any, service_name: str) -> None:
    async with start(service_name, **SETTINGS[service_name]) as service:
        ids = await seed(service_name, service)
        headers = auth(PROVIDER, *ALL_ROLES)
        before = await table_digest(service)
        failures, tried = [], 0
        for op in operations(openapi(service_name)):
            for request in with_nul(op, ids):
                tried += 1
                response = await _send(service.client, request, headers)
                body = response.json() if _is_problem(response) else {}
                if response.status_code != 422 or "U+0000" not in body.get("detail", ""):
                    failures.append(f"{request}: {response.status_code} {response.text[:160]}")
        assert tried, "no text field found"
        assert not failures, f"{len(failures)} of {tried}:\n" + "\n".join(failures)
        assert await table_digest(service) == before


async def test_the_refusal_names_the_field_that_held_the_nul(start: Any) -> None:
    async with start("referral") as service:
        body = {"participant": {"name": "Jens\x00 Hansen"}, "goals": [{"text": "ok"}, {"text": "x\x00"}]}
        response = await service.client.post("/referrals", json=body, headers=auth(JOBCENTRE, "caseworker"))
        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM)
        problem = response.json()
        assert problem["type"].endswith("/invalid-input")
        assert problem["errors"][0]["location"] == ["body", "participant", "name"]
        # An escaped backslash before "u0000" is text, not a NUL; a lone surrogate is refused too.
        for content, refused in ((b'{"participant": "\\\\u0000"}', False), (b'{"name": "\\ud800"}', True)):
            response = await service.client.post(
                "/referrals",
                content=content,
                headers={**auth(JOBCENTRE, "caseworker"), "content-type": "application/json"},
            )
            assert (response.status_code == 422 and "U+D800" in response.text) is refused, response.text


@pytest.mark.parametrize("service_name", SERVICES)
async def test_far_days_and_huge_numbers_get_no_5xx(start: Any, service_name: str) -> None:
    async with start(service_name, **SETTINGS[service_name]) as service:
        ids = await seed(service_name, service)
        headers = auth(PROVIDER, *ALL_ROLES)
        failures, tried = [], 0
        for op in operations(openapi(service_name)):
            for request in far_values(op, ids):
                tried += 1
                response = await _send(service.client, request, headers)
                if response.status_code >= 500 or (response.status_code >= 400 and not _is_problem(response)):
                    failures.append(f"{request}: {response.status_code} {response.text[:160]}")
        assert tried, "no day, moment or integer found"
        assert not failures, f"{len(failures)} of {tried}:\n" + "\n".join(failures)


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"])
async def test_reporting_periods_near_year_1_or_9999_are_422(start: Any, day: str) -> None:
    async with start("reporting") as service:
        headers = auth(PROVIDER, *ALL_ROLES)
        for query in ({"from": day}, {"to": day}, {"from": day, "to": day}):
            for path in ("/figures", "/figures/occupancy", "/figures/referrals-received", "/charts/occupancy.svg"):
                response = await service.client.get(path, params=query, headers=headers)
                assert response.status_code == 422, (path, query, response.text)
                assert _is_problem(response)


async def test_a_course_start_near_year_9999_and_a_huge_offset_are_422(start: Any) -> None:
    async with start("referral") as service:
        ids = await seed("referral", service)
        coordinator = auth(PROVIDER, "coordinator")
        accepted = await service.client.post(f"/referrals/{ids['referral_id']}/accept", headers=coordinator)
        assert accepted.status_code == 200, accepted.text
        before = await table_digest(service)
        for day in ("9999-12-27", "0001-01-01"):
            body = {
                "start_date": day,
                "schedule": [{"weekday": 0, "start": "08:00", "end": "12:00"}],
                "contact_person_id": "kp-1",
            }
            response = await service.client.post(
                f"/referrals/{ids['referral_id']}/start",
                json=body,
                headers={**coordinator, "Idempotency-Key": str(uuid4())},
            )
            assert response.status_code == 422, response.text
            assert _is_problem(response)
        for offset in (2**63, 2**64):
            response = await service.client.get("/referrals", params={"offset": offset}, headers=coordinator)
            assert response.status_code == 422, response.text
            assert _is_problem(response)
        assert await table_digest(service) == before


@pytest.mark.parametrize(
    "url",
    [
        "https://partner.example/hooks\r\nX-Injected: 1",
        "https://partner.example:99999/hooks",
        "https://[::1/hooks",
        "https://[fe80::1%25eth0/hooks",
        "https://partner.example/ho oks",
    ],
)
async def test_webhook_urls_no_client_could_call_are_422_and_not_stored(start: Any, url: str) -> None:
    async with start("notifications", **SETTINGS["notifications"]) as service:
        admin = auth(PROVIDER, "admin")
        before = await table_digest(service)
        created = await service.client.post(
            "/webhooks/subscriptions", json={"url": url, "event_types": ["alert.raised"]}, headers=admin
        )
        assert created.status_code == 422, created.text
        assert _is_problem(created)
        assert created.json().get("field") == "url"
        assert await table_digest(service) == before
        good = await service.client.post(
            "/webhooks/subscriptions",
            json={"url": "https://partner.example/hooks", "event_types": ["alert.raised"]},
            headers=admin,
        )
        assert good.status_code == 201, good.text
        patched = await service.client.patch(
            f"/webhooks/subscriptions/{good.json()['id']}", json={"url": url}, headers=admin
        )
        assert patched.status_code == 422, patched.text
        stored = await service.client.get(f"/webhooks/subscriptions/{good.json()['id']}", headers=admin)
        assert stored.json()["url"] == "https://partner.example/hooks"

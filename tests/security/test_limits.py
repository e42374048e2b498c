"""Request limits on every route that takes a body: an oversized body gets 413, JSON nested 100
deep gets 422 whatever the Content-Type says (or without one), both as problem+json, and nothing
is written."""

from __future__ import annotations

from typing import Any

import pytest

from forlob_testkit.scenario import PROVIDER, auth

from .conftest import ALL_ROLES, SERVICES, operations, table_digest

DEEP = ("[" * 100 + "]" * 100).encode()
# The framework reads a body as JSON without a Content-Type and in any casing of it.
CONTENT_TYPES = ("application/json", None, "Application/JSON", "text/plain")


def _oversized(limit: int) -> bytes:
    return b'{"padding": "' + b"x" * limit + b'"}'


@pytest.mark.parametrize("service_name", [s for s in SERVICES if any(op.has_body for op in operations(s))])
async def test_oversized_and_deeply_nested_bodies_are_refused(start: Any, service_name: str) -> None:
    async with start(service_name) as service:
        before = await table_digest(service)
        limit = service.settings.max_body_bytes
        failures = []
        for op in [op for op in operations(service_name) if op.has_body]:
            for content_type in CONTENT_TYPES:
                headers = auth(PROVIDER, *ALL_ROLES) | ({"Content-Type": content_type} if content_type else {})
                for content, expected, says in ((_oversized(limit), 413, "at most"), (DEEP, 422, "nested deeper")):
                    response = await service.client.request(op.method, op.url(), content=content, headers=headers)
                    problem = response.headers.get("content-type", "").startswith("application/problem+json")
                    if response.status_code != expected or not problem or says not in response.text:
                        failures.append(
                            f"{op} ({content_type}): {response.status_code} (wanted {expected}) {response.text[:120]}"
                        )
        assert not failures, "\n".join(failures)
        assert await table_digest(service) == before


async def test_an_oversized_body_without_a_length_is_refused_as_it_streams(start: Any) -> None:
    async with start("referral") as service:
        limit = service.settings.max_body_bytes

        async def chunks() -> Any:
            for _ in range(limit // 1024 + 2):
                yield b" " * 1024

        headers = {**auth(PROVIDER, *ALL_ROLES), "Content-Type": "application/json"}
        before = await table_digest(service)
        response = await service.client.post("/referrals", content=chunks(), headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")
        assert await table_digest(service) == before


async def test_a_body_on_a_read_only_service_is_never_read(start: Any) -> None:
    """Reporting takes no bodies; one sent with a GET is left unread (the middleware does not
    buffer it), so it can neither fill memory nor change what the answer is."""
    async with start("reporting") as service:
        headers = {**auth(PROVIDER, *ALL_ROLES), "Content-Type": "application/json"}
        before = await table_digest(service)
        plain = await service.client.get("/figures", headers=headers)
        for content in (_oversized(service.settings.max_body_bytes), DEEP):
            hostile = await service.client.request("GET", "/figures", content=content, headers=headers)
            assert (hostile.status_code, hostile.content) == (plain.status_code, plain.content)
        assert await table_digest(service) == before

"""The notifications service's public routes (the partner schemas): read-only, no token, and
published as such; a service cannot be built with a public route that writes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi import APIRouter

from forlob_notifications.main import spec
from forlob_notifications.settings import NotificationsSettings
from forlob_shared.http.auth import PUBLIC
from forlob_shared.service import create_app


def test_a_public_router_may_only_read() -> None:
    # Writes are limited per caller, and a route without a token has none to limit.
    writing = APIRouter(dependencies=[PUBLIC])

    @writing.post("/open-door")
    async def open_door() -> dict[str, str]:
        return {}

    with pytest.raises(ValueError, match="/open-door must be read-only"):
        create_app(replace(spec(), public_routers=[writing]), NotificationsSettings())


def test_the_partner_schemas_are_public_and_published_so() -> None:
    operation = create_app(spec(), NotificationsSettings()).openapi()["paths"]["/partner/schemas/{file}"]["get"]
    assert operation["x-public"] is True
    assert "application/schema+json" in operation["responses"]["200"]["content"]

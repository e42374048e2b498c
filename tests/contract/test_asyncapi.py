"""Each service's AsyncAPI document in docs/asyncapi/ is current (`make events` writes them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forlob_attendance.main import spec as attendance
from forlob_notifications.main import spec as notifications
from forlob_referral.main import spec as referral
from forlob_reporting.main import spec as reporting
from forlob_shared.asyncapi import asyncapi_document

DOCS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"
SPECS: dict[str, Any] = {
    "referral": referral,
    "attendance": attendance,
    "notifications": notifications,
    "reporting": reporting,
}


@pytest.mark.parametrize("service", sorted(SPECS))
def test_asyncapi_document_is_current(service: str) -> None:
    spec = SPECS[service]()
    document = asyncapi_document(spec)
    path = DOCS / f"{service}.json"
    assert path.exists(), f"{path} is missing: run `make events`"
    assert json.loads(path.read_text()) == document, f"{path} is out of date: run `make events`"
    assert document["asyncapi"].startswith("3.")
    for event in spec.publishes:
        assert f"{event.routing_key}:publish" in document["channels"]
    for subscription in spec.subscriptions_for(spec.settings_cls()):
        assert f"{spec.name}.{subscription.purpose}" in document["channels"]

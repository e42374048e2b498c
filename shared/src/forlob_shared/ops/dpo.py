"""The data protection officer's access export across the four services (GDPR Art. 15), through
their HTTP APIs with a DPO token: the coordinator behind ``forlob dpo export`` and the web page.

A participant is found by identity number (referral looks it up, the only holder, and audits the
read) or by the pseudonymous participant id; each service then answers its own part, with its
categories and their retention. The whole document is for the data subject: nothing in it is
the provider's staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from forlob_shared.settings import settings_config

SERVICES = ("referral", "attendance", "notifications", "reporting")
DEFAULT_URLS = {
    "referral": "http://127.0.0.1:8001",
    "attendance": "http://127.0.0.1:8002",
    "notifications": "http://127.0.0.1:8003",
    "reporting": "http://127.0.0.1:8004",
}


class ExportFailed(RuntimeError):
    """A service refused or failed; the message says which and with what status."""


class DpoToolSettings(BaseSettings):
    """Where the DPO's tool finds the services (``FORLOB_<SERVICE>_URL``, as the web's), and a
    DPO's token (``FORLOB_TOKEN``) when the command line gives none."""

    model_config = settings_config("FORLOB_")

    referral_url: str = DEFAULT_URLS["referral"]
    attendance_url: str = DEFAULT_URLS["attendance"]
    notifications_url: str = DEFAULT_URLS["notifications"]
    reporting_url: str = DEFAULT_URLS["reporting"]
    token: SecretStr = SecretStr("")

    def urls(self) -> dict[str, str]:
        return {s: str(getattr(self, f"{s}_url")).rstrip("/") for s in SERVICES}


def _checked(service: str, response: httpx.Response) -> Any:
    if response.status_code != 200:
        problem = response.text[:300] if response.headers.get("content-type", "").endswith("json") else ""
        raise ExportFailed(f"{service} answered {response.status_code} {problem}".strip())
    return response.json()


async def lookup(
    client: httpx.AsyncClient, urls: Mapping[str, str], token: str, identity_number: str, purpose: str
) -> list[UUID]:
    response = await client.post(
        f"{urls['referral']}/dpo/participants/lookup",
        json={"identity_number": identity_number, "purpose": purpose},
        headers={"Authorization": f"Bearer {token}"},
    )
    return [UUID(p) for p in _checked("referral", response)["participant_ids"]]


async def export_participant(
    client: httpx.AsyncClient, urls: Mapping[str, str], token: str, participant_id: UUID
) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for service in SERVICES:
        response = await client.get(
            f"{urls[service]}/dpo/participants/{participant_id}/export", headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 404 and service != "referral":
            # Nothing held there (after an erasure, or the participant never reached it): an
            # answer the data subject is entitled to as well, not a failure.
            parts[service] = {"service": service, "participant_id": str(participant_id), "nothing_held": True}
            parts[service]["categories"] = []
            continue
        parts[service] = _checked(service, response)
    return {"participant_id": str(participant_id), "services": parts}


async def access_export(
    client: httpx.AsyncClient,
    urls: Mapping[str, str],
    token: str,
    *,
    participant_id: UUID | None = None,
    identity_number: str | None = None,
    purpose: str = "access request (GDPR Art. 15)",
    now: datetime,
) -> dict[str, Any]:
    """One JSON document: every service's part for each participant id found."""
    if (participant_id is None) == (identity_number is None):
        raise ValueError("give a participant id or an identity number, not both")
    ids = (
        [participant_id]
        if participant_id is not None
        else await lookup(client, urls, token, identity_number or "", purpose)
    )
    return {
        "kind": "forlob.access-export.v1",
        "legal_basis": "GDPR Art. 15 (right of access by the data subject)",
        "requested_by": "identity number" if identity_number is not None else "participant id",
        "assembled_at": now.isoformat(),
        "participants": [await export_participant(client, urls, token, pid) for pid in ids],
    }

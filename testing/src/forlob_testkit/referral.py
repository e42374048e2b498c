"""Test helpers for the referral service: a small API client, tokens and request bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from forlob_shared.clock import ManualClock
from forlob_testkit.auth import auth
from forlob_testkit.fixtures import RunningService

# Wednesday 20 May 2026, 10:00 in Aalborg. The next Monday, 25 May, is Whit Monday (a Danish
# public holiday), so the first intake Monday is 1 June.
NOW = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)

PROVIDER_ORG = "rca-aalborg"
REFERRING_ORG = "jobcenter-aalborg"

RCA = {
    "name": "Individual development course",
    "kind": "development_course",
    "capacity": 12,
    "intake_weekdays": [0],
    "default_weeks": 13,
    "min_weeks": 4,
    "max_weeks": 26,
    "opening_hours": [{"weekday": d, "start": "07:30", "end": "14:30" if d < 4 else "14:00"} for d in range(5)],
    "country": "DK",
}
SCHEDULE = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(4)]
CPR = "2110625629"


CASEWORKER = auth(REFERRING_ORG, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER_ORG, "coordinator", staff="co-3")
OTHER_CASEWORKER = auth("jobcenter-odense", "caseworker", staff="cw-9")
OTHER_COORDINATOR = auth("aspa-odense", "coordinator", staff="co-9")


def referral_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_code": "RCA-UDV-13",
        "provider_org": PROVIDER_ORG,
        "participant": {"name": "Jens Hansen", "identity_number": CPR, "identity_scheme": "dk_cpr"},
        "goals": [
            {"text": "Stable attendance", "sub_goals": ["Arrive by 08:00 four days a week"]},
            {"text": "Increase weekly hours", "sub_goals": []},
        ],
        "legal_basis": "LAB-32-1-2",
        "legal_context": "active_offer",
        "wished_weekly_hours": 16,
    }
    body.update(fields)
    return body


def closing_note(**fields: Any) -> dict[str, Any]:
    note: dict[str, Any] = {
        "summary": "Came four days a week from the third week.",
        "resources": "Punctual, good with tools.",
        "development_possibilities": "Ready for an internship in a workshop.",
        "goal_attainment": [
            {
                "goal": "Stable attendance",
                "attainment": "achieved",
                "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
            },
            {"goal": "Increase weekly hours", "attainment": "partly_achieved", "comment": "from 12 to 16"},
        ],
        "specialist_notes": [{"specialty": "physiotherapist", "author": "PT Lise", "note": "Back pain eased."}],
    }
    note.update(fields)
    return note


@dataclass
class Api:
    service: RunningService
    clock: ManualClock

    @property
    def client(self) -> httpx.AsyncClient:
        return self.service.client

    async def programme(self, code: str = "RCA-UDV-13", **fields: Any) -> dict[str, Any]:
        response = await self.client.put(f"/programmes/{code}", json={**RCA, **fields}, headers=COORDINATOR)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    async def refer(self, **fields: Any) -> dict[str, Any]:
        response = await self.client.post("/referrals", json=referral_body(**fields), headers=CASEWORKER)
        assert response.status_code == 201, response.text
        # Referral order is the order of referring: give each referral its own instant.
        self.clock.advance(timedelta(seconds=1))
        return dict(response.json())

    async def post(self, path: str, body: Any = None, headers: dict[str, str] = COORDINATOR) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers)

    async def act(self, referral_id: str, action: str, body: Any = None, headers: dict[str, str] = COORDINATOR) -> Any:
        response = await self.post(f"/referrals/{referral_id}/{action}", body, headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def get(self, referral_id: str, headers: dict[str, str] = COORDINATOR) -> Any:
        response = await self.client.get(f"/referrals/{referral_id}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def events(self) -> list[dict[str, Any]]:
        """Every CloudEvent in the outbox, in publishing order."""
        async with self.service.runtime.engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT body FROM outbox ORDER BY position"))
            return [json.loads(bytes(body)) for (body,) in rows]

    async def event_types(self, subject: str | None = None) -> list[str]:
        return [
            e["type"].removeprefix("dk.forlob.")
            for e in await self.events()
            if subject is None or e["subject"] == subject
        ]

    async def scalar(self, query: str, **params: Any) -> Any:
        async with self.service.runtime.engine.connect() as connection:
            return (await connection.execute(sa.text(query), params)).scalar()

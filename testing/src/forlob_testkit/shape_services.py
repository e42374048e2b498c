"""A stand-in for the referral, attendance and notifications services' answers about meetings,
outreach cases and visits, served by uvicorn on a port of its own: the pages' tests check what
the pages send and how they draw each answer, refusals and silence included, without starting
the system. The answers' shapes are the services' own (meeting_schemas, outreach_schemas,
api/visits)."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forlob_testkit.asgi_server import serving_app
from forlob_web.settings import WebSettings

REFERRAL = "7b0c6d1e-0000-4000-8000-000000000001"
OUTREACH_REFERRAL = "7b0c6d1e-0000-4000-8000-000000000002"
CASE = "c0ffee00-0000-4000-8000-000000000001"
QUIET_CASE = "c0ffee00-0000-4000-8000-000000000002"
MEETING = "3e3e3e3e-0000-4000-8000-000000000001"
HELD = "3e3e3e3e-0000-4000-8000-000000000002"
VISIT = "5a5a5a5a-0000-4000-8000-000000000001"
OTHERS_VISIT = "5a5a5a5a-0000-4000-8000-000000000002"


def programme(code: str, shape: str, name: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": "ips" if shape == "meetings" else "outreach",
        "provider_org": "rca-aalborg",
        "capacity": 20,
        "default_weeks": 26,
        "min_weeks": 4,
        "max_weeks": 52,
        "opening_hours": [],
        "shape": shape,
    }


def referral(rid: str, code: str, name: str) -> dict[str, Any]:
    return {
        "id": rid,
        "participant_id": "9a9a9a9a-0000-4000-8000-000000000001",
        "programme_code": code,
        "provider_org": "rca-aalborg",
        "state": "accepted",
        "participant": {"name": name},
        "goals": [{"text": "A job", "sub_goals": []}],
        "intake_date": "2027-05-03",
        "course": None,
    }


def meeting(
    mid: str, starts: str, ends: str, state: str = "planned", topics: list[str] | None = None
) -> dict[str, Any]:
    return {
        "meeting_id": mid,
        "referral_id": REFERRAL,
        "participant_id": "9a9a9a9a-0000-4000-8000-000000000001",
        "day": starts[:10],
        "starts_at": starts,
        "ends_at": ends,
        "place": "workplace",
        "staff_id": "kp-1",
        "state": state,
        "held_at": None,
        "duration_minutes": None,
        "minutes_late": None,
        "topics": topics or [],
        "cancelled_by": None,
        "reason": None,
        "absence_id": None,
        "resolution": None,
        "timezone": "Europe/Copenhagen",
    }


def case(cid: str, name: str, **values: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "programme_code": "OPS-AAL",
        "working_name": name,
        "staff_id": "kp-1",
        "phase": "contact_creation",
        "opened_at": "2027-04-20T10:00:00+02:00",
        "attempts": 0,
        "last_attempt_at": None,
        "next_attempt_by": None,
        "overdue": False,
        "consent": False,
        "identified": False,
        "provider_org": "rca-aalborg",
        "description": "Sits by the kiosk at the station most mornings",
        "opened_by": "kp-1",
        "first_contact_at": None,
        "consent_record": None,
        "participant_id": None,
        "participant_name": None,
        "close_reason": None,
        "helped_on_to": None,
        "closed_at": None,
        "handover_referral_ids": [],
        "phases": [],
        "attempt_log": [],
        **values,
    }


def visit(vid: str, staff: str, planned_end: str, **values: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "org": "rca-aalborg",
        "staff_id": staff,
        "kind": "home",
        "colleague_id": None,
        "started_at": "2027-05-05T09:00:00+02:00",
        "planned_end": planned_end,
        "overdue_from": planned_end,
        "overdue": False,
        "ended_at": None,
        "ended_by": None,
        **values,
    }


@dataclass
class Fake:
    """The services' state for one test; ``calls``: every request the pages made and were answered
    (method, path, body); ``refused``: those refused as ``failing`` said."""

    meetings: list[dict[str, Any]] = field(default_factory=list)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: list[dict[str, Any]] = field(default_factory=list)
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)
    referrals: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    refused: list[tuple[str, str, Any]] = field(default_factory=list)
    # (method, path pattern) → (status, problem): every matching request is refused so, until cleared
    failing: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def posted(self, path: str) -> list[Any]:
        return [body for method, p, body in self.calls if method == "POST" and p == path]

    def fail(self, method: str, pattern: str, status: int, title: str = "Refused", detail: str = "") -> None:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail or None}
        self.failing[(method, pattern)] = (status, body)

    async def answer(self, request: Request) -> Response:
        path, method = request.url.path, request.method
        raw = await request.body()
        body = json.loads(raw) if raw else None
        for (m, pattern), (status, problem) in list(self.failing.items()):
            if m == method and re.fullmatch(pattern, path):
                self.refused.append((method, path, body))
                return JSONResponse(problem, status, media_type="application/problem+json")
        self.calls.append((method, path, body))  # PUTs too: ``calls`` has them with their method
        found = self._route(method, path, request, body)
        if found is None:
            return JSONResponse({"title": "Not found", "status": 404}, 404, media_type="application/problem+json")
        status, data = found
        return JSONResponse(data, status)

    def _route(self, method: str, path: str, request: Request, body: Any) -> tuple[int, Any] | None:
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["meetings"]:
            staff = request.query_params.get("staff_id")
            return 200, {"meetings": [m for m in self.meetings if staff is None or m["staff_id"] == staff]}
        if parts[0] == "referrals" and len(parts) == 3 and parts[2] == "meetings":
            if method == "GET":
                return 200, {"meetings": [m for m in self.meetings if m["referral_id"] == parts[1]]}
            planned = meeting(str(uuid.uuid4()), body["starts_at"], body["ends_at"])
            self.meetings.append(planned)
            return 201, planned
        if parts[0] == "meetings" and len(parts) == 2 and method == "PUT":
            moving = next((m for m in self.meetings if m["meeting_id"] == parts[1]), None)
            if moving is None:
                return None
            moving.update(starts_at=body["starts_at"], ends_at=body["ends_at"], place=body["place"])
            return 200, moving
        if parts[0] == "meetings" and len(parts) == 3 and method == "POST":
            found = next((m for m in self.meetings if m["meeting_id"] == parts[1]), None)
            if found is None:
                return None
            found["state"] = "held" if parts[2] == "held" else "cancelled"
            return 200, found
        if parts[0] == "referrals" and len(parts) == 2 and method == "GET":
            return (200, self.referrals[parts[1]]) if parts[1] in self.referrals else None
        if parts[0] == "referrals" and len(parts) == 3 and parts[2] == "start" and method == "POST":
            started = self.referrals[parts[1]]
            started["state"] = "started"
            started["course"] = {
                "start_date": body["start_date"],
                "planned_end_date": "2027-11-08",
                "schedule": [],
                "cadence": body.get("cadence"),
                "contact_person_id": body["contact_person_id"],
                "team_leader_id": body.get("team_leader_id"),
                "plan": body.get("plan"),
                "end_date": None,
                "outcome": None,
            }
            return 200, started
        if parts[0] == "referrals" and len(parts) == 3 and parts[2] == "agreement" and method == "POST":
            changed = self.referrals[parts[1]]
            changed["course"]["cadence"] = body.get("cadence")
            return 200, changed
        if parts == ["programmes"] and method == "GET":
            return 200, list(self.programmes.values())
        if parts[0] == "programmes" and len(parts) == 2 and method == "GET":
            return (200, self.programmes[parts[1]]) if parts[1] in self.programmes else None
        if parts[:2] == ["outreach", "cases"]:
            return self._outreach(method, parts[2:], request, body)
        if parts[0] == "visits":
            return self._visits(method, parts[1:], body)
        if parts[0] == "alerts" and len(parts) == 2 and method == "GET":
            return (200, self.alert) if getattr(self, "alert", None) else None
        return None

    def _outreach(self, method: str, rest: list[str], request: Request, body: Any) -> tuple[int, Any] | None:
        if not rest and method == "GET":
            closed = request.query_params.get("include_closed") == "true"
            cases = [c for c in self.cases.values() if closed or c["phase"] != "closed"]
            return 200, sorted(cases, key=lambda c: (not c["overdue"], str(c["next_attempt_by"] or "9")))
        if not rest and method == "POST":
            opened = case(str(uuid.uuid4()), body["working_name"], description=body["description"])
            self.cases[opened["id"]] = opened
            return 201, opened
        found = self.cases.get(rest[0])
        if found is None:
            return None
        if len(rest) == 1:
            return 200, found
        action = rest[1]
        if action == "attempts":
            found["attempt_log"].append(
                {"id": str(uuid.uuid4()), "attempted_at": "2027-05-05T10:00:00+02:00", "staff_id": "kp-1", **body}
            )
        elif action == "phase":
            found["phase"] = body["phase"]
            found["close_reason"] = body["close_reason"]
        elif action == "consent":
            found["consent"], found["consent_record"] = True, {"method": body["method"], "given_at": body["given_at"]}
        elif action == "identify":
            found["identified"], found["participant_name"] = True, body["name"]
            found["participant_id"] = "9a9a9a9a-0000-4000-8000-000000000009"
        elif action == "handover":
            found["handover_referral_ids"] = [OUTREACH_REFERRAL]
            return 201, {"id": OUTREACH_REFERRAL}
        return 200, found

    def _visits(self, method: str, rest: list[str], body: Any) -> tuple[int, Any] | None:
        if not rest and method == "GET":
            return 200, [v for v in self.visits if not v["ended_at"]]
        if not rest and method == "POST":
            started = visit(str(uuid.uuid4()), self.visitor, body["planned_end"], kind=body["kind"])
            started["colleague_id"] = body["colleague_id"]
            self.visits.append(started)
            return 201, started
        found = next((v for v in self.visits if v["id"] == rest[0]), None)
        if found is None:
            return None
        if rest[1:] == ["end"]:
            found["ended_at"] = "2027-05-05T10:00:00+02:00"
        return 200, found

    visitor: str = "kp-1"
    alert: dict[str, Any] | None = None


@contextlib.asynccontextmanager
async def serving(fake: Fake) -> AsyncIterator[WebSettings]:
    """The fake on a free port, and the web's settings that send every service's calls to it."""
    app = Starlette(routes=[Route("/{path:path}", fake.answer, methods=["GET", "POST", "PUT"])])
    async with serving_app(app) as url:
        values: dict[str, Any] = {f"{s}_url": url for s in ("referral", "attendance", "notifications", "reporting")}
        yield WebSettings(**values, environment="test", rate_sign_in_per_minute=100_000)

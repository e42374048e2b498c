"""The stand-in for the services (forlob_testkit.shape_services) with the referral service's work
and the way into it: the employer register, employer contacts, a course's spells, phase and
clarification result (forlob_referral.api.employment_schemas' shapes). It answers as the caller's
organisation (the token's ``org``, read without checking: the web checked it), so another
organisation's employer is 404 and its referrals are not listed, as the referral service does."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from forlob_testkit.shape_services import Fake

RECORDED_AT = "2027-05-05T09:30:00+02:00"


def employer(eid: str, name: str, number: str, org: str = "rca-aalborg", **values: Any) -> dict[str, Any]:
    return {
        "id": eid,
        "org": org,  # the stand-in's own: the service keeps it, the API does not show it
        "country": "DK",
        "number": number,
        "name": name,
        "sector": "private",
        "industry_code": None,
        "contact_name": None,
        "contact_email": None,
        "contact_phone": None,
        "registered_at": "2027-04-01T10:00:00+02:00",
        **values,
    }


def spell(sid: str, employer_id: str | None, start: str, **values: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "employer_id": employer_id,
        "kind": "ordinary",
        "start_date": start,
        "weekly_hours": 15.0,
        "disclosure": "partly",
        "end_date": None,
        "end_reason": None,
        **values,
    }


def work(rid: str, phase: str | None = "search", **values: Any) -> dict[str, Any]:
    return {
        "referral_id": rid,
        "state": "started",
        "phase": phase,
        "phase_since": "2027-05-03",
        "spells": [],
        "clarification_result": None,
        **values,
    }


def caller_org(request: Request) -> str:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    return str(claims.get("org", ""))


@dataclass
class EmploymentFake(Fake):
    """``employers`` by id (each with its ``org``), ``contacts`` (each with its ``org``), ``work``
    by referral id; a referral is another organisation's if its ``provider_org`` is not the caller's."""

    employers: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    work: dict[str, dict[str, Any]] = field(default_factory=dict)
    numbers_refused: dict[str, str] = field(default_factory=dict)  # number → the service's words

    async def answer(self, request: Request) -> Any:
        self._org = caller_org(request)
        return await super().answer(request)

    def _route(self, method: str, path: str, request: Request, body: Any) -> tuple[int, Any] | None:
        parts = path.strip("/").split("/")
        org = getattr(self, "_org", "")
        if parts[0] == "employers":
            return self._employers(method, parts[1:], body, org)
        if parts == ["employer-contacts"]:
            return self._contacts(method, request, body, org)
        if parts == ["caseload"] and method == "GET":
            return 200, self._caseload(org, request.query_params.get("consultant"))
        if method == "GET" and parts == ["referrals"]:
            return 200, [r for r in self.referrals.values() if r.get("provider_org") == org]
        if parts[0] == "referrals" and len(parts) >= 3 and parts[2] in {"employment", "spells", "clarification-result"}:
            found = self.referrals.get(parts[1])
            if found is None or org not in {found.get("provider_org"), found.get("referring_org")}:
                return None
            return self._work(method, parts[1], parts[2:], body)
        if parts[0] == "referrals" and len(parts) == 2 and method == "GET":
            found = self.referrals.get(parts[1])
            if found is None or org not in {found.get("provider_org"), found.get("referring_org")}:
                return None
        return super()._route(method, path, request, body)

    @staticmethod
    def _shown(e: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in e.items() if k != "org"}

    def _employers(self, method: str, rest: list[str], body: Any, org: str) -> tuple[int, Any] | None:
        if not rest and method == "GET":
            own = [self._shown(e) for e in self.employers.values() if e["org"] == org]
            return 200, sorted(own, key=lambda e: e["name"])
        if not rest and method == "POST":
            number = body["number"] or ""
            if body["country"] == "SE" and number[2:3] in ("0", "1"):  # as forlob_referral.domain.employment
                return 422, {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "this organisation number is a personnummer",
                    "field": "number",
                    "reason": "personal-identity-number",
                }
            if body["number"] in self.numbers_refused:
                return 422, {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": self.numbers_refused[body["number"]],
                    "errors": [{"location": ["body", "number"], "message": self.numbers_refused[body["number"]]}],
                }
            contact = body.get("contact") or {}
            created = employer(str(uuid.uuid4()), body["name"], body["number"], org, sector=body["sector"])
            created.update(country=body["country"], contact_name=contact.get("name"))
            self.employers[created["id"]] = created
            return 201, self._shown(created)
        found = self.employers.get(rest[0])
        if found is None or found["org"] != org or method != "GET":
            return None
        contacts = [self._shown(c) for c in self.contacts if c["employer_id"] == rest[0]]
        return 200, {**self._shown(found), "contacts": contacts}

    def _contacts(self, method: str, request: Request, body: Any, org: str) -> tuple[int, Any] | None:
        if method == "GET":
            referral_id = request.query_params.get("referral_id")
            own = [c for c in self.contacts if c["org"] == org and referral_id in (None, c["referral_id"])]
            return 200, [self._shown(c) for c in own]
        made = {"id": str(uuid.uuid4()), "org": org, "staff_id": "kp-1", "recorded_at": RECORDED_AT, **body}
        self.contacts.append(made)
        return 201, self._shown(made)

    def _caseload(self, org: str, consultant: str | None) -> list[dict[str, Any]]:
        """GET /caseload as the referral service answers it: the caller's running courses of
        meetings programmes, one consultant's if named, each with its name, work and latest contact."""
        meetings = {code for code, p in self.programmes.items() if p.get("shape") == "meetings"}
        rows = []
        for rid, r in self.referrals.items():
            course = r.get("course") or {}
            running = bool(course) and not course.get("end_date")  # started, not ended
            if r.get("provider_org") != org or r.get("programme_code") not in meetings or not running:
                continue
            if consultant is not None and course.get("contact_person_id") != consultant:
                continue
            contacts = [c for c in self.contacts if c["org"] == org and c["referral_id"] == rid]
            latest = max(contacts, key=lambda c: (c["day"], c["recorded_at"]), default=None)
            rows.append({
                "referral_id": rid,
                "programme_code": r["programme_code"],
                "contact_person_id": course.get("contact_person_id"),
                "start_date": course.get("start_date"),
                "participant_name": (r.get("participant") or {}).get("name"),
                "employment": self.work.get(rid) or work(rid, None),
                "latest_contact": self._shown(latest) if latest else None,
            })  # fmt: skip
        return rows

    def _work(self, method: str, rid: str, rest: list[str], body: Any) -> tuple[int, Any] | None:
        course = self.work.setdefault(rid, work(rid))
        if rest == ["employment"] and method == "GET":
            return 200, course
        if rest == ["spells"] and method == "POST":
            course["spells"].append({**spell(str(uuid.uuid4()), None, body["start_date"]), **body})
            course["phase"], course["phase_since"] = "employed_with_support", body["start_date"]
            return 201, course
        if len(rest) == 3 and rest[0] == "spells" and rest[2] == "end" and method == "POST":
            ending = next((s for s in course["spells"] if s["id"] == rest[1]), None)
            if ending is None:
                return None
            ending.update(end_date=body["end_date"], end_reason=body["reason"])
            if all(s["end_date"] for s in course["spells"]):
                course["phase"], course["phase_since"] = "search", body["end_date"]
            return 200, course
        if rest == ["clarification-result"] and method == "POST":
            course["clarification_result"] = {"referral_id": rid, **body}
            return 201, course["clarification_result"]
        return None

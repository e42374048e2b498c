"""Where the services keep meetings (attendance), outreach cases (referral) and visits
(notifications): every path the pages for programmes without a timetable call, in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

from forlob_web.client import Api


async def meetings_of_staff(api: Api, staff_id: str, first: date, last: date) -> list[dict[str, Any]]:
    found = await api.get(
        "attendance", "/meetings", staff_id=staff_id, **{"from": first.isoformat(), "to": last.isoformat()}
    )
    return _meetings(found)


async def meetings_of_referral(api: Api, referral_id: str) -> list[dict[str, Any]]:
    return _meetings(await api.get("attendance", f"/referrals/{referral_id}/meetings"))


def _meetings(found: Any) -> list[dict[str, Any]]:
    """The attendance service names a meeting's id ``meeting_id``; the pages call it ``id``."""
    return [{**m, "id": str(m.get("id") or m.get("meeting_id"))} for m in _items(found, "meetings")]


async def plan_meeting(api: Api, referral_id: str, body: dict[str, Any], key: str) -> Any:
    return await api.post("attendance", f"/referrals/{referral_id}/meetings", body, idempotency_key=key)


async def move_meeting(api: Api, meeting_id: str, body: dict[str, Any]) -> Any:
    """The same meeting at a new time or place (PUT: the same request twice is one move)."""
    return (await api.request("attendance", "PUT", f"/meetings/{meeting_id}", json=body)).json()


async def meeting_held(api: Api, meeting_id: str, body: dict[str, Any], key: str) -> Any:
    return await api.post("attendance", f"/meetings/{meeting_id}/held", body, idempotency_key=key)


async def meeting_cancelled(api: Api, meeting_id: str, body: dict[str, Any], key: str) -> Any:
    return await api.post("attendance", f"/meetings/{meeting_id}/cancel", body, idempotency_key=key)


async def outreach_cases(api: Api, include_closed: bool = False) -> list[dict[str, Any]]:
    """The caseload, overdue contacts first (the service's order)."""
    found = await api.get("referral", "/outreach/cases", include_closed="true" if include_closed else None)
    return _items(found, "cases")


async def outreach_case(api: Api, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await api.get("referral", f"/outreach/cases/{case_id}")
    return found


async def open_case(api: Api, body: dict[str, Any], key: str) -> Any:
    return await api.post("referral", "/outreach/cases", body, idempotency_key=key)


async def case_action(api: Api, case_id: str, action: str, body: dict[str, Any], key: str) -> Any:
    """``attempts``, ``phase``, ``consent``, ``identify`` or ``handover`` of one case."""
    return await api.post("referral", f"/outreach/cases/{case_id}/{action}", body, idempotency_key=key)


async def programmes(api: Api) -> list[dict[str, Any]]:
    return _items(await api.get("referral", "/programmes"), "programmes")


async def visits(api: Api, **params: Any) -> list[dict[str, Any]]:
    return _items(await api.get("notifications", "/visits", **params), "visits")


async def start_visit(api: Api, body: dict[str, Any], key: str) -> Any:
    return await api.post("notifications", "/visits", body, idempotency_key=key)


async def end_visit(api: Api, visit_id: str, key: str) -> Any:
    return await api.post("notifications", f"/visits/{visit_id}/end", {}, idempotency_key=key)


def _items(found: Any, name: str) -> list[dict[str, Any]]:
    """A list answer, bare or wrapped (``{"meetings": [...]}``, ``{"items": [...]}``)."""
    if isinstance(found, dict):
        found = found.get(name, found.get("items", []))
    return [item for item in found or [] if isinstance(item, dict)]


def shape_of(programme: dict[str, Any]) -> str:
    """A programme's shape; one the catalogue does not say is today's timetabled course."""
    return str(programme.get("shape") or "timetabled")

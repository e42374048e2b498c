"""The pages show a course's times on its own wall clock: the alert page and the day's attendance
list take the zone the services' answers carry (a course in London, pages set to Copenhagen),
and fall back to the pages' zone where the answer has none. The services are a stand-in that
answers with their own response models."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_attendance.api.schemas import SlotOut, SlotsOut
from forlob_notifications.api.inbox import AlertDetail
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import visible_text, web_in_process
from forlob_web.settings import WebSettings

MONDAY = date(2026, 11, 23)
RAISED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 08:00 in London, 09:00 in Copenhagen
CHECKED_IN = datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
LONDON_ALERT, UNKNOWN_ZONE_ALERT = UUID(int=1), UUID(int=2)


def _alert(alert_id: UUID, zone: str | None) -> dict[str, Any]:
    return AlertDetail(
        id=alert_id,
        kind="absence",
        state="open",
        org="rca-aalborg",
        recipient_staff_id="kp-1",
        provider_org="rca-aalborg",
        referring_org="jobcenter-aalborg",
        referral_id=None,
        participant_ref=uuid4(),
        programme_code="RCA-UDV-13",
        occurred_at=RAISED,
        raised_at=RAISED,
        due_at=None,
        level=0,
        escalated_to=None,
        escalated_at=None,
        acknowledged_by=None,
        acknowledged_at=None,
        closed_at=None,
        close_reason=None,
        contact_attempts=0,
        facts={},
        deliveries=[],
        timezone=zone,
    ).model_dump(mode="json")


def _slots(zone: str | None) -> dict[str, Any]:
    slot = SlotOut(
        slot_id=uuid4(),
        participant_id=uuid4(),
        referral_id=uuid4(),
        day=MONDAY,
        window_start=time(8),
        window_end=time(14),
        expected_start=RAISED,
        expected_end=RAISED.replace(hour=14),
        state="present",
        checked_in_at=CHECKED_IN,
        checked_out_at=None,
        minutes_late=5,
        minutes_early=None,
        absence_id=None,
        resolution=None,
        reason=None,
        timezone=zone,
    )
    return SlotsOut(slots=[slot]).model_dump(mode="json")


@contextlib.asynccontextmanager
async def _services(day_zone: str | None) -> AsyncIterator[str]:
    """Notifications and attendance as far as these pages ask them; the referral service knows
    no names (the pages go on without)."""

    async def answer(request: Request) -> JSONResponse:
        path = request.url.path
        if path.endswith(f"/alerts/{LONDON_ALERT}"):
            return JSONResponse(_alert(LONDON_ALERT, "Europe/London"))
        if path.endswith(f"/alerts/{UNKNOWN_ZONE_ALERT}"):
            return JSONResponse(_alert(UNKNOWN_ZONE_ALERT, None))
        if path.endswith(f"/days/{MONDAY.isoformat()}"):
            return JSONResponse(_slots(day_zone))
        return JSONResponse({"detail": "not found"}, status_code=404)

    app = Starlette(routes=[Route("/{path:path}", answer)])
    async with serving_app(app) as url:
        yield url


def _settings(base: str) -> WebSettings:
    urls = {f"{name}_url": base for name in ("referral", "attendance", "notifications", "reporting")}
    return WebSettings(environment="test", timezone="Europe/Copenhagen", **urls)  # type: ignore[arg-type]


async def _page(base: str, path: str) -> str:
    async with web_in_process(_settings(base)) as people:
        person = await people()
        await person.sign_in("rca-aalborg", "kp-1", "contact_person")
        page = await person.get(path, headers={"Accept-Language": "en"})
        assert page.status_code == 200, page.text
        return visible_text(page.text)


async def test_the_alert_page_shows_its_times_in_the_courses_zone() -> None:
    async with _services(day_zone=None) as base:
        london = await _page(base, f"/alerts/{LONDON_ALERT}")
        unknown = await _page(base, f"/alerts/{UNKNOWN_ZONE_ALERT}")
    assert "08:00" in london
    assert "09:00" not in london
    assert "09:00" in unknown
    assert "08:00" not in unknown


async def test_the_days_attendance_shows_check_ins_in_the_courses_zone() -> None:
    async with _services(day_zone="Europe/London") as base:
        london = await _page(base, f"/attendance?day={MONDAY.isoformat()}")
    async with _services(day_zone=None) as base:
        unknown = await _page(base, f"/attendance?day={MONDAY.isoformat()}")
    assert "08:05" in london
    assert "09:05" not in london
    assert "09:05" in unknown
    assert "08:05" not in unknown

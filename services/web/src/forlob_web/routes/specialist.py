"""A specialist's home: the courses awaiting their note, those they write for, their recent
notes. The referral service's /specialist-desk decides what a specialist may see."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from forlob_web.deps import CurrentWeb, signed_in
from forlob_web.routes.parts import part

router = APIRouter(include_in_schema=False)


@router.get("/specialist")
async def specialist_home(request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "specialist")
    desk = await part(request, web.api(user).get("referral", "/specialist-desk"))
    courses = (desk.data or {}).get("courses", [])
    return web.render(
        request,
        "specialist.html",
        desk=desk,
        awaiting=[c for c in courses if c["awaiting_note"]],
        mine=[c for c in courses if c["notes_by_me"] and not c["awaiting_note"]],
        others=[c for c in courses if not c["notes_by_me"] and not c["awaiting_note"]],
        notes=(desk.data or {}).get("recent_notes", []),
    )

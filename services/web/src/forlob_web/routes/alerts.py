"""The alert inbox (live) and one alert's own page, the one e-mails link to."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from forlob_shared.logging import get_logger
from forlob_web.client import ApiError, ServiceDown
from forlob_web.deps import CurrentWeb, Lang, Words, posted, signed_in
from forlob_web.forms import AcknowledgeForm
from forlob_web.routes.contact import alert_page as contact_form_page
from forlob_web.routes.parts import act, part, participant_names

router = APIRouter(include_in_schema=False)
log = get_logger("forlob.web.pages")

INBOX_ROLES = ("contact_person", "team_leader", "workshop_lead", "coordinator", "caseworker")


@router.get("/inbox")
async def inbox(request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, *INBOX_ROLES)
    api = web.api(user)
    alerts = await part(request, api.get("notifications", "/inbox", state="open"))
    ids = {a["referral_id"] for a in alerts.data or [] if a.get("referral_id")}
    names = await participant_names(api, ids)
    return web.render(request, "inbox.html", alerts=alerts, names=names)


@router.post("/inbox/{alert_id}/acknowledge")
async def acknowledge(alert_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, AcknowledgeForm)
    call = web.api(user).post("notifications", f"/alerts/{alert_id}/acknowledge", form.body())
    _, response = await act(request, "/inbox", call, t("inbox.acknowledged"))
    return response


@router.get("/alerts/{alert_id}")
async def alert_page(alert_id: UUID, request: Request, web: CurrentWeb) -> Response:
    """One alert: what e-mails link to. Another organisation's alert (or none) is not found."""
    user = signed_in(request)
    return await contact_form_page(web, request, web.api(user), alert_id)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_on_its_page(alert_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, AcknowledgeForm)
    call = web.api(user).post("notifications", f"/alerts/{alert_id}/acknowledge", form.body())
    _, response = await act(request, f"/alerts/{alert_id}", call, t("inbox.acknowledged"))
    return response


@router.get("/inbox/stream")
async def inbox_stream(request: Request, web: CurrentWeb, lang: Lang) -> Response:
    """The notifications service's stream, passed through with this person's token, each change
    rendered as the inbox's own HTML fragment (so the page needs no template of its own)."""
    user = signed_in(request)
    api = web.api(user)
    csrf = request.session.get("csrf", "")
    fragment = web.templates.get_template("_alert.html")

    async def render(alert: dict[str, Any]) -> str:
        names = await participant_names(api, {alert["referral_id"]} if alert.get("referral_id") else set())
        html = fragment.render(**web.words(lang), csrf=csrf, alert=alert, names=names, fresh=True)
        return json.dumps({"id": alert["id"], "open": alert["state"] == "open", "html": html})

    async def events() -> AsyncIterator[str]:
        try:
            async with api.stream("notifications", "/inbox/stream") as upstream:
                if upstream.status_code == 401:
                    yield "event: signin\ndata: {}\n\n"
                    return
                if upstream.status_code != 200:
                    yield "event: down\ndata: {}\n\n"
                    return
                event, data = "message", []
                async for line in upstream.aiter_lines():
                    if line.startswith(":"):
                        yield ": ping\n\n"  # keeps proxies from closing a quiet stream
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "":
                        if event == "ready":
                            yield "event: ready\ndata: {}\n\n"
                        elif event.startswith("alert.") and data:
                            yield f"event: alert\ndata: {await render(json.loads(''.join(data)))}\n\n"
                        event, data = "message", []
        except (ServiceDown, ApiError):
            yield "event: down\ndata: {}\n\n"
        except Exception as exc:  # noqa: BLE001  (the upstream went away: the page reconnects)
            log.info("inbox.stream_ended", error=type(exc).__name__)
            yield "event: down\ndata: {}\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

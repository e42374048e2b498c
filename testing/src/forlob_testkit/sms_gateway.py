"""A local fake of GatewayAPI's REST API (docs/sms.md), for ``make up`` and the tests; not the product.

It speaks the protocol the referral service's adapter speaks: ``POST /rest/mtsms`` (token as the
Basic user, the JSON body, ``{"ids": [...], "usage": ..., "details": ...}`` back), then a delivery
status webhook (``DELIVERED``, with the ``userref``) to the status URL, and, when a person replies,
an MO SMS webhook to the inbound URL; both signed as GatewayAPI signs them: a HS256 JWT of the
payload in ``X-Gwapi-Signature``. Every message it takes is one JSON line in ``record_dir``
(``var/sms/messages.jsonl`` under ``make up``), number and text included: the fake is the phone.

A person replies from the terminal: ``uv run forlob-sms reply --to last 1`` (``--to`` the last
message, a number, or a message's userref, which is the request id). A test drives it directly:
:meth:`FakeGatewayApi.reply`, :attr:`FakeGatewayApi.messages`, :meth:`FakeGatewayApi.fail_next`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_referral.sms_gateway import SIGNATURE_HEADER, encoding_of
from forlob_testkit.asgi_server import serving_app

# What the next sends meet: the message refused (400), or taken and the answer lost (a 500 after
# recording it: the sender cannot know it went).
Fault = Literal["taken_then_500", "reject_400"]


def parts_of(text: str) -> int:
    """Parts GatewayAPI bills: 160/153 characters in GSM 7-bit, 70/67 in UCS-2."""
    single, multi = (160, 153) if encoding_of(text) == "UTF8" else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


@dataclass
class FakeGatewayApi:
    token: str
    webhook_secret: str
    inbound_url: str | None = None
    status_url: str | None = None
    record_dir: Path | None = None
    report_delivery: bool = True
    messages: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _next_id: int = 1000
    _next_mo: int = 9000
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def fail_next(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def sign(self, payload: dict[str, Any]) -> str:
        return jwt.encode(payload, self.webhook_secret, algorithm="HS256")

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            user = base64.b64decode(header[6:]).decode(errors="replace").split(":", 1)[0]
            return user == self.token
        return request.query_params.get("token") == self.token

    async def _mtsms(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"code": "0x0001", "message": "Invalid API key or token"}, status_code=401)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "reject_400":
            return JSONResponse({"code": "0x0204", "message": "Invalid recipient"}, status_code=400)
        try:
            body = await request.json()
            text, recipients = str(body["message"]), body["recipients"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"code": "0x0201", "message": "Invalid json request body"}, status_code=422)
        ids: list[int] = []
        details = []
        for recipient in recipients:
            self._next_id += 1
            parts = parts_of(text)
            record = {
                "id": self._next_id,
                "msisdn": int(recipient["msisdn"]),
                "sender": body.get("sender"),
                "message": text,
                "encoding": body.get("encoding", "UTF8"),
                "userref": body.get("userref"),
                "label": body.get("label"),
                "parts": parts,
                "at": datetime.now(UTC).isoformat(),
            }
            self._record(record)
            ids.append(self._next_id)
            details.append(
                {"id": self._next_id, "recipients": [{"country": "DK", "msisdn": record["msisdn"], "parts": parts}]}
            )
            if self.report_delivery and self.status_url:
                self._later(self._report(record))
        if fault == "taken_then_500":
            return JSONResponse({"message": "internal error", "incident_uuid": "fake"}, status_code=500)
        usage = {"countries": {"DK": len(ids)}, "currency": "DKK", "total_cost": 0.0}
        return JSONResponse({"ids": ids, "usage": usage, "details": {"messages": details}})

    def _record(self, record: dict[str, Any]) -> None:
        self.messages.append(record)
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            with (self.record_dir / "messages.jsonl").open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _later(self, job: Any) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(self, record: dict[str, Any]) -> None:
        payload = {
            "id": record["id"],
            "msisdn": record["msisdn"],
            "time": int(datetime.now(UTC).timestamp()),
            "status": "DELIVERED",
            "userref": record["userref"],
            "country_code": "DK",
        }
        with contextlib.suppress(httpx.HTTPError):
            await self._post(self.status_url, payload)

    async def _post(self, url: str | None, payload: dict[str, Any]) -> httpx.Response:
        if url is None:
            raise RuntimeError("no webhook URL is configured for the fake gateway")
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(url, json=payload, headers={SIGNATURE_HEADER: self.sign(payload)})

    def recipient(self, to: str) -> int:
        """``last`` (the last message's number), a number (``+4512345678``), or a userref."""
        if to == "last":
            if not self.messages:
                raise LookupError("no message was sent yet")
            return int(self.messages[-1]["msisdn"])
        digits = to.lstrip("+")
        if digits.isdigit():
            return int(digits)
        found = [m for m in self.messages if m.get("userref") == to]
        if not found:
            raise LookupError(f"no message with userref {to}")
        return int(found[-1]["msisdn"])

    async def reply(self, to: str, text: str, *, mo_id: int | None = None) -> httpx.Response:
        """The participant answers ``text``: a signed MO SMS webhook to the inbound URL."""
        if mo_id is None:
            self._next_mo += 1
            mo_id = self._next_mo
        payload = {
            "id": mo_id,
            "msisdn": self.recipient(to),
            "receiver": 451204,
            "message": text,
            "senttime": int(datetime.now(UTC).timestamp()),
            "webhook_label": "forlob",
            "country_code": "DK",
        }
        return await self._post(self.inbound_url, payload)

    async def _reply_route(self, request: Request) -> JSONResponse:
        body = await request.json()
        try:
            response = await self.reply(str(body["to"]), str(body["text"]))
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse({"status": response.status_code, "answer": response.json()})

    async def _list(self, request: Request) -> JSONResponse:
        return JSONResponse(self.messages)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/rest/mtsms", self._mtsms, methods=["POST"]),
                Route("/fake/messages", self._list, methods=["GET"]),
                Route("/fake/reply", self._reply_route, methods=["POST"]),
            ]
        )


@contextlib.asynccontextmanager
async def running_fake_gateway(gateway: FakeGatewayApi, port: int = 0) -> AsyncIterator[str]:
    """Serve ``gateway`` on 127.0.0.1 until the block ends; yields its base URL (the adapter's base URL)."""
    async with serving_app(gateway.app(), port=port, lifespan="off") as url:
        try:
            yield url
        finally:
            for task in list(gateway._tasks):
                task.cancel()


@dataclass
class RunningGateway:
    """The fake gateway on a port, as a test's fixture: its ``url`` is referral's GatewayAPI base URL."""

    fake: FakeGatewayApi
    url: str

    def referral_env(self) -> dict[str, str]:
        """The environment that points a referral process at this gateway (docs/sms.md, settings)."""
        return {
            "FORLOB_REFERRAL_SMS_GATEWAY_URL": self.url,
            "FORLOB_REFERRAL_SMS_GATEWAY_TOKEN": self.fake.token,
            "FORLOB_REFERRAL_SMS_WEBHOOK_SECRET": self.fake.webhook_secret,
        }

    def webhooks_to(self, referral_url: str) -> None:
        """Post delivery statuses and replies to the referral service at ``referral_url``."""
        self.fake.inbound_url = f"{referral_url}/sms/gatewayapi/inbound"
        self.fake.status_url = f"{referral_url}/sms/gatewayapi/status"


@pytest.fixture
async def sms_gateway() -> AsyncIterator[RunningGateway]:
    """A fake GatewayAPI on a free port; call ``webhooks_to(referral URL)`` once referral runs."""
    fake = FakeGatewayApi(token="flow-gateway-token", webhook_secret="flow-webhook-secret-of-32-bytes-or-more")
    async with running_fake_gateway(fake) as url:
        yield RunningGateway(fake, url)

"""One access log line per request and the RED metrics, by route template: no path value, no
query string, a request id handed back."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from prometheus_client import REGISTRY

from forlob_shared.errors import Conflict
from forlob_shared.http.access import AccessLog
from forlob_shared.http.problems import install_problem_handlers
from forlob_shared.logging import configure_logging, flush_logs

CPR = "2110625629"


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    flush_logs()
    structlog.configure(**config)
    root.handlers[:], root.level = handlers, level


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/people/{who}/notes")
    async def notes(who: str) -> dict[str, str]:
        return {"who": "someone"}

    @app.post("/people/{who}/start")
    async def start(who: str) -> dict[str, str]:
        raise Conflict("already started")

    @app.post("/people/{who}/crash")
    async def crash(who: str) -> dict[str, str]:
        raise RuntimeError("a bug")

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(AccessLog)
    return app


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_each_request_is_counted_timed_and_logged_once_by_its_route_template() -> None:
    stream = io.StringIO()
    configure_logging("test", "INFO", json=True, stream=stream)
    route = "/people/{who}/notes"
    before = {
        "ok": _count("forlob_http_requests_total", method="GET", route=route, status_class="2xx"),
        "conflict": _count(
            "forlob_http_requests_total", method="POST", route="/people/{who}/start", status_class="4xx"
        ),
        "crash": _count("forlob_http_request_errors_total", method="POST", route="/people/{who}/crash"),
        "unmatched": _count("forlob_http_requests_total", method="GET", route="unmatched", status_class="4xx"),
        "timed": _count("forlob_http_request_duration_seconds_count", method="GET", route=route, status_class="2xx"),
    }
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ok = await client.get(f"/people/{CPR}/notes", params={"name": "Jens Hansen"}, headers={"x-request-id": "abc-1"})
        assert ok.status_code == 200
        assert ok.headers["x-request-id"] == "abc-1"
        refused = await client.post(f"/people/{CPR}/start")
        assert refused.status_code == 409
        assert len(refused.headers["x-request-id"]) == 32  # none offered: a new one
        assert (await client.post(f"/people/{CPR}/crash")).status_code == 500
        assert (await client.get(f"/nothing/{CPR}")).status_code == 404
        bad_id = await client.get(f"/people/{CPR}/notes", headers={"x-request-id": "a b;" * 30})
        assert bad_id.headers["x-request-id"] != "a b;" * 30
        assert (await client.get("/health/live")).status_code == 200

    assert _count("forlob_http_requests_total", method="GET", route=route, status_class="2xx") == before["ok"] + 2
    assert (
        _count("forlob_http_requests_total", method="POST", route="/people/{who}/start", status_class="4xx")
        == before["conflict"] + 1
    )
    assert _count("forlob_http_request_errors_total", method="POST", route="/people/{who}/crash") == before["crash"] + 1
    assert (
        _count("forlob_http_requests_total", method="GET", route="unmatched", status_class="4xx")
        == before["unmatched"] + 1
    )
    assert (
        _count("forlob_http_request_duration_seconds_count", method="GET", route=route, status_class="2xx")
        == before["timed"] + 2
    )

    assert flush_logs()
    text = stream.getvalue()
    assert CPR not in text
    assert "Jens" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["event"] == "http.request"]
    assert [(a["method"], a["route"], a["status"]) for a in access] == [
        ("GET", route, 200),
        ("POST", "/people/{who}/start", 409),
        ("POST", "/people/{who}/crash", 500),
        ("GET", "unmatched", 404),
        ("GET", route, 200),
    ]  # and not the probe
    first: dict[str, Any] = access[0]
    assert first["request_id"] == "abc-1"
    assert isinstance(first["duration_ms"], float)
    assert len(first["trace_id"]) == 32
    assert access[2]["level"] == "warning"
    assert "query" not in json.dumps(access)

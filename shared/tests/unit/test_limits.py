"""Request limits: 413 for oversized bodies (declared or streamed), 422 for deep JSON."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI

from forlob_shared.http.limits import RequestLimits, json_depth_exceeds
from forlob_shared.http.problems import install_problem_handlers


@pytest.fixture
def client() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestLimits, max_body_bytes=2048, max_json_depth=8)
    seen: list[object] = []

    @app.post("/echo")
    async def echo(body: dict[str, object]) -> dict[str, object]:
        seen.append(body)
        return body

    app.state.seen = seen
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_normal_body_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo", json={"a": [1, {"b": "]]]]]]]]]]"}]})
    assert response.status_code == 200
    assert response.json() == {"a": [1, {"b": "]]]]]]]]]]"}]}


async def test_an_oversized_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo", json={"blob": "x" * 5000})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


async def test_a_streamed_body_without_length_is_cut_off(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_deep_json_is_refused_with_422_before_parsing(client: httpx.AsyncClient) -> None:
    deep = "[" * 50 + "]" * 50
    response = await client.post("/echo", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "nested deeper" in response.json()["detail"]


def test_depth_scan_skips_brackets_inside_strings() -> None:
    assert not json_depth_exceeds(json.dumps({"s": "[[[[[[[[[[[[[[", "t": '"[[[\\'}).encode(), 3)
    assert json_depth_exceeds(b'{"a":{"b":{"c":{}}}}', 3)
    assert not json_depth_exceeds(b'{"a":{"b":{"c":1}}}', 3)

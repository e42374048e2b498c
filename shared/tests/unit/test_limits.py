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


@pytest.mark.parametrize("content_type", [None, "Application/JSON", "APPLICATION/JSON; charset=utf-8", "text/plain"])
async def test_deep_json_is_refused_whatever_the_content_type_says(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    """The framework reads a body as JSON without a Content-Type and with any casing of it: the
    guard looks at the body, not at the header."""
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/echo", content="[" * 50 + "]" * 50, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
async def test_deep_json_in_another_encoding_json_reads_is_refused(client: httpx.AsyncClient, encoding: str) -> None:
    deep = ('{"a": "\u227b\u5c22", "b": ' + "[" * 50 + "]" * 50 + "}").encode(encoding)
    assert json.loads(deep)  # what the framework would parse
    response = await client.post("/echo", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "nested deeper" in response.json()["detail"]


async def test_a_body_that_cannot_be_json_is_not_scanned(client: httpx.AsyncClient) -> None:
    # A form or a text whose brackets are words, not structure, is left to the route.
    response = await client.post("/echo", content="note=" + "[" * 50, headers={"content-type": "text/plain"})
    assert response.status_code == 422
    assert "nested deeper" not in response.text


def test_depth_scan_skips_brackets_inside_strings() -> None:
    assert not json_depth_exceeds(json.dumps({"s": "[[[[[[[[[[[[[[", "t": '"[[[\\'}).encode(), 3)
    assert json_depth_exceeds(b'{"a":{"b":{"c":{}}}}', 3)
    assert not json_depth_exceeds(b'{"a":{"b":{"c":1}}}', 3)

"""A request body read whole by a pure ASGI middleware, then handed on to the app unchanged
(the request limits and the text guard both look at it before the framework parses it)."""

from __future__ import annotations

from starlette.types import Message, Receive


class BodyTooLarge(Exception):
    """More than the limit arrived (whatever Content-Length said)."""


async def read_body(receive: Receive, max_bytes: int | None = None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise BodyTooLarge(size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then what the client sends next
    (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

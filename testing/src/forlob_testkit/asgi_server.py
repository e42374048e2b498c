"""An ASGI app served by uvicorn on this event loop, on a port nobody else can take.

The tests' stand-in services, webhook receivers and the web under a real browser all need a real
port. Choosing a free port and letting the server bind it later leaves a window in which a test
running in parallel takes it: the server then fails to start (or, worse, the test talks to the
other process). Here the socket is bound first and handed to uvicorn, so the port is ours from
the moment it is known; a server that cannot start says why at once instead of being waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import uvicorn

from forlob_testkit.wait import eventually


def bound_socket(port: int = 0) -> socket.socket:
    """A TCP socket bound to 127.0.0.1 (``port`` 0: one the kernel picks), not yet listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.asynccontextmanager
async def serving_app(
    app: Any = None,
    *,
    app_for_port: Callable[[int], Any] | None = None,
    port: int = 0,
    lifespan: Literal["auto", "on", "off"] = "auto",
    graceful_seconds: int = 1,
) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields its base URL. ``app_for_port`` makes
    the app once the port is known, for an app that must know its own address."""
    sock = bound_socket(port)
    port = sock.getsockname()[1]
    if app_for_port is not None:
        app = app_for_port(port)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=graceful_seconds,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def up() -> bool:
        return bool(server.started or task.done())

    try:
        await eventually(up, what="the server to listen")
        if task.done():
            task.result()  # why it could not serve
            raise RuntimeError(f"the server on port {port} stopped before it started")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        # An open event stream would hold the shutdown: the graceful timeout cuts it short.
        await asyncio.wait({task}, timeout=10)
        sock.close()

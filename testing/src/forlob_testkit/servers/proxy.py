"""A TCP proxy that cuts the network in front of a server, for fault tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from types import TracebackType
from typing import Literal, Self

from forlob_testkit.servers.ports import LOOPBACK

CutMode = Literal["reset", "blackhole"]


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST, as a dropped route or dead peer looks to the other side."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """An asyncio TCP proxy in front of a server, which can cut the network on demand.

    Point the client at ``127.0.0.1:proxy.port`` instead of the server. ``cut()`` then acts out a
    fault without touching the server process:

    * ``"reset"`` (default): every open connection is reset (RST) on both sides, and new
      connections are accepted and reset at once, until ``restore()``. Clients see their
      connections drop and reconnects fail, as when the server's host goes away.
    * ``"blackhole"``: no byte moves in either direction and new connections hang after the TCP
      handshake, until ``restore()``, when everything resumes where it stopped. Clients see a
      partition: only their timeouts and heartbeats notice.

    Must be started, used and stopped on one event loop.
    """

    def __init__(self, target_port: int, target_host: str = LOOPBACK, port: int = 0) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self._listen_port = port
        self._server: asyncio.Server | None = None
        self._mode: CutMode | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port clients connect to (chosen by the kernel unless given)."""
        if self._server is None:
            raise RuntimeError("FaultProxy is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def is_cut(self) -> bool:
        return self._mode is not None

    @property
    def open_connections(self) -> int:
        """Client connections currently held by the proxy."""
        return len(self._tasks)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, LOOPBACK, self._listen_port)

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        await self._drop_all()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def cut(self, mode: CutMode = "reset") -> None:
        """Cut the network: see the class docstring for the two modes."""
        self._mode = mode
        self._flowing.clear()
        if mode == "reset":
            await self._drop_all()

    async def restore(self) -> None:
        """Let connections through again (and resume black-holed ones)."""
        self._mode = None
        self._flowing.set()

    async def _drop_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._mode == "reset":
            _reset(client_w)
            return
        task = asyncio.current_task()
        assert task is not None  # start_server runs every handler in a task of its own
        self._tasks.add(task)
        self._writers.add(client_w)
        upstream_w: asyncio.StreamWriter | None = None
        try:
            # Black-holed: the client's connect has succeeded, but nothing answers.
            await self._flowing.wait()
            try:
                upstream_r, upstream_w = await asyncio.open_connection(self.target_host, self.target_port)
            except OSError:
                _reset(client_w)  # the server is down: the client sees its connection refused
                return
            self._writers.add(upstream_w)
            await asyncio.gather(self._pump(client_r, upstream_w), self._pump(upstream_r, client_w))
        finally:
            self._tasks.discard(task)
            for writer in (client_w, upstream_w):
                if writer is not None:
                    self._writers.discard(writer)
                    writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await self._flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                # Cut while we were reading: hold these bytes until restore().
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
            # Pass the half-close on, so the far side sees EOF exactly as it would directly.
            if writer.can_write_eof():
                writer.write_eof()
        except OSError:
            # One side went away: end the other side too, as a direct connection would end.
            _reset(writer)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

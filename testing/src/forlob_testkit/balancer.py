"""A TCP load balancer in front of a service's replicas, as an ingress or a Kubernetes Service
is: each new connection goes to the next replica in rotation; a replica taken out of rotation
(``drain``) gets no new connection while those it has finish; a replica that refuses a
connection is skipped for that connection. The rolling-upgrade test replaces replicas behind one.

Must be started, used and stopped on one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools

LOOPBACK = "127.0.0.1"


class Balancer:
    def __init__(self, ports: list[int]) -> None:
        self.rotation: list[int] = list(ports)
        self._turn = itertools.count()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.refused = 0  # connections a replica refused (retried on the next)
        self.unserved = 0  # connections no replica took

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("Balancer is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def drain(self, port: int) -> None:
        """No new connection to ``port``; its open ones go on until either side closes them."""
        self.rotation.remove(port)

    def add(self, port: int) -> None:
        if port not in self.rotation:
            self.rotation.append(port)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, LOOPBACK, 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for _ in range(len(self.rotation)):
            if not self.rotation:
                break
            port = self.rotation[next(self._turn) % len(self.rotation)]
            try:
                return await asyncio.open_connection(LOOPBACK, port)
            except OSError:
                self.refused += 1
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            upstream = await self._connect()
            if upstream is None:
                self.unserved += 1
                return
            up_reader, up_writer = upstream
            try:
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            finally:
                up_writer.close()
        except asyncio.CancelledError:
            pass  # stopped: the connection closes with it (asyncio would log a cancelled handler)
        finally:
            writer.close()
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        if writer.can_write_eof():
            writer.write_eof()

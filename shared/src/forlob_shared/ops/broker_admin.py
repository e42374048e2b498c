"""User, permission and queue administration on RabbitMQ.

Two ways in: the management HTTP API (``FORLOB_RABBITMQ_MANAGEMENT_URL``, e.g. on Kubernetes
with the cluster operator), or ``rabbitmqctl`` on a broker host (a local install, as in
``make up``). Both do the same things; the partner and dead-letter tools don't care which.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

import httpx


@dataclass(frozen=True)
class QueueInfo:
    name: str
    messages: int
    consumers: int
    type: str


class BrokerAdmin(Protocol):
    async def list_queues(self) -> list[QueueInfo]: ...

    async def add_user(self, name: str, password: str) -> None: ...

    async def delete_user(self, name: str) -> None: ...

    async def set_permissions(self, user: str, configure: str, write: str, read: str) -> None: ...


def vhost_of(broker_url: str) -> str:
    path = urlsplit(broker_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class BrokerAdminError(RuntimeError):
    pass


class RabbitmqctlAdmin:
    """``rabbitmqctl`` on this host (``FORLOB_RABBITMQCTL_NODE`` picks another node)."""

    def __init__(self, vhost: str = "/", node: str | None = None, env: dict[str, str] | None = None) -> None:
        self.vhost = vhost
        self.node = node or os.environ.get("FORLOB_RABBITMQCTL_NODE")
        self.env = env

    async def _run(self, *args: str) -> str:
        argv = ["rabbitmqctl", "-q", *(("-n", self.node) if self.node else ()), *args]
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=self.env
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise BrokerAdminError(f"rabbitmqctl {args[0]} failed: {(err or out).decode().strip()[:500]}")
        return out.decode()

    async def list_queues(self) -> list[QueueInfo]:
        out = await self._run(
            "list_queues", "-p", self.vhost, "name", "messages", "consumers", "type", "--formatter", "json"
        )
        return [
            QueueInfo(q["name"], int(q.get("messages") or 0), int(q.get("consumers") or 0), str(q.get("type", "")))
            for q in json.loads(out or "[]")
        ]

    async def add_user(self, name: str, password: str) -> None:
        # The password goes through stdin, never the command line (which `ps` shows).
        argv = ["rabbitmqctl", "-q", *(("-n", self.node) if self.node else ()), "add_user", name]
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
        )
        out, err = await process.communicate(password.encode() + b"\n")
        if process.returncode != 0:
            raise BrokerAdminError(f"rabbitmqctl add_user failed: {(err or out).decode().strip()[:500]}")

    async def delete_user(self, name: str) -> None:
        await self._run("delete_user", name)

    async def set_permissions(self, user: str, configure: str, write: str, read: str) -> None:
        await self._run("set_permissions", "-p", self.vhost, user, configure, write, read)


class ManagementApiAdmin:
    """The management plugin's HTTP API (credentials in the URL: http://user:pw@host:15672/)."""

    def __init__(self, management_url: str, vhost: str = "/") -> None:
        parts = urlsplit(management_url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{parts.path.rstrip('/')}/api"
        self.auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        self.vhost = vhost

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(auth=self.auth, timeout=10) as client:
            response = await client.request(method, self.base + path, json=body)
        if response.status_code >= 400:
            raise BrokerAdminError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    async def list_queues(self) -> list[QueueInfo]:
        queues = await self._request("GET", f"/queues/{quote(self.vhost, safe='')}")
        return [
            QueueInfo(q["name"], int(q.get("messages") or 0), int(q.get("consumers") or 0), str(q.get("type", "")))
            for q in queues
        ]

    async def add_user(self, name: str, password: str) -> None:
        await self._request("PUT", f"/users/{quote(name, safe='')}", {"password": password, "tags": ""})

    async def delete_user(self, name: str) -> None:
        await self._request("DELETE", f"/users/{quote(name, safe='')}")

    async def set_permissions(self, user: str, configure: str, write: str, read: str) -> None:
        await self._request(
            "PUT",
            f"/permissions/{quote(self.vhost, safe='')}/{quote(user, safe='')}",
            {"configure": configure, "write": write, "read": read},
        )


def broker_admin(broker_url: str, management_url: str | None = None) -> BrokerAdmin:
    """The management API when a URL is configured, else rabbitmqctl on this host."""
    management_url = management_url or os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL")
    vhost = vhost_of(broker_url)
    if management_url:
        return ManagementApiAdmin(management_url, vhost)
    return RabbitmqctlAdmin(vhost)

"""User, permission, vhost, shovel and queue administration on RabbitMQ.

Two ways in: the management HTTP API (``FORLOB_RABBITMQ_MANAGEMENT_URL``, e.g. on Kubernetes
with the cluster operator), or ``rabbitmqctl`` on a broker host (a local install, as in
``make up``). Both do the same things; the partner and dead-letter tools don't care which.
Permissions apply to the admin's own vhost (the broker URL's) unless another is named.
Shovels are runtime parameters of the ``shovel`` component: both ways set them as parameters, so
the management API needs only the shovel plugin, not rabbitmq_shovel_management.
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
    # The user the broker sees making the changes (None: rabbitmqctl, which the broker trusts);
    # RabbitMQ lets it set a shovel only between vhosts it may open itself.
    @property
    def acting_user(self) -> str | None: ...

    async def list_queues(self) -> list[QueueInfo]: ...

    async def user_exists(self, name: str) -> bool: ...

    async def add_user(self, name: str, password: str) -> None: ...

    async def delete_user(self, name: str) -> None: ...

    async def set_permissions(
        self, user: str, configure: str, write: str, read: str, vhost: str | None = None
    ) -> None: ...

    async def clear_permissions(self, user: str, vhost: str | None = None) -> None: ...

    async def delete_vhost(self, name: str) -> None: ...

    async def set_shovel(self, vhost: str, name: str, definition: dict[str, Any]) -> None: ...

    async def import_definitions(self, definitions: dict[str, Any]) -> None: ...


def vhost_of(broker_url: str) -> str:
    path = urlsplit(broker_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class BrokerAdminError(RuntimeError):
    """A broker administration step failed; the message is one line, fit for an operator."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _one_line(text: str, limit: int = 300) -> str:
    """rabbitmqctl and the HTTP API answer in several lines; an operator reads one."""
    return " ".join(text.split())[:limit]


class RabbitmqctlAdmin:
    """``rabbitmqctl`` on this host (``FORLOB_RABBITMQCTL_NODE`` picks another node)."""

    def __init__(
        self,
        vhost: str = "/",
        node: str | None = None,
        env: dict[str, str] | None = None,
        executable: str = "rabbitmqctl",
    ) -> None:
        self.vhost = vhost
        self.node = node or os.environ.get("FORLOB_RABBITMQCTL_NODE")
        self.env = env
        self.executable = executable

    @property
    def acting_user(self) -> str | None:
        return None

    async def _run(self, *args: str, stdin: bytes | None = None) -> str:
        argv = [self.executable, "-q", *(("-n", self.node) if self.node else ()), *args]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.env,
            )
        except FileNotFoundError:
            raise BrokerAdminError(
                "rabbitmqctl is not installed here: set FORLOB_RABBITMQ_MANAGEMENT_URL to use the management API"
            ) from None
        out, err = await process.communicate(stdin)
        if process.returncode != 0:
            text = _one_line((err or out).decode())
            # As the API's 404, so callers tell "not there" from a failure the same way for both.
            missing = 404 if "does not exist" in text else None
            raise BrokerAdminError(f"rabbitmqctl {args[0]} failed: {text}", status=missing)
        return out.decode()

    async def list_queues(self) -> list[QueueInfo]:
        out = await self._run(
            "list_queues", "-p", self.vhost, "name", "messages", "consumers", "type", "--formatter", "json"
        )
        return [
            QueueInfo(q["name"], int(q.get("messages") or 0), int(q.get("consumers") or 0), str(q.get("type", "")))
            for q in json.loads(out or "[]")
        ]

    async def user_exists(self, name: str) -> bool:
        out = await self._run("list_users", "--formatter", "json")
        return any(user.get("user") == name for user in json.loads(out or "[]"))

    async def add_user(self, name: str, password: str) -> None:
        # The password goes through stdin, never the command line (which `ps` shows).
        await self._run("add_user", name, stdin=password.encode() + b"\n")

    async def delete_user(self, name: str) -> None:
        await self._run("delete_user", name)

    async def set_permissions(self, user: str, configure: str, write: str, read: str, vhost: str | None = None) -> None:
        await self._run("set_permissions", "-p", vhost or self.vhost, user, configure, write, read)

    async def clear_permissions(self, user: str, vhost: str | None = None) -> None:
        await self._run("clear_permissions", "-p", vhost or self.vhost, user)

    async def delete_vhost(self, name: str) -> None:
        await self._run("delete_vhost", name)

    async def set_shovel(self, vhost: str, name: str, definition: dict[str, Any]) -> None:
        await self._run("set_parameter", "-p", vhost, "shovel", name, json.dumps(definition))

    async def import_definitions(self, definitions: dict[str, Any]) -> None:
        # Through stdin (no path: RabbitMQ 3.10 reads no "-"): the definitions carry password hashes,
        # which no file or `ps` should show.
        await self._run("import_definitions", "--format", "json", stdin=json.dumps(definitions).encode())


class ManagementApiAdmin:
    """The management plugin's HTTP API (credentials in the URL: http://user:pw@host:15672/)."""

    def __init__(self, management_url: str, vhost: str = "/") -> None:
        parts = urlsplit(management_url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{parts.path.rstrip('/')}/api"
        self.auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        self.vhost = vhost

    @property
    def acting_user(self) -> str | None:
        return self.auth[0]

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with httpx.AsyncClient(auth=self.auth, timeout=10) as client:
                response = await client.request(method, self.base + path, json=body)
        except httpx.HTTPError as error:
            # The URL holds the credentials: name the host only.
            name = type(error).__name__
            raise BrokerAdminError(f"the management API at {self.base} does not answer ({name})") from None
        if response.status_code >= 400:
            raise BrokerAdminError(
                f"{method} {path}: {response.status_code} {_one_line(response.text)}", status=response.status_code
            )
        return response.json() if response.content else None

    async def list_queues(self) -> list[QueueInfo]:
        queues = await self._request("GET", f"/queues/{quote(self.vhost, safe='')}")
        return [
            QueueInfo(q["name"], int(q.get("messages") or 0), int(q.get("consumers") or 0), str(q.get("type", "")))
            for q in queues
        ]

    async def user_exists(self, name: str) -> bool:
        try:
            await self._request("GET", f"/users/{quote(name, safe='')}")
        except BrokerAdminError as error:
            if error.status == 404:
                return False
            raise
        return True

    async def add_user(self, name: str, password: str) -> None:
        await self._request("PUT", f"/users/{quote(name, safe='')}", {"password": password, "tags": ""})

    async def delete_user(self, name: str) -> None:
        await self._request("DELETE", f"/users/{quote(name, safe='')}")

    async def set_permissions(self, user: str, configure: str, write: str, read: str, vhost: str | None = None) -> None:
        await self._request(
            "PUT",
            f"/permissions/{quote(vhost or self.vhost, safe='')}/{quote(user, safe='')}",
            {"configure": configure, "write": write, "read": read},
        )

    async def clear_permissions(self, user: str, vhost: str | None = None) -> None:
        try:
            await self._request("DELETE", f"/permissions/{quote(vhost or self.vhost, safe='')}/{quote(user, safe='')}")
        except BrokerAdminError as error:
            if error.status != 404:  # none to clear: as rabbitmqctl, no error
                raise

    async def delete_vhost(self, name: str) -> None:
        await self._request("DELETE", f"/vhosts/{quote(name, safe='')}")

    async def set_shovel(self, vhost: str, name: str, definition: dict[str, Any]) -> None:
        path = f"/parameters/shovel/{quote(vhost, safe='')}/{quote(name, safe='')}"
        await self._request("PUT", path, {"value": definition})

    async def import_definitions(self, definitions: dict[str, Any]) -> None:
        await self._request("POST", "/definitions", definitions)


def broker_admin(broker_url: str, management_url: str | None = None) -> BrokerAdmin:
    """The management API when a URL is configured, else rabbitmqctl on this host."""
    management_url = management_url or os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL")
    vhost = vhost_of(broker_url)
    if management_url:
        return ManagementApiAdmin(management_url, vhost)
    return RabbitmqctlAdmin(vhost)

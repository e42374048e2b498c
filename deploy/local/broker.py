"""`make up`'s broker: the vhost `forlob` with one least-privilege user per service, as deployed.

deploy/rabbitmq/definitions.json is the source. Its vhost, users, permissions, policies, exchanges
and binding are imported into the local broker, so that under `make up` every service connects
with its own user and the rights deploy/ gives it are the rights exercised here. Two differences:

- Each user gets a fresh random password at every `make up`, never the development passwords of
  the file (a local broker may listen beyond loopback). The URLs are written to
  var/broker/<user>.url (readable by the owner only), where deploy/local/Procfile and
  `make demo` read them.
- The file's `admin` user is not created: the local administrator is `guest`, which RabbitMQ lets
  in over loopback only. It gets every right on the vhost, for the steps an administrator takes
  (this import, `forlob partners add`); no process of `make up` connects as guest.

Uses `rabbitmqctl` on this host (as `make up` starts the broker with it), else the management API:
FORLOB_RABBITMQ_MANAGEMENT_URL, or port 15672 where a broker started in Docker publishes it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from forlob_shared.ops.broker_admin import BrokerAdmin, BrokerAdminError, broker_admin

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
URLS = ROOT / "var" / "broker"
VHOST = "forlob"
LOCAL_ADMIN = "guest"
DEPLOYED_ADMIN = "admin"  # not created locally: guest takes its place
SERVICES = ("referral", "attendance", "notifications", "reporting")


def _passwords_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("forlob_rabbitmq_passwords", ROOT / "deploy/rabbitmq/passwords.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def local_definitions(definitions: dict[str, Any], passwords: dict[str, str]) -> dict[str, Any]:
    """The deployed definitions for this machine: no `admin` user, every other user with the
    password given here, and the local administrator's rights on the vhost."""
    local = json.loads(json.dumps(definitions))
    local["users"] = [user for user in local["users"] if user["name"] != DEPLOYED_ADMIN]
    local["permissions"] = [p for p in local["permissions"] if p["user"] != DEPLOYED_ADMIN]
    local["permissions"].append({"user": LOCAL_ADMIN, "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"})
    rendered: dict[str, Any] = _passwords_module().render(local, passwords)
    return rendered


def url(user: str, password: str, host: str, port: int) -> str:
    return f"amqp://{user}:{password}@{host}:{port}/{VHOST}"


async def prepare(admin: BrokerAdmin, host: str, port: int, urls_dir: Path = URLS) -> dict[str, str]:
    """Import the users and rights; write each user's URL. Returns user -> URL."""
    urls = await import_users(admin, host, port)
    write_urls(urls, urls_dir)
    return urls


async def import_users(admin: BrokerAdmin, host: str, port: int) -> dict[str, str]:
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    users = [user["name"] for user in definitions["users"] if user["name"] != DEPLOYED_ADMIN]
    # URL-safe (they go into URLs as they are), and new each time: nothing to keep or leak.
    passwords = {user: secrets.token_hex(24) for user in users}
    await admin.import_definitions(local_definitions(definitions, passwords))
    urls = {user: url(user, passwords[user], host, port) for user in users}
    urls[LOCAL_ADMIN] = url(LOCAL_ADMIN, LOCAL_ADMIN, host, port)
    return urls


def write_urls(urls: dict[str, str], urls_dir: Path) -> None:
    urls_dir.mkdir(parents=True, exist_ok=True)
    urls_dir.chmod(0o700)
    for user, address in urls.items():
        target = urls_dir / f"{user}.url"
        target.touch(mode=0o600)
        target.chmod(0o600)
        target.write_text(address + "\n")


def main() -> int:
    host = os.environ.get("FORLOB_LOCAL_BROKER_HOST", "127.0.0.1")
    port = int(os.environ.get("FORLOB_LOCAL_BROKER_PORT", "5672"))
    admin = broker_admin(url(LOCAL_ADMIN, LOCAL_ADMIN, host, port), management_url(host))
    try:
        urls = asyncio.run(prepare(admin, host, port))
    except (BrokerAdminError, OSError) as error:
        print(f"broker: the services' users could not be made: {error}", file=sys.stderr)
        return 1
    print(summary(urls))
    return 0


def management_url(host: str) -> str | None:
    """Where the broker is administered: rabbitmqctl on this host when it is installed, else the
    management API that deploy/local/compose.servers.yml publishes (a broker started in Docker)."""
    configured = os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL")
    if configured or shutil.which("rabbitmqctl"):
        return configured
    return f"http://{LOCAL_ADMIN}:{LOCAL_ADMIN}@{host}:15672"


def summary(urls: dict[str, str]) -> str:
    users = ", ".join(user for user in urls if user != LOCAL_ADMIN)
    return f"broker: vhost {VHOST!r}, one user per service as in deploy/ ({users}); URLs in var/broker/"


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Make sure PostgreSQL and RabbitMQ answer where Forløb looks for them (`make up`, CI).

For each of the two servers, in this order of preference:

1. it answers: nothing to do;
2. it is configured on another host (``FORLOB_BROKER_URL``, ``FORLOB_<SERVICE>_DATABASE_URL``):
   nothing is installed or started here; wait a little for it, else say so;
3. it is installed here but stopped: start it;
4. it is installed nowhere here and a Docker engine answers: start it from docker-compose.yml
   (with deploy/local/compose.servers.yml: ports on 127.0.0.1, the logins of a local install);
5. Debian or Ubuntu, as root or with sudo: install the distribution's package and start it;
6. anywhere else: stop with one paragraph naming what to install and the two variables that
   point Forløb at servers elsewhere.

Each step says what it does before doing it. Standard library only: CI runs it on a clean clone
before `uv sync`. Every look at the machine and every command goes through :class:`Machine`, so
tests (tests/deploy/test_local_servers.py) record the commands each case would run, rather than
run them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("referral", "attendance", "notifications", "reporting")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", ""})
COMPOSE_PROJECT = "forlob-local"  # its own volumes: never the full `docker compose up` stack's
COMPOSE_FILES = ("docker-compose.yml", "deploy/local/compose.servers.yml")
SHOVEL_PLUGIN = "rabbitmq_shovel"


class Machine(Protocol):
    """What the decision looks at, and the one way it changes anything (``run``)."""

    def answers(self, host: str, port: int) -> bool: ...
    def which(self, program: str) -> bool: ...
    def exists(self, path: str) -> bool: ...
    def listdir(self, path: str) -> list[str]: ...
    def is_root(self) -> bool: ...
    def os_ids(self) -> set[str]: ...  # ID and ID_LIKE of /etc/os-release
    def probe(self, argv: Sequence[str]) -> bool: ...  # a quiet check: exit status 0?
    def run(self, argv: Sequence[str], *, check: bool = True) -> int: ...
    def say(self, text: str, *, error: bool = False) -> None: ...
    def wait(self, host: str, port: int, seconds: float) -> bool: ...


class Failed(Exception):
    """A step failed: the message says which and what to do."""


@dataclass(frozen=True)
class Server:
    name: str
    host: str
    port: int
    package: str  # the Debian/Ubuntu package
    compose_service: str
    start_seconds: int

    @property
    def local(self) -> bool:
        return self.host in LOCAL_HOSTS

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _endpoint(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def servers(env: Mapping[str, str]) -> list[Server]:
    """The servers the four services will use, as the services read their settings
    (FORLOB_LOCAL_{PG,BROKER}_{HOST,PORT} move the local defaults, as deploy/local/broker.py reads them)."""
    local_pg = f"{env.get('FORLOB_LOCAL_PG_HOST', '127.0.0.1')}:{env.get('FORLOB_LOCAL_PG_PORT', '5432')}"
    found: dict[tuple[str, int], Server] = {}
    for service in SERVICES:
        url = (
            env.get(f"FORLOB_{service.upper()}_DATABASE_URL")
            or env.get("FORLOB_DATABASE_URL")
            or f"postgresql://postgres@{local_pg}/forlob_{service}"
        )
        host, port = _endpoint(url, 5432)
        found.setdefault((host, port), Server("PostgreSQL", host, port, "postgresql", "postgres", 60))
    local_broker = f"{env.get('FORLOB_LOCAL_BROKER_HOST', '127.0.0.1')}:{env.get('FORLOB_LOCAL_BROKER_PORT', '5672')}"
    host, port = _endpoint(env.get("FORLOB_BROKER_URL") or f"amqp://guest:guest@{local_broker}/", 5672)
    return [*found.values(), Server("RabbitMQ", host, port, "rabbitmq-server", "rabbitmq", 120)]


def _pg_version(m: Machine) -> str | None:
    versions = [v for v in m.listdir("/etc/postgresql") if v.replace(".", "").isdigit()]
    return max(versions, key=lambda v: [int(p) for p in v.split(".")]) if versions else None


def installed(m: Machine, server: Server) -> bool:
    if server.package == "postgresql":
        return m.which("pg_ctlcluster") and _pg_version(m) is not None
    return m.which("rabbitmq-server")


def start(m: Machine, server: Server, sudo: Sequence[str] = ()) -> None:
    if server.package == "postgresql":
        version = _pg_version(m)
        m.say(f"servers: starting PostgreSQL {version} (pg_ctlcluster {version} main start)")
        # Already running (a package that started it) is fine: the port check below decides.
        m.run([*sudo, "pg_ctlcluster", "--skip-systemctl-redirect", str(version), "main", "start"], check=False)
    else:
        m.say("servers: starting RabbitMQ (rabbitmq-server -detached)")
        m.run([*sudo, "rabbitmq-server", "-detached"], check=False)


def compose(m: Machine) -> list[str] | None:
    """The compose CLI, where a Docker engine answers; None otherwise."""
    if not m.which("docker") or not m.probe(["docker", "info"]):
        return None
    if m.probe(["docker", "compose", "version"]):
        command = ["docker", "compose"]
    elif m.which("docker-compose") and m.probe(["docker-compose", "version"]):
        command = ["docker-compose"]
    else:
        return None
    files = [arg for f in COMPOSE_FILES for arg in ("-f", str(ROOT / f))]
    return [*command, "-p", COMPOSE_PROJECT, *files]


def start_with_docker(m: Machine, command: list[str], missing: Sequence[Server]) -> None:
    names = " and ".join(s.name for s in missing)
    services = [s.compose_service for s in missing]
    m.say(
        f"servers: {names} not installed here, but a Docker engine answers: starting "
        f"{' and '.join(services)} from docker-compose.yml (compose project {COMPOSE_PROJECT}, "
        "ports on 127.0.0.1; `make reset` empties them, "
        f"`{shlex.join(['docker', 'compose', '-p', COMPOSE_PROJECT, 'down'])}` removes them)"
    )
    m.run([*command, "up", "--detach", "--wait", *services])


def sudo_prefix(m: Machine) -> list[str] | None:
    """[] as root, ["sudo"] where sudo exists, None where neither may install packages."""
    if m.is_root():
        return []
    return ["sudo"] if m.which("sudo") else None


def debian_like(m: Machine) -> bool:
    return bool(m.os_ids() & {"debian", "ubuntu"}) and m.which("apt-get")


def install_with_apt(m: Machine, sudo: list[str], missing: Sequence[Server]) -> None:
    packages = [s.package for s in missing]
    asks = " (sudo may ask for your password)" if sudo else ""
    m.say(f"servers: installing {' and '.join(packages)} from the distribution's packages (apt-get){asks}")
    m.run([*sudo, "apt-get", "update", "-qq"])
    m.run([*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", *packages])
    for server in missing:
        if server.package == "postgresql":
            version = _pg_version(m)
            if version is None:
                raise Failed("servers: the postgresql package installed no cluster in /etc/postgresql")
            hba = f"/etc/postgresql/{version}/main/pg_hba.conf"
            m.say(
                "servers: letting connections from this machine (127.0.0.1, ::1) into PostgreSQL without a "
                f"password, as Forløb's local settings expect (trust, first lines of {hba})"
            )
            m.run([*sudo, "sed", "-i", r"1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust", hba])
            start(m, server, sudo)
            m.say("servers: PostgreSQL reads its new pg_hba.conf (pg_ctlcluster reload)")
            m.run([*sudo, "pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "reload"])
        else:
            start(m, server, sudo)


def what_to_install(missing: Sequence[Server]) -> str:
    """One paragraph: what is missing, what to install, how to point Forløb elsewhere."""
    names = " and ".join(f"{s.name} ({s.where})" for s in missing)
    return (
        f"servers: {names} not reachable and not installed here; no Docker engine answers, and this is "
        "not Debian or Ubuntu with root or sudo, so `make up` cannot set them up. Install PostgreSQL "
        "(14 or later; the local user postgres may connect over TCP from 127.0.0.1 without a password) "
        "and RabbitMQ (3.10 or later, user guest/guest) - on macOS `brew install postgresql@16 rabbitmq` "
        "- or a Docker engine, and run `make up` again. Or point Forløb at servers elsewhere: "
        "FORLOB_BROKER_URL=amqp://user:password@host:5672/vhost (all four services) and "
        "FORLOB_<SERVICE>_DATABASE_URL=postgresql://user:password@host:5432/forlob_<service> "
        "(each service's own database: REFERRAL, ATTENDANCE, NOTIFICATIONS, REPORTING)."
    )


def enable_shovel(m: Machine) -> None:
    """Partner feeds (`forlob partners add`) move each partner's events into the partner's own
    vhost with a dynamic shovel: a broker installed here has the plugin but not enabled.
    Enabling it on a running node needs no restart; a broker from Docker has it in
    deploy/rabbitmq/enabled_plugins already."""
    # The Debian package's node and cookie belong to root (or rabbitmq): as elsewhere, sudo there.
    sudo = (sudo_prefix(m) or []) if debian_like(m) else []
    if not m.which("rabbitmq-plugins") or m.probe([*sudo, "rabbitmq-plugins", "-q", "is_enabled", SHOVEL_PLUGIN]):
        return
    m.say(f"servers: enabling RabbitMQ's shovel plugin for partner feeds (rabbitmq-plugins enable {SHOVEL_PLUGIN})")
    if m.run([*sudo, "rabbitmq-plugins", "-q", "enable", SHOVEL_PLUGIN], check=False) != 0:
        # The services run without it; only `forlob partners add` needs it, and says so.
        m.say(f"servers: could not enable {SHOVEL_PLUGIN}: partner feeds will not work until it is", error=True)


def up(m: Machine, env: Mapping[str, str]) -> int:
    """Bring both servers up as above; 0 when both answer, 1 (having said why) when not."""
    wanted = servers(env)
    missing: list[Server] = []
    for server in wanted:
        if m.answers(server.host, server.port):
            continue
        if not server.local:
            m.say(f"servers: {server.name} on {server.where} does not answer yet; it is not on this machine: waiting")
        elif installed(m, server):
            start(m, server)
        else:
            missing.append(server)
    try:
        if missing:
            if (command := compose(m)) is not None:
                start_with_docker(m, command, missing)
            elif debian_like(m) and (sudo := sudo_prefix(m)) is not None:
                install_with_apt(m, sudo, missing)
            else:
                m.say(what_to_install(missing), error=True)
                return 1
    except Failed as exc:
        m.say(str(exc), error=True)
        return 1
    for server in wanted:
        if not m.wait(server.host, server.port, server.start_seconds):
            late = f"servers: {server.name} on {server.where} did not come up within {server.start_seconds} s"
            m.say(late, error=True)
            return 1
    # The port answers before the node is ready for channels: wait for it properly where we can.
    broker = wanted[-1]
    if broker.local and m.which("rabbitmqctl"):
        m.run(["timeout", "120", "rabbitmqctl", "await_startup"], check=False)
    if broker.local:
        enable_shovel(m)
    m.say("servers: " + " and ".join(f"{s.name} {s.where}" for s in wanted) + " answer")
    return 0


class RealMachine:
    """This machine: sockets, the PATH, /etc/os-release, subprocesses."""

    def answers(self, host: str, port: int) -> bool:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            return False

    def which(self, program: str) -> bool:
        return shutil.which(program) is not None

    def exists(self, path: str) -> bool:
        return Path(path).exists()

    def listdir(self, path: str) -> list[str]:
        return sorted(p.name for p in Path(path).iterdir()) if Path(path).is_dir() else []

    def is_root(self) -> bool:
        return os.geteuid() == 0

    def os_ids(self) -> set[str]:
        ids: set[str] = set()
        try:
            text = Path("/etc/os-release").read_text()
        except OSError:
            return ids
        for line in text.splitlines():
            key, _, value = line.partition("=")
            if key in ("ID", "ID_LIKE"):
                ids.update(value.strip().strip('"').split())
        return ids

    def probe(self, argv: Sequence[str]) -> bool:
        try:
            done = subprocess.run(list(argv), capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def run(self, argv: Sequence[str], *, check: bool = True) -> int:
        code = subprocess.run(list(argv), check=False).returncode
        if check and code != 0:
            raise Failed(f"servers: `{shlex.join(argv)}` failed (exit status {code})")
        return code

    def say(self, text: str, *, error: bool = False) -> None:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)

    def wait(self, host: str, port: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not self.answers(host, port):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)
        return True


if __name__ == "__main__":
    sys.exit(up(RealMachine(), os.environ))

"""`make up`'s servers step (deploy/local/servers.py) in every case, with the commands it would
run recorded rather than run: installed or not, reachable or not, root or not, Docker or not.

The fake machine answers as a real one would after each command (a package installed is on the
PATH, a server started answers), so a test sees the whole sequence, and that every command comes
after a line saying what it does.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("forlob_local_servers", ROOT / "deploy/local/servers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


servers = _load()
PG, MQ = ("127.0.0.1", 5432), ("127.0.0.1", 5672)
COMPOSE = [
    "docker",
    "compose",
    "-p",
    "forlob-local",
    "-f",
    str(ROOT / "docker-compose.yml"),
    "-f",
    str(ROOT / "deploy/local/compose.servers.yml"),
]
APT_UPDATE = ["apt-get", "update", "-qq"]
SHOVEL = ["rabbitmq-plugins", "-q", "enable", "rabbitmq_shovel"]
HBA_LINES = r"1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust"


@dataclass
class FakeMachine:
    answering: set[tuple[str, int]] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)
    pg_versions: list[str] = field(default_factory=list)
    root: bool = True
    ids: set[str] = field(default_factory=lambda: {"debian"})
    engine: bool = False  # a Docker engine answers
    plugins: set[str] = field(default_factory=set)  # enabled on the local broker
    log: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def commands(self) -> list[list[str]]:
        return [argv for kind, argv in self.log if kind == "run"]

    @property
    def said(self) -> list[str]:
        return [text for kind, text in self.log if kind in ("say", "error")]

    def answers(self, host: str, port: int) -> bool:
        return (host, port) in self.answering

    def which(self, program: str) -> bool:
        return program in self.programs

    def exists(self, path: str) -> bool:
        return False

    def listdir(self, path: str) -> list[str]:
        return list(self.pg_versions) if path == "/etc/postgresql" else []

    def is_root(self) -> bool:
        return self.root

    def os_ids(self) -> set[str]:
        return set(self.ids)

    def probe(self, argv: Sequence[str]) -> bool:
        self.log.append(("probe", list(argv)))
        if list(argv) == ["docker", "info"]:
            return self.engine
        plain = list(argv[1:] if argv[:1] == ["sudo"] else argv)
        if plain[:3] == ["rabbitmq-plugins", "-q", "is_enabled"]:
            return plain[3] in self.plugins
        return list(argv) == ["docker", "compose", "version"]

    def run(self, argv: Sequence[str], *, check: bool = True) -> int:
        argv = list(argv)
        self.log.append(("run", argv))
        plain = argv[1:] if argv[:1] == ["sudo"] else argv
        if plain[:2] == ["env", "DEBIAN_FRONTEND=noninteractive"] and "install" in plain:
            if "postgresql" in plain:
                self.programs.add("pg_ctlcluster")
                self.pg_versions.append("15")
            if "rabbitmq-server" in plain:
                self.programs |= {"rabbitmq-server", "rabbitmqctl", "rabbitmq-plugins"}
        if plain[:3] == ["rabbitmq-plugins", "-q", "enable"]:
            self.plugins.add(plain[3])
        if plain[:1] == ["pg_ctlcluster"] and "start" in plain:
            self.answering.add(PG)
        if plain == ["rabbitmq-server", "-detached"]:
            self.answering.add(MQ)
        if argv[: len(COMPOSE)] == COMPOSE and "up" in argv:
            self.answering |= {PG} if "postgres" in argv else set()
            self.answering |= {MQ} if "rabbitmq" in argv else set()
        return 0

    def say(self, text: str, *, error: bool = False) -> None:
        self.log.append(("error" if error else "say", text))

    def wait(self, host: str, port: int, seconds: float) -> bool:
        return (host, port) in self.answering

    def every_command_was_announced(self) -> bool:
        """Each command that changes the machine comes after a line naming what it runs (the
        wait for the broker's startup aside, which changes nothing)."""
        last = ""
        for kind, value in self.log:
            if kind in ("say", "error"):
                last = value
            elif kind == "run" and value[-1] != "await_startup" and announcement(value) not in last:
                return False
        return True


def announcement(argv: list[str]) -> str:
    """What the line before a command must name."""
    if "apt-get" in argv:
        return "apt-get"
    if "sed" in argv:
        return argv[-1]  # the file it changes
    if "pg_ctlcluster" in argv:
        return f"pg_ctlcluster {argv[-1]}" if argv[-1] == "reload" else f"{argv[-3]} main {argv[-1]}"
    if "rabbitmq-server" in argv:
        return "rabbitmq-server -detached"
    if "rabbitmq-plugins" in argv:
        return f"rabbitmq-plugins enable {argv[-1]}"
    return "docker-compose.yml"


def up(machine: FakeMachine, **env: str) -> int:
    code = int(servers.up(machine, env))
    assert machine.every_command_was_announced(), machine.log  # in every case
    return code


def test_both_answer_nothing_is_run() -> None:
    machine = FakeMachine(answering={PG, MQ}, programs={"pg_ctlcluster", "rabbitmq-server"}, pg_versions=["15"])
    assert up(machine) == 0
    assert [c for c in machine.commands if c[-1] != "await_startup"] == []
    assert machine.said[-1] == "servers: PostgreSQL 127.0.0.1:5432 and RabbitMQ 127.0.0.1:5672 answer"


def test_installed_but_stopped_both_are_started() -> None:
    machine = FakeMachine(programs={"pg_ctlcluster", "rabbitmq-server", "rabbitmqctl"}, pg_versions=["13", "15"])
    assert up(machine) == 0
    assert machine.commands == [
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"],
        ["rabbitmq-server", "-detached"],
        ["timeout", "120", "rabbitmqctl", "await_startup"],
    ]
    assert machine.said[0] == "servers: starting PostgreSQL 15 (pg_ctlcluster 15 main start)"


def test_not_installed_and_docker_answers_both_start_from_compose() -> None:
    # Docker wins over installing: it leaves the machine's packages as they are.
    machine = FakeMachine(programs={"docker", "apt-get"}, engine=True)
    assert up(machine) == 0
    assert machine.commands == [[*COMPOSE, "up", "--detach", "--wait", "postgres", "rabbitmq"]]
    assert "a Docker engine answers" in machine.said[0]


def test_docker_cli_without_an_engine_is_not_docker() -> None:
    machine = FakeMachine(programs={"docker", "apt-get"}, engine=False, ids={"fedora"})
    assert up(machine) == 1
    assert machine.commands == []


def test_not_installed_debian_as_root_installs_and_starts_both() -> None:
    machine = FakeMachine(programs={"apt-get"})
    assert up(machine) == 0
    hba = "/etc/postgresql/15/main/pg_hba.conf"
    assert machine.commands == [
        APT_UPDATE,
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "postgresql", "rabbitmq-server"],
        ["sed", "-i", HBA_LINES, hba],
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"],
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "reload"],
        ["rabbitmq-server", "-detached"],
        ["timeout", "120", "rabbitmqctl", "await_startup"],
        SHOVEL,
    ]
    install = machine.log.index(("run", machine.commands[1]))
    assert any("installing postgresql and rabbitmq-server" in text for _, text in machine.log[:install])


def test_not_installed_ubuntu_with_sudo_installs_with_sudo() -> None:
    machine = FakeMachine(programs={"apt-get", "sudo"}, root=False, ids={"ubuntu", "debian"})
    assert up(machine) == 0
    assert machine.commands[0] == ["sudo", *APT_UPDATE]
    assert all(c[0] == "sudo" for c in machine.commands if c[-1] != "await_startup")
    assert "sudo may ask for your password" in machine.said[0]


def test_only_the_missing_one_is_installed() -> None:
    machine = FakeMachine(answering={PG}, programs={"apt-get"}, ids={"ubuntu"})
    assert up(machine) == 0
    assert machine.commands[1] == [
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "rabbitmq-server",
    ]
    assert not any("pg_ctlcluster" in c or "sed" in c for c in machine.commands)


def test_installed_one_started_missing_one_from_docker() -> None:
    machine = FakeMachine(programs={"pg_ctlcluster", "docker"}, pg_versions=["16"], engine=True, ids={"arch"})
    assert up(machine) == 0
    assert machine.commands == [
        ["pg_ctlcluster", "--skip-systemctl-redirect", "16", "main", "start"],
        [*COMPOSE, "up", "--detach", "--wait", "rabbitmq"],
    ]


@pytest.mark.parametrize(
    "machine",
    [
        FakeMachine(programs={"apt-get"}, root=False),  # Debian, neither root nor sudo
        FakeMachine(ids={"fedora"}, programs={"dnf", "sudo"}),  # another distribution
        FakeMachine(ids=set(), root=False),  # macOS: no /etc/os-release
    ],
    ids=["debian-without-root-or-sudo", "fedora", "macos"],
)
def test_anywhere_else_one_paragraph_says_what_to_install(machine: FakeMachine) -> None:
    assert up(machine) == 1
    assert machine.commands == []
    [paragraph] = [text for kind, text in machine.log if kind == "error"]
    assert "\n" not in paragraph
    for needed in ("PostgreSQL", "RabbitMQ", "FORLOB_BROKER_URL", "FORLOB_<SERVICE>_DATABASE_URL", "Docker"):
        assert needed in paragraph


def test_servers_elsewhere_are_never_installed_or_started_here() -> None:
    machine = FakeMachine(programs={"apt-get", "docker"}, engine=True)
    env = {
        "FORLOB_BROKER_URL": "amqp://forlob:secret@mq.example:5672/forlob",
        **{f"FORLOB_{s.upper()}_DATABASE_URL": f"postgresql://u@db.example/forlob_{s}" for s in servers.SERVICES},
    }
    assert up(machine, **env) == 1  # they do not answer: say so, touch nothing here
    assert machine.commands == []
    assert any("mq.example:5672 does not answer yet; it is not on this machine" in text for text in machine.said)
    assert "did not come up" in machine.said[-1]
    machine.answering |= {("db.example", 5432), ("mq.example", 5672)}
    machine.log.clear()
    assert up(machine, **env) == 0
    assert machine.commands == []
    assert machine.said == ["servers: PostgreSQL db.example:5432 and RabbitMQ mq.example:5672 answer"]


def test_the_compose_override_publishes_the_two_servers_on_loopback_only() -> None:
    yaml = pytest.importorskip("yaml")
    base = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    local = yaml.safe_load((ROOT / "deploy/local/compose.servers.yml").read_text())
    assert set(local["services"]) == {"postgres", "rabbitmq"} <= set(base["services"])
    assert local["services"]["postgres"]["ports"] == ["127.0.0.1:5432:5432"]
    assert local["services"]["rabbitmq"]["ports"] == ["127.0.0.1:5672:5672"]
    # The override's settings replace the full stack's at the same path, so no definitions load.
    [mount] = local["services"]["rabbitmq"]["volumes"]
    source, target, _ = mount.split(":")
    assert target in {m.split(":")[1] for m in base["services"]["rabbitmq"]["volumes"]}
    assert "load_definitions" not in (ROOT / "deploy/local" / Path(source).name).read_text()


def test_the_local_ports_may_move_as_the_broker_import_reads_them() -> None:
    # deploy/local/broker.py reads FORLOB_LOCAL_BROKER_HOST/PORT too: both look at the same node.
    machine = FakeMachine(answering={("127.0.0.1", 5433), ("127.0.0.1", 5673)})
    assert up(machine, FORLOB_LOCAL_PG_PORT="5433", FORLOB_LOCAL_BROKER_PORT="5673") == 0
    assert machine.commands == []
    assert machine.said == ["servers: PostgreSQL 127.0.0.1:5433 and RabbitMQ 127.0.0.1:5673 answer"]


def test_the_shovel_plugin_is_enabled_on_a_local_broker_once() -> None:
    """Partner feeds need rabbitmq_shovel; a broker installed here has it but not enabled."""
    machine = FakeMachine(
        answering={PG, MQ}, programs={"pg_ctlcluster", "rabbitmq-server", "rabbitmqctl", "rabbitmq-plugins"}
    )
    assert up(machine) == 0
    assert [c for c in machine.commands if c[-1] != "await_startup"] == [SHOVEL]
    assert any("shovel plugin for partner feeds" in text for text in machine.said)
    machine.log.clear()
    assert up(machine) == 0  # enabled already: nothing to do
    assert [c for c in machine.commands if c[-1] != "await_startup"] == []


def test_a_broker_elsewhere_or_in_docker_gets_no_plugin_command() -> None:
    # Docker's broker reads deploy/rabbitmq/enabled_plugins; a remote one is its operator's.
    machine = FakeMachine(programs={"docker"}, engine=True, ids={"arch"})
    assert up(machine) == 0
    assert SHOVEL not in machine.commands

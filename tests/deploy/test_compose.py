"""docker-compose.yml and the services' Dockerfiles, checked without a Docker engine.

`docker compose config` validates the file against the Compose specification where the compose
CLI is installed (it needs no engine); the rest reads the YAML and the Dockerfiles directly, so
it runs everywhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = {"referral": 8001, "attendance": 8002, "notifications": 8003, "reporting": 8004}
MAIL_WEB_PORT = 8025


def _compose_command() -> list[str] | None:
    """The compose v2 CLI (plugin or standalone), or None where neither is installed."""
    candidates: list[list[str]] = []
    if docker := shutil.which("docker"):
        candidates.append([docker, "compose"])
    if standalone := shutil.which("docker-compose"):
        candidates.append([standalone])
    for command in candidates:
        try:
            version = subprocess.run(
                [*command, "version", "--short"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        # docker-compose 1.x (the Python one) knows an older schema: not a fair judge of this file.
        if version.returncode == 0 and re.match(r"v?([2-9]|\d{2,})\.", version.stdout.strip()):
            return command
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))  # resolves anchors and `<<` merges
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    services = compose.get("services") or {}
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service = services[name]
    assert isinstance(service, dict)
    return service


def _dockerfile_of(service: dict[str, Any]) -> Path:
    build = service.get("build")
    assert isinstance(build, dict), "build must name a context and a dockerfile"
    context = (ROOT / build.get("context", ".")).resolve()
    return (context / build.get("dockerfile", "Dockerfile")).resolve()


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword, _, rest = stripped.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def _final_stage(dockerfile: Path) -> list[tuple[str, str]]:
    instructions = _instructions(dockerfile)
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert starts, f"{dockerfile} has no FROM"
    return instructions[starts[-1] :]


def _published_ports(service: dict[str, Any]) -> set[int]:
    published: set[int] = set()
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            if entry.get("published") is not None:
                published.add(int(str(entry["published"]).split("-")[0]))
            continue
        parts = str(entry).split("/")[0].split(":")
        if len(parts) >= 2:  # [ip:]host:container
            published.add(int(parts[-2].split("-")[0]))
    return published


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def test_compose_config_is_valid() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip(
            "no compose v2 CLI here (`docker compose` is not installed): the Compose-specification "
            "check is left to a machine that has it; the structural checks in this file still run"
        )
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"docker compose config failed:\n{result.stderr}"


def test_infrastructure_has_healthchecks(compose: dict[str, Any]) -> None:
    rabbitmq = _service(compose, "rabbitmq")
    assert rabbitmq["image"].startswith("rabbitmq:4.")  # 4.x: quorum queues and a stream, no mirroring
    assert "rabbitmq-diagnostics -q ping" in " ".join(map(str, rabbitmq["healthcheck"]["test"]))
    # Users, permissions and the vhost come from the definitions the node imports at boot.
    mounts = " ".join(map(str, rabbitmq["volumes"]))
    assert "./deploy/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json" in mounts
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/" in mounts

    postgres = _service(compose, "postgres")
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(map(str, postgres["healthcheck"]["test"]))


def test_rabbitmq_enables_the_stream_and_shovel_plugins(compose: dict[str, Any]) -> None:
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in _service(compose, "rabbitmq")["volumes"]}
    source = mounts.get("/etc/rabbitmq/enabled_plugins")
    assert source, "enabled_plugins is not mounted into the rabbitmq container"
    plugins = (ROOT / source).read_text(encoding="utf-8")
    assert "rabbitmq_stream" in plugins
    assert "rabbitmq_shovel" in plugins  # partner feeds (forlob partners add)
    assert "rabbitmq_management" in plugins
    assert plugins.strip().endswith("].")


def test_postgres_init_creates_every_service_database(compose: dict[str, Any]) -> None:
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in _service(compose, "postgres")["volumes"]}
    source = mounts.get("/docker-entrypoint-initdb.d")
    assert source, "no init scripts are mounted into the postgres container"
    scripts = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / source).glob("*.sql")))
    for name in SERVICES:
        assert re.search(rf"CREATE DATABASE forlob_{name}\b", scripts), f"forlob_{name} is not created"


def test_mail_sink_with_web_view(compose: dict[str, Any]) -> None:
    services = compose["services"]
    sinks = [name for name, s in services.items() if "mailpit" in str(s.get("image", ""))]
    assert sinks, "no mail sink (mailpit) in docker-compose.yml"
    assert MAIL_WEB_PORT in _published_ports(services[sinks[0]])
    environment = _environment(_service(compose, "notifications"))
    assert environment.get("FORLOB_NOTIFICATIONS_SMTP_HOST") == sinks[0]
    assert environment.get("FORLOB_NOTIFICATIONS_SMTP_PORT") == "1025"


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_service(compose: dict[str, Any], name: str, port: int) -> None:
    service = _service(compose, name)
    dockerfile = _dockerfile_of(service)
    assert dockerfile == (ROOT / "services" / name / "Dockerfile").resolve()
    assert dockerfile.is_file(), f"{dockerfile} does not exist"
    assert (ROOT / service["build"].get("context", ".")).resolve() == ROOT, "the build context must be the repo root"

    own_check = service.get("healthcheck")
    has_own = isinstance(own_check, dict) and not own_check.get("disable")
    assert has_own or any(k == "HEALTHCHECK" for k, _ in _final_stage(dockerfile)), f"{name} has no healthcheck"

    depends_on = service.get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on must carry conditions"
    for infrastructure in ("rabbitmq", "postgres"):
        assert (depends_on.get(infrastructure) or {}).get("condition") == "service_healthy", (
            f"{name} does not wait for {infrastructure} to be healthy"
        )

    assert port in _published_ports(service), f"{name} does not publish port {port}"

    environment = _environment(service)
    database_url = environment.get(f"FORLOB_{name.upper()}_DATABASE_URL", "")
    assert re.fullmatch(rf"postgresql://[^@/]+@postgres:5432/forlob_{name}", database_url), database_url
    # Each service connects as its own RabbitMQ user, with the rights the definitions give it.
    broker_url = environment.get(f"FORLOB_{name.upper()}_BROKER_URL", "")
    assert re.fullmatch(rf"amqp://{name}:[^@/]+@rabbitmq:5672/forlob", broker_url), broker_url
    assert environment.get("FORLOB_JWT_SECRET")


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_migrated_before_it_serves(compose: dict[str, Any], name: str) -> None:
    service = _service(compose, name)
    migrate_name = f"{name}-migrate"
    assert (service["depends_on"].get(migrate_name) or {}).get("condition") == "service_completed_successfully"
    migrate = _service(compose, migrate_name)
    command = migrate.get("command")
    assert (command if isinstance(command, list) else str(command).split())[0] == "migrate"
    assert str(migrate.get("restart", "no")) == "no"
    assert _dockerfile_of(migrate) == _dockerfile_of(service)
    assert migrate.get("image") == service.get("image")
    assert _environment(migrate) == _environment(service)


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_dockerfile(name: str, port: int) -> None:
    dockerfile = ROOT / "services" / name / "Dockerfile"
    instructions = _instructions(dockerfile)
    assert any(k == "FROM" and "python:3.11-slim" in a for k, a in instructions) or any(
        k == "ARG" and "python:3.11-slim" in a for k, a in instructions
    ), "not based on python:3.11-slim"
    stage = _final_stage(dockerfile)
    users = [a for k, a in stage if k == "USER"]
    assert users, f"{dockerfile} runs as root (no USER in its final stage)"
    assert users[-1].split(":")[0] not in {"root", "0"}, f"{dockerfile} runs as root"
    assert any(k == "HEALTHCHECK" and "/health/live" in a for k, a in stage)
    assert ("EXPOSE", str(port)) in stage
    assert ("ENTRYPOINT", f'["forlob-{name}"]') in stage
    assert any(k == "ENV" and f"FORLOB_{name.upper()}_HOST=0.0.0.0" in a for k, a in stage)


def test_dockerfiles_differ_only_in_service_name_and_port() -> None:
    def normalised(name: str, port: int) -> str:
        text = (ROOT / "services" / name / "Dockerfile").read_text(encoding="utf-8")
        return text.replace(name, "<service>").replace(name.upper(), "<SERVICE>").replace(str(port), "<port>")

    reference = normalised("referral", SERVICES["referral"])
    for name, port in SERVICES.items():
        assert normalised(name, port) == reference, (
            f"services/{name}/Dockerfile drifted from services/referral/Dockerfile: change all four together"
        )


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".git", "var", "artifacts"):
        assert required in patterns, f".dockerignore does not exclude {required}"
    assert {".venv", "**/.venv"} & patterns, ".dockerignore does not exclude .venv"

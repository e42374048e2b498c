"""The four services as real processes, for end-to-end, reliability and browser tests.

Each process gets a free port, its own database (copied from the migrated template), the test's
exchange/queue prefix, JSON logs in a file of its own, and a shared clock-offset file so a test
can move time for all of them at once (``System.move_clock``). Processes are stopped (SIGTERM,
then SIGKILL) when the system is closed, even if the test failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from forlob_testkit.clock import OffsetFileClock, write_clock_offset
from forlob_testkit.faults import REDELIVER_SHARE_ENV
from forlob_testkit.parent import PARENT_ENV
from forlob_testkit.servers import free_port, port_taken

SERVICES = ("referral", "attendance", "notifications", "reporting")

# Test systems drive many requests per caller from one address (a course's load, a fault run):
# the rate limits stay on, at rates no test reaches; tests of the limits set their own.
LOAD_TEST_RATE_LIMITS = {
    "rate_identity_reads_per_minute": 100_000,
    "rate_writes_per_minute": 1_000_000,
    "rate_partner_reads_per_minute": 1_000_000,
    "rate_failed_auth_per_second": 100_000,
}


_MOST_PORT_MOVES = 3


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    clock_file: Path  # the clock the test moves (System.move_clock), read by forlob_testkit.serve
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    served: bool = False  # it has been ready on self.port: the test may hold its URL
    port_moves: int = 0
    command: tuple[str, ...] = ("serve",)  # ("relay",): the outbox relay alone, no HTTP
    # The interpreter of the release it runs (another build's venv, tests/reliability/releases.py);
    # None: this checkout's.
    python: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        argv = [
            self.python or sys.executable,
            "-m",
            "forlob_testkit.serve",
            "--clock-offset-file",
            str(self.clock_file),
        ]
        if self.env.get(REDELIVER_SHARE_ENV):  # a consumer fault the reliability suite injects
            argv += ["--redeliver-share", self.env[REDELIVER_SHARE_ENV]]
        argv += [self.name, *self.command]
        log = self.log_path.open("ab")
        self.starts += 1
        log.write(f"--- start {self.starts} ---\n".encode())
        log.flush()
        # It ends with this process, teardown or not (forlob_testkit.serve.stop_with_parent).
        env = {**self.env, PARENT_ENV: str(os.getpid())}
        self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def ready(self) -> bool:
        """Ready, and it is this service that answers: on a port another process took after
        free_port chose it, another service would say it is ready while this one cannot bind."""
        if self.command[0] != "serve":
            return self.running  # nothing to ask: running is all a relay process shows
        try:
            with urllib.request.urlopen(f"{self.url}/health/ready", timeout=2) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError):
            return False
        # A release before the field does not name itself (the rolling upgrade runs one).
        return bool(answer.get("status") == "ready" and answer.get("service", self.name) == self.name)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if not self.running and not self.served and self.command[0] == "serve" and port_taken(self.port):
                self._move_to_another_port()
                continue
            if not self.running:
                raise RuntimeError(f"{self.name} exited while starting; its log:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready within {timeout}s; its log:\n{self.tail()}")
            time.sleep(0.1)
        self.served = True

    def _move_to_another_port(self) -> None:
        """Start again on a new port: the chosen one was taken between free_port and the bind.
        Only before the first ready: after it, the test holds this URL."""
        self.port_moves += 1
        if self.port_moves > _MOST_PORT_MOVES:
            raise RuntimeError(f"{self.name}: {self.port_moves} ports taken before it bound; its log:\n{self.tail()}")
        self.port = free_port()
        self.env = {**self.env, f"FORLOB_{self.name.upper()}_PORT": str(self.port)}
        self.process = None
        self.start()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (graceful: in-flight messages are finished and acknowledged), then SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def restart(self, timeout: float = 60) -> None:
        self.stop()
        self.start()
        self.wait_ready(timeout)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class System:
    services: dict[str, ServiceProcess]
    clock_file: Path
    workdir: Path
    offset: timedelta = field(default=timedelta(0))
    databases: dict[str, str] = field(default_factory=dict)  # service name -> database URL
    relays: dict[str, ServiceProcess] = field(default_factory=dict)  # service name -> its own relay process
    # service name -> the URL callers use instead of a replica's (a balancer in front of them)
    fronts: dict[str, str] = field(default_factory=dict)

    def processes(self) -> list[ServiceProcess]:
        return [*self.services.values(), *self.relays.values()]

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def replicas(self, name: str) -> list[ServiceProcess]:
        """Every process of service ``name``: the first is keyed ``name``, the others ``name#2``..."""
        return [process for key, process in self.services.items() if key.partition("#")[0] == name]

    def url(self, name: str) -> str:
        """The first replica of ``name`` that runs (a killed replica's callers move to the next),
        or the balancer in front of them (``fronts``)."""
        if name in self.fronts:
            return self.fronts[name]
        replicas = self.replicas(name) if "#" not in name else [self.services[name]]
        return next((r for r in replicas if r.running), replicas[0]).url

    def clock(self) -> OffsetFileClock:
        """The services' clock, for code in the test's own process (the web in process)."""
        return OffsetFileClock(str(self.clock_file))

    def move_clock(self, delta: timedelta) -> timedelta:
        """Move every service's clock forward by ``delta`` (from their next clock reading on)."""
        self.offset += delta
        write_clock_offset(str(self.clock_file), self.offset)
        return self.offset

    def logs(self) -> dict[str, str]:
        return {name: s.log_path.read_text(errors="replace") for name, s in self.services.items()}


@contextlib.contextmanager
def running_system(
    workdir: Path,
    *,
    broker_url: str,
    prefix: str,
    databases: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    services: tuple[str, ...] = SERVICES,
    replicas: Mapping[str, int] | None = None,
    separate_relays: tuple[str, ...] = (),
    pythons: Mapping[str, str] | None = None,
    timeout: float = 90,
) -> Iterator[System]:
    """The services as processes; ``replicas={"attendance": 2}`` runs two processes of one service
    on the same database and queues (keyed ``attendance`` and ``attendance#2``), as a deployment
    with several replicas would. A service in ``separate_relays`` serves with ``--no-relay`` and
    its outbox relay runs as a process of its own (``System.relays``), as it may be deployed.
    ``pythons`` runs a service on another release's interpreter (service name -> its python)."""
    workdir.mkdir(parents=True, exist_ok=True)
    clock_file = workdir / "clock-offset"
    write_clock_offset(str(clock_file), timedelta(0))
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FORLOB_")},
        "FORLOB_BROKER_URL": broker_url,
        "FORLOB_NAME_PREFIX": prefix,
        "FORLOB_ENVIRONMENT": "test",
        "FORLOB_LOG_JSON": "true",
        "FORLOB_RELAY_POLL_INTERVAL": "0.2",
        "FORLOB_WATCHDOG_INTERVAL": "2",
        # The tests' webhook receivers listen on 127.0.0.1, which production refuses to call.
        "FORLOB_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        **{f"FORLOB_{name.upper()}": str(value) for name, value in LOAD_TEST_RATE_LIMITS.items()},
        **(env or {}),
    }
    system = System({}, clock_file, workdir, databases=dict(databases))
    for name in services:
        upper = name.upper()
        for replica in range(1, (replicas or {}).get(name, 1) + 1):
            key = name if replica == 1 else f"{name}#{replica}"
            port = free_port()
            process_env = {
                **base,
                f"FORLOB_{upper}_PORT": str(port),
                f"FORLOB_{upper}_HOST": "127.0.0.1",
                f"FORLOB_{upper}_DATABASE_URL": databases[name],
            }
            log_name = key.replace("#", "-")
            command = ("serve", "--no-relay") if name in separate_relays else ("serve",)
            system.services[key] = ServiceProcess(
                name,
                port,
                process_env,
                workdir / f"{log_name}.log",
                clock_file,
                command=command,
                python=(pythons or {}).get(name),
            )
            if name in separate_relays and replica == 1:
                log = workdir / f"{name}-relay.log"
                system.relays[name] = ServiceProcess(name, port, process_env, log, clock_file, command=("relay",))
    try:
        for process in system.processes():
            process.start()
        for process in system.processes():
            process.wait_ready(timeout)
        yield system
    finally:
        for process in system.processes():
            process.stop()

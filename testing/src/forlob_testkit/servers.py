"""Private RabbitMQ and PostgreSQL servers, and a TCP proxy, for fault tests.

Fault tests have to stop, SIGKILL and restart the broker and the database, and cut the network in
front of them. Doing that to the machine's shared servers (RabbitMQ ``rabbit@localhost`` on
127.0.0.1:5672, PostgreSQL 15 on 127.0.0.1:5432) would break every other test and service running
here, and there is no Docker engine to give each test a container. So each test starts its own
server from the Debian-installed binaries, on free ports, with all state under a directory it owns:

* :class:`PrivateRabbitMQ` — a RabbitMQ node with its own node name, ports, Mnesia/Ra data, logs,
  config and Erlang cookie.
* :class:`PrivatePostgres` — a PostgreSQL cluster with its own data directory, port and socket
  directory, run as the ``postgres`` user because PostgreSQL refuses to run as root.
* :class:`FaultProxy` — an asyncio TCP proxy that can reset or black-hole every connection, to act
  out a network cut without touching the server behind it.

Data is kept across ``stop()``/``kill()`` and ``start()``: that is the point, since the tests check
that durable queues, quorum queues and committed rows survive a restart or a crash.

The server methods block (they wait for processes); from async code call them through
``asyncio.to_thread`` so the event loop and the clients under test keep running.
"""

from __future__ import annotations

import abc
import asyncio
import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

__all__ = ["FaultProxy", "PrivatePostgres", "PrivateRabbitMQ", "free_port", "leftover_processes"]

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
LOOPBACK = "127.0.0.1"

# Every server process inherits this variable, valued "<pid of the Python process>:<port>", so
# kill() and leftover_processes() find them all, however they forked, daemonised or re-parented.
# PostgreSQL's children overwrite their environment with their ps title, so PrivatePostgres puts
# the same tag in cluster_name, which every one of its processes shows: "postgres: forlob:TAG: ...".
_MARKER = "FORLOB_PRIVATE_SERVER"
_PG_TITLE = b"postgres: forlob:"

# How often the wait loops look again. Short, because every wait has its own deadline and the
# thing waited for (a port opening, a process exiting) usually happens within a second or two.
_POLL_INTERVAL = 0.05


_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()  # the fault suite starts servers from worker threads


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and that this test process has
    not handed out before.

    The kernel picks it (bind to port 0), so parallel test workers do not collide the way a fixed
    range would. But the kernel may pick a port it picked a moment ago, once that socket is
    closed: two services of one test system, whose ports are chosen before either binds, could
    then be given the same one, and the second would answer for the first. So a port is handed
    out once per process. There is still a window between closing this socket and the server
    binding the port in which another process could take it; the test kit's processes then move
    to another port (forlob_testkit.processes), and the other servers fail to start and say so,
    rather than silently talking to the wrong process.
    """
    with _HANDED_OUT_LOCK:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((LOOPBACK, 0))
                port: int = sock.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                return port


def port_taken(port: int) -> bool:
    """Whether something holds ``port`` on 127.0.0.1 (a bind there fails)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds it
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return True
        return False


# --------------------------------------------------------------------------------------------
# Process helpers
# --------------------------------------------------------------------------------------------


def _proc_state(pid: int) -> str | None:
    """The state letter (R, S, Z...) from /proc/PID/stat, or None if the pid is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    return stat[stat.rindex(")") + 2 :].split()[0]


def _marked_processes() -> list[tuple[int, str, str]]:
    """(pid, command, tag) of every running process that carries the marker or the title.

    Zombies do not count: orphans are reaped by PID 1, which on this machine (a VM's init shim)
    does it only every few seconds, so a dead server process can linger as a zombie that still
    "exists" (os.kill(pid, 0) succeeds) but holds no port, memory or file.
    """
    key = f"{_MARKER}=".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        value = next((var[len(key) :] for var in environ.split(b"\0") if var.startswith(key)), None)
        if value is None and cmdline.startswith(_PG_TITLE):
            value = cmdline[len(_PG_TITLE) :].partition(b": ")[0]
        if value is not None and _proc_state(pid) not in (None, "Z", "X"):
            found.append((pid, comm, value.decode(errors="replace")))
    return found


def leftover_processes(owner: int | None = None) -> list[str]:
    """Running processes of private servers started by process ``owner`` (default: this one).

    For a test suite's last check that nothing it started outlives it, as ``"PID COMMAND"``.
    """
    prefix = f"{owner if owner is not None else os.getpid()}:"
    return [f"{pid} {comm}" for pid, comm, value in _marked_processes() if value.startswith(prefix)]


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds, or raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(_POLL_INTERVAL)


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _tag(port: int) -> str:
    """Names one running private server: ports are unique among running servers."""
    return f"{os.getpid()}:{port}"


def _clean_env(drop_prefixes: tuple[str, ...], port: int) -> dict[str, str]:
    """The current environment minus variables that would point a server somewhere else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(drop_prefixes)
        # Makes rabbitmq-server think it runs under systemd and exec the VM in a different way.
        and key != "NOTIFY_SOCKET"
    }
    env[_MARKER] = _tag(port)
    return env


class _Server(abc.ABC):
    """What the two server classes share: the child process, the context manager, at-exit."""

    def __init__(self, workdir: Path, port: int | None) -> None:
        self.workdir = workdir.resolve()
        self.port = port if port is not None else free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the server process this object started is still running."""
        return self._proc is not None and self._proc.poll() is None

    @abc.abstractmethod
    def start(self, timeout: float = 60) -> None:
        """Start the server (a no-op if it runs) and return once it accepts connections."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Shut the server down gracefully and wait for its processes to exit."""

    @abc.abstractmethod
    def kill(self) -> None:
        """SIGKILL the server, as a crash would; the data on disk stays as it was."""

    def restart(self, timeout: float = 60) -> None:
        """Stop gracefully and start again; the data stays."""
        self.stop()
        self.start(timeout)

    def cleanup(self) -> None:
        """Stop (or, if that fails, kill) the server and delete the workdir."""
        try:
            if self.running:
                try:
                    self.stop()
                except Exception:
                    self.kill()
                    raise
        finally:
            _LIVE.discard(self)
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _spawn(self, argv: list[str], env: Mapping[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = self._proc = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session: a Ctrl-C in the terminal running pytest must not reach the server
                # (the fixtures shut it down, in order).
                start_new_session=True,
            )
        _LIVE.add(self)
        return proc

    def _processes(self) -> list[int]:
        """Running processes of this server, however they forked, re-parented or daemonised."""
        mine = _tag(self.port)
        # Not epmd: if no epmd ran, the node started one, and other nodes may register with it.
        return [pid for pid, comm, value in _marked_processes() if value == mine and comm != "epmd"]

    def _sweep(self, timeout: float = 10) -> None:
        """SIGKILL whatever is left of this server and wait until none of it runs.

        Found by the marker in their environment, not by process group, so a recycled pid or
        group id can never make us kill a stranger.
        """
        deadline = time.monotonic() + timeout
        while pids := self._processes():
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{type(self).__name__}: processes {pids} survived SIGKILL")
            time.sleep(_POLL_INTERVAL)

    def _check_spawned(self, log: Path) -> None:
        """Raise, with the end of the server's log, if the process we spawned has exited."""
        proc = self._proc
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"{type(self).__name__} exited with status {proc.returncode} while starting; "
                f"end of {log}:\n{_tail(log)}"
            )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


# Servers still running when the interpreter exits (a test run interrupted before its fixture
# finalisers ran) are SIGKILLed, so they do not outlive the run holding ports and memory.
_LIVE: set[_Server] = set()


@atexit.register
def _kill_leftovers() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.kill()


# --------------------------------------------------------------------------------------------
# RabbitMQ
# --------------------------------------------------------------------------------------------


class PrivateRabbitMQ(_Server):
    """A RabbitMQ 3.10 node of its own, started from the Debian package's scripts.

    Everything the node reads or writes lives under ``workdir``: config, enabled-plugins file,
    Mnesia and Ra (quorum queue) data, logs, pid file and Erlang cookie (``HOME`` is the workdir).
    The machine's ``/etc/rabbitmq/rabbitmq-env.conf`` would rename this node ``rabbit@localhost``
    and ``/etc/rabbitmq/rabbitmq.conf`` would make it listen on 5672, so neither is read: the
    ``RABBITMQ_*`` variables point at generated files instead.

    The node registers with the machine's epmd (127.0.0.1:4369) under its own name; that is shared
    by design and harmless. It runs as root, which RabbitMQ allows.
    """

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        *,
        management: bool = False,
        cookie: str | None = None,
        extra_config: str = "",
    ) -> None:
        super().__init__(workdir, port)
        # The management plugin (HTTP API on its own free port), for tests of the operator tools.
        self.management_port = free_port() if management else None
        # Nodes of one cluster share an Erlang cookie (forlob_testkit.rabbit_cluster); a lone node
        # makes its own on first start.
        self.cookie = cookie
        self.extra_config = extra_config  # more rabbitmq.conf lines (e.g. cluster_partition_handling)
        # Fixed for the life of the object, because Mnesia keys its data directory by node name:
        # a restart under another name would come up empty.
        self.node = f"forlob-{self.port}@localhost"
        self.dist_port = free_port()
        self._pid_file = self.workdir / "rabbit.pid"
        self._log = self.workdir / "server.out"

    @property
    def url(self) -> str:
        """AMQP URL as guest, which RabbitMQ allows from loopback by default."""
        return f"amqp://guest:guest@{LOOPBACK}:{self.port}/"

    @property
    def management_url(self) -> str:
        if self.management_port is None:
            raise RuntimeError("this node was started without the management plugin")
        return f"http://guest:guest@{LOOPBACK}:{self.management_port}/"

    @property
    def pid(self) -> int | None:
        """OS pid of the Erlang VM (beam.smp), as the node wrote it to its pid file."""
        try:
            return int(self._pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _env(self) -> dict[str, str]:
        wd = self.workdir
        env = _clean_env(("RABBITMQ_", "ERL_"), self.port)
        env.update(
            {
                # Cookie: the node creates $HOME/.erlang.cookie on first start and rabbitmqctl
                # reads it from there, so they agree without touching /var/lib/rabbitmq's cookie.
                "HOME": str(wd),
                # An empty env file of our own, so /etc/rabbitmq/rabbitmq-env.conf (NODENAME,
                # ERL_FLAGS) is sourced neither by the shell scripts nor by rabbit_env.
                "RABBITMQ_CONF_ENV_FILE": str(wd / "rabbitmq-env.conf"),
                "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_NODE_IP_ADDRESS": LOOPBACK,
                "RABBITMQ_NODE_PORT": str(self.port),
                # Default would be NODE_PORT + 20000, which may be taken or out of range.
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_CONFIG_FILE": str(wd / "rabbitmq.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(wd / "advanced.config"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(wd / "enabled_plugins"),
                "RABBITMQ_MNESIA_BASE": str(wd / "mnesia"),
                "RABBITMQ_MNESIA_DIR": str(wd / "mnesia" / self.node),
                "RABBITMQ_LOG_BASE": str(wd / "log"),
                "RABBITMQ_PID_FILE": str(self._pid_file),
                # What the system env file would have set: epmd and distribution on loopback only.
                "ERL_EPMD_ADDRESS": LOOPBACK,
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            }
        )
        return env

    def _write_config(self) -> None:
        wd = self.workdir
        wd.mkdir(parents=True, exist_ok=True)
        (wd / "log").mkdir(exist_ok=True)
        (wd / "rabbitmq-env.conf").write_text("# empty on purpose: see forlob_testkit\n")
        if self.cookie is not None:
            cookie = wd / ".erlang.cookie"  # HOME is the workdir: the node and rabbitmqctl read it there
            if not cookie.exists():
                cookie.write_text(self.cookie)
                cookie.chmod(0o400)
        # With the API, the shovel too: the operator tools' partner feeds use both.
        plugins = "[rabbitmq_management,rabbitmq_shovel]" if self.management_port else "[]"
        (wd / "enabled_plugins").write_text(f"{plugins}.\n")
        management = (
            f"management.tcp.ip = {LOOPBACK}\nmanagement.tcp.port = {self.management_port}\n"
            if self.management_port
            else ""
        )
        (wd / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = {LOOPBACK}:{self.port}\n"
            # The default, spelled out because the test URLs depend on it.
            "loopback_users.guest = true\n"
            "log.file.level = info\n" + management + self.extra_config
        )

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """Run ``rabbitmqctl -n NODE ARGS...`` against this node and return its stdout."""
        result = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self._env(),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl {' '.join(args)} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return result.stdout

    def start(self, timeout: float = 60) -> None:
        """Start the node and return once it has booted and accepts AMQP connections."""
        if self.running:
            return
        self._write_config()
        # A pid file left by kill() would make pid() report the dead VM until the new one writes.
        self._pid_file.unlink(missing_ok=True)
        deadline = time.monotonic() + timeout
        # /usr/lib/rabbitmq/bin, not /usr/sbin: the /usr/sbin wrapper su's to the rabbitmq user,
        # who cannot read a root-owned workdir. The script stays in the foreground and runs the
        # VM as its child, so we own (and reap) the whole tree.
        proc = self._spawn([str(RABBITMQ_BIN / "rabbitmq-server")], self._env(), self._log, self.workdir)
        try:
            while not _port_accepts(self.port):
                self._check_spawned(self._log)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"RabbitMQ {self.node} did not listen on {self.port} within {timeout}s")
                time.sleep(_POLL_INTERVAL)
            # The listener opens near the end of boot; await_startup also proves that what
            # answers on the port is our node (and not something that grabbed the port).
            remaining = max(1, int(deadline - time.monotonic()))
            try:
                self.ctl("await_startup", "--timeout", str(remaining), timeout=remaining + 10)
            except RuntimeError:
                # Usually the node failed to boot (say, eaddrinuse) and is on its way out; its
                # own output says why, the CLI's "node not running" does not.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
                self._check_spawned(self._log)
                raise
        except BaseException:
            self.kill()
            raise

    def stop(self, timeout: float = 60) -> None:
        """Stop the node gracefully (``rabbitmqctl stop``) and wait for the VM to exit."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            # Given the pid file, `stop` also waits until that OS process has exited.
            self.ctl("stop", str(self._pid_file), timeout=timeout)
            proc.wait(timeout=timeout)
            # erl_child_setup and the inet_gethost helpers follow the VM out within moments.
            _wait_for(lambda: not self._processes(), 10, f"the rest of {self.node} to exit")
        except BaseException:
            self.kill()
            raise
        _LIVE.discard(self)

    def kill(self) -> None:
        """SIGKILL the Erlang VM, as a crash would; the data on disk stays as it was."""
        proc = self._proc
        if proc is None:
            return
        pid = self.pid
        # Only if it is ours, so a stale pid file can never make us kill a stranger.
        if pid is not None and pid in self._processes():
            # Only the VM: its parent, the rabbitmq-server script, then reaps it and exits by
            # itself. Killing the script too would leave the VM's corpse to PID 1 (a zombie
            # beam.smp in `ps` until PID 1 gets round to it).
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        # Anything left: all of it if killed while booting, before the pid file existed;
        # otherwise erl_child_setup and inet_gethost, which would exit on their own.
        self._sweep()
        proc.wait(timeout=10)
        _LIVE.discard(self)

    def close_all_connections(self, reason: str = "closed by a Forlob fault test") -> None:
        """Close every client connection from the broker side (``connection.close`` 320)."""
        self.ctl("close_all_connections", "--global", reason)


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


ShutdownMode = Literal["smart", "fast", "immediate"]

# The signals behind pg_ctl's shutdown modes (PostgreSQL docs, "Shutting Down the Server").
_SHUTDOWN_SIGNALS: dict[ShutdownMode, signal.Signals] = {
    "smart": signal.SIGTERM,
    "fast": signal.SIGINT,
    "immediate": signal.SIGQUIT,
}


class PrivatePostgres(_Server):
    """A PostgreSQL 15 cluster of its own: trust auth, 127.0.0.1 only, user ``postgres``.

    PostgreSQL refuses to run as root, so initdb and the postmaster run as the ``postgres`` user
    (via ``setpriv``, which execs, so the postmaster is this process's own child and is reaped
    here). That user must be able to reach the data directory, and pytest's ``tmp_path`` lives
    under ``/tmp/pytest-of-root``, which is mode 0700; so the cluster goes in a fresh directory
    under the system temp dir, owned by postgres, and ``workdir/cluster`` links to it. The short
    path also keeps the Unix socket under the 107-byte limit.
    """

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        super().__init__(workdir, port)
        self.workdir.mkdir(parents=True, exist_ok=True)
        link = self.workdir / "cluster"
        if link.is_symlink() and link.resolve().is_dir():
            # A cluster made by an earlier object for this workdir: carry on with its data.
            self.root = link.resolve()
        else:
            link.unlink(missing_ok=True)
            owner = pwd.getpwnam("postgres")
            self.root = Path(tempfile.mkdtemp(prefix="forlob-pg-"))
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            link.symlink_to(self.root)
        self.datadir = self.root / "data"
        self.socket_dir = self.root / "run"
        self._log = self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        """OS pid of the postmaster."""
        return self._proc.pid if self.running and self._proc is not None else None

    def _as_postgres(self, *argv: str) -> list[str]:
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *argv]

    def _env(self) -> dict[str, str]:
        # PGDATA, PGPORT, PGHOST... from the caller's environment would aim tools elsewhere.
        env = _clean_env(("PG",), self.port)
        env.update({"HOME": str(self.root), "LC_ALL": "C.UTF-8"})
        return env

    def _initdb(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        result = subprocess.run(
            self._as_postgres(
                str(POSTGRES_BIN / "initdb"),
                f"--pgdata={self.datadir}",
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                # No fsync of the new cluster: we test process crashes, not power loss.
                "--no-sync",
                "--no-instructions",
            ),
            env=self._env(),
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stderr}")
        owner = pwd.getpwnam("postgres")
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.socket_dir, owner.pw_uid, owner.pw_gid)
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# forlob_testkit.PrivatePostgres\n"
                f"listen_addresses = '{LOOPBACK}'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                # A SIGKILLed server loses nothing the kernel already has: WAL is write()n before
                # COMMIT returns. Only an OS crash needs fsync, and we do not simulate one.
                "fsync = off\n"
                # Several private clusters may run beside the shared one.
                "shared_buffers = 32MB\n"
            )

    def _ready(self) -> bool:
        # pg_ctl -w's own test: the postmaster marks its pid file "ready" once it accepts
        # connections (after crash recovery). Line 1 must be our child, not a stale file.
        try:
            lines = (self.datadir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return (
            len(lines) >= 8
            and self._proc is not None
            and lines[0].strip() == str(self._proc.pid)
            and lines[7].strip() == "ready"
        )

    def start(self, timeout: float = 60) -> None:
        """Initialise the cluster if needed, start it, and return once it accepts connections."""
        if self.running:
            return
        self._initdb()
        deadline = time.monotonic() + timeout
        self._spawn(
            self._as_postgres(
                str(POSTGRES_BIN / "postgres"), "-D", str(self.datadir), "-c", f"cluster_name=forlob:{_tag(self.port)}"
            ),
            self._env(),
            self._log,
            self.root,
        )
        try:
            while not (self._ready() and _port_accepts(self.port)):
                self._check_spawned(self._log)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"PostgreSQL on {self.port} not ready within {timeout}s")
                time.sleep(_POLL_INTERVAL)
        except BaseException:
            self.kill()
            raise

    def stop(self, mode: ShutdownMode = "fast", timeout: float = 60) -> None:
        """Shut down with pg_ctl's ``mode`` semantics and wait for every server process to exit.

        ``fast`` (default) disconnects clients and checkpoints; ``smart`` waits for clients to
        leave; ``immediate`` exits without a checkpoint, so the next start runs crash recovery.
        """
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.kill(proc.pid, _SHUTDOWN_SIGNALS[mode])
            proc.wait(timeout=timeout)
            # After "immediate" the children may still be on their way out.
            _wait_for(lambda: not self._processes(), 10, "postgres children to exit")
        except BaseException:
            self.kill()
            raise
        _LIVE.discard(self)

    def kill(self) -> None:
        """SIGKILL the postmaster and the rest of the server, as a crash would."""
        proc = self._proc
        if proc is None:
            return
        # The whole process group, not only the postmaster: backends outlive a SIGKILLed
        # postmaster for a moment and keep the old shared memory attached, which makes an
        # immediate start() refuse to run ("pre-existing shared memory block is still in use").
        # A crashed machine or container takes them all down at once; so do we. The group id is
        # the postmaster's pid, safe to signal only while we have not reaped it (poll() reaps).
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        self._sweep()  # and wait until none of them runs
        _LIVE.discard(self)

    def cleanup(self) -> None:
        """Stop (or kill) the server and delete the workdir and the cluster directory."""
        try:
            super().cleanup()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# FaultProxy
# --------------------------------------------------------------------------------------------


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

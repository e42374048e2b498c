"""What the private servers share: the marker that finds their processes, waiting, the base class."""

from __future__ import annotations

import abc
import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from forlob_testkit.servers.ports import free_port

# Every server process inherits this variable, valued "<pid of the Python process>:<port>", so
# kill() and leftover_processes() find them all, however they forked, daemonised or re-parented.
# PostgreSQL's children overwrite their environment with their ps title, so PrivatePostgres puts
# the same tag in cluster_name, which every one of its processes shows: "postgres: forlob:TAG: ...".
_MARKER = "FORLOB_PRIVATE_SERVER"
_PG_TITLE = b"postgres: forlob:"

# How often the wait loops look again. Short, because every wait has its own deadline and the
# thing waited for (a port opening, a process exiting) usually happens within a second or two.
POLL_INTERVAL = 0.05


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


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds, or raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL_INTERVAL)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def server_tag(port: int) -> str:
    """Names one running private server: ports are unique among running servers."""
    return f"{os.getpid()}:{port}"


def clean_env(drop_prefixes: tuple[str, ...], port: int) -> dict[str, str]:
    """The current environment minus variables that would point a server somewhere else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(drop_prefixes)
        # Makes rabbitmq-server think it runs under systemd and exec the VM in a different way.
        and key != "NOTIFY_SOCKET"
    }
    env[_MARKER] = server_tag(port)
    return env


class Started(abc.ABC):
    """Started on entering a ``with`` block and cleaned up on leaving it, however it is left."""

    @abc.abstractmethod
    def start(self) -> None: ...

    @abc.abstractmethod
    def cleanup(self) -> None: ...

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


class PrivateServer(Started):
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
            LIVE_SERVERS.discard(self)
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
        LIVE_SERVERS.add(self)
        return proc

    def _processes(self) -> list[int]:
        """Running processes of this server, however they forked, re-parented or daemonised."""
        mine = server_tag(self.port)
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
            time.sleep(POLL_INTERVAL)

    def _check_spawned(self, log: Path) -> None:
        """Raise, with the end of the server's log, if the process we spawned has exited."""
        proc = self._proc
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"{type(self).__name__} exited with status {proc.returncode} while starting; "
                f"end of {log}:\n{log_tail(log)}"
            )


# Servers still running when the interpreter exits (a test run interrupted before its fixture
# finalisers ran) are SIGKILLed, so they do not outlive the run holding ports and memory.
LIVE_SERVERS: set[PrivateServer] = set()


@atexit.register
def _kill_leftovers() -> None:
    for server in list(LIVE_SERVERS):
        with contextlib.suppress(Exception):
            server.kill()

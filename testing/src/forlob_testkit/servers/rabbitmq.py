"""A private RabbitMQ node for fault tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from forlob_testkit.servers.base import LIVE_SERVERS, POLL_INTERVAL, PrivateServer, clean_env, wait_for
from forlob_testkit.servers.ports import LOOPBACK, free_port, port_accepts

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


class PrivateRabbitMQ(PrivateServer):
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
        env = clean_env(("RABBITMQ_", "ERL_"), self.port)
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
            while not port_accepts(self.port):
                self._check_spawned(self._log)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"RabbitMQ {self.node} did not listen on {self.port} within {timeout}s")
                time.sleep(POLL_INTERVAL)
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
            wait_for(lambda: not self._processes(), 10, f"the rest of {self.node} to exit")
        except BaseException:
            self.kill()
            raise
        LIVE_SERVERS.discard(self)

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
        LIVE_SERVERS.discard(self)

    def close_all_connections(self, reason: str = "closed by a Forlob fault test") -> None:
        """Close every client connection from the broker side (``connection.close`` 320)."""
        self.ctl("close_all_connections", "--global", reason)

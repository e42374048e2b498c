"""A private PostgreSQL cluster for fault tests."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Literal

from forlob_testkit.servers.base import LIVE_SERVERS, POLL_INTERVAL, PrivateServer, clean_env, server_tag, wait_for
from forlob_testkit.servers.ports import LOOPBACK, port_accepts

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")

ShutdownMode = Literal["smart", "fast", "immediate"]

# The signals behind pg_ctl's shutdown modes (PostgreSQL docs, "Shutting Down the Server").
_SHUTDOWN_SIGNALS: dict[ShutdownMode, signal.Signals] = {
    "smart": signal.SIGTERM,
    "fast": signal.SIGINT,
    "immediate": signal.SIGQUIT,
}


class PrivatePostgres(PrivateServer):
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
        env = clean_env(("PG",), self.port)
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
                str(POSTGRES_BIN / "postgres"),
                "-D",
                str(self.datadir),
                "-c",
                f"cluster_name=forlob:{server_tag(self.port)}",
            ),
            self._env(),
            self._log,
            self.root,
        )
        try:
            while not (self._ready() and port_accepts(self.port)):
                self._check_spawned(self._log)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"PostgreSQL on {self.port} not ready within {timeout}s")
                time.sleep(POLL_INTERVAL)
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
            wait_for(lambda: not self._processes(), 10, "postgres children to exit")
        except BaseException:
            self.kill()
            raise
        LIVE_SERVERS.discard(self)

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
        LIVE_SERVERS.discard(self)

    def cleanup(self) -> None:
        """Stop (or kill) the server and delete the workdir and the cluster directory."""
        try:
            super().cleanup()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

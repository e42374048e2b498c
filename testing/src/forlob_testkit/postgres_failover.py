"""A private PostgreSQL primary with a streaming standby, for the failover test.

The standby is made as an operator (or CloudNativePG) makes one: ``pg_basebackup -R`` from the
primary (``-R`` writes ``primary_conninfo`` and ``standby.signal``), then started on a port of its
own. The primary then makes it synchronous (``synchronous_standby_names = '*'``; set only after
the base backup, so the standby does not inherit it and, once promoted, waits for no standby of
its own): a commit returns only once the standby has flushed it, so promoting the standby after
the primary crashed loses nothing that was acknowledged. With asynchronous replication the last
commits before a crash may be missing on the promoted standby; CloudNativePG's synchronous
replicas (``spec.postgresql.synchronous``) are the same choice.

The services reach "the primary" through a :class:`~forlob_testkit.servers.FaultProxy`, as they
reach CloudNativePG's read-write Service: at the failover the proxy drops every connection and
sends new ones to the promoted standby (:func:`switch`), so the services' URL never changes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import asyncpg

from forlob_testkit.servers import POSTGRES_BIN, FaultProxy, PrivatePostgres, wait_for

__all__ = ["make_standby", "promote", "replication_state", "switch"]


def _run(server: PrivatePostgres, *argv: str) -> None:
    result = subprocess.run(
        server._as_postgres(*argv),
        env=server._env(),
        cwd=server.root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def make_standby(primary: PrivatePostgres, workdir: Path, timeout: float = 120) -> PrivatePostgres:
    """A streaming standby of ``primary`` (started, replicating synchronously); the caller cleans
    it up like any private cluster."""
    standby = PrivatePostgres(workdir)
    try:
        _run(
            standby,
            str(POSTGRES_BIN / "pg_basebackup"),
            f"--host={primary.socket_dir}",  # the primary's socket: no TCP needed for the copy
            f"--port={primary.port}",
            "--username=postgres",
            f"--pgdata={standby.datadir}",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        standby.socket_dir.mkdir(mode=0o700, exist_ok=True)
        owner = standby.root.stat()  # the socket directory belongs to postgres, as the cluster does
        os.chown(standby.socket_dir, owner.st_uid, owner.st_gid)
        # The copied postgresql.conf names the primary's port and socket; later lines win.
        with (standby.datadir / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# standby of {primary.port}\nport = {standby.port}\n")
            conf.write(f"unix_socket_directories = '{standby.socket_dir}'\n")
        standby.start(timeout)
        _run(
            primary,
            str(POSTGRES_BIN / "psql"),
            f"--host={primary.socket_dir}",
            f"--port={primary.port}",
            "--username=postgres",
            "--no-psqlrc",
            "--command=ALTER SYSTEM SET synchronous_standby_names = '*'",
            "--command=SELECT pg_reload_conf()",
        )
        wait_for(
            lambda: _sync_state(primary) == "sync", timeout, f"the standby on {standby.port} to replicate synchronously"
        )
    except BaseException:
        standby.cleanup()
        raise
    return standby


def _sync_state(primary: PrivatePostgres) -> str:
    result = subprocess.run(
        primary._as_postgres(
            str(POSTGRES_BIN / "psql"),
            f"--host={primary.socket_dir}",
            f"--port={primary.port}",
            "--username=postgres",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--command=SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'",
        ),
        env=primary._env(),
        cwd=primary.root,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout.strip()


async def replication_state(url: str) -> str:
    """``primary`` or ``standby``: what the server at ``url`` is now."""
    conn = await asyncpg.connect(url)
    try:
        return "standby" if await conn.fetchval("SELECT pg_is_in_recovery()") else "primary"
    finally:
        await conn.close()


def promote(standby: PrivatePostgres, timeout: float = 60) -> None:
    """Promote the standby and return once it takes writes (``pg_ctl promote --wait``)."""
    pg_ctl = str(POSTGRES_BIN / "pg_ctl")
    _run(standby, pg_ctl, "promote", "--wait", f"--timeout={int(timeout)}", "-D", str(standby.datadir))


async def switch(proxy: FaultProxy, target: PrivatePostgres) -> None:
    """Point the proxy at ``target``: every open connection is dropped (it was to the old primary)
    and new ones go to ``target``, as when the read-write Service's endpoint moves."""
    await proxy.cut("reset")
    proxy.target_port = target.port
    await proxy.restore()

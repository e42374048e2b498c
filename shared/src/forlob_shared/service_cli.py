"""The command line every service has: ``forlob-<service> serve | migrate | relay | declare``."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from forlob_shared.clock import Clock
from forlob_shared.dbadmin import ensure_database
from forlob_shared.logging import configure_logging, get_logger
from forlob_shared.messaging.relay import OutboxRelay
from forlob_shared.migrations import current_revision, expand_target, upgrade
from forlob_shared.release import version_line
from forlob_shared.runtime import PartsT, ServiceSpec, SettingsT, UowT, build_runtime, declare_topology, stop_runtime


def run_service_cli(
    spec: ServiceSpec[UowT, SettingsT, PartsT], argv: list[str] | None = None, *, clock: Clock | None = None
) -> int:
    """The service's command line; ``clock`` (the system's when None) is what ``serve`` runs on."""
    parser = argparse.ArgumentParser(prog=f"forlob-{spec.name}", description=spec.description)
    parser.add_argument("--version", action="version", version=version_line(f"forlob-{spec.name}", spec.name))
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API and the event consumers (and the relay)")
    serve.add_argument("--no-relay", action="store_true", help="leave the outbox to a separate `relay` process")
    migrate = commands.add_parser("migrate", help="bring the database schema to the newest revision")
    migrate.add_argument(
        "--revision", help="a revision to go to (default: every expand migration; with --contract: head)"
    )
    migrate.add_argument(
        "--contract",
        action="store_true",
        help="also apply contract migrations: only once no replica of the previous release runs",
    )
    migrate.add_argument("--create-database", action="store_true", help="create the database if it is missing")
    commands.add_parser("relay", help="run only the outbox relay (one is active per database)")
    commands.add_parser("declare", help="declare the exchanges, queues and history stream this service uses")
    asyncapi = commands.add_parser("asyncapi", help="write this service's AsyncAPI document")
    asyncapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)

    settings = spec.settings_cls()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    log = get_logger(f"forlob.{spec.name}")

    if args.command == "migrate":
        if args.create_database and asyncio.run(ensure_database(settings.database_url)):
            log.info("migrate.database_created")
        revision = args.revision or ("head" if args.contract else _expand_target(spec, settings))
        upgrade(spec.migrations_dir, settings.sqlalchemy_url, revision)
        log.info("migrate.done", revision=revision)
        return 0
    if args.command == "serve":
        import uvicorn

        from forlob_shared.service import create_app

        app = create_app(spec, settings, clock, with_relay=False if args.no_relay else None)
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
        return 0
    if args.command == "relay":
        _run_on_the_best_loop(_run_relay(spec, settings))
        return 0
    if args.command == "declare":
        asyncio.run(_declare(spec, settings))
        return 0
    if args.command == "asyncapi":
        from forlob_shared.asyncapi import asyncapi_document

        text = json.dumps(asyncapi_document(spec, settings), indent=2, sort_keys=True) + "\n"
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text)
        else:
            print(text, end="")
        return 0
    parser.error(f"unknown command {args.command}")
    return 2


def _expand_target(spec: ServiceSpec[UowT, SettingsT, PartsT], settings: SettingsT) -> str:
    """Every pending expand migration, stopping before a contract one (docs/migrations.md)."""
    target = expand_target(spec.migrations_dir, asyncio.run(current_revision(settings.asyncpg_dsn)))
    if target != "head":
        get_logger(f"forlob.{spec.name}").info("migrate.contract_pending", until=target)
    return target


def _run_on_the_best_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop where it is installed (uvicorn[standard] brings it on Linux and
    macOS; ``serve`` runs on it through uvicorn), else on asyncio's own loop. A relay on asyncio's
    loop spent about a third of its CPU in the loop and its socket writes."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover  (Windows)
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


async def _run_relay(spec: ServiceSpec[UowT, SettingsT, PartsT], settings: SettingsT) -> None:
    runtime = build_runtime(spec, settings)
    relay = OutboxRelay(runtime.relay_config())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.stopping.set)
    try:
        await relay.run(runtime.stopping)
    finally:
        await runtime.engine.dispose()


async def _declare(spec: ServiceSpec[UowT, SettingsT, PartsT], settings: SettingsT) -> None:
    runtime = build_runtime(spec, settings)
    try:
        await declare_topology(runtime)
    finally:
        await stop_runtime(runtime)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)

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
from forlob_shared.settings import load_settings
from forlob_shared.tracing import configure_tracing


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
    openapi = commands.add_parser("openapi", help="write this service's OpenAPI document")
    openapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    openapi.add_argument("--tag", help="only the operations with this tag (e.g. partners), as a document of its own")
    args = parser.parse_args(argv)

    settings = load_settings(spec.settings_cls)
    configure_logging(spec.name, settings.log_level, settings.log_json)
    if args.command in {"serve", "relay"}:
        configure_tracing(spec.name)  # only by the OTEL_* variables: off when they are unset
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

        _write(args.out, asyncapi_document(spec, settings))
        return 0
    if args.command == "openapi":
        _write(args.out, openapi_document(spec, settings, args.tag))
        return 0
    parser.error(f"unknown command {args.command}")
    return 2


def openapi_document(
    spec: ServiceSpec[UowT, SettingsT, PartsT], settings: SettingsT | None = None, tag: str | None = None
) -> dict[str, Any]:
    """The service's OpenAPI document as docs/openapi/ holds it; with ``tag``, only that part
    (the notifications service's ``partners``: the partner API, docs/openapi/partners.json)."""
    from forlob_shared.http.openapi import tagged
    from forlob_shared.service import create_app

    document = create_app(spec, settings).openapi()
    if tag is None:
        return document
    title, description = PARTS.get(tag, (f"{spec.title}: {tag}", spec.description))
    return tagged(document, tag, title, description)


# The parts of a service's API published as documents of their own: (title, description).
PARTS = {
    "partners": (
        "Forløb partner API",
        "What a partner system (a referring organisation's case system, role partner_system) may call: "
        "catch-up of its organisation's partner events, a referral's state as it was told, the JSON Schema "
        "of each partner event; and, for the caseworker, what their system was told of a referral "
        "(docs/partners.md). Served by the notifications service.",
    )
}


def _write(out: Path | None, document: dict[str, Any]) -> None:
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    else:
        sys.stdout.write(text)


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

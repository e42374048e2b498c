"""``forlob``: the operator's tool for what is not one service's: tokens, event schemas,
partner feeds and dead letters."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import aio_pika
import httpx
from aiormq.exceptions import ChannelAccessRefused

from forlob_shared.events.base import event_types, json_schema
from forlob_shared.events.compat import breaking_changes
from forlob_shared.http.auth import mint_token
from forlob_shared.logging import configure_logging
from forlob_shared.messaging.topology import Topology
from forlob_shared.ops import deadletters
from forlob_shared.ops.broker_admin import BrokerAdminError, broker_admin, vhost_of
from forlob_shared.ops.partners import add_partner, remove_partner
from forlob_shared.progress import progress, run_command
from forlob_shared.release import version_line
from forlob_shared.settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forlob", description="Forløb operator tool")
    parser.add_argument("--version", action="version", version=version_line("forlob", "shared"))
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="mint a local HS256 bearer token (development and tests)")
    token.add_argument("--org", required=True, help="the organisation the person belongs to")
    token.add_argument("--staff", required=True, help="the person's staff id (the token's subject)")
    token.add_argument("--roles", default="", help="comma-separated roles, e.g. caseworker,coordinator")
    token.add_argument("--hours", type=float, default=8.0, help="lifetime in hours (at most 12)")

    events = commands.add_parser("events", help="the event catalogue")
    event_commands = events.add_subparsers(dest="events_command", required=True)
    export = event_commands.add_parser("export", help="write a JSON Schema per event type")
    export.add_argument("--out", type=Path, default=Path("docs/events"))
    event_commands.add_parser("list", help="list the event types")
    asyncapi_parser = event_commands.add_parser("partner-asyncapi", help="write the partner contract's AsyncAPI")
    asyncapi_parser.add_argument("--out", type=Path, default=Path("docs/asyncapi/partners.json"))

    partners = commands.add_parser("partners", help="partner organisations' AMQP event feeds")
    partner_commands = partners.add_subparsers(dest="partners_command", required=True)
    add = partner_commands.add_parser("add", help="create the partner's vhost, feed queue, shovel and user")
    add.add_argument("org", help="the partner organisation's id, e.g. jobcenter-aalborg")
    add.add_argument("--password", help="the partner user's password (default: a new random one, printed)")
    remove = partner_commands.add_parser("remove", help="delete the partner's vhost, shovel, user and queue")
    remove.add_argument("org")

    dlq = commands.add_parser("dlq", help="dead letters: list, show, redrive, purge")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_commands.add_parser("list", help="every dead-letter queue and how many messages it holds")
    show = dlq_commands.add_parser("show", help="the messages in a dead-letter queue with their reasons")
    show.add_argument("queue", help="a dead-letter queue, e.g. reporting.read-model.dlq")
    show.add_argument("--limit", type=int, default=20)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    redrive = dlq_commands.add_parser("redrive", help="put dead letters back on their queue, oldest first")
    redrive.add_argument("queue")
    redrive.add_argument("--limit", type=int, help="at most this many")
    redrive.add_argument("--id", dest="message_id", help="only the message with this id")
    purge = dlq_commands.add_parser("purge", help="delete every message in a dead-letter queue")
    purge.add_argument("queue")
    purge.add_argument("--yes", action="store_true", help="really delete them")

    dpo = commands.add_parser("dpo", help="the data protection officer's tools (GDPR Art. 15, 30)")
    dpo_commands = dpo.add_subparsers(dest="dpo_command", required=True)
    dpo_export = dpo_commands.add_parser("export", help="everything the four services hold about one participant")
    who = dpo_export.add_mutually_exclusive_group(required=True)
    who.add_argument("--identity-number", help="looked up in referral; the read is audited")
    who.add_argument("--participant", type=UUID, help="the pseudonymous participant id")
    dpo_export.add_argument("--purpose", default="access request (GDPR Art. 15)", help="kept in the audit log")
    dpo_export.add_argument("--out", type=Path, help="write the JSON here (default: standard output)")
    dpo_export.add_argument(
        "--token", help="a DPO's bearer token (default: $FORLOB_TOKEN, or a local one for --org/--staff)"
    )
    dpo_export.add_argument("--org", help="the provider organisation (local token)")
    dpo_export.add_argument("--staff", default="dpo", help="the DPO's staff id (local token)")
    dpo_commands.add_parser("record-of-processing", help="the record of processing activities (Art. 30), Markdown")

    args = parser.parse_args(argv)
    if args.command == "dpo":
        return _dpo_command(parser, args)
    if args.command in {"partners", "dlq"}:
        return _report_failure(args)
    if args.command == "token":
        settings = ServiceSettings()
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]
        try:
            token_text = mint_token(
                settings, staff_id=args.staff, org=args.org, roles=roles, ttl=timedelta(hours=args.hours)
            )
        except ValueError as exc:  # longer-lived than the services accept
            parser.error(str(exc))
        print(token_text)
        return 0
    if args.command == "events" and args.events_command == "list":
        for key, cls in event_types().items():
            print(f"{key}\t{cls.cloudevent_type()}\t{cls.description}")
        from forlob_shared.partner import partner_event_types

        for partner_cls in partner_event_types().values():  # the published partner contract
            print(f"{partner_cls.routing_key}\t{partner_cls.cloudevent_type()}\t{partner_cls.description}")
        return 0
    if args.command == "events" and args.events_command == "partner-asyncapi":
        from forlob_shared.partner.asyncapi import partner_asyncapi

        args.out.write_text(json.dumps(partner_asyncapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {args.out}")
        return 0
    if args.command == "events" and args.events_command == "export":
        try:
            written = export_schemas(args.out)
        except BreakingChange as exc:
            print(f"forlob events export: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {len(written)} schemas to {args.out}")
        return 0
    return 2


def _dpo_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from forlob_shared.ops import dpo as dpo_ops

    if args.dpo_command == "record-of-processing":
        from forlob_shared.ops.processing_record import record_of_processing

        print(record_of_processing(), end="")
        return 0
    tool = dpo_ops.DpoToolSettings()
    token = args.token or tool.token.get_secret_value()
    if not token:
        if not args.org:
            parser.error("give --token (or FORLOB_TOKEN), or --org for a local token")
        token = mint_token(ServiceSettings(), staff_id=args.staff, org=args.org, roles=["dpo"], ttl=timedelta(hours=1))

    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=30.0) as client:
            return await dpo_ops.access_export(
                client,
                tool.urls(),
                token,
                participant_id=args.participant,
                identity_number=args.identity_number,
                purpose=args.purpose,
                now=datetime.now(UTC),
            )

    try:
        document = asyncio.run(run())
    except (dpo_ops.ExportFailed, httpx.HTTPError) as exc:
        print(f"forlob dpo export: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def _report_failure(args: argparse.Namespace) -> int:
    """Run a broker command; a failure is one line on stderr and an exit code, never a traceback
    (forlob_shared.progress.run_command: an operator's script reads the code, a person the line)."""
    # aiormq logs each failed connection attempt itself; the one line below says it once.
    settings = ServiceSettings()
    # Log lines (a redrive's progress when no terminal shows a bar) on stderr: stdout is the answer.
    configure_logging("operator", settings.log_level, settings.log_json, stream=sys.stderr)
    for noisy in ("aiormq", "aio_pika"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    return run_command("forlob", lambda: asyncio.run(_broker_command(args)), explain=_explain_broker_failure)


def _explain_broker_failure(error: BaseException) -> str | None:
    if isinstance(error, ValueError | BrokerAdminError):  # bad input (an organisation id), or the admin API's answer
        return str(error)
    if isinstance(error, aio_pika.exceptions.AMQPError | OSError):
        return _broker_failure(error)
    return None


def _broker_failure(error: BaseException) -> str:
    """What went wrong talking to the broker, without the URL (it holds the password)."""
    settings = ServiceSettings()
    parts = urlsplit(settings.broker_url)
    where = f"{parts.hostname}:{parts.port or 5672} (vhost {vhost_of(settings.broker_url)!r})"
    if isinstance(error, ChannelAccessRefused | aio_pika.exceptions.ProbableAuthenticationError):
        return f"the broker at {where} refused {parts.username!r}: {' '.join(str(error).split())[:200]}"
    if isinstance(error, aio_pika.exceptions.AMQPConnectionError | OSError):
        return f"cannot reach the broker at {where} (FORLOB_BROKER_URL): {type(error).__name__}"
    return f"the broker at {where} answered: {' '.join(str(error).split())[:200]}"


async def _broker_command(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    admin = broker_admin(settings.broker_url)
    topology = Topology(prefix=settings.name_prefix)
    if args.command == "partners" and args.partners_command == "add":
        feed = await add_partner(settings.broker_url, admin, topology, args.org, args.password)
        print(f"partner {feed.org}: user {feed.user!r} reads queue {feed.queue!r} in vhost {feed.vhost!r}")
        if feed.password is None:
            print("the user existed: password unchanged (--password sets a new one)")
        elif not args.password:
            print(f"password (shown once): {feed.password}")
        return 0
    if args.command == "partners" and args.partners_command == "remove":
        await remove_partner(settings.broker_url, admin, topology, args.org)
        print(f"partner {args.org} removed")
        return 0
    if args.dlq_command == "list":
        for queue in await deadletters.list_dead_letter_queues(admin, settings.broker_url, settings.name_prefix):
            print(f"{queue.messages:>8}  {queue.name}")
        return 0
    if args.dlq_command == "show":
        letters = await deadletters.show(settings.broker_url, args.queue, args.limit)
        for letter in letters:
            if args.json:
                print(json.dumps({k: v for k, v in letter.__dict__.items() if k != "headers"}))
            else:
                print(
                    f"{letter.dead_lettered_at}  {letter.message_id}  {letter.routing_key}  from {letter.source_queue}"
                    f"\n    reason: {letter.reason}  deliveries: {letter.deliveries}  size: {letter.body_size} B"
                    + (f"\n    detail: {letter.detail}" if letter.detail else "")
                )
        if not letters:
            print("no dead letters")
        return 0
    if args.dlq_command == "redrive":
        with progress(f"redrive {args.queue}") as shown:
            moved = await deadletters.redrive(settings.broker_url, args.queue, args.limit, args.message_id, shown)
        print(f"redriven: {moved}")
        return 0
    if args.dlq_command == "purge":
        if not args.yes:
            print("purging deletes the messages for good: add --yes")
            return 2
        print(f"purged: {await deadletters.purge(settings.broker_url, args.queue)}")
        return 0
    return 2


class BreakingChange(Exception):
    """A published major version of an event would change incompatibly: nothing was written."""


def export_schemas(out: Path) -> list[Path]:
    """The internal catalogue's schemas in ``out``, the partner contract's in ``out/partner``.

    Refuses (:class:`BreakingChange`, naming each type and field) to overwrite a published schema
    with one that breaks it (a field removed or retyped, a new required field): that is a new
    major version, published beside the old one (docs/operations.md, "Releases")."""
    from forlob_shared.partner import partner_event_types, partner_json_schema

    schemas = {out / f"{key}.json": json_schema(cls) for key, cls in event_types().items()}
    for partner_cls in partner_event_types().values():
        path = out / "partner" / f"{partner_cls.name}.v{partner_cls.version}.json"
        schemas[path] = partner_json_schema(partner_cls)
    problems = [
        f"{path.name}: {problem}"
        for path, schema in schemas.items()
        if path.exists()
        for problem in breaking_changes(json.loads(path.read_text()), schema)
    ]
    if problems:
        raise BreakingChange(
            "a breaking change to a published major version; publish it as the next major (.v<N+1>) beside it: "
            + "; ".join(problems)
        )
    (out / "partner").mkdir(parents=True, exist_ok=True)
    for path, schema in schemas.items():
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return list(schemas)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

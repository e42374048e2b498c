"""``forlob-referral sms usage --month 2026-12``: the month's messages and parts per provider, for the invoice."""

from __future__ import annotations

import argparse
import asyncio
import json

from forlob_referral.application.sms_inbound import usage
from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.settings import ReferralSettings
from forlob_shared.clock import SystemClock
from forlob_shared.db import create_engine, create_session_factory
from forlob_shared.messaging.outbox import OutboxWriter


async def _usage(month: str, provider_org: str | None) -> list[dict[str, object]]:
    settings = ReferralSettings()
    engine = create_engine(settings)
    try:
        outbox = OutboxWriter(source="forlob/referral", clock=SystemClock())  # a read: nothing is written
        uow = ReferralUnitOfWork(create_session_factory(engine), outbox)
        return [
            {"month": month, "provider_org": u.provider_org, "messages": u.messages, "parts": u.parts}
            for u in await usage(uow, month, provider_org)
        ]
    finally:
        await engine.dispose()


def run_sms_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="forlob-referral sms", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    count = commands.add_parser("usage", help="messages the gateway accepted in a month, and their parts, per provider")
    count.add_argument("--month", required=True, help="YYYY-MM")
    count.add_argument("--org", help="one provider organisation only")
    args = parser.parse_args(argv)
    for row in asyncio.run(_usage(args.month, args.org)):
        print(json.dumps(row))
    return 0
